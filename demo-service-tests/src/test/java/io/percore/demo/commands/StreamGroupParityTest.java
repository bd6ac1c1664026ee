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
 * Issue 30, consumer groups: XGROUP's subcommands, XREADGROUP (new entries, NOACK, history, several
 * streams on both shards), XACK, XPENDING (summary, extended, per consumer, IDLE, exclusive bounds),
 * XCLAIM (every option), XAUTOCLAIM (COUNT, JUSTID, deleted entries, the cursor), XINFO GROUPS,
 * CONSUMERS and STREAM FULL (read counters and lag after deletes and trims) sent to a real
 * redis-server 7.0.15 and to a two-shard demo, replies compared in RESP2 and RESP3 with only what
 * depends on the clock masked (idle times, seen times, delivery times), plus a random mix of group
 * commands compared the same way.
 */
class StreamGroupParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static String a;
    private static String b;
    private static String str;
    private static String none;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        a = demo.keyOn(0, "ga-");
        b = demo.keyOn(1, "gb-");
        str = demo.keyOn(1, "gstr-");
        none = demo.keyOn(0, "gnone-");
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** What a reply is without the clock: times masked where Redis's replies carry them. */
    static Object masked(String[] command, Object reply) {
        String name = command[0].toUpperCase();
        if (name.equals("XPENDING") && command.length > 3 && reply instanceof List<?> entries) {
            List<Object> out = new ArrayList<>();
            for (Object e : entries) {
                List<Object> entry = new ArrayList<>((List<?>) e);
                entry.set(2, "<idle>");
                out.add(entry);
            }
            return out;
        }
        return maskTimes(reply, false);
    }

    private static Object maskTimes(Object reply, boolean pendingList) {
        List<?> items = reply instanceof RespTestClient.Map3 m ? m.keysAndValues() : reply instanceof List<?> l ? l : null;
        if (items == null) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (pendingList && item instanceof List<?> entry && (entry.size() == 3 || entry.size() == 4)) {
                List<Object> copy = new ArrayList<>(entry);
                copy.set(entry.size() - 2, "<time>");
                out.add(copy);
                continue;
            }
            String text = String.valueOf(item);
            if ((text.equals("idle") || text.equals("seen-time")) && i + 1 < items.size()) {
                out.add(item);
                out.add("<time>");
                i++;
                continue;
            }
            if (text.equals("pending") && i + 1 < items.size()) {
                out.add(item);
                out.add(maskTimes(items.get(++i), true));
                continue;
            }
            out.add(maskTimes(item, false));
        }
        return reply instanceof RespTestClient.Map3 ? new RespTestClient.Map3(out) : out;
    }

    static void sameMasked(String[][] commands) throws IOException {
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> {
            for (String[] command : commands) {
                assertThat(masked(command, d.cmd(command))).as("RESP%s: %s", proto, String.join(" ", command))
                        .isEqualTo(masked(command, r.cmd(command)));
            }
        });
    }

    @Test
    void groupCommandsAndTheirErrorsAreRedises() throws IOException {
        String hour = "3600000";
        String[][] commands = {
                {"DEL", a, b, str, none},
                {"SET", str, "x"},
                {"XADD", a, "1-0", "f", "1"},
                {"XADD", a, "2-0", "f", "2"},
                {"XADD", a, "3-0", "f", "3"},
                {"XADD", a, "4-0", "f", "4"},
                {"XADD", a, "5-0", "f", "5"},
                {"XADD", b, "1-0", "g", "1"},
                // XGROUP
                {"XGROUP", "CREATE", a, "g1", "0"},
                {"XGROUP", "CREATE", a, "g1", "$"},
                {"XGROUP", "CREATE", a, "g2", "$"},
                {"XGROUP", "CREATE", a, "g3", "2-0", "ENTRIESREAD", "2"},
                {"XGROUP", "CREATE", a, "g4", "0", "ENTRIESREAD", "-2"},
                {"XGROUP", "CREATE", a, "g4", "0", "ENTRIESREAD", "x"},
                {"XGROUP", "CREATE", a, "g4", "0", "FOO"},
                {"XGROUP", "CREATE", a, "g4", "+"},
                {"XGROUP", "CREATE", a, "g4", "0", "MKSTREAM", "ENTRIESREAD", "1", "MKSTREAM"},
                {"XGROUP", "CREATE", none, "g1", "$"},
                {"XGROUP", "CREATE", none, "g1", "x", "MKSTREAM"},
                {"XGROUP", "CREATE", none, "g1", "$", "MKSTREAM"},
                {"XGROUP", "CREATE", str, "g1", "$"},
                {"XGROUP", "CREATE", b, "g1", "0"},
                {"XGROUP", "SETID", a, "g2", "0"},
                {"XGROUP", "SETID", a, "g2", "-"},
                {"XGROUP", "SETID", a, "g2", "$", "ENTRIESREAD", "3"},
                {"XGROUP", "SETID", a, "g2", "$", "ENTRIESREAD"},
                {"XGROUP", "SETID", a, "g2", "$", "MKSTREAM"},
                {"XGROUP", "SETID", a, "nog", "0"},
                {"XGROUP", "SETID", none + "x", "g", "0"},
                {"XGROUP", "CREATECONSUMER", a, "g1", "alice"},
                {"XGROUP", "CREATECONSUMER", a, "g1", "alice"},
                {"XGROUP", "CREATECONSUMER", a, "nog", "alice"},
                {"XGROUP", "DELCONSUMER", a, "g1", "nobody"},
                {"XGROUP", "DESTROY", a, "g4"},
                {"XGROUP", "DESTROY", a, "nog"},
                {"XGROUP", "DESTROY", a},
                {"XGROUP", "FOO", a, "g1"},
                {"XGROUP", "HELP"},
                {"XGROUP", "HELP", "x"},
                {"XGROUP"},
                {"XINFO", "GROUPS", a},
                // XREADGROUP
                {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "1", "STREAMS", a, b, ">", ">"},
                {"XREADGROUP", "GROUP", "g1", "bob", "STREAMS", b, a, ">", ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", a, "0"},
                {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", a, "1-0"},
                {"XREADGROUP", "GROUP", "g1", "carol", "STREAMS", a, "0"},
                {"XREADGROUP", "GROUP", "g1", "dave", "NOACK", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g3", "erin", "NOACK", "COUNT", "1", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", a, "$"},
                {"XREADGROUP", "GROUP", "nog", "alice", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", b, str, ">", ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", str, b, "x", ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", b, none, "x", ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", a, "x"},
                {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", a},
                {"XREADGROUP", "GROUP", "g1", "STREAMS", a, ">"},
                {"XREADGROUP", "COUNT", "1", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "BLOCK", "x", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "BLOCK", "-1", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "FOO", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "BLOCK", "10", "STREAMS", a, ">"},
                {"XREADGROUP", "GROUP", "g1", "alice", "BLOCK", "10", "STREAMS", a, "0"},
                {"XREAD", "GROUP", "g1", "alice", "STREAMS", a, ">"},
                {"XREAD", "NOACK", "STREAMS", a, ">"},
                {"XREAD", "STREAMS", a, ">"},
                {"XREAD", "STREAMS", a, b, "0", "0"},
                {"XREAD", "COUNT", "1", "STREAMS", b, a, "0", "$"},
                {"XREAD", "STREAMS", a, "x"},
                {"XREAD", "STREAMS", a, b, "0"},
                {"XREAD", "STREAMS", none, "0"},
                {"XREAD", "STREAMS", str, a, "0", "x"},
                {"XREAD", "STREAMS", a, str, "x", "0"},
                {"XREAD", "BLOCK", "10", "STREAMS", none, "$"},
                {"XREAD", "BLOCK", "10", "STREAMS", a, "$"},
                {"XREAD", "COUNT", "x", "STREAMS", a, "0"},
                {"XREAD", "COUNT", "-1", "STREAMS", a, "0"},
                // XPENDING
                {"XPENDING", a, "g1"},
                {"XPENDING", a, "g2"},
                {"XPENDING", a, "g1", "-", "+", "10"},
                {"XPENDING", a, "g1", "-", "+", "10", "alice"},
                {"XPENDING", a, "g1", "-", "+", "10", "nobody"},
                {"XPENDING", a, "g1", "(1-0", "(4-0", "10"},
                {"XPENDING", a, "g1", "-", "+", "1"},
                {"XPENDING", a, "g1", "-", "+", "0"},
                {"XPENDING", a, "g1", "-", "+", "-1"},
                {"XPENDING", a, "g1", "IDLE", hour, "-", "+", "10"},
                {"XPENDING", a, "g1", "IDLE", "0", "-", "+", "10", "bob"},
                {"XPENDING", a, "g1", "IDLE", "x", "-", "+", "10"},
                {"XPENDING", a, "g1", "IDLE", "0", "-", "+"},
                {"XPENDING", a, "g1", "-", "+"},
                {"XPENDING", a, "g1", "-", "+", "x"},
                {"XPENDING", a, "g1", "x", "+", "10"},
                {"XPENDING", a, "g1", "(-", "+", "10"},
                {"XPENDING", a, "nog"},
                {"XPENDING", none + "y", "g1"},
                {"XPENDING", str, "g1"},
                {"XPENDING", a, "g1", "-", "+", "10", "alice", "extra"},
                // XACK
                {"XACK", a, "g1", "1-0"},
                {"XACK", a, "g1", "1-0", "2-0", "9-0"},
                {"XACK", a, "g1", "3-0", "x"},
                {"XACK", a, "nog", "x"},
                {"XACK", none + "y", "g1", "x"},
                {"XACK", str, "g1", "1-0"},
                {"XPENDING", a, "g1"},
                // XCLAIM
                {"XCLAIM", a, "g1", "zed", "0", "3-0"},
                {"XCLAIM", a, "g1", "zed", hour, "3-0"},
                {"XCLAIM", a, "g1", "zed", "0", "3-0", "JUSTID"},
                {"XCLAIM", a, "g1", "zed", "0", "3-0", "RETRYCOUNT", "9", "TIME", "1000"},
                {"XCLAIM", a, "g1", "zed", "0", "3-0", "IDLE", "500"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "5-0", "FORCE"},
                {"XCLAIM", a, "g1", "yves", "0", "9-0", "FORCE"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "LASTID", "100-0"},
                {"XCLAIM", a, "g1", "yves", "0", "77-0", "LASTID", "200-0"},
                {"XCLAIM", a, "g1", "yves", "x", "4-0"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "IDLE", "x"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "TIME", "x"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "RETRYCOUNT", "x"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "LASTID", "x"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "FOO"},
                {"XCLAIM", a, "g1", "yves", "0", "4-0", "IDLE"},
                {"XCLAIM", a, "nog", "yves", "0", "4-0"},
                {"XCLAIM", str, "g1", "yves", "0", "4-0"},
                {"XCLAIM", a, "g1", "yves", "-5", "4-0", "TIME", "-7"},
                {"XDEL", a, "4-0"},
                {"XCLAIM", a, "g1", "xavier", "0", "4-0", "5-0"},
                {"XPENDING", a, "g1", "-", "+", "10"},
                // XAUTOCLAIM
                {"XAUTOCLAIM", a, "g1", "walt", "0", "0"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "0", "COUNT", "1"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "(2-0", "COUNT", "1", "JUSTID"},
                {"XAUTOCLAIM", a, "g1", "walt", hour, "-"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-", "COUNT", "0"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-", "COUNT", "8070450532247928833"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-", "COUNT", "x"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-", "FOO"},
                {"XAUTOCLAIM", a, "g1", "walt", "x", "-"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "x"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "(18446744073709551615-18446744073709551615"},
                {"XAUTOCLAIM", a, "nog", "walt", "0", "-"},
                {"XAUTOCLAIM", str, "g1", "walt", "0", "-"},
                {"XADD", a, "6-0", "f", "6"},
                {"XADD", a, "7-0", "f", "7"},
                {"XREADGROUP", "GROUP", "g1", "vic", "STREAMS", a, ">"},
                {"XDEL", a, "6-0"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-", "COUNT", "1"},
                {"XAUTOCLAIM", a, "g1", "walt", "0", "-"},
                // consumers and read counters
                {"XINFO", "CONSUMERS", a, "g1"},
                {"XINFO", "CONSUMERS", a, "nog"},
                {"XINFO", "CONSUMERS", none + "y", "g1"},
                {"XINFO", "GROUPS", a},
                {"XINFO", "GROUPS", b},
                {"XINFO", "STREAM", a, "FULL"},
                {"XGROUP", "DELCONSUMER", a, "g1", "walt"},
                {"XINFO", "STREAM", a, "FULL", "COUNT", "2"},
                {"XTRIM", a, "MINID", "7"},
                {"XINFO", "GROUPS", a},
                {"XGROUP", "CREATE", a, "g5", "0"},
                {"XINFO", "GROUPS", a},
                {"XSETID", a, "7-0", "ENTRIESADDED", "99", "MAXDELETEDID", "6-5"},
                {"XINFO", "STREAM", a, "FULL"},
                {"XGROUP", "DESTROY", a, "g1"},
                {"XINFO", "STREAM", a}};
        sameMasked(commands);
    }

    /** Group commands at random over two streams: every reply as redis-server's, clock masked. */
    @Test
    void aRandomMixOfGroupCommandsMatches() throws IOException {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"DEL", a, b});
        int next = 1;
        String[] keys = {a, b};
        for (int i = 0; i < 1200; i++) {
            String key = keys[r.nextInt(2)];
            String group = "g" + r.nextInt(3);
            String consumer = "c" + r.nextInt(4);
            String id = (1 + r.nextInt(next)) + "-0";
            switch (r.nextInt(14)) {
                case 0, 1, 2 -> commands.add(new String[] {"XADD", key, (next++) + "-0", "f", Integer.toString(r.nextInt(50))});
                case 3 -> commands.add(new String[] {"XGROUP", "CREATE", key, group, r.nextBoolean() ? "$" : "0", "MKSTREAM"});
                case 4 -> commands.add(new String[] {"XREADGROUP", "GROUP", group, consumer, "COUNT", Integer.toString(1 + r.nextInt(3)),
                    "STREAMS", key, ">"});
                case 5 -> commands.add(new String[] {"XREADGROUP", "GROUP", group, consumer, "NOACK", "STREAMS", a, b, ">", ">"});
                case 6 -> commands.add(new String[] {"XREADGROUP", "GROUP", group, consumer, "COUNT", "2", "STREAMS", key, r.nextBoolean() ? "0" : id});
                case 7 -> commands.add(new String[] {"XACK", key, group, id, (1 + r.nextInt(next)) + "-0"});
                case 8 -> commands.add(new String[] {"XCLAIM", key, group, consumer, "0", id, r.nextBoolean() ? "JUSTID" : "FORCE"});
                case 9 -> commands.add(new String[] {"XAUTOCLAIM", key, group, consumer, "0", r.nextBoolean() ? "-" : id, "COUNT",
                    Integer.toString(1 + r.nextInt(4))});
                case 10 -> commands.add(new String[] {"XDEL", key, id});
                case 11 -> commands.add(new String[] {"XGROUP", "SETID", key, group, r.nextBoolean() ? "$" : id});
                case 12 -> commands.add(new String[] {"XPENDING", key, group, "-", "+", "10"});
                default -> commands.add(new String[] {"XTRIM", key, "MAXLEN", Integer.toString(r.nextInt(8))});
            }
            if (i % 25 == 0) {
                commands.add(new String[] {"XINFO", "STREAM", key, "FULL", "COUNT", "0"});
                commands.add(new String[] {"XPENDING", key, group});
            }
        }
        try {
            sameMasked(commands.toArray(String[][]::new));
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }
}
