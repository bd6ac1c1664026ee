package io.percore.demo.tracking;

/**
 * A tracking client as the shards owning the keys it read remember it: its id and its home shard
 * (where its connection lives) in one long, so a key's readers are a plain {@code long[]} and an
 * invalidation knows where to go without asking anyone.
 */
final class Reader {

    /** Bits for the home shard: up to 4,096 shards, client ids up to 2^51. */
    static final int SHARD_BITS = 12;
    static final int MAX_SHARDS = 1 << SHARD_BITS;

    private Reader() {
    }

    static long of(long client, int home) {
        return client << SHARD_BITS | home;
    }

    static long client(long reader) {
        return reader >>> SHARD_BITS;
    }

    static int home(long reader) {
        return (int) (reader & (MAX_SHARDS - 1));
    }
}
