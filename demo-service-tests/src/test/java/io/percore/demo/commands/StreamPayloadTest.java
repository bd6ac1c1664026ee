package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 30: stream payloads made by hand (RDB_TYPE_STREAM_LISTPACKS_2 and the older _LISTPACKS),
 * each wrong in one way: node keys, listpacks and their stream structure, counts, the consumer
 * groups' pending entries and consumers, absurd declared counts. Where redis-server with
 * {@code sanitize-dump-payload yes} refuses one, the demo refuses it too, at once; where Redis loads
 * what it would crash on or misread later (a negative field count, a length that is not the
 * entries', entries out of order, the last ID below them, a node
 * without entries), the demo refuses it as well. The legacy payload of Redis's own suite loads into
 * both alike.
 */
class StreamPayloadTest {

    private static RealRedis sanitizing;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        sanitizing = RealRedis.start("--sanitize-dump-payload", "yes");
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        sanitizing.close();
    }

    // ------------------------------------------------------------------ building payloads

    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes raw(int... values) {
            for (int v : values) {
                out.write(v);
            }
            return this;
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        /** rdbSaveLen: 6, 14, 32 or 64 bits. */
        Bytes len(long n) {
            if (n >= 0 && n < 64) {
                return raw((int) n);
            }
            if (n >= 0 && n < 16384) {
                return raw((int) (n >>> 8) | 0x40, (int) n & 0xff);
            }
            if (n >= 0 && n <= 0xffffffffL) {
                return raw(0x80, (int) (n >>> 24) & 0xff, (int) (n >>> 16) & 0xff, (int) (n >>> 8) & 0xff, (int) n & 0xff);
            }
            raw(0x81);
            for (int i = 7; i >= 0; i--) {
                raw((int) (n >>> (8 * i)) & 0xff);
            }
            return this;
        }

        Bytes string(byte[] s) {
            return len(s.length).raw(s);
        }

        Bytes id(long ms, long seq) {
            for (int i = 7; i >= 0; i--) {
                raw((int) (ms >>> (8 * i)) & 0xff);
            }
            for (int i = 7; i >= 0; i--) {
                raw((int) (seq >>> (8 * i)) & 0xff);
            }
            return this;
        }

        Bytes millis(long t) {
            for (int i = 0; i < 8; i++) {
                raw((int) (t >>> (8 * i)) & 0xff);
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static byte[] key(long ms, long seq) {
        return new Bytes().id(ms, seq).bytes();
    }

    /** A listpack of the given elements: small integers (as 7-bit or 13-bit ints) and short strings. */
    private static byte[] listpack(Object... elements) {
        return listpackCounted(elements.length, elements);
    }

    private static byte[] listpackCounted(int count, Object... elements) {
        Bytes body = new Bytes();
        for (Object e : elements) {
            if (e instanceof Integer v && v >= 0 && v <= 127) {
                body.raw(v, 1);
            } else if (e instanceof Integer v) {
                int u = v < 0 ? (1 << 13) + v : v;
                body.raw((u >>> 8) | 0xC0, u & 0xff, 2);
            } else {
                byte[] s = ((String) e).getBytes(StandardCharsets.ISO_8859_1);
                body.raw(0x80 | s.length).raw(s).raw(s.length + 1);
            }
        }
        byte[] b = body.bytes();
        int total = 6 + b.length + 1;
        return new Bytes().raw(total & 0xff, (total >>> 8) & 0xff, (total >>> 16) & 0xff, total >>> 24, count & 0xff, count >>> 8)
                .raw(b).raw(0xFF).bytes();
    }

    /** A valid node of master ID 1-0: master fields [f], entries 1-0 f=a (same fields) and 1-1 g=b (own fields). */
    private static Object[] goodNode() {
        return new Object[] {2, 0, 1, "f", 0, 2, 0, 0, "a", 4, 0, 0, 1, 1, "g", "b", 6};
    }

    /** The counters and groups after the nodes: length, last, first, max deleted, entries added, no groups. */
    private static Bytes counters(Bytes b, long length, long lastMs, long lastSeq) {
        return b.len(length).len(lastMs).len(lastSeq).len(1).len(0).len(0).len(0).len(length);
    }

    private static byte[] stream(byte[] nodeKey, byte[] lp) {
        return counters(new Bytes().raw(19).len(1).string(nodeKey).string(lp), 2, 1, 1).len(0).bytes();
    }

    /** A valid stream of the good node with one group: pending entries as given, one consumer owning {@code owned}. */
    private static byte[] withGroup(long[][] pending, String consumer, long[][] owned, boolean twice) {
        Bytes b = counters(new Bytes().raw(19).len(1).string(key(1, 0)).string(listpack(goodNode())), 2, 1, 1).len(1);
        b.string("g".getBytes(StandardCharsets.US_ASCII)).len(1).len(1).len(2);
        b.len(pending.length);
        for (long[] p : pending) {
            b.id(p[0], p[1]).millis(1000).len(1);
        }
        b.len(twice ? 2 : 1);
        for (int n = 0; n < (twice ? 2 : 1); n++) {
            b.string((consumer + (twice && n == 1 ? "" : "")).getBytes(StandardCharsets.US_ASCII)).millis(2000).len(owned.length);
            for (long[] o : owned) {
                b.id(o[0], o[1]);
            }
        }
        return b.bytes();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A payload, whether redis-server with deep sanitization loads it, and whether the demo does. */
    private record Case(String what, byte[] body, boolean redisLoadsIt, boolean loadsHere) {
        Case(String what, byte[] body, boolean redisLoadsIt) {
            this(what, body, redisLoadsIt, redisLoadsIt);
        }
    }

    /** A payload Redis loads and would misread or crash on later: refused here. */
    private static Case misread(String what, byte[] body) {
        return new Case(what, body, true, false);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("a valid stream", stream(key(1, 0), listpack(goodNode())), true));
        c.add(new Case("a valid stream with a group", withGroup(new long[][] {{1, 0}, {1, 1}}, "c", new long[][] {{1, 0}, {1, 1}}, false), true));
        c.add(new Case("a node key of 15 bytes", stream(new byte[15], listpack(goodNode())), false));
        c.add(new Case("a listpack's count wrong (read by nothing)", stream(key(1, 0), listpackCounted(5, goodNode())), true));
        c.add(new Case("a listpack torn", stream(key(1, 0), java.util.Arrays.copyOf(listpack(goodNode()), 20)), false));
        c.add(new Case("the master entry not terminated by 0", stream(key(1, 0),
                listpack(2, 0, 1, "f", 7, 2, 0, 0, "a", 4, 0, 0, 1, 1, "g", "b", 6)), false));
        c.add(new Case("an lp-count wrong", stream(key(1, 0), listpack(2, 0, 1, "f", 0, 2, 0, 0, "a", 5, 0, 0, 1, 1, "g", "b", 6)), false));
        c.add(new Case("flags not an integer", stream(key(1, 0), listpack(2, 0, 1, "f", 0, "x", 0, 0, "a", 4, 0, 0, 1, 1, "g", "b", 6)), false));
        c.add(new Case("an element after the last entry", stream(key(1, 0),
                listpack(2, 0, 1, "f", 0, 2, 0, 0, "a", 4, 0, 0, 1, 1, "g", "b", 6, 9)), false));
        c.add(new Case("an empty listpack", stream(key(1, 0), listpack()), false));
        c.add(new Case("two nodes of one key", counters(new Bytes().raw(19).len(2).string(key(1, 0)).string(listpack(goodNode()))
                .string(key(1, 0)).string(listpack(goodNode())), 4, 1, 1).len(0).bytes(), false));
        c.add(new Case("2^60 nodes in a few bytes", new Bytes().raw(19).len(1L << 60).string(key(1, 0)).string(listpack(goodNode())).bytes(), false));
        c.add(new Case("2^60 pending entries", counters(new Bytes().raw(19).len(1).string(key(1, 0)).string(listpack(goodNode())), 2, 1, 1)
                .len(1).string("g".getBytes(StandardCharsets.US_ASCII)).len(1).len(1).len(2).len(1L << 60).id(1, 0).millis(1).len(1).bytes(), false));
        c.add(new Case("a consumer's entry not in its group's", withGroup(new long[][] {{1, 0}}, "c", new long[][] {{1, 1}}, false), false));
        c.add(new Case("a pending entry without a consumer", withGroup(new long[][] {{1, 0}, {1, 1}}, "c", new long[][] {{1, 0}}, false), false));
        c.add(new Case("a consumer twice", withGroup(new long[][] {{1, 0}}, "c", new long[][] {}, true), false));
        c.add(new Case("a consumer's entry listed twice", withGroup(new long[][] {{1, 0}}, "c", new long[][] {{1, 0}, {1, 0}}, false), false));
        c.add(new Case("a group's entry twice", withGroup(new long[][] {{1, 0}, {1, 0}}, "c", new long[][] {{1, 0}}, false), false));
        // what Redis loads and would misread or crash on later: refused here
        c.add(misread("a negative field count", stream(key(1, 0), listpack(2, 0, 1, "f", 0, 2, 0, 0, "a", 4, 0, 0, 1, -1, 2))));
        c.add(misread("a length not the entries'", counters(new Bytes().raw(19).len(1).string(key(1, 0)).string(listpack(goodNode())), 7, 1, 1)
                .len(0).bytes()));
        c.add(misread("entries out of order", stream(key(1, 0), listpack(2, 0, 1, "f", 0, 2, 0, 5, "a", 4, 0, 0, 1, 1, "g", "b", 6))));
        c.add(misread("the last ID below the entries", counters(new Bytes().raw(19).len(1).string(key(1, 0)).string(listpack(goodNode())), 2, 0, 9)
                .len(0).bytes()));
        c.add(misread("a node without entries", stream(key(1, 0), listpack(0, 0, 1, "f", 0))));
        c.add(new Case("an entry owned by two consumers", twoOwners(), false));
        return c;
    }

    private static byte[] twoOwners() {
        Bytes b = counters(new Bytes().raw(19).len(1).string(key(1, 0)).string(listpack(goodNode())), 2, 1, 1).len(1);
        b.string("g".getBytes(StandardCharsets.US_ASCII)).len(1).len(1).len(2);
        b.len(1).id(1, 0).millis(1000).len(1);
        b.len(2);
        b.string("a".getBytes(StandardCharsets.US_ASCII)).millis(2000).len(1).id(1, 0);
        b.string("b".getBytes(StandardCharsets.US_ASCII)).millis(2000).len(1).id(1, 0);
        return b.bytes();
    }

    @Test
    void craftedStreamPayloadsAreRefusedAtOnceWhereRedisRefusesThemAndWhereRedisWouldMisreadThem() throws IOException {
        try (RespTestClient r = new RespTestClient(sanitizing.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary();
             RespTestClient info = new RespTestClient(demo.respPort())) {
            int i = 0;
            for (Case c : cases()) {
                String key = demo.keyOn(i % 2, "sp:" + i++ + ":");
                String payload = latin1(DumpRestoreTest.payload(c.body()));
                // the shards' CPU time, not the wall clock, which a loaded machine stretches
                long started = CpuClock.shardMillis(info);
                Object ours = d.cmd("RESTORE", key, "0", payload);
                long millis = CpuClock.shardMillis(info) - started;
                Object theirs = r.cmd("RESTORE", key, "0", payload);
                assertThat(millis).as(c.what() + " answered at once").isLessThan(1000);
                Object refused = new RespTestClient.Err("ERR Bad data format");
                assertThat(theirs).as(c.what() + " on redis-server").isEqualTo(c.redisLoadsIt() ? "OK" : refused);
                assertThat(ours).as(c.what()).isEqualTo(c.loadsHere() ? "OK" : refused);
                if ("OK".equals(ours)) {
                    assertThat(d.cmd("XINFO", "STREAM", key, "FULL")).as(c.what()).isEqualTo(r.cmd("XINFO", "STREAM", key, "FULL"));
                    assertThat(d.cmd("XRANGE", key, "-", "+")).isEqualTo(r.cmd("XRANGE", key, "-", "+"));
                }
            }
            assertThat(d.cmd("PING")).isEqualTo("PONG");
        }
    }

    /** The payload Redis's own suite restores ("Loading from legacy (Redis <= v6.2.x, rdb_ver < 10) persistence"). */
    @Test
    void theLegacyPayloadOfRedissSuiteLoadsAsInRedis() throws IOException {
        String hex = "0F011000000000000000010000000000000000C3404A405716570000002300020104010101846461746105000103010020010381610204200A0001400A0062600A0002400A0063600A4022"
                + "018164200A4039200A0065600A0005400A0066200A00FF02060002026731050004000000000000000100000000000000003EF783437A01000001000000000000000200000000000000003E"
                + "F783437A01000001000000000000000400000000000000003EF783437A01000001000000000000000500000000000000003EF783437A0100000101036331313EF783437A01000004000000"
                + "000000000100000000000000000000000000000002000000000000000000000000000000040000000000000000000000000000000500000000000000000267320000000009003D52EF6867"
                + "521DFA";
        String payload = latin1(java.util.HexFormat.of().parseHex(hex));
        try (RespTestClient r = new RespTestClient(sanitizing.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            assertThat(r.cmd("RESTORE", "legacy", "0", payload, "REPLACE")).isEqualTo("OK");
            assertThat(d.cmd("RESTORE", "legacy", "0", payload, "REPLACE")).isEqualTo("OK");
            assertThat(d.cmd("XINFO", "STREAM", "legacy", "FULL")).isEqualTo(r.cmd("XINFO", "STREAM", "legacy", "FULL"));
        }
    }
}
