package io.percore.demo.feed;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many changes each shard has made, readable from any thread at a moment that is the same for every reader of the
 * change feed: the append-only file's writer and the replication stream count their own records (each feed its own
 * sequence, marks included, restarted when a feed is attached again), so only this clock says that the file holds
 * exactly what the stream held at an offset ({@link FeedOrder#caughtUpAt}). A shard's clock is odd while its
 * listeners hear a change (a sequence lock): a reader that saw it even, then the feed's counts, then it unchanged, saw
 * the counts of that moment.
 *
 * <p>{@link #hearing} and {@link #heard} on the shard's thread only; {@link #now} from any thread.
 */
public final class ChangeClocks {

    /** Longs between two shards' clocks: each is written on every change of its shard, and must not share its cache line. */
    private static final int STRIDE = 16;

    private final int shards;
    private final AtomicLongArray clocks;

    public ChangeClocks(int shards) {
        this.shards = shards;
        this.clocks = new AtomicLongArray(shards * STRIDE);
    }

    public int shards() {
        return shards;
    }

    /** Shard {@code shard}'s listeners are about to hear a change (its thread). */
    public void hearing(int shard) {
        int i = shard * STRIDE;
        clocks.setRelease(i, clocks.getPlain(i) + 1);
    }

    /** They heard it (its thread). */
    public void heard(int shard) {
        int i = shard * STRIDE;
        clocks.setRelease(i, clocks.getPlain(i) + 1);
    }

    /** Shard {@code shard}'s clock now: odd while a change is being heard. */
    public long now(int shard) {
        return clocks.getAcquire(shard * STRIDE);
    }

    /**
     * Every shard's clock into {@code into} when none is in the middle of a change, trying briefly (a reader that wants a
     * moment between changes, on a server whose shards are quiet: a replica once its link applied what it received).
     * @return whether it got one
     */
    public boolean between(long[] into) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            boolean even = true;
            for (int s = 0; s < shards && even; s++) {
                into[s] = now(s);
                even = (into[s] & 1) == 0;
            }
            if (even) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
