package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replies issue 12 added, sent to a real redis-server (7.0.15, the Debian package the build
 * installs) and to the demo, compared byte for byte: the {@code -OOM} error, CONFIG SET's errors, the
 * string-size error, and what a client over the connection limit reads.
 */
class RedisParityTest {

    private static RealRedis redis;
    private static int redisPort;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        redisPort = redis.port();
        demo = TestServices.start(1, DemoSettings.forTests().withMemory(new MemorySettings(1 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** The same commands on both servers, on one connection each; every reply must be equal. */
    private static void sameReplies(String[]... commands) throws IOException {
        try (RespTestClient r = new RespTestClient(redisPort); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String[] command : commands) {
                assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        }
    }

    @Test
    void configSetErrorsAreRedises() throws IOException {
        sameReplies(
                new String[] {"CONFIG", "SET", "foo", "bar"},
                new String[] {"CONFIG", "SET", "maxmemory-policy", "bad"},
                new String[] {"CONFIG", "SET", "maxmemory", "abc"},
                new String[] {"CONFIG", "SET", "databases", "3"},
                new String[] {"CONFIG", "SET", "maxmemory"},
                new String[] {"CONFIG", "FOO"});
        // The one deliberate difference (demo README): samples are capped at 64, Redis allows up to INT_MAX.
    }

    @Test
    void stringSizeErrorsAreRedises() throws IOException {
        sameReplies(
                new String[] {"SETRANGE", "parity", "9223372036854775807", "A"},
                new String[] {"SETRANGE", "parity", "-1", "A"},
                new String[] {"SETRANGE", "parity", "x", "A"});
    }

    @Test
    void overMaxmemoryBothAnswerTheSameOom() throws IOException {
        try (RespTestClient r = new RespTestClient(redisPort); RespTestClient d = new RespTestClient(demo.respPort())) {
            assertThat(r.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction", "maxmemory", "1")).isEqualTo("OK");
            try {
                String big = "z".repeat(100_000);
                Object demoReply = "OK";
                for (int i = 0; i < 50 && "OK".equals(demoReply); i++) {
                    demoReply = d.cmd("SET", "parity:" + i, big);
                }
                assertThat(demoReply).isEqualTo(r.cmd("SET", "parity:x", "v"));
                assertThat(demoReply).isInstanceOf(RespTestClient.Err.class);
            } finally {
                r.cmd("CONFIG", "SET", "maxmemory", "0");
                d.cmd("FLUSHALL");
            }
        }
    }

    @Test
    void aClientOverTheLimitReadsWhatRedisWrites() throws Exception {
        try (RespTestClient r = new RespTestClient(redisPort)) {
            assertThat(r.cmd("CONFIG", "SET", "maxclients", "1")).isEqualTo("OK");
            String fromRedis;
            try (Socket second = new Socket("127.0.0.1", redisPort)) {
                second.setSoTimeout(10_000);
                fromRedis = new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } finally {
                r.cmd("CONFIG", "SET", "maxclients", "10000");
            }
            try (TestServices limited = TestServices.start(1, DemoSettings.forTests().withMaxConnectionsPerShard(1));
                    RespTestClient first = new RespTestClient(limited.respPort());
                    Socket second = new Socket("127.0.0.1", limited.respPort())) {
                assertThat(first.cmd("PING")).isEqualTo("PONG");
                second.setSoTimeout(10_000);
                assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(fromRedis);
            }
        }
    }

    /**
     * Issue 13: RESP3 replies and the empty function library, compared with redis-server's. HELLO's
     * {@code id} is the connection's number on each server, so it is left out.
     */
    @Test
    void resp3AndTheEmptyFunctionLibraryAreRedises() throws IOException {
        try (RespTestClient r = new RespTestClient(redisPort); RespTestClient d = new RespTestClient(demo.respPort())) {
            assertThat(withoutId(d.cmd("HELLO", "3"))).isEqualTo(withoutId(r.cmd("HELLO", "3")));
            for (String[] command : new String[][] {
                    {"GET", "parity3:none"},
                    {"MGET", "parity3:none", "parity3:other"},
                    {"CONFIG", "GET", "maxmemory-policy"},
                    {"FUNCTION", "FLUSH"},
                    {"FUNCTION", "FLUSH", "SYNC"},
                    {"FUNCTION", "FLUSH", "NOW"},
                    {"FUNCTION", "LIST"},
                    {"FUNCTION", "LIST", "WITHCODE"},
                    {"FUNCTION", "STATS"},
                    {"FUNCTION", "DELETE", "nolib"},
                    {"FUNCTION", "KILL"},
                    {"HELLO", "4"}}) {
                assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
            }
            // Same reply types where the contents differ by nature (the server's own figures, the client's address).
            assertThat(d.cmd("INFO", "server")).isInstanceOf(RespTestClient.Verbatim.class).hasSameClassAs(r.cmd("INFO", "server"));
            assertThat(d.cmd("CLIENT", "INFO")).isInstanceOf(RespTestClient.Verbatim.class).hasSameClassAs(r.cmd("CLIENT", "INFO"));
            Object ours = ((List<?>) ((List<?>) d.cmd("COMMAND", "INFO", "get")).get(0)).get(2);
            Object theirs = ((List<?>) ((List<?>) r.cmd("COMMAND", "INFO", "get")).get(0)).get(2);
            assertThat(ours).as("COMMAND INFO flags").isEqualTo(theirs);
            assertThat(withoutId(d.cmd("HELLO", "2"))).isEqualTo(withoutId(r.cmd("HELLO", "2")));
            assertThat(d.cmd("GET", "parity3:none")).isEqualTo(r.cmd("GET", "parity3:none"));
        }
    }

    /** A HELLO reply (RESP2 array or RESP3 map) without the {@code id} key and its value. */
    private static Object withoutId(Object hello) {
        List<Object> items = new java.util.ArrayList<>(hello instanceof RespTestClient.Map3 m ? m.keysAndValues() : (List<?>) hello);
        int at = items.indexOf("id");
        assertThat(at).as("HELLO has an id: " + hello).isNotNegative();
        items.remove(at + 1);
        items.remove(at);
        return hello instanceof RespTestClient.Map3 ? new RespTestClient.Map3(items) : items;
    }

    /** Issue 13: the hash commands, replies and errors compared with redis-server's, in RESP2 then RESP3. */
    @Test
    void hashesAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", "h", "s", "n"},
                {"HSET", "h", "a", "1", "b", "2"},
                {"HSET", "h", "a", "10", "c", "3"},
                {"HSET", "h", "odd"},
                {"HSET", "h"},
                {"HMSET", "h", "d", "4"},
                {"HSETNX", "h", "a", "x"},
                {"HSETNX", "h", "e", "5"},
                {"HGET", "h", "a"},
                {"HGET", "h", "zz"},
                {"HGET", "nokey", "a"},
                {"HMGET", "h", "a", "zz", "b"},
                {"HMGET", "nokey", "a"},
                {"HLEN", "h"},
                {"HLEN", "nokey"},
                {"HSTRLEN", "h", "a"},
                {"HSTRLEN", "h", "zz"},
                {"HEXISTS", "h", "a"},
                {"HEXISTS", "h", "zz"},
                {"HKEYS", "h"},
                {"HVALS", "h"},
                {"HGETALL", "h"},
                {"HGETALL", "nokey"},
                {"HKEYS", "nokey"},
                {"HINCRBY", "h", "a", "5"},
                {"HINCRBY", "h", "new", "-3"},
                {"HINCRBY", "h", "a", "x"},
                {"HSET", "h", "big", "9223372036854775807"},
                {"HINCRBY", "h", "big", "1"},
                {"HSET", "h", "str", "abc"},
                {"HINCRBY", "h", "str", "1"},
                {"HINCRBYFLOAT", "h", "f", "1.5"},
                {"HINCRBYFLOAT", "h", "f", "0.1"},
                {"HINCRBYFLOAT", "h", "str", "1"},
                {"HINCRBYFLOAT", "h", "f", "abc"},
                {"HINCRBYFLOAT", "hfoo", "field", "+inf"},
                {"HINCRBYFLOAT", "hfoo", "field", "nan"},
                {"EXISTS", "hfoo"},
                {"CONFIG", "SET", "hash-max-ziplist-entries", "16"},
                {"CONFIG", "GET", "hash-max-listpack-entries"},
                {"CONFIG", "SET", "hash-max-listpack-value", "x"},
                {"CONFIG", "SET", "hash-max-listpack-entries", "128", "hash-max-ziplist-value", "64"},
                {"MEMORY", "USAGE", "nokey"},
                {"MEMORY", "FOO"},
                {"HDEL", "h", "a", "zz", "b"},
                {"HDEL", "nokey", "a"},
                {"HSCAN", "h", "0", "MATCH", "f*"},
                {"HSCAN", "h", "abc"},
                {"HSCAN", "h", "0", "COUNT", "0"},
                {"HRANDFIELD", "nokey"},
                {"HRANDFIELD", "nokey", "3"},
                {"HRANDFIELD", "h", "0"},
                {"HRANDFIELD", "h", "1", "WITHVALUE"},
                {"SET", "s", "v"},
                {"HSCAN", "s", "0", "COUNT", "0"},
                {"SSCAN", "s", "0", "COUNT", "0"},
                {"HSCAN", "s", "x", "COUNT", "0"},
                {"HGET", "s", "a"},
                {"HSET", "s", "a", "1"},
                {"HGETALL", "s"},
                {"GET", "h"},
                {"TYPE", "h"},
                {"TYPE", "s"},
                {"RENAMENX", "nokey", "x"},
                {"RENAMENX", "h", "s"},
                {"RENAMENX", "h", "h2"},
                {"HGETALL", "h2"},
                {"RENAMENX", "h2", "h"},
                {"RENAMENX", "h", "h"},
                {"HSET", "n", "only", "1"},
                {"HDEL", "n", "only"},
                {"EXISTS", "n"}};
        inBothProtocols((r, d, proto) -> {
                sameReplies(r, d, proto, commands, reply -> reply);
                // Random picks: the same shape and sizes.
                for (String[] command : new String[][] {{"HRANDFIELD", "h"}, {"HRANDFIELD", "h", "2"}, {"HRANDFIELD", "h", "-5"},
                        {"HRANDFIELD", "h", "2", "WITHVALUES"}, {"HRANDFIELD", "h", "-3", "WITHVALUES"}, {"HRANDFIELD", "h", "100"}}) {
                    Object ours = d.cmd(command);
                    Object theirs = r.cmd(command);
                    assertThat(ours).as("RESP" + proto + ": " + String.join(" ", command)).hasSameClassAs(theirs);
                    if (theirs instanceof List<?> list) {
                        assertThat((List<?>) ours).as(String.join(" ", command)).hasSameSizeAs(list);
                        if (!list.isEmpty()) {
                            assertThat(((List<?>) ours).get(0)).hasSameClassAs(list.get(0));
                        }
                    }
                }
        });
    }

    /**
     * Issue 13: the set commands compared with redis-server's in RESP2 and RESP3. Sets have no
     * order, so member lists are compared sorted; random picks by shape and size.
     */
    @Test
    void setsAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", "s1", "s2", "s3", "d", "str", "e"},
                {"CONFIG", "SET", "set-max-intset-entries", "64"},
                {"CONFIG", "GET", "set-max-intset-entries"},
                {"CONFIG", "SET", "set-max-intset-entries", "512"},
                {"SADD", "s1", "a", "b", "c", "d"},
                {"SADD", "s1", "a", "e"},
                {"SADD", "s2", "c", "d", "e", "f"},
                {"SADD", "s3", "x"},
                {"SCARD", "s1"},
                {"SCARD", "nokey"},
                {"SISMEMBER", "s1", "a"},
                {"SISMEMBER", "s1", "zz"},
                {"SMISMEMBER", "s1", "a", "zz", "e"},
                {"SMEMBERS", "s1"},
                {"SMEMBERS", "nokey"},
                {"SINTER", "s1", "s2"},
                {"SINTER", "s1", "nokey"},
                {"SUNION", "s1", "s2", "s3"},
                {"SDIFF", "s1", "s2"},
                {"SDIFF", "nokey", "s1"},
                {"SINTERSTORE", "d", "s1", "s2"},
                {"SMEMBERS", "d"},
                {"SUNIONSTORE", "d", "s1", "s3"},
                {"SCARD", "d"},
                {"SDIFFSTORE", "d", "s3", "s3"},
                {"EXISTS", "d"},
                {"SINTERCARD", "2", "s1", "s2"},
                {"SINTERCARD", "2", "s1", "s2", "LIMIT", "1"},
                {"SINTERCARD", "0", "s1"},
                {"SINTERCARD", "3", "s1"},
                {"SINTERCARD", "1", "s1", "LIMIT", "-1"},
                {"SMOVE", "s1", "s3", "a"},
                {"SMOVE", "s1", "s3", "zz"},
                {"SMEMBERS", "s3"},
                {"SREM", "s1", "b", "zz"},
                {"SREM", "nokey", "a"},
                {"SPOP", "nokey"},
                {"SPOP", "nokey", "2"},
                {"SPOP", "s1", "-1"},
                {"SRANDMEMBER", "nokey"},
                {"SRANDMEMBER", "nokey", "5"},
                {"SRANDMEMBER", "s1", "0"},
                {"SSCAN", "s2", "0", "MATCH", "[ef]"},
                {"SET", "str", "v"},
                {"SADD", "str", "a"},
                {"SMEMBERS", "str"},
                {"SINTER", "s1", "str"},
                {"SUNIONSTORE", "d", "s1", "str"},
                {"SMOVE", "s1", "str", "c"},
                {"TYPE", "s1"},
                {"SADD", "e", "only"},
                {"SREM", "e", "only"},
                {"EXISTS", "e"}};
        inBothProtocols((r, d, proto) -> {
                sameReplies(r, d, proto, commands, RedisParityTest::sorted);
                for (String[] command : new String[][] {{"SRANDMEMBER", "s2"}, {"SRANDMEMBER", "s2", "2"}, {"SRANDMEMBER", "s2", "-7"},
                        {"SRANDMEMBER", "s2", "100"}, {"SPOP", "s2"}, {"SPOP", "s2", "2"}}) {
                    Object ours = d.cmd(command);
                    Object theirs = r.cmd(command);
                    assertThat(ours).as("RESP" + proto + ": " + String.join(" ", command)).hasSameClassAs(theirs);
                    if (theirs instanceof List<?> list) {
                        assertThat((List<?>) ours).hasSameSizeAs(list);
                    }
                }
        });
    }

