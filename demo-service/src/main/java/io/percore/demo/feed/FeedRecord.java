package io.percore.demo.feed;

import java.util.BitSet;

/**
 * What a shard's {@link ChangeFeed} hands its reader (the append-only file's writer, the
 * replication stream), in the shard's order.
 */
public sealed interface FeedRecord extends GroupOrder.Part {

    /** The shard's count of changes up to and including this record's (what a reply waiting for the reader waits for). */
    long seq();

    /**
     * Changes that stand alone, already encoded as the commands to replay (a change of several wrapped in
     * MULTI/EXEC): the first runs in database {@code firstDb} (the reader selects it first when its stream is
     * in another), the bytes select each later change's database themselves, and leave {@code lastDb} selected.
     */
    record Encoded(int shard, long seq, byte[] bytes, int firstDb, int lastDb) implements FeedRecord {
        @Override
        public long group() {
            return 0;
        }

        @Override
        public BitSet participants() {
            return null;
        }
    }

    /** A shard's part of a group (a transaction, a command spanning shards), with its own copies of the arguments. */
    record Part(long seq, Change change) implements FeedRecord {
        @Override
        public int shard() {
            return change.shard();
        }

        @Override
        public long group() {
            return change.group();
        }

        @Override
        public BitSet participants() {
            return change.participants();
        }
    }

    /**
     * A point every shard marks while one transaction holds them all (a snapshot begins there: an
     * append-only file's rewrite, a replica's full sync): what came before it on every shard is in
     * the snapshot, what comes after is not. The reader meets all the shards' marks as one unit.
     */
    record Mark(int shard, long seq, long group, BitSet participants) implements FeedRecord {
    }
}
