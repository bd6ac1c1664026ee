package io.percore.demo.replication;

import io.percore.demo.persistence.Persistence;
import io.percore.demo.persistence.ReplicationPoint;
import io.percore.demo.rdb.ReplicationInfo;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Where a primary's own stream stood each time it had carried every change made, told to the append-only file
 * ({@link Persistence#streamCaughtUp}), which says so once it holds the same: the server restarted from the file then
 * stands at that offset of its history, as one restarted from a snapshot does. Told again only when the changes or the id
 * moved (a promotion, nothing written: the data is the new history's from there), and at most every {@link #EVERY}: under
 * writes the stream catches up between most of them, and a line after each doubled the file of a primary taking small
 * writes (16,032 lines in 2 MB); what matters is the line after the last write, told at the stream's next turn once
 * quiet (it turns every 100 ms idle). A stream carrying no changes of the server's own (a replica's copy of its
 * primary's, or none attached yet) says nothing. On the stream's thread.
 */
final class OwnStreamPoints implements ReplicationStream.CaughtUp {

    private final BooleanSupplier ownChanges;
    private final Supplier<String> replid;
    private final Persistence persistence;
    static final long EVERY = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    private String toldReplid;
    private long[] toldClocks;
    private long toldAt;

    OwnStreamPoints(BooleanSupplier ownChanges, Supplier<String> replid, Persistence persistence) {
        this.ownChanges = ownChanges;
        this.replid = replid;
        this.persistence = persistence;
    }

    @Override
    public void at(long[] clocks, long offset, int db) {
        if (!ownChanges.getAsBoolean()) {
            return;
        }
        String id = replid.get();
        long now = System.nanoTime();
        if (id.equals(toldReplid) && (Arrays.equals(clocks, toldClocks) || now - toldAt < EVERY)) {
            return;
        }
        toldAt = now;
        toldReplid = id;
        toldClocks = clocks.clone();
        persistence.streamCaughtUp(new ReplicationPoint(new ReplicationInfo(id, offset, db), clocks.clone()));
    }
}
