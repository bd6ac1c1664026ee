package io.percore.engine;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The calls one shard makes to others, and the pool of {@link CrossShardCall} messages they
 * travel in. A message goes out, comes back as the answer and returns here, so a round trip
 * allocates only the caller's promise. Shard-thread only: the pool is the caller's own, which is
 * why it needs no synchronization.
 *
 * <p>The pool is a plain array stack, not a deque: the message taken is the one recycled last,
 * still in cache, and it is one pointer away from the shard as the deque's array was.
 */
final class CrossShardCalls {

    /** A burst of calls leaves at most this many messages behind; beyond it they are garbage. */
    private static final int POOL_LIMIT = 4096;

    private final Shard caller;
    private final GroupScheduler scheduler;
    private CrossShardCall[] pool = new CrossShardCall[64];
    private int pooled;

    CrossShardCalls(Shard caller, GroupScheduler scheduler) {
        this.caller = caller;
        this.scheduler = scheduler;
    }

    /**
     * The calls of the shard whose thread is calling: a call's answer comes back to a shard's
     * loop, so only a shard of the same engine can make one.
     */
    static CrossShardCalls ofCaller(Engine engine) {
        Shard caller = Shard.currentOrNull();
        if (caller == null || caller.engine() != engine) {
            throw new IllegalStateException("Shard.submitTo must be called on a shard thread of this engine"
                    + " (thread '" + Thread.currentThread().getName() + "'); use Engine.submitTo from other threads");
        }
        return caller.calls();
    }

    /**
     * Sends {@code task} (or {@code asyncTask}) to {@code target} in the caller's current group.
     * A call the mesh refuses (its overflow is full) was never sent: the returned future has
     * already failed, so the caller learns at once.
     */
    <T> ShardFuture<T> send(Shard target, Callable<T> task, Supplier<? extends ShardFuture<T>> asyncTask) {
        ShardPromise<T> promise = new ShardPromise<>(caller, true);
        CrossShardCall c = pooled == 0 ? new CrossShardCall() : take();
        c.init(caller, target, task, asyncTask, promise, scheduler.currentGroup());
        if (!caller.sendRequest(target.id(), c)) {
            c.clear();
            recycle(c);
            promise.setFailure0(caller.overflowRejection(target.id()));
        }
        return promise;
    }

    private CrossShardCall take() {
        CrossShardCall c = pool[--pooled];
        pool[pooled] = null;
        return c;
    }

    /** Takes back a call whose answer arrived, for reuse. Shard thread only. */
    void recycle(CrossShardCall call) {
        assert caller.thread().checkCurrent();
        if (pooled == pool.length) {
            if (pooled == POOL_LIMIT) {
                return;
            }
            pool = Arrays.copyOf(pool, Math.min(POOL_LIMIT, pooled * 2));
        }
        pool[pooled++] = call;
    }
}
