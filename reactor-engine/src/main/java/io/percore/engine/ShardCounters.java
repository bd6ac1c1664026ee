package io.percore.engine;

import java.util.concurrent.TimeUnit;

/**
 * The writing side of {@link ShardStats}: the shard thread counts here in plain fields and
 * publishes once per loop turn, so counting a task costs an increment, not a store other
 * threads must see. Shard-thread only.
 */
final class ShardCounters {

    private static final long UTILIZATION_WINDOW_NANOS = ShardStats.UTILIZATION_WINDOW_NANOS;

    private final int shardId;
    private final ShardStats stats;
    private long tasksRun;
    private long tasksFailed;
    private long received;
    private long timersFired;
    private long busyNanos;
    private long idleNanos;
    private long turns;
    private long windowStart;
    private long windowBusy;

    ShardCounters(int shardId, ShardStats stats) {
        this.shardId = shardId;
        this.stats = stats;
    }

    void loopStarted(long now) {
        windowStart = now;
    }

    /** Counts a loop turn and stamps its start (what the stall detector watches). */
    void turnStarted(long now) {
        stats.publishLoopTurn(now, ++turns);
    }

    /** Loop turns so far: a turn number identifies one pass of the loop. */
    long turns() {
        return turns;
    }

    void tasksRun(long n) {
        tasksRun += n;
    }

    void received(long n) {
        received += n;
    }

    /** Messages taken from the inbound rings so far. */
    long received() {
        return received;
    }

    void taskFailed(Throwable t, String what) {
        tasksFailed++;
        Shard.LOG.warn("A {} threw on shard {}; the shard keeps running", what, shardId, t);
    }

    void timerFired() {
        stats.publishTimersFired(++timersFired);
    }

    /** A loop turn that began at {@code turnStart} is over: its time is busy time, its end is published. */
    void turnEnded(long turnStart, long now) {
        busyNanos += now - turnStart;
        stats.publishTurnEnd(now);
    }

    /** Closes an idle period: the time counts as idle and the turn as fresh (the shard is alive). */
    void idled(long idleStart, long now) {
        idleNanos += now - idleStart;
        stats.publishLoopTurn(now, turns);
    }

    /** Publishes the turn's figures for readers on other threads. */
    void publish(long now, Outbox outbox, GroupScheduler scheduler) {
        stats.publishTasks(tasksRun, tasksFailed);
        stats.publishMessages(outbox.sent, received, outbox.overflowed);
        stats.publishTime(busyNanos, idleNanos);
        for (int g = 0, n = scheduler.groupCount(); g < n; g++) {
            stats.publishGroup(g, scheduler.runtimeNanos(g), scheduler.queueLength(g));
        }
        if (now - windowStart >= UTILIZATION_WINDOW_NANOS) {
            long busy = busyNanos - windowBusy;
            stats.publishUtilization(Math.min(1.0, (double) busy / (now - windowStart)));
            windowStart = now;
            windowBusy = busyNanos;
        }
    }
}
