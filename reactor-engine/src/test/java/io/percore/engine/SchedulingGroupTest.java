package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import io.percore.config.SchedulingGroupConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulingGroupTest {

    /** Spins for about 20 µs of loop time, then queues itself again in its group while running. */
    private static final class BusyTask implements Runnable {
        private final Shard shard;
        private final SchedulingGroup group;
        private final boolean[] running;

        BusyTask(Shard shard, SchedulingGroup group, boolean[] running) {
            this.shard = shard;
            this.group = group;
            this.running = running;
        }

        @Override
        public void run() {
            long end = System.nanoTime() + 20_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            if (running[0]) {
                shard.execute(group, this);
            }
        }
    }

    @Test
    void busyGroupsShareTheShardInProportionToTheirShares() throws Exception {
        EngineConfig c = TestEngines.config(new SchedulingGroupConfig("default", 1000),
                new SchedulingGroupConfig("fast", 1000), new SchedulingGroupConfig("slow", 250));
        try (Engine engine = TestEngines.start(c, 1)) {
            Shard shard = engine.shard(0);
            SchedulingGroup fast = shard.group("fast");
            SchedulingGroup slow = shard.group("slow");
            assertThat(fast.shares()).isEqualTo(1000);
            assertThat(slow.shares()).isEqualTo(250);
            boolean[] running = {true}; // shard-thread only
            await(engine.submitTo(0, () -> {
                for (int i = 0; i < 4; i++) {
                    shard.execute(fast, new BusyTask(shard, fast, running));
                    shard.execute(slow, new BusyTask(shard, slow, running));
                }
                return null;
            }));
            Thread.sleep(300); // warm up
            ShardStats stats = shard.stats();
            long fast0 = stats.groupRuntimeNanos("fast");
            long slow0 = stats.groupRuntimeNanos("slow");
            // Measure enough loop time for hundreds of scheduling decisions, even on a loaded machine.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((stats.groupRuntimeNanos("slow") - slow0) < TimeUnit.MILLISECONDS.toNanos(300)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long fastRun = stats.groupRuntimeNanos("fast") - fast0;
            long slowRun = stats.groupRuntimeNanos("slow") - slow0;
            assertThat(stats.queueLength("fast")).isGreaterThan(0);
            await(engine.submitTo(0, () -> running[0] = false));
            double ratio = (double) fastRun / slowRun;
            assertThat(slowRun).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(ratio).as("fast:slow runtime ratio (fast=%d ns, slow=%d ns)", fastRun, slowRun)
                    .isBetween(3.6, 4.4);
        }
    }

    @Test
    void aGroupReturningFromIdleDoesNotMonopolizeTheShard() throws Exception {
        EngineConfig c = TestEngines.config(new SchedulingGroupConfig("default", 1000),
                new SchedulingGroupConfig("batch", 1000));
        try (Engine engine = TestEngines.start(c, 1)) {
            Shard shard = engine.shard(0);
            SchedulingGroup def = shard.group("default");
            SchedulingGroup batch = shard.group("batch");
            boolean[] running = {true};
            // Only "default" runs for a while, accumulating virtual runtime.
            await(engine.submitTo(0, () -> {
                shard.execute(def, new BusyTask(shard, def, running));
                return null;
            }));
            Thread.sleep(300);
            ShardStats stats = shard.stats();
            long def0 = stats.groupRuntimeNanos("default");
            await(engine.submitTo(0, () -> {
                shard.execute(batch, new BusyTask(shard, batch, running));
                return null;
            }));
            long batch0 = stats.groupRuntimeNanos("batch");
            Thread.sleep(300);
            long defRun = stats.groupRuntimeNanos("default") - def0;
            long batchRun = stats.groupRuntimeNanos("batch") - batch0;
            await(engine.submitTo(0, () -> running[0] = false));
            // Without the floor, "batch" would run alone until it caught up 300 ms of runtime.
            assertThat(defRun).isGreaterThan(batchRun / 4);
        }
    }

    @Test
    void unknownGroupIsAClearError() {
        try (Engine engine = TestEngines.start(1)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.shard(0).group("nope"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope").hasMessageContaining("default");
        }
    }
}
