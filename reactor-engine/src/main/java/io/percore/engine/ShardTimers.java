package io.percore.engine;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A shard's timers: Netty's scheduler on the shard's loop, which the loop fires in its step 4.
 * Each callback goes through a {@link TimerTask}, so a firing is counted and a callback that
 * throws is logged instead of ending its timer.
 *
 * <p>Fixed-rate timers of one period whose first run is one period away (the crons: a service's own, its keyspace's, its
 * persistence's, each every 100 ms) share one timer of the loop, a {@link Tick}: they fire in one wakeup of an idle
 * shard instead of one each, and a timer joining a running tick first runs at its next firing, within one period.
 */
final class ShardTimers {

    private final Shard shard;
    /** The shared timers by period in nanoseconds; guarded by {@code this}. */
    private final Map<Long, Tick> ticks = new HashMap<>();

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
        if (initial == p) {
            ShardEventLoop loop = liveLoop();
            synchronized (this) {
                Tick tick = ticks.get(p);
                if (tick == null) {
                    tick = new Tick(p);
                    ticks.put(p, tick);
                    tick.future = loop.scheduleAtFixedRate(tick, p, p, TimeUnit.NANOSECONDS);
                }
                tick.add(t);
            }
            return t;
        }
        t.future = liveLoop().scheduleAtFixedRate(t, initial, p, TimeUnit.NANOSECONDS);
        return t;
    }

    /**
     * The timers of one period firing together: each runs as its own {@link TimerTask} would (counted, its failure logged),
     * a cancelled one is dropped at the next firing, and the loop's timer ends with the last of them.
     */
    private final class Tick implements Runnable {

        private final long periodNanos;
        /** Replaced whole under the lock, read by each firing without it. */
        private volatile TimerTask[] members = new TimerTask[0];
        ScheduledFuture<?> future;

        Tick(long periodNanos) {
            this.periodNanos = periodNanos;
        }

        /** Under the lock. */
        void add(TimerTask t) {
            TimerTask[] more = Arrays.copyOf(members, members.length + 1);
            more[more.length - 1] = t;
            members = more;
        }

        @Override
        public void run() {
            boolean cancelled = false;
            for (TimerTask t : members) {
                t.run();
                cancelled |= t.isCancelled();
            }
            if (cancelled) {
                synchronized (ShardTimers.this) {
                    members = Arrays.stream(members).filter(t -> !t.isCancelled()).toArray(TimerTask[]::new);
                    if (members.length == 0) {
                        ticks.remove(periodNanos, this);
                        future.cancel(false);
                    }
                }
            }
        }
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
