package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.kv.EncodingLimits;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import io.percore.demo.resp.BulkReply;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;

/**
 * Issue 13: hashes on one shard's store. Replies and errors are compared with redis-server in
 * {@code RedisParityTest.hashesAreRedises}; here, what a client cannot see: the memory budget
 * follows every in-place change of a hash exactly, an emptied hash is no key, and a hash too large
 * for the budget is refused before it is built.
 */
class HashCommandsTest {

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void theBudgetFollowsEveryChangeAndReturnsToZero() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        HashCommands.hset(store, argv("HSET", "h", "a", "1", "b", "2"), now);
        long two = store.memory().usedBytes();
        assertThat(two).isPositive();
        HashCommands.hset(store, argv("HSET", "h", "c", "3"), now);
        assertThat(store.memory().usedBytes()).as("a listpack grows by its bytes").isEqualTo(two + 8);
        HashCommands.hset(store, argv("HSET", "h", "c", "x".repeat(1000)), now);
        long big = store.memory().usedBytes();
        assertThat(big).as("a 1,000-byte value counted (and the hash is a table now)").isGreaterThan(two + 1000);
        HashCommands.hset(store, argv("HSET", "h", "c", "3"), now);
        long three = store.memory().usedBytes();
        assertThat(three).as("overwritten with a short value").isLessThan(big - 900);
        HashCommands.hincrby(store, argv("HINCRBY", "h", "n", "12345"), now);
        HashCommands.hincrbyfloat(store, argv("HINCRBYFLOAT", "h", "f", "1.5"), now);
        HashCommands.hdel(store, argv("HDEL", "h", "n", "f"), now);
        assertThat(store.memory().usedBytes()).as("back to three fields").isEqualTo(three);
        HashCommands.hdel(store, argv("HDEL", "h", "a", "b", "c"), now);
        assertThat(store.typeOf("h".getBytes(StandardCharsets.UTF_8), now)).as("an emptied hash is no key").isNull();
        assertThat(store.memory().usedBytes()).isZero();

