package io.percore.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

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
    /** Wall time of loop turns. */
    private long busyNanos;
    /** Wall time of idle periods: spinning, I/O handled while spinning, and asleep in the I/O poll. */
    private long idleNanos;
    /** Of the idle time: asleep in the I/O poll, including what Netty handled there when woken. */
    private long sleepNanos;
    /** Of the idle time: I/O the idle strategy handled while spinning (busy, not idle). */
    private long spinIoNanos;
    /** Of the sleep time: CPU the thread used inside the poll, i.e. I/O handlers run there (busy, not idle). */
    private long pollIoNanos;
    private long turns;
    private long turnsInsidePoll;
    private long windowStart;
    private long windowBusyWall;
    private long windowIdle;
    private long windowSleep;
    private long windowSpinIo;
    private long windowCpu;
    /** The shard thread's CPU clock, read once per utilization window; null where the JVM has none. */
    private final ThreadMXBean cpuClock = threadCpuClock();

    ShardCounters(int shardId, ShardStats stats) {
        this.shardId = shardId;
        this.stats = stats;
    }

    void loopStarted(long now) {
        windowStart = now;
        windowCpu = cpuNow();
    }

    /** Counts a loop turn and stamps its start (what the stall detector watches). */
    void turnStarted(long now) {
        stats.publishLoopTurn(now, ++turns);
    }

    /** A turn taken between two completions of a long I/O poll ({@link ShardLoop#beforeIoCompletion}). */
    void turnInsidePoll(long now) {
        turnStarted(now);
        stats.publishTurnsInsidePoll(++turnsInsidePoll);
    }

    /** A long I/O poll looked for other work and found none: the loop is alive, its turn number unchanged. */
    void lookedInsidePoll(long now) {
        stats.publishLoopTurn(now, turns);
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

    /** Part of the idle period was spent asleep in the I/O poll (handlers Netty ran there included). */
    void slept(long nanos) {
        sleepNanos += nanos;
    }

    /** Part of the idle period was spent handling I/O found while spinning. */
    void spinIo(long nanos) {
        spinIoNanos += nanos;
    }

    private long busy() {
        return busyNanos + spinIoNanos + pollIoNanos;
    }

    /** Publishes the turn's figures for readers on other threads. */
    void publish(long now, Outbox outbox, GroupScheduler scheduler) {
        stats.publishTasks(tasksRun, tasksFailed);
        stats.publishMessages(outbox.sent, received, outbox.overflowed);
        stats.publishTime(busy(), idleNanos - spinIoNanos - pollIoNanos);
        for (int g = 0, n = scheduler.groupCount(); g < n; g++) {
            stats.publishGroup(g, scheduler.runtimeNanos(g), scheduler.queueLength(g));
        }
        if (now - windowStart >= UTILIZATION_WINDOW_NANOS) {
            closeWindow(now);
        }
    }

    /**
     * Utilization as Seastar defines it: the share of time the loop was not idle, I/O handling
     * included. Netty runs the handlers of what woke the shard inside the blocking poll, where the
     * loop cannot time them (ManualIoEventLoop does not report active I/O time), so once per window
     * the thread's CPU time tells: CPU used beyond the turns and the spinning was used in the poll.
     * The wait itself uses none. One clock read per window, not per sleep. The spinning is taken at
     * its wall time, so where the OS kept the CPU from the shard there (a yield on a busy machine)
     * the estimate reads low; it never reads high.
     */
    private void closeWindow(long now) {
        long busyWall = busyNanos + spinIoNanos;
        long dBusy = busyWall - windowBusyWall;
        long dSleep = sleepNanos - windowSleep;
        long dSpin = (idleNanos - windowIdle) - dSleep - (spinIoNanos - windowSpinIo);
        long cpu = cpuNow();
        if (cpu >= 0 && windowCpu >= 0) {
            long inPoll = (cpu - windowCpu) - dBusy - dSpin;
            // Never more than the time asleep (CPU and wall clocks differ a little, preemption
            // makes turns longer than their CPU): the estimate only moves time from idle to busy.
            pollIoNanos += Math.max(0, Math.min(inPoll, dSleep));
            dBusy += Math.max(0, Math.min(inPoll, dSleep));
        }
        stats.publishUtilization(Math.min(1.0, (double) dBusy / (now - windowStart)));
        stats.publishTime(busy(), idleNanos - spinIoNanos - pollIoNanos);
        windowStart = now;
        windowBusyWall = busyWall;
        windowIdle = idleNanos;
        windowSleep = sleepNanos;
        windowSpinIo = spinIoNanos;
        windowCpu = cpu;
    }

    private long cpuNow() {
        return cpuClock == null ? -1 : cpuClock.getCurrentThreadCpuTime();
    }

    /** The JVM's per-thread CPU clock, or null if this JVM has none. */
    static ThreadMXBean threadCpuClock() {
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            return mx.isCurrentThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled() ? mx : null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
