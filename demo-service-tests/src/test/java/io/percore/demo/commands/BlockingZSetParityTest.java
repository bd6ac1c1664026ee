package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: BZPOPMIN, BZPOPMAX, BZMPOP and ZMPOP sent to a real redis-server 7.0.15 and to a
 * two-shard demo, in RESP2 and RESP3: replies with data present (the score a double in RESP3),
 * argument and type errors in Redis's order, the timeout replies byte for byte, the non-blocking
 * run inside MULTI, and a transaction waking a blocked client when it is over. The keys lie on
 * both of the demo's shards.
 */
class BlockingZSetParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static String z1;
    private static String z2;
    private static String z3;
    private static String s;
    private static String none;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        z1 = demo.keyOn(0, "z1-");
        z2 = demo.keyOn(1, "z2-");
        z3 = demo.keyOn(0, "z3-");
        s = demo.keyOn(1, "s-");
        none = demo.keyOn(1, "none-");
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    @Test
    void repliesAndErrorsAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", z1, z2, z3, s, none},
                {"ZADD", z1, "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
                {"ZADD", z2, "-inf", "lo", "0.1", "tenth", "1e300", "big", "inf", "hi"},
                {"SET", s, "str"},
                // BZPOPMIN, BZPOPMAX: [key, member, score]
                {"BZPOPMIN", z1, "0"},
                {"BZPOPMAX", z1, "0"},
                {"BZPOPMIN", none, z2, z1, "0"},
                {"BZPOPMAX", none, z2, "1.5"},
                {"BZPOPMIN", z2, z2, none, "0"},
                {"BZPOPMAX", none, z1, z2, "0.01"},
                {"BZPOPMIN", s, "0"},
                {"BZPOPMIN", none, s, z1, "0"},
                {"BZPOPMAX", z1, s, "0"},
                {"BZPOPMIN", z1, "-1"},
                {"BZPOPMIN", s, "-1"},
                {"BZPOPMIN", z1, "abc"},
                {"BZPOPMIN", z1, "1e5000"},
                {"BZPOPMIN", z1, "nan"},
                {"BZPOPMIN", z1, "inf"},
                {"BZPOPMIN", z1, " 1"},
                {"BZPOPMAX", z1},
                {"BZPOPMIN"},
                // ZMPOP and BZMPOP: [key, [[member, score], ...]]; BZMPOP reads its timeout last
                {"ZADD", z3, "10", "x", "20", "y", "30", "z", "40", "w"},
                {"ZMPOP", "1", z3, "MIN"},
                {"ZMPOP", "2", none, z3, "MAX", "COUNT", "2"},
                {"ZMPOP", "3", none, s, z3, "min"},
                {"ZMPOP", "2", z3, s, "MAX", "count", "100"},
                {"ZMPOP", "1", none, "MIN"},
                {"ZMPOP", "0", z3, "MIN"},
                {"ZMPOP", "-1", z3, "MIN"},
                {"ZMPOP", "x", z3, "MIN"},
                {"ZMPOP", "2", z3, "MIN"},
                {"ZMPOP", "9223372036854775807", z3, "MIN"},
                {"ZMPOP", "1", z3, "MIDDLE"},
                {"ZMPOP", "1", z3, "MIN", "COUNT"},
                {"ZMPOP", "1", z3, "MIN", "COUNT", "0"},
                {"ZMPOP", "1", z3, "MIN", "COUNT", "-1"},
                {"ZMPOP", "1", z3, "MIN", "COUNT", "x"},
                {"ZMPOP", "1", z3, "MIN", "COUNT", "1", "COUNT", "2"},
                {"ZMPOP", "1", z3, "MIN", "FOO"},
                {"ZMPOP", "1", z3},
                {"ZADD", z3, "1.5", "p", "2.5", "q", "3.5", "r"},
                {"BZMPOP", "0", "2", none, z3, "MAX", "COUNT", "2"},
                {"BZMPOP", "0", "3", none, z2, z3, "MIN"},
                {"BZMPOP", "x", "1", z3, "MIN"},
                {"BZMPOP", "-1", "1", z3, "MIN"},
                {"BZMPOP", "-1", "0", z3, "MIN"},
                {"BZMPOP", "x", "1", z3, "MIN", "COUNT", "0"},
                {"BZMPOP", "x", "1", z3, "LEFT"},
                {"BZMPOP", "0", "1", z3},
                {"BZMPOP", "0", "2", none, s, "MIN"},
                {"BZMPOP", "0", "2", z3, s, "MAX", "COUNT", "9"},
                {"BZMPOP", "0.01", "1", none, "MAX"},
                {"EXISTS", z1, z2, z3}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, reply -> reply));
    }

    /** The replies a decoded null hides: a timed-out or empty pop is a null array ({@code *-1}, RESP3 {@code _}), never a null bulk. */
    @Test
    void timeoutAndEmptyRepliesAreRedisesByteForByte() throws IOException {
        String[][] commands = {
                {"DEL", none},
                {"ZMPOP", "2", none, z1, "MIN"},
                {"BZMPOP", "0.01", "1", none, "MIN", "COUNT", "2"},
                {"BZPOPMIN", none, z1, "0.01"},
                {"BZPOPMAX", none, "0.001"},
                {"BZPOPMIN", none, "0x1p-7"},
                {"BZPOPMAX", none, "1e-10"},
                {"ZPOPMIN", none}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : commands) {
                r.send(RespTestClient.encode(command));
                d.send(RespTestClient.encode(command));
                assertThat(d.readRawLine()).as("RESP" + proto + ": " + String.join(" ", command)).isEqualTo(r.readRawLine());
            }
        });
    }

    /** A served reply byte for byte: RESP3's doubles, the nesting, large and special scores. */
    @Test
    void servedRepliesAreRedisesByteForByte() throws IOException {
        String[][] commands = {
                {"DEL", z1, z2},
                {"ZADD", z1, "0.1", "a", "-inf", "b", "inf", "c", "1e-300", "d", "123456789012345678", "e"},
                {"ZADD", z2, "3", "x"},
                {"BZPOPMIN", z1, "0"},
                {"BZPOPMAX", none, z1, "0"},
                {"BZMPOP", "0", "2", none, z1, "MIN", "COUNT", "2"},
                {"BZMPOP", "0", "2", z1, z2, "MAX", "COUNT", "5"},
                {"ZMPOP", "1", z2, "MAX"}};
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : commands) {
                r.send(RespTestClient.encode(command));
                d.send(RespTestClient.encode(command));
                assertThat(d.readRawReply()).as("RESP" + proto + ": " + String.join(" ", command)).isEqualTo(r.readRawReply());
            }
        });
    }

    /**
     * Inside MULTI the blocking forms do not block (Redis's CLIENT_DENY_BLOCKING): with no data they
     * answer a null array inside EXEC's array, with data as outside (Redis's "BZPOPMIN with zero
     * timeout should block indefinitely" and "MULTI/EXEC is isolated from the point of view of
     * BZPOPMIN"); compared byte for byte.
     */
    @Test
    void insideATransactionTheBlockingFormsDoNotBlock() throws IOException {
        String[][] transaction = {
                {"DEL", z1, z2, none},
                {"ZADD", z1, "1", "a", "2", "b"},
                {"MULTI"},
                {"BZPOPMIN", z1, "0"},
                {"BZPOPMAX", none, z1, "0"},
                {"BZPOPMIN", z1, none, "0"},
                {"BZMPOP", "0", "2", none, z2, "MIN", "COUNT", "5"},
                {"BZMPOP", "0", "1", z1, "MAX"},
                {"ZADD", z2, "5", "late"},
                {"BZMPOP", "0", "2", none, z2, "MAX"},
                {"ZMPOP", "1", z2, "MIN"},
                {"EXISTS", z1, z2},
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
     * A transaction's writes wake a blocked client only when the transaction is over, with what is
     * there then (Redis's "MULTI/EXEC is isolated from the point of view of BZPOPMIN" and "BZPOPMIN,
     * ZADD + DEL should not awake blocked client"); the same on both servers, client on each of the
     * demo's shards.
     */
    @Test
    void aTransactionWakesBlockedClientsWhenItIsOver() throws IOException {
        for (int port : new int[] {redis.port(), demo.respPort(), demo.respPort()}) {
            try (RespTestClient waiter = new RespTestClient(port); RespTestClient c = new RespTestClient(port)) {
                c.cmd("DEL", z2);
                waiter.send(RespTestClient.encode("BZPOPMIN", z2, "0"));
                awaitBlocked(c, 1);
                c.cmd("MULTI");
                c.cmd("ZADD", z2, "3", "c");
                c.cmd("ZADD", z2, "2", "b");
                c.cmd("ZADD", z2, "1", "a");
                assertThat(c.cmd("EXEC")).isEqualTo(List.of(1L, 1L, 1L));
                assertThat(waiter.read()).as("port " + port).isEqualTo(List.of(z2, "a", "1"));

                c.cmd("DEL", z2);
                waiter.send(RespTestClient.encode("BZMPOP", "0", "1", z2, "MAX", "COUNT", "10"));
                awaitBlocked(c, 1);
                c.cmd("MULTI");
                c.cmd("ZADD", z2, "1", "gone");
                c.cmd("DEL", z2);
                c.cmd("SET", z2, "foo");
                c.cmd("EXEC");
                c.cmd("DEL", z2);
                c.cmd("ZADD", z2, "7", "later", "8", "last");
                assertThat(waiter.read()).as("port " + port).isEqualTo(List.of(z2, List.of(List.of("last", "8"), List.of("later", "7"))));
            }
        }
    }

    /** COMMAND INFO of the new commands is redis-server's (arity, flags, key specs), in both protocols. */
    @Test
    void commandInfoIsRedises() throws IOException {
        List<String[]> commands = new ArrayList<>();
        for (String name : new String[] {"bzpopmin", "bzpopmax", "bzmpop", "zmpop"}) {
            commands.add(new String[] {"COMMAND", "INFO", name});
            commands.add(new String[] {"COMMAND", "DOCS", name});
        }
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands.toArray(new String[0][]), reply -> reply));
    }

    private static void awaitBlocked(RespTestClient c, int n) throws IOException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!c.cmd("INFO", "clients").toString().contains("blocked_clients:" + n) && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
    }
}
