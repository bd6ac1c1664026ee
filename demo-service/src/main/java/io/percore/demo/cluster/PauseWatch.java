package io.percore.demo.cluster;

import java.time.Duration;

/**
 * Whether this node stopped running for long enough that its control plane may have given its slots to another node
 * meanwhile. A process frozen (a cgroup freeze, SIGSTOP, every shard stuck) keeps its layout while the control plane,
 * which waits for a primary that does not answer only {@code failoverAfter}, promotes its replica; thawed, it would take
 * writes for those slots beside their new owner until the control plane reached it. Redis Cluster has the same window
 * (its gossip brings the news); here, after such a pause, the layout is not served until the control plane confirms
 * it, as one read back from {@code nodes.conf} at a start is not ({@link Cluster}).
 *
 * <p>Every shard's cron beats ({@code serverCron}'s 100 ms): the process ran then. A command finds the pause before
 * any cron after it has run, and the first cron after it finds it too, so whichever comes first after a thaw sees
 * it. One shard busy for long is no pause: the others beat.
 */
final class PauseWatch {

    private static final long NONE = Long.MIN_VALUE;
    private final long boundNanos;
    /** The last beat ({@link System#nanoTime}); none until the first, so a slow start is no pause. */
    private volatile long lastBeat = NONE;

    PauseWatch(Duration bound) {
        this.boundNanos = bound.toNanos();
    }

    boolean on() {
        return boundNanos > 0;
    }

    /** How long the process has not run, when that is at least the bound (it paused); else 0. Any thread. */
    long pausedFor(long now) {
        long last = lastBeat;
        if (boundNanos == 0 || last == NONE) {
            return 0;
        }
        long gap = now - last;
        return gap >= boundNanos ? gap : 0;
    }

    /** A shard's cron ran at {@code now}: the process runs (after the caller looked at {@link #pausedFor}). */
    void beat(long now) {
        long last = lastBeat;
        if (last == NONE || now - last > 0) {
            lastBeat = now;
        }
    }
}
