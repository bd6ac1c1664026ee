package io.percore.net.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * net-pooling holds no Kubernetes code: {@code discovery.type=kubernetes} is served by the
 * percore-net-discovery-kubernetes module, and without it the error names that module.
 */
class EndpointDiscoveryModulesTest {

    @Test
    void kubernetesDiscoveryWithoutItsModuleNamesTheModuleToAdd() {
        ClientPoolConfig config = new ClientPoolConfig();
        DiscoveryConfig discovery = new DiscoveryConfig();
        discovery.setType(DiscoveryConfig.Type.KUBERNETES);
        discovery.setServiceName("cache");
        config.setDiscovery(discovery);

        assertThatThrownBy(() -> EndpointDiscoveries.from("cache", config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("percore.clients.cache.discovery.type=kubernetes needs its module on the class path: add "
                        + "io.percore:percore-net-discovery-kubernetes to the application's dependencies");
    }

    @Test
    void fabric8IsNotOnNetPoolingsClassPath() {
        URL fabric8 = getClass().getClassLoader().getResource("io/fabric8/kubernetes/client/KubernetesClient.class");
        assertThat(fabric8).as("net-pooling must not bring Fabric8, not even for its tests").isNull();
    }
}
