package io.percore.net.discovery;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;

/**
 * A discovery that lives in a module of its own, so net-pooling does not carry its dependencies
 * (Kubernetes: {@code percore-net-discovery-kubernetes}, with Fabric8). The module registers its
 * provider in {@code META-INF/services/io.percore.net.discovery.EndpointDiscoveryProvider};
 * {@link EndpointDiscoveries#from} finds it with {@link java.util.ServiceLoader}.
 */
public interface EndpointDiscoveryProvider {

    /** The {@code discovery.type} this provider serves. */
    DiscoveryConfig.Type type();

    /** The discovery of upstream {@code upstreamName}, from its already validated configuration. */
    EndpointDiscovery create(String upstreamName, ClientPoolConfig config);
}
