package io.percore.sample.webflux;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.util.HashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Thread-per-core counters: each key is owned by one shard ({@code hash % shards}) and lives in that
 * shard's plain {@link HashMap}, never touched by another thread, so no lock, no atomic, no shared
 * cache line. A request served by the owner updates it in place; one served by the other shard sends
 * the update to the owner over the mesh ({@link Sharded#invokeOn}) and answers when it returns.
 */
final class ShardedKeyCounts implements KeyCounts {

    /** One shard's counters. A mutable cell per key: an increment allocates nothing. */
    static final class ShardCounts {
        private final Map<String, long[]> counts = new HashMap<>();

        long increment(String key) {
            long[] count = counts.get(key);
            if (count == null) {
                if (counts.size() >= MAX_KEYS) {
                    throw new TooManyKeys();
                }
                count = new long[1];
                counts.put(key, count);
            }
            return ++count[0];
        }

        long get(String key) {
            long[] count = counts.get(key);
            return count == null ? 0 : count[0];
        }
    }

    private final Engine engine;
    private final Sharded<ShardCounts> counts;

    ShardedKeyCounts(Engine engine, Sharded<ShardCounts> counts) {
        this.engine = engine;
        this.counts = counts;
    }

    int ownerOf(String key) {
        return Math.floorMod(key.hashCode(), engine.shardCount());
    }

    @Override
    public Mono<Long> increment(String key) {
        int owner = ownerOf(key);
        Shard here = Shard.currentOrNull();
        if (here == null) { // a thread off the shards (a test, a blocking scheduler): through the engine's edge
            return Mono.fromFuture(counts.fromOutside().invokeOn(owner, c -> c.increment(key)));
        }
        if (here.id() == owner) {
            try {
                return Mono.just(counts.local().increment(key));
            } catch (TooManyKeys e) {
                return Mono.error(e);
            }
        }
        return toMono(counts.invokeOn(owner, c -> c.increment(key)));
    }

    @Override
    public Mono<Long> get(String key) {
        int owner = ownerOf(key);
        Shard here = Shard.currentOrNull();
        if (here == null) {
            return Mono.fromFuture(counts.fromOutside().invokeOn(owner, c -> c.get(key)));
        }
        return here.id() == owner ? Mono.just(counts.local().get(key)) : toMono(counts.invokeOn(owner, c -> c.get(key)));
    }

    /** The answer, delivered on the calling shard (where a {@link ShardFuture} completes) without a CompletableFuture. */
    private static <T> Mono<T> toMono(ShardFuture<T> future) {
        return Mono.create(sink -> future.onComplete(done -> {
            if (done.isSuccess()) {
                sink.success(done.getNow());
            } else {
                sink.error(done.cause());
            }
        }));
    }
}
