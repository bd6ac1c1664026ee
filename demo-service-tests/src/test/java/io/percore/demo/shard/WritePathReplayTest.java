package io.percore.demo.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.feed.Block;
import io.percore.demo.feed.Change;
import io.percore.demo.feed.ChangeMerge;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The write path's judge: a long random mix of every write command of every type, from several
 * clients at once, in and out of MULTI, on keys of both shards, with blocked clients served and
 * keys expiring, in databases 0, 3 and 15 (clients SELECT in and out of MULTI; MOVE, COPY ... DB and
 * SWAPDB cross them), is recorded as the shards' changes ({@link WritePath}); the changes, merged into
 * one stream ({@link ChangeMerge}, each command in its database), are replayed into fresh servers
 * (the demo with 1, 2 and 3 shards, and a real redis-server), selecting each command's database as
 * the stream says; every key of every database of every one then equals the original's: type,
 * absolute expiry, contents, and for the demo the DUMP payload byte for byte.
 */
class WritePathReplayTest {

    /** Writes without a keyspace effect: every one is still generated; the replayed servers' libraries must equal the original's. */
    private static final Set<String> WITHOUT_KEYSPACE_EFFECT = Set.of();

    /** The library the mix loads, deletes, flushes and restores, and whose function FCALL calls (its writes replicate as their effects). */
    private static final String LIBRARY = "#!lua name=mixlib\n"
            + "redis.register_function('mixset', function(keys, args) redis.call('SET', keys[1], args[1]) return redis.call('RPUSH', keys[2], args[1]) end)\n"
            + "redis.register_function{function_name='mixread', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
    private static final String OTHER_LIBRARY = "#!lua name=mixother\nredis.register_function('mixone', function() return 1 end)";

    private static final int SHARDS = 2;
    private static final int WRITERS = 3;
    private static final int COMMANDS_PER_WRITER = 1500;
    /** The databases the mix writes to: the first, one between, the last of Redis's 16. */
    static final String[] DATABASES = {"0", "3", "15"};

    @Test
    void replayingTheChangesOfARandomMixMakesTheSameKeyspace() throws Exception {
        // the writers' mixes come from the seed; their interleaving does not (-Dwritepath.seed= replays the mixes of a failed run)
        long seed = Long.getLong("writepath.seed", System.nanoTime());
        System.out.println("seed " + seed + " (-Dwritepath.seed=" + seed + ")");
        try (TestServices original = TestServices.start(SHARDS, DemoSettings.forTests())) {
            smallStreamNodes(original.respPort());
            List<ConcurrentLinkedQueue<Change>> recorded = record(original);
            Mix mix = new Mix(original, seed);
            assertThat(mix.generated()).as("every write command of the table has a generator")
                    .containsAll(writeCommands(original));

            runMix(original, mix, seed);
            // keys set to expire in a few ms have; reading them all deletes them (and reports DEL)
            Thread.sleep(150);
            try (RespTestClient c = new RespTestClient(original.respPort())) {
                c.cmd("KEYS", "*");
            }
            List<Block> stream = mergeWhenQuiet(recorded);
            assertThat(stream).as("the mix changed something").hasSizeGreaterThan(1000);
            long unreported = original.engine.submitTo(0, () -> original.service.keyspace().mapReduce(
                    st -> st.writes().unreportedWrites(), 0L, Long::sum)).thenCompose(f -> f.toCompletableFuture()).get();
            assertThat(unreported).as("writes that reported no effect").isZero();
            List<Change> all = recorded.stream().flatMap(ConcurrentLinkedQueue::stream).toList();
            long spanning = all.stream().filter(c -> c.grouped() && c.participants().cardinality() > 1).count();
            long expired = all.stream().filter(c -> c.cause().equals("expired")).count();
            Set<String> replayed = new TreeSet<>();
            stream.forEach(block -> block.commands().forEach(argv -> replayed.add(new String(argv[0], StandardCharsets.US_ASCII).toLowerCase())));
            Set<Integer> databases = new TreeSet<>();
            stream.forEach(block -> {
                for (int i = 0; i < block.commands().size(); i++) {
                    databases.add(block.db(i));
                }
            });
            System.out.printf("%d changes, %d blocks, %d transaction parts spanning shards, %d expiries, databases %s; replayed as %s%n",
                    all.size(), stream.size(), spanning, expired, databases, replayed);
            assertThat(spanning).as("transactions across shards were reported as parts of one group").isPositive();
            assertThat(expired).as("keys expired during the mix").isPositive();
            assertThat(databases).as("the changes were reported in the databases they happened in").contains(0, 3, 15);
            assertThat(stream).as("a block holds commands of several databases (a transaction that selected, COPY ... DB)")
                    .anyMatch(b -> b.dbs() != null && java.util.Arrays.stream(b.dbs()).distinct().count() > 1);

            dumpForDiagnosis(recorded, stream, seed);
            Map<String, Key> expected = snapshot(original.respPort());
            Object libraries = libraries(original.respPort());
            assertThat(expected).as("the mix leaves keys behind").hasSizeGreaterThan(5);
            for (int shards : new int[] {1, 2, 3}) {
                try (TestServices replica = TestServices.start(shards, DemoSettings.forTests())) {
                    smallStreamNodes(replica.respPort());
                    replay(stream, replica.respPort());
                    assertSameKeyspace(expected, snapshot(replica.respPort()), true, shards + "-shard demo");
                    assertThat(libraries(replica.respPort())).as(shards + "-shard demo's function libraries").isEqualTo(libraries);
                }
            }
            try (RealRedis redis = RealRedis.start()) {
                smallStreamNodes(redis.port());
                replay(stream, redis.port());
                assertSameKeyspace(expected, snapshot(redis.port()), false, "redis-server");
                assertThat(libraries(redis.port())).as("redis-server's function libraries").isEqualTo(libraries);
            }
        }
    }

    /**
     * Streams' nodes of 5 entries on every server of the test: the same node boundaries everywhere
     * (so XINFO's node counts compare), and approximate trims that find whole nodes to drop.
     */
    private static void smallStreamNodes(int port) throws Exception {
        try (RespTestClient c = new RespTestClient(port)) {
            assertThat(c.cmd("CONFIG", "SET", "stream-node-max-entries", "5")).isEqualTo("OK");
        }
    }

