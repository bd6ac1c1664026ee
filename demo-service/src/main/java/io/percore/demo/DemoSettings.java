package io.percore.demo;

import io.percore.demo.http.HttpSettings;
import io.percore.demo.server.ClientSettings;
import io.percore.demo.server.RespSettings;
import java.time.Duration;
import io.percore.demo.kv.MemorySettings;

/**
 * Where the demo listens and its limits. The Spring app takes the listeners from the starter's
 * {@code percore.servers.resp|http.*} and the limits from {@code percore.demo.*}.
 *
 * @param http   the HTTP server's limits, timeouts and password
 * @param memory the keyspace's memory budget (maxmemory, policy)
 * @param clients what bounds the clients' memory and who may connect
 */
public record DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                           String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                           int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients) {

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, ClientSettings.defaults());
    }

    /** Loopback, ephemeral ports, Redis's limits: what tests use. */
    public static DemoSettings forTests() {
        return new DemoSettings("127.0.0.1", 0, RespSettings.defaults(), Duration.ZERO, "127.0.0.1", 0, HttpSettings.defaults(),
                Duration.ofSeconds(60), 10_000, MemorySettings.defaults());
    }

    public DemoSettings withResp(RespSettings resp) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients);
    }

    /** The RESP port that {@code CONFIG GET port} and {@code INFO} report. */
    public DemoSettings withRespPort(int port) {
        return new DemoSettings(respBindAddress, port, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients);
    }

    public DemoSettings withMaxConnectionsPerShard(int max) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, max, memory, clients);
    }

    public DemoSettings withMemory(MemorySettings memory) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients);
    }

    public DemoSettings withClients(ClientSettings clients) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients);
    }

    public DemoSettings withHttp(HttpSettings http) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients);
    }
}
