package io.percore.net.pool;

import io.percore.net.ShardCounter;

/**
 * Counters of one {@link ConnectionPool} (one shard, one endpoint). Written by the shard, readable
 * from any thread. Acquire latency is a count plus a total (what a Micrometer FunctionTimer needs)
 * and a maximum.
 */
public final class PoolMetrics {

    final ShardCounter active = new ShardCounter();
    final ShardCounter idle = new ShardCounter();
    final ShardCounter pending = new ShardCounter();
    final ShardCounter connecting = new ShardCounter();
    final ShardCounter created = new ShardCounter();
    final ShardCounter closed = new ShardCounter();
    final ShardCounter connectFailures = new ShardCounter();
    final ShardCounter acquired = new ShardCounter();
    final ShardCounter acquireNanosTotal = new ShardCounter();
    final ShardCounter acquireNanosMax = new ShardCounter();
    final ShardCounter acquireRejected = new ShardCounter();
    final ShardCounter acquireTimeouts = new ShardCounter();

    /** Connections lent out right now. */
    public long activeConnections() {
        return active.get();
    }

    public long idleConnections() {
        return idle.get();
    }

    /** Acquisitions waiting for a connection. */
    public long pendingAcquisitions() {
        return pending.get();
    }

    public long connectingConnections() {
        return connecting.get();
    }

    public long connectionsCreated() {
        return created.get();
    }

    public long connectionsClosed() {
        return closed.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /** Successful acquisitions. */
    public long acquireCount() {
        return acquired.get();
    }

    /** Sum of the wait of every successful acquisition, in nanoseconds. */
    public long acquireTimeTotalNanos() {
        return acquireNanosTotal.get();
    }

    public long acquireTimeMaxNanos() {
        return acquireNanosMax.get();
    }

    /** Acquisitions failed at once because max-pending-acquisitions was reached. */
    public long acquireRejected() {
        return acquireRejected.get();
    }

    public long acquireTimeouts() {
        return acquireTimeouts.get();
    }

    void recordAcquire(long nanos) {
        acquired.increment();
        acquireNanosTotal.add(nanos);
        if (nanos > acquireNanosMax.get()) {
            acquireNanosMax.set(nanos);
        }
    }

    @Override
    public String toString() {
        return "active=" + active + " idle=" + idle + " pending=" + pending + " connecting=" + connecting
                + " created=" + created + " closed=" + closed + " connectFailures=" + connectFailures
                + " acquired=" + acquired + " rejected=" + acquireRejected + " timeouts=" + acquireTimeouts;
    }
}
