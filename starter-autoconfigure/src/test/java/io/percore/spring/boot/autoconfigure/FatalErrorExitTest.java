package io.percore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.engine.FatalErrorHandler;
import io.percore.spring.boot.autoconfigure.health.PercoreHealthAutoConfiguration;
import io.percore.spring.boot.autoconfigure.health.PercoreHealthIndicator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Issue 12, row 1: an Error on a shard makes the application say so (liveness BROKEN, health
 * DOWN) and exit with a non-zero code, halting if the exit does not finish within its bound.
 * The exit and halt actions are recorded instead of run, so this JVM survives.
 */
class FatalErrorExitTest {

    static final CompletableFuture<LivenessState> LIVENESS_AT_EXIT = new CompletableFuture<>();
    static final CompletableFuture<Integer> EXIT = new CompletableFuture<>();
    static final CompletableFuture<Integer> HALT = new CompletableFuture<>();
    static final AtomicReference<ApplicationAvailability> AVAILABILITY = new AtomicReference<>();
    static final CountDownLatch EXIT_HANGS = new CountDownLatch(1);

    @Configuration(proxyBeanMethods = false)
    static class RecordedExit {
        @Bean
        PercoreFatalErrorExit percoreFatalErrorExit(Engine engine, ApplicationEventPublisher events) {
            return new PercoreFatalErrorExit(engine, events, code -> {
                LIVENESS_AT_EXIT.complete(AVAILABILITY.get().getLivenessState());
                EXIT.complete(code);
                // Shutdown hooks that hang: only the halt after the bound ends the process.
                try {
                    EXIT_HANGS.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, HALT::complete, Duration.ofMillis(200));
        }
    }

    @Test
    void anOutOfMemoryErrorOnAShardMakesTheApplicationBrokenThenExitsWithCode3WithinTheBound() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreHealthAutoConfiguration.class,
                        ApplicationAvailabilityAutoConfiguration.class))
                .withUserConfiguration(RecordedExit.class)
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned")
                .run(context -> {
                    try {
                        AVAILABILITY.set(context.getBean(ApplicationAvailability.class));
                        Engine engine = context.getBean(Engine.class);
                        assertThat(context.getBean(PercoreHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);

                        engine.shard(1).execute(() -> {
                            throw new OutOfMemoryError("test: Java heap space");
                        });

                        assertThat(EXIT.get(30, TimeUnit.SECONDS)).isEqualTo(FatalErrorHandler.EXIT_CODE);
                        assertThat(LIVENESS_AT_EXIT.get()).as("liveness when the exit began").isEqualTo(LivenessState.BROKEN);
                        assertThat(HALT.get(30, TimeUnit.SECONDS)).as("halted after the bound").isEqualTo(FatalErrorHandler.EXIT_CODE);
                        assertThat(engine.isRunning()).isFalse();
                        var health = context.getBean(PercoreHealthIndicator.class).health();
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.getDetails().get("fatalError")).asString().contains("OutOfMemoryError");
                        assertThat(context.getBean(ApplicationAvailability.class).getLivenessState()).isEqualTo(LivenessState.BROKEN);
                    } finally {
                        EXIT_HANGS.countDown();
                    }
                });
    }
}
