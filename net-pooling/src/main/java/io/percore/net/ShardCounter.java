package io.percore.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter written by one thread (its shard) and readable from any thread. Updates are a plain
 * read plus a release store, so the hot path takes no CAS and no lock; readers see a recent,
 * never torn value. Also used for gauges (it may go down).
 */
public final class ShardCounter {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ShardCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** Adds 1. Only the owning shard thread may call it. */
    public void increment() {
        VALUE.setRelease(this, (long) VALUE.getOpaque(this) + 1);
    }

    /** Subtracts 1. Only the owning shard thread may call it. */
    public void decrement() {
        VALUE.setRelease(this, (long) VALUE.getOpaque(this) - 1);
    }

    /** Adds {@code delta} (may be negative). Only the owning shard thread may call it. */
    public void add(long delta) {
        VALUE.setRelease(this, (long) VALUE.getOpaque(this) + delta);
    }

    /** Overwrites the value. Only the owning shard thread may call it. */
    public void set(long newValue) {
        VALUE.setRelease(this, newValue);
    }

    /** The current value; callable from any thread. */
    public long get() {
        return (long) VALUE.getAcquire(this);
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
