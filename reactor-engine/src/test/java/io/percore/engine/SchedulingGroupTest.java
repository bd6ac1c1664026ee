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

    /**
     * The loop's charge to each group, read on the shard thread: both values come from the same
     * turn's publication, so the pair is consistent.
     */
    private static long[] runtimes(Engine engine, String... groups) throws Exception {
        ShardStats stats = engine.shard(0).stats();
        return await(engine.submitTo(0, () -> {
            long[] r = new long[groups.length];
            for (int i = 0; i < groups.length; i++) {
                r[i] = stats.groupRuntimeNanos(groups[i]);
            }
            return r;
        }));
    }

    /**
     * Waits (bounded) until {@code group} has been charged {@code nanos} more than {@code from},
     * checking on the way that every group in {@code backlogged} always had tasks queued.
     */
    private static void awaitRuntime(Engine engine, String group, long from, long nanos, String... backlogged)
            throws Exception {
        ShardStats stats = engine.shard(0).stats();
        // Groups are charged CPU time (the engine runs in overprovisioned mode here), and on a
        // loaded 2-core machine the shard thread may get a small fraction of a core: wait long.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (stats.groupRuntimeNanos(group) - from < nanos) {
            for (String b : backlogged) {
                // A group that ran dry would give its time away and skew the ratio.
                assertThat(stats.queueLength(b)).as("tasks queued in %s", b).isGreaterThan(0);
            }
            assertThat(System.nanoTime()).as("%s reaching %d ns of runtime", group, nanos).isLessThan(deadline);
            Thread.sleep(20);
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
            // Four self-requeueing tasks per group: a group's queue is never empty, so both
            // groups compete for every slice.
            await(engine.submitTo(0, () -> {
                for (int i = 0; i < 4; i++) {
                    shard.execute(fast, new BusyTask(shard, fast, running));
                    shard.execute(slow, new BusyTask(shard, slow, running));
                }
                return null;
            }));
            // Warm up (JIT, the groups' virtual runtimes leaving their start values).
            awaitRuntime(engine, "slow", 0, TimeUnit.MILLISECONDS.toNanos(20));
            long[] start = runtimes(engine, "fast", "slow");
            // At every decision the groups' virtual runtimes are within one slice (500 µs of task
            // quota plus one 20 µs task) of each other, so over 200 ms of "slow" time (about 400
            // of its slices, 2000 slices in all) the ratio can be off by well under 1%.
            awaitRuntime(engine, "slow", start[1], TimeUnit.MILLISECONDS.toNanos(200), "fast", "slow");
            long[] end = runtimes(engine, "fast", "slow");
            await(engine.submitTo(0, () -> running[0] = false));
            long fastRun = end[0] - start[0];
            long slowRun = end[1] - start[1];
            double ratio = (double) fastRun / slowRun;
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
            awaitRuntime(engine, "default", 0, TimeUnit.MILLISECONDS.toNanos(300));
            long[] start = runtimes(engine, "default", "batch");
            await(engine.submitTo(0, () -> {
                shard.execute(batch, new BusyTask(shard, batch, running));
                return null;
            }));
            awaitRuntime(engine, "batch", start[1], TimeUnit.MILLISECONDS.toNanos(100));
            long[] end = runtimes(engine, "default", "batch");
            await(engine.submitTo(0, () -> running[0] = false));
            long defRun = end[0] - start[0];
            long batchRun = end[1] - start[1];
            // With equal shares they alternate (defRun close to batchRun). Without the floor,
            // "batch" would have run alone until it caught up the 300 ms "default" had (defRun ~0).
            assertThat(defRun).as("default runtime while batch ran %d ns", batchRun).isGreaterThan(batchRun / 4);
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
