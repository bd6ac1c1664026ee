package io.percore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Issue 12, row 6: a shutdown step that never finishes (a shard stuck in a task never answers its
 * drain, its keyspace never closes) hung the context's close, and with it SIGTERM, for ever.
 * Every step is now bounded by Spring's {@code spring.lifecycle.timeout-per-shutdown-phase}, and
 * the later steps still run, in order.
 */
class ShutdownStepTimeoutTest {

    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static final List<String> RAN = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    static class Steps {
        @Bean
        SmartLifecycle stuckServices() {
            return ShutdownStep.of(PercoreShutdownOrder.SERVICES, () -> {
                RAN.add("services");
                try {
                    NEVER.await(60, TimeUnit.SECONDS); // stuck as a shard in a long task
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Bean
        SmartLifecycle engine() {
            return ShutdownStep.of(PercoreShutdownOrder.ENGINE, () -> RAN.add("engine"));
        }
    }

    @Test
    void aStuckStepIsLeftBehindAfterThePhaseTimeoutAndLaterStepsStillRun() {
        RAN.clear();
        long start = System.nanoTime();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
                .withUserConfiguration(Steps.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=1s")
                .run(context -> assertThat(context).hasNotFailed());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(RAN).containsExactly("services", "engine");
        assertThat(took).as("bounded by the 1 s phase timeout, not the 60 s the step would take").isLessThan(Duration.ofSeconds(20));
    }
}
