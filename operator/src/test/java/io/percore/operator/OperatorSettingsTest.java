package io.percore.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

    @Test
    void defaults() {
        OperatorSettings s = OperatorSettings.fromEnv(Map.of());
        assertThat(s.watchNamespaces()).isEmpty();
        assertThat(s.leaderElection()).isTrue();
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.leaseNamespace()).isNull();
        assertThat(s.serverSideApply()).isTrue();
    }

    @Test
    void readsTheHelmChartVariables() {
        OperatorSettings s = OperatorSettings.fromEnv(Map.of("PERCORE_WATCH_NAMESPACES", " team-a, team-b ,,",
                "PERCORE_LEADER_ELECTION", "False", "POD_NAMESPACE", "percore-system", "POD_NAME", "op-0", "PERCORE_HTTP_PORT", "9090"));
        assertThat(s.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(s.leaderElection()).isFalse();
        assertThat(s.leaseNamespace()).isEqualTo("percore-system");
        assertThat(s.identity()).isEqualTo("op-0");
        assertThat(s.httpPort()).isEqualTo(9090);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of("PERCORE_LEADER_ELECTION", "yes")))
                .hasMessageContaining("PERCORE_LEADER_ELECTION").hasMessageContaining("'yes'");
        assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of("PERCORE_WATCH_NAMESPACES", "Team_A")))
                .hasMessageContaining("PERCORE_WATCH_NAMESPACES").hasMessageContaining("Team_A");
        assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of("PERCORE_HTTP_PORT", "70000")))
                .hasMessageContaining("PERCORE_HTTP_PORT");
    }
}
