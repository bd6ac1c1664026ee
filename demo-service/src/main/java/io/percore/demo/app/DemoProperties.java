package io.percore.demo.app;

import io.percore.demo.DemoSettings;
import io.percore.demo.resp.RespSettings;
import java.time.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code percore.demo.*}: where the RESP and HTTP servers listen, and their limits. The demo owns
 * this namespace (the starter leaves keys under a prefix of an application's
 * {@code @ConfigurationProperties} bean to it), so unknown keys and bad values are rejected here.
 * Addresses, ports, idle timeouts and the connection limit reach the servers through
 * {@code percore.servers.resp|http.*} in {@code application.yml}, which refer to these keys.
 */
@ConfigurationProperties(prefix = "percore.demo", ignoreUnknownFields = false)
@Validated
public class DemoProperties {

    @Valid
    private final Resp resp = new Resp();
    @Valid
    private final Http http = new Http();
    /** Connections each shard accepts per server; more are refused. */
    @Min(1)
    @Max(1_000_000)
    private int maxConnectionsPerShard = 10_000;

    public Resp getResp() {
        return resp;
    }

    public Http getHttp() {
        return http;
    }

    public int getMaxConnectionsPerShard() {
        return maxConnectionsPerShard;
    }

    public void setMaxConnectionsPerShard(int maxConnectionsPerShard) {
        this.maxConnectionsPerShard = maxConnectionsPerShard;
    }

    public DemoSettings toSettings() {
        RespSettings respSettings = new RespSettings(resp.requirepass, resp.maxBulkLength, resp.maxArrayLength,
                resp.maxInlineLength, resp.maxPendingReplies);
        return new DemoSettings(resp.bindAddress, resp.port, respSettings, resp.idleTimeout, http.bindAddress, http.port,
                http.maxBodySize, http.idleTimeout, maxConnectionsPerShard);
    }

    /** The Redis-compatible server. */
    public static class Resp {
        /** Address to bind; loopback by default. */
        @NotBlank
        private String bindAddress = "127.0.0.1";
        /** TCP port; 0 picks a free one. */
        @Min(0)
        @Max(65535)
        private int port = 6380;
        /** Password for AUTH / HELLO AUTH; empty means none. */
        private String requirepass;
        /** Largest bulk string a client may send (Redis's proto-max-bulk-len). */
        @Min(1)
        private int maxBulkLength = RespSettings.REDIS_MAX_BULK_LENGTH;
        /** Most arguments in one command. */
        @Min(1)
        private int maxArrayLength = 1024 * 1024;
        /** Longest inline command line. */
        @Min(1)
        private int maxInlineLength = 64 * 1024;
        /** Outstanding replies per connection before reading from it pauses. */
        @Min(1)
        @Max(1_000_000)
        private int maxPendingReplies = 1024;
        /** Close connections idle this long; 0 never (Redis's default timeout 0). */
        @NotNull
        private Duration idleTimeout = Duration.ZERO;

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

        public String getRequirepass() {
            return requirepass;
        }

        public void setRequirepass(String requirepass) {
            this.requirepass = requirepass;
        }

        public int getMaxBulkLength() {
            return maxBulkLength;
        }

        public void setMaxBulkLength(int maxBulkLength) {
            this.maxBulkLength = maxBulkLength;
        }

        public int getMaxArrayLength() {
            return maxArrayLength;
        }

        public void setMaxArrayLength(int maxArrayLength) {
            this.maxArrayLength = maxArrayLength;
        }

        public int getMaxInlineLength() {
            return maxInlineLength;
        }

        public void setMaxInlineLength(int maxInlineLength) {
            this.maxInlineLength = maxInlineLength;
        }

        public int getMaxPendingReplies() {
            return maxPendingReplies;
        }

        public void setMaxPendingReplies(int maxPendingReplies) {
            this.maxPendingReplies = maxPendingReplies;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }
    }

    /** The per-core HTTP server. */
    public static class Http {
        /** Address to bind; loopback by default. */
        @NotBlank
        private String bindAddress = "127.0.0.1";
        /** TCP port; 0 picks a free one. */
        @Min(0)
        @Max(65535)
        private int port = 8080;
        /** Largest PUT /kv/{key} body in bytes; larger gets 413. */
        @Min(1)
        private int maxBodySize = 1024 * 1024;
        /** Close keep-alive connections idle this long. */
        @NotNull
        private Duration idleTimeout = Duration.ofSeconds(60);

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

        public int getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(int maxBodySize) {
            this.maxBodySize = maxBodySize;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }
    }
}
