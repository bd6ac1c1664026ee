package io.percore.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One instance of a service per shard, each created on and used only by its own shard, so the
 * instances need no synchronization. Reach another shard's instance by sending it work, as with
 * Seastar's {@code sharded<T>}: on a shard, {@link #invokeOn}, {@link #invokeOnAll} and
 * {@link #mapReduce} return a {@link ShardFuture} that completes back on the calling shard, and
 * no method hands another shard's instance to the caller. Threads that are not shards use
 * {@link #fromOutside()}, which gives the same operations as {@link CompletableFuture}s.
 *
 * <pre>{@code
 * Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter());
 * // on a shard thread:
 * counters.invokeOnAll(Counter::increment).map(v -> ...);
 * // from Spring or a test:
 * long total = counters.fromOutside().mapReduce(Counter::value, 0L, Long::sum).join();
 * counters.stop().join();
 * }</pre>
 */
public final class Sharded<T> {

    private final Engine engine;
    /** Slot i is written and read only by shard i's thread. */
    private final Object[] instances;
    private volatile boolean stopped;
    private final ShardedFromOutside<T> fromOutside = new ShardedFromOutside<>(this);

    private Sharded(Engine engine) {
        this.engine = engine;
        this.instances = new Object[engine.shardCount()];
    }

    /**
     * Creates the instances, {@code factory.apply(shardId)} running on each shard, and blocks until
     * all exist. If a factory throws, the instances already made are stopped and the failure is
     * rethrown.
     *
     * @throws IllegalStateException on a shard thread (blocking would stall it; use {@link #startAsync})
     */
    public static <T> Sharded<T> start(Engine engine, IntFunction<T> factory) {
        if (Shard.currentOrNull() != null) {
            throw new IllegalStateException("Sharded.start blocks and cannot run on a shard thread; use startAsync");
        }
        try {
            return startAsync(engine, factory).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting a sharded service", e);
        } catch (ExecutionException e) {
            Throwable cause = ShardFuture.unwrap(e);
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new CompletionException(cause);
        }
    }

    /** Like {@link #start}, without blocking. */
    public static <T> CompletableFuture<Sharded<T>> startAsync(Engine engine, IntFunction<T> factory) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(factory, "factory");
        Sharded<T> sharded = new Sharded<>(engine);
        CompletableFuture<?>[] created = new CompletableFuture<?>[engine.shardCount()];
        for (int i = 0; i < created.length; i++) {
            int shard = i;
            created[i] = engine.submitTo(shard, () -> {
                T instance = factory.apply(shard);
                if (instance == null) {
                    throw new NullPointerException("Sharded factory returned null on shard " + shard);
                }
                sharded.instances[shard] = instance;
                return null;
            });
        }
        return CompletableFuture.allOf(created).handle((ok, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(sharded);
            }
            return sharded.stop().handle((v, e) -> {
                throw new CompletionException(ShardFuture.unwrap(failure));
            });
        }).thenCompose(f -> (CompletableFuture<Sharded<T>>) f);
    }

    /** This shard's instance. @throws IllegalStateException off a shard of this engine */
    @SuppressWarnings("unchecked")
    public T local() {
        Shard s = callerShard("local");
        checkRunning();
        return (T) instances[s.id()];
    }

    /**
     * Applies {@code fn} to shard {@code shard}'s instance, on that shard; the future completes on
     * the calling shard. When the caller is that shard {@code fn} runs inline (as Seastar's
     * {@code invoke_on} does), so calls from one shard to another stay in order (the mesh is FIFO
     * per pair). The instance never leaves its shard: only {@code fn}'s result travels.
     *
     * @throws IllegalStateException off a shard thread of this engine (use {@link #fromOutside()})
     */
    public <R> ShardFuture<R> invokeOn(int shard, Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        Shard caller = callerShard("invokeOn");
        checkRunning();
        checkShard(shard);
        if (caller.id() == shard) {
            try {
                return ShardFuture.completed(fn.apply(instance(shard)));
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            }
        }
        return caller.submitTo(shard, () -> fn.apply(instance(shard)));
    }

    /**
     * Runs {@code action} on every shard's instance, each on its shard, concurrently; completes on
     * the calling shard when all have run (failing with the first failure in shard order).
     *
     * @throws IllegalStateException off a shard thread of this engine (use {@link #fromOutside()})
     */
    public ShardFuture<Void> invokeOnAll(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return mapReduceOnShard("invokeOnAll", instance -> {
            action.accept(instance);
            return null;
        }, null, (a, b) -> null);
    }

    /**
     * Maps every instance on its shard (concurrently), then folds the results on the calling shard
     * in shard order: {@code reducer(...reducer(reducer(identity, r0), r1)..., rN-1)}.
     *
     * @throws IllegalStateException off a shard thread of this engine (use {@link #fromOutside()})
     */
    public <R> ShardFuture<R> mapReduce(Function<? super T, ? extends R> mapper, R identity, BinaryOperator<R> reducer) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(reducer, "reducer");
        return mapReduceOnShard("mapReduce", mapper, identity, reducer);
    }

    private <R> ShardFuture<R> mapReduceOnShard(String method, Function<? super T, ? extends R> mapper, R identity,
                                                BinaryOperator<R> reducer) {
        callerShard(method);
        checkRunning();
        List<ShardFuture<? extends R>> parts = new ArrayList<>(instances.length);
        for (int i = 0; i < instances.length; i++) {
            parts.add(invokeOn(i, mapper)); // all sent before any is awaited
        }
        ShardFuture<R> acc = ShardFuture.completed(identity);
        for (ShardFuture<? extends R> part : parts) {
            acc = acc.flatMap(sofar -> part.map(r -> reducer.apply(sofar, r)));
        }
        return acc;
    }

    /**
     * The same operations for threads that are not shards (Spring beans, tests, Actuator):
     * {@link CompletableFuture}s that complete on the target shard's thread.
     */
    public ShardedFromOutside<T> fromOutside() {
        return fromOutside;
    }

    /** Submits from a non-shard thread; used by {@link ShardedFromOutside}. */
    @SuppressWarnings("unchecked")
    <R> CompletableFuture<R> submitFromOutside(int shard, Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        checkRunning();
        checkShard(shard);
        return engine.submitTo(shard, () -> fn.apply(instance(shard)));
    }

    /**
     * Stops the service: on shard 0, then 1, ... in order, each instance that is
     * {@link AutoCloseable} is closed on its own shard. A failing close is recorded and the
     * remaining shards are still stopped; the returned future then fails with the first error.
     */
    public CompletableFuture<Void> stop() {
        stopped = true;
        CompletableFuture<Throwable> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < instances.length; i++) {
            int shard = i;
            chain = chain.thenCompose(firstError -> engine.submitTo(shard, () -> {
                Object instance = instances[shard];
                instances[shard] = null;
                if (instance instanceof AutoCloseable) {
                    ((AutoCloseable) instance).close();
                }
                return null;
            }).handle((ok, e) -> firstError != null ? firstError : (e == null ? null : ShardFuture.unwrap(e))));
        }
        return chain.thenApply(firstError -> {
            if (firstError != null) {
                throw new CompletionException(firstError);
            }
            return null;
        });
    }

    public int shardCount() {
        return instances.length;
    }

    @SuppressWarnings("unchecked")
    private T instance(int shard) {
        return (T) instances[shard];
    }

    private Shard callerShard(String method) {
        Shard s = Shard.currentOrNull();
        if (s == null) {
            throw new IllegalStateException("Sharded." + method + " must run on a shard thread of this engine (thread '"
                    + Thread.currentThread().getName() + "'); from other threads use sharded.fromOutside()");
        }
        if (s.engine() != engine) {
            throw new IllegalStateException("Shard " + s.id() + " belongs to another engine");
        }
        return s;
    }

    private void checkShard(int shard) {
        if (shard < 0 || shard >= instances.length) {
            throw new IndexOutOfBoundsException("No shard " + shard + " (shards: " + instances.length + ")");
        }
    }

    private void checkRunning() {
        if (stopped) {
            throw new IllegalStateException("This sharded service has been stopped");
        }
    }
}
