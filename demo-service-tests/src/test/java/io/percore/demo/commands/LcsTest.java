package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: LCS (Redis's {@code t_string.c} lcsCommand) compared with redis-server 7.0.15: its
 * outputs (the string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN, a map in RESP3), its errors, keys
 * on two shards, random strings; and its bounds: a table over proto-max-bulk-len is refused as Redis
 * refuses it (before any work), and one larger than the shard's budget gets Redis's failed-allocation
 * error instead of taking the heap.
 */
class LcsTest {

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

    private static String[] c(String... args) {
        return args;
    }

    @Test
    void lcsOutputsAndErrorsAreRedises() throws IOException {
        String a = demo.keyOn(0, "lcs:a:");
        String b = demo.keyOn(1, "lcs:b:");
        String[][] commands = {
                c("SET", a, "ohmytext"), c("SET", b, "mynewtext"),
                c("LCS", a, b), c("LCS", a, b, "LEN"), c("LCS", a, b, "IDX"), c("LCS", a, b, "idx", "MINMATCHLEN", "4"),
                c("LCS", a, b, "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"), c("LCS", a, b, "WITHMATCHLEN", "IDX"),
                c("LCS", a, b, "IDX", "MINMATCHLEN", "-5", "WITHMATCHLEN"), c("LCS", a, b, "LEN", "WITHMATCHLEN"),
                c("LCS", a, b, "MINMATCHLEN", "3"), c("LCS", a, b, "LEN", "IDX"), c("LCS", a, b, "IDX", "LEN"), c("LCS", a, b, "foo"),
                c("LCS", a, b, "MINMATCHLEN"), c("LCS", a, b, "MINMATCHLEN", "x"), c("LCS", a, b, "MINMATCHLEN", "x", "LEN", "IDX"),
                c("LCS", a, b, "LEN", "IDX", "foo"), c("LCS", a, "lcs:none"), c("LCS", "lcs:none", "lcs:none2"),
                c("LCS", "lcs:none", "lcs:none2", "IDX"), c("LCS", "lcs:none", "lcs:none2", "LEN"), c("LCS", a),
                c("RPUSH", "lcs:list", "a"), c("LCS", a, "lcs:list"), c("LCS", "lcs:list", a, "foo"), c("LCS", "lcs:list", "lcs:none", "LEN", "IDX"),
                c("LCS", a, a), c("LCS", a, a, "IDX", "WITHMATCHLEN"),
                c("SET", "s1", "rapidly"), c("SET", "s2", "reputably"), c("LCS", "s1", "s2", "IDX", "WITHMATCHLEN"),
                c("SET", "abc", "abcabcabcabc"), c("SET", "cba", "cbacbacbacba"), c("LCS", "abc", "cba", "IDX", "WITHMATCHLEN"),
                c("LCS", "abc", "cba"), c("SETBIT", "bits", "100", "1"), c("APPEND", "bits", "ohmy"), c("LCS", "bits", a, "IDX"),
                c("SET", "e", ""), c("LCS", "e", a), c("LCS", "e", a, "IDX"), c("SET", "n", "12345"), c("LCS", "n", "n", "LEN"),
        };
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, reply -> reply));
    }

    @Test
    void randomStringsAsRedis() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String x = randomText(random, random.nextInt(0, 40), 1 + random.nextInt(4));
            String y = randomText(random, random.nextInt(0, 40), 1 + random.nextInt(4));
            commands.add(c("SET", "r:x", x));
            commands.add(c("SET", "r:y", y));
            commands.add(c("LCS", "r:x", "r:y"));
            commands.add(c("LCS", "r:x", "r:y", "IDX", "WITHMATCHLEN"));
            commands.add(c("LCS", "r:y", "r:x", "IDX", "MINMATCHLEN", Integer.toString(random.nextInt(4))));
        }
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands.toArray(String[][]::new), reply -> reply));
    }

    private static String randomText(SplittableRandom random, int length, int alphabet) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(alphabet)));
        }
        return s.toString();
    }

    /**
     * The largest input: a table just over 512 MB (two 11,586-byte strings) is refused at once, as by
     * redis-server; one just under a 1 MB proto-max-bulk-len is computed by both, one just over
     * refused by both; 3,000 × 3,000 (36 MB of table) answers as Redis does, in bounded time.
     */
    @Test
    void theTableIsBoundedAsRedisBoundsIt() throws Exception {
        String big = "x".repeat(11_586);
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> RealRedis.sameReplies(r, d, "2", new String[][] {
                    c("SET", "big:x", big), c("SET", "big:y", big), c("LCS", "big:x", "big:y", "LEN"), c("LCS", "big:x", "big:y"),
                    c("LCS", "big:x", "big:y", "IDX"), c("DEL", "big:x", "big:y")}, reply -> reply));
            assertThat(d.cmd("SET", "big:x", big)).isEqualTo("OK");
            assertThat(d.cmd("SET", "big:y", big)).isEqualTo("OK");
            assertThat(d.cmd("LCS", "big:x", "big:y", "LEN"))
                    .isEqualTo(new RespTestClient.Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));

            SplittableRandom random = new SplittableRandom(3);
            String x = randomText(random, 3_000, 4);
            String y = randomText(random, 3_000, 4);
            // bounded by the shards' CPU time, which a loaded machine does not stretch (the wall clock passed 10 s at
            // load 20); the preemptive timeout only guards against a hang
            long cpu = CpuClock.shardMillis(d);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> RealRedis.sameReplies(r, d, "2", new String[][] {
                    c("SET", "mid:x", x), c("SET", "mid:y", y), c("LCS", "mid:x", "mid:y", "LEN"), c("LCS", "mid:x", "mid:y"),
                    c("LCS", "mid:x", "mid:y", "IDX", "MINMATCHLEN", "5", "WITHMATCHLEN")}, reply -> reply));
            assertThat(CpuClock.shardMillis(d) - cpu).as("shard CPU ms for three LCS of 3,000 x 3,000").isLessThan(10_000);

            Object old = ((List<?>) r.cmd("CONFIG", "GET", "proto-max-bulk-len")).get(1);
            assertThat(r.cmd("CONFIG", "SET", "proto-max-bulk-len", "1048576")).isEqualTo("OK");
            try (TestServices small = TestServices.start(1, DemoSettings.forTests().withConfig("proto-max-bulk-len", "1mb"));
                 RespTestClient s = new RespTestClient(small.respPort())) {
                // (511 + 1)² × 4 = 1,048,576 bytes: at the limit; 512 characters: over it
                RealRedis.sameReplies(r, s, "2", new String[][] {
                        c("SET", "p:x", "ab".repeat(255) + "a"), c("SET", "p:y", "ba".repeat(255) + "b"), c("LCS", "p:x", "p:y", "LEN"),
                        c("APPEND", "p:x", "c"), c("LCS", "p:x", "p:y", "LEN"), c("LCS", "p:x", "p:y", "IDX")}, reply -> reply);
            } finally {
                r.cmd("CONFIG", "SET", "proto-max-bulk-len", String.valueOf(old));
            }
        }
    }

    /** A table the shard's memory budget could not hold is refused with Redis's failed-allocation error. */
    @Test
    void aTableLargerThanTheShardBudgetIsRefused() throws Exception {
        try (TestServices small = TestServices.start(1, DemoSettings.forTests().withMemory(new MemorySettings(1 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
             RespTestClient d = new RespTestClient(small.respPort())) {
            d.cmd("SET", "x", "a".repeat(600));
            d.cmd("SET", "y", "a".repeat(600));
            assertThat(d.cmd("LCS", "x", "y", "LEN"))
                    .isEqualTo(new RespTestClient.Err("ERR Insufficient memory, failed allocating transient memory for LCS"));
            d.cmd("SET", "y", "a".repeat(400));
            assertThat(d.cmd("LCS", "x", "y", "LEN")).as("(601 × 401 × 4 bytes fits 1 MB)").isEqualTo(400L);
        }
    }
}
