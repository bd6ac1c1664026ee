package io.percore.sample.webflux;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * The shared-memory way, as an application on Spring Boot's own server keeps per-key state: one
 * {@link ConcurrentHashMap} of {@link AtomicLong}s that every event loop reads and updates.
 */
final class ConcurrentKeyCounts implements KeyCounts {

    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

    @Override
    public Mono<Long> increment(String key) {
        AtomicLong count = counts.get(key);
        if (count == null) {
            if (counts.size() >= MAX_KEYS) {
                return Mono.error(new TooManyKeys());
            }
            count = counts.computeIfAbsent(key, k -> new AtomicLong());
        }
        return Mono.just(count.incrementAndGet());
    }

    @Override
    public Mono<Long> get(String key) {
        AtomicLong count = counts.get(key);
        return Mono.just(count == null ? 0 : count.get());
    }
}
