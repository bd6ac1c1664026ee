package io.percore.demo.replication;

import java.util.concurrent.TimeUnit;

/**
 * When the stream's bytes were first published, so that an acknowledgement proves how recent it is:
 * a replica that acks offset {@code A} had received byte {@code A - 1}, which nobody had before the
 * stream published it. When an ack arrives proves nothing: one read after the primary was frozen,
 * cut off or descheduled may have waited in a socket for longer than {@code min-replicas-max-lag},
 * sent by a replica that has followed another primary since. Redis counts arrival
 * ({@code repl_ack_time}); on the real node a primary thawed after its failover took writes beside
 * the new primary for 1.2 s that way, its replicas' old acks read as fresh.
 *
 * <p>Samples are taken at most every {@value #STEP_MILLIS} ms, so an ack may be dated up to that
 * much too early, never too late. Written by the stream's thread, read by the shards.
 */
final class OffsetClock {

    /** No ack proves anything yet. */
    static final long UNKNOWN = Long.MIN_VALUE;
    static final long STEP_MILLIS = 50;
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(STEP_MILLIS);
    /** 51 s of samples at the finest step: a replica whose acks lag more is not good whatever the setting. */
    static final int SAMPLES = 1024;

    /** The smallest ack offset that proves the sample's moment: the first byte published then, plus one. */
    private final long[] provingOffset = new long[SAMPLES];
    private final long[] publishedNanos = new long[SAMPLES];
    private int count;
    private int newest = -1;

    /** Bytes after {@code endBefore} are about to be published; {@code nanos} read before they are. */
    synchronized void publishing(long nanos, long endBefore) {
        if (count > 0 && nanos - publishedNanos[newest] < STEP_NANOS) {
            return; // an ack covering them is dated by the sample before: a little early, never late
        }
        newest = (newest + 1) % SAMPLES;
        provingOffset[newest] = endBefore + 1;
        publishedNanos[newest] = nanos;
        count = Math.min(SAMPLES, count + 1);
    }

    /**
     * The latest moment ({@link System#nanoTime}) an ack of {@code ackOffset} is known to have been sent after, or
     * {@link #UNKNOWN}.
     */
    synchronized long sentAfter(long ackOffset) {
        for (int i = 0, at = newest; i < count; i++, at = (at - 1 + SAMPLES) % SAMPLES) {
            if (provingOffset[at] <= ackOffset) {
                return publishedNanos[at];
            }
        }
        return UNKNOWN;
    }
}
