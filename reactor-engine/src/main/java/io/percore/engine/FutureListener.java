package io.percore.engine;

/**
 * Called on the owning shard when a {@link ShardFuture} completes. Registering one with
 * {@link ShardFuture#onComplete} creates no new future: the allocation-free way to consume a
 * result on a hot path (a listener object can be reused across calls).
 */
@FunctionalInterface
public interface FutureListener<T> {
    void onComplete(ShardFuture<T> completed);
}
