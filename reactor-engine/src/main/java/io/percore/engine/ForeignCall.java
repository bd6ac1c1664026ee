package io.percore.engine;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/** A call from a non-shard thread, answered through a CompletableFuture. */
final class ForeignCall<T> implements Runnable {

    private final Callable<T> task;
    final CompletableFuture<T> result = new CompletableFuture<>();

    ForeignCall(Callable<T> task) {
        this.task = task;
    }

    @Override
    public void run() {
        try {
            result.complete(task.call());
        } catch (Throwable t) {
            Shard.LOG.debug("Task submitted from outside the engine failed", t);
            result.completeExceptionally(t);
            FatalErrorHandler.rethrowIfFatal(t);
        }
    }

    void reject(RejectedExecutionException e) {
        result.completeExceptionally(e);
    }
}