    /**
     * A blocked client is answered on its own shard, and the commands it sent after the blocking one
     * run then: a write among them and a transaction after it are reported in the order they ran,
     * whichever shard owns the key it waited on, whether it was served or refused (BLMOVE onto a key
     * of another type).
     */
    @Test
    void theCommandsABlockedClientSentAfterItsAnswerAreReportedInTheOrderTheyRan() throws Exception {
        try (TestServices demo = TestServices.start(SHARDS, DemoSettings.forTests())) {
            List<ConcurrentLinkedQueue<Change>> recorded = record(demo);
            List<String> strings = new ArrayList<>();
            for (String how : new String[] {"served", "refused", "unblocked"}) { // unblocked: by CLIENT UNBLOCK, which asks every shard
                boolean refused = how.equals("refused");
                for (int home = 0; home < SHARDS; home++) {
                    for (int owner = 0; owner < SHARDS; owner++) {
                        String name = "answered:" + how + ":" + home + ":" + owner + ":";
                        String l = demo.keyOn(owner, name + "l");
                        String s = demo.keyOn(home, name + "s");
                        String destination = "{" + l + "}d"; // on the list's shard, holding a string: BLMOVE is refused
                        strings.add(s);
                        try (RespTestClient blocked = clientOn(demo, home); RespTestClient pusher = new RespTestClient(demo.respPort())) {
                            pusher.cmd("SET", destination, "string");
                            long id = (Long) blocked.cmd("CLIENT", "ID");
                            String[] blocking = refused ? new String[] {"BLMOVE", l, destination, "LEFT", "LEFT", "10"}
                                    : new String[] {"BLPOP", l, "10"};
                            java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
                            for (String[] argv : new String[][] {blocking, {"SET", s, "before"}, {"MULTI"}, {"SET", s, "after"}, {"EXEC"}}) {
                                pipeline.writeBytes(RespTestClient.encode(argv));
                            }
                            blocked.send(pipeline.toByteArray());
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            while (!((String) pusher.cmd("INFO", "clients")).contains("blocked_clients:1")) {
                                assertThat(System.nanoTime()).as("the client blocks").isLessThan(deadline);
                                Thread.sleep(5);
                            }
                            if (how.equals("unblocked")) {
                                assertThat(pusher.cmd("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
                            } else {
                                pusher.cmd("RPUSH", l, "x");
                            }
                            Object answer = blocked.read();
                            if (how.equals("unblocked")) {
                                assertThat(answer).isNull();
                            } else if (refused) {
                                assertThat(answer).isInstanceOf(RespTestClient.Err.class);
                            } else {
                                assertThat(answer).isEqualTo(List.of(l, "x"));
                            }
                            assertThat(blocked.read()).isEqualTo("OK");
                            assertThat(blocked.read()).isEqualTo("OK");
                            assertThat(blocked.read()).isEqualTo("QUEUED");
                            assertThat(blocked.read()).isEqualTo(List.of("OK"));
                            assertThat(pusher.cmd("GET", s)).isEqualTo("after");
                        }
                    }
                }
            }
            List<Block> stream = mergeWhenQuiet(recorded);
            try (TestServices replica = TestServices.start(1, DemoSettings.forTests());
                 RespTestClient c = new RespTestClient(replica.respPort())) {
                replay(stream, replica.respPort());
                List<String> outOfOrder = new ArrayList<>();
                for (String s : strings) {
                    if (!"after".equals(c.cmd("GET", s))) {
                        outOfOrder.add(s);
                    }
                }
                assertThat(outOfOrder).as("keys replayed from %s", stream.stream().map(b -> text(b.commands())).toList()).isEmpty();
            }
        }
    }

    /** A new client on {@code shard} (the kernel spreads connections; CLIENT INFO's shard= tells). */
    private static RespTestClient clientOn(TestServices demo, int shard) throws Exception {
        for (int i = 0; i < 200; i++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            if (((String) c.cmd("CLIENT", "INFO")).contains(" shard=" + shard)) {
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    /**
     * BITOP's effect is {@code SET dst <result>}; a transaction or a script reports its effects when it
     * ends, so a SETBIT or BITFIELD on the destination later in it must not change the result the SET
     * holds (it was the string's own array: the BITFIELD INCRBY replayed after it then counted twice;
     * seen as a bitmap that differed on the replicas of the random mix). Replayed on the demo and on
     * redis-server, the destination is what it was on the original.
     */
    @Test
    void aBitopResultChangedLaterInItsTransactionOrScriptReplaysAsItWasMade() throws Exception {
        try (TestServices demo = TestServices.start(SHARDS, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort()).binary()) {
            List<ConcurrentLinkedQueue<Change>> recorded = record(demo);
            List<String> destinations = new ArrayList<>();
            for (int srcShard = 0; srcShard < SHARDS; srcShard++) {
                for (int dstShard = 0; dstShard < SHARDS; dstShard++) {
                    String src = demo.keyOn(srcShard, "bitop:" + srcShard + dstShard + ":src");
                    String inMulti = demo.keyOn(dstShard, "bitop:" + srcShard + dstShard + ":multi");
                    String inScript = demo.keyOn(dstShard, "bitop:" + srcShard + dstShard + ":script");
                    destinations.add(inMulti);
                    destinations.add(inScript);
                    assertThat(c.cmd("SETBIT", src, "7", "1")).isEqualTo(0L); // "\x01"
                    assertThat(c.cmd("MULTI")).isEqualTo("OK");
                    for (String[] queued : new String[][] {{"BITOP", "OR", inMulti, src}, {"BITFIELD", inMulti, "INCRBY", "u8", "0", "1"},
                        {"SETBIT", inMulti, "0", "1"}}) {
                        assertThat(c.cmd(queued)).isEqualTo("QUEUED");
                    }
                    assertThat(c.cmd("EXEC")).isEqualTo(List.of(1L, List.of(2L), 0L));
                    assertThat(c.cmd("EVAL", "redis.call('BITOP', 'OR', KEYS[2], KEYS[1])"
                            + " redis.call('SETBIT', KEYS[2], 0, 1) return redis.call('BITFIELD', KEYS[2], 'INCRBY', 'u8', 0, 1)",
                            "2", src, inScript)).isEqualTo(List.of(130L));
                    assertThat(c.cmd("GET", inMulti)).isEqualTo("\u0082");
                    assertThat(c.cmd("GET", inScript)).isEqualTo("\u0082");
                }
            }
            List<Block> stream = mergeWhenQuiet(recorded);
            List<String> bitopEffects = new ArrayList<>();
            stream.forEach(block -> block.commands().stream()
                    .filter(argv -> new String(argv[0], StandardCharsets.US_ASCII).equals("SET")
                            && destinations.contains(new String(argv[1], StandardCharsets.ISO_8859_1)))
                    .forEach(argv -> bitopEffects.add(new String(argv[1], StandardCharsets.ISO_8859_1) + " " + java.util.HexFormat.of().formatHex(argv[2]))));
            assertThat(bitopEffects).as("BITOP's effects: its result as BITOP made it, before the writes after it")
                    .hasSize(destinations.size()).allMatch(effect -> effect.endsWith(" 01"));
            Map<String, Key> expected = snapshot(demo.respPort());
            try (TestServices replica = TestServices.start(1, DemoSettings.forTests())) {
                replay(stream, replica.respPort());
                assertSameKeyspace(expected, snapshot(replica.respPort()), true, "1-shard demo");
            }
            try (RealRedis redis = RealRedis.start()) {
                replay(stream, redis.port());
                assertSameKeyspace(expected, snapshot(redis.port()), false, "redis-server");
            }
            assertThat(expected.keySet()).as("the destinations are compared").containsAll(destinations.stream().map(k -> "0:" + k).toList());
        }
    }

    /**
     * LMOVE and RPOPLPUSH of a list onto itself rotate it, never empty in between (Redis pushes before it
     * checks the source's length): replayed, a list of one element keeps its time to live (a pop then a
     * push deleted the key and made a new one without it; seen as an expiry lost on the replicas of the
     * random mix, seed 215643256026701).
     */
    @Test
    void aListMovedOntoItselfKeepsItsTimeToLiveReplayed() throws Exception {
        try (TestServices demo = TestServices.start(SHARDS, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort())) {
            List<ConcurrentLinkedQueue<Change>> recorded = record(demo);
            for (int shard = 0; shard < SHARDS; shard++) {
                String one = demo.keyOn(shard, "rotate:one:");
                String two = demo.keyOn(shard, "rotate:two:");
                c.cmd("RPUSH", one, "a");
                c.cmd("RPUSH", two, "a", "b");
                for (String k : new String[] {one, two}) {
                    assertThat(c.cmd("PEXPIRE", k, "600000")).isEqualTo(1L);
                    assertThat(c.cmd("LMOVE", k, k, "RIGHT", "LEFT")).isNotNull();
                    assertThat(c.cmd("RPOPLPUSH", k, k)).isNotNull();
                    assertThat(c.cmd("LMOVE", k, k, "LEFT", "RIGHT")).isNotNull();
                }
                assertThat(c.cmd("LRANGE", two, "0", "-1")).isEqualTo(List.of("b", "a"));
            }
            List<Block> stream = mergeWhenQuiet(recorded);
            Map<String, Key> expected = snapshot(demo.respPort());
            assertThat(expected.values()).as("the lists keep their time to live").hasSize(2 * SHARDS).allMatch(k -> k.expireAt() > 0);
            try (TestServices replica = TestServices.start(1, DemoSettings.forTests())) {
                replay(stream, replica.respPort());
                assertSameKeyspace(expected, snapshot(replica.respPort()), true, "1-shard demo");
            }
            try (RealRedis redis = RealRedis.start()) {
                replay(stream, redis.port());
                assertSameKeyspace(expected, snapshot(redis.port()), false, "redis-server");
            }
        }
    }

    /** Writes that change nothing report nothing (Redis's server.dirty unmoved). */
    @Test
    void aWriteThatChangesNothingReportsNothing() throws Exception {
        try (TestServices demo = TestServices.start(SHARDS, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort())) {
            List<ConcurrentLinkedQueue<Change>> recorded = record(demo);
            String s = demo.keyOn(0, "noop:s");
            String l = demo.keyOn(1, "noop:l");
            String t = demo.keyOn(0, "noop:t");
            String z = demo.keyOn(1, "noop:z");
            String h = demo.keyOn(0, "noop:h");
            String missing = demo.keyOn(1, "noop:missing");
            String x = demo.keyOn(0, "noop:x");
            String p = demo.keyOn(0, "noop:p");
            c.cmd("SET", s, "v");
            c.cmd("RPUSH", l, "a", "b");
            c.cmd("SADD", t, "m");
            c.cmd("ZADD", z, "1", "m");
            c.cmd("HSET", h, "f", "v");
            c.cmd("XADD", x, "1-1", "f", "v");
            c.cmd("XGROUP", "CREATE", x, "g", "$");
            c.cmd("XGROUP", "CREATECONSUMER", x, "g", "c");
            c.cmd("GEOADD", z, "1", "1", "g");
            c.cmd("PFADD", p, "a", "b");
            c.cmd("PFCOUNT", p); // caches the cardinality: a change
            mergeWhenQuiet(recorded);
            int[] before = recorded.stream().mapToInt(ConcurrentLinkedQueue::size).toArray();
            String[][] noops = {
                {"SET", s, "other", "NX"}, {"SETNX", s, "x"}, {"SET", missing, "x", "XX"}, {"DEL", missing}, {"UNLINK", missing},
                {"GETDEL", missing}, {"EXPIRE", missing, "100"}, {"PERSIST", s}, {"SADD", t, "m"}, {"SREM", t, "other"},
                {"SPOP", t, "0"}, {"ZADD", z, "1", "m"}, {"ZREM", z, "other"}, {"ZPOPMIN", z, "0"},
                {"ZREMRANGEBYSCORE", z, "5", "6"}, {"HDEL", h, "other"}, {"LREM", l, "0", "zz"}, {"LPOP", l, "0"},
                {"LPUSHX", missing, "a"}, {"LINSERT", l, "BEFORE", "zz", "y"}, {"SMOVE", t, missing, "other"},
                {"RENAME", s, s}, {"RENAMENX", s, l}, {"COPY", s, l}, {"MSETNX", s, "1", missing, "2"},
                {"EXPIRE", s, "100", "XX"}, {"BITFIELD", s, "GET", "u8", "0"},
                {"RPOPLPUSH", missing, l}, {"LMPOP", "1", missing, "LEFT"}, {"ZMPOP", "1", missing, "MIN"},
                {"SINTERSTORE", missing, missing + "x"}, {"HSETNX", h, "f", "other"}, {"GETEX", s},
                {"XADD", missing, "NOMKSTREAM", "*", "f", "v"}, {"XDEL", x, "9-9"}, {"XTRIM", x, "MAXLEN", "5"},
                {"XTRIM", x, "MINID", "~", "0-1"}, {"XACK", x, "g", "9-9"}, {"XGROUP", "DESTROY", x, "other"},
                {"XGROUP", "CREATECONSUMER", x, "g", "c"}, {"XGROUP", "DELCONSUMER", x, "g", "nobody"},
                {"XCLAIM", x, "g", "c", "0", "9-9"}, {"XAUTOCLAIM", x, "g", "c", "0", "0"},
                {"XREADGROUP", "GROUP", "g", "c", "STREAMS", x, ">"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", x, "0"},
                {"GEOADD", z, "1", "1", "g"}, {"GEOADD", z, "NX", "2", "2", "g"}, {"GEORADIUS", z, "1", "1", "10", "km"},
                {"GEOSEARCHSTORE", missing, missing + "x", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"},
                {"GEORADIUS", missing + "x", "1", "1", "10", "km", "STORE", missing},
                {"PFADD", p, "a"}, {"PFCOUNT", p}, {"PFDEBUG", "ENCODING", p}, {"PFCOUNT", p, missing},
            };
            for (String[] noop : noops) {
                c.cmd(noop);
            }
            mergeWhenQuiet(recorded);
            List<String> reported = new ArrayList<>();
            for (int shard = 0; shard < recorded.size(); shard++) {
                // a command spanning shards runs as a transaction: each shard reports its part, an empty one where it
                // changed nothing, so that a stream made of them knows the group is whole; those carry no command
                recorded.get(shard).stream().skip(before[shard]).filter(change -> !change.commands().isEmpty())
                        .forEach(change -> reported.add(text(change.commands())));
            }
            assertThat(reported).as("changes reported by writes that change nothing").isEmpty();
        }
    }

    // ------------------------------------------------------------------ recording and merging

    /** Every shard's changes from now on, deep-copied (a change may hold arrays the store changes later). */
    static List<ConcurrentLinkedQueue<Change>> record(TestServices demo) {
        int shards = demo.service.keyspace().shardCount();
        List<ConcurrentLinkedQueue<Change>> recorded = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            recorded.add(new ConcurrentLinkedQueue<>());
        }
        demo.service.keyspace().listen(shard -> change -> recorded.get(shard).add(copy(change)));
        return recorded;
    }

    private static Change copy(Change c) {
        List<byte[][]> commands = c.commands().stream().map(argv -> Arrays.stream(argv).map(byte[]::clone).toArray(byte[][]::new)).toList();
        return new Change(c.shard(), c.group(), c.participants(), commands, c.steps(), c.dbs(), List.copyOf(c.keys()), c.cause());
    }

    /**
     * The recorded changes merged into one stream, once nothing new has arrived for a while and no
     * group waits for a part (a transaction's release reaches its shards after its reply).
     */
    static List<Block> mergeWhenQuiet(List<ConcurrentLinkedQueue<Change>> recorded) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int lastSize = -1;
        long quietSince = System.nanoTime();
        while (true) {
            int size = recorded.stream().mapToInt(ConcurrentLinkedQueue::size).sum();
            if (size != lastSize) {
                lastSize = size;
                quietSince = System.nanoTime();
            }
            List<Block> stream = new ArrayList<>();
            ChangeMerge merge = new ChangeMerge(recorded.size());
            for (int s = 0; s < recorded.size(); s++) {
                for (Change c : recorded.get(s)) {
                    stream.addAll(merge.add(c));
                }
            }
            if (merge.waiting() == 0 && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                return stream;
            }
            assertThat(System.nanoTime()).as("changes still arriving, or a group missing parts: %d waiting", merge.waiting())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** What was recorded and replayed, in target/, for when a replay differs (the assertion names the key). */
    private static void dumpForDiagnosis(List<ConcurrentLinkedQueue<Change>> recorded, List<Block> stream, long seed)
            throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (int s = 0; s < recorded.size(); s++) {
            out.append("== shard ").append(s).append('\n');
            for (Change c : recorded.get(s)) {
                out.append(c.grouped() ? "group " + c.group() + " " + c.participants() + " steps " + Arrays.toString(c.steps()) : "alone")
                        .append(" [").append(c.cause()).append("] ").append(c.dbs() == null ? "" : "dbs " + Arrays.toString(c.dbs()) + " ")
                        .append(text(c.commands())).append('\n');
            }
        }
        out.append("== stream\n");
        stream.forEach(block -> out.append(block.dbs() == null ? "" : "dbs " + Arrays.toString(block.dbs()) + " ")
                .append(text(block.commands())).append('\n'));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "write-path-replay-" + seed + ".txt"), out);
    }

    // ------------------------------------------------------------------ replaying and comparing

    /**
     * How far the replay moves every absolute expiry into the future. A replica or a loader applies
     * a stream later than it was made, and must not expire a key before the stream says so (Redis
     * expires nothing while it loads, and a replica waits for its primary's DEL): every expiry the
     * original made is in the stream as a DEL. A fresh server replaying as a plain client would
     * expire on its own a key whose time passed since, so the replay shifts the times by an hour.
     */
    static final long REPLAY_SHIFT_MILLIS = 3_600_000;

    /**
     * Sends the stream to a fresh server, each block of several commands as MULTI/EXEC, each command in its
     * database (a SELECT where the stream's database changes, as a replica's link gets it); no reply may be
     * an error.
     */
    private static void replay(List<Block> stream, int port) throws Exception {
        try (RespTestClient c = new RespTestClient(port).binary()) {
            int sent = 0;
            List<String> what = new ArrayList<>();
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            int selected = -1;
            for (Block block : stream) {
                List<byte[][]> commands = block.commands();
                if (block.db(0) != selected) {
                    selected = block.db(0);
                    batch.writeBytes(encode(select(selected)));
                    what.add("SELECT " + selected);
                    sent++;
                }
                if (commands.size() > 1) {
                    batch.writeBytes(encode(new byte[][] {"MULTI".getBytes(StandardCharsets.US_ASCII)}));
                    what.add("MULTI");
                    sent++;
                }
                for (int i = 0; i < commands.size(); i++) {
                    if (block.db(i) != selected) {
                        selected = block.db(i);
                        batch.writeBytes(encode(select(selected)));
                        what.add("SELECT " + selected);
                        sent++;
                    }
                    batch.writeBytes(encode(shifted(commands.get(i))));
                    what.add(text(commands.get(i)));
                    sent++;
                }
                if (commands.size() > 1) {
                    batch.writeBytes(encode(new byte[][] {"EXEC".getBytes(StandardCharsets.US_ASCII)}));
                    what.add("EXEC of [" + text(commands) + "]");
                    sent++;
                }
            }
            c.send(batch.toByteArray());
            for (int i = 0; i < sent; i++) {
                Object reply = c.read();
                assertThat(reply instanceof RespTestClient.Err).as("reply to %s: %s", what.get(i), reply).isFalse();
                if (reply instanceof List<?> items) {
                    for (Object item : items) {
                        assertThat(item instanceof RespTestClient.Err).as("reply inside EXEC to %s: %s", what.get(i), item).isFalse();
                    }
                }
            }
        }
    }

    /** {@code argv} with its absolute expiry (SET ... PXAT t, PEXPIREAT k t, RESTORE k t ... ABSTTL) {@link #REPLAY_SHIFT_MILLIS} later. */
    static byte[][] shifted(byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.US_ASCII).toUpperCase();
        int at = -1;
        if (name.equals("PEXPIREAT")) {
            at = 2;
        } else if (name.equals("RESTORE") && !new String(argv[2], StandardCharsets.US_ASCII).equals("0")) {
            at = 2;
        } else if (name.equals("SET")) {
            for (int i = 3; i < argv.length - 1; i++) {
                if (new String(argv[i], StandardCharsets.US_ASCII).equalsIgnoreCase("PXAT")) {
                    at = i + 1;
                }
            }
        }
        if (at < 0) {
            return argv;
        }
        byte[][] copy = argv.clone();
        long time = Long.parseLong(new String(argv[at], StandardCharsets.US_ASCII));
        copy[at] = Long.toString(time + REPLAY_SHIFT_MILLIS).getBytes(StandardCharsets.US_ASCII);
        return copy;
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static byte[][] select(int db) {
        return new byte[][] {"SELECT".getBytes(StandardCharsets.US_ASCII), Integer.toString(db).getBytes(StandardCharsets.US_ASCII)};
    }

    private static byte[] encode(byte[][] argv) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("*" + argv.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : argv) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    private static String text(List<byte[][]> block) {
        return String.join(" ; ", block.stream().map(WritePathReplayTest::text).toList());
    }

    private static String text(byte[][] argv) {
        List<String> parts = new ArrayList<>();
        for (byte[] a : argv) {
            parts.add(a.length > 40 ? "<" + a.length + " bytes>" : new String(a, StandardCharsets.ISO_8859_1));
        }
        return String.join(" ", parts);
    }

    /** One key as seen from outside: its type, absolute expiry, contents in a canonical form, and its DUMP. */
    record Key(String type, long expireAt, Object contents, String dump) {
    }

    /** Every key of the mix's databases, by {@code <db>:<name>}. */
    private static Map<String, Key> snapshot(int port) throws Exception {
        Map<String, Key> keys = new LinkedHashMap<>();
        for (String db : DATABASES) {
            keys.putAll(snapshot(port, db));
        }
        return keys;
    }

    private static Map<String, Key> snapshot(int port, String db) throws Exception {
        Map<String, Key> keys = new LinkedHashMap<>();
        try (RespTestClient c = new RespTestClient(port).binary()) {
            assertThat(c.cmd("SELECT", db)).isEqualTo("OK");
            @SuppressWarnings("unchecked")
            List<Object> names = (List<Object>) c.cmd("KEYS", "*");
            for (Object n : new TreeSet<>(names.stream().map(String::valueOf).toList())) {
                String key = (String) n;
                String type = String.valueOf(c.cmd("TYPE", key));
                long expireAt = (Long) c.cmd("PEXPIRETIME", key);
                Object contents = switch (type) {
                    case "string" -> c.cmd("GET", key);
                    case "list" -> c.cmd("LRANGE", key, "0", "-1");
                    case "set" -> new TreeSet<>(((List<?>) c.cmd("SMEMBERS", key)).stream().map(String::valueOf).toList());
                    case "zset" -> c.cmd("ZRANGE", key, "0", "-1", "WITHSCORES");
                    case "hash" -> sortedPairs((List<?>) c.cmd("HGETALL", key));
                    case "stream" -> withoutSeenTimes(c.cmd("XINFO", "STREAM", key, "FULL", "COUNT", "0"));
                    default -> throw new AssertionError("type " + type + " of " + key);
                };
                keys.put(db + ":" + key, new Key(type, expireAt, contents, String.valueOf(c.cmd("DUMP", key))));
            }
        }
        return keys;
    }

    /**
     * A stream as XINFO STREAM FULL shows it (entries, node counts, IDs, groups with their pending
     * entries, delivery times and counts, consumers and theirs), without the consumers' seen times:
     * Redis propagates none (a replica sets its own), nor does this server.
     */
    private static Object withoutSeenTimes(Object reply) {
        if (reply instanceof List<?> items) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                if ("seen-time".equals(String.valueOf(items.get(i))) && i + 1 < items.size()) {
                    i++;
                    continue;
                }
                out.add(withoutSeenTimes(items.get(i)));
            }
            return out;
        }
        return reply;
    }

    /** A stream's DUMP holds its consumers' seen times (see {@link #withoutSeenTimes}): compared by its contents alone. */
    private static boolean streamEncoded(String dump) {
        return !dump.isEmpty() && dump.charAt(0) == 19;
    }

    private static List<String> sortedPairs(List<?> flat) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < flat.size(); i += 2) {
            pairs.add(flat.get(i) + "=" + flat.get(i + 1));
        }
        pairs.sort(null);
        return pairs;
    }

