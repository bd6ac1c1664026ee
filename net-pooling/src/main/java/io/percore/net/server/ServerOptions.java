package io.percore.net.server;

import io.percore.config.ServerConfig;
import io.percore.config.ServerSslConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.LiveSettings;
import io.percore.config.schema.ModelTree;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings of a {@link ShardedServer}. Build with {@link #builder()} or adapt the
 * configuration model with {@link #from(String, ServerConfig)}; either way config-schema's
 * validator is the only code that checks them. The TLS context itself is not configuration: give
 * it with {@link #withTls(ServerTls)} (the Spring Boot starter makes it from the SSL bundle that
 * {@code percore.servers.<name>.ssl.bundle} names).
 */
public final class ServerOptions {

    private final String name;
    private final ServerConfig config;
    private final int maxRequestSize;
    private final ServerTls tls;

    /** From a model the validator has accepted: nothing to check here. */
    private ServerOptions(String name, ServerConfig c, ServerTls tls) {
        this.name = name;
        this.config = c;
        this.maxRequestSize = Math.toIntExact(c.getMaxRequestSize());
        this.tls = tls;
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
        return new ServerOptions(name, copy(config), null);
    }

    /** These options with {@code tls} as the server's TLS context (on {@link #tlsPort()}, or on {@link #port()} itself). */
    public ServerOptions withTls(ServerTls tls) {
        return new ServerOptions(name, config, Objects.requireNonNull(tls, "tls"));
    }

    /**
     * What {@code next} changes, sorted by whether a running server takes it (config-schema's
     * {@code x-live}): paths under {@code percore.servers.<name>}.
     */
    public LiveSettings.Changes changesTo(ServerOptions next) {
        return LiveSettings.between(Map.of("servers", Map.of(name, ModelTree.of(config))),
                Map.of("servers", Map.of(name, ModelTree.of(next.config))));
    }

    public Builder toBuilder() {
        Builder b = builder(name).bindAddress(bindAddress()).port(port()).maxConnectionsPerShard(maxConnectionsPerShard())
                .idleTimeout(idleTimeout()).maxRequestSize(maxRequestSize).maxPendingReplies(maxPendingReplies())
                .gracefulShutdownTimeout(gracefulShutdownTimeout()).reusePort(reusePort())
                .tlsHandshakeTimeout(tlsHandshakeTimeout()).maxHandshakesPerShard(maxHandshakesPerShard());
        b.config.getSsl().setBundle(tlsBundle());
        b.config.getSsl().setPort(config.getSsl().getPort());
        b.config.getSsl().setClientAuth(config.getSsl().getClientAuth());
        b.tls = tls;
        return b;
    }

    /** The server's name ({@code percore.servers.<name>}), for messages. */
    public String name() {
        return name;
    }

    public String bindAddress() {
        return config.getBindAddress();
    }

    /** 0 = an ephemeral port chosen by the kernel for shard 0 and shared by all shards. */
    public int port() {
        return config.getPort();
    }

    public int maxConnectionsPerShard() {
        return config.getMaxConnectionsPerShard();
    }

    /** {@link Duration#ZERO} disables the idle timeout. */
    public Duration idleTimeout() {
        return config.getIdleTimeout();
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
        return config.getMaxPendingReplies();
    }

    public Duration gracefulShutdownTimeout() {
        return config.getGracefulShutdownTimeout();
    }

    /** Whether to bind one listener per shard with SO_REUSEPORT (when the transport supports it). */
    public boolean reusePort() {
        return config.isReusePort();
    }

    /** The server's TLS context, or null for plain text only. */
    public ServerTls tls() {
        return tls;
    }

    /** The SSL bundle the configuration names ({@code ssl.bundle}), or null: the starter makes {@link #tls()} from it. */
    public String tlsBundle() {
        return config.getSsl().getBundle();
    }

    /**
     * The port of its own that TLS listens on next to the plain {@link #port()} (Redis's
     * {@code tls-port}; 0 = ephemeral), or -1 when {@link #port()} itself speaks TLS (or there is no TLS).
     */
    public int tlsPort() {
        Integer port = config.getSsl().getPort();
        return tls == null || port == null ? -1 : port;
    }

    /** Whether {@link #port()} serves plain text: no TLS, or TLS on a port of its own. */
    public boolean plainPortOpen() {
        return tls == null || config.getSsl().getPort() != null;
    }

    /** The client certificate policy that the TLS context was built with ({@code ssl.client-auth}). */
    public ServerSslConfig.ClientAuth tlsClientAuth() {
        return config.getSsl().getClientAuth();
    }

    public Duration tlsHandshakeTimeout() {
        return config.getSsl().getHandshakeTimeout();
    }

    /** Handshakes one shard runs at once; a connection beyond that is refused right after accept. */
    public int maxHandshakesPerShard() {
        return config.getSsl().getMaxHandshakesPerShard();
    }

    @Override
    public String toString() {
        return "ServerOptions{name=" + name + ", bindAddress=" + bindAddress() + ", port=" + port() + ", maxConnectionsPerShard="
                + maxConnectionsPerShard() + ", idleTimeout=" + idleTimeout() + ", maxRequestSize=" + maxRequestSize
                + ", maxPendingReplies=" + maxPendingReplies() + ", gracefulShutdownTimeout=" + gracefulShutdownTimeout()
                + ", reusePort=" + reusePort() + (tls == null ? "" : ", tls{bundle=" + tlsBundle() + ", port=" + tlsPort()
                + ", clientAuth=" + tlsClientAuth() + "}") + '}';
    }

    /** A private copy: the model is a mutable JavaBean the caller keeps. */
    private static ServerConfig copy(ServerConfig c) {
        ServerConfig out = new ServerConfig();
        out.setBindAddress(c.getBindAddress());
        out.setPort(c.getPort());
        out.setMaxConnectionsPerShard(c.getMaxConnectionsPerShard());
        out.setIdleTimeout(c.getIdleTimeout());
        out.setMaxRequestSize(c.getMaxRequestSize());
        out.setMaxPendingReplies(c.getMaxPendingReplies());
        out.setGracefulShutdownTimeout(c.getGracefulShutdownTimeout());
        out.setReusePort(c.isReusePort());
        ServerSslConfig ssl = new ServerSslConfig();
        ssl.setBundle(c.getSsl().getBundle());
        ssl.setPort(c.getSsl().getPort());
        ssl.setClientAuth(c.getSsl().getClientAuth());
        ssl.setHandshakeTimeout(c.getSsl().getHandshakeTimeout());
        ssl.setMaxHandshakesPerShard(c.getSsl().getMaxHandshakesPerShard());
        out.setSsl(ssl);
        return out;
    }

    /**
     * Builds options in code. The builder fills the configuration model (so every default is
     * {@link ServerConfig}'s) and {@link Builder#build()} passes it through config-schema's
     * validator: code gets the same errors, naming {@code percore.servers.<name>.<key>}, as YAML.
     */
    public static final class Builder {
        private final String name;
        private final ServerConfig config = new ServerConfig();
        private ServerTls tls;

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

        /** TLS with {@code tls}: on {@link #port(int)} itself, or on {@link #tlsPort(int)} next to it. */
        public Builder tls(ServerTls tls) {
            this.tls = tls;
            return this;
        }

        /** A port of its own for TLS next to the plain one (Redis's {@code tls-port}); 0 = ephemeral. */
        public Builder tlsPort(int port) {
            config.getSsl().setPort(port);
            return this;
        }

        public Builder tlsHandshakeTimeout(Duration timeout) {
            config.getSsl().setHandshakeTimeout(timeout);
            return this;
        }

        public Builder maxHandshakesPerShard(int max) {
            config.getSsl().setMaxHandshakesPerShard(max);
            return this;
        }

        /** @throws ConfigValidationException with the validator's errors (path, value, rule) */
        public ServerOptions build() {
            if (tls == null || config.getSsl().getBundle() != null) {
                ServerOptions options = from(name, config);
                return tls == null ? options : options.withTls(tls);
            }
            // A context given in code stands for the bundle a configuration would name (ssl.port needs one).
            ServerConfig named = copy(config);
            named.getSsl().setBundle("code");
            ConfigValidationException.throwIfAny(ConfigValidator.shared().validateServer(name, named));
            return new ServerOptions(name, copy(config), tls);
        }
    }
}
