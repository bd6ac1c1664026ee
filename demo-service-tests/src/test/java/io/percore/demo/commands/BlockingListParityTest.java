package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: LMPOP, BLMPOP, BLPOP, BRPOP, BLMOVE and BRPOPLPUSH sent to a real redis-server 7.0.15
 * and to a two-shard demo, in RESP2 and RESP3: replies with data present, argument and type
 * errors in Redis's order, and the timeout replies byte for byte (a null array, not a null bulk).
 * The keys are spread over both of the demo's shards.
 */
class BlockingListParityTest {

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    @Test
    void repliesAndErrorsAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", "l1", "l2", "l3", "s", "none", "dst"},
                {"RPUSH", "l1", "a", "b", "c", "d", "e"},
                {"RPUSH", "l2", "x"},
                {"SET", "s", "str"},
                // LMPOP
                {"LMPOP", "1", "l1", "LEFT"},
                {"LMPOP", "2", "none", "l1", "RIGHT", "COUNT", "2"},
                {"LMPOP", "3", "none", "l2", "l1", "left", "count", "100"},
                {"LMPOP", "2", "none", "s", "LEFT"},
                {"LMPOP", "2", "l1", "s", "RIGHT"},
                {"LMPOP", "0", "l1", "LEFT"},
                {"LMPOP", "-1", "l1", "LEFT"},
                {"LMPOP", "x", "l1", "LEFT"},
                {"LMPOP", "2", "l1", "LEFT"},
                {"LMPOP", "9223372036854775807", "l1", "LEFT"},
                {"LMPOP", "1", "l1", "MIDDLE"},
                {"LMPOP", "1", "l1", "LEFT", "COUNT"},
                {"LMPOP", "1", "l1", "LEFT", "COUNT", "0"},
                {"LMPOP", "1", "l1", "LEFT", "COUNT", "-1"},
                {"LMPOP", "1", "l1", "LEFT", "COUNT", "x"},
                {"LMPOP", "1", "l1", "LEFT", "COUNT", "1", "COUNT", "2"},
                {"LMPOP", "1", "l1", "LEFT", "FOO"},
                {"LMPOP", "1", "l1"},
                // BLMPOP: the timeout is read after the other arguments
                {"RPUSH", "l3", "1", "2", "3"},
                {"BLMPOP", "0", "2", "none", "l3", "RIGHT", "COUNT", "2"},
                {"BLMPOP", "x", "1", "l3", "LEFT"},
                {"BLMPOP", "-1", "1", "l3", "LEFT"},
                {"BLMPOP", "-1", "0", "l3", "LEFT"},
                {"BLMPOP", "x", "1", "l3", "LEFT", "COUNT", "0"},
                {"BLMPOP", "0", "1", "l3"},
                {"BLMPOP", "0", "2", "none", "s", "LEFT"},
                // BLPOP, BRPOP
                {"RPUSH", "l1", "p", "q", "r"},
                {"BLPOP", "none", "l1", "0"},
                {"BRPOP", "none", "l1", "l1", "none", "1.5"},
                {"BLPOP", "none", "s", "0"},
                {"BLPOP", "l1", "s", "0"},
                {"BLPOP", "l1", "-1"},
                {"BLPOP", "l1", "-0.00100001"},
                {"BLPOP", "l1", "abc"},
                {"BLPOP", "l1", "1e5000"},
                {"BLPOP", "l1", "nan"},
                {"BLPOP", "l1", "inf"},
                {"BLPOP", "l1", "9.3e15"},
                {"BLPOP", "l1", " 1"},
                {"BLPOP", "l1"},
                // BLMOVE, BRPOPLPUSH
                {"RPUSH", "l1", "m1", "m2"},
                {"BLMOVE", "l1", "dst", "LEFT", "RIGHT", "0"},
                {"BRPOPLPUSH", "l1", "dst", "0"},
                {"LRANGE", "dst", "0", "-1"},
                {"RPUSH", "l1", "m3"},
                {"BLMOVE", "l1", "s", "LEFT", "RIGHT", "0"},
                {"LRANGE", "l1", "0", "-1"},
                {"BLMOVE", "s", "dst", "LEFT", "RIGHT", "0"},
                {"BLMOVE", "l1", "dst", "UP", "RIGHT", "x"},
                {"BLMOVE", "l1", "dst", "LEFT", "RIGHT", "x"},
                {"BLMOVE", "l1", "dst", "LEFT", "RIGHT", "-2"},
                {"BRPOPLPUSH", "l1", "dst", "x"},
                {"BRPOPLPUSH", "l1", "s", "0"},
                {"LRANGE", "l1", "0", "-1"},
                {"EXISTS", "l2", "l3"}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, reply -> reply));
    }

    /**
     * LMOVE, RPOPLPUSH, BLMOVE and BRPOPLPUSH are denyoom: over maxmemory (1 byte, so every shard is
     * over budget) both servers refuse them with -OOM before reading their arguments, with or without
     * data in the source, while the pops (not denyoom) still run.
     */
    @Test
    void listMovesAreRefusedOverMaxmemoryAsRedisRefusesThem() throws IOException {
        String[][] commands = {
                {"LMOVE", "l1", "dst", "LEFT", "LEFT"},
                {"LMOVE", "none", "dst", "LEFT", "RIGHT"},
                {"LMOVE", "l1", "dst", "UP", "DOWN"},
                {"RPOPLPUSH", "l1", "dst"},
                {"RPOPLPUSH", "none", "l1"},
                {"BLMOVE", "l1", "dst", "LEFT", "LEFT", "0"},
                {"BLMOVE", "none", "dst", "LEFT", "LEFT", "0.01"},
                {"BLMOVE", "l1", "dst", "UP", "DOWN", "x"},
                {"BRPOPLPUSH", "l1", "dst", "0"},
                {"BRPOPLPUSH", "none", "dst", "-1"},
                {"LMOVE", "l1"},
                {"LRANGE", "l1", "0", "-1"},
                {"EXISTS", "dst"},
                {"LPOP", "l1"},
                {"BLPOP", "none", "0.01"},
                {"BLMPOP", "0.01", "1", "none", "LEFT"}};
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            String demoMax = (String) ((List<?>) d.cmd("CONFIG", "GET", "maxmemory")).get(1);
            for (RespTestClient c : List.of(r, d)) {
                c.cmd("DEL", "l1", "dst", "none");
                c.cmd("RPUSH", "l1", "a", "b", "c");
                c.cmd("CONFIG", "SET", "maxmemory", "1");
            }
            try {
                redis.inBothProtocols(demo.respPort(), (rr, dd, proto) -> RealRedis.sameReplies(rr, dd, proto, commands, reply -> reply));
            } finally {
                r.cmd("CONFIG", "SET", "maxmemory", "0");
                d.cmd("CONFIG", "SET", "maxmemory", demoMax);
            }
        }
    }

    /** The replies a decoded null hides: Redis answers a timed-out or empty blocking pop with a null array, in both protocols. */
    @Test
    void timeoutAndEmptyRepliesAreRedisesByteForByte() throws IOException {
        String[][] commands = {
                {"DEL", "none", "dst"},
                {"LMPOP", "2", "none", "dst", "LEFT"},
                {"BLMPOP", "0.01", "1", "none", "LEFT", "COUNT", "2"},
                {"BLPOP", "none", "dst", "0.01"},
                {"BRPOP", "none", "0.001"},
                {"BLMOVE", "none", "dst", "RIGHT", "LEFT", "0.01"},
                {"BRPOPLPUSH", "none", "dst", "0x1p-7"},
                {"BLPOP", "none", "1e-10"},
                {"LPOP", "none"}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : commands) {
                r.send(RespTestClient.encode(command));
                d.send(RespTestClient.encode(command));
                assertThat(d.readRawLine()).as("RESP" + proto + ": " + String.join(" ", command)).isEqualTo(r.readRawLine());
            }
        });
    }

    /**
     * Inside MULTI a blocking command does not block (Redis's CLIENT_DENY_BLOCKING): with no data
     * BLPOP answers a null array and BRPOPLPUSH/BLMOVE a null bulk, inside EXEC's array; compared
     * byte for byte (Redis's "BRPOPLPUSH inside a transaction" and "BLPOP inside a transaction").
     */
    @Test
    void insideATransactionTheBlockingFormsDoNotBlock() throws IOException {
        String[][] transaction = {
                {"DEL", "xlist", "target", "none"},
                {"LPUSH", "xlist", "foo"},
                {"LPUSH", "xlist", "bar"},
                {"MULTI"},
                {"BRPOPLPUSH", "xlist", "target", "0"},
                {"BRPOPLPUSH", "xlist", "target", "0"},
                {"BRPOPLPUSH", "xlist", "target", "0"},
                {"BLMOVE", "none", "target", "LEFT", "LEFT", "0"},
                {"BLPOP", "none", "xlist", "0"},
                {"BLMPOP", "0", "2", "none", "target", "RIGHT", "COUNT", "5"},
                {"BLMPOP", "0", "1", "none", "LEFT"},
                {"LRANGE", "xlist", "0", "-1"},
                {"LRANGE", "target", "0", "-1"},
                {"EXEC"}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : transaction) {
                r.send(RespTestClient.encode(command));
                d.send(RespTestClient.encode(command));
                assertThat(d.readRawReply()).as("RESP" + proto + ": " + String.join(" ", command)).isEqualTo(r.readRawReply());
            }
        });
    }

    /**
     * A transaction's pushes wake a blocked client only when the transaction is over, with what is
     * there then (Redis's "MULTI/EXEC is isolated from the point of view of BLPOP" and "BLPOP, LPUSH
     * + DEL should not awake blocked client").
     */
    @Test
    void aTransactionWakesBlockedClientsWhenItIsOver() throws IOException {
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient waiter = new RespTestClient(port); RespTestClient c = new RespTestClient(port)) {
                c.cmd("DEL", "isolated");
                waiter.send(RespTestClient.encode("BLPOP", "isolated", "0"));
                awaitBlocked(c, 1);
                c.cmd("MULTI");
                c.cmd("LPUSH", "isolated", "a");
                c.cmd("LPUSH", "isolated", "b");
                c.cmd("LPUSH", "isolated", "c");
                assertThat(c.cmd("EXEC")).isEqualTo(List.of(1L, 2L, 3L));
                assertThat(waiter.read()).as("port " + port).isEqualTo(List.of("isolated", "c"));

                c.cmd("DEL", "isolated");
                waiter.send(RespTestClient.encode("BLPOP", "isolated", "0"));
                awaitBlocked(c, 1);
                c.cmd("MULTI");
                c.cmd("LPUSH", "isolated", "gone");
                c.cmd("DEL", "isolated");
                c.cmd("SET", "isolated", "foo");
                c.cmd("EXEC");
                c.cmd("DEL", "isolated");
                c.cmd("LPUSH", "isolated", "later");
                assertThat(waiter.read()).as("port " + port).isEqualTo(List.of("isolated", "later"));
            }
        }
    }

    /**
     * A blocked BLMOVE (or BRPOPLPUSH) whose destination is its source, served by a transaction that pushed one element
     * and set a time to live: a rotation, as Redis serves it (the push before the pop's removal), so the list is never
     * empty in between and keeps its key, its element and its time to live.
     */
    @Test
    void aServedMoveOntoItsOwnListKeepsTheKeysTimeToLive() throws IOException {
        for (String[] blocking : new String[][] {{"BLMOVE", "rot", "rot", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "rot", "rot", "0"}}) {
            for (int port : new int[] {redis.port(), demo.respPort()}) {
                try (RespTestClient waiter = new RespTestClient(port); RespTestClient c = new RespTestClient(port)) {
                    c.cmd("DEL", "rot");
                    waiter.send(RespTestClient.encode(blocking));
                    awaitBlocked(c, 1);
                    c.cmd("MULTI");
                    c.cmd("RPUSH", "rot", "only");
                    c.cmd("PEXPIRE", "rot", "100000");
                    assertThat(c.cmd("EXEC")).isEqualTo(List.of(1L, 1L));
                    String on = blocking[0] + " on port " + port;
                    assertThat(waiter.read()).as(on).isEqualTo("only");
                    assertThat(c.cmd("LRANGE", "rot", "0", "-1")).as(on).isEqualTo(List.of("only"));
                    assertThat((Long) c.cmd("PTTL", "rot")).as(on + ": the time to live kept").isGreaterThan(50_000L);
                }
            }
        }
    }

    private static void awaitBlocked(RespTestClient c, int n) throws IOException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!c.cmd("INFO", "clients").toString().contains("blocked_clients:" + n) && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
    }

    /**
     * Redis reads a timeout in long double arithmetic: {@code -0.001} seconds is -0.99999... ms,
     * whose ceiling is 0, which means no timeout. Both servers block, and both are woken by a push.
     */
    @Test
    void aTimeoutThatRoundsToZeroBlocksForEverOnBoth() throws IOException {
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient waiter = new RespTestClient(port); RespTestClient pusher = new RespTestClient(port)) {
                pusher.cmd("DEL", "forever");
                waiter.send(RespTestClient.encode("BLPOP", "forever", "-0.001"));
                long deadline = System.currentTimeMillis() + 10_000;
                while (!pusher.cmd("INFO", "clients").toString().contains("blocked_clients:1") && System.currentTimeMillis() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(pusher.cmd("RPUSH", "forever", "woken")).isEqualTo(1L);
                assertThat(waiter.read()).as("port " + port).isEqualTo(List.of("forever", "woken"));
            }
        }
    }
}
