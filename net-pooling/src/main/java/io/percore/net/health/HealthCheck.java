package io.percore.net.health;

import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.net.pool.Endpoint;
import java.time.Duration;

/**
 * One active probe of an endpoint, run on {@code shard}. The future succeeds if the endpoint is
 * healthy and fails (with the reason) otherwise; the checker also fails it after {@code timeout}.
 * Implementations: {@link TcpConnectHealthCheck}, {@link RedisPingHealthCheck}.
 */
@FunctionalInterface
public interface HealthCheck {
    ShardFuture<Void> probe(Shard shard, Endpoint endpoint, Duration timeout);
}
