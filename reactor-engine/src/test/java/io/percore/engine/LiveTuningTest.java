package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import io.percore.config.SchedulingGroupConfig;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.EngineSettings;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The engine takes the settings that change live (stall threshold, task quota, shares) while it runs, and refuses the others. */
class LiveTuningTest {

    private static EngineSettings settings(EngineConfig config) {
        return ConfigValidator.shared().validatedEngine(config);
    }

    private static EngineConfig twoGroups() {
        return TestEngines.config(new SchedulingGroupConfig("default", 1000), new SchedulingGroupConfig("batch", 100));
    }

    @Test
    void aRaisedStallThresholdStopsReportingWhatItReportedBefore() throws Exception {
        EngineConfig config = twoGroups();
        config.setStallThreshold(Duration.ofMillis(25));
        try (Engine engine = TestEngines.start(config, 2)) {
            long before = engine.shard(0).stats().stalls();
            await(engine.submitTo(0, () -> spin(Duration.ofMillis(80))));
            TestSupportWait.until("the 80 ms task reported as a stall", () -> engine.shard(0).stats().stalls() > before);

            EngineConfig next = twoGroups();
            next.setStallThreshold(Duration.ofSeconds(5));
            await(engine.applyLiveSettings(settings(next)));
            Thread.sleep(300); // the watchdog's next look uses the new threshold
            long after = engine.shard(0).stats().stalls();
            await(engine.submitTo(0, () -> spin(Duration.ofMillis(80))));
            Thread.sleep(300);
            assertThat(engine.shard(0).stats().stalls()).as("80 ms is far below 5 s").isEqualTo(after);
            assertThat(engine.settings().stallThreshold()).isEqualTo(Duration.ofSeconds(5));
        }
    }

    @Test
    void taskQuotaAndSharesReachEveryShard() throws Exception {
        try (Engine engine = TestEngines.start(twoGroups(), 2)) {
            EngineConfig next = twoGroups();
            next.setTaskQuota(Duration.ofMillis(2));
            next.getSchedulingGroups().get(1).setShares(400);
            await(engine.applyLiveSettings(settings(next)));
            Field loop = Shard.class.getDeclaredField("loop");
            loop.setAccessible(true);
            Field quota = ShardLoop.class.getDeclaredField("quotaNanos");
            quota.setAccessible(true);
            Field ioTaskBudget = ShardLoop.class.getDeclaredField("ioTaskBudgetNanos");
            ioTaskBudget.setAccessible(true);
            for (Shard shard : engine.shards()) {
                assertThat(quota.getLong(loop.get(shard))).isEqualTo(Duration.ofMillis(2).toNanos());
                assertThat(ioTaskBudget.getLong(loop.get(shard))).as("a quarter of the 25 ms stall threshold")
                        .isEqualTo(Duration.ofMillis(25).toNanos() / 4);
                assertThat(await(engine.submitTo(shard.id(), () -> Shard.current().group("batch").shares()))).isEqualTo(400);
            }
            assertThat(engine.settings().taskQuota()).isEqualTo(Duration.ofMillis(2));
        }
    }

    @Test
    void settingsThatNeedARestartAreRefusedAndNothingIsApplied() throws Exception {
        try (Engine engine = TestEngines.start(twoGroups(), 1)) {
            EngineConfig next = twoGroups();
            next.setRingCapacity(new EngineConfig().getRingCapacity() * 2);
            next.setStallThreshold(Duration.ofSeconds(3));
            next.getSchedulingGroups().add(new SchedulingGroupConfig("extra", 10));
            assertThatThrownBy(() -> engine.applyLiveSettings(settings(next)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("These engine settings need a restart, not a live change: percore.engine.ring-capacity, percore.engine.scheduling-groups");
            assertThat(engine.settings().stallThreshold()).isEqualTo(new EngineConfig().getStallThreshold());
            assertThat(engine.shard(0).group("batch").shares()).isEqualTo(100);
        }
    }

    private static Void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return null;
    }

    /** Polls a condition (at most 20 s). */
    private static final class TestSupportWait {
        static void until(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for: " + what);
                }
                Thread.sleep(10);
            }
        }
    }
}
