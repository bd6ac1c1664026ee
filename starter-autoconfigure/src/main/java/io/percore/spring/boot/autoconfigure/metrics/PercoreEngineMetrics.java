package io.percore.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.engine.Engine;
import io.percore.engine.SchedulingGroup;
import io.percore.engine.Shard;
import io.percore.engine.ShardStats;
import java.util.function.ToDoubleFunction;

/**
 * Publishes each shard's {@link ShardStats} as Micrometer meters tagged {@code shard}: the
 * meters read the engine's counters when scraped, so the shards do no extra work. Names are
 * listed in {@link PercoreMeterNames}.
 */
public final class PercoreEngineMetrics implements MeterBinder {

    private final Engine engine;

    public PercoreEngineMetrics(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(PercoreMeterNames.SHARDS, engine, e -> e.shardCount())
                .description("Shards (one thread per core) the engine runs")
                .register(registry);
        for (Shard shard : engine.shards()) {
            ShardStats stats = shard.stats();
            Tags tags = Tags.of(PercoreMeterNames.SHARD_TAG, Integer.toString(shard.id()));
            gauge(registry, PercoreMeterNames.SHARD_UTILIZATION, "Busy share of the shard loop's time over the last ~100 ms (0..1)",
                    stats, ShardStats::utilization, tags, "ratio");
            counter(registry, PercoreMeterNames.TASKS_RUN, "Tasks run by the shard's scheduler", stats, ShardStats::tasksRun, tags, null);
            counter(registry, PercoreMeterNames.TASKS_FAILED, "Tasks that threw (isolated; the shard kept running)",
                    stats, ShardStats::tasksFailed, tags, null);
            counter(registry, PercoreMeterNames.CROSSSHARD_SENT, "Messages this shard sent to other shards",
                    stats, ShardStats::messagesSent, tags, null);
            counter(registry, PercoreMeterNames.CROSSSHARD_RECEIVED, "Messages this shard received from other shards",
                    stats, ShardStats::messagesReceived, tags, null);
            counter(registry, PercoreMeterNames.CROSSSHARD_OVERFLOWED, "Messages that found the ring to their target full and were parked to retry",
                    stats, ShardStats::messagesOverflowed, tags, null);
            counter(registry, PercoreMeterNames.STALLS, "Reactor stalls: loop turns longer than percore.engine.stall-threshold",
                    stats, ShardStats::stalls, tags, null);
            counter(registry, PercoreMeterNames.STALL_TIME, "Total length of the reactor stalls that have ended",
                    stats, s -> s.stallNanos() / 1e9, tags, "seconds");
            counter(registry, PercoreMeterNames.TIMERS_FIRED, "Timers fired on the shard", stats, ShardStats::timersFired, tags, null);
            counter(registry, PercoreMeterNames.SHARD_BUSY_TIME, "Loop time spent working (I/O, tasks, timers, messaging)",
                    stats, s -> s.busyNanos() / 1e9, tags, "seconds");
            counter(registry, PercoreMeterNames.SHARD_IDLE_TIME, "Loop time spent idle (spinning or asleep in the I/O poll)",
                    stats, s -> s.idleNanos() / 1e9, tags, "seconds");
            counter(registry, PercoreMeterNames.SHARD_LOOP_ITERATIONS, "Turns of the shard loop", stats, ShardStats::loopIterations, tags, null);
            counter(registry, PercoreMeterNames.SHARD_WAKEUPS, "Times another thread woke the shard from its I/O poll",
                    stats, ShardStats::wakeupsReceived, tags, null);
            counter(registry, PercoreMeterNames.SHARD_TURNS_INSIDE_POLL,
                    "Loop turns taken between two completions of an io_uring poll that had run for a task quota",
                    stats, ShardStats::turnsInsidePoll, tags, null);
            gauge(registry, PercoreMeterNames.FOREIGN_QUEUE_LENGTH, "Tasks queued by non-shard threads and not yet picked up",
                    stats, ShardStats::foreignQueueLength, tags, null);
            gauge(registry, PercoreMeterNames.SHARD_LAST_TURN_AGE, "Time since the shard loop last started a turn or woke up",
                    stats, s -> Math.max(0, System.nanoTime() - s.lastLoopTurnNanos()) / 1e9, tags, "seconds");
            for (SchedulingGroup group : engine.groups()) {
                Tags groupTags = tags.and(PercoreMeterNames.GROUP_TAG, group.name());
                String name = group.name();
                gauge(registry, PercoreMeterNames.TASK_QUEUE_LENGTH, "Tasks queued in the scheduling group (as of the last loop turn)",
                        stats, s -> s.queueLength(name), groupTags, null);
                counter(registry, PercoreMeterNames.GROUP_RUNTIME, "Loop time given to tasks of the scheduling group",
                        stats, s -> s.groupRuntimeNanos(name) / 1e9, groupTags, "seconds");
            }
        }
    }

    private static void gauge(MeterRegistry registry, String name, String description, ShardStats stats,
                              ToDoubleFunction<ShardStats> value, Tags tags, String unit) {
        Gauge.builder(name, stats, value).description(description).tags(tags).baseUnit(unit).strongReference(true).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String description, ShardStats stats,
                                ToDoubleFunction<ShardStats> value, Tags tags, String unit) {
        FunctionCounter.builder(name, stats, value).description(description).tags(tags).baseUnit(unit).register(registry);
    }
}
