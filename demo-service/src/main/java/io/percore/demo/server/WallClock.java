package io.percore.demo.server;

import java.time.Instant;

/**
 * A shard's wall clock read from a {@code System.nanoTime()} the caller already took: the epoch
 * milliseconds at that instant, from a pair of readings (monotonic and realtime, in nanoseconds)
 * renewed every {@value #RESYNC_MILLIS} ms. A command's start is read once for its latency, so its
 * "now" for expiry costs no second clock call (about 30 ns where the clock is read through the
 * vDSO in a VM; 5 % of a pipelined GET). The realtime clock's steps show within a renewal; its
 * slewing (at most 500 ppm) drifts it by at most 50 µs in between. On the shard's thread only.
 */
public final class WallClock {

    static final long RESYNC_MILLIS = 100;
    private static final long RESYNC_NANOS = RESYNC_MILLIS * 1_000_000L;

    private long baseNanos;
    private long baseEpochNanos;

    public WallClock() {
        resync();
    }

    /** Epoch milliseconds at {@code nanoTime}, a {@code System.nanoTime()} reading of this process. */
    public long millisAt(long nanoTime) {
        long since = nanoTime - baseNanos;
        if (since >= RESYNC_NANOS) {
            resync();
            since = nanoTime - baseNanos; // the reading may predate the new pair: a small negative offset is exact too
        }
        return Math.floorDiv(baseEpochNanos + since, 1_000_000L);
    }

    private void resync() {
        Instant now = Instant.now();
        baseNanos = System.nanoTime();
        baseEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
