package io.percore.demo.rdb;

import io.percore.demo.kv.ValueType;

/**
 * One shard's keys as an RDB file holds them, encoded on the shard's thread into a buffer that is
 * handed over in chunks of whole keys ({@link #take}) for {@link RdbFileWriter} to append on its own
 * thread: the shard never waits for the disk. Not thread-safe: the shard writes, and what
 * {@link #take} returns is the taker's.
 */
public final class RdbEntries {

    /** What a buffer keeps between chunks: a chunk that grew past it (one large value) is not kept. */
    private static final int KEPT_CAPACITY = 1 << 17;

    private final DumpWriter out = new DumpWriter(KEPT_CAPACITY);

    /** One key; {@code expireAtMs} below 0 for none. A string may be the store's {@link io.percore.demo.kv.GrowableString}. */
    public void entry(byte[] key, ValueType type, Object value, long expireAtMs) {
        out.writeEntry(key, type, value, expireAtMs);
    }

    /** Bytes encoded and not taken yet. */
    public int size() {
        return out.size();
    }

    /** The bytes encoded since the last call, as a new array; the buffer starts again empty. */
    public byte[] take() {
        byte[] chunk = java.util.Arrays.copyOf(out.buffer(), out.size());
        out.reset(KEPT_CAPACITY);
        return chunk;
    }
}
