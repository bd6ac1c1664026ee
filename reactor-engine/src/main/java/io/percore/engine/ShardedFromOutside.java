package io.percore.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link Sharded} service seen from a thread that is not one of its shards (Spring beans,
 * Actuator, tests): the service's operations as {@link CompletableFuture}s, which complete on the
 * target shard's thread. On a shard use the {@link Sharded} methods instead, whose
 * {@link ShardFuture}s complete back on the calling shard. Like them, nothing here hands an
 * instance to the caller: only the results of the functions travel.
 */
public final class ShardedFromOutside<T> {

    private final Sharded<T> sharded;

    ShardedFromOutside(Sharded<T> sharded) {
        this.sharded = sharded;
    }

    /** Applies {@code fn} to shard {@code shard}'s instance, on that shard. */
    public <R> CompletableFuture<R> invokeOn(int shard, Function<? super T, ? extends R> fn) {
        return sharded.submitFromOutside(shard, fn);
    }

    /** Runs {@code action} on every shard's instance, each on its shard, concurrently. */
    public CompletableFuture<Void> invokeOnAll(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        CompletableFuture<?>[] all = new CompletableFuture<?>[sharded.shardCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = sharded.submitFromOutside(i, instance -> {
                action.accept(instance);
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
        CompletableFuture<R>[] parts = new CompletableFuture[sharded.shardCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = sharded.submitFromOutside(i, mapper);
        }
        return CompletableFuture.allOf(parts).thenApply(ignored -> {
            R acc = identity;
            for (CompletableFuture<R> p : parts) {
                acc = reducer.apply(acc, p.join());
            }
            return acc;
        });
    }

    /** Maps every instance on its shard and gives the results in shard order (a figure per shard). */
    public <R> CompletableFuture<List<R>> mapEach(Function<? super T, ? extends R> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return mapReduce(instance -> List.<R>of(mapper.apply(instance)), List.<R>of(), (all, one) -> {
            List<R> joined = new ArrayList<>(all.size() + 1);
            joined.addAll(all);
            joined.addAll(one);
            return joined;
        });
    }
}
