package io.percore.net.pool;

import java.time.Duration;

/** Immutable limits of a {@link ConnectionPool} (one shard, one endpoint). */
public final class PoolOptions {

    private final int maxConnections;
    private final int maxPendingAcquisitions;
    private final Duration connectTimeout;
    private final Duration acquireTimeout;
    private final Duration idleTimeout;

    private PoolOptions(Builder b) {
        this.maxConnections = b.maxConnections;
        this.maxPendingAcquisitions = b.maxPendingAcquisitions;
        this.connectTimeout = b.connectTimeout;
        this.acquireTimeout = b.acquireTimeout;
        this.idleTimeout = b.idleTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().maxConnections(maxConnections).maxPendingAcquisitions(maxPendingAcquisitions)
                .connectTimeout(connectTimeout).acquireTimeout(acquireTimeout).idleTimeout(idleTimeout);
    }

    /** Connections this pool keeps open at most. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Acquisitions that may wait for a connection; beyond that, acquire fails at once. */
    public int maxPendingAcquisitions() {
        return maxPendingAcquisitions;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long an acquisition may wait for a free connection. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** An unused connection is closed after this; {@link Duration#ZERO} keeps idle connections. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public String toString() {
        return "PoolOptions{maxConnections=" + maxConnections + ", maxPendingAcquisitions=" + maxPendingAcquisitions
                + ", connectTimeout=" + connectTimeout + ", acquireTimeout=" + acquireTimeout
                + ", idleTimeout=" + idleTimeout + '}';
    }

    public static final class Builder {
        private int maxConnections = 8;
        private int maxPendingAcquisitions = 1024;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration acquireTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max-connections must be >= 1, got " + max);
            }
            this.maxConnections = max;
            return this;
        }

        public Builder maxPendingAcquisitions(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("max-pending-acquisitions must be >= 0, got " + max);
            }
            this.maxPendingAcquisitions = max;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connect-timeout", d);
            return this;
        }

        public Builder acquireTimeout(Duration d) {
            this.acquireTimeout = positive("acquire-timeout", d);
            return this;
        }

        public Builder idleTimeout(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("idle-timeout must be a non-negative duration, got " + d);
            }
            this.idleTimeout = d;
            return this;
        }

        public PoolOptions build() {
            return new PoolOptions(this);
        }

        static Duration positive(String key, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
            }
            return d;
        }
    }
}
