package io.percore.sample.webflux;

import reactor.core.publisher.Mono;

/**
 * Per-key counters behind {@code /counters/{key}}: what benchmarks/run-webflux-state.sh measures,
 * the same handler over thread-per-core state ({@link ShardedKeyCounts}, on the shards) and over
 * shared state ({@link ConcurrentKeyCounts}, on Spring Boot's own server).
 */
interface KeyCounts {

    /** Most distinct keys one map holds (per shard on the shards): every key a client sends costs memory. */
    int MAX_KEYS = 100_000;

    /** Adds one to {@code key}'s count and answers the new count; fails with {@link TooManyKeys} for a new key past {@link #MAX_KEYS}. */
    Mono<Long> increment(String key);

    /** {@code key}'s count, 0 when it was never incremented. */
    Mono<Long> get(String key);

    /** A new key was refused: the map holds {@link #MAX_KEYS} already. */
    final class TooManyKeys extends RuntimeException {
        TooManyKeys() {
            super("too many keys: a counter map holds at most " + MAX_KEYS);
        }
    }
}
