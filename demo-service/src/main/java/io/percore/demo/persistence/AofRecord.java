package io.percore.demo.persistence;

import io.percore.demo.shard.Change;
import io.percore.demo.shard.GroupOrder;
import java.util.BitSet;

/** What a shard hands the append-only file's writer ({@link AofFeed} to {@link AofWriter}), in the shard's order. */
sealed interface AofRecord extends GroupOrder.Part {

    /** The shard's count of changes up to and including this record's (what the reply gate waits for). */
    long seq();

    /** Changes that stand alone, already encoded as the commands to replay (a change of several wrapped in MULTI/EXEC). */
    record Encoded(int shard, long seq, byte[] bytes) implements AofRecord {
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
    record Part(long seq, Change change) implements AofRecord {
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
     * A rewrite began here: every shard reports one while the rewrite's transaction holds them all,
     * so what came before on every shard is in the snapshot and what comes after goes to a new
     * incremental file.
     */
    record Rotation(int shard, long seq, long group, BitSet participants) implements AofRecord {
    }
}
