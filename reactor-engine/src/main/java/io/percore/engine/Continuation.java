package io.percore.engine;

/** Called on the owning shard when a {@link ShardFuture} completes. */
@FunctionalInterface
interface Continuation<T> {
    void onComplete(ShardFuture<T> completed);
}
