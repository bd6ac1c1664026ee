package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        long two = store.usedBytes();
        assertThat(two).isPositive();
        HashCommands.hset(store, argv("HSET", "h", "c", "x".repeat(1000)), now);
        assertThat(store.usedBytes()).as("a 1,000-byte value counted").isGreaterThan(two + 1000);
        HashCommands.hset(store, argv("HSET", "h", "c", "3"), now);
        long three = store.usedBytes();
        assertThat(three).as("overwritten with a short value").isLessThan(two + 200);
        HashCommands.hincrby(store, argv("HINCRBY", "h", "n", "12345"), now);
        HashCommands.hincrbyfloat(store, argv("HINCRBYFLOAT", "h", "f", "1.5"), now);
        HashCommands.hdel(store, argv("HDEL", "h", "n", "f"), now);
        assertThat(store.usedBytes()).as("back to three fields").isEqualTo(three);
        HashCommands.hdel(store, argv("HDEL", "h", "a", "b", "c"), now);
        assertThat(store.typeOf("h".getBytes(StandardCharsets.UTF_8), now)).as("an emptied hash is no key").isNull();
        assertThat(store.usedBytes()).isZero();

        HashCommands.hset(store, argv("HSET", "h2", "a", "1"), now);
        store.delete("h2".getBytes(StandardCharsets.UTF_8), now);
        assertThat(store.usedBytes()).as("DEL of a hash").isZero();
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
        assertThat(store.usedBytes()).isZero();
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
        assertThat(store.usedBytes()).isGreaterThan(200 * 24);
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
        assertThat(store.usedBytes()).isZero();
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
        var rest = (io.netty.handler.codec.redis.ArrayRedisMessage) ListCommands.lrange(store, argv("LRANGE", "l", "0", "2"), now);
        assertThat(rest.children()).extracting(m -> new String(((BulkReply) m).value(), StandardCharsets.UTF_8))
                .containsExactly("keep0", "keep10", "keep20");
        ListCommands.lrem(store, argv("LREM", "l", "-2", "keep199990"), now);
        assertThat(((io.netty.handler.codec.redis.IntegerRedisMessage) ListCommands.llen(store, argv("LLEN", "l"), now)).value()).isEqualTo(19_999);
    }
}
