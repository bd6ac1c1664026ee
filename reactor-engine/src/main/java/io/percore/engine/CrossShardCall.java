package io.percore.engine;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * One cross-shard call, travelling caller → target (request) and back (response) as the same
 * object. It is owned by the caller shard, which recycles it into a shard-local pool after the
 * response, so a round trip allocates no message objects.
 */
final class CrossShardCall implements Runnable, FutureListener<Object> {

    Shard caller;
    Shard target;
    Callable<?> task;
    Supplier<? extends ShardFuture<?>> asyncTask;
    ShardFuture<Object> promise;
    Object value;
    Throwable failure;
    boolean responding;
    int group;

    @SuppressWarnings("unchecked")
    void init(Shard caller, Shard target, Callable<?> task, Supplier<? extends ShardFuture<?>> asyncTask,
              ShardFuture<?> promise, int group) {
        this.caller = caller;
        this.target = target;
        this.task = task;
        this.asyncTask = asyncTask;
        this.promise = (ShardFuture<Object>) promise;
        this.group = group;
        this.responding = false;
    }

    @Override
    public void run() {
        if (responding) {
            completeOnCaller();
        } else {
            runOnTarget();
        }
    }

    @SuppressWarnings("unchecked")
    private void runOnTarget() {
        if (asyncTask != null) {
            ShardFuture<Object> result;
            try {
                result = (ShardFuture<Object>) asyncTask.get();
            } catch (Throwable t) {
                FatalErrorHandler.rethrowIfFatal(t);
                respond(null, t);
                return;
            }
            if (result == null) {
                respond(null, new NullPointerException("submitToAsync task returned a null future"));
                return;
            }
            result.addListener(this);
            return;
        }
        Object v;
        try {
            v = task.call();
        } catch (Throwable t) {
            FatalErrorHandler.rethrowIfFatal(t);
            respond(null, t);
            return;
        }
        respond(v, null);
    }

    /** The async task's future completed (on its owner, normally the target shard). */
    @Override
    public void onComplete(ShardFuture<Object> completed) {
        if (!target.inShardThread()) {
            Object v = completed.getNow();
            Throwable t = completed.cause();
            target.executeInternal(() -> respond(v, t));
            return;
        }
        respond(completed.getNow(), completed.cause());
    }

    private void respond(Object v, Throwable t) {
        value = v;
        failure = t;
        responding = true;
        task = null;
        asyncTask = null;
        if (t != null) {
            Shard.LOG.debug("Cross-shard call from shard {} failed on shard {}", caller.id(), target.id(), t);
        }
        target.sendTo(caller.id(), this);
    }

    /** Forgets a call that was never sent (refused), so the pool holds nothing of it. */
    void clear() {
        caller = null;
        target = null;
        task = null;
        asyncTask = null;
        promise = null;
    }

    private void completeOnCaller() {
        ShardFuture<Object> p = promise;
        Object v = value;
        Throwable t = failure;
        Shard owner = caller;
        caller = null;
        target = null;
        promise = null;
        value = null;
        failure = null;
        owner.calls().recycle(this);
        if (t == null) {
            p.setSuccess0(v);
        } else {
            p.setFailure0(t);
        }
    }
}
