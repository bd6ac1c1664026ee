package io.percore.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A shard's timers: Netty's scheduler on the shard's loop, which the loop fires in its step 4.
 * Each callback goes through a {@link TimerTask}, so a firing is counted and a callback that
 * throws is logged instead of ending its timer.
 */
final class ShardTimers {

    private final Shard shard;

    ShardTimers(Shard shard) {
        this.shard = shard;
    }

    Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        long nanos = nonNegative(delay, "delay");
        TimerTask t = new TimerTask(shard, task);
        t.future = liveLoop().schedule(t, nanos, TimeUnit.NANOSECONDS);
        return t;
    }

    Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        long initial = nonNegative(initialDelay, "initialDelay");
        long p = nonNegative(period, "period");
        if (p == 0) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        TimerTask t = new TimerTask(shard, task);
        t.future = liveLoop().scheduleAtFixedRate(t, initial, p, TimeUnit.NANOSECONDS);
        return t;
    }

    <T> ShardFuture<T> timeout(ShardFuture<T> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        long nanos = nonNegative(timeout, "timeout");
        ShardPromise<T> result = new ShardPromise<>(shard, true);
        Cancellable timer = schedule(Duration.ofNanos(nanos),
                () -> result.setFailure0(new TimeoutException("Timed out after " + timeout + " on shard " + shard.id())));
        future.addListener(f -> {
            timer.cancel();
            result.completeFrom(f);
        });
        return result;
    }

    /** The shard's loop, if it still runs: a timer handed to a loop that has gone would never fire. */
    private ShardEventLoop liveLoop() {
        ShardEventLoop l = shard.eventLoop();
        if (l == null || shard.isTerminated() || l.isShuttingDown()) {
            throw Engine.closedException();
        }
        return l;
    }

    private static long nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return d.toNanos();
    }
}
