package io.percore.demo;

import io.percore.demo.admin.ConfigCommands;
import io.percore.demo.cluster.ClusterSettings;
import io.percore.demo.http.HttpSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.replication.ReplicationSettings;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a demo service starts with: where it listens (the starter's {@code percore.servers.resp|http.*}), the bounds no
 * CONFIG parameter has, and the CONFIG parameters' values, read once through the CONFIG table's rows
 * ({@code percore.demo.*}'s keys as CONFIG SET reads them, redis.conf lines by Redis's names). The service installs
 * those values on every shard as they are, adding only what its listeners know ({@link ConfigValues#listening}).
 *
 * @param resp   the RESP decoder's bounds that are no CONFIG parameter
 * @param http   the HTTP server's limits and timeouts
 * @param config the CONFIG parameters' values at start: memory, clients, files, replication, TLS, databases, ...
 * @param cluster cluster mode (Redis's cluster-enabled), this node's id and the address it announces
 * @param users  the users declared at start, each a redis.conf {@code user} line's words after {@code user}
 *               ({@code alice on >pw ~* +@all}), loaded after the ACL parameters
 */
public record DemoSettings(String respBindAddress, int respPort, RespSettings resp, Duration respIdleTimeout,
                           String httpBindAddress, int httpPort, HttpSettings http, Duration httpIdleTimeout,
                           int maxConnectionsPerShard, ConfigValues config, ClusterSettings cluster, List<List<String>> users) {

    public DemoSettings {
        users = List.copyOf(users.stream().map(List::copyOf).toList());
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
        ConfigValues config = ConfigCommands.defaults().with(b -> {
            b.persistence = PersistenceSettings.in(dir);
            b.replication = ReplicationSettings.defaults().withDiskless(true, 0, 0);
        });
        return new DemoSettings("127.0.0.1", 0, RespSettings.defaults(), Duration.ZERO, "127.0.0.1", 0, HttpSettings.defaults(),
                Duration.ofSeconds(60), 10_000, config, ClusterSettings.disabled(), List.of());
    }

    public PersistenceSettings persistence() {
        return config.persistence();
    }

    public ReplicationSettings replication() {
        return config.replication();
    }

    /** These settings with the CONFIG values {@code config}. */
    public DemoSettings withConfigValues(ConfigValues config) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    /** The RESP server's TLS as CONFIG reports it (the listener itself is the starter's). */
    public DemoSettings withTls(TlsSettings tls) {
        return withConfigValues(config.with(b -> b.tls(tls)));
    }

    public DemoSettings withReplication(ReplicationSettings replication) {
        return withConfigValues(config.with(b -> b.replication = replication));
    }

    public DemoSettings withPersistence(PersistenceSettings persistence) {
        return withConfigValues(config.with(b -> b.persistence = persistence));
    }

    public DemoSettings withMemory(MemorySettings memory) {
        return withConfigValues(config.with(b -> b.memory = memory));
    }

    /** Redis's {@code databases} at start. */
    public DemoSettings withDatabases(int databases) {
        return withConfigValues(config.with(b -> b.databases(databases)));
    }

    /** The HTTP {@code /kv} API's password alone (CONFIG's {@code requirepass} sets both the RESP and the HTTP one). */
    public DemoSettings withHttpPassword(String password) {
        return withConfigValues(config.with(b -> b.httpPassword = password));
    }

    public DemoSettings withResp(RespSettings resp) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    /** The RESP port that {@code CONFIG GET port} and {@code INFO} report. */
    public DemoSettings withRespPort(int port) {
        return new DemoSettings(respBindAddress, port, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    /** Both listeners on {@code address}. */
    public DemoSettings withBindAddress(String address) {
        return new DemoSettings(address, respPort, resp, respIdleTimeout, address, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    public DemoSettings withMaxConnectionsPerShard(int max) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, max, config, cluster, users);
    }

    public DemoSettings withHttp(HttpSettings http) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    /**
     * These settings with one more redis.conf line: a CONFIG parameter by Redis's name and its value
     * ({@code withConfig("acllog-max-len", "5")}, read by its row as the start reads it, immutable ones included), or a
     * user's declaration ({@code withConfig("user", "alice", "on", ">pw")}).
     *
     * @throws IllegalArgumentException for a name that is no parameter or a value its row refuses, in Redis's words
     */
    public DemoSettings withConfig(String... words) {
        if (words.length >= 2 && words[0].equalsIgnoreCase("user")) {
            List<List<String>> more = new ArrayList<>(users);
            more.add(List.of(words).subList(1, words.length));
            return withUsers(more);
        }
        return withConfigValues(ConfigCommands.startValues(config, List.of(List.of(words))));
    }

    /** These settings with {@code users} declared at start (see {@link #users}). */
    private DemoSettings withUsers(List<List<String>> users) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }

    public DemoSettings withCluster(ClusterSettings cluster) {
        return new DemoSettings(respBindAddress, respPort, resp, respIdleTimeout, httpBindAddress, httpPort, http,
                httpIdleTimeout, maxConnectionsPerShard, config, cluster, users);
    }
}
