package io.percore.demo.persistence;

import java.util.function.BooleanSupplier;

/**
 * What a shutdown does before its final save: the service holds writes, so nothing is acknowledged
 * that the save does not hold, and a primary waits for its replicas (Redis 7's {@code shutdown-timeout}).
 */
public interface ShutdownPrelude {
    /** Off the shards; returns once writes are held and, unless {@code now}, the replicas were waited for (or {@code aborted}). */
    default void before(boolean now, BooleanSupplier aborted) {
    }

    /** The shutdown was called off (its save failed, or SHUTDOWN ABORT): writes go on. */
    default void abandoned() {
    }
}
