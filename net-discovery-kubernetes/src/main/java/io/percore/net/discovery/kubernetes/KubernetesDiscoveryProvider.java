package io.percore.net.discovery.kubernetes;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.net.discovery.EndpointDiscovery;
import io.percore.net.discovery.EndpointDiscoveryProvider;

/**
 * {@code discovery.type=kubernetes}: registered in {@code META-INF/services}, so having this module
 * on the class path is all it takes for {@code EndpointDiscoveries.from} to build it.
 */
public final class KubernetesDiscoveryProvider implements EndpointDiscoveryProvider {

    @Override
    public DiscoveryConfig.Type type() {
        return DiscoveryConfig.Type.KUBERNETES;
    }

    /** With a Kubernetes client from the environment (in-cluster service account or kubeconfig). */
    @Override
    public EndpointDiscovery create(String upstreamName, ClientPoolConfig config) {
        DiscoveryConfig d = config.getDiscovery();
        return KubernetesEndpointSliceDiscovery.create(d.getNamespace(), d.getServiceName(), d.getPortName());
    }
}
