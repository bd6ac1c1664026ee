package io.percore.demo;

import io.percore.demo.resp.RespSettings;
import java.time.Duration;

/**
 * Where the demo listens and its limits. The Spring app takes the listeners from the starter's
 * {@code percore.servers.resp|http.*} and the limits from {@code percore.demo.*}.
 *
 * @param httpMaxBodySize largest {@code PUT /kv/{key}} body; larger ones get 413
 */
public record DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                           String httpBindAddress, int httpPort, int httpMaxBodySize, Duration httpIdleTimeout,
                           int maxConnectionsPerShard) {

    /** Largest {@code PUT /kv/{key}} body unless configured otherwise: 1 MiB. */
    public static final int DEFAULT_HTTP_MAX_BODY_SIZE = 1024 * 1024;

    /** Loopback, ephemeral ports, Redis's limits: what tests use. */
    public static DemoSettings forTests() {
        return new DemoSettings("127.0.0.1", 0, RespSettings.defaults(), Duration.ZERO, "127.0.0.1", 0, DEFAULT_HTTP_MAX_BODY_SIZE,
                Duration.ofSeconds(60), 10_000);
    }

    public DemoSettings withResp(RespSettings resp) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, httpMaxBodySize,
                httpIdleTimeout, maxConnectionsPerShard);
    }

    /** The RESP port that {@code CONFIG GET port} and {@code INFO} report. */
    public DemoSettings withRespPort(int port) {
        return new DemoSettings(respBindAddress, port, resp, respIdleTimeout, httpBindAddress, httpPort, httpMaxBodySize,
                httpIdleTimeout, maxConnectionsPerShard);
    }

    public DemoSettings withHttpMaxBodySize(int size) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, size,
                httpIdleTimeout, maxConnectionsPerShard);
    }
}
