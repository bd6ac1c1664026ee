package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the sorted-set commands sent to a real redis-server 7.0.15 and to the demo, every reply
 * and error compared, in RESP2 and RESP3, with small (listpack) and large (skiplist) sets alike. The
 * demo runs two shards and the keys of the multi-key commands are spread over both, so ZUNIONSTORE
 * and its relatives, ZRANGESTORE and ZMPOP are compared across shards.
 */
class ZSetParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    /** Key names in the command lists, each replaced by a key on a chosen shard of the demo. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        String[][] placement = {{"z", "0"}, {"z1", "0"}, {"z2", "1"}, {"z3", "0"}, {"s1", "1"}, {"str", "1"}, {"dst", "1"},
                {"dst0", "0"}, {"l", "1"}, {"nokey", "0"}, {"nokey1", "1"}, {"inf1", "0"}, {"inf2", "1"}, {"fl", "1"}, {"nz", "1"}};
        for (String[] p : placement) {
            KEYS.put(p[0], demo.keyOn(Integer.parseInt(p[1]), "zp:" + p[0] + ":"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private static String[][] withKeys(String[][] commands) {
        String[][] out = new String[commands.length][];
        for (int i = 0; i < commands.length; i++) {
            out[i] = Arrays.stream(commands[i]).map(a -> KEYS.getOrDefault(a, a)).toArray(String[]::new);
        }
        return out;
    }

    /** The commands on both servers, in RESP2 then RESP3, with compact sets (Redis's default limits) and with skip lists only. */
    private static void sameReplies(String[][] commands) throws IOException {
        String[][] resolved = withKeys(commands);
        for (String entries : new String[] {"128", "0"}) {
            try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
                assertThat(d.cmd("CONFIG", "SET", "zset-max-ziplist-entries", entries)).isEqualTo(r.cmd("CONFIG", "SET", "zset-max-ziplist-entries", entries));
            }
            redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto + " entries " + entries, resolved,
                    ZSetParityTest::unorderedScan));
        }
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            r.cmd("CONFIG", "SET", "zset-max-ziplist-entries", "128");
            d.cmd("CONFIG", "SET", "zset-max-ziplist-entries", "128");
        }
    }

    /** A ZSCAN reply's pairs sorted: a large Redis set scans in hash order. Anything else as it is. */
    private static Object unorderedScan(Object reply) {
        if (reply instanceof List<?> list && list.size() == 2 && "0".equals(list.get(0)) && list.get(1) instanceof List<?> items
                && items.size() % 2 == 0 && items.stream().allMatch(x -> x instanceof String)) {
            List<List<?>> pairs = new ArrayList<>();
            for (int i = 0; i < items.size(); i += 2) {
                pairs.add(List.of(items.get(i), items.get(i + 1)));
            }
            pairs.sort(Comparator.comparing(p -> (String) p.get(0)));
            return List.of("0", pairs);
        }
        return reply;
    }

    @Test
    void theKeysOfTheMultiKeyCommandsAreOnBothShards() {
        Set<Integer> shards = new HashSet<>();
        for (String k : List.of("z1", "z2", "z3", "s1", "dst")) {
            shards.add(demo.service.keyspace().shardOf(KEYS.get(k).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(shards).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void zaddZincrbyAndScoresAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "z", "str", "nz"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c"},
                {"ZADD", "z", "NX", "5", "a", "6", "d"},
                {"ZADD", "z", "XX", "CH", "10", "a", "20", "zz"},
                {"ZADD", "z", "GT", "CH", "1", "a", "100", "b"},
                {"ZADD", "z", "LT", "CH", "1", "a", "100", "c"},
                {"ZADD", "z", "XX", "GT", "200", "b", "1", "new"},
                {"ZADD", "z", "INCR", "5", "a"},
                {"ZADD", "z", "INCR", "5", "a", "6", "b"},
                {"ZADD", "z", "NX", "XX", "1", "a"},
                {"ZADD", "z", "GT", "LT", "1", "a"},
                {"ZADD", "z", "GT", "NX", "1", "a"},
                {"ZADD", "z", "LT", "NX", "1", "a"},
                {"ZADD", "z", "1"},
                {"ZADD", "z", "NX"},
                {"ZADD", "z", "abc", "a"},
                {"ZADD", "z", "1", "a", "x", "b"},
                {"ZADD", "z", "nan", "a"},
                {"ZADD", "z", "inf", "a"},
                {"ZADD", "z", "-inf", "a"},
                {"ZADD", "z", "+inf", "b"},
                {"ZADD", "z", "INCR", "-inf", "b"},
                {"ZINCRBY", "z", "+inf", "a"},
                {"ZADD", "z", "1e400", "a"},
                {"ZADD", "z", "1e-400", "a"},
                {"ZADD", "z", "1e-310", "denormal"},
                {"ZADD", "z", "0x10", "hex"},
                {"ZADD", "z", "0x1p-2", "hexp"},
                {"ZADD", "z", " 1", "sp"},
                {"ZADD", "z", "1 ", "sp"},
                {"ZADD", "z", "", "sp"},
                {"ZADD", "z", "1.", "dot"},
                {"ZADD", "z", ".5", "dot2"},
                {"ZADD", "z", "Infinity", "infinity"},
                {"ZADD", "z", "1e", "e"},
                {"ZADD", "z", "0.1", "tenth", "1e17", "big", "-0", "negzero", "1.5e-5", "small", "123456789.123", "mid",
                        "-2.5e-300", "tiny", "4611686018427387904", "ll2", "9007199254740993", "odd"},
                {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
                {"ZSCORE", "z", "negzero"},
                {"ZSCORE", "z", "hex"},
                {"ZSCORE", "z", "nosuch"},
                {"ZSCORE", "nokey", "a"},
                {"ZINCRBY", "z", "1", "a"},
                {"ZINCRBY", "z", "abc", "a"},
                {"ZINCRBY", "z", "0.1", "newm"},
                {"ZINCRBY", "z", "0.2", "newm"},
                {"ZINCRBY", "z", "nx", "a"},
                {"ZADD", "z", "XX", "INCR", "1", "nomember"},
                {"ZADD", "z", "LT", "INCR", "1", "a"},
                {"ZADD", "z", "GT", "INCR", "1", "a"},
                {"ZADD", "z", "GT", "INCR", "-1", "a"},
                {"ZADD", "nz", "XX", "1", "a"},
                {"ZADD", "nz", "XX", "INCR", "1", "a"},
                {"EXISTS", "nz"},
                {"ZCARD", "z"},
                {"ZCARD", "nokey"},
                {"ZMSCORE", "z", "a", "nomember", "b"},
                {"ZMSCORE", "nokey", "a", "b"},
                {"ZRANK", "z", "a"},
                {"ZRANK", "z", "nomember"},
                {"ZREVRANK", "z", "a"},
                {"ZRANK", "nokey", "a"},
                {"ZREVRANK", "nokey", "a"},
                {"ZCOUNT", "z", "-inf", "+inf"},
                {"ZCOUNT", "z", "(1", "3"},
                {"ZCOUNT", "z", "1", "(3"},
                {"ZCOUNT", "z", "(0", "(0"},
                {"ZCOUNT", "z", "a", "b"},
                {"ZCOUNT", "z", "", ""},
                {"ZCOUNT", "z", "(", "("},
                {"ZCOUNT", "z", " 1", "5"},
                {"ZCOUNT", "z", "0x1", "10"},
                {"ZCOUNT", "z", "nan", "10"},
                {"ZCOUNT", "z", "1e999", "-1e999"},
                {"ZCOUNT", "z", "-1e999", "1e999"},
                {"ZCOUNT", "z", "5", "1"},
                {"ZCOUNT", "nokey", "1", "2"},
                {"ZCOUNT", "nokey", "x", "2"},
                {"SET", "str", "x"},
                {"ZADD", "str", "1", "a"},
                {"ZADD", "str", "abc", "a"},
                {"ZINCRBY", "str", "1", "a"},
                {"ZSCORE", "str", "a"},
                {"ZMSCORE", "str", "a"},
                {"ZCARD", "str"},
                {"ZRANK", "str", "a"},
                {"ZRANGE", "str", "0", "-1"},
                {"ZCOUNT", "str", "1", "2"},
                {"ZCOUNT", "str", "a", "b"},
                {"ZLEXCOUNT", "str", "-", "+"},
                {"ZREM", "str", "a"},
                {"TYPE", "z"},
                {"ZREM", "z", "a", "nomember", "b"},
                {"ZREM", "nokey", "a"},
                {"ZADD", "nz", "1", "only"},
                {"ZREM", "nz", "only", "other"},
                {"EXISTS", "nz"}});
    }

    @Test
    void rangesAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "z", "l", "str"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"},
                {"ZRANGE", "z", "0", "-1"},
                {"ZRANGE", "z", "2", "1"},
                {"ZRANGE", "z", "-2", "-1", "WITHSCORES"},
                {"ZRANGE", "z", "-100", "100"},
                {"ZRANGE", "z", "6", "100"},
                {"ZRANGE", "z", "0", "-1", "REV"},
                {"ZRANGE", "z", "0", "1", "REV", "WITHSCORES"},
                {"ZRANGE", "z", "1", "3", "WITHSCORES", "REV"},
                {"ZRANGE", "z", "0", "1", "REV", "REV"},
                {"ZRANGE", "z", "a", "b"},
                {"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"},
                {"ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"},
                {"ZRANGE", "z", "0", "1", "LIMIT", "0"},
                {"ZRANGE", "z", "0", "1", "FOO"},
                {"ZRANGE", "z", "(1", "5", "BYSCORE"},
                {"ZRANGE", "z", "1", "(5", "BYSCORE", "WITHSCORES"},
                {"ZRANGE", "z", "5", "1", "BYSCORE", "REV"},
                {"ZRANGE", "z", "(5", "(1", "BYSCORE", "REV", "WITHSCORES"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "10", "2"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "5", "2"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "0"},
                {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "9223372036854775807", "9223372036854775807"},
                {"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"},
                {"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES"},
                {"ZRANGE", "z", "x", "y", "BYSCORE"},
                {"ZRANGE", "z", "1", "2", "BYSCORE", "BYLEX"},
                {"ZRANGE", "z", "1", "2", "BYSCORE", "LIMIT", "a", "b"},
                {"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"},
                {"ZRANGE", "z", "1", "2", "BYLEX"},
                {"ZRANGE", "nokey", "0", "-1"},
                {"ZRANGE", "nokey", "1", "2", "BYSCORE"},
                {"ZRANGE", "nokey", "x", "y", "BYSCORE"},
                {"ZREVRANGE", "z", "0", "2"},
                {"ZREVRANGE", "z", "0", "2", "WITHSCORES"},
                {"ZREVRANGE", "z", "-2", "-1"},
                {"ZREVRANGE", "z", "0", "2", "REV"},
                {"ZREVRANGE", "z", "0", "2", "BYSCORE"},
                {"ZRANGEBYSCORE", "z", "2", "4"},
                {"ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "1"},
                {"ZRANGEBYSCORE", "z", "(2", "(4"},
                {"ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"},
                {"ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "1"},
                {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "0"},
                {"ZREVRANGEBYSCORE", "z", "4", "2"},
                {"ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES", "LIMIT", "0", "2"},
                {"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "4", "10"},
                {"ZREVRANGEBYSCORE", "z", "2", "4"},
                {"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g", "0", "", "0", "aa", "0", "\u00ff"},
                {"ZRANGEBYLEX", "l", "-", "+"},
                {"ZRANGEBYLEX", "l", "[b", "(e"},
                {"ZRANGEBYLEX", "l", "(b", "[e"},
                {"ZRANGEBYLEX", "l", "[b", "[b"},
                {"ZRANGEBYLEX", "l", "(b", "(b"},
                {"ZRANGEBYLEX", "l", "[e", "[b"},
                {"ZRANGEBYLEX", "l", "[", "(a"},
                {"ZRANGEBYLEX", "l", "(", "+"},
                {"ZRANGEBYLEX", "l", "-", "[c", "LIMIT", "1", "5"},
                {"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "2"},
                {"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "-2", "2"},
                {"ZRANGEBYLEX", "l", "+", "-"},
                {"ZRANGEBYLEX", "l", "-", "-"},
                {"ZRANGEBYLEX", "l", "+", "+"},
                {"ZRANGEBYLEX", "l", "b", "c"},
                {"ZRANGEBYLEX", "l", "", "c"},
                {"ZRANGEBYLEX", "l", "-a", "+"},
                {"ZRANGEBYLEX", "l", "-", "+a"},
                {"ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"},
                {"ZRANGEBYLEX", "nokey", "x", "y"},
                {"ZREVRANGEBYLEX", "l", "+", "-"},
                {"ZREVRANGEBYLEX", "l", "(e", "[b"},
                {"ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "3"},
                {"ZRANGE", "l", "[b", "[d", "BYLEX", "REV"},
                {"ZRANGE", "l", "[d", "[b", "BYLEX", "REV"},
                {"ZRANGE", "l", "[d", "[b", "BYLEX", "REV", "LIMIT", "1", "1"},
                {"ZLEXCOUNT", "l", "-", "+"},
                {"ZLEXCOUNT", "l", "[b", "(e"},
                {"ZLEXCOUNT", "l", "(e", "[b"},
                {"ZLEXCOUNT", "l", "b", "e"},
                {"ZLEXCOUNT", "nokey", "-", "+"},
                {"ZREMRANGEBYLEX", "l", "[b", "(d"},
                {"ZRANGE", "l", "0", "-1"},
                {"ZREMRANGEBYLEX", "l", "x", "y"},
                {"ZREMRANGEBYLEX", "nokey", "-", "+"},
                {"ZREMRANGEBYRANK", "z", "1", "2"},
                {"ZRANGE", "z", "0", "-1"},
                {"ZREMRANGEBYRANK", "z", "-1", "-1"},
                {"ZREMRANGEBYRANK", "z", "5", "10"},
                {"ZREMRANGEBYRANK", "z", "2", "1"},
                {"ZREMRANGEBYRANK", "z", "a", "1"},
                {"ZREMRANGEBYRANK", "nokey", "0", "-1"},
                {"ZREMRANGEBYSCORE", "z", "(1", "4"},
                {"ZREMRANGEBYSCORE", "z", "x", "4"},
                {"ZREMRANGEBYSCORE", "nokey", "x", "4"},
                {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
                {"ZREMRANGEBYRANK", "z", "0", "-1"},
                {"EXISTS", "z"},
                {"ZREMRANGEBYLEX", "l", "-", "+"},
                {"EXISTS", "l"},
                {"SET", "str", "v"},
                {"ZRANGEBYSCORE", "str", "0", "1"},
                {"ZRANGEBYLEX", "str", "-", "+"},
                {"ZREMRANGEBYRANK", "str", "0", "1"},
                {"ZREMRANGEBYSCORE", "str", "0", "1"},
                {"ZREMRANGEBYLEX", "str", "-", "+"}});
    }

    @Test
    void popsRandomMembersAndScansAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "z", "z2", "str", "nokey1"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
                {"ZPOPMIN", "z"},
                {"ZPOPMAX", "z"},
                {"ZPOPMIN", "z", "2"},
                {"ZPOPMAX", "z", "0"},
                {"ZPOPMIN", "z", "-1"},
                {"ZPOPMIN", "z", "abc"},
                {"ZPOPMIN", "z", "1", "2"},
                {"ZPOPMAX", "z", "10"},
                {"EXISTS", "z"},
                {"ZPOPMIN", "nokey"},
                {"ZPOPMIN", "nokey", "3"},
                {"ZPOPMAX", "nokey", "0"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c"},
                {"ZMPOP", "1", "z", "MIN"},
                {"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "5"},
                {"ZMPOP", "2", "nokey", "z", "MAX"},
                {"ZMPOP", "0", "z", "MIN"},
                {"ZMPOP", "-1", "z", "MIN"},
                {"ZMPOP", "abc", "z", "MIN"},
                {"ZMPOP", "3", "z", "MIN"},
                {"ZMPOP", "2", "z", "MIN"},
                {"ZMPOP", "1", "z", "MIDDLE"},
                {"ZMPOP", "1", "z", "min", "COUNT", "0"},
                {"ZMPOP", "1", "z", "MIN", "COUNT", "-1"},
                {"ZMPOP", "1", "z", "MIN", "COUNT", "a"},
                {"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"},
                {"ZMPOP", "1", "z", "MIN", "COUNT"},
                {"ZMPOP", "1", "z", "MIN", "FOO"},
                {"SET", "str", "x"},
                {"ZMPOP", "2", "nokey", "str", "MIN"},
                {"ZADD", "z", "1", "a", "2", "b"},
                {"ZADD", "z2", "5", "x", "6", "y"},
                {"ZMPOP", "3", "nokey", "z", "str", "MAX", "COUNT", "1"},
                {"ZMPOP", "3", "nokey1", "z2", "z", "min", "count", "10"},
                {"ZMPOP", "2", "str", "z", "MIN"},
                {"ZMPOP", "2", "nokey", "nokey1", "MIN"},
                {"ZPOPMIN", "str"},
                {"ZRANDMEMBER", "nokey"},
                {"ZRANDMEMBER", "nokey", "5"},
                {"ZRANDMEMBER", "nokey", "-5", "WITHSCORES"},
                {"ZRANDMEMBER", "str"},
                {"ZRANDMEMBER", "str", "1"},
                {"DEL", "z"},
                {"ZADD", "z", "1", "a", "2", "b", "3", "c"},
                {"ZRANDMEMBER", "z", "0"},
                {"ZRANDMEMBER", "z", "10"},
                {"ZRANDMEMBER", "z", "10", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "3", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "1", "WITHSCORE"},
                {"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"},
                {"ZRANDMEMBER", "z", "abc"},
                {"ZRANDMEMBER", "z", "-9223372036854775808"},
                {"ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"},
                {"ZRANDMEMBER", "z", "4611686018427387903"},
                {"ZSCAN", "z", "0"},
                {"ZSCAN", "z", "0", "MATCH", "a*"},
                {"ZSCAN", "z", "0", "COUNT", "100", "MATCH", "[bc]"},
                {"ZSCAN", "z", "abc"},
                {"ZSCAN", "z", "0", "COUNT", "0"},
                {"ZSCAN", "z", "0", "COUNT"},
                {"ZSCAN", "z", "0", "TYPE", "zset"},
                {"ZSCAN", "nokey", "0"},
                {"ZSCAN", "str", "0"},
                {"ZSCAN", "str", "abc"},
                {"ZSCAN", "str", "0", "COUNT", "0"},
                {"ZADD", "z2", "0.1", "x", "-0", "y", "1e17", "w", "inf", "v", "1.5", "u", "-inf", "t", "4611686018427387904", "s"},
                {"ZSCAN", "z2", "0"}});
        // Random picks: the same shape and sizes.
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : withKeys(new String[][] {{"ZRANDMEMBER", "z"}, {"ZRANDMEMBER", "z", "2"}, {"ZRANDMEMBER", "z", "-5"},
                    {"ZRANDMEMBER", "z", "2", "WITHSCORES"}, {"ZRANDMEMBER", "z", "-3", "WITHSCORES"}, {"ZRANDMEMBER", "z", "1"}})) {
                Object ours = d.cmd(command);
                Object theirs = r.cmd(command);
                assertThat(ours).as("RESP" + proto + ": " + String.join(" ", command)).hasSameClassAs(theirs);
                if (theirs instanceof List<?> list) {
                    assertThat((List<?>) ours).as(String.join(" ", command)).hasSameSizeAs(list);
                    assertThat(((List<?>) ours).get(0)).hasSameClassAs(list.get(0));
                }
            }
        });
    }

    @Test
    void unionsIntersectionsAndDifferencesAcrossShardsAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "z1", "z2", "z3", "s1", "str", "dst", "dst0", "inf1", "inf2", "fl"},
                {"ZADD", "z1", "1", "a", "2", "b", "3", "c"},
                {"ZADD", "z2", "10", "b", "20", "c", "30", "d"},
                {"ZADD", "z3", "100", "c", "200", "d", "300", "e"},
                {"SADD", "s1", "a", "c", "x"},
                {"SET", "str", "v"},
                {"ZUNION", "2", "z1", "z2"},
                {"ZUNION", "2", "z1", "z2", "WITHSCORES"},
                {"ZUNION", "3", "z1", "z2", "s1", "WITHSCORES"},
                {"ZUNION", "3", "z1", "z2", "z3", "WEIGHTS", "1", "2", "3", "WITHSCORES"},
                {"ZUNION", "3", "z1", "z2", "z3", "AGGREGATE", "MIN", "WITHSCORES"},
                {"ZUNION", "3", "z1", "z2", "z3", "AGGREGATE", "MAX", "WITHSCORES"},
                {"ZUNION", "3", "z1", "z2", "z3", "aggregate", "max", "weights", "1", "0", "-1", "withscores"},
                {"ZUNION", "2", "z1", "z2", "AGGREGATE", "AVG"},
                {"ZUNION", "2", "z1", "z2", "AGGREGATE"},
                {"ZUNION", "2", "z1", "z2", "WEIGHTS", "1"},
                {"ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "x"},
                {"ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "nan"},
                {"ZUNION", "2", "z1", "z2", "FOO"},
                {"ZUNION", "0", "z1"},
                {"ZUNION", "-1", "z1"},
                {"ZUNION", "x", "z1"},
                {"ZUNION", "3", "z1", "z2"},
                {"ZUNION", "2", "z1", "str"},
                {"ZUNION", "2", "z1", "str", "WEIGHTS", "x", "y"},
                {"ZUNION", "2", "z1", "nokey", "WITHSCORES"},
                {"ZUNION", "1", "nokey"},
                {"ZINTER", "2", "z1", "z2", "WITHSCORES"},
                {"ZINTER", "3", "z1", "z2", "z3", "WITHSCORES"},
                {"ZINTER", "2", "z1", "s1", "WITHSCORES"},
                {"ZINTER", "2", "z1", "z1", "WITHSCORES"},
                {"ZINTER", "2", "z1", "z1", "WEIGHTS", "2", "3", "WITHSCORES"},
                {"ZINTER", "2", "z1", "z1", "AGGREGATE", "MIN", "WEIGHTS", "2", "3", "WITHSCORES"},
                {"ZINTER", "2", "z1", "nokey"},
                {"ZINTER", "2", "z1", "z2", "WITHSCORES", "WITHSCORES"},
                {"ZDIFF", "2", "z1", "z2"},
                {"ZDIFF", "2", "z1", "z2", "WITHSCORES"},
                {"ZDIFF", "2", "z1", "z1", "WITHSCORES"},
                {"ZDIFF", "3", "z3", "z1", "z2", "WITHSCORES"},
                {"ZDIFF", "2", "z1", "s1", "WITHSCORES"},
                {"ZDIFF", "2", "nokey", "z1"},
                {"ZDIFF", "2", "z1", "z2", "WEIGHTS", "1", "2"},
                {"ZDIFF", "2", "z1", "z2", "AGGREGATE", "SUM"},
                {"ZDIFF", "2", "z1", "str"},
                {"ZUNIONSTORE", "dst", "2", "z1", "z2"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZUNIONSTORE", "dst0", "3", "z1", "z2", "s1", "WEIGHTS", "2", "0.5", "3"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"ZUNIONSTORE", "dst", "2", "z1", "z2", "WITHSCORES"},
                {"ZUNIONSTORE", "dst", "0", "z1"},
                {"ZUNIONSTORE", "dst", "3", "z1", "z2"},
                {"ZINTERSTORE", "dst", "2", "z1", "z2", "AGGREGATE", "MAX"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZINTERSTORE", "dst0", "2", "s1", "z1"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"ZINTERSTORE", "dst", "2", "z1", "z3"},
                {"EXISTS", "dst"},
                {"ZINTERSTORE", "dst", "0", "z1"},
                {"ZDIFFSTORE", "dst", "2", "z3", "z2"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZDIFFSTORE", "dst", "1", "nokey"},
                {"EXISTS", "dst"},
                {"ZDIFFSTORE", "dst", "0", "a"},
                {"ZUNIONSTORE", "str", "1", "z1"},
                {"TYPE", "str"},
                {"ZUNIONSTORE", "dst", "1", "str"},
                {"SET", "str", "v"},
                {"ZUNIONSTORE", "dst", "2", "z1", "str"},
                {"ZINTERCARD", "2", "z1", "z2"},
                {"ZINTERCARD", "3", "z1", "z2", "s1"},
                {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "1"},
                {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "0"},
                {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "-1"},
                {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "x"},
                {"ZINTERCARD", "0", "z1"},
                {"ZINTERCARD", "3", "z1", "z2"},
                {"ZINTERCARD", "2", "z1", "z2", "WITHSCORES"},
                {"ZINTERCARD", "2", "z1", "z2", "WEIGHTS", "1", "1"},
                {"ZINTERCARD", "2", "z1", "str"},
                {"ZINTERCARD", "1", "s1"},
                {"ZADD", "inf1", "inf", "a", "-inf", "b"},
                {"ZADD", "inf2", "-inf", "a", "inf", "b"},
                {"ZUNION", "2", "inf1", "inf2", "WITHSCORES"},
                {"ZINTER", "2", "inf1", "inf2", "WITHSCORES"},
                {"ZUNION", "2", "inf1", "inf2", "WEIGHTS", "0", "0", "WITHSCORES"},
                {"ZINTER", "2", "inf1", "inf2", "WEIGHTS", "0", "1", "AGGREGATE", "MIN", "WITHSCORES"},
                {"ZINTER", "2", "inf1", "inf2", "WEIGHTS", "1", "0", "AGGREGATE", "MAX", "WITHSCORES"},
                {"ZADD", "fl", "0.1", "a", "0.2", "b", "0.3", "c"},
                {"ZUNION", "3", "fl", "fl", "fl", "WITHSCORES"},
                {"ZUNION", "2", "fl", "z1", "WEIGHTS", "0.1", "0.7", "WITHSCORES"},
                {"ZRANGESTORE", "dst", "z1", "0", "-1"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "dst0", "z1", "0", "1", "REV"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "dst", "z1", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "dst", "z1", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "5"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "dst", "z1", "5", "10"},
                {"EXISTS", "dst"},
                {"ZRANGESTORE", "dst", "nokey", "0", "-1"},
                {"ZRANGESTORE", "dst", "z1", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "dst", "str", "0", "-1"},
                {"ZRANGESTORE", "dst", "z1", "a", "b"},
                {"ZRANGESTORE", "dst", "z1", "0", "1", "LIMIT", "0", "1"},
                {"ZRANGESTORE", "dst", "z1", "-", "+", "BYLEX"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZRANGESTORE", "str", "z1", "0", "0"},
                {"TYPE", "str"}});
    }

    /** COMMAND INFO's name, arity, flags and key positions of every sorted-set command are Redis's. */
    @Test
    void commandInfoIsRedises() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String name : List.of("zadd", "zincrby", "zrem", "zcard", "zcount", "zlexcount", "zscore", "zmscore", "zrank",
                    "zrevrank", "zrange", "zrangestore", "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex",
                    "zrevrange", "zpopmin", "zpopmax", "zmpop", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zunion",
                    "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard", "zrandmember", "zscan")) {
                List<?> ours = (List<?>) ((List<?>) d.cmd("COMMAND", "INFO", name)).get(0);
                List<?> theirs = (List<?>) ((List<?>) r.cmd("COMMAND", "INFO", name)).get(0);
                assertThat(ours.subList(0, 6)).as(name).isEqualTo(theirs.subList(0, 6));
            }
        }
    }
}
