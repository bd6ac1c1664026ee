package io.percore.net.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthStateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void activeChecksFlipHealthAtTheThresholds() {
        HealthCheckOptions o = new HealthCheckOptions(true, Duration.ofSeconds(1), Duration.ofMillis(100), 2, 3);
        EndpointHealth h = new EndpointHealth();
        assertThat(h.recordProbe(false, o)).isFalse();
        assertThat(h.recordProbe(false, o)).isFalse();
        assertThat(h.isAvailableAt(0)).isTrue();
        assertThat(h.recordProbe(false, o)).isTrue();
        assertThat(h.isAvailableAt(0)).isFalse();
        assertThat(h.describe(0)).contains("unhealthy");
        assertThat(h.recordProbe(true, o)).isFalse();
        assertThat(h.recordProbe(false, o)).isFalse();
        assertThat(h.recordProbe(true, o)).isFalse();
        assertThat(h.recordProbe(true, o)).isTrue();
        assertThat(h.isAvailableAt(0)).isTrue();
    }

    @Test
    void consecutiveFailuresEjectForAGrowingTime() {
        OutlierDetector d = new OutlierDetector(new OutlierOptions(3, Duration.ofSeconds(10), 50));
        EndpointHealth a = new EndpointHealth();
        EndpointHealth b = new EndpointHealth();
        List<EndpointHealth> all = List.of(a, b);
        assertThat(d.onFailure(a, all, 0)).isFalse();
        assertThat(d.onFailure(a, all, 0)).isFalse();
        d.onSuccess(a);
        assertThat(d.onFailure(a, all, 0)).isFalse();
        assertThat(d.onFailure(a, all, 0)).isFalse();
        assertThat(d.onFailure(a, all, 0)).isTrue();
        assertThat(a.isAvailableAt(9 * SECOND)).isFalse();
        assertThat(a.describe(5 * SECOND)).contains("ejected");
        assertThat(a.isAvailableAt(10 * SECOND)).isTrue();
        // Second ejection lasts twice as long.
        for (int i = 0; i < 3; i++) {
            d.onFailure(a, all, 11 * SECOND);
        }
        assertThat(a.ejections()).isEqualTo(2);
        assertThat(a.isAvailableAt(30 * SECOND)).isFalse();
        assertThat(a.isAvailableAt(31 * SECOND)).isTrue();
    }

    @Test
    void neverEjectsMoreThanTheMaximumShare() {
        OutlierDetector d = new OutlierDetector(new OutlierOptions(1, Duration.ofSeconds(10), 50));
        EndpointHealth a = new EndpointHealth();
        EndpointHealth b = new EndpointHealth();
        EndpointHealth c = new EndpointHealth();
        EndpointHealth e = new EndpointHealth();
        List<EndpointHealth> all = List.of(a, b, c, e);
        assertThat(d.onFailure(a, all, 0)).isTrue();
        assertThat(d.onFailure(b, all, 0)).isTrue();
        assertThat(d.onFailure(c, all, 0)).as("a third of four would exceed 50 %").isFalse();
        assertThat(c.isAvailableAt(0)).isTrue();
        // Once a's ejection ends, there is room again.
        assertThat(d.onFailure(c, all, 11 * SECOND)).isTrue();
    }

    @Test
    void retryBudgetAllowsTheRatioPlusTheFloor() {
        AtomicLong now = new AtomicLong();
        RetryBudget budget = new RetryBudget(0.2, 0, now::get);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            budget.onRequest();
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(200);

        RetryBudget floorOnly = new RetryBudget(0.0, 5, now::get);
        int floor = 0;
        for (int i = 0; i < 100; i++) {
            floorOnly.onRequest();
            if (floorOnly.tryRetry()) {
                floor++;
            }
        }
        assertThat(floor).isEqualTo(5);
        now.addAndGet(SECOND);
        assertThat(floorOnly.tryRetry()).as("floor refills every second").isTrue();
    }

    @Test
    void retryBudgetDoesNotBankAQuietPeriod() {
        AtomicLong now = new AtomicLong();
        RetryBudget budget = new RetryBudget(0.5, 0, now::get);
        for (int i = 0; i < 100; i++) {
            budget.onRequest();
        }
        now.addAndGet(25 * SECOND);
        budget.onRequest();
        int allowed = 0;
        while (budget.tryRetry()) {
            allowed++;
        }
        assertThat(allowed).isZero();
    }

    @Test
    void invalidOptionsNameTheKey() {
        // Options built in code meet config-schema's rules: the same paths, rules and texts as YAML.
        assertThatThrownBy(() -> new HealthCheckOptions(true, Duration.ofSeconds(1), Duration.ofSeconds(2), 1, 1))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.clients.client.health-check.timeout").hasMessageContaining("shorter")
                .hasMessageContaining("timeout-below-interval");
        assertThatThrownBy(() -> new OutlierOptions(0, Duration.ofSeconds(1), 50)).hasMessageContaining("consecutive-failures");
        assertThatThrownBy(() -> new OutlierOptions(1, Duration.ofSeconds(1), 101)).hasMessageContaining("max-ejection-percent");
        assertThatThrownBy(() -> new RetryBudget(1.5, 0, System::nanoTime)).hasMessageContaining("retry-budget.ratio");
    }
}
