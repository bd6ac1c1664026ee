package io.percore.spring.boot.autoconfigure.metrics;

/**
 * Names of the meters the starter publishes (Micrometer, dot-separated; Prometheus turns
 * {@code percore.tasks.run} into {@code percore_tasks_run_total}). The Grafana dashboard and
 * the Helm chart use the Prometheus forms.
 */
public final class PercoreMeterNames {

    public static final String SHARD_TAG = "shard";
    public static final String GROUP_TAG = "group";

    public static final String SHARDS = "percore.shards";
    public static final String SHARD_UTILIZATION = "percore.shard.utilization";
    public static final String TASKS_RUN = "percore.tasks.run";
    public static final String TASKS_FAILED = "percore.tasks.failed";
    public static final String TASK_QUEUE_LENGTH = "percore.task.queue.length";
    public static final String FOREIGN_QUEUE_LENGTH = "percore.foreign.queue.length";
    public static final String GROUP_RUNTIME = "percore.scheduling.group.runtime";
    public static final String CROSSSHARD_SENT = "percore.crossshard.messages.sent";
    public static final String CROSSSHARD_RECEIVED = "percore.crossshard.messages.received";
    public static final String CROSSSHARD_OVERFLOWED = "percore.crossshard.messages.overflowed";
    public static final String STALLS = "percore.stalls";
    public static final String TIMERS_FIRED = "percore.timers.fired";
    public static final String SHARD_BUSY_TIME = "percore.shard.busy.time";
    public static final String SHARD_IDLE_TIME = "percore.shard.idle.time";
    public static final String SHARD_LOOP_ITERATIONS = "percore.shard.loop.iterations";
    public static final String SHARD_WAKEUPS = "percore.shard.wakeups";
    public static final String SHARD_LAST_TURN_AGE = "percore.shard.last.turn.age";
    public static final String TASK_LATENCY = "percore.task.latency";

    public static final String NETTY_MEMORY_USED = "percore.netty.allocator.memory.used";
    public static final String NETTY_MEMORY_PINNED = "percore.netty.allocator.memory.pinned";
    public static final String NETTY_ARENAS = "percore.netty.allocator.arenas";
    public static final String NETTY_THREAD_LOCAL_CACHES = "percore.netty.allocator.threadlocal.caches";
    public static final String NETTY_CHUNK_SIZE = "percore.netty.allocator.chunk.size";

    private PercoreMeterNames() {
    }
}
