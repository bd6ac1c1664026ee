package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.EngineSettings;
import io.percore.config.schema.SchedulingGroupSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void startsShardsWithIdsAndThreads() throws Exception {
        try (Engine engine = TestEngines.start(3)) {
            assertThat(engine.shardCount()).isEqualTo(3);
            assertThat(engine.isRunning()).isTrue();
            for (int i = 0; i < 3; i++) {
                int id = i;
                Shard s = engine.shard(i);
                assertThat(s.id()).isEqualTo(i);
                assertThat(engine.shards().get(i)).isSameAs(s);
                String seen = await(engine.submitTo(i, () -> Shard.current().id() + "@" + Thread.currentThread().getName()));
                assertThat(seen).isEqualTo(id + "@percore-shard-" + id);
                assertThat(await(engine.submitTo(i, () -> Shard.current().inShardThread()))).isTrue();
            }
            assertThat(engine.shard(0).inShardThread()).isFalse();
            assertThatThrownBy(Shard::current).isInstanceOf(IllegalStateException.class);
            assertThat(Shard.currentOrNull()).isNull();
            assertThatThrownBy(() -> engine.shard(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..2");
        }
    }

    @Test
    void submitToFromShardCompletesOnCallerShard() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            String result = await(engine.submitTo(0, () -> {
                Shard here = Shard.current();
                return here.submitTo(1, () -> "ran on " + Shard.current().id())
                        .map(v -> v + ", completed on " + Shard.current().id());
            }).thenCompose(ShardFuture::toCompletableFuture));
            assertThat(result).isEqualTo("ran on 1, completed on 0");
        }
    }

    @Test
    void closeIsIdempotentAndRejectsLaterWork() throws Exception {
        Engine engine = TestEngines.start(2);
        Shard s = engine.shard(1);
        engine.close();
        engine.close();
        assertThat(engine.isRunning()).isFalse();
        assertThat(engine.isTerminated()).isTrue();
        assertThatThrownBy(() -> s.execute(() -> { }))
                .isInstanceOf(RejectedExecutionException.class).hasMessage("Percore engine is closed");
        CompletableFuture<Integer> f = engine.submitTo(0, () -> 1);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RejectedExecutionException.class).hasMessage("Percore engine is closed");
        assertThatThrownBy(() -> s.schedule(Duration.ofMillis(1), () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shutdownGracefullyDrainsQueuedWorkIncludingWhatItSubmits() throws Exception {
        Engine engine = TestEngines.start(2);
        AtomicInteger done = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        engine.shard(0).execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 1000; i++) {
            engine.shard(0).execute(() -> Shard.current().submitTo(1, done::incrementAndGet)
                    .whenComplete((v, e) -> done.incrementAndGet()));
        }
        CompletableFuture<Void> stopped = engine.shutdownGracefully(Duration.ofSeconds(20));
        assertThatThrownBy(() -> engine.shard(1).execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        gate.countDown();
        stopped.get(30, TimeUnit.SECONDS);
        assertThat(done.get()).isEqualTo(2000);
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void failingTaskIsLoggedAndIsolated() throws Exception {
        try (Engine engine = TestEngines.start(1)) {
            Shard s = engine.shard(0);
            s.execute(() -> {
                throw new IllegalStateException("boom in a plain task");
            });
            CompletableFuture<Object> failed = engine.submitTo(0, () -> {
                throw new IllegalArgumentException("boom in a call");
            });
            assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("boom in a call");
            assertThat(await(engine.submitTo(0, () -> "still alive"))).isEqualTo("still alive");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.stats().tasksFailed() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(s.stats().tasksFailed()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void invalidConfigIsAClearError() {
        EngineConfig c = TestEngines.config();
        c.setTaskQuota(Duration.ZERO);
        assertThatThrownBy(() -> TestEngines.start(c, 1)).isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("percore.engine.task-quota")
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .extracting(ConfigError::path, ConfigError::rule)
                        .containsExactly(tuple("percore.engine.task-quota", "minimum-duration")));
        EngineConfig dup = TestEngines.config(new io.percore.config.SchedulingGroupConfig("a", 10),
                new io.percore.config.SchedulingGroupConfig("a", 20));
        assertThatThrownBy(() -> TestEngines.start(dup, 1)).isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("percore.engine.scheduling-groups[1].name").hasMessageContaining("unique-names");
    }

    /** The ring rule lives in the validator only: a programmatic engine meets it there, not in the engine. */
    @Test
    void ringCapacityIsTheValidatorsOneRule() {
        EngineConfig three = TestEngines.config();
        three.setRingCapacity(3);
        assertThatThrownBy(() -> TestEngines.start(three, 1)).isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .extracting(ConfigError::path, ConfigError::rule)
                        .containsExactlyInAnyOrder(tuple("percore.engine.ring-capacity", "minimum"),
                                tuple("percore.engine.ring-capacity", "power-of-two")));
        EngineConfig odd = TestEngines.config();
        odd.setRingCapacity(3000);
        assertThatThrownBy(() -> Engine.start(odd)).isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .extracting(ConfigError::path, ConfigError::rule)
                        .containsExactly(tuple("percore.engine.ring-capacity", "power-of-two")));
        EngineConfig noMode = TestEngines.config();
        noMode.setMode(null);
        assertThatThrownBy(() -> TestEngines.start(noMode, 1)).isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .extracting(ConfigError::path, ConfigError::rule).contains(tuple("percore.engine.mode", "type")));
    }

    @Test
    void settingsAreACopyTheCallerCannotChangeAfterValidation() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setRingCapacity(64);
        EngineSettings settings = ConfigValidator.shared().validatedEngine(c);
        c.setRingCapacity(3);
        try (Engine engine = Engine.start(settings, io.percore.engine.topology.ShardPlacement.unpinned(1, "test"))) {
            assertThat(engine.settings().ringCapacity()).isEqualTo(64);
            assertThat(engine.settings().schedulingGroups()).extracting(SchedulingGroupSettings::name).containsExactly("default");
        }
        // No public constructor: settings exist only through the validator.
        assertThat(EngineSettings.class.getConstructors()).isEmpty();
        assertThat(SchedulingGroupSettings.class.getConstructors()).isEmpty();
    }

    @Test
    void startWithDetectedTopologyRuns() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setShards(2);
        try (Engine engine = Engine.start(c)) {
            assertThat(engine.shardCount()).isEqualTo(2);
            assertThat(engine.placement().shardCount()).isEqualTo(2);
            List<Integer> ids = new ArrayList<>();
            for (Shard s : engine.shards()) {
                ids.add(await(engine.submitTo(s.id(), () -> Shard.current().id())));
            }
            assertThat(ids).containsExactly(0, 1);
        }
    }
}
