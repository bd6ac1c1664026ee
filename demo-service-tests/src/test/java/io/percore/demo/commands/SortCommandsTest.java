package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.support.LatencyProbe;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.table.RespCommands;
import io.percore.demo.execution.AcrossShards;

/**
 * SORT and SORT_RO against a real redis-server 7.0.15, every reply and error compared in RESP2 and
 * RESP3, on a two-shard demo where the sorted keys, the STORE destinations and the keys the BY and
 * GET patterns name lie on both shards; SORT inside MULTI; the key finder; the bound on GET
 * results; the budget of STORE; and bounded time: a large SORT with patterns does not hold up the
 * other clients of either shard.
 */
class SortCommandsTest {

    private static RealRedis redis;
    private static TestServices demo;
    /** Key names in the command lists, each replaced by a key on a chosen shard of the demo. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        String[][] placement = {{"l", "0"}, {"la", "1"}, {"s", "1"}, {"sa", "0"}, {"z", "0"}, {"ids", "1"}, {"str", "0"},
                {"bad", "1"}, {"dst", "1"}, {"dst0", "0"}, {"nokey", "0"}, {"fl", "1"}, {"big", "0"}, {"bigs", "1"}, {"bigz", "0"}};
        for (String[] p : placement) {
            KEYS.put(p[0], demo.keyOn(Integer.parseInt(p[1]), "so:" + p[0] + ":"));
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

    private static void sameReplies(String[][] commands) throws IOException {
        String[][] resolved = withKeys(commands);
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> RealRedis.sameReplies(r, d, proto, resolved, x -> x));
    }

    private static String[] c(String... args) {
        return args;
    }

    /** The commands that build the data set on both servers: weights and objects for ids 0..6, on whichever shard they hash to. */
    private static String[][] dataSet() {
        List<String[]> cmds = new ArrayList<>();
        cmds.add(c("FLUSHALL"));
        cmds.add(c("RPUSH", "l", "3", "1", "2", "10", "-5", "2.5", "1e2", "0x10", " 7", "-0", "inf", "-inf"));
        cmds.add(c("RPUSH", "la", "b", "a", "c", "aa", "B", "b\u0000z", "b\u0000a", "\u00ff", "\u0080x", ""));
        cmds.add(c("SADD", "s", "5", "3", "9", "1", "-2"));
        cmds.add(c("SADD", "sa", "x", "y", "z", "w"));
        cmds.add(c("ZADD", "z", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e"));
        cmds.add(c("RPUSH", "ids", "0", "1", "2", "3", "4", "5", "6"));
        int[] weights = {5, 3, 9, 1, 4, 8, 2};
        for (int i = 0; i < weights.length; i++) {
            cmds.add(c("SET", "w_" + i, Integer.toString(weights[i])));
            cmds.add(c("HSET", "h_" + i, "f", Integer.toString(100 - i * 7), "name", "n" + (6 - i) % 3, "tie", "same"));
            cmds.add(c("SET", "o_" + i, "obj" + i));
        }
        cmds.add(c("SET", "w_3", "notanumber-but-unused-by-most"));
        cmds.add(c("SET", "str", "x"));
        cmds.add(c("RPUSH", "bad", "1", "x"));
        cmds.add(c("RPUSH", "fl", "1.1", "5.10", "3.10", "7.44", "2.1", "5.75", "6.12", "0.25", "1.15"));
        return cmds.toArray(new String[0][]);
    }

    @Test
    void everyFormIsRedises() throws IOException {
        List<String[]> cmds = new ArrayList<>(List.of(dataSet()));
        cmds.addAll(List.of(
                // numeric, ALPHA, DESC, LIMIT's clamping
                c("SORT", "l"), c("SORT", "l", "DESC"), c("SORT", "l", "LIMIT", "1", "3"), c("SORT", "l", "LIMIT", "-5", "2"),
                c("SORT", "l", "LIMIT", "10", "5"), c("SORT", "l", "LIMIT", "0", "0"), c("SORT", "l", "LIMIT", "3", "-1"),
                c("SORT", "l", "LIMIT", "2", "9223372036854775807"), c("SORT", "l", "LIMIT", "-9223372036854775808", "9223372036854775807"),
                c("SORT", "fl"), c("SORT", "fl", "DESC", "LIMIT", "2", "4"),
                c("SORT", "la", "ALPHA"), c("SORT", "la", "ALPHA", "DESC"), c("SORT", "la"), c("SORT", "la", "ALPHA", "STORE", "dst"),
                c("LRANGE", "dst", "0", "-1"), c("SORT", "la", "ALPHA", "LIMIT", "2", "3"),
                c("SORT", "s"), c("SORT", "s", "DESC"), c("SORT", "sa", "ALPHA"), c("SORT", "sa", "ALPHA", "DESC"),
                c("SORT", "z"), c("SORT", "z", "ALPHA"), c("SORT", "z", "ALPHA", "DESC", "LIMIT", "1", "2"),
                // BY without *: no sorting, the value's own order (a set with STORE is sorted ALPHA)
                c("SORT", "z", "BY", "nosort"), c("SORT", "z", "BY", "nosort", "DESC"), c("SORT", "z", "BY", "nosort", "LIMIT", "1", "2"),
                c("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"), c("SORT", "z", "BY", "nosort", "LIMIT", "5", "10"),
                c("SORT", "z", "BY", "nosort", "LIMIT", "-10", "100"), c("SORT", "l", "BY", "nosort"), c("SORT", "l", "BY", "nosort", "DESC"),
                c("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "2", "3"), c("SORT", "l", "BY", "nosort", "STORE", "dst0"),
                c("LRANGE", "dst0", "0", "-1"), c("SORT", "sa", "BY", "nosort", "STORE", "dst"), c("LRANGE", "dst", "0", "-1"),
                c("SORT", "sa", "BY", "nosort", "DESC", "STORE", "dst"), c("LRANGE", "dst", "0", "-1"),
                c("SORT", "l", "BY", "#"), c("SORT", "l", "BY", "w_*", "BY", "nosort"), c("SORT", "ids", "BY", "nosort", "BY", "w_*"),
                // BY patterns: string keys, hash fields, missing keys (weight 0, or first with ALPHA), ties
                c("SORT", "ids", "BY", "w_*"), c("SORT", "ids", "BY", "w_*", "DESC"), c("SORT", "ids", "BY", "h_*->f"),
                c("SORT", "ids", "BY", "h_*->name", "ALPHA"), c("SORT", "ids", "BY", "h_*->name", "ALPHA", "DESC"),
                c("SORT", "ids", "BY", "h_*->tie", "ALPHA"), c("SORT", "ids", "BY", "h_*->tie"), c("SORT", "ids", "BY", "h_*->nofield"),
                c("SORT", "ids", "BY", "missing_*"), c("SORT", "ids", "BY", "missing_*", "ALPHA"), c("SORT", "ids", "BY", "o_*", "ALPHA"),
                c("SORT", "ids", "BY", "o_*"), c("SORT", "ids", "BY", "w_*", "LIMIT", "2", "3"), c("SORT", "ids", "BY", "h_*", "ALPHA"),
                c("SORT", "ids", "BY", "w_*->f"),
                // GET patterns: #, string keys, hash fields, missing, constant, "->" with no field
                c("SORT", "ids", "BY", "h_*->f", "GET", "#", "GET", "o_*", "GET", "h_*->name", "GET", "nokey_*", "GET", "const"),
                c("SORT", "ids", "GET", "#", "GET", "#"), c("SORT", "ids", "BY", "w_*", "LIMIT", "2", "3", "GET", "o_*"),
                c("SORT", "ids", "GET", "h_*->"), c("SORT", "ids", "GET", "o_*", "GET", "w_*", "DESC"), c("SORT", "z", "GET", "#", "ALPHA"),
                // STORE: a list on the destination's shard, nils as empty strings, an empty result deletes
                c("SORT", "ids", "GET", "o_*", "STORE", "dst"), c("LRANGE", "dst", "0", "-1"), c("TYPE", "dst"),
                c("SORT", "ids", "GET", "nokey_*", "GET", "#", "STORE", "dst0"), c("LRANGE", "dst0", "0", "-1"),
                c("EXPIRE", "dst", "100"), c("SORT", "ids", "STORE", "dst"), c("TTL", "dst"), c("LRANGE", "dst", "0", "-1"),
                c("SORT", "nokey", "STORE", "dst"), c("EXISTS", "dst"), c("SORT", "ids", "LIMIT", "10", "10", "STORE", "dst0"),
                c("EXISTS", "dst0"), c("SORT", "l", "STORE", "str"), c("TYPE", "str"), c("SET", "str", "x"),
                c("SORT", "ids", "STORE", "dst", "STORE", "dst0"), c("LRANGE", "dst0", "0", "-1"), c("EXISTS", "dst"),
                // SORT_RO
                c("SORT_RO", "ids", "BY", "w_*", "GET", "#", "GET", "o_*"), c("SORT_RO", "l", "STORE", "x"), c("SORT_RO", "z", "BY", "nosort"),
                // errors, in Redis's order: syntax, then the type, then the weights
                c("SORT", "str"), c("SORT_RO", "str"), c("SORT", "str", "BY", "nosort", "STORE", "dst"), c("SORT", "str", "LIMIT", "x", "1"),
                c("SORT", "bad"), c("SORT", "bad", "ALPHA"), c("SORT", "bad", "STORE", "dst"), c("EXISTS", "dst"),
                c("SORT", "ids", "BY", "o_*"), c("SORT", "ids", "BY", "o_*", "GET", "#"),
                c("SORT", "l", "BY", "w_*", "GET"), c("SORT", "l", "LIMIT", "1"), c("SORT", "l", "LIMIT", "a", "1"),
                c("SORT", "l", "LIMIT", "1", "1.5"), c("SORT", "l", "FOO"), c("SORT", "l", "STORE"), c("SORT", "l", "BY"), c("SORT"),
                c("SORT_RO"), c("SORT", "nokey"), c("SORT", "nokey", "BY", "w_*", "GET", "o_*")));
        sameReplies(cmds.toArray(new String[0][]));
    }

    /**
     * strtod's edges: blanks, hex, infinities, ERANGE (overflow, underflow, inexact subnormals), NaN,
     * a NUL. Each on fresh connections: Redis tests errno after strtod without clearing it first, so
     * once a SORT met ERANGE, its later SORTs fail too until some system call (accepting a
     * connection ends with EAGAIN) overwrites errno; the demo judges every weight on its own.
     */
    @Test
    void weightsReadAsRedisReadsThem() throws IOException {
        for (String w : List.of("1e-310", "", " 1", "1 ", "0x10", "0x1p-1074", "inf", "-inf", "+inf", "nan", "1e400", "1e-400",
                "4.9e-324", "2.2250738585072014e-308", "2.225e-308", "0", "-0", "1\u0000x", "1.5e", "0x", ".5", "5.", "1e+2")) {
            sameReplies(new String[][] {c("DEL", "l"), c("RPUSH", "l", w, "5", "-1"), c("SORT", "l"), c("SORT", "l", "DESC")});
        }
    }

    /** As Redis's own suite builds its data: distinct random weights as integers and as fractions, in keys and hash fields. */
    @Test
    void largeRandomDataSetsOnBothShardsSortAsInRedis() throws IOException {
        Random random = new Random(7);
        for (String[] source : new String[][] {{"big", "RPUSH"}, {"bigs", "SADD"}}) {
            List<String[]> cmds = new ArrayList<>();
            cmds.add(c("DEL", source[0], "dst"));
            Set<String> seen = new HashSet<>();
            List<String> members = new ArrayList<>();
            Set<Integer> shards = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                String w;
                do {
                    w = random.nextBoolean() ? Integer.toString(random.nextInt(1_000_000)) : Double.toString(random.nextDouble());
                } while (!seen.add(w));
                members.add(Integer.toString(i));
                cmds.add(c("SET", "weight_" + i, w));
                cmds.add(c("HSET", "wobj_" + i, "weight", w, "name", "n" + random.nextInt(50)));
                shards.add(demo.service.keyspace().shardOf(("weight_" + i).getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(shards).as("the weight keys live on both shards").containsExactlyInAnyOrder(0, 1);
            List<String> add = new ArrayList<>(List.of(source[1], source[0]));
            add.addAll(members);
            cmds.add(add.toArray(new String[0]));
            cmds.addAll(List.of(
                    c("SORT", source[0], "BY", "weight_*"), c("SORT", source[0], "BY", "weight_*", "LIMIT", "5", "5"),
                    c("SORT", source[0], "BY", "wobj_*->weight"), c("SORT", source[0], "BY", "wobj_*->weight", "DESC", "GET", "#", "GET", "weight_*"),
                    c("SORT", source[0]), c("SORT", source[0], "DESC", "LIMIT", "10", "20"), c("SORT", source[0], "ALPHA"),
                    c("SORT", source[0], "BY", "weight_*", "GET", "wobj_*->name", "GET", "#", "STORE", "dst"), c("LRANGE", "dst", "0", "-1"),
                    c("SORT", source[0], "BY", "wobj_*->name", "ALPHA", "GET", "#", "STORE", "dst"), c("LRANGE", "dst", "0", "-1")));
            String[][] resolved = withKeys(cmds.toArray(new String[0][]));
            redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, resolved,
                    // ties in "name" under ALPHA keep the set's own order, which differs between the servers
                    source[1].equals("SADD") ? RealRedis::sorted : x -> x));
        }
    }

    @Test
    void sortedSetsSortAsInRedis() throws IOException {
        List<String[]> cmds = new ArrayList<>();
        cmds.add(c("DEL", "bigz"));
        List<String> zadd = new ArrayList<>(List.of("ZADD", "bigz"));
        for (int i = 0; i < 300; i++) {
            zadd.add(Integer.toString((i * 37) % 101));
            zadd.add(Integer.toString(i * 13 % 1000));
        }
        cmds.add(zadd.toArray(new String[0]));
        cmds.addAll(List.of(c("SORT", "bigz"), c("SORT", "bigz", "DESC", "LIMIT", "3", "7"), c("SORT", "bigz", "ALPHA"),
                c("SORT", "bigz", "BY", "nosort"), c("SORT", "bigz", "BY", "nosort", "DESC", "LIMIT", "10", "5"),
                c("SORT", "bigz", "BY", "nosort", "STORE", "dst"), c("LRANGE", "dst", "0", "-1")));
        sameReplies(cmds.toArray(new String[0][]));
    }

    @Test
    void insideMultiSortIsAtomicAndRedises() throws IOException {
        sameReplies(withKeys(new String[][] {
                c("DEL", "ids", "dst"), c("RPUSH", "ids", "0", "1", "2", "3"), c("SET", "w_0", "3"), c("SET", "w_1", "1"),
                c("SET", "w_2", "2"), c("SET", "w_3", "0"), c("SET", "o_2", "two"),
                c("MULTI"), c("SORT", "ids", "BY", "w_*", "GET", "o_*", "GET", "#"), c("SET", "w_0", "-1"),
                c("SORT", "ids", "BY", "w_*", "STORE", "dst"), c("LRANGE", "dst", "0", "-1"), c("SORT_RO", "ids", "BY", "nosort", "DESC"),
                c("SORT", "ids", "FOO"), c("EXEC"),
                c("WATCH", "dst"), c("SORT", "ids", "STORE", "dst"), c("MULTI"), c("PING"), c("EXEC")}));
    }

    @Test
    void theRegistryFindsTheSortedKeyAndTheLastStoreAndPatternsHoldEveryShard() {
        CommandTable table = RespCommands.table(0);
        int sort = table.find("sort".getBytes(StandardCharsets.US_ASCII));
        int sortRo = table.find("sort_ro".getBytes(StandardCharsets.US_ASCII));
        assertThat(table.keyPositions(sort, args("SORT", "abc", "STORE", "def"))).containsExactly(1, 3);
        assertThat(table.keyPositions(sort, args("SORT", "abc", "STORE", "invalid", "STORE", "stillbad", "STORE", "def"))).containsExactly(1, 7);
        assertThat(table.keyPositions(sort, args("SORT", "abc", "BY", "store", "GET", "store", "LIMIT", "store", "store", "ALPHA"))).containsExactly(1);
        assertThat(table.keyPositions(sort, args("SORT", "abc", "STORE"))).containsExactly(1);
        assertThat(table.keyPositions(sortRo, args("SORT_RO", "abc", "STORE", "def"))).containsExactly(1);

        assertThat(table.reachesUnnamedKeys(sort, args("SORT", "abc", "BY", "nosort", "GET", "#", "STORE", "d"))).isFalse();
        assertThat(table.reachesUnnamedKeys(sort, args("SORT", "abc", "BY", "w_*"))).isTrue();
        assertThat(table.reachesUnnamedKeys(sortRo, args("SORT_RO", "abc", "LIMIT", "0", "1", "GET", "o_*->f"))).isTrue();

        TestServices one = demo;
        MultiState multi = new MultiState();
        multi.queue(sort, table.spec(sort), args("SORT", KEYS.get("z"), "BY", "nosort", "STORE", KEYS.get("dst")), true);
        BitSet held = AcrossShards.shardsOf(table, multi, List.of(), one.service.keyspace());
        assertThat(held.cardinality()).as("named keys on both shards").isEqualTo(2);
        MultiState patterned = new MultiState();
        patterned.queue(sortRo, table.spec(sortRo), args("SORT_RO", KEYS.get("z"), "GET", "o_*"), false);
        assertThat(AcrossShards.shardsOf(table, patterned, List.of(), one.service.keyspace()).cardinality())
                .as("a GET pattern holds every shard").isEqualTo(2);
        MultiState plain = new MultiState();
        plain.queue(sortRo, table.spec(sortRo), args("SORT_RO", KEYS.get("z"), "ALPHA"), false);
        assertThat(AcrossShards.shardsOf(table, plain, List.of(), one.service.keyspace()).stream().boxed().toList())
                .containsExactly(demo.service.keyspace().shardOf(KEYS.get("z").getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[][] args(String... a) {
        byte[][] out = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void getResultsAreBoundedAndTheLimitLetsAPartThrough() throws IOException {
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            String key = KEYS.get("big");
            d.cmd("DEL", key);
            List<String> push = new ArrayList<>(List.of("RPUSH", key));
            for (int i = 0; i < 20_000; i++) {
                push.add(Integer.toString(i));
            }
            d.cmd(push.toArray(new String[0]));
            List<String> sort = new ArrayList<>(List.of("SORT", key));
            for (int i = 0; i < 1000; i++) {
                sort.add("GET");
                sort.add("#");
            }
            // 20,000 elements x 1,000 GETs = 20,000,000 values: past the bound
            assertThat(d.cmd(sort.toArray(new String[0]))).isEqualTo(new RespTestClient.Err(
                    "ERR SORT with GET would return more than 16777216 values (GET patterns times elements); use LIMIT"));
            sort.addAll(List.of("LIMIT", "0", "10"));
            assertThat((List<?>) d.cmd(sort.toArray(new String[0]))).hasSize(10_000);
            assertThat(d.cmd("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void aStoredResultLargerThanTheBudgetIsRefused() throws Exception {
        // 4 MB for two shards: 2 MB each
        try (TestServices small = TestServices.start(2, DemoSettings.forTests()
                .withMemory(new MemorySettings(4L << 20, MaxmemoryPolicy.NOEVICTION, 5)));
             RespTestClient d = new RespTestClient(small.respPort())) {
            String src = small.keyOn(0, "so:src");
            String dst = small.keyOn(1, "so:dst");
            List<String> push = new ArrayList<>(List.of("RPUSH", src));
            for (int i = 0; i < 12_000; i++) {
                push.add("element-" + i);
            }
            assertThat(d.cmd(push.toArray(new String[0]))).isEqualTo(12_000L);
            List<String> sort = new ArrayList<>(List.of("SORT", src, "ALPHA"));
            for (int i = 0; i < 4; i++) {
                sort.addAll(List.of("GET", "#"));
            }
            sort.addAll(List.of("STORE", dst));
            // 48,000 elements: about 2.3 MB as a list, more than the destination's shard may hold
            assertThat(d.cmd(sort.toArray(new String[0]))).isEqualTo(new RespTestClient.Err(
                    "OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(d.cmd("EXISTS", dst)).isEqualTo(0L);
            assertThat(d.cmd("SORT", src, "ALPHA", "LIMIT", "0", "3", "STORE", dst)).isEqualTo(3L);
        }
    }

    /**
     * 200,000 elements whose BY and GET keys lie on both shards: 400,000 lookups and a sort, done in
     * short steps. Meanwhile another client's commands on both shards keep being answered within a
     * fraction of the SORT's own time.
     */
    @Test
    void aLargeSortWithPatternsDoesNotHoldUpEitherShard() throws Exception {
        int n = 200_000;
        String src = demo.keyOn(0, "so:huge");
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            d.cmd("DEL", src);
            for (int from = 0; from < n; from += 10_000) {
                List<String> push = new ArrayList<>(List.of("RPUSH", src));
                List<String> mset = new ArrayList<>(List.of("MSET"));
                for (int i = from; i < from + 10_000; i++) {
                    push.add(Integer.toString(i));
                    mset.add("hw_" + i);
                    mset.add(Integer.toString((i * 7919) % n));
                }
                d.cmd(push.toArray(new String[0]));
                d.cmd(mset.toArray(new String[0]));
            }
        }
        String probe0 = demo.keyOn(0, "so:probe");
        String probe1 = demo.keyOn(1, "so:probe");
        LatencyProbe probe = new LatencyProbe(demo.respPort(), List.of(probe0, probe1));
        long started = System.nanoTime();
        long[] turnsBefore = {demo.engine.shard(0).stats().loopIterations(), demo.engine.shard(1).stats().loopIterations()};
        Object reply;
        try (probe; RespTestClient d = new RespTestClient(demo.respPort())) {
            reply = d.cmd("SORT", src, "BY", "hw_*", "GET", "hw_*", "LIMIT", "0", "5");
        }
        long sortNanos = System.nanoTime() - started;
        long[] turnsAfter = {demo.engine.shard(0).stats().loopIterations(), demo.engine.shard(1).stats().loopIterations()};
        // the weights (i * 7919) % n are a permutation of 0..n-1: GET of the five lightest answers 0..4
        assertThat(reply).isEqualTo(List.of("0", "1", "2", "3", "4"));
        assertThat(probe.reads()).as("other commands ran during the SORT").isGreaterThan(10);
        // held up = a shard's loop stopped for the whole SORT; sliced, each loop turns between the slices
        // (loop turns, not GET latency: a loaded machine stretches latencies, never a slice into one turn)
        for (int s = 0; s < 2; s++) {
            assertThat(turnsAfter[s] - turnsBefore[s]).as("shard %d's loop turns during a SORT of %d ms (worst GET %d ms)", s,
                    sortNanos / 1_000_000, probe.worstNanos() / 1_000_000).isGreaterThan(20);
        }
    }

    @Test
    void theSlicedMergeSortIsAStableSortWhateverTheSlices() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            int n = round < 100 ? random.nextInt(70) : random.nextInt(5000);
            int[] keys = new int[n];
            for (int i = 0; i < n; i++) {
                keys[i] = random.nextInt(1 + n / 4); // many ties
            }
            SlicedMergeSort sort = new SlicedMergeSort(n, (a, b) -> Integer.compare(keys[a], keys[b]));
            int steps = 0;
            while (!sort.step(round % 2 == 0 ? 0 : 50_000)) {
                steps++;
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(i);
            }
            expected.sort(Comparator.comparingInt(i -> keys[i])); // List.sort is stable
            assertThat(Arrays.stream(sort.sorted()).boxed().toList()).as("n=%d after %d steps", n, steps).isEqualTo(expected);
            if (round % 2 == 0 && n > 2 * SlicedMergeSort.RUN) {
                assertThat(steps).as("a zero time slice stops after the first clock look").isGreaterThan(0);
            }
        }
    }

    @Test
    void patternsAreFoundAsCStrings() {
        assertThat(SortPattern.of(b("#")).kind()).isEqualTo(SortPattern.Kind.ELEMENT);
        assertThat(SortPattern.of(b("#\u0000x")).kind()).isEqualTo(SortPattern.Kind.ELEMENT);
        assertThat(SortPattern.of(b("##")).kind()).isEqualTo(SortPattern.Kind.NONE);
        assertThat(SortPattern.of(b("nosort")).kind()).isEqualTo(SortPattern.Kind.NONE);
        assertThat(SortPattern.of(b("a\u0000*")).kind()).as("a * after a NUL is not seen").isEqualTo(SortPattern.Kind.NONE);
        SortPattern hash = SortPattern.of(b("h_*_x->fi\u0000eld"));
        assertThat(new String(hash.key(b("7")), StandardCharsets.ISO_8859_1)).isEqualTo("h_7_x");
        assertThat(new String(hash.field(), StandardCharsets.ISO_8859_1)).isEqualTo("fi\u0000eld");
        SortPattern noField = SortPattern.of(b("x:*->"));
        assertThat(noField.field()).isNull();
        assertThat(new String(noField.key(b("a")), StandardCharsets.ISO_8859_1)).isEqualTo("x:a->");
        assertThat(SortPattern.of(b("*->\u0000f")).field()).as("a NUL right after -> means no field").isNull();
        assertThat(new String(SortPattern.of(b("p*q")).key(b("")), StandardCharsets.ISO_8859_1)).isEqualTo("pq");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
