package io.percore.engine;

import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * One shard's task queues, one per scheduling group, and the choice between them: the runnable
 * group with the least virtual runtime (runtime × 1024 / shares) runs next, until the task quota
 * is spent. Shard-thread only; it holds no lock and publishes nothing itself ({@link ShardCounters}
 * reads its figures at the end of a turn).
 */
final class GroupScheduler {

    private final GroupQueue[] groups;
    private final ShardCounters counters;
    /**
     * Where competing groups are charged the shard thread's CPU time instead of wall time
     * (overprovisioned mode); null where they are charged wall time (pinned mode). See
     * {@link #runUntil}.
     */
    private final ThreadMXBean cpuClock;
    private long quotaNanos;

    private int currentGroup;
    /** Set by pickGroup: more than one group had tasks queued. */
    private boolean groupsCompete;
    private long minVruntime;
    private int checkEvery = 1;

    /** A new task quota (live configuration), on the shard's thread. */
    void quota(long quotaNanos) {
        this.quotaNanos = quotaNanos;
    }

    GroupScheduler(SchedulingGroup[] defs, long quotaNanos, boolean chargeCpuTime, ShardCounters counters) {
        this.groups = new GroupQueue[defs.length];
        for (int i = 0; i < defs.length; i++) {
            groups[i] = new GroupQueue(defs[i]);
        }
        this.quotaNanos = quotaNanos;
        this.counters = counters;
        this.cpuClock = chargeCpuTime ? threadCpuClock() : null;
    }

    /** Queues {@code task} in group {@code group}. */
    void add(int group, Runnable task) {
        groups[group].tasks.addLast(task);
    }

    /** Queues {@code task} in the group of the task running now (the default group between tasks). */
    void addToCurrent(Runnable task) {
        groups[currentGroup].tasks.addLast(task);
    }

    /** The group of the task running now; a cross-shard call made by it runs in the same group. */
    int currentGroup() {
        return currentGroup;
    }

    boolean hasTasks() {
        for (GroupQueue g : groups) {
            if (!g.tasks.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    int groupCount() {
        return groups.length;
    }

    long runtimeNanos(int group) {
        return groups[group].runtimeNanos;
    }

    int queueLength(int group) {
        return groups[group].tasks.size();
    }

    /**
     * Runs slices of the groups' queues until the deadline (wall time) and charges each group the
     * time its slice took; returns the time it stopped. In pinned mode the core is the shard's own
     * and wall time is the CPU time the group got, read for free. In overprovisioned mode the OS
     * preempts the shard thread whenever it likes, and wall time would bill the group that
     * happened to be running for the milliseconds the CPU spent on other processes: fair only on
     * average, with errors of whole OS time slices (100+ ms seen under load) per decision. There,
     * while groups compete, the slice is charged the thread's CPU time, at the cost of one clock
     * read (a syscall, about 1 µs) per slice. A group running alone is charged wall time: nobody
     * waits on that decision, and the common single-group loop pays nothing. (A task that blocks
     * is charged only the CPU it burned while groups compete; blocking a shard is a bug the stall
     * detector reports.)
     */
    long runUntil(long deadline) {
        long now = System.nanoTime();
        long run = 0;
        GroupQueue g;
        long cpuMark = -1; // thread CPU time at the start of the current slice; read only if a group runs
        while ((g = pickGroup()) != null) {
            final boolean cpuCharged = groupsCompete && cpuClock != null;
            if (cpuCharged && cpuMark < 0) {
                cpuMark = cpuClock.getCurrentThreadCpuTime();
            }
            currentGroup = g.def.index();
            final ArrayDeque<Runnable> tasks = g.tasks;
            final long sliceStart = now;
            long lastCheck = now;
            int sinceCheck = 0;
            int every = checkEvery;
            Runnable task;
            while ((task = tasks.pollFirst()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    FatalErrorHandler.rethrowIfFatal(t); // ends the loop: see ShardThread.run
                    counters.taskFailed(t, "task");
                }
                run++;
                if (++sinceCheck >= every) {
                    now = System.nanoTime();
                    // Read the clock after every task while tasks are long, every 64 while short.
                    every = (now - lastCheck) > (quotaNanos >> 4) ? 1 : Math.min(every << 1, 64);
                    lastCheck = now;
                    sinceCheck = 0;
                    if (now - deadline >= 0) {
                        break;
                    }
                }
            }
            if (sinceCheck != 0) {
                now = System.nanoTime();
            }
            checkEvery = every;
            long charge = now - sliceStart;
            if (cpuCharged && cpuMark >= 0) {
                long cpu = cpuClock.getCurrentThreadCpuTime();
                if (cpu >= 0) {
                    charge = cpu - cpuMark;
                }
                cpuMark = cpu; // -1 (CPU time measurement switched off meanwhile): wall time again
            } else {
                cpuMark = -1; // the next CPU-charged slice reads its own start
            }
            g.charge(charge);
            if (now - deadline >= 0) {
                break;
            }
        }
        currentGroup = 0;
        counters.tasksRun(run);
        return now;
    }

    /** The runnable group with the least virtual runtime; groups returning from idle start at the floor. */
    private GroupQueue pickGroup() {
        GroupQueue[] gs = groups;
        if (gs.length == 1) {
            return gs[0].tasks.isEmpty() ? null : gs[0];
        }
        GroupQueue best = null;
        long floor = minVruntime;
        int runnable = 0;
        for (GroupQueue g : gs) {
            if (g.tasks.isEmpty()) {
                continue;
            }
            runnable++;
            if (g.vruntime < floor) {
                g.vruntime = floor;
            }
            if (best == null || g.vruntime < best.vruntime) {
                best = g;
            }
        }
        if (best != null) {
            minVruntime = best.vruntime;
        }
        groupsCompete = runnable > 1;
        return best;
    }

    /** Empties every queue, failing the calls from outside the engine so nobody waits forever. */
    void rejectQueued(RejectedExecutionException e) {
        for (GroupQueue g : groups) {
            Runnable r;
            while ((r = g.tasks.pollFirst()) != null) {
                if (r instanceof ForeignCall) {
                    ((ForeignCall<?>) r).reject(e);
                }
            }
        }
    }

    /** The JVM's per-thread CPU clock, or null if this JVM has none (groups are then charged wall time). */
    private static ThreadMXBean threadCpuClock() {
        ThreadMXBean mx = ShardCounters.threadCpuClock();
        if (mx == null) {
            Shard.LOG.info("Thread CPU time is not available; scheduling groups are charged wall time");
        }
        return mx;
    }

    /** A scheduling group's queue and virtual runtime on this shard. */
    private static final class GroupQueue {
        final SchedulingGroup def;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>(256);
        /** Runtime scaled by 1024 / shares: the group with the least has had the least of its due. */
        long vruntime;
        long runtimeNanos;

        GroupQueue(SchedulingGroup def) {
            this.def = def;
        }

        void charge(long nanos) {
            runtimeNanos += nanos;
            vruntime += nanos * 1024 / def.shares();
        }
    }
}
