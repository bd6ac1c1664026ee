package io.percore.demo.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A reader's account of every shard's feed (the append-only file's writer, the replication
 * stream): how many changes each shard has made ({@link #created}, set by the shards), the records
 * put in one serial order ({@link GroupOrder}) and handed to the reader's {@link Output} unit by
 * unit, and how many changes of each shard have been handed so far ({@link #released}). A reply that
 * must wait for the reader compares the two.
 *
 * <p>{@link #created} and {@link #createdNow} from any thread; the rest from the reader's thread only.
 */
public final class FeedOrder {

    /** Where the units go, in order (the reader's thread). */
    public interface Output {
        /**
         * Changes standing alone, already encoded as the commands to replay: the first in {@code firstDb}
         * (the output selects it first when its stream is in another), leaving {@code lastDb} selected.
         */
        void encoded(byte[] commands, int firstDb, int lastDb);

        /** A group's commands put back into one block in the transaction's order (never empty), each in its database. */
        void block(Block commands);

        /** Every shard's mark of the point {@code group} (a snapshot begins there); what came before is handed already. */
        void mark(long group);
    }

    private final AtomicLongArray created;
    private final GroupOrder<FeedRecord> order;
    private final long[] released;

    public FeedOrder(int shards) {
        this.created = new AtomicLongArray(shards);
        this.order = new GroupOrder<>(shards);
        this.released = new long[shards];
    }

    /** Shard {@code shard} has made {@code seq} changes so far (set on its thread before its replies can leave). */
    public void created(int shard, long seq) {
        created.lazySet(shard, seq);
    }

    /** Every shard's changes so far: what a reply leaving now depends on. */
    public long[] createdNow() {
        long[] now = new long[created.length()];
        for (int i = 0; i < now.length; i++) {
            now[i] = created.get(i);
        }
        return now;
    }

    /** Takes the next record of its shard and hands {@code out} every unit it releases, in order. */
    public void add(FeedRecord record, Output out) {
        for (List<FeedRecord> unit : order.add(record)) {
            for (FeedRecord r : unit) {
                released[r.shard()] = r.seq();
            }
            FeedRecord first = unit.get(0);
            if (first instanceof FeedRecord.Encoded e) {
                out.encoded(e.bytes(), e.firstDb(), e.lastDb());
            } else if (first instanceof FeedRecord.Mark m) {
                out.mark(m.group());
            } else {
                List<Change> parts = new ArrayList<>(unit.size());
                for (FeedRecord r : unit) {
                    parts.add(((FeedRecord.Part) r).change());
                }
                Block block = ChangeMerge.merged(parts);
                if (!block.commands().isEmpty()) {
                    out.block(block);
                }
            }
        }
    }

    /** Whether every change counted in {@code target} has been handed on. */
    public boolean released(long[] target) {
        for (int i = 0; i < target.length; i++) {
            if (released[i] < target[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this reader has handed on exactly the changes every shard had made at one moment, and which ({@code into}: the
     * shards' {@link ChangeClocks} then): not while a shard is in the middle of a change, nor while a change made is not
     * handed on yet. Two readers caught up at the same clocks hold the same changes, whatever order each put them in. On
     * the reader's thread.
     */
    public boolean caughtUpAt(ChangeClocks clocks, long[] into) {
        for (int i = 0; i < released.length; i++) {
            into[i] = clocks.now(i);
            if ((into[i] & 1) != 0) {
                return false;
            }
        }
        for (int i = 0; i < released.length; i++) {
            if (created.get(i) != released[i]) {
                return false;
            }
        }
        for (int i = 0; i < released.length; i++) {
            if (clocks.now(i) != into[i]) {
                return false; // a change began meanwhile: the counts read may be its
            }
        }
        return true;
    }

    /** Copies how many changes of each shard have been handed on into {@code into}. */
    public void releasedInto(long[] into) {
        System.arraycopy(released, 0, into, 0, released.length);
    }
}
