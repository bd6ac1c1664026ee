package io.percore.engine;

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
 * instances need no synchronization. Reach another shard's instance by sending it work.
 *
 * <pre>{@code
 * Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter());
 * counters.invokeOnAll(Counter::increment).join();
 * long total = counters.mapReduce(Counter::value, 0L, Long::sum).join();
 * counters.stop().join();
 * }</pre>
 */
public final class Sharded<T> {

    private final Engine engine;
    /** Slot i is written and read only by shard i's thread. */
    private final Object[] instances;
    private volatile boolean stopped;

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
        Shard s = Shard.current();
        if (s.engine() != engine) {
            throw new IllegalStateException("Shard " + s.id() + " belongs to another engine");
        }
        checkRunning();
        return (T) instances[s.id()];
    }

    /** Applies {@code fn} to shard {@code shard}'s instance, on that shard. */
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> invokeOn(int shard, Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        checkRunning();
        return engine.submitTo(shard, () -> fn.apply((T) instances[shard]));
    }

    /** Runs {@code action} on every shard's instance, each on its shard, concurrently. */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Void> invokeOnAll(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        checkRunning();
        CompletableFuture<?>[] all = new CompletableFuture<?>[instances.length];
        for (int i = 0; i < all.length; i++) {
            int shard = i;
            all[i] = engine.submitTo(shard, () -> {
                action.accept((T) instances[shard]);
                return null;
            });
        }
        return CompletableFuture.allOf(all);
    }

    /**
     * Maps every instance on its shard, then folds the results in shard order:
     * {@code reducer(...reducer(reducer(identity, r0), r1)..., rN-1)}.
     */
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> mapReduce(Function<? super T, ? extends R> mapper, R identity, BinaryOperator<R> reducer) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(reducer, "reducer");
        checkRunning();
        CompletableFuture<R>[] parts = new CompletableFuture[instances.length];
        for (int i = 0; i < parts.length; i++) {
            int shard = i;
            parts[i] = engine.submitTo(shard, () -> mapper.apply((T) instances[shard]));
        }
        return CompletableFuture.allOf(parts).thenApply(ignored -> {
            R acc = identity;
            for (CompletableFuture<R> p : parts) {
                acc = reducer.apply(acc, p.join());
            }
            return acc;
        });
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

    private void checkRunning() {
        if (stopped) {
            throw new IllegalStateException("This sharded service has been stopped");
        }
    }
}
