package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShardStatsTest {

    @Test
    void countersAreReadableFromAnyThread() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setStallThreshold(Duration.ofMillis(40));
        try (Engine engine = TestEngines.start(c, 2)) {
            ShardStats s0 = engine.shard(0).stats();
            long tasksBefore = s0.tasksRun();
            for (int i = 0; i < 100; i++) {
                await(engine.submitTo(0, () -> Shard.current().submitTo(1, () -> 1)));
            }
            CrossShardMeshTest.awaitStat(s0::tasksRun, tasksBefore + 100);
            CrossShardMeshTest.awaitStat(s0::messagesSent, 100);
            CrossShardMeshTest.awaitStat(() -> engine.shard(1).stats().messagesReceived(), 100);
            assertThat(s0.loopIterations()).isPositive();
            assertThat(s0.busyNanos()).isPositive();
            assertThat(s0.utilization()).isBetween(0.0, 1.0);
            assertThat(s0.queueLength("default")).isGreaterThanOrEqualTo(0);
            assertThat(s0.groupRuntimeNanos("default")).isPositive();
            assertThat(s0.pinnedCpu()).isEqualTo(-1);
            assertThat(s0.pinningNote()).contains("overprovisioned");
            assertThat(s0.transport()).isEqualTo(engine.transport());

            // An idle shard sleeps but still turns its loop at least once per stall threshold,
            // which is what a health check watches (the time of the last turn). Judged on the
            // average gap over ten idle turns, not on one sample: on a loaded host a single
            // wakeup can come hundreds of ms late.
            CrossShardMeshTest.awaitStat(s0::idleNanos, 1);
            long it = s0.loopIterations();
            long t0 = System.nanoTime();
            CrossShardMeshTest.awaitStat(s0::loopIterations, it + 10);
            long perTurn = (System.nanoTime() - t0) / (s0.loopIterations() - it);
            assertThat(perTurn).as("average gap between idle loop turns").isLessThan(TimeUnit.MILLISECONDS.toNanos(40) * 10);
            assertThat(s0.lastLoopTurnNanos()).as("last loop turn published").isGreaterThan(t0);
        }
    }

    @Test
    void pinnedModePinsToPlannedCpusOrSaysWhyNot() throws Exception {
        EngineConfig c = new EngineConfig();
        c.setShards(1);
        c.setIdlePoll(Duration.ofMillis(0));
        try (Engine engine = Engine.start(c)) {
            ShardStats s = engine.shard(0).stats();
            if (engine.placement().pinned()) {
                int planned = engine.placement().cpuOf(0).getAsInt();
                assertThat(s.pinnedCpu() == planned || s.pinningNote() != null).isTrue();
                if (s.pinnedCpu() == planned) {
                    String affinity = await(engine.submitTo(0,
                            () -> io.percore.engine.topology.CpuPinning.currentAffinity().toString()));
                    assertThat(affinity).isEqualTo(String.valueOf(planned));
                }
            } else {
                assertThat(s.pinnedCpu()).isEqualTo(-1);
            }
        }
    }
}
