package io.percore.demo;

import io.percore.demo.resp.RespSettings;
import java.time.Duration;

/**
 * Where the demo listens and its limits; bound from {@code percore.demo.*} by the Spring app.
 *
 * @param httpMaxBodySize largest {@code PUT /kv/{key}} body; larger ones get 413
 */
public record DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                           String httpBindAddress, int httpPort, int httpMaxBodySize, Duration httpIdleTimeout,
                           int maxConnectionsPerShard) {

    /** Loopback, ephemeral ports, Redis's limits: what tests use. */
    public static DemoSettings forTests() {
        return new DemoSettings("127.0.0.1", 0, RespSettings.defaults(), Duration.ZERO, "127.0.0.1", 0, 1024 * 1024,
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
