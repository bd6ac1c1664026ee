package io.percore.engine;

import java.util.concurrent.ScheduledFuture;

/** A timer callback on a shard: counts firings and keeps a throwing callback from killing the timer. */
final class TimerTask implements Runnable, Cancellable {

    private final Shard shard;
    private final Runnable task;
    volatile ScheduledFuture<?> future;
    private volatile boolean cancelled;

    TimerTask(Shard shard, Runnable task) {
        this.shard = shard;
        this.task = task;
    }

    @Override
    public void run() {
        if (cancelled) {
            return;
        }
        shard.timerFired();
        try {
            task.run();
        } catch (Throwable t) {
            // Netty runs timers and logs what they throw: the shard is marked before that.
            FatalErrorHandler.rethrowIfFatal(t);
            shard.taskFailed(t, "timer");
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean cancel() {
        if (cancelled) {
            return false;
        }
        cancelled = true;
        ScheduledFuture<?> f = future;
        return f == null || f.cancel(false) || !f.isDone();
    }
}
