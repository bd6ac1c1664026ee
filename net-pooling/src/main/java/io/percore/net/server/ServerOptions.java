package io.percore.net.server;

import io.percore.config.ServerConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link ShardedServer}. Build with {@link #builder()} or adapt the
 * configuration model with {@link #from(ServerConfig)}.
 */
public final class ServerOptions {

    private final String bindAddress;
    private final int port;
    private final int maxConnectionsPerShard;
    private final Duration idleTimeout;
    private final int maxRequestSize;
    private final int maxPendingReplies;
    private final Duration gracefulShutdownTimeout;
    private final boolean reusePort;

    private ServerOptions(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.maxConnectionsPerShard = b.maxConnectionsPerShard;
        this.idleTimeout = b.idleTimeout;
        this.maxRequestSize = b.maxRequestSize;
        this.maxPendingReplies = b.maxPendingReplies;
        this.gracefulShutdownTimeout = b.gracefulShutdownTimeout;
        this.reusePort = b.reusePort;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options from the configuration model ({@code percore.servers.<name>.*}), validated first by
     * config-schema's validator (its schema caps {@code max-request-size} at
     * {@link Integer#MAX_VALUE}, since Netty frames are int-sized).
     *
     * @throws ConfigValidationException with the validator's errors (path, value, rule)
     */
    public static ServerOptions from(String name, ServerConfig config) {
        Objects.requireNonNull(config, "config");
        ConfigValidationException.throwIfAny(ConfigValidator.shared().validateServer(name, config));
        return builder()
                .bindAddress(config.getBindAddress())
                .port(config.getPort())
                .maxConnectionsPerShard(config.getMaxConnectionsPerShard())
                .idleTimeout(config.getIdleTimeout())
                .maxRequestSize(Math.toIntExact(config.getMaxRequestSize()))
                .maxPendingReplies(config.getMaxPendingReplies())
                .gracefulShutdownTimeout(config.getGracefulShutdownTimeout())
                .reusePort(config.isReusePort())
                .build();
    }

    public Builder toBuilder() {
        return builder().bindAddress(bindAddress).port(port).maxConnectionsPerShard(maxConnectionsPerShard)
                .idleTimeout(idleTimeout).maxRequestSize(maxRequestSize).maxPendingReplies(maxPendingReplies)
                .gracefulShutdownTimeout(gracefulShutdownTimeout).reusePort(reusePort);
    }

    public String bindAddress() {
        return bindAddress;
    }

    /** 0 = an ephemeral port chosen by the kernel for shard 0 and shared by all shards. */
    public int port() {
        return port;
    }

    public int maxConnectionsPerShard() {
        return maxConnectionsPerShard;
    }

    /** {@link Duration#ZERO} disables the idle timeout. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Largest request a peer may send; the initializer reads it from {@link ServerChannelContext}. */
    public int maxRequestSize() {
        return maxRequestSize;
    }

    /**
     * Replies one connection may have outstanding before reading from it pauses; the
     * {@link OrderedResponder} of each connection enforces it.
     */
    public int maxPendingReplies() {
        return maxPendingReplies;
    }

    public Duration gracefulShutdownTimeout() {
        return gracefulShutdownTimeout;
    }

    /** Whether to bind one listener per shard with SO_REUSEPORT (when the transport supports it). */
    public boolean reusePort() {
        return reusePort;
    }

    @Override
    public String toString() {
        return "ServerOptions{bindAddress=" + bindAddress + ", port=" + port + ", maxConnectionsPerShard="
                + maxConnectionsPerShard + ", idleTimeout=" + idleTimeout + ", maxRequestSize=" + maxRequestSize + ", maxPendingReplies=" + maxPendingReplies
                + ", gracefulShutdownTimeout=" + gracefulShutdownTimeout + ", reusePort=" + reusePort + '}';
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 0;
        private int maxConnectionsPerShard = 10_000;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxRequestSize = 1 << 20;
        private int maxPendingReplies = 1024;
        private Duration gracefulShutdownTimeout = Duration.ofSeconds(30);
        private boolean reusePort = true;

        private Builder() {
        }

        public Builder bindAddress(String bindAddress) {
            if (bindAddress == null || bindAddress.isBlank()) {
                throw new IllegalArgumentException("bind-address must not be blank, got '" + bindAddress + "'");
            }
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder maxConnectionsPerShard(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max-connections-per-shard must be >= 1, got " + max);
            }
            this.maxConnectionsPerShard = max;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = nonNegative("idle-timeout", idleTimeout);
            return this;
        }

        public Builder maxRequestSize(int maxRequestSize) {
            if (maxRequestSize < 1) {
                throw new IllegalArgumentException("max-request-size must be >= 1 byte, got " + maxRequestSize);
            }
            this.maxRequestSize = maxRequestSize;
            return this;
        }

        public Builder maxPendingReplies(int maxPendingReplies) {
            if (maxPendingReplies < 1) {
                throw new IllegalArgumentException("max-pending-replies must be >= 1, got " + maxPendingReplies);
            }
            this.maxPendingReplies = maxPendingReplies;
            return this;
        }

        public Builder gracefulShutdownTimeout(Duration timeout) {
            this.gracefulShutdownTimeout = nonNegative("graceful-shutdown-timeout", timeout);
            return this;
        }

        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        public ServerOptions build() {
            return new ServerOptions(this);
        }

        private static Duration nonNegative(String key, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be a non-negative duration, got " + d);
            }
            return d;
        }
    }
}
