package io.percore.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one shard. The shard thread is the only writer of each counter (the stall
 * detector of {@link #stalls()}) and publishes with release stores; readers on any thread see
 * a recent value without locks. Counters updated per task are published once per batch, so
 * they may lag by at most one loop turn.
 */
public final class ShardStats {

    private static final VarHandle TASKS_RUN;
    private static final VarHandle BUSY;
    private static final VarHandle IDLE;
    private static final VarHandle UTILIZATION;
    private static final VarHandle SENT;
    private static final VarHandle RECEIVED;
    private static final VarHandle OVERFLOWED;
    private static final VarHandle TIMERS;
    private static final VarHandle STALLS;
    private static final VarHandle LAST_TURN;
    private static final VarHandle TURN_END;
    private static final VarHandle ITERATIONS;
    private static final VarHandle WAKEUPS;
    private static final VarHandle FAILED_TASKS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TASKS_RUN = l.findVarHandle(ShardStats.class, "tasksRun", long.class);
            BUSY = l.findVarHandle(ShardStats.class, "busyNanos", long.class);
            IDLE = l.findVarHandle(ShardStats.class, "idleNanos", long.class);
            UTILIZATION = l.findVarHandle(ShardStats.class, "utilization", double.class);
            SENT = l.findVarHandle(ShardStats.class, "messagesSent", long.class);
            RECEIVED = l.findVarHandle(ShardStats.class, "messagesReceived", long.class);
            OVERFLOWED = l.findVarHandle(ShardStats.class, "messagesOverflowed", long.class);
            TIMERS = l.findVarHandle(ShardStats.class, "timersFired", long.class);
            STALLS = l.findVarHandle(ShardStats.class, "stalls", long.class);
            LAST_TURN = l.findVarHandle(ShardStats.class, "lastLoopTurnNanos", long.class);
            TURN_END = l.findVarHandle(ShardStats.class, "lastTurnEndNanos", long.class);
            ITERATIONS = l.findVarHandle(ShardStats.class, "loopIterations", long.class);
            WAKEUPS = l.findVarHandle(ShardStats.class, "wakeupsReceived", long.class);
            FAILED_TASKS = l.findVarHandle(ShardStats.class, "tasksFailed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int shardId;
    private final SchedulingGroup[] groups;
    private final String transport;
    private final String transportFallbackReason;

    private volatile long tasksRun;
    private volatile long tasksFailed;
    private volatile long busyNanos;
    private volatile long idleNanos;
    private volatile double utilization;
    private volatile long messagesSent;
    private volatile long messagesReceived;
    private volatile long messagesOverflowed;
    private volatile long timersFired;
    private volatile long stalls;
    private volatile long lastLoopTurnNanos;
    private volatile long lastTurnEndNanos;
    private volatile long stallNanos;
    private volatile long longestStallNanos;
    private volatile long loopIterations;
    private volatile long wakeupsReceived;
    private volatile long turnsInsidePoll;
    private volatile int pinnedCpu = -1;
    private volatile String pinningNote;
    private final AtomicLongArray groupRuntimeNanos;
    private final AtomicLongArray groupQueueLength;
    private final ForeignQueueLength foreignQueueLength;
    private final java.util.function.BooleanSupplier idle;

    /** Reads the multi-producer queue's size, which JCTools keeps readable from any thread. */
    interface ForeignQueueLength {
        int get();
    }

    ShardStats(int shardId, SchedulingGroup[] groups, String transport, String transportFallbackReason,
               ForeignQueueLength foreignQueueLength, java.util.function.BooleanSupplier idle) {
        this.shardId = shardId;
        this.groups = groups;
        this.transport = transport;
        this.transportFallbackReason = transportFallbackReason;
        this.groupRuntimeNanos = new AtomicLongArray(groups.length);
        this.groupQueueLength = new AtomicLongArray(groups.length);
        this.foreignQueueLength = foreignQueueLength;
        this.idle = idle;
        this.lastLoopTurnNanos = System.nanoTime();
    }

    public int shardId() {
        return shardId;
    }

    /** Tasks run by this shard's scheduler (excluding Netty's internal tasks and timers). */
    public long tasksRun() {
        return tasksRun;
    }

    /** Tasks that threw (logged and isolated; the shard kept running). */
    public long tasksFailed() {
        return tasksFailed;
    }

    /** Loop time spent doing work (I/O, tasks, timers, messaging). */
    public long busyNanos() {
        return busyNanos;
    }

    /** Loop time spent spinning idle or asleep in the I/O poll. */
    public long idleNanos() {
        return idleNanos;
    }

    /**
     * Busy share of loop time over the most recent window (about 100 ms), 0..1. A shard in the
     * middle of a turn longer than that window (stuck in a task) reads 1.0: it publishes its
     * figures only between turns, and the window it would report is all busy.
     */
    public double utilization() {
        if (!idle.getAsBoolean() && System.nanoTime() - lastLoopTurnNanos > UTILIZATION_WINDOW_NANOS) {
            return 1.0;
        }
        return utilization;
    }

    static final long UTILIZATION_WINDOW_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /** Tasks queued in {@code group} (as of the last loop turn). */
    public long queueLength(String group) {
        return groupQueueLength.get(indexOf(group));
    }

    /** Tasks queued by non-shard threads and not yet picked up. */
    public int foreignQueueLength() {
        return foreignQueueLength.get();
    }

    /**
     * Time the loop charged to tasks of {@code group} (what its shares are weighed against): in
     * overprovisioned mode the shard thread's CPU time for slices run while other groups had
     * tasks waiting, wall time otherwise (pinned mode: the core is the shard's own).
     */
    public long groupRuntimeNanos(String group) {
        return groupRuntimeNanos.get(indexOf(group));
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long messagesReceived() {
        return messagesReceived;
    }

    /** Messages that found the ring to their target full and were parked on this shard to retry. */
    public long messagesOverflowed() {
        return messagesOverflowed;
    }

    public long timersFired() {
        return timersFired;
    }

    /** Reactor stalls seen by the watchdog (a loop turn longer than the stall threshold). */
    public long stalls() {
        return stalls;
    }

    /** {@link System#nanoTime()} when the loop last started a turn or woke up. */
    public long lastLoopTurnNanos() {
        return lastLoopTurnNanos;
    }

    public long loopIterations() {
        return loopIterations;
    }

    /** Times another thread had to wake this shard from its sleep in the I/O poll. */
    public long wakeupsReceived() {
        return wakeupsReceived;
    }

    /**
     * Loop turns (messages and tasks run) taken between two completions of an io_uring poll that had
     * run for a task quota: how often saturating I/O would otherwise have held the loop (counted in
     * {@link #loopIterations()} too).
     */
    public long turnsInsidePoll() {
        return turnsInsidePoll;
    }

    /** The CPU this shard's thread is pinned to, or -1 if unpinned. */
    public int pinnedCpu() {
        return pinnedCpu;
    }

    /** Why the shard is not pinned (null when pinned as planned). */
    public String pinningNote() {
        return pinningNote;
    }

    /** The I/O transport of this shard: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transport() {
        return transport;
    }

    /** Why {@code auto} did not get a better transport (null if none). */
    public String transportFallbackReason() {
        return transportFallbackReason;
    }

    private int indexOf(String group) {
        for (SchedulingGroup g : groups) {
            if (g.name().equals(group)) {
                return g.index();
            }
        }
        throw new IllegalArgumentException("Unknown scheduling group '" + group + "'");
    }

    // ---------------------------------------------------------------- writers (shard thread)

    void publishTasks(long run, long failed) {
        TASKS_RUN.setRelease(this, run);
        FAILED_TASKS.setRelease(this, failed);
    }

    void publishTime(long busy, long idle) {
        BUSY.setRelease(this, busy);
        IDLE.setRelease(this, idle);
    }

    void publishUtilization(double value) {
        UTILIZATION.setRelease(this, value);
    }

    void publishMessages(long sent, long received, long overflowed) {
        SENT.setRelease(this, sent);
        RECEIVED.setRelease(this, received);
        OVERFLOWED.setRelease(this, overflowed);
    }

    void publishTimersFired(long value) {
        TIMERS.setRelease(this, value);
    }

    /** The end of the last loop turn (what a stall's true length is measured to). Shard thread only. */
    void publishTurnEnd(long nanos) {
        TURN_END.setRelease(this, nanos);
    }

    long lastTurnEndNanos() {
        return lastTurnEndNanos;
    }

    /** Stall detector thread only: a stall is over, {@code nanos} long. */
    void stallEnded(long nanos) {
        stallNanos = stallNanos + nanos;
        if (nanos > longestStallNanos) {
            longestStallNanos = nanos;
        }
    }

    /** Time the loop spent in stalls that have ended (a stall counts once it is over). */
    public long stallNanos() {
        return stallNanos;
    }

    /** The longest stall that has ended. */
    public long longestStallNanos() {
        return longestStallNanos;
    }

    void publishLoopTurn(long nanos, long iterations) {
        LAST_TURN.setRelease(this, nanos);
        ITERATIONS.setRelease(this, iterations);
    }

    void publishTurnsInsidePoll(long value) {
        turnsInsidePoll = value;
    }

    /** Called by whichever thread wakes the shard, hence atomic. */
    void wakeupSent() {
        WAKEUPS.getAndAdd(this, 1L);
    }

    void publishGroup(int index, long runtimeNanos, int queueLength) {
        groupRuntimeNanos.lazySet(index, runtimeNanos);
        groupQueueLength.lazySet(index, queueLength);
    }

    void pinned(int cpu, String note) {
        pinnedCpu = cpu;
        pinningNote = note;
    }

    /** Stall detector thread only. */
    void stallDetected() {
        STALLS.setRelease(this, stalls + 1);
    }

    @Override
    public String toString() {
        return "ShardStats[shard=" + shardId + ", tasksRun=" + tasksRun + ", utilization=" + utilization
                + ", sent=" + messagesSent + ", received=" + messagesReceived + ", overflowed=" + messagesOverflowed
                + ", timersFired=" + timersFired + ", stalls=" + stalls + ", transport=" + transport + "]";
    }
}
