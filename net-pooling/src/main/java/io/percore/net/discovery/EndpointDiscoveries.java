package io.percore.net.discovery;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.net.pool.HostAndPort;
import java.util.ArrayList;
import java.util.List;

/** Builds the discovery a client pool's configuration asks for. */
public final class EndpointDiscoveries {

    private EndpointDiscoveries() {
    }

    /**
     * static: the endpoints list; dns: its host names re-resolved every dns-refresh-interval;
     * kubernetes: the Service's EndpointSlices (needs percore-net-discovery-kubernetes on the class path,
     * else an {@link IllegalStateException} says so).
     */
    public static EndpointDiscovery from(String upstreamName, ClientPoolConfig config) {
        DiscoveryConfig d = config.getDiscovery();
        switch (d.getType()) {
            case STATIC:
                requireEndpoints(upstreamName, config, "static");
                return StaticDiscovery.of(config.getEndpoints());
            case DNS:
                requireEndpoints(upstreamName, config, "dns");
                List<HostAndPort> names = new ArrayList<>();
                for (String s : config.getEndpoints()) {
                    names.add(HostAndPort.parse(s));
                }
                return new DnsDiscovery(names, d.getDnsRefreshInterval());
            case KUBERNETES:
                if (d.getServiceName() == null || d.getServiceName().isBlank()) {
                    throw new IllegalArgumentException("percore.clients." + upstreamName
                            + ".discovery.service-name is required when discovery.type=kubernetes");
                }
                return EndpointDiscoveryModules.provider(d.getType(), upstreamName).create(upstreamName, config);
            default:
                throw new AssertionError(d.getType());
        }
    }

    private static void requireEndpoints(String upstreamName, ClientPoolConfig config, String type) {
        if (config.getEndpoints() == null || config.getEndpoints().isEmpty()) {
            throw new IllegalArgumentException("percore.clients." + upstreamName
                    + ".endpoints must list at least one host:port when discovery.type=" + type);
        }
    }
}
