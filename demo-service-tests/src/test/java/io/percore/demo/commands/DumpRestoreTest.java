package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.rdb.Crc64;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.percore.demo.resp.RespReplies;

/**
 * DUMP and RESTORE against a real redis-server 7.0.15: what redis-server DUMPs, for every type and
 * encoding at small and large sizes, RESTOREs into the demo (on either of two shards) with equal
 * contents, and what the demo DUMPs RESTOREs into redis-server with equal contents; replies and
 * errors compared in RESP2 and RESP3; crafted payloads with absurd declared lengths answered as
 * redis-server with deep sanitization answers them, at once; corrupted payloads (bit flips with
 * the checksum fixed, truncations) answered with an error or loaded, never a dropped connection;
 * the memory budget and proto-max-bulk-len bounding what a small payload may expand to; IDLETIME
 * and FREQ setting the eviction rank.
 */
class DumpRestoreTest {

    private static RealRedis redis;
    private static RealRedis sanitizing;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        sanitizing = RealRedis.start("--sanitize-dump-payload", "yes");
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        sanitizing.close();
        redis.close();
    }

    private static String[] c(String... args) {
        return args;
    }

    /** A value to build under a key {@code K}, with redis-server's configuration for it (the encoding it makes). */
    private record Fixture(String name, String[] config, String[]... build) {
    }

    private static final String[] DEFAULTS = {};

    private static String repeat(String s, int n) {
        return s.repeat(n);
    }

    private static String binary(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) random.nextInt(256));
        }
        return sb.toString();
    }

    private static String[] command(String name, String key, List<String> args) {
        List<String> all = new ArrayList<>(List.of(name, key));
        all.addAll(args);
        return all.toArray(new String[0]);
    }

    private static List<String> range(int n, String format) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format(format, i, i * 7 % 1000));
        }
        return out;
    }

    private static List<String> zsetArgs(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i % 3 == 0 ? Integer.toString(i * 11) : Double.toString(i * 0.37 - 50));
            out.add("member:" + i);
        }
        return out;
    }

    private static List<Fixture> fixtures() {
        List<Fixture> f = new ArrayList<>();
        // strings: integers (8, 16, 32 bits, and past them), raw, LZF-compressed (longer than 20 bytes and compressible), binary
        for (String s : List.of("hello", "12345", "-7", "0", "127", "-128", "100000", "2147483647", "-2147483648", "2147483648",
                "9999999999", "007", "", "-0", " 1", repeat("x", 21), repeat("x", 1000), repeat("ab", 50_000), binary(300, 1), binary(256, 2))) {
            f.add(new Fixture("string " + s.length(), DEFAULTS, c("SET", "K", s)));
        }
        f.add(new Fixture("string 0..255", DEFAULTS, c("SET", "K", allBytes())));
        // lists: one listpack node, many LZF-compressed nodes, every listpack integer width, a node per large element
        f.add(new Fixture("list small", DEFAULTS, c("RPUSH", "K", "a", "b", "1", "2", "-100000", "")));
        f.add(new Fixture("list 100", DEFAULTS, command("RPUSH", "K", range(100, "%d"))));
        f.add(new Fixture("list 1000", DEFAULTS, command("RPUSH", "K", range(1000, "element-%d-%d"))));
        f.add(new Fixture("list integers", DEFAULTS, c("RPUSH", "K", "0", "127", "128", "-1", "-4096", "4095", "4096", "32767",
                "-32768", "32768", "8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809")));
        f.add(new Fixture("list large elements", DEFAULTS, c("RPUSH", "K", repeat("a", 10_000), "b", repeat("c", 70_000), binary(5000, 3))));
        f.add(new Fixture("list uncompressed nodes", new String[] {"list-compress-depth", "1"}, command("RPUSH", "K", range(3000, "%d-%d"))));
        // sets: intsets of 16, 32 and 64-bit members, hash tables of strings and of many integers
        f.add(new Fixture("set intset16", DEFAULTS, c("SADD", "K", "1", "2", "3", "-5", "32767")));
        f.add(new Fixture("set intset32", DEFAULTS, c("SADD", "K", "70000", "-70000", "1")));
        f.add(new Fixture("set intset64", DEFAULTS, c("SADD", "K", "9223372036854775807", "-9223372036854775808", "0")));
        f.add(new Fixture("set intset 100", DEFAULTS, command("SADD", "K", range(100, "%d"))));
        f.add(new Fixture("set strings", DEFAULTS, c("SADD", "K", "a", "b", "c", "1")));
        f.add(new Fixture("set 1000 integers", DEFAULTS, command("SADD", "K", range(1000, "%d"))));
        f.add(new Fixture("set 1000 strings", DEFAULTS, command("SADD", "K", range(1000, "m%d-%d"))));
        // hashes: listpacks (small, 100 fields), hash tables (1000 fields, a long value)
        f.add(new Fixture("hash small", DEFAULTS, c("HSET", "K", "f", "v", "n", "123", "neg", "-1", "e", "")));
        f.add(new Fixture("hash 100", DEFAULTS, command("HSET", "K", range(100, "f%d"), 2)));
        f.add(new Fixture("hash 1000", DEFAULTS, command("HSET", "K", range(1000, "field-%d"), 2)));
        f.add(new Fixture("hash long value", DEFAULTS, c("HSET", "K", "a", "1", "b", repeat("v", 100))));
        // Redis's own unit/type/hash test: every listpack encoding in one hash
        f.add(new Fixture("hash listpack encodings", new String[] {"hash-max-ziplist-entries", "1000000000", "hash-max-ziplist-value", "1000000000"},
                c("HSET", "K", "ZIP_INT_8B", "127", "ZIP_INT_16B", "32767", "ZIP_INT_32B", "2147483647", "ZIP_INT_64B", "9223372036854775808",
                        "ZIP_INT_IMM_MIN", "0", "ZIP_INT_IMM_MAX", "12", "ZIP_STR_06B", repeat("x", 31), "ZIP_STR_14B", repeat("x", 8191),
                        "ZIP_STR_32B", repeat("x", 65535))));
        // sorted sets: listpacks (small, 100), skip lists (1000, a long member), scores of every kind
        f.add(new Fixture("zset small", DEFAULTS, c("ZADD", "K", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "-0", "f",
                "1e100", "g", "0.1", "h", "4611686018427387904", "i", "1e-310", "j")));
        f.add(new Fixture("zset 100", DEFAULTS, command("ZADD", "K", zsetArgs(100))));
        f.add(new Fixture("zset 1000", DEFAULTS, command("ZADD", "K", zsetArgs(1000))));
        f.add(new Fixture("zset long member", DEFAULTS, c("ZADD", "K", "1", "a", "2", repeat("m", 100), "inf", "z", "-0", "zero")));
        f.add(new Fixture("stream small", DEFAULTS, c("XADD", "K", "1-1", "f", "v"), c("XADD", "K", "1-2", "f", "v", "g", "w"),
                c("XADD", "K", "2-0", "n", "12345", "neg", "-9223372036854775808", "e", "")));
        f.add(new Fixture("stream 1000", DEFAULTS, streamOf(1000, 1, 1)));
        f.add(new Fixture("stream nodes by bytes", new String[] {"stream-node-max-bytes", "120"}, streamOf(200, 40, 3)));
        f.add(new Fixture("stream tombstones", DEFAULTS, concat(streamOf(300, 1, 2), new String[][] {
                c("XDEL", "K", "5-0", "6-0", "150-0", "299-0"), c("XTRIM", "K", "MINID", "3"), c("XSETID", "K", "400-0", "ENTRIESADDED", "999",
                        "MAXDELETEDID", "399-0")})));
        f.add(new Fixture("stream groups", DEFAULTS, concat(streamOf(50, 1, 1), new String[][] {
                c("XGROUP", "CREATE", "K", "g1", "0"), c("XGROUP", "CREATE", "K", "g2", "10-0", "ENTRIESREAD", "10"),
                c("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "20", "STREAMS", "K", ">"),
                c("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "K", ">"),
                c("XREADGROUP", "GROUP", "g1", "carol", "NOACK", "COUNT", "5", "STREAMS", "K", ">"),
                c("XCLAIM", "K", "g1", "dave", "0", "3-0", "4-0", "RETRYCOUNT", "7", "TIME", "1600000000000"),
                c("XGROUP", "CREATECONSUMER", "K", "g2", "erin"), c("XREADGROUP", "GROUP", "g2", "erin", "STREAMS", "K", ">"),
                c("XDEL", "K", "2-0"), c("XACK", "K", "g2", "11-0", "12-0")})));
        f.add(new Fixture("stream empty with a group", DEFAULTS, c("XGROUP", "CREATE", "K", "g", "$", "MKSTREAM")));
        f.add(new Fixture("stream long values", DEFAULTS, c("XADD", "K", "1-0", "a", repeat("v", 10_000), "b", binary(5000, 4)),
                c("XADD", "K", "2-0", repeat("f", 100), "x")));
        return f;
    }

    /** XADDs of {@code n} entries with IDs 1-0, 2-0, ...: fields f and i, every {@code otherEvery}th with another field. */
    private static String[][] streamOf(int n, int valueLength, int otherEvery) {
        String[][] out = new String[n][];
        for (int i = 1; i <= n; i++) {
            out[i - 1] = i % otherEvery == 0 && otherEvery > 1 ? c("XADD", "K", i + "-0", "other", repeat("o", valueLength))
                    : c("XADD", "K", i + "-0", "f", repeat("v", valueLength), "i", Integer.toString(i * 37 - 5000));
        }
        return out;
    }

    private static String[][] concat(String[][] a, String[][] b) {
        String[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String[] command(String name, String key, List<String> fields, int valuesPerField) {
        List<String> args = new ArrayList<>();
        for (String field : fields) {
            args.add(field);
            args.add("value-of-" + field);
        }
        return command(name, key, args);
    }

    private static String allBytes() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            sb.append((char) i);
        }
        return sb.toString();
    }

    private static final String[][] DEFAULT_CONFIG = {
            {"hash-max-ziplist-entries", "128"}, {"hash-max-ziplist-value", "64"}, {"list-compress-depth", "0"},
            {"stream-node-max-bytes", "4096"}};

    private static void configure(RespTestClient client, String[] config) throws IOException {
        for (String[] d : DEFAULT_CONFIG) {
            client.cmd("CONFIG", "SET", d[0], d[1]);
        }
        for (int i = 0; i < config.length; i += 2) {
            client.cmd("CONFIG", "SET", config[i], config[i + 1]);
        }
    }

    private static void build(RespTestClient client, Fixture fixture, String key) throws IOException {
        client.cmd("DEL", key);
        for (String[] cmd : fixture.build()) {
            String[] resolved = Arrays.stream(cmd).map(a -> a.equals("K") ? key : a).toArray(String[]::new);
            Object reply = client.cmd(resolved);
            assertThat(reply).as(fixture.name()).isNotInstanceOf(RespTestClient.Err.class);
        }
    }

    /** The key's type and contents, in a form that compares across servers (set members and hash fields sorted). */
    private static Object contents(RespTestClient client, String key) throws IOException {
        Object type = client.cmd("TYPE", key);
        Object value = switch (String.valueOf(type)) {
            case "string" -> client.cmd("GET", key);
            case "list" -> client.cmd("LRANGE", key, "0", "-1");
            case "set" -> RealRedis.sorted(client.cmd("SMEMBERS", key));
            case "hash" -> pairsSorted(client.cmd("HGETALL", key));
            case "zset" -> client.cmd("ZRANGE", key, "0", "-1", "WITHSCORES");
            case "stream" -> client.cmd("XINFO", "STREAM", key, "FULL", "COUNT", "0"); // seen and delivery times travel too
            default -> null;
        };
        return List.of(String.valueOf(type), String.valueOf(value), String.valueOf(client.cmd("PTTL", key)).equals("-1"));
    }

    private static List<String> pairsSorted(Object reply) {
        List<?> items = reply instanceof RespTestClient.Map3 m ? m.keysAndValues() : (List<?>) reply;
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            pairs.add(items.get(i) + "\u0000" + items.get(i + 1));
        }
        pairs.sort(null);
        return pairs;
    }

    @Test
    void whatRedisDumpsRestoresInTheDemoAndWhatTheDemoDumpsRestoresInRedis() throws IOException {
        List<Fixture> fixtures = fixtures();
        Set<Integer> typesSeen = new java.util.TreeSet<>();
        Set<Integer> stringEncodingsSeen = new java.util.TreeSet<>();
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> {
            int n = 0;
            for (Fixture fixture : fixtures) {
                String as = "RESP" + proto + " " + fixture.name();
                String demoKey = demo.keyOn(n++ % 2, "dr:" + proto + ":");
                configure(r, fixture.config());
                // redis-server -> demo
                build(r, fixture, "src");
                Object payload = r.cmd("DUMP", "src");
                assertThat(payload).as(as).isInstanceOf(String.class);
                typesSeen.add((int) ((String) payload).charAt(0));
                if (((String) payload).charAt(0) == 0) {
                    stringEncodingsSeen.add(((String) payload).charAt(1) >> 6 == 3 ? (int) ((String) payload).charAt(1) : -1);
                }
                d.cmd("DEL", demoKey);
                assertThat(d.cmd("RESTORE", demoKey, "0", (String) payload)).as(as + " into the demo").isEqualTo("OK");
                Object original = contents(r, "src");
                assertThat(contents(d, demoKey)).as(as + " restored in the demo").isEqualTo(original);
                // demo -> redis-server
                Object ours = d.cmd("DUMP", demoKey);
                r.cmd("DEL", "back");
                assertThat(r.cmd("RESTORE", "back", "0", (String) ours)).as(as + " into redis-server").isEqualTo("OK");
                assertThat(contents(r, "back")).as(as + " restored in redis-server").isEqualTo(original);
                // and from the demo into the demo, REPLACE over itself
                assertThat(d.cmd("RESTORE", demoKey, "0", (String) ours, "REPLACE")).as(as).isEqualTo("OK");
                assertThat(contents(d, demoKey)).as(as + " restored over itself").isEqualTo(original);
            }
            configure(r, DEFAULTS);
        });
        // every object type redis-server 7.0 writes but streams: string, set, hash, zset_2, intset, hash and
        // zset listpacks, quicklist 2; strings as 8, 16, 32-bit integers, LZF and raw (-1)
        assertThat(typesSeen).containsExactly(0, 2, 4, 5, 11, 16, 17, 18, 19);
        assertThat(stringEncodingsSeen).containsExactly(-1, 0xC0, 0xC1, 0xC2, 0xC3);
    }

    @Test
    void shortStringsDumpByteForByteAsRedis() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (String s : List.of("hello", "12345", "-7", "100000", "2147483647", "2147483648", "", "007", binary(20, 9))) {
                r.cmd("SET", "s", s);
                d.cmd("SET", "s", s);
                assertThat(d.cmd("DUMP", "s")).as(s).isEqualTo(r.cmd("DUMP", "s"));
            }
        }
    }

    @Test
    void repliesAndErrorsAreRedises() throws IOException {
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> {
            r.cmd("SET", "foo", "bar");
            String payload = (String) r.cmd("DUMP", "foo");
            String badCrc = payload.substring(0, payload.length() - 1) + (char) (payload.charAt(payload.length() - 1) ^ 1);
            String newerVersion = payload.substring(0, payload.length() - 10) + (char) 11 + payload.substring(payload.length() - 9);
            String[][] cmds = {
                    c("FLUSHALL"), c("SET", "foo", "bar"),
                    c("RESTORE", "foo", "0", payload), c("RESTORE", "foo", "abc", "xx"), c("RESTORE", "new", "0", payload, "bogus"),
                    c("RESTORE", "new", "-1", payload), c("RESTORE", "new", "abc", payload), c("RESTORE", "new", "0", "xx"),
                    c("RESTORE", "new", "0", ""), c("RESTORE", "new", "0", badCrc), c("RESTORE", "new", "0", newerVersion),
                    c("RESTORE", "new", "0", payload, "IDLETIME", "-1"), c("RESTORE", "new", "0", payload, "IDLETIME", "x"),
                    c("RESTORE", "new", "0", payload, "FREQ", "256"), c("RESTORE", "new", "0", payload, "FREQ", "-1"),
                    c("RESTORE", "new", "0", payload, "FREQ", "1", "IDLETIME", "5"), c("RESTORE", "new", "0", payload, "IDLETIME", "5", "FREQ", "1"),
                    c("RESTORE", "new", "0", payload, "IDLETIME"), c("RESTORE", "new", "0", payload, "FREQ"),
                    c("RESTORE", "new", "0", payload, "replace", "absttl", "idletime", "10"), c("GET", "new"), c("TTL", "new"),
                    c("RESTORE", "new", "0", payload, "FREQ", "3", "REPLACE"),
                    c("RESTORE", "new2", "9223372036854775807", payload), c("EXISTS", "new2"),
                    c("RESTORE", "new3", "1", payload, "ABSTTL"), c("EXISTS", "new3"),
                    c("RESTORE", "foo", "1", payload, "ABSTTL", "REPLACE"), c("EXISTS", "foo"),
                    c("RESTORE", "ttl", "100000", payload), c("TTL", "ttl"),
                    c("RESTORE", "abs", "99999999999999", payload, "ABSTTL"), c("PEXPIRETIME", "abs"),
                    c("DUMP", "nokey"), c("DUMP"), c("DUMP", "a", "b"), c("RESTORE", "a", "0"),
                    c("LPUSH", "lst", "x"), c("RESTORE", "lst", "0", payload), c("RESTORE", "lst", "0", payload, "REPLACE"), c("TYPE", "lst")};
            RealRedis.sameReplies(r, d, proto, cmds, x -> x);
        });
    }

    @Test
    void aRestoredTtlIsRedises() throws IOException {
        try (RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            d.cmd("SET", "foo", "bar");
            String payload = (String) d.cmd("DUMP", "foo");
            d.cmd("DEL", "foo");
            assertThat(d.cmd("RESTORE", "foo", "5000", payload)).isEqualTo("OK");
            assertThat((Long) d.cmd("PTTL", "foo")).isBetween(3000L, 5000L);
            assertThat(d.cmd("RESTORE", "foo", "2569591501", payload, "REPLACE")).isEqualTo("OK");
            assertThat((Long) d.cmd("PTTL", "foo")).isBetween(2569591501L - 3000, 2569591501L);
            long now = System.currentTimeMillis();
            assertThat(d.cmd("RESTORE", "foo", Long.toString(now + 3000), payload, "ABSTTL", "REPLACE")).isEqualTo("OK");
            assertThat((Long) d.cmd("PTTL", "foo")).isBetween(2000L, 3100L);
            assertThat(d.cmd("GET", "foo")).isEqualTo("bar");
        }
    }

    // ------------------------------------------------------------------ crafted and corrupted payloads

    /** {@code body} with RDB version 10 and its CRC-64, as DUMP ends a payload. */
    static byte[] payload(byte[] body) {
        byte[] out = Arrays.copyOf(body, body.length + 10);
        out[body.length] = 10;
        out[body.length + 1] = 0;
        long crc = Crc64.update(0, out, 0, body.length + 2);
        for (int i = 0; i < 8; i++) {
            out[body.length + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A listpack: header (total bytes, count), the entries as given, the end byte. */
    private static byte[] listpack(int count, byte[]... entries) {
        byte[] body = concat(entries);
        int total = 6 + body.length + 1;
        return concat(bytes(total, total >>> 8, total >>> 16, total >>> 24, count, count >>> 8), body, bytes(0xFF));
    }

    /** An RDB string of {@code b}'s bytes with a 32-bit length (any length encoding loads). */
    private static byte[] rdbString(byte[] b) {
        return concat(bytes(0x80, b.length >>> 24, b.length >>> 16, b.length >>> 8, b.length), b);
    }

    /**
     * Payloads that declare what they do not hold: a string of 4 GB or 2^62 bytes, an LZF string of
     * 2^40 bytes from three, counts of 2^60 elements, a listpack claiming 4 GB or an entry of 2 GB,
     * an intset of a billion members; plus empty aggregates, repeated members, NaN scores, unknown
     * and unsupported types, and values that run into the footer (which Redis reads as data too).
     * The demo answers each at once, allocating nothing the header claims, as redis-server with
     * deep sanitization answers it.
     */
    @Test
    void hugeDeclaredLengthsAreRefusedAtOnceAsRedisRefusesThem() throws IOException {
        byte[] hugeHash = bytes(0x04, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 'f', 0x01, 'v');
        List<byte[]> bodies = List.of(
                bytes(0x00, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b'),
                bytes(0x00, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 'a'),
                bytes(0x00, 0xC3, 0x03, 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00, 'a', 'b'),
                bytes(0x00, 0xC3, 0x0A, 0x4F, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
                bytes(0x00, 0xC3, 0x02, 0x05, 0xE0, 0x05, 0x00),
                bytes(0x00, 0x7F, 0xFF, 'a'),
                bytes(0x00, 0xC4),
                bytes(0x01, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x01, 'a', 0x01, 'b'),
                bytes(0x02, 0x81, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x01, 'a'),
                hugeHash,
                bytes(0x05, 0x02, 0x01, 'a', 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x01, 'b', 0, 0),
                concat(bytes(0x0B), rdbString(bytes(8, 0, 0, 0, 0, 0, 0, 0x40, 1, 0, 0, 0, 0, 0, 0, 0))),
                concat(bytes(0x0B), rdbString(bytes(2, 0, 0, 0, 0, 0, 0, 0))),
                concat(bytes(0x0B), rdbString(bytes(2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0))),
                concat(bytes(0x10), rdbString(concat(bytes(0xFF, 0xFF, 0xFF, 0xFF, 2, 0), bytes(0x81, 'f', 2, 0x81, 'v', 2, 0xFF)))),
                concat(bytes(0x10), rdbString(listpack(2, bytes(0xF0, 0, 0, 0, 0x80, 'f')))),
                concat(bytes(0x10), rdbString(listpack(2, bytes(0x81, 'f', 2), bytes(0x81, 'v', 2)))),
                concat(bytes(0x10), rdbString(listpack(3, bytes(0x81, 'f', 2), bytes(0x81, 'v', 2)))),
                concat(bytes(0x10), rdbString(listpack(1, bytes(0x81, 'f', 2)))),
                concat(bytes(0x10), rdbString(listpack(4, bytes(0x81, 'f', 2), bytes(0x81, 'v', 2), bytes(0x81, 'f', 2), bytes(0x81, 'w', 2)))),
                concat(bytes(0x10), rdbString(listpack(2, bytes(0x81, 'f', 3), bytes(0x81, 'v', 2)))),
                concat(bytes(0x10), rdbString(listpack(2, bytes(0xF5, 'f', 2), bytes(0x81, 'v', 2)))),
                concat(bytes(0x10), rdbString(listpack(0))),
                concat(bytes(0x12, 0x81, 0, 0, 0, 1, 0, 0, 0, 0, 0x02), rdbString(listpack(1, bytes(0x81, 'e', 2)))),
                concat(bytes(0x12, 0x01, 0x03), rdbString(listpack(1, bytes(0x81, 'e', 2)))),
                concat(bytes(0x12, 0x01, 0x02), rdbString(listpack(0))),
                bytes(0x12, 0x00),
                bytes(0x01, 0x00), bytes(0x02, 0x00), bytes(0x04, 0x00), bytes(0x05, 0x00),
                bytes(0x02, 0x02, 0x01, 'a', 0x01, 'a'),
                bytes(0x04, 0x02, 0x01, 'a', 0x01, '1', 0x01, 'a', 0x01, '2'),
                bytes(0x05, 0x02, 0x01, 'a', 0, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0x01, 'b', 0, 0, 0, 0, 0, 0, 0, 0),
                bytes(0x03, 0x01, 0x01, 'a', 0xFD),
                bytes(0x03, 0x01, 0x01, 'a', 0x03, 'x', 'y', 'z'),
                bytes(0x03, 0x02, 0x01, 'a', 0x03, '1', '.', '5', 0x01, 'b', 0xFE),
                bytes(0xC8), bytes(0x06, 0x00), bytes(0x07, 0x00), bytes(0x0F, 0x00), bytes(0x13, 0x00),
                bytes());
        try (RespTestClient r = new RespTestClient(sanitizing.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary();
             RespTestClient info = new RespTestClient(demo.respPort())) {
            int i = 0;
            for (byte[] body : bodies) {
                String p = latin1(payload(body));
                String key = "crafted" + i++;
                // the shards' CPU time, not the wall clock, which a loaded machine stretches
                long started = CpuClock.shardMillis(info);
                Object ours = d.cmd("RESTORE", key, "0", p);
                long millis = CpuClock.shardMillis(info) - started;
                // A hash declaring 2^31-1 fields: redis-server 7.0.15 first allocates and zeroes a table for them (16 GB;
                // 55 s and 10 GB resident on this machine alone, past the client's timeout when loaded), then answers
                // this; it is not asked again. Ours refuses it before allocating anything.
                Object theirs = body == hugeHash ? new RespTestClient.Err("ERR Bad data format") : r.cmd("RESTORE", key, "0", p);
                assertThat(ours).as("payload %d (%s)", i - 1, hex(body)).isEqualTo(theirs);
                assertThat(millis).as("payload %d answered at once", i - 1).isLessThan(1000);
                if ("OK".equals(ours)) {
                    assertThat(contents(d, key)).as("payload %d", i - 1).isEqualTo(contents(r, key));
                }
            }
            // stricter than redis-server, which stores a NaN score it finds in a listpack (and then sorts by it)
            byte[] nanScore = concat(bytes(0x11), rdbString(listpack(2, bytes(0x81, 'm', 2), bytes(0x83, 'n', 'a', 'n', 4))));
            assertThat(d.cmd("RESTORE", "crafted-nan", "0", latin1(payload(nanScore)))).isEqualTo(new RespTestClient.Err("ERR Bad data format"));
            assertThat(d.cmd("PING")).isEqualTo("PONG");
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 24); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }

    private static final Set<Object> ACCEPTABLE = Set.of("OK", new RespTestClient.Err("ERR Bad data format"),
            new RespTestClient.Err("OOM command not allowed when used memory > 'maxmemory'."),
            new RespTestClient.Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));

    /**
     * Payloads of every fixture as redis-server and the demo write them, corrupted at random: bit
     * flips in the body with the checksum fixed up, truncations (version and checksum appended
     * again), and a length byte raised. Every one is answered with OK (a flip in a string's bytes
     * can leave a valid payload) or with ERR Bad data format (or the budget's and bulk length's
     * errors), never a closed connection or an internal error, and a loaded value reads back whole.
     */
    @Test
    void corruptPayloadsAnswerAnErrorAndLeaveTheConnectionUsable() throws IOException {
        List<byte[]> originals = new ArrayList<>();
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (Fixture fixture : fixtures()) {
                configure(r, fixture.config());
                build(r, fixture, "src");
                byte[] theirs = ((String) r.cmd("DUMP", "src")).getBytes(StandardCharsets.ISO_8859_1);
                if (theirs.length < 20_000) { // the larger ones only slow the rounds down
                    originals.add(theirs);
                    d.cmd("RESTORE", "fz:src", "0", latin1(theirs), "REPLACE");
                    originals.add(((String) d.cmd("DUMP", "fz:src")).getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            configure(r, DEFAULTS);
            SplittableRandom random = new SplittableRandom(11);
            int errors = 0;
            int loaded = 0;
            for (int round = 0; round < 3000; round++) {
                byte[] original = originals.get(random.nextInt(originals.size()));
                byte[] body = Arrays.copyOf(original, original.length - 10);
                switch (round % 3) {
                    case 0 -> {
                        int flips = 1 + random.nextInt(3);
                        for (int f = 0; f < flips; f++) {
                            int at = random.nextInt(body.length);
                            body[at] ^= (byte) (1 << random.nextInt(8));
                        }
                    }
                    case 1 -> body = Arrays.copyOf(body, random.nextInt(body.length));
                    default -> {
                        int at = random.nextInt(body.length);
                        body[at] = (byte) (0x80 | random.nextInt(2)); // a 32- or 64-bit length marker
                    }
                }
                try {
                    Object reply = d.cmd("RESTORE", "fz:key", "0", latin1(payload(body)), "REPLACE");
                    assertThat(reply).as("round %d (%s)", round, hex(body)).isIn(ACCEPTABLE);
                    if ("OK".equals(reply)) {
                        loaded++;
                        assertThat(contents(d, "fz:key")).isNotNull();
                        assertThat(d.cmd("DUMP", "fz:key")).isInstanceOf(String.class);
                    } else {
                        errors++;
                    }
                } catch (IOException e) {
                    throw new AssertionError("round " + round + ": " + java.util.HexFormat.of().formatHex(body), e);
                }
            }
            assertThat(d.cmd("PING")).isEqualTo("PONG");
            assertThat(errors).as("most corrupted payloads are refused").isGreaterThan(1500);
            assertThat(loaded).as("some flips leave valid payloads").isGreaterThan(0);
        }
    }

    @Test
    void aSmallPayloadCannotExpandPastTheBudgetOrTheBulkLength() throws Exception {
        byte[] big;
        try (RespTestClient r = new RespTestClient(redis.port()).binary()) {
            r.cmd("SET", "big", repeat("x", 3_000_000));
            big = ((String) r.cmd("DUMP", "big")).getBytes(StandardCharsets.ISO_8859_1);
            r.cmd("DEL", "big");
        }
        assertThat(big.length).as("LZF: 3 MB in a small payload").isLessThan(100_000);
        // 4 MB for two shards: 2 MB each, less than the string
        try (TestServices small = TestServices.start(2, DemoSettings.forTests()
                .withMemory(new MemorySettings(4L << 20, MaxmemoryPolicy.NOEVICTION, 5)));
             RespTestClient d = new RespTestClient(small.respPort()).binary()) {
            assertThat(d.cmd("RESTORE", "k", "0", latin1(big))).isEqualTo(new RespTestClient.Err("OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(d.cmd("EXISTS", "k")).isEqualTo(0L);
        }
        try (TestServices tight = TestServices.start(1, DemoSettings.forTests()
                .withConfig("proto-max-bulk-len", "1mb"));
             RespTestClient d = new RespTestClient(tight.respPort()).binary()) {
            assertThat(d.cmd("RESTORE", "k", "0", latin1(big))).isEqualTo(new RespTestClient.Err(RespReplies.STRING_TOO_LONG));
            assertThat(d.cmd("PING")).isEqualTo("PONG");
        }
    }

    /**
     * IDLETIME dates a key's last access back (with an LRU or no policy), FREQ sets its access
     * counter (with an LFU policy): the key RESTOREd as the least used is the one evicted first.
     */
    @Test
    void restoredIdletimeReadsBackAsAtLeastTheSecondsGiven() {
        // Redis's unit/dump: RESTORE ... IDLETIME 1000 then OBJECT IDLETIME within [1000, 1010]; the
        // access clock's 1.024 s units once rounded it down to 999
        ValueStore store = new ValueStore(new SplittableRandom(5));
        long now = System.currentTimeMillis();
        String payload = latin1(io.percore.demo.rdb.DumpWriter.dump(io.percore.demo.kv.ValueType.STRING, b("value")));
        for (long seconds : new long[] {1, 59, 1000, 86_400}) {
            assertThat(DumpCommands.restore(store, argsLatin1(List.of("RESTORE", "k" + seconds, "0", payload, "IDLETIME",
                    Long.toString(seconds))), now, 1 << 20)).isEqualTo(RespReplies.OK);
            assertThat(store.inspect(b("k" + seconds), now).idleMillis() / 1000).as("IDLETIME " + seconds)
                    .isBetween(seconds, seconds + 1);
        }
    }

    @Test
    void idletimeAndFreqSetTheEvictionRank() {
        for (MaxmemoryPolicy policy : List.of(MaxmemoryPolicy.ALLKEYS_LRU, MaxmemoryPolicy.ALLKEYS_LFU)) {
            ValueStore store = new ValueStore(new SplittableRandom(5));
            store.budget(new MemoryBudget(0, policy, 64));
            long now = System.currentTimeMillis();
            store.setString(b("tmp"), b("value"), ValueStore.NO_EXPIRY);
            String payload = latin1(io.percore.demo.rdb.DumpWriter.dump(io.percore.demo.kv.ValueType.STRING, b("value")));
            for (String key : List.of("a", "b", "c", "d", "e", "victim")) {
                boolean victim = key.equals("victim");
                String[] options = policy == MaxmemoryPolicy.ALLKEYS_LRU
                        ? c("IDLETIME", victim ? "100000" : "0") : c("FREQ", victim ? "1" : "200");
                List<String> argv = new ArrayList<>(List.of("RESTORE", key, "0", payload));
                argv.addAll(List.of(options));
                assertThat(DumpCommands.restore(store, argsLatin1(argv), now, 1 << 20)).isEqualTo(RespReplies.OK);
            }
            store.delete(b("tmp"), now);
            // the smallest budget that holds all six, less a byte: one eviction makes room
            long budget = store.memory().usedBytes();
            while (true) {
                store.budget(new MemoryBudget(budget, policy, 64));
                if (!store.memory().overBudget()) {
                    break;
                }
                budget++;
            }
            store.budget(new MemoryBudget(budget - 1, policy, 64));
            assertThat(store.makeRoom(now)).isTrue();
            assertThat(store.exists(b("victim"), now)).as(policy.toString()).isFalse();
            assertThat(store.size()).isEqualTo(5);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[][] argsLatin1(List<String> args) {
        byte[][] out = new byte[args.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = b(args.get(i));
        }
        return out;
    }
}
