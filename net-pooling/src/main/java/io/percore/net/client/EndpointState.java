package io.percore.net.client;

import io.percore.net.health.EndpointHealth;
import io.percore.net.lb.LbEndpoint;
import io.percore.net.lb.PeakEwma;
import io.percore.net.pool.ConnectionPool;
import io.percore.net.pool.Endpoint;

/** One endpoint on one shard: its pool, its health, its load. Shard-local. */
final class EndpointState extends EndpointHealth implements LbEndpoint {

    /** Latency memory of the peak-EWMA estimate. */
    private static final long EWMA_TAU_NANOS = 10_000_000_000L;

    final Endpoint endpoint;
    final ConnectionPool pool;
    final EndpointMetrics metrics;
    final PeakEwma latency = new PeakEwma(EWMA_TAU_NANOS);
    int outstanding;
    boolean probing;

    EndpointState(Endpoint endpoint, ConnectionPool pool) {
        this.endpoint = endpoint;
        this.pool = pool;
        this.metrics = new EndpointMetrics(endpoint, pool.metrics());
    }

    @Override
    public String id() {
        return endpoint.id();
    }

    @Override
    public boolean isAvailable() {
        boolean available = isAvailableAt(System.nanoTime());
        metrics.available.set(available ? 1 : 0);
        return available;
    }

    @Override
    public int outstanding() {
        return outstanding;
    }

    @Override
    public double latencyEstimateNanos(long nowNanos) {
        return latency.estimateNanos();
    }
}
