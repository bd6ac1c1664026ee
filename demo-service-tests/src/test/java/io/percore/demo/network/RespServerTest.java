package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The RESP server over real sockets on a 2-shard engine, asserting Redis 7's exact replies. */
@SuppressWarnings("unchecked")
class RespServerTest {

    private static TestServices services;
    private static String k0;
    private static String k1;

    @BeforeAll
    static void start() {
        services = TestServices.start(2, DemoSettings.forTests());
        k0 = services.keyOn(0, "k0-");
        k1 = services.keyOn(1, "k1-");
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    @BeforeEach
    void flush() throws Exception {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("FLUSHALL")).isEqualTo("OK");
        }
    }

    private static RespTestClient client() throws Exception {
        return new RespTestClient(services.respPort());
    }

    @Test
    void basicCommandsAndErrorTexts() throws Exception {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("PING")).isEqualTo("PONG");
            assertThat(c.cmd("ping", "hi")).isEqualTo("hi");
            assertThat(c.cmd("ECHO", "x y")).isEqualTo("x y");
            assertThat(c.cmd("foo", "a", "b")).isEqualTo(new Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
            assertThat(c.cmd("GET")).isEqualTo(new Err("ERR wrong number of arguments for 'get' command"));
            assertThat(c.cmd("SET", "a", "b", "c")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("SELECT", "0")).isEqualTo("OK");
            assertThat(c.cmd("SELECT", "16")).isEqualTo(new Err("ERR DB index is out of range"));
            assertThat(c.cmd("SELECT", "15")).isEqualTo("OK");
            assertThat(c.cmd("SELECT", "0")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "SETNAME", "me")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "GETNAME")).isEqualTo("me");
            assertThat(c.cmd("CLIENT", "ID")).isInstanceOf(Long.class);
            assertThat(c.cmd("CLIENT", "SETINFO", "LIB-NAME", "test")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "SETNAME")).isEqualTo(new Err("ERR wrong number of arguments for 'client|setname' command"));
            assertThat(c.cmd("CLIENT", "FOO")).isEqualTo(new Err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
            assertThat(c.cmd("HELLO", "1")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
            assertThat((List<Object>) c.cmd("HELLO", "2")).containsSequence("proto", 2L);
            assertThat(c.cmd("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
            assertThat(c.cmd("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
            assertThat((Long) c.cmd("COMMAND", "COUNT")).isGreaterThan(50L);
            List<?> get = (List<?>) ((List<?>) c.cmd("COMMAND", "INFO", "get")).get(0);
            assertThat(get.subList(0, 7)).isEqualTo(List.of("get", 2L, List.of("readonly", "fast"), 1L, 1L, 1L,
                    List.of("@read", "@string", "@fast")));
            assertThat((List<?>) get.get(8)).as("key specs").hasSize(1);
            assertThat((List<?>) c.cmd("COMMAND", "DOCS", "set")).hasSize(2);
            assertThat((List<?>) c.cmd("TIME")).hasSize(2);
            assertThat(c.cmd("AUTH", "x")).isEqualTo(new Err("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?"));
        }
    }

    @Test
    void keysOnBothShardsThroughEitherConnection() throws Exception {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("SET", k0, "zero")).isEqualTo("OK");
            assertThat(c.cmd("SET", k1, "one")).isEqualTo("OK");
            assertThat(c.cmd("GET", k0)).isEqualTo("zero");
            assertThat(c.cmd("GET", k1)).isEqualTo("one");
            assertThat(c.cmd("MGET", k1, "nokey", k0, k1)).isEqualTo(java.util.Arrays.asList("one", null, "zero", "one"));
            assertThat(c.cmd("EXISTS", k0, k1, "nokey", k0)).isEqualTo(3L);
            assertThat(c.cmd("DBSIZE")).isEqualTo(2L);
            assertThat(c.cmd("TYPE", k1)).isEqualTo("string");
            assertThat(c.cmd("DEL", k0, k1, "nokey")).isEqualTo(2L);
            assertThat(c.cmd("DBSIZE")).isEqualTo(0L);
            assertThat(c.cmd("MSET", k0, "a", k1, "b")).isEqualTo("OK");
            assertThat(c.cmd("MSET", k0, "a", k1)).isEqualTo(new Err("ERR wrong number of arguments for 'mset' command"));
            assertThat(c.cmd("UNLINK", k1)).isEqualTo(1L);
            String info = (String) c.cmd("INFO");
            assertThat(info).contains("# Server", "redis_version:7.0.15", "# Clients", "# Stats", "# Keyspace", "db0:keys=1,expires=0",
                    "shard_0:keys=1", "shard_1:keys=0");
            assertThat((String) c.cmd("INFO", "keyspace")).doesNotContain("# Server");
        }
        // each connection lands on some shard; both must see the same keyspace
        List<RespTestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(client());
            }
            for (int i = 0; i < clients.size(); i++) {
                assertThat(clients.get(i).cmd("INCR", i % 2 == 0 ? k0 + "n" : k1 + "n")).isEqualTo((long) (i / 2 + 1));
            }
        } finally {
            for (RespTestClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void pipelinedRepliesComeBackInRequestOrderAcrossShards() throws Exception {
        try (RespTestClient c = client()) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                String key = (i % 2 == 0 ? k0 : k1) + ":" + (i % 7);
                batch.write(RespTestClient.encode("INCR", key));
                if (i % 10 == 0) {
                    batch.write(RespTestClient.encode("MGET", k0 + ":0", k1 + ":1"));
                }
            }
            c.send(batch.toByteArray());
            long[] expected = new long[14];
            for (int i = 0; i < n; i++) {
                int slot = (i % 2) * 7 + (i % 7);
                assertThat(c.read()).as("reply %d", i).isEqualTo(++expected[slot]);
                if (i % 10 == 0) {
                    Object v0 = expected[0] == 0 ? null : Long.toString(expected[0]);
                    Object v1 = expected[8] == 0 ? null : Long.toString(expected[8]);
                    assertThat(c.read()).isEqualTo(java.util.Arrays.asList(v0, v1));
                }
            }
        }
    }

    @Test
    void inlineCommands() throws Exception {
        try (RespTestClient c = client()) {
            c.send("PING\r\nSET greeting \"hello world\"\r\n\r\nGET greeting\r\nECHO 'it''s'\r\n");
            assertThat(c.read()).isEqualTo("PONG");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("hello world");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: unbalanced quotes in request"));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** Commands held back (here by CLIENT PAUSE ALL) are answered before a protocol error read after them. */
    @Test
    void aProtocolErrorAfterHeldCommandsComesAfterTheirReplies() throws Exception {
        try (RespTestClient admin = client(); RespTestClient c = client()) {
            assertThat(admin.cmd("CLIENT", "PAUSE", "300", "ALL")).isEqualTo("OK");
            c.send("PING\r\nECHO 'it''s'\r\n");
            assertThat(c.read()).isEqualTo("PONG");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: unbalanced quotes in request"));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** As redis-server 7.0.15 answers it: a top-level bulk header is just an inline command. */
    @Test
    void topLevelBulkFrameIsAnInlineCommandAsInRedis() throws Exception {
        try (RespTestClient c = client()) {
            c.send("$4\r\nPING\r\n");
            assertThat(c.read()).isEqualTo(new Err("ERR unknown command '$4', with args beginning with: "));
            assertThat(c.read()).isEqualTo("PONG");
            assertThat(c.cmd("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void msetnxIsAllOrNothingAcrossShards() throws Exception {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("MSETNX", k0 + "a", "1", k1 + "b", "2")).isEqualTo(1L);
            assertThat(c.cmd("MSETNX", k0 + "c", "3", k1 + "b", "x")).isEqualTo(0L);
            assertThat(c.cmd("EXISTS", k0 + "c")).isEqualTo(0L);
            assertThat(c.cmd("GET", k1 + "b")).isEqualTo("2");
            // pipelined: the read right behind MSETNX sees its writes
            c.send(concat(RespTestClient.encode("MSETNX", k0 + "d", "4", k1 + "e", "5"), RespTestClient.encode("MGET", k0 + "d", k1 + "e")));
            assertThat(c.read()).isEqualTo(1L);
            assertThat(c.read()).isEqualTo(List.of("4", "5"));
            // same shard via hash tags: atomic on one shard
            assertThat(c.cmd("MSETNX", "{t}x", "1", "{t}y", "2")).isEqualTo(1L);
            assertThat(c.cmd("MSETNX", "{t}y", "1", "{t}z", "2")).isEqualTo(0L);
        }
    }

    @Test
    void renameAcrossShardsKeepsTtlAndOrder() throws Exception {
        try (RespTestClient c = client()) {
            c.cmd("SET", k0, "v", "EX", "100");
            c.send(concat(RespTestClient.encode("RENAME", k0, k1), RespTestClient.encode("GET", k1), RespTestClient.encode("EXISTS", k0)));
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("v");
            assertThat(c.read()).isEqualTo(0L);
            assertThat((Long) c.cmd("TTL", k1)).isBetween(98L, 100L);
            assertThat(c.cmd("RENAME", k0, k1)).isEqualTo(new Err("ERR no such key"));
            assertThat(c.cmd("RANDOMKEY")).isEqualTo(k1);
        }
    }

    @Test
    void scanWalksEveryShardWithTheShardInTheCursor() throws Exception {
        try (RespTestClient c = client()) {
            Set<String> expected = new HashSet<>();
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                batch.write(RespTestClient.encode("SET", "scan:" + i, "v"));
                expected.add("scan:" + i);
            }
            batch.write(RespTestClient.encode("SET", "other", "v"));
            c.send(batch.toByteArray());
            for (int i = 0; i < 501; i++) {
                c.read();
            }
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            int calls = 0;
            do {
                List<?> reply = (List<?>) c.cmd("SCAN", cursor, "MATCH", "scan:*", "COUNT", "50");
                cursor = (String) reply.get(0);
                for (Object k : (List<?>) reply.get(1)) {
                    seen.add((String) k);
                }
                calls++;
            } while (!cursor.equals("0") && calls < 1000);
            assertThat(seen).isEqualTo(expected);
            assertThat((List<?>) c.cmd("KEYS", "scan:1?")).hasSize(10);
            assertThat(c.cmd("SCAN", "abc")).isEqualTo(new Err("ERR invalid cursor"));
            assertThat(c.cmd("SCAN", "0", "COUNT", "0")).isEqualTo(new Err("ERR syntax error"));
        }
    }

    @Test
    void lazyAndActiveExpiry() throws Exception {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("SET", k0 + "lazy", "v", "PX", "50")).isEqualTo("OK");
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 300; i++) {
                batch.write(RespTestClient.encode("SET", "active:" + i, "v", "PX", "50"));
            }
            c.send(batch.toByteArray());
            for (int i = 0; i < 300; i++) {
                assertThat(c.read()).isEqualTo("OK");
            }
            assertThat(c.cmd("SET", "stays", "v")).isEqualTo("OK");
            Thread.sleep(100);
            assertThat(c.cmd("GET", k0 + "lazy")).isNull();
            // nobody touches the active:* keys; the shards' expiry timers must remove them
            long deadline = System.nanoTime() + 10_000_000_000L;
            Object size;
            do {
                Thread.sleep(100);
                size = c.cmd("DBSIZE");
            } while (!size.equals(1L) && System.nanoTime() < deadline);
            assertThat(size).isEqualTo(1L);
            assertThat((String) c.cmd("INFO", "stats")).contains("expired_keys:301");
        }
    }

    @Test
    void protocolErrorsReplyAndCloseOnlyThatConnection() throws Exception {
        try (RespTestClient bystander = client()) {
            assertThat(bystander.cmd("SET", "bystander", "ok")).isEqualTo("OK");
            String[][] cases = {
                    {"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"},
                    {"*2000000\r\n", "ERR Protocol error: invalid multibulk length"},
                    {"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
                    {"*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length"},
                    {"*2\r\n+OK\r\n", "ERR Protocol error: expected '$', got '+'"},
                    {"*1\r\n*1\r\n", "ERR Protocol error: expected '$', got '*'"},
                    {"A".repeat(70_000), "ERR Protocol error: too big inline request"},
                    // redis-server 7.0.15 answers these two exactly so (a length line without CR past 64 KB)
                    {"*" + "1".repeat(70_000), "ERR Protocol error: too big mbulk count string"},
                    {"*1\r\n$" + "1".repeat(70_000), "ERR Protocol error: too big bulk count string"},
                    {"*1\r\n\r\n\r\n", "ERR Protocol error: expected '$', got ' '"},
            };
            for (String[] tc : cases) {
                try (RespTestClient c = client()) {
                    c.send("PING\r\n" + tc[0]);
                    assertThat(c.read()).isEqualTo("PONG");
                    assertThat(c.read()).as(tc[0].substring(0, Math.min(20, tc[0].length()))).isEqualTo(new Err(tc[1]));
                    assertThat(c.closedByServer()).isTrue();
                }
            }
            assertThat(bystander.cmd("GET", "bystander")).isEqualTo("ok");
        }
    }

    @Test
    void quitRepliesThenCloses() throws Exception {
        try (RespTestClient c = client()) {
            c.send(concat(RespTestClient.encode("SET", k1, "v"), RespTestClient.encode("QUIT"), RespTestClient.encode("PING")));
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
