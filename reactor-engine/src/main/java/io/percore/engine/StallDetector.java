package io.percore.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A watchdog thread that notices a shard whose current loop turn has lasted longer than the
 * stall threshold. A turn is bounded by the task quota plus one task (or I/O handler, or timer),
 * so a long turn means one of them hogged the shard. It costs the shards nothing: they already
 * publish when each turn started and ended and whether they are idle.
 *
 * <p>Reported as Seastar does: every stall over the threshold is counted and reported, never
 * rate-limited; while it lasts, at 1×, 2×, 4×, 8×, … the threshold with its length so far; when
 * the loop turns again, with its total length. Only the stack samples are rate-limited (one per
 * shard per {@value #STACK_INTERVAL_SECONDS} s), because taking one pauses the shard thread.
 *
 * <p>A shard asleep in the I/O poll is idle, but Netty runs the I/O handlers of the events that
 * woke it inside that same poll call, before the loop sees the wakeup. There the detector watches
 * the shard thread's CPU time instead: more than the threshold of CPU consumed within one idle
 * period is a handler hogging the shard, reported like any stall. A handler that blocks there
 * without using CPU (sleeps, waits on a lock or a future, {@code block()}s) is seen by the thread's
 * state: the poll itself waits in native code, where the thread stays RUNNABLE, so a shard that is
 * idle yet WAITING, TIMED_WAITING or BLOCKED is stuck in a handler. A handler blocked in a native
 * call (a blocking socket read) is the one stall it cannot see.
 */
final class StallDetector implements Runnable {

    static final long STACK_INTERVAL_SECONDS = 10;
    static final long STACK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(STACK_INTERVAL_SECONDS);

    /** The stall being followed on one shard. */
    private static final class Stall {
        final long turnStart;
        /** Inside the I/O poll (measured by CPU time) rather than in a loop turn. */
        final boolean inPoll;
        /** When the stall began, for its total. */
        final long began;
        long nextReportNanos;

        Stall(long turnStart, long thresholdNanos, boolean inPoll, long began) {
            this.turnStart = turnStart;
            this.nextReportNanos = thresholdNanos;
            this.inPoll = inPoll;
            this.began = began;
        }
    }

    private final Engine engine;
    /** Written by the live configuration ({@link #threshold(Duration)}), read by the watchdog thread. */
    private volatile long thresholdNanos;
    /** The shortest sleep between looks, so a shard just short of a report is not polled in a spin. */
    private static final long MIN_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** When the watchdog last looked: a shard first seen blocked may have blocked any time since. */
    private long lastLook;
    /** Looks taken (tests: the watchdog sleeps until a report could first be due, not on a fixed beat). */
    private volatile long looks;
    private final Stall[] current;
    private final long[] lastStack;
    /** Per shard: the idle period being watched (its turn stamp) and the thread's CPU time when it began. */
    private final long[] idleTurn;
    private final long[] idleCpuStart;
    /** Per shard: the thread's CPU time at the last look that found it idle (-1: not idle then). */
    private final long[] cpuAtLook;
    /** Per shard: the idle period in which the thread was first seen blocked, and when (0: not blocked). */
    private final long[] blockedTurn;
    private final long[] blockedSince;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuTime;
    private volatile StallListener listener = new StallLog();
    private volatile boolean running = true;
    private Thread thread;

    StallDetector(Engine engine, Duration threshold) {
        this.engine = engine;
        threshold(threshold);
        int n = engine.shardCount();
        this.current = new Stall[n];
        this.lastStack = new long[n];
        this.idleTurn = new long[n];
        this.idleCpuStart = new long[n];
        this.cpuAtLook = new long[n];
        java.util.Arrays.fill(cpuAtLook, -1);
        this.blockedTurn = new long[n];
        this.blockedSince = new long[n];
        java.util.Arrays.fill(idleTurn, Long.MIN_VALUE);
        this.cpuTime = threads.isThreadCpuTimeSupported();
    }

    /** Replaces the listener (tests; the default logs). */
    void listener(StallListener listener) {
        this.listener = listener;
    }

    /** A new stall threshold: the watchdog checks by it from its next look (a stall being reported keeps its own steps). */
    void threshold(Duration threshold) {
        this.thresholdNanos = threshold.toNanos();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t); // a shorter threshold counts from now, not after the sleep begun under the longer one
        }
    }

    /** Looks the watchdog has taken at the shards since it started. */
    long looks() {
        return looks;
    }

    void start() {
        thread = new Thread(this, "percore-stall-detector");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Sleeps until the first moment a report could be due on some shard, rather than on a fixed
     * beat: a turn, an idle period's CPU or a block can reach the threshold no sooner than its
     * length so far subtracted from it. So the detector wakes about once per threshold while the
     * shards are healthy (it was five times, each wake taking the shards' CPU away from them when
     * they share it: 3-4 % of a pinned shard's CPU at 25 ms) and still reports each stall when it
     * reaches the threshold.
     */
    @Override
    public void run() {
        lastLook = System.nanoTime();
        long sleep = thresholdNanos;
        while (running) {
            LockSupport.parkNanos(this, sleep);
            if (!running) {
                return;
            }
            long now = System.nanoTime();
            long due = thresholdNanos;
            for (Shard s : engine.shards()) {
                due = Math.min(due, check(s, now));
            }
            lastLook = now;
            looks++;
            sleep = Math.max(MIN_SLEEP_NANOS, due);
        }
    }

    /**
     * CPU time the shard thread has used since its current idle period began (0 when unknown).
     * A period first seen at this look began after the last look or before it; what the thread
     * used since the last look, less the wall time between that look and the period's start, is
     * a lower bound of what the period used, so a handler hogging the poll is reported from the
     * threshold on whenever the watchdog first sees its period, with no false report.
     */
    private long cpuInPoll(Shard shard, int id, long turnStart) {
        if (!cpuTime) {
            return 0;
        }
        long cpu = threads.getThreadCpuTime(shard.thread().getId());
        if (cpu < 0) {
            return 0;
        }
        long previous = cpuAtLook[id];
        cpuAtLook[id] = cpu;
        if (idleTurn[id] != turnStart) {
            idleTurn[id] = turnStart;
            long usedBefore = turnStart - lastLook > 0 ? turnStart - lastLook : 0;
            idleCpuStart[id] = previous < 0 ? cpu : Math.min(cpu, previous + usedBefore);
        }
        return cpu - idleCpuStart[id];
    }

    /**
     * How long the shard thread has been blocked (waiting, sleeping, on a monitor) within its
     * current idle period: only a handler run inside the poll blocks there, since the poll waits in
     * native code. {@code Thread.getState} reads a field: no safepoint, no stack walk.
     */
    private long blockedInPoll(Shard shard, int id, long turnStart, long now) {
        Thread.State state = shard.thread().getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING && state != Thread.State.BLOCKED) {
            blockedSince[id] = 0;
            return 0;
        }
        if (blockedSince[id] == 0 || blockedTurn[id] != turnStart) {
            blockedTurn[id] = turnStart;
            // First seen blocked now; it may have blocked any time since the last look, which can be a
            // whole threshold ago: backdated by at most a fifth of the threshold, so a short block just
            // before this look is not reported as a stall, and a long one is reported by 1.2x the threshold.
            blockedSince[id] = Math.max(lastLook, now - thresholdNanos / 5);
        }
        return now - blockedSince[id];
    }

    /** Looks at one shard; returns how long until a report on it could first be due. */
    private long check(Shard shard, long now) {
        int id = shard.id();
        ShardStats stats = shard.stats();
        long turnStart = stats.lastLoopTurnNanos();
        boolean idle = shard.isIdle();
        if (!idle) {
            cpuAtLook[id] = -1; // a busy turn's CPU is not the next idle period's
        }
        Stall stall = current[id];
        if (stall != null && (stall.turnStart != turnStart || idle != stall.inPoll || shard.isTerminated())) {
            // The stalled turn is over: it ended when the loop published the turn's end.
            long total;
            if (stall.inPoll) {
                // Ended when the loop left the poll: it stamps the turn that follows.
                total = (turnStart - stall.began > 0 ? turnStart : now) - stall.began;
            } else {
                long end = stats.lastTurnEndNanos();
                total = (end - stall.turnStart > 0 ? end : now) - stall.turnStart;
            }
            current[id] = null;
            stats.stallEnded(total);
            listener.ended(id, total);
        }
        if (shard.isTerminated()) {
            return Long.MAX_VALUE;
        }
        long stalledFor;
        if (idle) {
            stalledFor = Math.max(cpuInPoll(shard, id, turnStart), blockedInPoll(shard, id, turnStart, now));
            if (stalledFor < thresholdNanos) {
                return thresholdNanos - stalledFor;
            }
        } else {
            stalledFor = now - turnStart;
            if (stalledFor < thresholdNanos) {
                return thresholdNanos - stalledFor;
            }
        }
        if (current[id] == null) {
            current[id] = new Stall(turnStart, thresholdNanos, idle, idle ? now - stalledFor : turnStart);
            stats.stallDetected();
        }
        Stall s = current[id];
        if (stalledFor >= s.nextReportNanos) {
            while (s.nextReportNanos <= stalledFor) {
                s.nextReportNanos *= 2;
            }
            StackTraceElement[] stack = null;
            if (lastStack[id] == 0 || now - lastStack[id] >= STACK_INTERVAL_NANOS) {
                lastStack[id] = now;
                stack = shard.thread().getStackTrace();
            }
            listener.growing(id, stalledFor, stack);
        }
        return s.nextReportNanos - stalledFor;
    }
}