        HashCommands.hset(store, argv("HSET", "h2", "a", "1"), now);
        store.delete("h2".getBytes(StandardCharsets.UTF_8), now);
        assertThat(store.memory().usedBytes()).as("DEL of a hash").isZero();
    }

    /** Every change of a listpack hash, through its conversion to a table, is counted; emptying it returns the budget to zero. */
    @Test
    void theBudgetFollowsAListpackThroughItsConversion() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        byte[] key = "h".getBytes(StandardCharsets.UTF_8);
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < 140; i++) {
            commands.add(new String[] {"HSET", "h", "f" + i, "v" + i});
            if (i % 10 == 9) {
                commands.add(new String[] {"HDEL", "h", "f" + (i / 2)});
                commands.add(new String[] {"HINCRBY", "h", "n", "1000"});
                commands.add(new String[] {"HSETNX", "h", "nx" + i, "1"});
            }
        }
        for (String[] c : commands) {
            byte[][] a = argv(c);
            switch (c[0]) {
                case "HSET" -> HashCommands.hset(store, a, now);
                case "HDEL" -> HashCommands.hdel(store, a, now);
                case "HINCRBY" -> HashCommands.hincrby(store, a, now);
                default -> HashCommands.hsetnx(store, a, now);
            }
            assertThat(store.memory().usedBytes()).as(String.join(" ", c)).isEqualTo(store.memoryUsage(key, now));
            store.settle(); // as the shard's write path after each command: a listpack packed in the key's record
            assertThat(store.memory().usedBytes()).as("packed after " + String.join(" ", c)).isEqualTo(store.memoryUsage(key, now));
        }
        assertThat(store.readHash(key, now).encoding()).isEqualTo("hashtable");
        List<String> all = new ArrayList<>(List.of("HDEL", "h"));
        store.readHash(key, now).keys().forEach(f -> all.add(new String(f, StandardCharsets.UTF_8)));
        HashCommands.hdel(store, argv(all.toArray(String[]::new)), now);
        assertThat(store.size()).isZero();
        assertThat(store.memory().usedBytes()).isZero();
    }

    /** No path makes a listpack large: many fields in one HSET, a value grown by HINCRBYFLOAT, a long HSETNX. */
    @Test
    void everyWayOfGrowingAHashConvertsIt() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        List<String> many = new ArrayList<>(List.of("HSET", "many"));
        for (int i = 0; i < 5_000; i++) {
            many.add("f" + i);
            many.add("v");
        }
        HashCommands.hset(store, argv(many.toArray(String[]::new)), now);
        assertThat(store.readHash(b("many"), now).encoding()).as("5,000 fields in one HSET").isEqualTo("hashtable");
        assertThat(store.readHash(b("many"), now).size()).isEqualTo(5_000);

        HashCommands.hset(store, argv("HSET", "f", "x", "1"), now);
        HashCommands.hincrbyfloat(store, argv("HINCRBYFLOAT", "f", "x", "1e60"), now);
        assertThat(store.readHash(b("f"), now).encoding()).as("a 61-digit value").isEqualTo("listpack");
        HashCommands.hincrbyfloat(store, argv("HINCRBYFLOAT", "f", "x", "1e70"), now);
        assertThat(store.readHash(b("f"), now).encoding()).as("a 71-digit value").isEqualTo("hashtable");

        HashCommands.hset(store, argv("HSET", "i", "x", "1"), now);
        HashCommands.hincrby(store, argv("HINCRBY", "i", "x", "9223372036854775806"), now);
        assertThat(store.readHash(b("i"), now).encoding()).as("19 digits").isEqualTo("listpack");

        HashCommands.hsetnx(store, argv("HSETNX", "n", "x", "y".repeat(65)), now);
        assertThat(store.readHash(b("n"), now).encoding()).isEqualTo("hashtable");
        HashCommands.hmset(store, argv("HMSET", "m", "a", "1", "z".repeat(65), "2"), now);
        assertThat(store.readHash(b("m"), now).encoding()).isEqualTo("hashtable");
        assertThat(store.readHash(b("m"), now).keys()).extracting(f -> new String(f, StandardCharsets.UTF_8))
                .containsExactly("a", "z".repeat(65));

        EncodingLimits defaults = EncodingLimits.DEFAULT;
        store.encodings(new EncodingLimits(defaults.zset(), new HashValue.Limits(4, 3), defaults.set(), defaults.stream(),
                defaults.hllSparseMaxBytes()));
        HashCommands.hset(store, argv("HSET", "small", "a", "123", "b", "1"), now);
        assertThat(store.readHash(b("small"), now).encoding()).isEqualTo("listpack");
        HashCommands.hset(store, argv("HSET", "small", "c", "1234"), now);
        assertThat(store.readHash(b("small"), now).encoding()).as("the shard's own limits").isEqualTo("hashtable");
    }

    /** CONFIG SET hash-max-listpack-* reaches every shard, as zset-max-listpack-* does. */
    @Test
    void configSetTakesEffectOnEveryShard() throws Exception {
        try (io.percore.demo.support.TestServices services = io.percore.demo.support.TestServices.start(2, io.percore.demo.DemoSettings.forTests());
             io.percore.demo.support.RespTestClient client = new io.percore.demo.support.RespTestClient(services.respPort())) {
            assertThat(client.cmd("CONFIG", "SET", "hash-max-listpack-entries", "2", "hash-max-ziplist-value", "5")).isEqualTo("OK");
            for (int shard = 0; shard < 2; shard++) {
                String three = services.keyOn(shard, "three");
                String two = services.keyOn(shard, "two");
                String longValue = services.keyOn(shard, "long");
                client.cmd("HSET", three, "a", "1", "b", "2", "c", "3");
                client.cmd("HSET", two, "a", "12345", "b", "2");
                client.cmd("HSET", longValue, "a", "123456");
                assertThat(encoding(services, shard, three)).isEqualTo("hashtable");
                assertThat(encoding(services, shard, two)).isEqualTo("listpack");
                assertThat(encoding(services, shard, longValue)).isEqualTo("hashtable");
            }
        }
    }

    private static String encoding(io.percore.demo.support.TestServices services, int shard, String key) throws Exception {
        return services.engine.submitTo(shard, () -> services.service.keyspace()
                .invokeOn(shard, st -> st.store().readHash(b(key), System.currentTimeMillis()).encoding()).getNow()).get();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHashLargerThanTheBudgetIsRefusedBeforeItIsBuilt() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        store.budget(new MemoryBudget(10_000, MaxmemoryPolicy.NOEVICTION, 5));
        List<String> args = new ArrayList<>(List.of("HSET", "h"));
        for (int i = 0; i < 10; i++) {
            args.add("f" + i);
            args.add("x".repeat(2_000));
        }
        assertThatThrownBy(() -> HashCommands.hset(store, argv(args.toArray(String[]::new)), System.currentTimeMillis()))
                .isInstanceOf(OutOfBudgetException.class);
        assertThat(store.memory().usedBytes()).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void randomFieldsWithRepeatsAreBoundedAndDistinctOnesAreDistinct() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        HashCommands.hset(store, argv("HSET", "h", "a", "1", "b", "2", "c", "3"), now);
        assertThatThrownBy(() -> HashCommands.hrandfield(store, argv("HRANDFIELD", "h", "-2000000"), now))
                .isInstanceOf(RespError.class).hasMessage("ERR value is out of range");
        var distinct = (io.netty.handler.codec.redis.ArrayRedisMessage) HashCommands.hrandfield(store, argv("HRANDFIELD", "h", "3"), now);
        assertThat(distinct.children()).extracting(m -> new String(((BulkReply) m).value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("a", "b", "c");
        assertThat(store.typeOf("h".getBytes(StandardCharsets.UTF_8), now)).isSameAs(ValueType.HASH);
    }

    /** Lists and sets: every in-place change is counted, and emptying them returns the budget to zero. */
    @Test
    void listsAndSetsReturnTheBudgetToZero() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        for (int i = 0; i < 100; i++) {
            ListCommands.rpush(store, argv("RPUSH", "l", "e" + i), now);
            ListCommands.lpush(store, argv("LPUSH", "l", "f" + i), now);
            SetCommands.sadd(store, argv("SADD", "s", "m" + i), now);
        }
        assertThat(store.memory().usedBytes()).isGreaterThan(200 * 24);
        ListCommands.linsert(store, argv("LINSERT", "l", "BEFORE", "e50", "x".repeat(500)), now);
        ListCommands.lset(store, argv("LSET", "l", "0", "y".repeat(300)), now);
        ListCommands.ltrim(store, argv("LTRIM", "l", "10", "-10"), now);
        ListCommands.lrem(store, argv("LREM", "l", "0", "e60"), now);
        ListCommands.lpop(store, argv("LPOP", "l", "1000"), now);
        assertThat(store.typeOf("l".getBytes(StandardCharsets.UTF_8), now)).isNull();
        SetCommands.spop(store, argv("SPOP", "s", "60"), now);
        List<String> rest = new ArrayList<>(List.of("SREM", "s"));
        for (int i = 0; i < 100; i++) {
            rest.add("m" + i);
        }
        SetCommands.srem(store, argv(rest.toArray(String[]::new)), now);
        assertThat(store.size()).isZero();
        assertThat(store.memory().usedBytes()).isZero();
    }

    /**
     * What a peer controls must not cost a shard quadratic time: LREM over a long list of equal
     * elements and HRANDFIELD with a large negative count on a large hash each walked the aggregate
     * once per element (minutes at these sizes); both are one pass now.
     */
    @Test
    void largeLremAndHrandfieldStayLinear() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        List<String> push = new ArrayList<>(List.of("RPUSH", "l"));
        List<String> hset = new ArrayList<>(List.of("HSET", "h"));
        for (int i = 0; i < 200_000; i++) {
            push.add(i % 10 == 0 ? "keep" + i : "x");
            if (i < 100_000) {
                hset.add("f" + i);
                hset.add("v");
            }
        }
        ListCommands.rpush(store, argv(push.toArray(String[]::new)), now);
        HashCommands.hset(store, argv(hset.toArray(String[]::new)), now);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            assertThat(((io.netty.handler.codec.redis.IntegerRedisMessage) ListCommands.lrem(store, argv("LREM", "l", "0", "x"), now)).value())
                    .isEqualTo(180_000);
            var picks = (Resp3Replies.PairsReply) HashCommands.hrandfield(store, argv("HRANDFIELD", "h", "-1000000", "WITHVALUES"), now);
            assertThat(picks.firstsAndSeconds()).hasSize(2_000_000);
        });
        var rest = (io.percore.demo.resp.BulkArrayReply) ListCommands.lrange(store, argv("LRANGE", "l", "0", "2"), now);
        assertThat(rest.items()).extracting(m -> new String(m, StandardCharsets.UTF_8))
                .containsExactly("keep0", "keep10", "keep20");
        ListCommands.lrem(store, argv("LREM", "l", "-2", "keep199990"), now);
        assertThat(((io.netty.handler.codec.redis.IntegerRedisMessage) ListCommands.llen(store, argv("LLEN", "l"), now)).value()).isEqualTo(19_999);
    }
}
