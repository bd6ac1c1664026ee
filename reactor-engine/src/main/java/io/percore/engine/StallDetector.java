package io.percore.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
    private volatile long periodMillis;
    private final Stall[] current;
    private final long[] lastStack;
    /** Per shard: the idle period being watched (its turn stamp) and the thread's CPU time when it began. */
    private final long[] idleTurn;
    private final long[] idleCpuStart;
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
        this.periodMillis = Math.max(1, Math.min(100, threshold.toMillis() / 5));
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
            t.interrupt();
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
            long now = System.nanoTime();
            for (Shard s : engine.shards()) {
                check(s, now);
            }
        }
    }

    /** CPU time the shard thread has used since its current idle period began (0 when unknown). */
    private long cpuInPoll(Shard shard, int id, long turnStart) {
        if (!cpuTime) {
            return 0;
        }
        long cpu = threads.getThreadCpuTime(shard.thread().getId());
        if (cpu < 0) {
            return 0;
        }
        if (idleTurn[id] != turnStart) {
            idleTurn[id] = turnStart;
            idleCpuStart[id] = cpu;
            return 0;
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
            // First seen blocked now; it may have blocked up to one period earlier.
            blockedSince[id] = now - TimeUnit.MILLISECONDS.toNanos(periodMillis);
        }
        return now - blockedSince[id];
    }

    private void check(Shard shard, long now) {
        int id = shard.id();
        ShardStats stats = shard.stats();
        long turnStart = stats.lastLoopTurnNanos();
        boolean idle = shard.isIdle();
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
            return;
        }
        long stalledFor;
        if (idle) {
            stalledFor = Math.max(cpuInPoll(shard, id, turnStart), blockedInPoll(shard, id, turnStart, now));
            if (stalledFor < thresholdNanos) {
                return;
            }
        } else {
            stalledFor = now - turnStart;
            if (stalledFor < thresholdNanos) {
                return;
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
    }
}
