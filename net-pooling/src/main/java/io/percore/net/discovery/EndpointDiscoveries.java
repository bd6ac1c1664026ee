package io.percore.net.discovery;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
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
        // Which discovery needs which keys is the validator's rule, not this class's.
        ConfigValidationException.throwIfAny(ConfigValidator.shared().validateClient(upstreamName, config));
        DiscoveryConfig d = config.getDiscovery();
        switch (d.getType()) {
            case STATIC:
                return StaticDiscovery.of(config.getEndpoints());
            case DNS:
                List<HostAndPort> names = new ArrayList<>();
                for (String s : config.getEndpoints()) {
                    names.add(HostAndPort.parse(s));
                }
                return new DnsDiscovery(names, d.getDnsRefreshInterval());
            case KUBERNETES:
                return EndpointDiscoveryModules.provider(d.getType(), upstreamName).create(upstreamName, config);
            default:
                throw new AssertionError(d.getType());
        }
    }
}
