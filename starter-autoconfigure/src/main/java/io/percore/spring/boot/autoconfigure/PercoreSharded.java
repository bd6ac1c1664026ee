package io.percore.spring.boot.autoconfigure;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import java.util.function.IntFunction;

/**
 * Declares a sharded service (one instance per shard, created on its shard) as a Spring bean:
 *
 * <pre>{@code
 * @Bean
 * Sharded<Counter> counters(Engine engine) {
 *     return PercoreSharded.of(engine, shard -> new Counter());
 * }
 * }</pre>
 *
 * The instances exist when the bean is injected. The starter's {@link ShardedServiceRegistry}
 * stops the service (closing {@link AutoCloseable} instances on their shards) before the engine
 * stops.
 */
public final class PercoreSharded {

    private PercoreSharded() {
    }

    /**
     * Creates one instance per shard with {@code factory.apply(shardId)}, each on its own shard.
     *
     * @throws IllegalStateException if the engine is not running, or rethrows the factory's failure
     */
    public static <T> Sharded<T> of(Engine engine, IntFunction<T> factory) {
        if (!engine.isRunning()) {
            throw new IllegalStateException("Cannot create a sharded service: the Percore engine is not running (" + engine + ")");
        }
        return Sharded.start(engine, factory);
    }
}
