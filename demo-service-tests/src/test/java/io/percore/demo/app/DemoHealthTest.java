package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Issue 12, row 6: the demo's health indicator joined a call to every shard with no timeout, so a
 * shard stuck in a long command hung every health probe (one server thread each). It must answer
 * DOWN within its bound instead, and UP again once the shard is back.
 */
class DemoHealthTest {

    @Test
    void aStuckShardMakesHealthDownWithinTheBoundInsteadOfHangingTheProbe() throws Exception {
        try (TestServices services = TestServices.start(2, DemoSettings.forTests())) {
            HealthIndicator health = new DemoConfiguration().demoHealthIndicator(services.service);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch stuck = new CountDownLatch(1);
            services.engine.submitTo(1, () -> {
                stuck.countDown();
                release.await(30, TimeUnit.SECONDS); // a long command: the shard does not turn
                return null;
            });
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                long start = System.nanoTime();
                Health down = health.health();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsKey("reason");
                assertThat(took).as("bounded by the 1 s timeout (generous margin)").isLessThan(Duration.ofSeconds(10));
            } finally {
                release.countDown();
            }
            for (int i = 0; i < 100 && health.health().getStatus() != Status.UP; i++) {
                Thread.sleep(50);
            }
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    /** Issue 12, row 6: closing with a shard stuck in a command finishes within its bounds, never hangs. */
    @Test
    void closingWithAStuckShardFinishesWithinItsBound() throws Exception {
        TestServices services = TestServices.start(2, DemoSettings.forTests());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        services.engine.submitTo(0, () -> {
            stuck.countDown();
            release.await(120, TimeUnit.SECONDS);
            return null;
        });
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            long start = System.nanoTime();
            // The keyspace waits at most its bound (10 s by default, 1 s here), then goes on; the
            // engine abandons the stuck thread after its own bound (10 s by default, 1 s here).
            services.service.keyspace().close(Duration.ofSeconds(1));
            Duration keyspace = Duration.ofNanos(System.nanoTime() - start);
            assertThat(keyspace).as("keyspace close bounded").isLessThan(Duration.ofSeconds(15));
            start = System.nanoTime();
            services.engine.close(Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("engine close bounded").isLessThan(Duration.ofSeconds(15));
        } finally {
            release.countDown();
            // The engine is closed: the servers' drain cannot run on its shards, so do not wait for it.
            services.service.respServer().shutdownGracefully(Duration.ZERO);
            services.service.httpServer().shutdownGracefully(Duration.ZERO);
        }
    }
}
