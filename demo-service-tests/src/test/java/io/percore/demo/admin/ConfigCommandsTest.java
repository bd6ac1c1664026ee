package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, CONFIG on a 2-shard server: GET with several patterns and aliases, SET validated as
 * Redis does and applied on every shard before its reply (requirepass asked by a connection on the
 * other shard, timeout closing idle clients, maxclients refusing, proto-max-bulk-len for new
 * connections, the slow log settings), RESETSTAT, REWRITE and HELP; Redis's "CONFIG sanity": every
 * parameter CONFIG GET * shows can be set to its own value.
 */
@SuppressWarnings("unchecked")
class ConfigCommandsTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @AfterEach
    void restore() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            if (c.cmd("PING") instanceof Err) {
                c.cmd("AUTH", "s3cret");
            }
            assertThat(c.cmd("CONFIG", "SET", "requirepass", "", "timeout", "0", "maxclients", "20000",
                    "slowlog-log-slower-than", "10000", "slowlog-max-len", "128", "proto-max-bulk-len", "512mb")).isEqualTo("OK");
        }
    }

    private static RespTestClient client() throws IOException {
        return new RespTestClient(demo.respPort());
    }

    /** One client per shard. */
    private static RespTestClient[] onEachShard(List<RespTestClient> opened) throws IOException {
        RespTestClient[] byShard = new RespTestClient[2];
        for (int i = 0; i < 64 && (byShard[0] == null || byShard[1] == null); i++) {
            RespTestClient c = client();
            opened.add(c);
            int shard = Integer.parseInt(ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "shard"));
            if (byShard[shard] == null) {
                byShard[shard] = c;
            }
        }
        assertThat(byShard).doesNotContainNull();
        return byShard;
    }

    private static Map<String, String> asMap(Object reply) {
        List<?> items = (List<?>) reply;
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            assertThat(map.put((String) items.get(i), (String) items.get(i + 1))).as("no duplicate " + items.get(i)).isNull();
        }
        return map;
    }

    @Test
    void getTakesSeveralPatternsAndNamesAsAsked() throws IOException {
        try (RespTestClient c = client()) {
            Map<String, String> got = asMap(c.cmd("CONFIG", "GET", "maxmemory", "maxmemory*", "bind", "*ziplist*", "MAXMEMORY-policy"));
            assertThat(got).containsKeys("maxmemory", "maxmemory-policy", "maxmemory-samples", "bind", "MAXMEMORY-policy",
                    "hash-max-ziplist-entries", "zset-max-ziplist-value", "list-max-ziplist-size");
            assertThat(got.get("maxmemory-policy")).isEqualTo("noeviction");
            assertThat(asMap(c.cmd("CONFIG", "GET", "nosuch"))).isEmpty();
            assertThat(asMap(c.cmd("CONFIG", "GET", "SLOWLOG*"))).containsOnlyKeys("slowlog-log-slower-than", "slowlog-max-len");
            assertThat(asMap(c.cmd("CONFIG", "GET", "hash-max-listpack-entries"))).containsEntry("hash-max-listpack-entries", "512");
            assertThat(asMap(c.cmd("CONFIG", "GET", "timeout", "maxclients", "port"))).containsEntry("timeout", "0")
                    .containsEntry("maxclients", "20000").containsEntry("port", "0");
            assertThat(c.cmd("CONFIG", "GET")).isEqualTo(new Err("ERR wrong number of arguments for 'config|get' command"));
        }
    }

    @Test
    void everyParameterCanBeSetToItsOwnValue() throws IOException {
        try (RespTestClient c = client()) {
            Map<String, String> before = asMap(c.cmd("CONFIG", "GET", "*"));
            assertThat(before).containsKeys("maxmemory", "requirepass", "timeout", "maxclients", "proto-max-bulk-len",
                    "slowlog-log-slower-than", "slowlog-max-len", "save", "appendonly");
            for (Map.Entry<String, String> e : before.entrySet()) {
                if (List.of("databases", "cluster-enabled", "daemonize", "appenddirname", "appendfilename", "replicaof", "slaveof", "aclfile",
                        "enable-debug-command")
                        .contains(e.getKey())) {
                    assertThat(c.cmd("CONFIG", "SET", e.getKey(), e.getValue())).isEqualTo(new Err(
                            "ERR CONFIG SET failed (possibly related to argument '" + e.getKey() + "') - can't set immutable config"));
                    continue;
                }
                if (List.of("dir", "dbfilename").contains(e.getKey())) {
                    // Redis 7.0's protected configs (enable-protected-configs no): refused whatever the value
                    assertThat(c.cmd("CONFIG", "SET", e.getKey(), e.getValue())).isEqualTo(new Err(
                            "ERR CONFIG SET failed (possibly related to argument '" + e.getKey() + "') - can't set protected config"));
                    continue;
                }
                assertThat(c.cmd("CONFIG", "SET", e.getKey(), e.getValue())).as(e.getKey()).isEqualTo("OK");
            }
            assertThat(asMap(c.cmd("CONFIG", "GET", "*"))).isEqualTo(before);
        }
    }

    @Test
    void setErrorsAreRedisesAndChangeNothing() throws IOException {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("CONFIG", "SET", "maxmemory", "10000001", "maxmemory", "10000002"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"));
            assertThat(c.cmd("CONFIG", "SET", "hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - duplicate parameter"));
            assertThat(c.cmd("CONFIG", "SET", "daemonize", "yes"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"));
            assertThat(c.cmd("CONFIG", "SET", "a", "b", "c")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("CONFIG", "SET", "nosuch", "1")).isEqualTo(new Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
            assertThat(c.cmd("CONFIG", "SET", "timeout", "-1"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"));
            assertThat(c.cmd("CONFIG", "SET", "timeout", "x"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"));
            assertThat(c.cmd("CONFIG", "SET", "slowlog-max-len", "-1"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive"));
            assertThat(c.cmd("CONFIG", "SET", "maxclients", "0"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"));
            assertThat(c.cmd("CONFIG", "SET", "proto-max-bulk-len", "1000"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 2147483647 inclusive"));
            // the first problem is the error, and nothing changes: not even the valid parameter before it
            assertThat(c.cmd("CONFIG", "SET", "timeout", "30", "maxmemory", "nonsense")).isInstanceOf(Err.class);
            assertThat(asMap(c.cmd("CONFIG", "GET", "timeout"))).containsEntry("timeout", "0");
            assertThat(c.cmd("CONFIG", "REWRITE")).isEqualTo(new Err("ERR The server is running without a config file"));
            assertThat(c.cmd("CONFIG", "RESETSTAT", "x")).isEqualTo(new Err("ERR wrong number of arguments for 'config|resetstat' command"));
            assertThat((List<Object>) c.cmd("CONFIG", "HELP")).hasSize(11).startsWith((Object) "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        }
    }

    @Test
    void requirepassAppliesOnEveryShardBeforeTheReply() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient[] shards = onEachShard(opened);
            assertThat(shards[0].cmd("CONFIG", "SET", "requirepass", "s3cret")).isEqualTo("OK");
            // existing connections stay authenticated, as in Redis; new ones on either shard must AUTH
            assertThat(shards[1].cmd("PING")).isEqualTo("PONG");
            for (int i = 0; i < 4; i++) {
                try (RespTestClient fresh = client()) {
                    assertThat(fresh.cmd("GET", "x")).isEqualTo(new Err("NOAUTH Authentication required."));
                    assertThat(fresh.cmd("AUTH", "wrong")).isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
                    assertThat(fresh.cmd("AUTH", "s3cret")).isEqualTo("OK");
                    assertThat(fresh.cmd("GET", "x")).isNull();
                }
                try (RespTestClient fresh = client()) {
                    assertThat(fresh.cmd("HELLO", "3", "AUTH", "default", "s3cret")).isInstanceOf(RespTestClient.Map3.class);
                }
            }
            assertThat(asMap(shards[1].cmd("CONFIG", "GET", "requirepass"))).containsEntry("requirepass", "s3cret");
            // RESET keeps a connection authenticated only when no password is set
            assertThat(shards[1].cmd("RESET")).isEqualTo("RESET");
            assertThat(shards[1].cmd("PING")).isEqualTo(new Err("NOAUTH Authentication required."));
            assertThat(shards[1].cmd("AUTH", "s3cret")).isEqualTo("OK");
            // one secret: the HTTP key-value API asks for the new password too
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + demo.httpPort() + "/kv/cfg-missing");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret").build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
            assertThat(shards[1].cmd("CONFIG", "SET", "requirepass", "")).isEqualTo("OK");
            try (RespTestClient fresh = client()) {
                assertThat(fresh.cmd("PING")).isEqualTo("PONG");
            }
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void timeoutClosesIdleClientsLive() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient admin = client()) {
            RespTestClient[] shards = onEachShard(opened);
            assertThat(admin.cmd("CONFIG", "SET", "timeout", "1")).isEqualTo("OK");
            long start = System.nanoTime();
            for (RespTestClient idle : shards) {
                assertThat(idle.closedByServer()).as("idle client closed").isTrue();
            }
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(500L, 5_000L);
            assertThat(admin.closedByServer()).as("the admin was idle too").isTrue();
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void maxclientsRefusesClientsPastEachShardsShare() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient admin = client()) {
            assertThat(admin.cmd("CONFIG", "SET", "maxclients", "4")).isEqualTo("OK");
            int refused = 0;
            for (int i = 0; i < 8; i++) {
                RespTestClient c = client();
                opened.add(c);
                Object reply = c.cmd("PING");
                if (reply instanceof Err e) {
                    assertThat(e.text()).isEqualTo("ERR max number of clients reached");
                    refused++;
                }
            }
            assertThat(refused).as("clients past 2 per shard").isGreaterThanOrEqualTo(4);
            assertThat(admin.cmd("CONFIG", "SET", "maxclients", "40001"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - this server's listeners take at most "
                            + "20000 clients (percore.servers.resp.max-connections-per-shard x shards)"));
            assertThat(admin.cmd("CONFIG", "SET", "maxclients", "20000")).isEqualTo("OK");
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void protoMaxBulkLenAppliesToNewConnections() throws IOException {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("OK");
            assertThat(asMap(c.cmd("CONFIG", "GET", "proto-max-bulk-len"))).containsEntry("proto-max-bulk-len", "1048576");
        }
        try (RespTestClient c = client()) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: invalid bulk length"));
        }
    }

    @Test
    void resetstatZeroesInfoCountersOnEveryShard() throws IOException {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient[] shards = onEachShard(opened);
            for (RespTestClient c : shards) {
                c.cmd("SET", demo.keyOn(0, "rs"), "1");
                c.cmd("GET", demo.keyOn(1, "rs"));
                c.cmd("NOSUCHCOMMAND");
            }
            assertThat((String) shards[0].cmd("INFO", "commandstats")).contains("cmdstat_set:calls=");
            assertThat(shards[1].cmd("CONFIG", "RESETSTAT")).isEqualTo("OK");
            Map<String, String> stats = ClientCommandsTest.infoFields((String) shards[0].cmd("INFO", "everything"));
            assertThat(stats).containsEntry("total_error_replies", "0").containsEntry("keyspace_hits", "0")
                    .containsEntry("keyspace_misses", "0")
                    // as in Redis, the RESETSTAT itself is counted after it ran, and INFO not before it ran
                    .containsEntry("total_commands_processed", "1").containsKey("cmdstat_config|resetstat")
                    .doesNotContainKeys("cmdstat_set", "cmdstat_get", "errorstat_ERR", "cmdstat_info");
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }
}
