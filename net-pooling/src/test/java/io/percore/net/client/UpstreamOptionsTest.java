package io.percore.net.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.percore.config.ClientPoolConfig;
import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidationException;
import io.percore.net.lb.LoadBalancing;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamOptionsTest {

    @Test
    void adaptsClientPoolConfig() {
        ClientPoolConfig c = new ClientPoolConfig();
        c.setMaxConnections(16);
        c.setMaxPendingAcquisitions(7);
        c.setConnectTimeout(Duration.ofMillis(750));
        c.setIdleTimeout(Duration.ofSeconds(11));
        c.setLoadBalancer(ClientPoolConfig.LoadBalancer.PEAK_EWMA);
        c.getHealthCheck().setInterval(Duration.ofSeconds(2));
        c.getHealthCheck().setTimeout(Duration.ofMillis(300));
        c.getHealthCheck().setHealthyThreshold(4);
        c.getHealthCheck().setUnhealthyThreshold(6);
        c.getOutlierEjection().setConsecutiveFailures(9);
        c.getOutlierEjection().setBaseEjectionTime(Duration.ofSeconds(12));
        c.getOutlierEjection().setMaxEjectionPercent(30);
        c.getRetryBudget().setRatio(0.1);
        c.getRetryBudget().setMinRetriesPerSecond(3);

        c.setEndpoints(List.of("127.0.0.1:6379"));
        UpstreamOptions o = UpstreamOptions.from("cache", c);
        assertThat(o.name()).isEqualTo("cache");
        assertThat(o.maxConnections()).isEqualTo(16);
        assertThat(o.pool().maxConnections()).isEqualTo(16);
        assertThat(o.pool().maxPendingAcquisitions()).isEqualTo(7);
        assertThat(o.pool().connectTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(o.pool().idleTimeout()).isEqualTo(Duration.ofSeconds(11));
        assertThat(o.loadBalancing()).isEqualTo(LoadBalancing.PEAK_EWMA);
        assertThat(o.healthCheck().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.healthCheck().timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(o.healthCheck().healthyThreshold()).isEqualTo(4);
        assertThat(o.healthCheck().unhealthyThreshold()).isEqualTo(6);
        assertThat(o.outlierEjection().consecutiveFailures()).isEqualTo(9);
        assertThat(o.outlierEjection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(12));
        assertThat(o.outlierEjection().maxEjectionPercent()).isEqualTo(30);
        assertThat(o.retryBudgetRatio()).isEqualTo(0.1);
        assertThat(o.minRetriesPerSecond()).isEqualTo(3);
        for (ClientPoolConfig.LoadBalancer lb : ClientPoolConfig.LoadBalancer.values()) {
            assertThat(LoadBalancing.from(lb).name()).isEqualTo(lb.name());
        }
    }

    @Test
    void badConfigNamesTheKey() {
        ClientPoolConfig c = new ClientPoolConfig();
        c.setEndpoints(List.of("127.0.0.1:6379"));
        c.getHealthCheck().setTimeout(Duration.ofSeconds(10));
        // The validator's error, the same a YAML file gets: one rule, one place.
        assertThatThrownBy(() -> UpstreamOptions.from("cache", c)).hasMessageContaining("health-check.timeout")
                .isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .extracting(ConfigError::path, ConfigError::rule)
                        .containsExactly(tuple("percore.clients.cache.health-check.timeout", "timeout-below-interval")));
        assertThatThrownBy(() -> UpstreamOptions.builder(" ")).hasMessageContaining("name");
        assertThatThrownBy(() -> UpstreamOptions.builder("x").retryBudget(2, 0)).hasMessageContaining("retry-budget.ratio");
        // The builders know no rule of their own: config-schema's validator answers, naming the key.
        assertThatThrownBy(() -> UpstreamOptions.builder("x").maxConnections(0))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("percore.clients.client.max-connections");
        assertThatThrownBy(() -> io.percore.net.pool.PoolOptions.builder().maxPendingAcquisitions(-1))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("percore.clients.client.max-pending-acquisitions");
        assertThatThrownBy(() -> io.percore.net.pool.PoolOptions.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("percore.clients.client.connect-timeout");
        assertThat(io.percore.net.pool.PoolOptions.builder().build().maxConnections())
                .as("the model's default, written once").isEqualTo(new ClientPoolConfig().getMaxConnections());
    }
}
