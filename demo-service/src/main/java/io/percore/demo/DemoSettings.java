package io.percore.demo;

import io.percore.demo.cluster.ClusterSettings;
import io.percore.demo.http.HttpSettings;
import io.percore.demo.server.ClientSettings;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.TlsSettings;
import java.time.Duration;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.replication.ReplicationSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the demo listens and its limits. The Spring app takes the listeners from the starter's
 * {@code percore.servers.resp|http.*} and the limits from {@code percore.demo.*}.
 *
 * @param http   the HTTP server's limits, timeouts and password
 * @param memory the keyspace's memory budget (maxmemory, policy)
 * @param clients what bounds the clients' memory and who may connect
 * @param persistence where the keyspace is saved and loaded from, and when
 * @param replication whose replica this is at start, and the replication settings
 * @param tls    the RESP server's TLS as CONFIG reports it (the listener itself is the starter's)
 * @param cluster cluster mode (Redis's cluster-enabled), this node's id and the address it announces
 * @param redisConf lines of a redis.conf, each already split into its words, read at start after everything above:
 *                a CONFIG parameter by Redis's name and its value ({@code acllog-max-len 5}: read by the CONFIG
 *                table's row, immutable ones included, as redis-server reads its file), or a user's declaration
 *                ({@code user alice on >pw ~* +@all}). The parameters that are their row alone are set only here.
 * @param databases Redis's {@code databases}: how many numbered databases (SELECT 0..n-1), fixed at start
 */
public record DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                           String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                           int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients,
                           PersistenceSettings persistence, ReplicationSettings replication, TlsSettings tls,
                           ClusterSettings cluster, List<List<String>> redisConf, int databases) {

    public DemoSettings {
        redisConf = List.copyOf(redisConf.stream().map(List::copyOf).toList());
        if (databases < 1) {
            throw new IllegalArgumentException("databases must be at least 1, got " + databases);
        }
    }

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients,
                        PersistenceSettings persistence, ReplicationSettings replication, TlsSettings tls, ClusterSettings cluster) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, List.of(), DEFAULT_DATABASES);
    }

    /** Redis's default {@code databases}. */
    public static final int DEFAULT_DATABASES = 16;

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients,
                        PersistenceSettings persistence, ReplicationSettings replication) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, clients, persistence, replication, TlsSettings.NONE, ClusterSettings.disabled());
    }

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients, PersistenceSettings persistence) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, clients, persistence, ReplicationSettings.defaults());
    }

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory, ClientSettings clients) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, clients, PersistenceSettings.defaults());
    }

    public DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                        String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                        int maxConnectionsPerShard, MemorySettings memory) {
        this(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http, httpIdleTimeout,
                maxConnectionsPerShard, memory, ClientSettings.defaults());
    }

    /**
     * Loopback, ephemeral ports, Redis's limits, a data directory of its own (a new temporary one, so
     * no test loads another's snapshot), a diskless full sync that starts at once (no
     * repl-diskless-sync-delay): what tests use.
     */
    public static DemoSettings forTests() {
        Path dir;
        try {
            dir = Files.createTempDirectory("percore-demo-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dir.toFile().deleteOnExit();
        return new DemoSettings("127.0.0.1", 0, RespSettings.defaults(), Duration.ZERO, "127.0.0.1", 0, HttpSettings.defaults(),
                Duration.ofSeconds(60), 10_000, MemorySettings.defaults(), ClientSettings.defaults(), PersistenceSettings.in(dir))
                .withReplication(ReplicationSettings.defaults().withDiskless(true, 0, 0));
    }

    public DemoSettings withTls(TlsSettings tls) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withReplication(ReplicationSettings replication) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withPersistence(PersistenceSettings persistence) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withResp(RespSettings resp) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    /** The RESP port that {@code CONFIG GET port} and {@code INFO} report. */
    public DemoSettings withRespPort(int port) {
        return new DemoSettings(respBindAddress, port, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withMaxConnectionsPerShard(int max) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, max, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withMemory(MemorySettings memory) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withClients(ClientSettings clients) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    public DemoSettings withHttp(HttpSettings http) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    /** Redis's {@code databases} at start. */
    public DemoSettings withDatabases(int databases) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }

    /** These settings with one more redis.conf line (see {@link #redisConf}): {@code withConfig("acllog-max-len", "5")}. */
    public DemoSettings withConfig(String... words) {
        List<List<String>> lines = new java.util.ArrayList<>(redisConf);
        lines.add(List.of(words));
        return withRedisConf(lines);
    }

    /** These settings with {@code lines} as their redis.conf lines. */
    public DemoSettings withRedisConf(List<List<String>> lines) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, lines, databases);
    }

    public DemoSettings withCluster(ClusterSettings cluster) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, memory, clients, persistence, replication, tls, cluster, redisConf, databases);
    }
}