    /**
     * A set or hash DUMPed as a hash table (RDB types 2 and 4) lists its members in its table's order,
     * which depends on the order they were inserted in: the same members replayed (a RESTORE of the
     * payload, then more SADDs) can come out in another order, as two Redis servers' dicts can (seen
     * with seed 45611767840003: a set stored by a command, restored on the replica, then grown by SADD).
     * Their contents are compared above, member by member.
     */
    private static boolean hashTableEncoded(String dump) {
        return !dump.isEmpty() && (dump.charAt(0) == 2 || dump.charAt(0) == 4);
    }

    private static void assertSameKeyspace(Map<String, Key> expected, Map<String, Key> actual, boolean sameDump, String target) {
        assertThat(actual.keySet()).as("keys of the %s", target).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, Key> e : expected.entrySet()) {
            Key want = e.getValue();
            Key got = actual.get(e.getKey());
            assertThat(got.type()).as("type of %s on the %s", e.getKey(), target).isEqualTo(want.type());
            assertThat(got.expireAt()).as("expiry of %s on the %s (replayed an hour later)", e.getKey(), target)
                    .isEqualTo(want.expireAt() < 0 ? want.expireAt() : want.expireAt() + REPLAY_SHIFT_MILLIS);
            assertThat(got.contents()).as("contents of %s on the %s", e.getKey(), target).isEqualTo(want.contents());
            if (sameDump && !hashTableEncoded(want.dump()) && !streamEncoded(want.dump())) {
                assertThat(got.dump()).as("DUMP of %s on the %s", e.getKey(), target).isEqualTo(want.dump());
            }
        }
    }

    // ------------------------------------------------------------------ the mix

    /** The write commands of the demo's command table (flag {@code write}) that change keys. */
    private static Object libraries(int port) throws Exception {
        try (RespTestClient c = new RespTestClient(port)) {
            return RealRedis.listsUnordered(c.cmd("FUNCTION", "LIST", "WITHCODE")); // redis-server lists in its dicts' order
        }
    }

    private static Set<String> writeCommands(TestServices demo) throws Exception {
        Set<String> names = new TreeSet<>();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            for (Object info : (List<?>) c.cmd("COMMAND", "INFO")) {
                collectWrites((List<?>) info, names);
            }
        }
        names.removeAll(WITHOUT_KEYSPACE_EFFECT);
        return names;
    }

    private static void collectWrites(List<?> info, Set<String> names) {
        if (((List<?>) info.get(2)).contains("write")) {
            names.add(String.valueOf(info.get(0)));
        }
        if (info.size() > 9) {
            for (Object sub : (List<?>) info.get(9)) {
                collectWrites((List<?>) sub, names);
            }
        }
    }

    private static void runMix(TestServices demo, Mix mix, long seed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                long writerSeed = seed + w;
                running.add(pool.submit(() -> {
                    writer(demo.respPort(), mix, new Random(writerSeed));
                    return null;
                }));
            }
            running.add(pool.submit(() -> {
                blocker(demo.respPort(), mix, new Random(seed - 1));
                return null;
            }));
            running.add(pool.submit(() -> {
                http(demo.httpPort(), mix, new Random(seed - 2));
                return null;
            }));
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Pipelined batches of random writes, some as transactions (some of those watching a key). */
    private static void writer(int port, Mix mix, Random r) throws Exception {
        try (RespTestClient c = new RespTestClient(port).binary()) {
            int done = 0;
            while (done < COMMANDS_PER_WRITER) {
                List<String[]> batch = new ArrayList<>();
                for (int i = 0; i < 20 && done < COMMANDS_PER_WRITER; i++) {
                    if (r.nextInt(10) == 0) {
                        batch.add(new String[] {"SELECT", pick(r, DATABASES)}); // the client's database from now on
                    }
                    if (r.nextInt(8) == 0) {
                        if (r.nextBoolean()) {
                            batch.add(new String[] {"WATCH", mix.anyKey(r)});
                        }
                        batch.add(new String[] {"MULTI"});
                        for (int n = 1 + r.nextInt(5); n > 0; n--) {
                            if (r.nextInt(4) == 0) {
                                batch.add(new String[] {"SELECT", pick(r, DATABASES)}); // queued: the rest of the transaction, and after
                            }
                            batch.add(mix.next(r, done < COMMANDS_PER_WRITER / 2));
                            done++;
                        }
                        batch.add(new String[] {"EXEC"});
                    } else {
                        batch.add(mix.next(r, done < COMMANDS_PER_WRITER / 2));
                        done++;
                    }
                }
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (String[] cmd : batch) {
                    out.writeBytes(RespTestClient.encode(StandardCharsets.ISO_8859_1, cmd));
                }
                c.send(out.toByteArray());
                for (int i = 0; i < batch.size(); i++) {
                    Object reply;
                    try {
                        reply = c.read();
                    } catch (java.net.SocketTimeoutException e) {
                        throw new AssertionError("no reply to " + String.join(" ", batch.get(i)) + " in the batch "
                                + batch.stream().map(x -> String.join(" ", x)).toList(), e);
                    }
                    noInternalError(reply, batch.get(i));
                }
            }
        }
    }

    /** Errors a random command may earn (WRONGTYPE, a missing key) are fine; a failure of the server is not. */
    private static void noInternalError(Object reply, String[] command) {
        List<?> replies = reply instanceof List<?> items ? items : List.of(reply == null ? "nil" : reply);
        for (Object one : replies) {
            // nor a refusal of keys across shards: scripts whose declared keys span shards run (holding them)
            assertThat(String.valueOf(one)).as("reply to %s", String.join(" ", command)).doesNotContain("internal error")
                    .doesNotContain("CROSSSLOT").doesNotContain("non local key");
        }
    }

    /** Blocking pops that wait a little on keys the writers push to: served, put back, or timed out. */
    private static void blocker(int port, Mix mix, Random r) throws Exception {
        try (RespTestClient c = new RespTestClient(port).binary()) {
            for (int i = 0; i < 150; i++) {
                if (r.nextInt(4) == 0) {
                    assertThat(c.cmd("SELECT", pick(r, DATABASES))).isEqualTo("OK");
                }
                String[] command = mix.blocking(r);
                noInternalError(c.cmd(command), command);
            }
        }
    }

    /** The HTTP /kv API writes through the same path. */
    private static void http(int port, Mix mix, Random r) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            String key = mix.strings.get(r.nextInt(mix.strings.size() - 1)); // not the {tag} key: a URL path wants it encoded
            HttpRequest request = r.nextInt(3) == 0
                    ? HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key)).DELETE().build()
                    : HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                            .PUT(HttpRequest.BodyPublishers.ofString("http" + r.nextInt(100))).build();
            client.send(request, HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Random commands over a fixed pool of keys per type, spread over both shards. */
    static final class Mix {
        final List<String> strings = new ArrayList<>();
        final List<String> lists = new ArrayList<>();
        final List<String> sets = new ArrayList<>();
        final List<String> zsets = new ArrayList<>();
        final List<String> hashes = new ArrayList<>();
        final List<String> bitmaps = new ArrayList<>();
        final List<String> hlls = new ArrayList<>();
        final List<String> payloads = new ArrayList<>();
        /** Streams whose IDs are {@code 1-<n>}: XDEL, XACK and XCLAIM find them by number ({@link #streamId}). */
        final List<String> streams = new ArrayList<>();
        /** A stream of XADD * (IDs of the clock), apart: an ID of the clock would stop {@code 1-<n>} IDs on its key. */
        String clockStream;
        private final java.util.concurrent.atomic.AtomicLong nextSeq = new java.util.concurrent.atomic.AtomicLong(1);
        private final Map<String, Function<Random, String[]>> generators = new LinkedHashMap<>();
        private final long now = System.currentTimeMillis();

        Mix(TestServices demo, long seed) throws Exception {
            for (int i = 0; i < 6; i++) {
                int shard = i % SHARDS;
                strings.add(demo.keyOn(shard, "s" + i + ":"));
                lists.add(demo.keyOn(shard, "l" + i + ":"));
                sets.add(demo.keyOn(shard, "t" + i + ":"));
                zsets.add(demo.keyOn(shard, "z" + i + ":"));
                hashes.add(demo.keyOn(shard, "h" + i + ":"));
                streams.add(demo.keyOn(shard, "x" + i + ":"));
            }
            clockStream = "{tag}x";
            for (int i = 0; i < 3; i++) {
                bitmaps.add(demo.keyOn(i % SHARDS, "b" + i + ":"));
            }
            for (int i = 0; i < 4; i++) {
                hlls.add(demo.keyOn(i % SHARDS, "p" + i + ":"));
            }
            strings.add("{tag}s");
            lists.add("{tag}l");
            sets.add("{tag}t");
            zsets.add("{tag}z");
            // payloads for RESTORE: what DUMP makes of one value of each type (on a scratch key, then deleted)
            try (RespTestClient c = new RespTestClient(demo.respPort()).binary()) {
                String k = "payload:";
                c.cmd("SET", k, "restored");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
                c.cmd("RPUSH", k, "r1", "r2", "r3");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
                c.cmd("SADD", k, "1", "2", "x");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
                c.cmd("ZADD", k, "1.5", "a", "2", "b");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
                c.cmd("HSET", k, "f", "v", "g", "w");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
                c.cmd("XADD", k, "1-1", "f", "v");
                c.cmd("XADD", k, "1-2", "f", "w");
                c.cmd("XGROUP", "CREATE", k, "g1", "0");
                c.cmd("XREADGROUP", "GROUP", "g1", "c1", "COUNT", "1", "STREAMS", k, ">");
                payloads.add((String) c.cmd("DUMP", k));
                c.cmd("DEL", k);
            }
            define();
        }

        Set<String> generated() {
            return generators.keySet();
        }

        /** A random write; FLUSHALL and FLUSHDB wipe what the rest built: only now and then, and not near the end. */
        String[] next(Random r, boolean mayFlush) {
            List<Function<Random, String[]>> all = new ArrayList<>(generators.values());
            String[] cmd = all.get(r.nextInt(all.size())).apply(r);
            if ((cmd[0].equals("FLUSHALL") || cmd[0].equals("FLUSHDB")) && (!mayFlush || r.nextInt(20) != 0)) {
                return next(r, mayFlush);
            }
            if (cmd[0].equals("SWAPDB") && r.nextInt(4) != 0) {
                return next(r, mayFlush); // swapping whole databases: now and then
            }
            return cmd;
        }

        String[] blocking(Random r) {
            String t = "0.0" + (1 + r.nextInt(5));
            return switch (r.nextInt(7)) {
                case 5 -> new String[] {"XREADGROUP", "GROUP", group(r), consumer(r), "BLOCK", Integer.toString(1 + r.nextInt(5)),
                    "COUNT", "2", "STREAMS", pick(r, streams), pick(r, streams), ">", ">"};
                case 6 -> new String[] {"XREAD", "BLOCK", Integer.toString(1 + r.nextInt(5)), "STREAMS", pick(r, streams), "$"};
                case 0 -> new String[] {"BLPOP", pick(r, lists), pick(r, lists), t};
                case 1 -> new String[] {"BLMOVE", pick(r, lists), pick(r, lists), side(r), side(r), t};
                case 2 -> new String[] {"BZPOPMIN", pick(r, zsets), t};
                case 3 -> new String[] {"BLMPOP", t, "2", pick(r, lists), pick(r, lists), side(r), "COUNT", "2"};
                default -> new String[] {"BZMPOP", t, "2", pick(r, zsets), pick(r, zsets), "MAX", "COUNT", "2"};
            };
        }

        String anyKey(Random r) {
            return switch (r.nextInt(6)) {
                case 5 -> pick(r, streams);
                case 0 -> pick(r, strings);
                case 1 -> pick(r, lists);
                case 2 -> pick(r, sets);
                case 3 -> pick(r, zsets);
                default -> pick(r, hashes);
            };
        }

        private void gen(String name, Function<Random, String[]> g) {
            generators.put(name, g);
        }

        private String value(Random r) {
            return r.nextInt(4) == 0 ? Integer.toString(r.nextInt(100)) : "v" + r.nextInt(20);
        }

        private String member(Random r) {
            return r.nextBoolean() ? Integer.toString(r.nextInt(30)) : "m" + r.nextInt(30);
        }

        /** A relative expiry: mostly long (never reached during the test), sometimes a few ms (expires). */
        private String ttlMillis(Random r) {
            return r.nextInt(3) == 0 ? Integer.toString(1 + r.nextInt(40)) : Integer.toString(600_000 + r.nextInt(1000));
        }

        private String atMillis(Random r) {
            return r.nextInt(5) == 0 ? Long.toString(now - 1000) : Long.toString(now + 600_000 + r.nextInt(1000));
        }

        private void define() {
            gen("set", r -> switch (r.nextInt(8)) {
                case 0 -> new String[] {"SET", pick(r, strings), value(r)};
                case 1 -> new String[] {"SET", pick(r, strings), value(r), "PX", ttlMillis(r)};
                case 2 -> new String[] {"SET", pick(r, strings), value(r), "EX", "900"};
                case 3 -> new String[] {"SET", pick(r, strings), value(r), "NX", "GET"};
                case 4 -> new String[] {"SET", pick(r, strings), value(r), "XX", "KEEPTTL"};
                case 5 -> new String[] {"SET", pick(r, strings), value(r), "PXAT", atMillis(r)};
                case 6 -> new String[] {"SET", anyKey(r), value(r)};
                default -> new String[] {"SET", pick(r, strings), value(r), "EXAT", Long.toString(now / 1000 + 900)};
            });
            gen("setnx", r -> new String[] {"SETNX", pick(r, strings), value(r)});
            gen("setex", r -> new String[] {"SETEX", pick(r, strings), "900", value(r)});
            gen("psetex", r -> new String[] {"PSETEX", pick(r, strings), ttlMillis(r), value(r)});
            gen("getset", r -> new String[] {"GETSET", pick(r, strings), value(r)});
            gen("getdel", r -> new String[] {"GETDEL", pick(r, strings)});
            gen("getex", r -> switch (r.nextInt(4)) {
                case 0 -> new String[] {"GETEX", pick(r, strings), "PX", ttlMillis(r)};
                case 1 -> new String[] {"GETEX", pick(r, strings), "PERSIST"};
                case 2 -> new String[] {"GETEX", pick(r, strings), "PXAT", atMillis(r)};
                default -> new String[] {"GETEX", pick(r, strings), "EX", "900"};
            });
            gen("mset", r -> new String[] {"MSET", pick(r, strings), value(r), pick(r, strings), value(r), pick(r, strings), value(r)});
            gen("msetnx", r -> new String[] {"MSETNX", pick(r, strings), value(r), pick(r, strings), value(r)});
            gen("append", r -> new String[] {"APPEND", pick(r, strings), value(r)});
            gen("setrange", r -> new String[] {"SETRANGE", pick(r, strings), Integer.toString(r.nextInt(8)), value(r)});
            gen("incr", r -> new String[] {"INCR", pick(r, strings)});
            gen("decr", r -> new String[] {"DECR", pick(r, strings)});
            gen("incrby", r -> new String[] {"INCRBY", pick(r, strings), Integer.toString(r.nextInt(100) - 50)});
            gen("decrby", r -> new String[] {"DECRBY", pick(r, strings), Integer.toString(r.nextInt(100))});
            gen("incrbyfloat", r -> new String[] {"INCRBYFLOAT", pick(r, strings), r.nextInt(100) / 10.0 + ""});
            gen("setbit", r -> new String[] {"SETBIT", pick(r, bitmaps), Integer.toString(r.nextInt(200)), Integer.toString(r.nextInt(2))});
            gen("bitop", r -> new String[] {"BITOP", pick(r, List.of("AND", "OR", "XOR")), pick(r, bitmaps), pick(r, bitmaps), pick(r, bitmaps)});
            gen("bitfield", r -> new String[] {"BITFIELD", pick(r, bitmaps), "SET", "u8", "#" + r.nextInt(10), Integer.toString(r.nextInt(256)),
                "INCRBY", "i5", Integer.toString(r.nextInt(40)), Integer.toString(r.nextInt(9))});
            gen("del", r -> new String[] {"DEL", anyKey(r), anyKey(r)});
            gen("unlink", r -> new String[] {"UNLINK", anyKey(r)});
            gen("expire", r -> r.nextInt(6) == 0 ? new String[] {"EXPIRE", anyKey(r), "-1"}
                    : new String[] {"EXPIRE", anyKey(r), "900", pick(r, List.of("NX", "XX", "GT", "LT"))});
            gen("pexpire", r -> new String[] {"PEXPIRE", anyKey(r), ttlMillis(r)});
            gen("expireat", r -> new String[] {"EXPIREAT", anyKey(r), Long.toString(now / 1000 + 900)});
            gen("pexpireat", r -> new String[] {"PEXPIREAT", anyKey(r), atMillis(r)});
            gen("persist", r -> new String[] {"PERSIST", anyKey(r)});
            gen("rename", r -> new String[] {"RENAME", anyKey(r), anyKey(r)});
            gen("renamenx", r -> new String[] {"RENAMENX", anyKey(r), anyKey(r)});
            gen("copy", r -> switch (r.nextInt(3)) {
                case 0 -> new String[] {"COPY", anyKey(r), anyKey(r)};
                case 1 -> new String[] {"COPY", anyKey(r), anyKey(r), "REPLACE"};
                default -> new String[] {"COPY", anyKey(r), anyKey(r), "DB", WritePathReplayTest.pick(r, DATABASES), "REPLACE"};
            });
            gen("move", r -> new String[] {"MOVE", anyKey(r), WritePathReplayTest.pick(r, DATABASES)});
            gen("swapdb", r -> new String[] {"SWAPDB", WritePathReplayTest.pick(r, DATABASES), WritePathReplayTest.pick(r, DATABASES)});
            gen("restore", r -> new String[] {"RESTORE", anyKey(r), r.nextBoolean() ? "0" : ttlMillis(r), pick(r, payloads), "REPLACE"});
            gen("restore-asking", r -> new String[] {"RESTORE-ASKING", anyKey(r), r.nextBoolean() ? "0" : ttlMillis(r), pick(r, payloads), "REPLACE"});
            gen("sort", r -> switch (r.nextInt(3)) {
                case 0 -> new String[] {"SORT", pick(r, lists), "ALPHA", "STORE", pick(r, lists)};
                case 1 -> new String[] {"SORT", pick(r, sets), "ALPHA", "LIMIT", "0", "5", "STORE", pick(r, lists)};
                default -> new String[] {"SORT", pick(r, zsets), "BY", "nosort", "GET", "#", "STORE", pick(r, lists)};
            });
            gen("flushall", r -> new String[] {"FLUSHALL"});
            gen("flushdb", r -> new String[] {"FLUSHDB"});
            // hashes
            gen("hset", r -> new String[] {"HSET", pick(r, hashes), "f" + r.nextInt(8), value(r), "f" + r.nextInt(8), value(r)});
            gen("hmset", r -> new String[] {"HMSET", pick(r, hashes), "f" + r.nextInt(8), value(r)});
            gen("hsetnx", r -> new String[] {"HSETNX", pick(r, hashes), "f" + r.nextInt(8), value(r)});
            gen("hdel", r -> new String[] {"HDEL", pick(r, hashes), "f" + r.nextInt(8), "f" + r.nextInt(8)});
            gen("hincrby", r -> new String[] {"HINCRBY", pick(r, hashes), "n" + r.nextInt(3), Integer.toString(r.nextInt(10))});
            gen("hincrbyfloat", r -> new String[] {"HINCRBYFLOAT", pick(r, hashes), "x" + r.nextInt(3), r.nextInt(50) / 10.0 + ""});
            // sets
            gen("sadd", r -> new String[] {"SADD", pick(r, sets), member(r), member(r), member(r)});
            gen("srem", r -> new String[] {"SREM", pick(r, sets), member(r), member(r)});
            gen("spop", r -> r.nextBoolean() ? new String[] {"SPOP", pick(r, sets)} : new String[] {"SPOP", pick(r, sets), Integer.toString(r.nextInt(4))});
            gen("sinterstore", r -> new String[] {"SINTERSTORE", pick(r, sets), pick(r, sets), pick(r, sets)});
            gen("sunionstore", r -> new String[] {"SUNIONSTORE", pick(r, sets), pick(r, sets), pick(r, sets)});
            gen("sdiffstore", r -> new String[] {"SDIFFSTORE", pick(r, sets), pick(r, sets), pick(r, sets)});
            gen("smove", r -> new String[] {"SMOVE", pick(r, sets), pick(r, sets), member(r)});
            // lists
            gen("lpush", r -> new String[] {"LPUSH", pick(r, lists), value(r), value(r)});
            gen("rpush", r -> new String[] {"RPUSH", pick(r, lists), value(r), value(r), value(r)});
            gen("lpushx", r -> new String[] {"LPUSHX", pick(r, lists), value(r)});
            gen("rpushx", r -> new String[] {"RPUSHX", pick(r, lists), value(r)});
            gen("lpop", r -> r.nextBoolean() ? new String[] {"LPOP", pick(r, lists)} : new String[] {"LPOP", pick(r, lists), "2"});
            gen("rpop", r -> new String[] {"RPOP", pick(r, lists)});
            gen("lset", r -> new String[] {"LSET", pick(r, lists), Integer.toString(r.nextInt(3)), value(r)});
            gen("linsert", r -> new String[] {"LINSERT", pick(r, lists), r.nextBoolean() ? "BEFORE" : "AFTER", value(r), value(r)});
            gen("lrem", r -> new String[] {"LREM", pick(r, lists), Integer.toString(r.nextInt(3) - 1), value(r)});
            gen("ltrim", r -> new String[] {"LTRIM", pick(r, lists), "0", Integer.toString(5 + r.nextInt(10))});
            gen("rpoplpush", r -> new String[] {"RPOPLPUSH", pick(r, lists), pick(r, lists)});
            gen("lmove", r -> new String[] {"LMOVE", pick(r, lists), pick(r, lists), side(r), side(r)});
            gen("lmpop", r -> new String[] {"LMPOP", "2", pick(r, lists), pick(r, lists), side(r), "COUNT", "2"});
            gen("blpop", r -> new String[] {"BLPOP", pick(r, lists), "0.01"});
            gen("brpop", r -> new String[] {"BRPOP", pick(r, lists), pick(r, lists), "0.01"});
            gen("blmove", r -> new String[] {"BLMOVE", pick(r, lists), pick(r, lists), side(r), side(r), "0.01"});
            gen("brpoplpush", r -> new String[] {"BRPOPLPUSH", pick(r, lists), pick(r, lists), "0.01"});
            gen("blmpop", r -> new String[] {"BLMPOP", "0.01", "1", pick(r, lists), side(r)});
            // sorted sets
            gen("zadd", r -> switch (r.nextInt(3)) {
                case 0 -> new String[] {"ZADD", pick(r, zsets), Integer.toString(r.nextInt(20)), member(r), r.nextInt(20) / 4.0 + "", member(r)};
                case 1 -> new String[] {"ZADD", pick(r, zsets), "GT", "CH", Integer.toString(r.nextInt(20)), member(r)};
                default -> new String[] {"ZADD", pick(r, zsets), "INCR", "1.25", member(r)};
            });
            gen("zincrby", r -> new String[] {"ZINCRBY", pick(r, zsets), r.nextInt(10) / 3.0 + "", member(r)});
            gen("zrem", r -> new String[] {"ZREM", pick(r, zsets), member(r), member(r)});
            gen("zrangestore", r -> new String[] {"ZRANGESTORE", pick(r, zsets), pick(r, zsets), "0", Integer.toString(r.nextInt(6))});
            gen("zpopmin", r -> new String[] {"ZPOPMIN", pick(r, zsets), Integer.toString(1 + r.nextInt(2))});
            gen("zpopmax", r -> new String[] {"ZPOPMAX", pick(r, zsets)});
            gen("zmpop", r -> new String[] {"ZMPOP", "2", pick(r, zsets), pick(r, zsets), r.nextBoolean() ? "MIN" : "MAX", "COUNT", "2"});
            gen("bzpopmin", r -> new String[] {"BZPOPMIN", pick(r, zsets), "0.01"});
            gen("bzpopmax", r -> new String[] {"BZPOPMAX", pick(r, zsets), pick(r, zsets), "0.01"});
            gen("bzmpop", r -> new String[] {"BZMPOP", "0.01", "1", pick(r, zsets), "MIN"});
            gen("zremrangebyrank", r -> new String[] {"ZREMRANGEBYRANK", pick(r, zsets), "0", Integer.toString(r.nextInt(2))});
            gen("zremrangebyscore", r -> new String[] {"ZREMRANGEBYSCORE", pick(r, zsets), "0", Integer.toString(r.nextInt(5))});
            gen("zremrangebylex", r -> new String[] {"ZREMRANGEBYLEX", pick(r, zsets), "[m1", "[m2"});
            gen("zunionstore", r -> new String[] {"ZUNIONSTORE", pick(r, zsets), "2", pick(r, zsets), pick(r, sets), "WEIGHTS", "1", "2"});
            gen("zinterstore", r -> new String[] {"ZINTERSTORE", pick(r, zsets), "2", pick(r, zsets), pick(r, zsets), "AGGREGATE", "MAX"});
            gen("zdiffstore", r -> new String[] {"ZDIFFSTORE", pick(r, zsets), "2", pick(r, zsets), pick(r, zsets)});
            // geospatial indexes: sorted sets whose scores are positions (the mix's small scores sit near -180,-85)
            gen("geoadd", r -> {
                String option = pick(r, List.of("", "", "NX", "XX", "CH"));
                List<String> c = new ArrayList<>(List.of("GEOADD", pick(r, zsets)));
                if (!option.isEmpty()) {
                    c.add(option);
                }
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    c.addAll(List.of(longitude(r), latitude(r), member(r)));
                }
                return c.toArray(new String[0]);
            });
            gen("georadius", r -> new String[] {"GEORADIUS", pick(r, zsets), longitude(r), latitude(r), radius(r), "km",
                r.nextBoolean() ? "STORE" : "STOREDIST", pick(r, zsets), "COUNT", Integer.toString(1 + r.nextInt(5))});
            gen("georadiusbymember", r -> new String[] {"GEORADIUSBYMEMBER", pick(r, zsets), member(r), radius(r), "km",
                r.nextBoolean() ? "STORE" : "STOREDIST", pick(r, zsets), "DESC"});
            gen("geosearchstore", r -> r.nextBoolean()
                    ? new String[] {"GEOSEARCHSTORE", pick(r, zsets), pick(r, zsets), "FROMLONLAT", longitude(r), latitude(r), "BYBOX",
                        radius(r), radius(r), "km", "STOREDIST"}
                    : new String[] {"GEOSEARCHSTORE", pick(r, zsets), pick(r, zsets), "FROMMEMBER", member(r), "BYRADIUS", radius(r), "km"});
            // HyperLogLogs: strings in Redis's HLL format, sparse and (past a few thousand elements) dense
            gen("pfadd", r -> {
                List<String> c = new ArrayList<>(List.of("PFADD", pick(r, hlls)));
                for (int i = r.nextInt(8) == 0 ? 1500 : r.nextInt(6); i > 0; i--) {
                    c.add("e" + r.nextInt(100_000));
                }
                return c.toArray(new String[0]);
            });
            gen("pfmerge", r -> new String[] {"PFMERGE", pick(r, hlls), pick(r, hlls), pick(r, hlls)});
            gen("pfcount", r -> new String[] {"PFCOUNT", pick(r, hlls)}); // writes the cardinality it caches in the value
            gen("pfdebug", r -> new String[] {"PFDEBUG", r.nextBoolean() ? "TODENSE" : "GETREG", pick(r, hlls)});
            defineStreams();
            // the libraries change on every shard, ordered by shard 0; a function's writes replicate as their effects
            String payload = new String(io.percore.demo.rdb.FunctionPayload.dump(List.of(LIBRARY.getBytes(StandardCharsets.ISO_8859_1),
                    OTHER_LIBRARY.getBytes(StandardCharsets.ISO_8859_1))), StandardCharsets.ISO_8859_1);
            gen("function|load", r -> r.nextInt(4) == 0 ? new String[] {"FUNCTION", "LOAD", OTHER_LIBRARY}
                    : new String[] {"FUNCTION", "LOAD", "REPLACE", LIBRARY});
            gen("function|delete", r -> new String[] {"FUNCTION", "DELETE", r.nextBoolean() ? "mixlib" : "mixother"});
            gen("function|flush", r -> r.nextBoolean() ? new String[] {"FUNCTION", "FLUSH"} : new String[] {"FUNCTION", "FLUSH", "ASYNC"});
            gen("function|restore", r -> new String[] {"FUNCTION", "RESTORE", payload, r.nextBoolean() ? "REPLACE" : "FLUSH"});
            gen("fcall", r -> {
                int i = r.nextInt(strings.size());
                return r.nextInt(3) == 0 ? new String[] {"FCALL_RO", "mixread", "1", strings.get(i)}
                        : new String[] {"FCALL", "mixset", "2", strings.get(i), lists.get(i), value(r)};
            });
            // a script's writes are one group of effects; its keys on one shard (a string and a list of the same index share one),
            // or on several (keys of other indices): the script holds their shards and writes on each of them
            gen("eval", r -> {
                int i = r.nextInt(strings.size());
                String[] keys = {strings.get(i), lists.get(i)};
                String otherString = pick(r, strings);
                String otherList = pick(r, lists);
                return switch (r.nextInt(7)) {
                    case 4 -> new String[] {"EVAL", "redis.call('SET', KEYS[1], ARGV[1]) redis.call('RPUSH', KEYS[2], ARGV[1], 'y')"
                            + " redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') return redis.call('COPY', KEYS[1], KEYS[4], 'REPLACE')",
                        "4", keys[0], keys[1], otherList, otherString, value(r)};
                    // fails after writes on two shards, which stay
                    case 5 -> new String[] {"EVAL", "redis.call('INCR', KEYS[2]) redis.call('RPUSH', KEYS[3], ARGV[1]) return redis.call('INCR', KEYS[3])",
                        "3", keys[0], otherString, otherList, value(r)};
                    case 6 -> new String[] {"EVAL", "redis.call('PEXPIRE', KEYS[2], ARGV[1]) redis.call('DEL', KEYS[1])"
                            + " return redis.call('MSET', KEYS[1], ARGV[1], KEYS[2], ARGV[1])", "2", otherString, keys[0], ttlMillis(r)};
                    case 0 -> new String[] {"EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('RPUSH', KEYS[2], ARGV[1])",
                        "2", keys[0], keys[1], value(r)};
                    case 1 -> new String[] {"EVAL", "redis.pcall('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return redis.call('LPOP', KEYS[2])",
                        "2", keys[0], keys[1], ttlMillis(r)};
                    // fails after its first write, which stays (Redis has no rollback)
                    case 2 -> new String[] {"EVAL", "redis.call('APPEND', KEYS[1], ARGV[1]) return redis.call('LPUSH', KEYS[1], 'x')",
                        "1", keys[0], value(r)};
                    default -> new String[] {"EVAL", "redis.call('RPUSH', KEYS[1], ARGV[1], ARGV[1]) redis.call('LTRIM', KEYS[1], 0, 4) return redis.call('DEL', KEYS[2])",
                        "2", keys[1], keys[0], value(r)};
                };
            });
        }

        private static String longitude(Random r) {
            return r.nextBoolean() ? Double.toString(-180 + r.nextDouble() * 0.1) : Double.toString(-180 + r.nextDouble() * 360);
        }

        private static String latitude(Random r) {
            return r.nextBoolean() ? Double.toString(-85 + r.nextDouble() * 0.1) : Double.toString(-85 + r.nextDouble() * 170);
        }

        /** Kilometers: mostly a few hundred, now and then the whole earth. */
        private static String radius(Random r) {
            return r.nextInt(4) == 0 ? "25000" : Integer.toString(1 + r.nextInt(800));
        }

        private String streamId(Random r) {
            return "1-" + (1 + r.nextInt((int) Math.min(Integer.MAX_VALUE - 1, nextSeq.get())));
        }

        private static String group(Random r) {
            return "g" + (1 + r.nextInt(2));
        }

        private static String consumer(Random r) {
            return "c" + (1 + r.nextInt(3));
        }

        /** A stream key: mostly one of {@code 1-<n>} IDs, sometimes the one of clock IDs. */
        private String stream(Random r) {
            return r.nextInt(8) == 0 ? clockStream : pick(r, streams);
        }

        private void defineStreams() {
            gen("xadd", r -> {
                String key = pick(r, streams);
                return switch (r.nextInt(9)) {
                    case 0 -> new String[] {"XADD", key, "1-*", "f", value(r)};
                    case 1 -> new String[] {"XADD", key, "MAXLEN", "~", Integer.toString(r.nextInt(12)), "1-*", "f", value(r), "g", value(r)};
                    case 2 -> new String[] {"XADD", key, "MAXLEN", "=", Integer.toString(r.nextInt(12)), "1-" + nextSeq.incrementAndGet(), "f", value(r)};
                    case 3 -> new String[] {"XADD", key, "MINID", "~", streamId(r), "LIMIT", Integer.toString(r.nextInt(8)), "1-*", "f", value(r)};
                    case 4 -> new String[] {"XADD", key, "NOMKSTREAM", "1-*", "other", value(r)};
                    case 5 -> new String[] {"XADD", clockStream, "*", "f", value(r)};
                    case 6 -> new String[] {"XADD", clockStream, "MAXLEN", "~", "4", "*", "f", value(r)};
                    case 7 -> new String[] {"XADD", key, "MINID", streamId(r), "1-" + nextSeq.incrementAndGet(), "f", value(r)};
                    default -> new String[] {"XADD", key, "1-" + nextSeq.incrementAndGet(), "f", value(r), "g", value(r)};
                };
            });
            gen("xdel", r -> new String[] {"XDEL", pick(r, streams), streamId(r), streamId(r)});
            gen("xtrim", r -> switch (r.nextInt(4)) {
                case 0 -> new String[] {"XTRIM", stream(r), "MAXLEN", "~", Integer.toString(r.nextInt(10))};
                case 1 -> new String[] {"XTRIM", stream(r), "MAXLEN", Integer.toString(r.nextInt(10))};
                case 2 -> new String[] {"XTRIM", pick(r, streams), "MINID", "~", streamId(r), "LIMIT", "6"};
                default -> new String[] {"XTRIM", pick(r, streams), "MINID", "=", streamId(r)};
            });
            gen("xsetid", r -> new String[] {"XSETID", pick(r, streams), "1-" + (nextSeq.get() + r.nextInt(3))});
            gen("xgroup|create", r -> switch (r.nextInt(3)) {
                case 0 -> new String[] {"XGROUP", "CREATE", stream(r), group(r), "$", "MKSTREAM"};
                case 1 -> new String[] {"XGROUP", "CREATE", pick(r, streams), group(r), "0", "ENTRIESREAD", "0"};
                default -> new String[] {"XGROUP", "CREATE", pick(r, streams), group(r), streamId(r), "MKSTREAM"};
            });
            gen("xgroup|setid", r -> r.nextBoolean() ? new String[] {"XGROUP", "SETID", stream(r), group(r), "$"}
                    : new String[] {"XGROUP", "SETID", pick(r, streams), group(r), streamId(r), "ENTRIESREAD", Integer.toString(r.nextInt(5))});
            gen("xgroup|destroy", r -> new String[] {"XGROUP", "DESTROY", stream(r), group(r)});
            gen("xgroup|createconsumer", r -> new String[] {"XGROUP", "CREATECONSUMER", stream(r), group(r), consumer(r)});
            gen("xgroup|delconsumer", r -> new String[] {"XGROUP", "DELCONSUMER", stream(r), group(r), consumer(r)});
            gen("xreadgroup", r -> switch (r.nextInt(4)) {
                case 0 -> new String[] {"XREADGROUP", "GROUP", group(r), consumer(r), "NOACK", "COUNT", "2", "STREAMS", stream(r), ">"};
                case 1 -> new String[] {"XREADGROUP", "GROUP", group(r), consumer(r), "STREAMS", pick(r, streams), "0"};
                case 2 -> new String[] {"XREADGROUP", "GROUP", group(r), consumer(r), "COUNT", "3", "STREAMS", pick(r, streams),
                    pick(r, streams), ">", ">"};
                default -> new String[] {"XREADGROUP", "GROUP", group(r), consumer(r), "COUNT", "2", "STREAMS", stream(r), ">"};
            });
            gen("xack", r -> new String[] {"XACK", pick(r, streams), group(r), streamId(r), streamId(r)});
            gen("xclaim", r -> switch (r.nextInt(4)) {
                case 0 -> new String[] {"XCLAIM", pick(r, streams), group(r), consumer(r), "0", streamId(r), streamId(r)};
                case 1 -> new String[] {"XCLAIM", pick(r, streams), group(r), consumer(r), "0", streamId(r), "JUSTID", "RETRYCOUNT", "7"};
                case 2 -> new String[] {"XCLAIM", pick(r, streams), group(r), consumer(r), "0", streamId(r), "FORCE", "TIME",
                    Long.toString(now - 5000), "LASTID", streamId(r)};
                default -> new String[] {"XCLAIM", pick(r, streams), group(r), consumer(r), "0", streamId(r), "IDLE", "5000"};
            });
            gen("xautoclaim", r -> r.nextBoolean() ? new String[] {"XAUTOCLAIM", pick(r, streams), group(r), consumer(r), "0", "0", "COUNT", "3"}
                    : new String[] {"XAUTOCLAIM", stream(r), group(r), consumer(r), "0", "-", "JUSTID"});
        }

        private static String side(Random r) {
            return r.nextBoolean() ? "LEFT" : "RIGHT";
        }

        private static String pick(Random r, List<String> from) {
            return from.get(r.nextInt(from.size()));
        }
    }
}
