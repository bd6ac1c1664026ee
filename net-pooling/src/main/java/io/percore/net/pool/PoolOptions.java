package io.percore.net.pool;

import io.percore.config.ClientPoolConfig;
import io.percore.net.ClientSettingRules;
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

    /**
     * Limits given in code. Every one of them but the acquire timeout is a key of
     * {@code percore.clients.<name>} and meets config-schema's rule for it at once (defaults too are
     * the model's); the acquire timeout, which configuration ties to {@code connect-timeout}, has
     * only the precondition any timeout has.
     */
    public static final class Builder {
        private static final ClientPoolConfig DEFAULTS = new ClientPoolConfig();

        private int maxConnections = DEFAULTS.getMaxConnections();
        private int maxPendingAcquisitions = DEFAULTS.getMaxPendingAcquisitions();
        private Duration connectTimeout = DEFAULTS.getConnectTimeout();
        private Duration acquireTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = DEFAULTS.getIdleTimeout();

        private Builder() {
        }

        public Builder maxConnections(int max) {
            ClientSettingRules.require("max-connections", c -> c.setMaxConnections(max));
            this.maxConnections = max;
            return this;
        }

        public Builder maxPendingAcquisitions(int max) {
            ClientSettingRules.require("max-pending-acquisitions", c -> c.setMaxPendingAcquisitions(max));
            this.maxPendingAcquisitions = max;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            ClientSettingRules.require("connect-timeout", c -> c.setConnectTimeout(d));
            this.connectTimeout = d;
            return this;
        }

        /** How long an acquisition waits; in configuration it is {@code connect-timeout}. */
        public Builder acquireTimeout(Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("acquireTimeout must be a positive duration, got " + d);
            }
            this.acquireTimeout = d;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            ClientSettingRules.require("idle-timeout", c -> c.setIdleTimeout(d));
            this.idleTimeout = d;
            return this;
        }

        public PoolOptions build() {
            return new PoolOptions(this);
        }
    }
}
