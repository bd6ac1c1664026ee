package io.percore.net.discovery;

import io.percore.config.DiscoveryConfig;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The discoveries that live outside net-pooling, found on the class path through
 * {@link EndpointDiscoveryProvider}. When a configuration asks for one whose module is absent, the
 * error names the module to add instead of failing on a missing class.
 */
final class EndpointDiscoveryModules {

    /** The artifact that provides each pluggable type. */
    private static final Map<DiscoveryConfig.Type, String> ARTIFACTS =
            Map.of(DiscoveryConfig.Type.KUBERNETES, "io.percore:percore-net-discovery-kubernetes");

    private EndpointDiscoveryModules() {
    }

    /**
     * The provider of {@code type}.
     *
     * @throws IllegalStateException if no module on the class path provides it
     */
    static EndpointDiscoveryProvider provider(DiscoveryConfig.Type type, String upstreamName) {
        ServiceLoader<EndpointDiscoveryProvider> loader =
                ServiceLoader.load(EndpointDiscoveryProvider.class, EndpointDiscoveryProvider.class.getClassLoader());
        for (EndpointDiscoveryProvider provider : loader) {
            if (provider.type() == type) {
                return provider;
            }
        }
        String typeName = type.name().toLowerCase(java.util.Locale.ROOT);
        throw new IllegalStateException("percore.clients." + upstreamName + ".discovery.type=" + typeName
                + " needs its module on the class path: add " + ARTIFACTS.getOrDefault(type, "the module providing it")
                + " to the application's dependencies");
    }
}
