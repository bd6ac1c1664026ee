package io.percore.net.client;

import io.percore.net.ShardCounter;
import io.percore.net.pool.Endpoint;
import io.percore.net.pool.PoolMetrics;

/** What one shard saw of one endpoint. Written by the shard, readable from any thread. */
public final class EndpointMetrics {

    private final Endpoint endpoint;
    private final PoolMetrics pool;
    final ShardCounter picks = new ShardCounter();
    final ShardCounter failures = new ShardCounter();
    final ShardCounter ejections = new ShardCounter();
    final ShardCounter available = new ShardCounter();
    final ShardCounter outstanding = new ShardCounter();

    EndpointMetrics(Endpoint endpoint, PoolMetrics pool) {
        this.endpoint = endpoint;
        this.pool = pool;
        available.set(1);
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The connection pool's counters (active/idle/pending connections, acquire latency). */
    public PoolMetrics pool() {
        return pool;
    }

    /** Times the load balancer chose this endpoint (retries included). */
    public long picks() {
        return picks.get();
    }

    /** Failed requests (connect errors, timeouts, lost connections). */
    public long failures() {
        return failures.get();
    }

    /** Times outlier ejection took it out of rotation. */
    public long ejections() {
        return ejections.get();
    }

    /** Whether it was healthy and not ejected at the last change the shard saw. */
    public boolean available() {
        return available.get() == 1;
    }

    public long outstandingRequests() {
        return outstanding.get();
    }

    @Override
    public String toString() {
        return endpoint + ": picks=" + picks + " failures=" + failures + " ejections=" + ejections
                + " available=" + available() + " pool{" + pool + "}";
    }
}
