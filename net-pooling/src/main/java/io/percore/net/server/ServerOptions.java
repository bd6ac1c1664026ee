package io.percore.net.server;

import io.percore.config.ServerConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link ShardedServer}. Build with {@link #builder()} or adapt the
 * configuration model with {@link #from(String, ServerConfig)}; either way config-schema's
 * validator is the only code that checks them.
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

    /** From a model the validator has accepted: nothing to check here. */
    private ServerOptions(ServerConfig c) {
        this.bindAddress = c.getBindAddress();
        this.port = c.getPort();
        this.maxConnectionsPerShard = c.getMaxConnectionsPerShard();
        this.idleTimeout = c.getIdleTimeout();
        this.maxRequestSize = Math.toIntExact(c.getMaxRequestSize());
        this.maxPendingReplies = c.getMaxPendingReplies();
        this.gracefulShutdownTimeout = c.getGracefulShutdownTimeout();
        this.reusePort = c.isReusePort();
    }

    /** A builder whose errors name {@code percore.servers.server.*}. */
    public static Builder builder() {
        return builder("server");
    }

    /** A builder whose errors name {@code percore.servers.<name>.*}. */
    public static Builder builder(String name) {
        return new Builder(name);
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
        return new ServerOptions(config);
    }

    public Builder toBuilder() {
        return builder("server").bindAddress(bindAddress).port(port).maxConnectionsPerShard(maxConnectionsPerShard)
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

    /**
     * Builds options in code. The builder fills the configuration model (so every default is
     * {@link ServerConfig}'s) and {@link Builder#build()} passes it through config-schema's
     * validator: code gets the same errors, naming {@code percore.servers.<name>.<key>}, as YAML.
     */
    public static final class Builder {
        private final String name;
        private final ServerConfig config = new ServerConfig();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder bindAddress(String bindAddress) {
            config.setBindAddress(bindAddress);
            return this;
        }

        public Builder port(int port) {
            config.setPort(port);
            return this;
        }

        public Builder maxConnectionsPerShard(int max) {
            config.setMaxConnectionsPerShard(max);
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            config.setIdleTimeout(idleTimeout);
            return this;
        }

        public Builder maxRequestSize(int maxRequestSize) {
            config.setMaxRequestSize(maxRequestSize);
            return this;
        }

        public Builder maxPendingReplies(int maxPendingReplies) {
            config.setMaxPendingReplies(maxPendingReplies);
            return this;
        }

        public Builder gracefulShutdownTimeout(Duration timeout) {
            config.setGracefulShutdownTimeout(timeout);
            return this;
        }

        public Builder reusePort(boolean reusePort) {
            config.setReusePort(reusePort);
            return this;
        }

        /** @throws ConfigValidationException with the validator's errors (path, value, rule) */
        public ServerOptions build() {
            return from(name, config);
        }
    }
}
