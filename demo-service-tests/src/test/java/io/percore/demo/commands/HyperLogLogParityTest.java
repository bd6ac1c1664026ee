package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 30: the HyperLogLog commands sent to a real redis-server 7.0.15 and to the demo (two shards,
 * the keys of PFCOUNT and PFMERGE on both), replies and errors compared in RESP2 and RESP3, and the
 * values themselves compared byte for byte (GET): the sparse opcodes, the promotion to dense, the
 * cached cardinality in the header. DUMP and RESTORE carry HLLs both ways; corrupt values (SET of
 * bogus {@code HYLL} strings, random bytes overwritten) are answered as Redis answers them.
 */
class HyperLogLogParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        String[][] placement = {{"h", "0"}, {"h1", "1"}, {"h2", "0"}, {"h3", "1"}, {"d", "0"}, {"d1", "1"}, {"str", "1"}, {"l", "0"},
                {"nokey", "0"}, {"nokey1", "1"}, {"bad", "1"}, {"bad0", "0"}};
        for (String[] p : placement) {
            KEYS.put(p[0], demo.keyOn(Integer.parseInt(p[1]), "hll:" + p[0] + ":"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private static String[] withKeys(String... command) {
        return Arrays.stream(command).map(a -> KEYS.getOrDefault(a, a)).toArray(String[]::new);
    }

    private static void sameReplies(String[][] commands) throws IOException {
        String[][] resolved = Arrays.stream(commands).map(HyperLogLogParityTest::withKeys).toArray(String[][]::new);
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> RealRedis.sameReplies(r, d, proto, resolved, x -> x));
    }

    private static String hll(int encoding, byte[] rest) {
        byte[] b = new byte[16 + rest.length];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = (byte) encoding;
        System.arraycopy(rest, 0, b, 16, rest.length);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void theKeysAreOnBothShards() {
        Set<Integer> shards = new HashSet<>();
        for (String k : List.of("h", "h1", "h2", "h3")) {
            shards.add(demo.service.keyspace().shardOf(KEYS.get(k).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(shards).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void commandsRepliesErrorsAndValuesAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "h", "h1", "h2", "h3", "d", "d1", "str", "l"},
                {"PFADD", "h"},
                {"GET", "h"},
                {"PFADD", "h"},
                {"PFCOUNT", "h"},
                {"GET", "h"},
                {"PFADD", "h", "a", "b", "c"},
                {"PFADD", "h", "a", "b", "c"},
                {"PFADD", "h", ""},
                {"GET", "h"},
                {"PFCOUNT", "h"},
                {"GET", "h"},
                {"PFCOUNT", "h"},
                {"PFADD", "h1", "b", "c", "d", "e"},
                {"PFADD", "h2", "x"},
                {"PFCOUNT", "h", "h1"},
                {"PFCOUNT", "h", "h1", "h2", "nokey", "nokey1"},
                {"PFCOUNT", "nokey", "nokey1"},
                {"PFCOUNT", "nokey"},
                {"GET", "h1"},
                {"PFMERGE", "d", "h", "h1", "h2"},
                {"GET", "d"},
                {"PFCOUNT", "d"},
                {"PFMERGE", "d"},
                {"GET", "d"},
                {"PFMERGE", "d1"},
                {"GET", "d1"},
                {"PFMERGE", "d1", "nokey"},
                {"PFMERGE", "d1", "d", "h1", "d1"},
                {"GET", "d1"},
                {"PFDEBUG", "ENCODING", "d1"},
                {"PFDEBUG", "DECODE", "d1"},
                {"PFDEBUG", "encoding", "nokey"},
                {"PFDEBUG", "nosuch", "nokey"},
                {"PFDEBUG", "nosuch", "d1"},
                {"PFDEBUG", "GETREG", "h2"},
                {"PFDEBUG", "ENCODING", "h2"},
                {"PFDEBUG", "DECODE", "h2"},
                {"GET", "h2"},
                {"PFDEBUG", "TODENSE", "h1"},
                {"PFDEBUG", "TODENSE", "h1"},
                {"GET", "h1"},
                {"PFADD", "h1", "f", "g"},
                {"GET", "h1"},
                {"PFMERGE", "h3", "h", "h1"},
                {"PFDEBUG", "ENCODING", "h3"},
                {"GET", "h3"},
                {"PFCOUNT", "h3", "h", "h1"},
                {"PFSELFTEST"},
                // types
                {"SET", "str", "x"},
                {"RPUSH", "l", "x"},
                {"PFADD", "str", "a"},
                {"PFADD", "l", "a"},
                {"PFCOUNT", "str"},
                {"PFCOUNT", "l"},
                {"PFCOUNT", "h", "str"},
                {"PFCOUNT", "h", "l", "str"},
                {"PFCOUNT", "h", "str", "l"},
                {"PFMERGE", "str", "h"},
                {"PFMERGE", "h", "str"},
                {"PFMERGE", "l", "str"},
                {"PFMERGE", "h", "l"},
                {"PFMERGE", "d", "h", "str", "l"},
                {"PFDEBUG", "ENCODING", "str"},
                {"PFDEBUG", "ENCODING", "l"},
                {"SET", "str", "123"},
                {"PFCOUNT", "str"},
                {"GETRANGE", "h", "15", "15"}});
    }

    @Test
    void corruptValuesAreAnsweredAsRedisAnswersThem() throws IOException {
        byte[] dense = new byte[12288];
        dense[5] = 7;
        String[] bogus = {
            hll(0, new byte[0]),                              // dense of the wrong length
            hll(0, new byte[12287]),
            hll(0, dense) + "x",
            hll(0, dense),                                    // a valid dense one
            hll(2, bytes(0x7f, 0xff)),                        // unknown encoding
            hll(1, new byte[0]),                              // sparse without opcodes
            hll(1, bytes(0x7f, 0xff, 0x00)),                  // one register too many
            hll(1, bytes(0x7f, 0xfe)),                        // one too few
            hll(1, bytes(0x7f, 0xff)),                        // valid, empty
            hll(1, bytes(0x7f, 0xfe, 0x80)),                  // valid: the last register at 1
            hll(1, bytes(0x7f, 0xfe, 0x83)),                  // a value run past the end
            hll(1, bytes(0x7f, 0xff, 0xfc)),
            hll(1, bytes(0x40)),                              // an XZERO cut short
            hll(1, bytes(0x80, 0x40, 0x00, 0x40, 0x00, 0x7f, 0xfc)),  // XZERO runs of one
            "HYL",
            "HYLX" + "\u0001" + "\u0000".repeat(13),
            hll(1, bytes(0x7f, 0xff)) + "hello",              // Redis's "additional at tail"
        };
        List<String[]> c = new ArrayList<>();
        for (String b : bogus) {
            c.add(new String[] {"SET", "bad", b});
            c.add(new String[] {"PFCOUNT", "bad"});
            c.add(new String[] {"GET", "bad"});
            c.add(new String[] {"PFADD", "bad", "a", "b", "c", "d", "e", "f"});
            c.add(new String[] {"GET", "bad"});
            c.add(new String[] {"PFCOUNT", "bad", "nokey"});
            c.add(new String[] {"PFMERGE", "bad0", "bad"});
            c.add(new String[] {"GET", "bad0"});
            c.add(new String[] {"PFMERGE", "bad", "bad0"});
            c.add(new String[] {"PFDEBUG", "ENCODING", "bad"});
            c.add(new String[] {"PFDEBUG", "DECODE", "bad"});
            c.add(new String[] {"PFDEBUG", "TODENSE", "bad"});
            c.add(new String[] {"GET", "bad"});
            c.add(new String[] {"DEL", "bad0"});
        }
        sameReplies(c.toArray(new String[0][]));
    }

    /**
     * A corrupt sparse value ending in half an XZERO (its second byte would be past the end): one PFADD
     * splits that opcode twice. The first split's opcodes run past the value's new end, and redis-server
     * reads the last of them as the second byte of the half XZERO it left (hllSparseSet copies the
     * opcodes after sdsIncrLen put the NUL there), so the second split's run comes from that byte, not
     * from a NUL (found by the flaky report fr60, seed 71744484697093 of the random test below).
     */
    @Test
    void aPfaddSplittingATrailingHalfXzeroTwiceReadsWhatItsFirstSplitLeftPastTheEnd() throws IOException {
        String key = KEYS.get("bad");
        String sparse = hll(1, bytes(0x45, 0xff, 0x84, 0x60, 0x23, 0x80, 0x46, 0x76, 0x88, 0x26, 0x61));
        String value = sparse.substring(0, 15) + (char) 0x80 + sparse.substring(16); // the cached cardinality stale
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            same(r, d, 0, "SET", key, value);
            same(r, d, 0, "PFADD", key, "x931289558", "y90921050", "z1501063298");
            same(r, d, 0, "GET", key);
            String after = (String) d.cmd("GET", key);
            assertThat(after.charAt(after.length() - 1)).as("the half XZERO the PFADD leaves last").isEqualTo((char) 0x4e);
            same(r, d, 0, "DEL", key);
        }
    }

    @Test
    void randomAddsMergesAndCorruptionsAreRedises() throws IOException {
        long seed = Long.getLong("hll.seed", System.nanoTime()); // -Dhll.seed=N replays a run
        System.out.println("HyperLogLogParityTest seed " + seed);
        fuzz(seed);
    }

    /**
     * A seed CI's run drew (2026-12-01): a corrupt value ending in an XZERO's first byte, split into XZERO-VAL-XZERO by a
     * PFADD, wrote one byte past the room Redis makes for a well-formed one, and the demo closed the client's connection
     * on an ArrayIndexOutOfBoundsException where redis-server answers.
     */
    @Test
    void theSeedThatSplitAHalfXzeroPastItsRoomIsRedises() throws IOException {
        fuzz(90771895753189L);
    }

    private void fuzz(long seed) throws IOException {
        Random random = new Random(seed);
        List<String> keys = List.of("h", "h1", "h2", "h3");
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (String sparseMax : new String[] {"3000", "30", "12000"}) {
                String[] config = {"CONFIG", "SET", "hll-sparse-max-bytes", sparseMax};
                assertThat(d.cmd(config)).isEqualTo(r.cmd(config));
                for (String k : keys) {
                    same(r, d, seed, "DEL", KEYS.get(k));
                }
                for (int step = 0; step < 400; step++) {
                    String key = KEYS.get(keys.get(random.nextInt(keys.size())));
                    switch (random.nextInt(10)) {
                        case 0 -> {
                            List<String> merge = new ArrayList<>(List.of("PFMERGE", key));
                            for (int i = random.nextInt(4); i > 0; i--) {
                                merge.add(KEYS.get(keys.get(random.nextInt(keys.size()))));
                            }
                            same(r, d, seed, merge.toArray(new String[0]));
                        }
                        case 1 -> same(r, d, seed, "PFCOUNT", key, KEYS.get(keys.get(random.nextInt(keys.size()))));
                        case 2 -> same(r, d, seed, "PFDEBUG", random.nextBoolean() ? "TODENSE" : "ENCODING", key);
                        default -> {
                            int n = random.nextInt(random.nextInt(5) == 0 ? 3000 : 30);
                            List<String> add = new ArrayList<>(List.of("PFADD", key));
                            for (int i = 0; i < n; i++) {
                                add.add(Long.toString(random.nextLong() % (1 + random.nextInt(100_000))));
                            }
                            same(r, d, seed, add.toArray(new String[0]));
                        }
                    }
                    same(r, d, seed, "PFCOUNT", key);
                    same(r, d, seed, "GET", key);
                }
            }
            // Redis's fuzz: random bytes overwritten, then every command on the damaged value
            for (int round = 0; round < 300; round++) {
                String key = KEYS.get("bad");
                same(r, d, seed, "DEL", key);
                List<String> add = new ArrayList<>(List.of("PFADD", key));
                for (int i = random.nextInt(random.nextBoolean() ? 3000 : 200); i > 0; i--) {
                    add.add(Double.toString(random.nextDouble()));
                }
                same(r, d, seed, add.toArray(new String[0]));
                long length = (Long) r.cmd("STRLEN", key);
                for (int i = 0; i < 5; i++) {
                    same(r, d, seed, "SETRANGE", key, Long.toString(random.nextInt((int) length)),
                            new String(new byte[] {(byte) random.nextInt(256)}, StandardCharsets.ISO_8859_1));
                    if (random.nextBoolean()) {
                        break;
                    }
                }
                same(r, d, seed, "PFCOUNT", key);
                boolean endsInHalfAnXzero = endsInHalfAnXzero((String) r.cmd("GET", key));
                same(r, d, seed, "PFADD", key, "x" + random.nextInt(), "y" + random.nextInt(), "z" + random.nextInt());
                same(r, d, seed, "GET", key);
                if (endsInHalfAnXzero) {
                    // Redis reads a byte past the value here (an XZERO's second): the string's NUL, or, once PFADD
                    // set a register in that half opcode, the new opcodes' last byte, which hllSparseSet copies past
                    // the new end. The demo follows that within the PFADD (the GET above), not in later commands,
                    // whose value it stores without what lay past its end: what follows is not compared.
                    continue;
                }
                same(r, d, seed, "PFMERGE", KEYS.get("bad0"), key);
                same(r, d, seed, "GET", KEYS.get("bad0"));
                same(r, d, seed, "PFCOUNT", KEYS.get("bad0"), key);
                same(r, d, seed, "PFDEBUG", "DECODE", key);
            }
            String[] config = {"CONFIG", "SET", "hll-sparse-max-bytes", "3000"};
            assertThat(d.cmd(config)).isEqualTo(r.cmd(config));
        }
    }

    /** A sparse HLL (as ISO-8859-1) whose last opcode is the first byte of a two-byte XZERO. */
    private static boolean endsInHalfAnXzero(String value) {
        if (value == null || value.length() <= 16 || value.charAt(4) != 1) {
            return false;
        }
        int p = 16;
        while (p < value.length()) {
            if ((value.charAt(p) & 0xc0) == 0x40) {
                if (p + 1 == value.length()) {
                    return true;
                }
                p += 2;
            } else {
                p++;
            }
        }
        return false;
    }

    private static void same(RespTestClient r, RespTestClient d, long seed, String... command) throws IOException {
        Object theirs = r.cmd(command);
        Object ours = d.cmd(command);
        assertThat(ours).as("seed " + seed + ": " + String.join(" ", command).substring(0, Math.min(200, String.join(" ", command).length())))
                .isEqualTo(theirs);
    }

    @Test
    void dumpAndRestoreCarryHllsBothWays() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (int elements : new int[] {0, 3, 200, 1500, 50_000}) {
                for (RespTestClient[] fromTo : new RespTestClient[][] {{r, d}, {d, r}}) {
                    RespTestClient from = fromTo[0];
                    RespTestClient to = fromTo[1];
                    String key = KEYS.get("h");
                    String copy = KEYS.get("h1");
                    from.cmd("DEL", key);
                    to.cmd("DEL", copy);
                    for (int i = 0; i < elements; i += 1000) {
                        List<String> add = new ArrayList<>(List.of("PFADD", key));
                        for (int j = i; j < Math.min(elements, i + 1000); j++) {
                            add.add("element:" + j);
                        }
                        from.cmd(add.toArray(new String[0]));
                    }
                    if (elements == 0) {
                        from.cmd("PFADD", key);
                    }
                    Object count = from.cmd("PFCOUNT", key);
                    Object payload = from.cmd("DUMP", key);
                    assertThat(to.cmd("RESTORE", copy, "0", (String) payload)).isEqualTo("OK");
                    assertThat(to.cmd("GET", copy)).as(elements + " elements").isEqualTo(from.cmd("GET", key));
                    assertThat(to.cmd("PFCOUNT", copy)).as(elements + " elements").isEqualTo(count);
                    assertThat(to.cmd("PFDEBUG", "ENCODING", copy)).isEqualTo(from.cmd("PFDEBUG", "ENCODING", key));
                    assertThat(to.cmd("PFADD", copy, "one more")).isEqualTo(from.cmd("PFADD", key, "one more"));
                    assertThat(to.cmd("GET", copy)).isEqualTo(from.cmd("GET", key));
                }
            }
        }
    }

    /** What redis-server SAVEs loads into the demo with the same HLL bytes and counts, and what the demo SAVEs into redis-server. */
    @Test
    void rdbFilesCarryHllsBothWays(@TempDir Path dir) throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Map<String, Object> values = new LinkedHashMap<>();
        try (RealRedis saving = RealRedis.start("--dir", redisDir.toString(), "--dbfilename", "dump.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(saving.port()).binary()) {
            for (int n : new int[] {0, 10, 500, 20_000}) {
                List<String> add = new ArrayList<>(List.of("PFADD", "hll:" + n));
                for (int i = 0; i < n; i++) {
                    add.add("element:" + i);
                }
                c.cmd(add.toArray(new String[0]));
                if (n % 20 == 0) {
                    c.cmd("PFCOUNT", "hll:" + n); // a cached cardinality in some headers, a stale one in others
                }
                values.put("hll:" + n, c.cmd("GET", "hll:" + n));
            }
            c.cmd("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        Files.copy(redisDir.resolve("dump.rdb"), ours.resolve("dump.rdb"));
        try (TestServices loaded = TestServices.start(2, DemoSettings.forTests().withPersistence(
                io.percore.demo.persistence.PersistenceSettings.in(ours)));
             RespTestClient c = new RespTestClient(loaded.respPort()).binary()) {
            for (Map.Entry<String, Object> e : values.entrySet()) {
                assertThat(c.cmd("GET", e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(c.cmd("GEODIST", "geo", "Palermo", "Catania")).isEqualTo("166274.1516");
            c.cmd("PFADD", "hll:500", "one more");
            c.cmd("PFCOUNT", "hll:500");
            values.put("hll:500", c.cmd("GET", "hll:500"));
            values.put("count", c.cmd("PFCOUNT", "hll:0", "hll:10", "hll:500", "hll:20000"));
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        try (RealRedis loading = RealRedis.start("--dir", ours.toString(), "--dbfilename", "dump.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(loading.port()).binary()) {
            for (Map.Entry<String, Object> e : values.entrySet()) {
                if (e.getKey().startsWith("hll:")) {
                    assertThat(c.cmd("GET", e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
            assertThat(c.cmd("PFCOUNT", "hll:0", "hll:10", "hll:500", "hll:20000")).isEqualTo(values.get("count"));
            assertThat(c.cmd("PFDEBUG", "ENCODING", "hll:20000")).isEqualTo("dense");
        }
    }

    @Test
    void hllSparseMaxBytesIsRedises() throws IOException {
        sameReplies(new String[][] {
                {"CONFIG", "GET", "hll-sparse-max-bytes"},
                {"CONFIG", "GET", "hll*"},
                {"CONFIG", "SET", "hll-sparse-max-bytes", "3kb"},
                {"CONFIG", "GET", "hll-sparse-max-bytes"},
                {"CONFIG", "SET", "hll-sparse-max-bytes", "-1"},
                {"CONFIG", "SET", "hll-sparse-max-bytes", "abc"},
                {"CONFIG", "SET", "hll-sparse-max-bytes", "0"},
                {"DEL", "h"},
                {"PFADD", "h", "a"},
                {"PFDEBUG", "ENCODING", "h"},
                {"CONFIG", "SET", "hll-sparse-max-bytes", "3000"},
                {"CONFIG", "GET", "hll-sparse-max-bytes"}});
    }
}
