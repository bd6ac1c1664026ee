package io.percore.engine;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A call to another shard whose caller waits for the answer inside the task that made it
 * ({@link Shard#callAndWait}), for a task that cannot return to its loop until it has the answer: a
 * Lua script's {@code redis.call} on a key of another shard its transaction holds. The call travels
 * as any task, in the ring to its target; the answer cannot (the caller does not drain its rings
 * while it waits), so it comes back through this object: written once by the target, then published
 * by the volatile {@link #done}, read by the caller that spins on it. The caller may give up
 * ({@link #abandon}); a call not yet begun is then skipped by its target.
 */
final class WaitingCall<T> implements Runnable {

    /** Spins between two looks at the caller's own duties; then, past {@link #SPINS_BEFORE_YIELD}, a yield each. */
    static final int SPINS_PER_CHECK = 64;
    static final int SPINS_BEFORE_YIELD = 256;

    private final Supplier<? extends ShardFuture<T>> task;
    private T value;
    private Throwable failure;
    private volatile boolean done;
    private volatile boolean abandoned;

    WaitingCall(Supplier<? extends ShardFuture<T>> task) {
        this.task = task;
    }

    /** On the target shard. */
    @Override
    public void run() {
        if (abandoned) {
            return;
        }
        ShardFuture<T> result;
        try {
            result = task.get();
        } catch (Throwable t) {
            FatalErrorHandler.rethrowIfFatal(t);
            finish(null, t);
            return;
        }
        result.whenComplete(this::finish);
    }

    private void finish(T v, Throwable t) {
        value = v;
        failure = t;
        done = true; // publishes value and failure to the waiting caller
    }

    void abandon() {
        abandoned = true;
    }

    /**
     * Waits on the calling shard's thread for the answer, running {@code whileWaiting} every
     * {@link #SPINS_PER_CHECK} spins (it may throw to give up) and giving the CPU away between looks
     * once the wait is long (on a host with fewer cores than busy threads the target needs it).
     */
    ShardFuture<T> await(Shard caller, Shard target, Runnable whileWaiting) {
        int spins = 0;
        while (!done) {
            Thread.onSpinWait();
            if (++spins % SPINS_PER_CHECK != 0) {
                continue;
            }
            try {
                whileWaiting.run();
                if (target.isTerminated()) {
                    throw new RejectedExecutionException("Shard " + target.id() + " stopped before it answered a waiting call");
                }
            } catch (RuntimeException | Error e) {
                abandon();
                throw e;
            }
            caller.flushOutbox(); // messages parked for a full ring move on, and sleeping targets wake
            if (spins >= SPINS_BEFORE_YIELD) {
                Thread.yield();
            }
        }
        return failure == null ? ShardFuture.completed(value) : ShardFuture.failed(failure);
    }
}
