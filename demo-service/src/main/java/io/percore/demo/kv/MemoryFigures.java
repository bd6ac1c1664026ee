package io.percore.demo.kv;

import java.util.function.LongSupplier;

/**
 * One shard's memory figures, readable from any thread (meters): what its {@link ValueStore}
 * publishes (opaque writes, a volatile budget), never the store itself.
 */
public final class MemoryFigures {

    private final LongSupplier used;
    private final LongSupplier max;
    private final LongSupplier evicted;

    MemoryFigures(LongSupplier used, LongSupplier max, LongSupplier evicted) {
        this.used = used;
        this.max = max;
        this.evicted = evicted;
    }

    /** Estimated bytes of the shard's keys and values. */
    public long usedBytes() {
        return used.getAsLong();
    }

    /** The shard's budget; 0 = none. */
    public long maxBytes() {
        return max.getAsLong();
    }

    public long evictedKeys() {
        return evicted.getAsLong();
    }
}
