package io.percore.demo.kv;

/** A write refused because the shard is over its memory budget and nothing could be evicted: Redis's {@code -OOM}. */
public final class OutOfBudgetException extends RuntimeException {

    public static final String MESSAGE = "OOM command not allowed when used memory > 'maxmemory'.";

    public OutOfBudgetException() {
        super(MESSAGE, null, false, false);
    }
}
