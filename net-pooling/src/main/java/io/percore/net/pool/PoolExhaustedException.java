package io.percore.net.pool;

/** An acquisition failed because the pool is at its limits (pending queue full, or waited too long). */
public class PoolExhaustedException extends RuntimeException {
    public PoolExhaustedException(String message) {
        super(message, null, false, false);
    }
}