    /**
     * A set of integers is an intset in both servers, which lists its members ascending: SMEMBERS and
     * SSCAN compared as they come, not sorted.
     */
    @Test
    void setsOfIntegersListTheirMembersAsRedisDoes() throws IOException {
        String[][] commands = {
                {"DEL", "ints"},
                {"SADD", "ints", "5", "-3", "100000", "2", "-70000", "9223372036854775807", "0"},
                {"SMEMBERS", "ints"},
                {"SSCAN", "ints", "0"},
                {"SREM", "ints", "2", "-70000"},
                {"SADD", "ints", "7", "-9223372036854775808"},
                {"SMEMBERS", "ints"},
                {"SISMEMBER", "ints", "07"},
                {"SISMEMBER", "ints", "7"},
                {"SMISMEMBER", "ints", "-0", "0", "+5", "5"},
                {"SCARD", "ints"}};
        inBothProtocols((r, d, proto) -> sameReplies(r, d, proto, commands, reply -> reply));
    }

    /** Issue 13: the list commands (not the blocking ones) compared with redis-server's, in RESP2 and RESP3. */
    @Test
    void listsAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", "l", "l2", "str", "e", "fl"},
                {"CONFIG", "SET", "save", ""},
                {"CONFIG", "SET", "list-max-ziplist-size", "-2"},
                {"CONFIG", "GET", "list-max-listpack-size"},
                {"CONFIG", "SET", "list-compress-depth", "0"},
                {"INCRBYFLOAT", "fl", "+inf"},
                {"RPUSH", "l", "a", "b", "c"},
                {"LPUSH", "l", "z", "y"},
                {"LPUSHX", "nokey", "x"},
                {"RPUSHX", "l", "d"},
                {"LLEN", "l"},
                {"LLEN", "nokey"},
                {"LRANGE", "l", "0", "-1"},
                {"LRANGE", "l", "-2", "100"},
                {"LRANGE", "l", "5", "1"},
                {"LRANGE", "l", "-100", "1"},
                {"LRANGE", "nokey", "0", "-1"},
                {"LRANGE", "l", "a", "1"},
                {"LINDEX", "l", "0"},
                {"LINDEX", "l", "-1"},
                {"LINDEX", "l", "99"},
                {"LINDEX", "l", "x"},
                {"LSET", "l", "1", "Y"},
                {"LSET", "l", "99", "Y"},
                {"LSET", "nokey", "0", "Y"},
                {"LINSERT", "l", "BEFORE", "a", "pre"},
                {"LINSERT", "l", "AFTER", "d", "post"},
                {"LINSERT", "l", "AFTER", "zz", "x"},
                {"LINSERT", "nokey", "AFTER", "a", "x"},
                {"LINSERT", "l", "MIDDLE", "a", "x"},
                {"RPUSH", "l", "a", "b", "a"},
                {"LPOS", "l", "a"},
                {"LPOS", "l", "a", "RANK", "2"},
                {"LPOS", "l", "a", "RANK", "-1"},
                {"LPOS", "l", "a", "COUNT", "0"},
                {"LPOS", "l", "a", "COUNT", "2", "RANK", "-1"},
                {"LPOS", "l", "a", "MAXLEN", "2"},
                {"LPOS", "l", "zz"},
                {"LPOS", "l", "zz", "COUNT", "1"},
                {"LPOS", "nokey", "a", "COUNT", "1"},
                {"LPOS", "l", "a", "RANK", "0"},
                {"LPOS", "l", "a", "COUNT", "-1"},
                {"LPOS", "l", "a", "MAXLEN", "-1"},
                {"LPOS", "l", "a", "FOO", "1"},
                {"LREM", "l", "1", "a"},
                {"LREM", "l", "-1", "a"},
                {"LREM", "l", "0", "b"},
                {"LRANGE", "l", "0", "-1"},
                {"LPOP", "l"},
                {"RPOP", "l"},
                {"LPOP", "l", "2"},
                {"RPOP", "l", "0"},
                {"LPOP", "l", "-1"},
                {"LPOP", "nokey"},
                {"LPOP", "nokey", "2"},
                {"RPUSH", "l2", "1", "2", "3", "4", "5"},
                {"LTRIM", "l2", "1", "-2"},
                {"LRANGE", "l2", "0", "-1"},
                {"LTRIM", "l2", "5", "10"},
                {"EXISTS", "l2"},
                {"RPUSH", "l2", "1", "2", "3"},
                {"RPOPLPUSH", "l2", "l2"},
                {"LRANGE", "l2", "0", "-1"},
                {"LMOVE", "l2", "l", "LEFT", "RIGHT"},
                {"LMOVE", "l2", "l", "UP", "RIGHT"},
                {"RPOPLPUSH", "nokey", "l"},
                {"LRANGE", "l", "0", "-1"},
                {"SET", "str", "v"},
                {"LPUSH", "str", "a"},
                {"LRANGE", "str", "0", "-1"},
                {"RPOPLPUSH", "l", "str"},
                {"LLEN", "l"},
                {"TYPE", "l"},
                {"RPUSH", "e", "only"},
                {"LPOP", "e"},
                {"EXISTS", "e"}};
        inBothProtocols((r, d, proto) -> sameReplies(r, d, proto, commands, reply -> reply));
    }

    private static Object sorted(Object reply) {
        return RealRedis.sorted(reply);
    }

    private static void inBothProtocols(RealRedis.ParityCheck check) throws IOException {
        redis.inBothProtocols(demo.respPort(), check);
    }

    private static void sameReplies(RespTestClient r, RespTestClient d, String proto, String[][] commands,
                                    java.util.function.UnaryOperator<Object> normalize) throws IOException {
        RealRedis.sameReplies(r, d, proto, commands, normalize);
    }
}
