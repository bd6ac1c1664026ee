package io.percore.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/**
 * A server that listens on every shard: with {@code reuse-port} each shard binds its own
 * listener to the same address and the kernel spreads connections over them, so a connection
 * is accepted, read, served and answered on one core. Bound from {@code percore.servers.<name>.*}.
 */
public class ServerConfig {

    /** IP literal or host name; brackets and zones allowed for IPv6 ({@code [::1]}, {@code fe80::1%eth0}). */
    public static final String BIND_ADDRESS_PATTERN = "^[A-Za-z0-9._:%\\[\\]-]+$";

    @PropertyDescription("Address to listen on: an IP literal (0.0.0.0 or :: for every interface) or a host name resolved at start-up.")
    @NotBlank
    @Size(max = 253)
    @Pattern(regexp = BIND_ADDRESS_PATTERN)
    private String bindAddress = "127.0.0.1";

    @PropertyDescription("TCP port. 0 lets the kernel pick a free port, which every shard then shares.")
    @Min(0)
    @Max(65535)
    private int port = 0;

    @PropertyDescription("Connections one shard keeps open at most; further connections on that shard are closed right after accept.")
    @Min(1)
    @Max(1_000_000)
    @LiveChange
    private int maxConnectionsPerShard = 10_000;

    @PropertyDescription("A connection on which nothing moves for this long is closed: no bytes read, none written or still leaving for the peer, no request of its still being answered. 0 disables the timeout. A changed value applies to connections accepted after the change.")
    @NotNull
    @DurationMax("1d")
    @LiveChange
    private Duration idleTimeout = Duration.ofSeconds(60);

    @PropertyDescription("Largest request a peer may send, in bytes; a larger request is rejected and its connection closed. A changed value applies to connections accepted after the change.")
    @Min(1)
    @Max(Integer.MAX_VALUE)
    @LiveChange
    private long maxRequestSize = 1L << 20;

    @PropertyDescription("Replies one connection may have outstanding (requests read but not yet answered in order); at this many the server stops reading from it until they drain. A changed value applies to connections accepted after the change.")
    @Min(1)
    @Max(1_000_000)
    @LiveChange
    private int maxPendingReplies = 1024;

    @PropertyDescription("On shutdown, how long in-flight requests may take to finish before their connections are closed.")
    @NotNull
    @DurationMax("1h")
    @LiveChange
    private Duration gracefulShutdownTimeout = Duration.ofSeconds(30);

    @PropertyDescription("Bind one listener per shard with SO_REUSEPORT so the kernel spreads connections over shards. false: shard 0 accepts and hands connections to the other shards round-robin.")
    private boolean reusePort = true;

    @PropertyDescription("TLS from a Spring Boot SSL bundle: on when ssl.bundle names one.")
    @Valid
    @NotNull
    private ServerSslConfig ssl = new ServerSslConfig();

    public ServerConfig() {
    }

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public int getMaxConnectionsPerShard() {
        return maxConnectionsPerShard;
    }

    public void setMaxConnectionsPerShard(int maxConnectionsPerShard) {
        this.maxConnectionsPerShard = maxConnectionsPerShard;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public long getMaxRequestSize() {
        return maxRequestSize;
    }

    public void setMaxRequestSize(long maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    public int getMaxPendingReplies() {
        return maxPendingReplies;
    }

    public void setMaxPendingReplies(int maxPendingReplies) {
        this.maxPendingReplies = maxPendingReplies;
    }

    public Duration getGracefulShutdownTimeout() {
        return gracefulShutdownTimeout;
    }

    public void setGracefulShutdownTimeout(Duration gracefulShutdownTimeout) {
        this.gracefulShutdownTimeout = gracefulShutdownTimeout;
    }

    public boolean isReusePort() {
        return reusePort;
    }

    public void setReusePort(boolean reusePort) {
        this.reusePort = reusePort;
    }

    public ServerSslConfig getSsl() {
        return ssl;
    }

    public void setSsl(ServerSslConfig ssl) {
        this.ssl = ssl;
    }
}
