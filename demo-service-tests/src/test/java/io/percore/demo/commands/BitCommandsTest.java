package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) sent to
 * a real redis-server 7.0.15 and to a two-shard demo, every reply compared byte for byte in RESP2
 * and RESP3: the error texts, the range rules of BITCOUNT/BITPOS in BYTE and BIT units, BITFIELD's
 * types, {@code #} offsets and overflow modes, BITOP across shards; then random bitmaps and random
 * BITFIELD programs against the same server; then the bounds (proto-max-bulk-len, the memory budget).
 */
class BitCommandsTest {

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

    /** Both servers emptied, then {@code commands} on each, in RESP2 then RESP3, bulk strings as bytes. */
    private static void sameReplies(String[][] commands) throws IOException {
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> {
            r.cmd("FLUSHALL");
            d.cmd("FLUSHALL");
            RealRedis.sameReplies(r, d, proto, commands, reply -> reply);
        });
    }

    private static String[] c(String... args) {
        return args;
    }

    @Test
    void setbitGetbitAndTheirErrorsAreRedises() throws IOException {
        sameReplies(new String[][] {
                c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "7", "0"), c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "100", "1"),
                c("GET", "b"), c("STRLEN", "b"), c("GETBIT", "b", "100"), c("GETBIT", "b", "101"), c("GETBIT", "b", "7"),
                c("GETBIT", "b", "99999999"), c("GETBIT", "nokey", "0"), c("EXISTS", "nokey"),
                c("SETBIT", "b", "-1", "1"), c("SETBIT", "b", "4294967296", "1"), c("GETBIT", "b", "4294967295"),
                c("STRLEN", "b"), c("DEL", "b"),
                c("SETBIT", "b", "9223372036854775807", "1"), c("SETBIT", "b", "9223372036854775808", "1"),
                c("SETBIT", "b", "0", "2"), c("SETBIT", "b", "0", "-1"), c("SETBIT", "b", "0", "x"), c("SETBIT", "b", "0", ""),
                c("SETBIT", "b", "x", "1"), c("SETBIT", "b", "", "1"), c("SETBIT", "b", "#1", "1"), c("SETBIT", "b", "01", "1"),
                c("SETBIT", "b", "1.5", "1"), c("SETBIT", "b", " 1", "1"), c("GETBIT", "b", "-1"), c("GETBIT", "b", "4294967296"),
                c("GETBIT", "b", "x"), c("SETBIT", "b"), c("GETBIT", "b", "1", "2"),
                c("SET", "s", "\u00ff\u0000\u0080"), c("GETBIT", "s", "0"), c("GETBIT", "s", "8"), c("GETBIT", "s", "16"),
                c("SETBIT", "s", "23", "1"), c("GET", "s"), c("SETBIT", "s", "8", "1"), c("GET", "s"),
                c("SET", "n", "12"), c("SETBIT", "n", "6", "1"), c("GET", "n"), c("INCR", "n"),
                c("RPUSH", "l", "a"), c("SETBIT", "l", "0", "1"), c("GETBIT", "l", "0"), c("SETBIT", "l", "x", "1"),
                c("SETBIT", "l", "0", "5"), c("GETBIT", "l", "-1"),
                c("APPEND", "a", "ab"), c("SETBIT", "a", "30", "1"), c("APPEND", "a", "z"), c("GET", "a"), c("SETRANGE", "a", "1", "Q"),
                c("GET", "a"), c("GETRANGE", "a", "0", "-1"), c("STRLEN", "a"),
        });
    }

    @Test
    void bitcountAndBitposRangesAreRedises() throws IOException {
        sameReplies(new String[][] {
                c("BITCOUNT", "nokey"), c("BITCOUNT", "nokey", "0"), c("BITCOUNT", "nokey", "a", "b"), c("BITPOS", "nokey", "0"),
                c("BITPOS", "nokey", "1"), c("BITPOS", "nokey", "1", "a", "b", "c"), c("BITPOS", "nokey", "2"),
                c("SET", "s", "foobar"), c("BITCOUNT", "s"), c("BITCOUNT", "s", "0", "0"), c("BITCOUNT", "s", "1", "1"),
                c("BITCOUNT", "s", "0", "-1"), c("BITCOUNT", "s", "-2", "-1"), c("BITCOUNT", "s", "-1", "-2"),
                c("BITCOUNT", "s", "-1", "-2", "foo"), c("BITCOUNT", "s", "1", "0"), c("BITCOUNT", "s", "100", "200"),
                c("BITCOUNT", "s", "-100", "-50"), c("BITCOUNT", "s", "-100", "100"),
                c("BITCOUNT", "s", "5", "30", "BIT"), c("BITCOUNT", "s", "5", "30", "bit"), c("BITCOUNT", "s", "5", "30", "BYTE"),
                c("BITCOUNT", "s", "-10", "-1", "BIT"), c("BITCOUNT", "s", "7", "7", "BIT"), c("BITCOUNT", "s", "9", "9", "bit"),
                c("BITCOUNT", "s", "0", "47", "bit"), c("BITCOUNT", "s", "0", "1000", "bit"), c("BITCOUNT", "s", "3", "2", "bit"),
                c("BITCOUNT", "s", "0", "1", "foo"), c("BITCOUNT", "s", "0"), c("BITCOUNT", "s", "0", "1", "bit", "x"),
                c("BITCOUNT", "s", "x", "1"), c("BITCOUNT", "s", "0", "x"), c("BITCOUNT", "s", "x", "1", "foo"),
                c("SET", "empty", ""), c("BITCOUNT", "empty"), c("BITCOUNT", "empty", "0", "-1", "bit"), c("BITPOS", "empty", "0"),
                c("BITPOS", "empty", "1"), c("BITPOS", "empty", "0", "0", "-1"), c("BITPOS", "empty", "0", "0", "-1", "bit"),
                c("BITPOS", "s", "1"), c("BITPOS", "s", "0"), c("BITPOS", "s", "1", "2"), c("BITPOS", "s", "1", "-1"),
                c("BITPOS", "s", "1", "2", "-1", "bit"), c("BITPOS", "s", "0", "2", "-1", "bit"), c("BITPOS", "s", "1", "7", "15", "bit"),
                c("BITPOS", "s", "0", "7", "15", "bit"), c("BITPOS", "s", "1", "7", "15", "byte"), c("BITPOS", "s", "1", "7", "15", "foo"),
                c("BITPOS", "s", "2"), c("BITPOS", "s", "-1"), c("BITPOS", "s", "x"), c("BITPOS", "s", "1", "x"), c("BITPOS", "s", "1", "0", "x"),
                c("BITPOS", "s", "1", "x", "0", "foo"), c("BITPOS", "s", "1", "0", "1", "2", "3"),
                c("SET", "ff", "\u00ff\u00ff\u00ff"), c("BITPOS", "ff", "0"), c("BITPOS", "ff", "0", "0"), c("BITPOS", "ff", "0", "0", "-1"),
                c("BITPOS", "ff", "0", "1", "1"), c("BITPOS", "ff", "0", "0", "-1", "bit"), c("BITPOS", "ff", "0", "3", "19", "bit"),
                c("BITPOS", "ff", "1", "3", "19", "bit"), c("BITPOS", "ff", "0", "3", "19", "byte"), c("BITPOS", "ff", "0", "3", "bit"),
                c("BITPOS", "ff", "0", "-3"), c("BITPOS", "ff", "0", "-100", "-200"), c("BITPOS", "ff", "1", "5", "1"),
                c("SET", "z", "\u0000\u0000\u0000"), c("BITPOS", "z", "1"), c("BITPOS", "z", "0"), c("BITPOS", "z", "1", "0", "-1", "bit"),
                c("BITPOS", "z", "1", "-5", "-1", "bit"), c("BITPOS", "z", "0", "-5", "-1", "bit"), c("BITPOS", "z", "1", "100", "200"),
                c("BITPOS", "z", "0", "100", "200"), c("BITPOS", "z", "0", "-100", "-200"),
                c("SET", "mid", "\u00ff\u00f0\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001"), c("BITPOS", "mid", "0"),
                c("BITPOS", "mid", "1", "2"), c("BITPOS", "mid", "1", "12", "87", "bit"), c("BITPOS", "mid", "1", "12", "86", "bit"),
                c("BITCOUNT", "mid", "12", "87", "bit"), c("BITCOUNT", "mid", "1", "-1"),
                c("RPUSH", "l", "a"), c("BITCOUNT", "l"), c("BITCOUNT", "l", "x"), c("BITPOS", "l", "1"), c("BITPOS", "l", "7"),
        });
    }

    @Test
    void bitfieldAndItsOverflowModesAreRedises() throws IOException {
        sameReplies(new String[][] {
                c("BITFIELD", "bf", "SET", "i8", "0", "100"),
                c("BITFIELD", "bf", "GET", "i8", "0", "GET", "u4", "0", "GET", "u4", "4", "GET", "i64", "0", "GET", "u63", "1"),
                c("BITFIELD", "bf", "INCRBY", "i8", "0", "100"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100"),
                c("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "100", "GET", "i8", "0"),
                c("BITFIELD", "bf", "overflow", "wrap", "incrby", "i8", "0", "-300"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-300"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", "8", "-300", "INCRBY", "u8", "8", "300", "GET", "u8", "8"),
                c("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u8", "8", "-300", "INCRBY", "u8", "8", "1000"),
                c("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "-300", "INCRBY", "u8", "8", "1000"),
                c("BITFIELD", "bf", "SET", "u8", "#3", "255", "GET", "u8", "#3", "GET", "u8", "24"),
                c("BITFIELD", "bf", "SET", "i64", "0", "-1", "GET", "i64", "0", "GET", "u63", "0", "GET", "u63", "1"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i4", "100", "100", "SET", "u4", "104", "100", "SET", "i4", "108", "-100", "SET", "u4", "112", "-1"),
                c("BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "i4", "100", "100", "SET", "u4", "104", "100", "SET", "i4", "108", "-100", "SET", "u4", "112", "-1"),
                c("BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "i4", "100", "100", "SET", "u4", "104", "100", "SET", "i4", "108", "-100", "GET", "u16", "100"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807"),
                c("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "-9223372036854775808"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-9223372036854775808"),
                c("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "INCRBY", "u63", "0", "-9223372036854775808"),
                c("BITFIELD", "bf", "SET", "i1", "200", "1", "GET", "i1", "200", "GET", "u1", "200", "INCRBY", "i1", "200", "1", "INCRBY", "u1", "201", "3"),
                c("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i1", "202", "5", "SET", "u1", "203", "-5", "GET", "u2", "202"),
                c("GET", "bf"),
                c("BITFIELD", "bf", "GET", "u64", "0"), c("BITFIELD", "bf", "GET", "i65", "0"), c("BITFIELD", "bf", "GET", "i0", "0"),
                c("BITFIELD", "bf", "GET", "u0", "0"), c("BITFIELD", "bf", "GET", "x8", "0"), c("BITFIELD", "bf", "GET", "", "0"),
                c("BITFIELD", "bf", "GET", "i", "0"), c("BITFIELD", "bf", "GET", "i08", "0"), c("BITFIELD", "bf", "GET", "I8", "0"),
                c("BITFIELD", "bf", "GET", "i-8", "0"), c("BITFIELD", "bf", "GET", "i8", "-1"), c("BITFIELD", "bf", "GET", "i8", "4294967296"),
                c("BITFIELD", "bf", "GET", "i8", "4294967289"), c("BITFIELD", "bf", "GET", "i8", "#536870912"),
                c("BITFIELD", "bf", "GET", "i8", "#536870911"), c("BITFIELD", "bf", "GET", "i8", "##1"), c("BITFIELD", "bf", "GET", "i8", "#-1"),
                c("BITFIELD", "bf", "GET", "i8", "#x"), c("BITFIELD", "bf", "GET", "i8", "#"), c("BITFIELD", "bf", "GET", "i8", "#1152921504606846976"),
                c("BITFIELD", "bf", "GET", "i64", "#2305843009213693952"), c("BITFIELD", "bf", "SET", "i8", "0"), c("BITFIELD", "bf", "SET", "i8", "0", "x"),
                c("BITFIELD", "bf", "INCRBY", "i8", "0", "x"), c("BITFIELD", "bf", "OVERFLOW", "foo"), c("BITFIELD", "bf", "OVERFLOW"),
                c("BITFIELD", "bf", "foo"), c("BITFIELD", "bf", "GET", "i8"), c("BITFIELD", "bf"),
                c("BITFIELD", "bf", "SET", "i8", "0", "1", "GET", "x8", "0"), c("GET", "bf"),
                c("BITFIELD", "nokey", "GET", "i8", "0", "GET", "u8", "100"), c("EXISTS", "nokey"),
                c("BITFIELD_RO", "bf", "GET", "i8", "0", "GET", "u16", "3"), c("BITFIELD_RO", "bf", "SET", "i8", "0", "1"),
                c("BITFIELD_RO", "bf", "GET", "i8", "0", "INCRBY", "i8", "0", "1"), c("BITFIELD_RO", "bf", "INCRBY", "x8", "0", "1"),
                c("BITFIELD_RO", "bf"), c("BITFIELD_RO", "nokey", "GET", "u8", "0"), c("BITFIELD_RO", "bf", "OVERFLOW", "SAT"),
                c("BITFIELD", "new", "SET", "u1", "1000", "1"), c("STRLEN", "new"),
                c("BITFIELD", "new2", "OVERFLOW", "FAIL", "SET", "u2", "0", "10"), c("STRLEN", "new2"), c("GET", "new2"),
                c("BITFIELD", "new3", "GET", "u8", "100", "SET", "u8", "0", "1"), c("STRLEN", "new3"),
                c("BITFIELD", "new4", "INCRBY", "u2", "#1000", "1"), c("STRLEN", "new4"),
                c("RPUSH", "l", "a"), c("BITFIELD", "l", "GET", "u8", "0"), c("BITFIELD_RO", "l", "GET", "u8", "0"),
                c("BITFIELD", "l", "SET", "u8", "0", "1"), c("BITFIELD", "l", "GET", "x8", "0"),
                c("SET", "n", "123"), c("BITFIELD", "n", "GET", "u8", "0", "INCRBY", "u8", "0", "1"), c("GET", "n"),
        });
    }

    @Test
    void bitopIsRedises() throws IOException {
        sameReplies(new String[][] {
                c("SET", "a", "abcdef"), c("SET", "b", "ABCDEFGHIJKLMN"), c("SET", "x", "\u00ff\u00f0\u000f"),
                c("BITOP", "AND", "d", "a", "b"), c("GET", "d"), c("BITOP", "or", "d", "a", "b"), c("GET", "d"),
                c("BITOP", "XOR", "d", "a", "b", "x"), c("GET", "d"), c("BITOP", "NOT", "d", "a"), c("GET", "d"),
                c("BITOP", "not", "d", "x"), c("GET", "d"), c("STRLEN", "d"), c("BITOP", "NOT", "d", "a", "b"), c("BITOP", "NOT", "d"),
                c("BITOP", "FOO", "d", "a"), c("BITOP", "ANDX", "d", "a"), c("BITOP", "AND", "d"),
                c("BITOP", "AND", "d", "nokey1", "nokey2"), c("EXISTS", "d"), c("SET", "d", "keep"), c("BITOP", "OR", "d", "nokey1"),
                c("EXISTS", "d"), c("BITOP", "OR", "d", "a", "nokey1"), c("GET", "d"), c("BITOP", "AND", "d", "a", "nokey1"), c("GET", "d"),
                c("BITOP", "XOR", "d", "nokey1", "a"), c("GET", "d"), c("BITOP", "NOT", "d", "nokey1"), c("EXISTS", "d"),
                c("SET", "e", ""), c("BITOP", "OR", "d", "e", "e"), c("EXISTS", "d"), c("BITOP", "AND", "d", "a", "e"), c("GET", "d"),
                c("SET", "i", "12345"), c("BITOP", "OR", "d", "i"), c("GET", "d"), c("BITOP", "OR", "a", "a", "b"), c("GET", "a"),
                c("BITOP", "AND", "b", "b"), c("GET", "b"),
                c("RPUSH", "lst", "x"), c("BITOP", "AND", "d", "a", "lst"), c("GET", "d"), c("BITOP", "AND", "lst", "a"), c("TYPE", "lst"),
                c("GET", "lst"), c("SET", "t", "v", "EX", "100"), c("BITOP", "OR", "t", "a"), c("TTL", "t"),
                c("BITOP", "OR", "d", "a", "b", "x", "i", "nokey", "e", "a", "b"), c("GET", "d"),
        });
    }

    /** BITOP's sources and destination on different shards: read by shard, computed here, stored there. */
    @Test
    void bitopAcrossShardsIsRedises() throws IOException {
        String a = demo.keyOn(0, "bitop:a:");
        String b = demo.keyOn(1, "bitop:b:");
        String c2 = demo.keyOn(1, "bitop:c:");
        String d0 = demo.keyOn(0, "bitop:d:");
        String d1 = demo.keyOn(1, "bitop:d:");
        sameReplies(new String[][] {
                c("SET", a, "\u00f0\u00f0\u00f0\u00f0"), c("SETBIT", b, "3", "1"), c("APPEND", b, "\u00aa\u00aa"), c("SET", c2, "ccc"),
                c("BITOP", "AND", d0, a, b, c2), c("GET", d0), c("BITOP", "OR", d1, a, b, c2), c("GET", d1),
                c("BITOP", "XOR", d1, b, a), c("GET", d1), c("BITOP", "NOT", d0, b), c("GET", d0),
                c("RPUSH", c2 + "l", "x"), c("BITOP", "OR", d0, a, c2 + "l"), c("GET", d0),
                c("BITOP", "AND", d0, "bitop:none1", "bitop:none2"), c("EXISTS", d0),
        });
    }

    /**
     * WATCH sees what Redis signals: a bit or field that changed, a string that grew, an APPEND even
     * of nothing; not a SETBIT or BITFIELD that left every bit as it was, nor a read.
     */
    @Test
    void watchSeesTheChangesRedisSignals() throws IOException {
        String[][] changes = {
                c("SETBIT", "w", "3", "0"), c("SETBIT", "w", "3", "1"), c("SETBIT", "w", "100", "0"), c("BITFIELD", "w", "SET", "u8", "0", "0"),
                c("BITFIELD", "w", "SET", "u8", "0", "7"), c("BITFIELD", "w", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"),
                c("BITFIELD", "w", "INCRBY", "u8", "8", "0"), c("BITFIELD", "w", "GET", "u8", "0"), c("GETBIT", "w", "3"),
                c("BITCOUNT", "w"), c("APPEND", "w", ""), c("APPEND", "w", "x"), c("SETRANGE", "w", "0", ""), c("SETRANGE", "w", "0", "\u0000"),
                c("BITOP", "OR", "w", "w"), c("LCS", "w", "w"), c("OBJECT", "ENCODING", "w"), c("COPY", "w", "w2"), c("COPY", "w2", "w", "REPLACE"),
        };
        for (String[] change : changes) {
            List<Object> outcomes = new ArrayList<>();
            for (int port : new int[] {redis.port(), demo.respPort()}) {
                try (RespTestClient a = new RespTestClient(port).binary(); RespTestClient b = new RespTestClient(port).binary()) {
                    a.cmd("DEL", "w", "w2");
                    a.cmd("SET", "w", "\u0000\u0000\u0000");
                    a.cmd("SETBIT", "w", "0", "0"); // already in place, as after a change
                    a.cmd("WATCH", "w");
                    b.cmd(change);
                    a.cmd("MULTI");
                    a.cmd("PING");
                    outcomes.add(a.cmd("EXEC"));
                }
            }
            assertThat(outcomes.get(1)).as("EXEC after " + String.join(" ", change)).isEqualTo(outcomes.get(0));
        }
    }

    /** Random bitmaps: BITCOUNT and BITPOS over random ranges in BYTE and BIT units answer as redis-server. */
    @Test
    void randomBitmapsCountAndSearchAsRedis() throws IOException {
        SplittableRandom random = new SplittableRandom(13);
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (int round = 0; round < 30; round++) {
                String key = "rnd:" + round;
                int length = random.nextInt(1, 80);
                StringBuilder value = new StringBuilder();
                int style = random.nextInt(3); // random bytes, mostly zeros, mostly ones
                for (int i = 0; i < length; i++) {
                    int b = style == 0 ? random.nextInt(256) : style == 1 ? (random.nextInt(10) == 0 ? random.nextInt(256) : 0)
                            : (random.nextInt(10) == 0 ? random.nextInt(256) : 0xff);
                    value.append((char) b);
                }
                List<String[]> commands = new ArrayList<>();
                commands.add(c("SET", key, value.toString()));
                for (int i = 0; i < 5; i++) {
                    commands.add(c("SETBIT", key, Integer.toString(random.nextInt(length * 8 + 20)), Integer.toString(random.nextInt(2))));
                }
                for (int q = 0; q < 40; q++) {
                    long span = random.nextBoolean() ? length : length * 8L;
                    String start = Long.toString(random.nextLong(-span - 3, span + 3));
                    String end = Long.toString(random.nextLong(-span - 3, span + 3));
                    String unit = random.nextInt(3) == 0 ? "BYTE" : "BIT";
                    String bit = Integer.toString(random.nextInt(2));
                    commands.add(switch (random.nextInt(5)) {
                        case 0 -> c("BITCOUNT", key, start, end);
                        case 1 -> c("BITCOUNT", key, start, end, unit);
                        case 2 -> c("BITPOS", key, bit, start);
                        case 3 -> c("BITPOS", key, bit, start, end);
                        default -> c("BITPOS", key, bit, start, end, unit);
                    });
                }
                commands.add(c("BITCOUNT", key));
                commands.add(c("BITPOS", key, "0"));
                commands.add(c("BITPOS", key, "1"));
                commands.add(c("GET", key));
                RealRedis.sameReplies(r, d, "2", commands.toArray(String[][]::new), reply -> reply);
            }
        }
    }

    /** Random BITFIELD programs (types, offsets, values, overflow modes) answer and leave the bitmap as redis-server's. */
    @Test
    void randomBitfieldProgramsAsRedis() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        String[] overflows = {"WRAP", "SAT", "FAIL"};
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            r.cmd("DEL", "bfr");
            d.cmd("DEL", "bfr");
            List<String[]> commands = new ArrayList<>();
            for (int n = 0; n < 300; n++) {
                List<String> args = new ArrayList<>(List.of("BITFIELD", "bfr"));
                for (int op = random.nextInt(1, 5); op > 0; op--) {
                    boolean signed = random.nextBoolean();
                    int bits = signed ? random.nextInt(1, 65) : random.nextInt(1, 64);
                    String type = (signed ? "i" : "u") + bits;
                    String offset = random.nextInt(4) == 0 ? "#" + random.nextInt(8) : Integer.toString(random.nextInt(200));
                    long value = switch (random.nextInt(4)) {
                        case 0 -> random.nextLong();
                        case 1 -> random.nextLong(-300, 300);
                        case 2 -> (random.nextBoolean() ? 1 : -1) * (1L << random.nextInt(63));
                        default -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
                    };
                    switch (random.nextInt(4)) {
                        case 0 -> args.addAll(List.of("GET", type, offset));
                        case 1 -> args.addAll(List.of("SET", type, offset, Long.toString(value)));
                        case 2 -> args.addAll(List.of("INCRBY", type, offset, Long.toString(value)));
                        default -> args.addAll(List.of("OVERFLOW", overflows[random.nextInt(3)]));
                    }
                }
                commands.add(args.toArray(String[]::new));
            }
            commands.add(c("GET", "bfr"));
            RealRedis.sameReplies(r, d, "2", commands.toArray(String[][]::new), reply -> reply);
        }
    }

    /** Bit offsets stop where proto-max-bulk-len does (here 1 MB on both servers), with Redis's error. */
    @Test
    void bitOffsetsStopAtProtoMaxBulkLen() throws Exception {
        int oneMb = 1 << 20;
        try (TestServices small = TestServices.start(1, DemoSettings.forTests().withConfig("proto-max-bulk-len", Integer.toString(oneMb)));
             RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(small.respPort())) {
            Object old = ((List<?>) r.cmd("CONFIG", "GET", "proto-max-bulk-len")).get(1);
            assertThat(r.cmd("CONFIG", "SET", "proto-max-bulk-len", Integer.toString(oneMb))).isEqualTo("OK");
            try {
                String lastBit = Long.toString(8L * oneMb - 1);
                String firstBeyond = Long.toString(8L * oneMb);
                RealRedis.sameReplies(r, d, "2", new String[][] {
                        c("DEL", "big"), c("SETBIT", "big", firstBeyond, "1"), c("GETBIT", "big", firstBeyond), c("EXISTS", "big"),
                        c("SETBIT", "big", lastBit, "1"), c("STRLEN", "big"), c("GETBIT", "big", lastBit), c("BITCOUNT", "big"),
                        c("BITPOS", "big", "1"), c("BITFIELD", "big", "GET", "u8", firstBeyond),
                        c("BITFIELD", "big", "GET", "u8", "#" + oneMb), c("BITFIELD", "big", "GET", "u8", "#" + (oneMb - 1)),
                        c("BITFIELD", "big", "SET", "u8", lastBit, "255"), c("STRLEN", "big"), c("BITCOUNT", "big"),
                        c("BITFIELD_RO", "big", "GET", "u2", firstBeyond), c("DEL", "big"),
                }, reply -> reply);
            } finally {
                r.cmd("CONFIG", "SET", "proto-max-bulk-len", String.valueOf(old));
            }
        }
    }

    /** A bit offset the whole shard budget could not hold is refused before the bitmap is allocated. */
    @Test
    void aBitmapLargerThanTheShardBudgetIsRefusedBeforeAllocation() throws IOException {
        BitCommands bits = new BitCommands();
        ValueStore store = new ValueStore(new SplittableRandom(1));
        store.budget(new MemoryBudget(1 << 20, MaxmemoryPolicy.NOEVICTION, 5));
        long now = System.currentTimeMillis();
        assertThatThrownBy(() -> bits.setbit(store, argv("SETBIT", "b", Long.toString(8L * (2 << 20)), "1"), now))
                .isInstanceOf(OutOfBudgetException.class);
        assertThatThrownBy(() -> bits.bitfield(store, argv("BITFIELD", "b", "SET", "u8", "#" + (2 << 20), "1"), now))
                .isInstanceOf(OutOfBudgetException.class);
        assertThat(store.size()).isZero();
        assertThat(store.memory().usedBytes()).isZero();
        // within the budget it is created, exactly as large as the bit needs, and counted
        bits.setbit(store, argv("SETBIT", "b", Long.toString(8L * 100_000), "1"), now);
        assertThat(store.memory().usedBytes()).isBetween(100_001L, 100_001L + 200);
        // over a client connection: Redis's -OOM text
        try (TestServices small = TestServices.start(1, DemoSettings.forTests().withMemory(
                new io.percore.demo.kv.MemorySettings(1 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
             RespTestClient d = new RespTestClient(small.respPort())) {
            assertThat(d.cmd("SETBIT", "b", Long.toString(8L * (2 << 20)), "1"))
                    .isEqualTo(new RespTestClient.Err("OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(d.cmd("EXISTS", "b")).isEqualTo(0L);
        }
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
