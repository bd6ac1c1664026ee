package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: COPY (Redis's {@code db.c}) and OBJECT (its {@code object.c}), compared with a
 * redis-server 7.0.15 (16 databases, as the demo): replies and errors in RESP2 and RESP3, DB 0, another
 * database (issue 68: the copy is there, not in the selected one) and one that does not exist; COPY between shards keeping type
 * and TTL, deep (a change to either key does not reach the other); OBJECT's encodings for the
 * representations the demo chose, and FREQ/IDLETIME under the policies that track them.
 */
class CopyAndObjectTest {

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

    private static void sameReplies(String[][] commands) throws IOException {
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> {
            r.cmd("FLUSHALL");
            d.cmd("FLUSHALL");
            RealRedis.sameReplies(r, d, proto, commands, reply -> reply);
        });
    }

    @Test
    void copyIsRedises() throws IOException {
        sameReplies(new String[][] {
                c("SET", "a", "hello"), c("COPY", "a", "b"), c("GET", "b"), c("COPY", "a", "b"), c("COPY", "a", "b", "REPLACE"),
                c("COPY", "a", "a"), c("COPY", "a", "a", "REPLACE"), c("COPY", "a", "a", "DB", "0"), c("COPY", "nokey", "b"),
                c("COPY", "nokey", "b", "replace"), c("COPY", "nokey", "nokey"), c("COPY", "a", "b", "DB", "0", "REPLACE"),
                c("COPY", "a", "b", "db", "0", "db", "0", "replace"), c("COPY", "a", "b", "DB", "1"), c("COPY", "a", "b", "DB", "-1"),
                c("COPY", "a", "b", "DB", "16"), c("COPY", "a", "a", "DB", "1"), c("COPY", "a", "b", "DB", "x"), c("COPY", "a", "b", "DB"),
                c("COPY", "a", "b", "DB", "99999999999"), c("COPY", "a", "b", "DB", "-2147483649"), c("COPY", "a", "b", "DB", "2147483647"),
                c("COPY", "a", "b", "foo"), c("COPY", "a", "b", "REPLACE", "foo"), c("COPY", "a", "b", "DB", "x", "foo"), c("COPY", "a"),
                c("SELECT", "1"), c("GET", "b"), c("EXISTS", "a"), c("COPY", "b", "b", "DB", "0"), c("COPY", "b", "b", "DB", "1"),
                c("SELECT", "0"), c("COPY", "a", "b", "DB", "1"), c("COPY", "a", "b", "DB", "1", "REPLACE"),
                c("SELECT", "1"), c("GET", "b"), c("SELECT", "0"),
                c("SET", "e", "v", "EX", "100"), c("COPY", "e", "e2"), c("TTL", "e2"), c("COPY", "e", "a", "REPLACE"), c("TTL", "a"),
                c("SET", "p", "v"), c("COPY", "p", "a", "REPLACE"), c("TTL", "a"),
                c("RPUSH", "l", "1", "2", "3"), c("COPY", "l", "l2"), c("RPUSH", "l2", "4"), c("LRANGE", "l", "0", "-1"),
                c("LRANGE", "l2", "0", "-1"), c("TYPE", "l2"), c("HSET", "h", "a", "1", "b", "2"), c("COPY", "h", "h2"),
                c("HSET", "h2", "c", "3"), c("HDEL", "h", "a"), c("HGETALL", "h"), c("HGETALL", "h2"), c("SADD", "s", "x", "y"),
                c("COPY", "s", "s2"), c("SADD", "s2", "z"), c("SREM", "s", "x"), c("SCARD", "s"), c("SCARD", "s2"), c("SISMEMBER", "s2", "x"),
                c("COPY", "s", "l"), c("COPY", "s", "l", "REPLACE"), c("TYPE", "l"), c("SETBIT", "bm", "10", "1"), c("COPY", "bm", "bm2"),
                c("SETBIT", "bm2", "11", "1"), c("GET", "bm"), c("GET", "bm2"), c("APPEND", "a", "more"), c("COPY", "a", "c"),
                c("APPEND", "c", "xx"), c("SETRANGE", "a", "0", "J"), c("GET", "a"), c("GET", "c"),
                c("ZADD", "z", "1", "a", "2.5", "b"), c("COPY", "z", "z2"), c("ZADD", "z2", "3", "c"), c("ZREM", "z", "a"),
                c("ZRANGE", "z", "0", "-1", "WITHSCORES"), c("ZRANGE", "z2", "0", "-1", "WITHSCORES"), c("OBJECT", "ENCODING", "z2"),
                c("ZADD", "zbig", "1", "x".repeat(100)), c("COPY", "zbig", "zbig2"), c("OBJECT", "ENCODING", "zbig2"),
                c("ZADD", "zbig2", "2", "y"), c("ZCARD", "zbig"), c("ZCARD", "zbig2"), c("DBSIZE"),
        });
    }

    /** COPY between shards (and within one): every type, its TTL, REPLACE over another type, and copies that share nothing. */
    @Test
    void copyAcrossShardsKeepsTypeAndTtlAndSharesNothing() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int dstShard = 0; dstShard < 2; dstShard++) {
                String tag = "copy" + dstShard + ":";
                String str = demo.keyOn(0, tag + "str:");
                String bits = demo.keyOn(0, tag + "bits:");
                String list = demo.keyOn(0, tag + "list:");
                String hash = demo.keyOn(0, tag + "hash:");
                String set = demo.keyOn(0, tag + "set:");
                String zset = demo.keyOn(0, tag + "zset:");
                c.cmd("SET", str, "value", "PX", "100000");
                c.cmd("SETBIT", bits, "9", "1");
                c.cmd("RPUSH", list, "a", "b");
                c.cmd("HSET", hash, "f", "v");
                c.cmd("SADD", set, "m");
                c.cmd("EXPIRE", set, "500");
                c.cmd("ZADD", zset, "1", "a", "2", "b");
                for (String src : List.of(str, bits, list, hash, set, zset)) {
                    String dst = demo.keyOn(dstShard, src + ":dst:");
                    assertThat(c.cmd("COPY", src, dst)).as("COPY %s %s", src, dst).isEqualTo(1L);
                    assertThat(c.cmd("TYPE", dst)).isEqualTo(c.cmd("TYPE", src));
                    assertThat(c.cmd("OBJECT", "ENCODING", dst)).isEqualTo(c.cmd("OBJECT", "ENCODING", src));
                    long srcValue = (Long) c.cmd("MEMORY", "USAGE", src) - src.length();
                    long dstValue = (Long) c.cmd("MEMORY", "USAGE", dst) - dst.length();
                    // counted in the budget: at most the source's size (a copy has no spare room), key aside
                    assertThat(dstValue).as("MEMORY USAGE of the copy").isBetween(srcValue / 2, srcValue + 8);
                    assertThat(c.cmd("COPY", src, dst)).as("no REPLACE").isEqualTo(0L);
                    long srcTtl = (Long) c.cmd("PTTL", src);
                    long dstTtl = (Long) c.cmd("PTTL", dst);
                    assertThat(dstTtl <= srcTtl && dstTtl > srcTtl - 5_000 || srcTtl == -1 && dstTtl == -1).as("TTL %d / %d", srcTtl, dstTtl).isTrue();
                }
                // each side changes; the other stays
                c.cmd("APPEND", demo.keyOn(dstShard, str + ":dst:"), "!");
                c.cmd("SETBIT", bits, "0", "1");
                c.cmd("RPUSH", demo.keyOn(dstShard, list + ":dst:"), "c");
                c.cmd("HSET", hash, "g", "w");
                c.cmd("SREM", demo.keyOn(dstShard, set + ":dst:"), "m");
                assertThat(c.cmd("GET", str)).isEqualTo("value");
                assertThat(c.cmd("GET", demo.keyOn(dstShard, str + ":dst:"))).isEqualTo("value!");
                assertThat(c.cmd("GETBIT", demo.keyOn(dstShard, bits + ":dst:"), "0")).isEqualTo(0L);
                assertThat(c.cmd("LRANGE", list, "0", "-1")).isEqualTo(List.of("a", "b"));
                assertThat(c.cmd("HGETALL", demo.keyOn(dstShard, hash + ":dst:"))).isEqualTo(List.of("f", "v"));
                assertThat(c.cmd("SMEMBERS", set)).isEqualTo(List.of("m"));
                c.cmd("ZINCRBY", demo.keyOn(dstShard, zset + ":dst:"), "10", "a");
                assertThat(c.cmd("ZRANGE", zset, "0", "-1")).isEqualTo(List.of("a", "b"));
                assertThat(c.cmd("ZRANGE", demo.keyOn(dstShard, zset + ":dst:"), "0", "-1")).isEqualTo(List.of("b", "a"));
                assertThat(c.cmd("EXISTS", demo.keyOn(dstShard, set + ":dst:"))).as("emptied copy deleted").isEqualTo(0L);
                // REPLACE over a key of another type; the source need not change
                String other = demo.keyOn(dstShard, tag + "other:");
                c.cmd("SADD", other, "x");
                assertThat(c.cmd("COPY", list, other, "REPLACE")).isEqualTo(1L);
                assertThat(c.cmd("LRANGE", other, "0", "-1")).isEqualTo(List.of("a", "b"));
                assertThat(c.cmd("COPY", tag + "missing", other, "REPLACE")).isEqualTo(0L);
                assertThat(c.cmd("TYPE", other)).isEqualTo("list");
                assertThat(c.cmd("COPY", str, other, "DB", "16", "REPLACE")).isEqualTo(new Err("ERR DB index is out of range"));
                // into another database, across shards: there, with its TTL; the selected one keeps what it had
                assertThat(c.cmd("COPY", str, other, "DB", "1", "REPLACE")).isEqualTo(1L);
                assertThat(c.cmd("TYPE", other)).isEqualTo("list");
                assertThat(c.cmd("SELECT", "1")).isEqualTo("OK");
                assertThat(c.cmd("GET", other)).isEqualTo("value");
                assertThat(c.cmd("SELECT", "0")).isEqualTo("OK");
            }
        }
    }

    @Test
    void objectIsRedises() throws IOException {
        sameReplies(new String[][] {
                c("SET", "k1", "ohmytext"), c("OBJECT", "ENCODING", "k1"), c("OBJECT", "encoding", "nokey"), c("OBJECT", "FREQ", "nokey"),
                c("SET", "n", "123"), c("OBJECT", "ENCODING", "n"), c("SET", "n", "-123"), c("OBJECT", "ENCODING", "n"),
                c("SET", "n", "0123"), c("OBJECT", "ENCODING", "n"), c("SET", "n", "9223372036854775807"), c("OBJECT", "ENCODING", "n"),
                c("SET", "n", "9223372036854775808"), c("OBJECT", "ENCODING", "n"), c("SET", "n", "-9223372036854775808"),
                c("OBJECT", "ENCODING", "n"), c("SET", "n", "+1"), c("OBJECT", "ENCODING", "n"), c("SET", "n", "1.5"), c("OBJECT", "ENCODING", "n"),
                c("SET", "n", "x".repeat(44)), c("OBJECT", "ENCODING", "n"), c("SET", "n", "x".repeat(45)), c("OBJECT", "ENCODING", "n"),
                c("APPEND", "n", "x"), c("OBJECT", "ENCODING", "n"), c("SET", "n", ""), c("OBJECT", "ENCODING", "n"),
                c("APPEND", "n", ""), c("OBJECT", "ENCODING", "n"), c("SET", "m", "1"), c("APPEND", "m", ""), c("OBJECT", "ENCODING", "m"),
                c("SET", "m", "1"), c("SETRANGE", "m", "0", ""), c("OBJECT", "ENCODING", "m"), c("SETRANGE", "m", "0", "2"),
                c("OBJECT", "ENCODING", "m"), c("SETRANGE", "newr", "3", "x"), c("OBJECT", "ENCODING", "newr"), c("APPEND", "newa", "12"),
                c("OBJECT", "ENCODING", "newa"), c("APPEND", "newa", "3"), c("OBJECT", "ENCODING", "newa"), c("SETBIT", "sb", "1", "1"),
                c("OBJECT", "ENCODING", "sb"), c("BITFIELD", "bf", "SET", "u8", "0", "50"), c("OBJECT", "ENCODING", "bf"),
                c("BITOP", "OR", "bo", "k1"), c("OBJECT", "ENCODING", "bo"), c("INCR", "cnt"), c("OBJECT", "ENCODING", "cnt"),
                c("INCRBY", "cnt", "99999"), c("OBJECT", "ENCODING", "cnt"), c("INCRBYFLOAT", "fl", "1.5"), c("OBJECT", "ENCODING", "fl"),
                c("GETSET", "gs", "77"), c("OBJECT", "ENCODING", "gs"), c("MSET", "ms", "42", "ms2", "text"), c("OBJECT", "ENCODING", "ms"),
                c("OBJECT", "ENCODING", "ms2"), c("COPY", "sb", "sb2"), c("OBJECT", "ENCODING", "sb2"), c("COPY", "cnt", "cnt2"),
                c("OBJECT", "ENCODING", "cnt2"), c("RENAME", "sb2", "sb3"), c("OBJECT", "ENCODING", "sb3"), c("RPUSH", "l", "a"),
                c("OBJECT", "ENCODING", "l"), c("ZADD", "z", "1", "m"), c("OBJECT", "ENCODING", "z"), c("ZADD", "zs", "1", "x".repeat(65)),
                c("OBJECT", "ENCODING", "zs"), c("OBJECT", "REFCOUNT", "z"), c("SET", "small", "100"), c("OBJECT", "REFCOUNT", "small"), c("SET", "big", "10000"),
                c("OBJECT", "REFCOUNT", "big"), c("SET", "neg", "-1"), c("OBJECT", "REFCOUNT", "neg"), c("OBJECT", "REFCOUNT", "k1"),
                c("OBJECT", "REFCOUNT", "sb"), c("OBJECT", "REFCOUNT", "l"), c("OBJECT", "REFCOUNT", "nokey"),
                c("OBJECT", "FREQ", "k1"), c("OBJECT", "HELP"), c("OBJECT", "help"), c("OBJECT", "HELP", "x"),
                c("OBJECT"), c("OBJECT", "foo"), c("OBJECT", "foo", "bar"), c("OBJECT", "ENCODING"), c("OBJECT", "ENCODING", "a", "b"),
                c("OBJECT", "FREQ"), c("OBJECT", "IDLETIME"), c("OBJECT", "REFCOUNT"), c("OBJECT", "REFCOUNT", "a", "b"),
        });
    }

    /**
     * Hashes, sets and sorted sets have Redis's two representations each: OBJECT ENCODING names the
     * same one as redis-server for small values, for values past the thresholds, and after CONFIG SET
     * moves the thresholds.
     */
    @Test
    void encodingsOfAggregatesAreRedises() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            List<String[]> commands = new ArrayList<>(List.of(
                    c("DEL", "enc:h", "enc:hbig", "enc:s", "enc:t", "enc:sbig", "enc:z", "enc:zbig", "enc:l"),
                    c("HSET", "enc:h", "f", "v"), c("HSET", "enc:hbig", "f", "v".repeat(65)),
                    c("SADD", "enc:s", "1", "2"), c("SADD", "enc:t", "a"),
                    c("ZADD", "enc:z", "1", "a"), c("ZADD", "enc:zbig", "1", "m".repeat(65)), c("RPUSH", "enc:l", "a")));
            for (int i = 0; i < 600; i++) {
                commands.add(c("SADD", "enc:sbig", Integer.toString(i)));
            }
            for (String key : List.of("enc:h", "enc:hbig", "enc:s", "enc:t", "enc:sbig", "enc:z", "enc:zbig", "enc:l")) {
                commands.add(c("OBJECT", "ENCODING", key));
            }
            commands.add(c("CONFIG", "SET", "hash-max-listpack-entries", "1"));
            commands.add(c("HSET", "enc:h", "g", "w"));
            commands.add(c("OBJECT", "ENCODING", "enc:h"));
            commands.add(c("CONFIG", "SET", "hash-max-listpack-entries", "128"));
            commands.add(c("OBJECT", "REFCOUNT", "enc:h"));
            RealRedis.sameReplies(r, d, "2", commands.toArray(new String[0][]), reply -> reply);
        }
    }

    /** FREQ only with an LFU policy, IDLETIME only without; both answer as redis-server for a fresh key. */
    @Test
    void freqAndIdletimeFollowThePolicy() throws Exception {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            // the demo always has a maxmemory (half the heap by default); Redis shares small integers without one
            assertThat(r.cmd("CONFIG", "SET", "maxmemory", "1gb")).isEqualTo("OK");
            try {
                RealRedis.sameReplies(r, d, "2", new String[][] {
                        c("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), c("SET", "f", "v"), c("OBJECT", "FREQ", "f"),
                        c("GET", "f"), c("OBJECT", "FREQ", "f"), c("OBJECT", "IDLETIME", "f"), c("OBJECT", "FREQ", "nokey"),
                        c("SET", "small", "5"), c("OBJECT", "REFCOUNT", "small"),
                        c("CONFIG", "SET", "maxmemory-policy", "volatile-lru"), c("SET", "small", "5"), c("OBJECT", "REFCOUNT", "small"),
                        c("CONFIG", "SET", "maxmemory-policy", "noeviction"), c("SET", "i", "v"),
                        c("OBJECT", "FREQ", "i")}, reply -> reply);
                // a fresh key: 0 s idle, or 1 when a clock tick (Redis's 1 s, the demo's 1.024 s) fell in between
                assertThat((Long) r.cmd("OBJECT", "IDLETIME", "i")).isBetween(0L, 1L);
                assertThat((Long) d.cmd("OBJECT", "IDLETIME", "i")).isBetween(0L, 1L);
            } finally {
                r.cmd("CONFIG", "SET", "maxmemory", "0");
                r.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction");
                d.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction");
            }
            // OBJECT does not count as an access; GET does
            d.cmd("SET", "idle", "v");
            Thread.sleep(2_200);
            assertThat((Long) d.cmd("OBJECT", "IDLETIME", "idle")).isGreaterThanOrEqualTo(2L);
            assertThat((Long) d.cmd("OBJECT", "IDLETIME", "idle")).as("OBJECT did not touch it").isGreaterThanOrEqualTo(2L);
            d.cmd("GET", "idle");
            assertThat((Long) d.cmd("OBJECT", "IDLETIME", "idle")).as("GET touched it (a clock tick may fall in between)").isLessThanOrEqualTo(1L);
        }
    }
}
