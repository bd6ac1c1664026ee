package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 30, streams: every stream command sent to a real redis-server 7.0.15 and to a two-shard demo,
 * replies compared as sent (byte for byte, so a null array and a null bulk differ) in RESP2 and
 * RESP3: XADD's ID forms and trims, ranges, XDEL, XTRIM, XSETID, XINFO, the errors in Redis's order,
 * ID parsing's corners (C's strtoull, a NUL byte, 127 bytes), and a random mix of appends, deletes
 * and exact and approximate trims under changing node limits, after which XINFO's node counts (the
 * radix tree's keys and nodes) and every range agree. Multi-key reads have streams on both shards.
 */
class StreamParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static String a;
    private static String b;
    private static String c;
    private static String str;
    private static String none;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        a = demo.keyOn(0, "xa-");
        b = demo.keyOn(1, "xb-");
        c = demo.keyOn(0, "xc-");
        str = demo.keyOn(1, "str-");
        none = demo.keyOn(0, "none-");
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** Sends each command to both servers and compares the replies as sent. */
    static void sameRaw(String[][] commands) throws IOException {
        for (String proto : new String[] {"2", "3"}) {
            try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
                r.cmd("HELLO", proto);
                d.cmd("HELLO", proto);
                for (String[] command : commands) {
                    r.send(RespTestClient.encode(java.nio.charset.StandardCharsets.ISO_8859_1, command));
                    d.send(RespTestClient.encode(java.nio.charset.StandardCharsets.ISO_8859_1, command));
                    assertThat(d.readRawReply()).as("RESP%s: %s", proto, String.join(" ", command)).isEqualTo(r.readRawReply());
                }
            }
        }
    }

    @Test
    void entriesRangesAndErrorsAreRedises() throws IOException {
        String[][] commands = {
                {"DEL", a, b, c, str, none},
                {"SET", str, "x"},
                // XADD: IDs, fields, the stream's limits
                {"XADD", a, "1-1", "f", "v"},
                {"XADD", a, "1-2", "f", "v", "g", "w"},
                {"XADD", a, "1-*", "f", "7"},
                {"XADD", a, "5-*", "f", "-12"},
                {"XADD", a, "5", "f", "x"},
                {"XADD", a, "6-0", "f", "99999999999999999999", "g", "-9223372036854775808"},
                {"XADD", a, "7-0", "", "", "g", "00"},
                {"XADD", a, "5-9", "f", "v"},
                {"XADD", a, "4-*", "f", "v"},
                {"XADD", a, "0-0", "f", "v"},
                {"XADD", none, "0-0", "f", "v"},
                {"EXISTS", none},
                {"XADD", none, "0-*", "f", "v"},
                {"XADD", a, "f"},
                {"XADD", a, "*"},
                {"XADD", a, "*", "f"},
                {"XADD", a, "8-0", "f", "v", "g"},
                {"XADD", a, "-", "f", "v"},
                {"XADD", a, "+", "f", "v"},
                {"XADD", a, "-*", "f", "v"},
                {"XADD", a, "8-**", "f", "v"},
                {"XADD", a, "x-1", "f", "v"},
                {"XADD", a, "18446744073709551616-0", "f", "v"},
                {"XADD", a, "-1-0", "f", "v"},
                {"XADD", a, " 9-0", "f", "v"},
                {"XADD", a, "+10-0", "f", "v"},
                {"XADD", a, "011-0", "f", "v"},
                {"XADD", a, "12--18446744073709551615", "f", "v"},
                {"XADD", a, "13-0\u0000junk", "f", "v"},
                {"XADD", a, "1".repeat(128), "f", "v"},
                {"XADD", a, "NOMKSTREAM", "14-0", "f", "v"},
                {"DEL", none},
                {"XADD", none, "NOMKSTREAM", "*", "f", "v"},
                {"XADD", str, "*", "f", "v"},
                {"XADD", str, "NOMKSTREAM", "*", "f", "v"},
                {"XADD", b, "18446744073709551615-18446744073709551614", "f", "v"},
                {"XADD", b, "18446744073709551615-*", "f", "v"},
                {"XADD", b, "18446744073709551615-*", "f", "v"},
                {"XADD", b, "*", "f", "v"},
                // trims inside XADD, and their errors in Redis's order
                {"XADD", c, "MAXLEN", "2", "1-0", "a", "1"},
                {"XADD", c, "MAXLEN", "=", "2", "2-0", "a", "2"},
                {"XADD", c, "MAXLEN", "~", "2", "3-0", "a", "3"},
                {"XADD", c, "MINID", "3", "4-0", "a", "4"},
                {"XADD", c, "MINID", "~", "3", "LIMIT", "10", "5-0", "a", "5"},
                {"XADD", c, "MAXLEN", "-1", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "x", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "1", "MINID", "1", "*", "a", "b"},
                {"XADD", c, "LIMIT", "5", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "1", "LIMIT", "5", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "~", "1", "LIMIT", "-1", "*", "a", "b"},
                {"XADD", c, "MINID", "-", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "~", "1", "LIMIT", "0", "6-0", "a", "6"},
                {"XADD", c, "maxlen", "1", "nomkstream", "7-0", "a", "7"},
                {"XADD", c, "MAXLEN", "~", "*", "a", "b"},
                {"XADD", c, "MAXLEN", "~"},
                // ranges
                {"XRANGE", a, "-", "+"},
                {"XREVRANGE", a, "+", "-"},
                {"XRANGE", a, "1", "5"},
                {"XRANGE", a, "1-2", "+", "COUNT", "2"},
                {"XREVRANGE", a, "+", "-", "count", "1"},
                {"XRANGE", a, "-", "+", "COUNT", "0"},
                {"XRANGE", a, "-", "+", "COUNT", "-5"},
                {"XRANGE", a, "-", "+", "COUNT", "1", "COUNT", "3"},
                {"XRANGE", a, "(1-1", "(5-1"},
                {"XRANGE", a, "(1-2", "+"},
                {"XREVRANGE", a, "(6-0", "(1-1"},
                {"XRANGE", a, "(-", "+"},
                {"XRANGE", a, "-", "(+"},
                {"XRANGE", a, "(18446744073709551615-18446744073709551615", "+"},
                {"XRANGE", a, "-", "(0-0"},
                {"XRANGE", a, "5", "1"},
                {"XRANGE", a, "x", "+"},
                {"XRANGE", a, "-", "+", "COUNT"},
                {"XRANGE", a, "-", "+", "COUNT", "x"},
                {"XRANGE", a, "-", "+", "LIMIT", "1"},
                {"XRANGE", none, "-", "+"},
                {"XRANGE", none, "-", "+", "COUNT", "0"},
                {"XRANGE", str, "-", "+"},
                {"XRANGE", none, "x", "+"},
                {"XRANGE", a},
                {"XLEN", a},
                {"XLEN", none},
                {"XLEN", str},
                // XDEL
                {"XDEL", a, "1-2", "9-9", "1-2"},
                {"XDEL", a, "x"},
                {"XDEL", none, "x"},
                {"XDEL", str, "1-1"},
                {"XDEL", a, "1-1"},
                {"XRANGE", a, "-", "+"},
                // XTRIM
                {"XTRIM", a, "MAXLEN", "3"},
                {"XTRIM", a, "MINID", "6"},
                {"XTRIM", a},
                {"XTRIM", a, "LIMIT", "1"},
                {"XTRIM", a, "FOO", "1"},
                {"XTRIM", a, "MAXLEN", "~", "0", "LIMIT", "1"},
                {"XTRIM", none, "MAXLEN", "0"},
                {"XTRIM", str, "MAXLEN", "0"},
                {"XTRIM", none, "MAXLEN", "x"},
                {"XRANGE", a, "-", "+"},
                // XSETID
                {"XSETID", a, "100-0"},
                {"XSETID", a, "1-0"},
                {"XSETID", a, "200-0", "ENTRIESADDED", "1"},
                {"XSETID", a, "200-0", "ENTRIESADDED", "50", "MAXDELETEDID", "150-0"},
                {"XSETID", a, "200-0", "MAXDELETEDID", "300-0"},
                {"XSETID", a, "200-0", "ENTRIESADDED", "-1"},
                {"XSETID", a, "200-0", "ENTRIESADDED"},
                {"XSETID", a, "200-0", "FOO", "1"},
                {"XSETID", none, "1-0"},
                {"XSETID", str, "1-0"},
                {"XSETID", a, "+"},
                {"XINFO", "STREAM", a},
                {"XINFO", "STREAM", a, "FULL"},
                {"XINFO", "STREAM", b, "FULL", "COUNT", "1"},
                {"XINFO", "STREAM", b, "FULL", "COUNT", "-1"},
                {"XINFO", "STREAM", a, "FULL", "COUNT"},
                {"XINFO", "STREAM", a, "FULL", "COUNT", "x"},
                {"XINFO", "STREAM", a, "FOO"},
                {"XINFO", "STREAM", none},
                {"XINFO", "STREAM", str},
                {"XINFO", "STREAM", none, "FOO"},
                {"XINFO", "GROUPS", a},
                {"XINFO", "HELP"},
                {"XINFO", "HELP", "x"},
                {"XINFO", "FOO", a},
                {"XINFO"},
                {"TYPE", a},
                {"OBJECT", "ENCODING", a},
                {"EXISTS", a, b, c}};
        sameRaw(commands);
    }

    /** Appends, deletes and trims at random, with node limits changed as it goes: ranges and XINFO's node figures agree after each. */
    @Test
    void aRandomMixOfAppendsDeletesAndTrimsMatches() throws IOException {
        // -Dstream.parity.seed=<seed from a failure> replays one run
        long seed = Long.getLong("stream.parity.seed", System.nanoTime());
        Random r = new Random(seed);
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"DEL", a});
        long ms = 1;
        for (int i = 0; i < 1500; i++) {
            int op = r.nextInt(20);
            if (op == 0) {
                commands.add(new String[] {"CONFIG", "SET", "stream-node-max-entries", Integer.toString(r.nextInt(12))});
            } else if (op == 1) {
                // At least 128 bytes: below what a new node's first entry takes, redis-server 7.0.15 reallocates
                // the node it has just linked and may keep a freed one in its tree (valkey-io/valkey#4705,
                // a use-after-free); it then reports another stream than it holds, or crashes.
                commands.add(new String[] {"CONFIG", "SET", "stream-node-max-bytes", Integer.toString(r.nextInt(3) == 0 ? 0 : 128 + r.nextInt(400))});
            } else if (op <= 9) {
                ms += r.nextInt(3);
                String id = r.nextInt(4) == 0 ? ms + "-*" : ms + "-" + r.nextInt(1000);
                commands.add(r.nextBoolean() ? new String[] {"XADD", a, id, "f", "v" + r.nextInt(5), "g", Integer.toString(r.nextInt(300) - 150)}
                        : new String[] {"XADD", a, id, "other", "x".repeat(r.nextInt(70))});
            } else if (op <= 12) {
                commands.add(new String[] {"XDEL", a, r.nextInt((int) ms + 1) + "-" + r.nextInt(1000), (ms - r.nextInt(3)) + "-0"});
            } else if (op == 13) {
                commands.add(new String[] {"XTRIM", a, "MAXLEN", r.nextBoolean() ? "~" : "=", Integer.toString(r.nextInt(60)),
                        "LIMIT", Integer.toString(r.nextInt(30))});
            } else if (op == 14) {
                String exactness = r.nextBoolean() ? "~" : "=";
                commands.add(exactness.equals("~") ? new String[] {"XTRIM", a, "MINID", "~", Long.toString(r.nextInt((int) ms + 1))}
                        : new String[] {"XTRIM", a, "MINID", Long.toString(r.nextInt((int) ms + 1))});
            } else if (op == 15) {
                commands.add(new String[] {"XADD", a, "MAXLEN", "~", Integer.toString(r.nextInt(40)), (++ms) + "-0", "f", "v"});
            } else {
                long x = r.nextInt((int) ms + 2);
                long y = r.nextInt((int) ms + 2);
                commands.add(new String[] {r.nextBoolean() ? "XRANGE" : "XREVRANGE", a, r.nextBoolean() ? "-" : "(" + x, y + "",
                        "COUNT", Integer.toString(r.nextInt(8))});
            }
            if (i % 10 == 0) {
                commands.add(new String[] {"XINFO", "STREAM", a});
                commands.add(new String[] {"XRANGE", a, "-", "+"});
            }
        }
        commands.add(new String[] {"XINFO", "STREAM", a, "FULL", "COUNT", "0"});
        try {
            sameRaw(commands.toArray(String[][]::new));
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        } finally {
            // the other tests expect the default node limits, whatever step this run stopped at
            for (int port : new int[] {redis.port(), demo.respPort()}) {
                try (RespTestClient client = new RespTestClient(port)) {
                    client.cmd("CONFIG", "SET", "stream-node-max-entries", "100", "stream-node-max-bytes", "4096");
                }
            }
        }
    }

    /** A value every node limit would split: the node closes on the bytes rule, not the count, as in Redis. */
    @Test
    void nodesCloseOnTheirBytesAsRedissDo() throws IOException {
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"DEL", c});
        for (int i = 1; i <= 300; i++) {
            commands.add(new String[] {"XADD", c, i + "-0", "field", "v".repeat(i % 97), "n", Integer.toString(i * 1000)});
        }
        commands.add(new String[] {"XINFO", "STREAM", c});
        commands.add(new String[] {"XTRIM", c, "MAXLEN", "~", "150"});
        commands.add(new String[] {"XINFO", "STREAM", c});
        commands.add(new String[] {"XRANGE", c, "-", "+", "COUNT", "5"});
        sameRaw(commands.toArray(String[][]::new));
    }
}
