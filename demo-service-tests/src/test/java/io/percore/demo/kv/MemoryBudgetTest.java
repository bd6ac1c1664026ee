package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 12, row 1: the per-shard memory budget, its accounting and Redis's eviction policies. */
class MemoryBudgetTest {

    private static final long NOW = 1_800_000_000_000L;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ValueStore store(long maxBytes, MaxmemoryPolicy policy) {
        ValueStore store = new ValueStore(new SplittableRandom(7));
        store.budget(new MemoryBudget(maxBytes, policy, 5));
        return store;
    }

    @Test
    void accountingFollowsEveryWriteDeleteAndExpiry() {
        ValueStore s = store(0, MaxmemoryPolicy.NOEVICTION);
        byte[] v10 = new byte[10];
        byte[] v100 = new byte[100];
        s.setString(b("a"), v10, ValueStore.NO_EXPIRY);
        long a = HeapSizes.entryBytes(b("a"), v10);
        assertThat(s.memory().usedBytes()).isEqualTo(a).as("its row and bucket, then key and value in one array").isEqualTo(28 + 32);
        s.setString(b("a"), v100, ValueStore.NO_EXPIRY);
        assertThat(s.memory().usedBytes()).as("replaced value").isEqualTo(HeapSizes.entryBytes(b("a"), v100));
        s.setString(b("b"), v10, NOW + 1000);
        assertThat(s.memory().usedBytes()).as("a TTL costs its Expiry").isEqualTo(HeapSizes.entryBytes(b("a"), v100) + HeapSizes.entryBytes(b("b"), v10)
                + HeapSizes.EXPIRY_BYTES);
        assertThat(s.memoryUsage(b("b"), NOW)).isEqualTo(HeapSizes.entryBytes(b("b"), v10) + HeapSizes.EXPIRY_BYTES);
        assertThat(s.expire(b("b"), NOW + 500, NOW)).isTrue();
        assertThat(s.memory().usedBytes()).as("a new TTL for a key that has one: the same Expiry")
                .isEqualTo(HeapSizes.entryBytes(b("a"), v100) + HeapSizes.entryBytes(b("b"), v10) + HeapSizes.EXPIRY_BYTES);
        assertThat(s.expire(b("b"), ValueStore.NO_EXPIRY, NOW)).isTrue();
        assertThat(s.memory().usedBytes()).as("PERSIST").isEqualTo(HeapSizes.entryBytes(b("a"), v100) + HeapSizes.entryBytes(b("b"), v10));
        assertThat(s.expire(b("b"), NOW + 1000, NOW)).isTrue();
        assertThat(s.readString(b("b"), NOW + 2000)).as("expired on access").isNull();
        assertThat(s.memory().usedBytes()).isEqualTo(HeapSizes.entryBytes(b("a"), v100));
        s.setStringKeepTtl(b("a"), v10, NOW);
        assertThat(s.memory().usedBytes()).isEqualTo(a);
        StoredValue taken = s.take(b("a"), NOW);
        assertThat(s.memory().usedBytes()).isZero();
        s.put(b("c"), taken);
        assertThat(s.memory().usedBytes()).isEqualTo(HeapSizes.entryBytes(b("c"), v10));
        assertThat(s.delete(b("c"), NOW)).isTrue();
        assertThat(s.memory().usedBytes()).isZero();
        s.setString(b("d"), v10, ValueStore.NO_EXPIRY);
        s.flush();
        assertThat(s.memory().usedBytes()).isZero();
    }

    @Test
    void noevictionRefusesOnceOverBudgetAndDeletesMakeRoomAgain() {
        ValueStore s = store(1000, MaxmemoryPolicy.NOEVICTION);
        int i = 0;
        while (s.makeRoom(NOW)) {
            s.setString(b("k" + i++), new byte[100], ValueStore.NO_EXPIRY);
        }
        assertThat(s.memory().usedBytes() + HeapSizes.EMPTY_STORE).isGreaterThan(1000);
        assertThat(s.size()).isEqualTo(i);
        assertThat(s.memory().evictedKeys()).isZero();
        s.delete(b("k0"), NOW);
        s.delete(b("k1"), NOW);
        assertThat(s.makeRoom(NOW)).isTrue();
    }

    @Test
    void anEmptyShardUnderATinyBudgetIsOverIt() {
        // redis-server's used_memory never drops below its own baseline: maxmemory 1 refuses every write
        assertThat(store(1, MaxmemoryPolicy.NOEVICTION).makeRoom(NOW)).isFalse();
        assertThat(store(1, MaxmemoryPolicy.ALLKEYS_LRU).makeRoom(NOW)).isFalse();
        assertThat(store(1 << 20, MaxmemoryPolicy.NOEVICTION).makeRoom(NOW)).isTrue();
    }

    @Test
    void aValueLargerThanTheWholeBudgetIsRefusedBeforeItIsMade() {
        ValueStore s = store(1 << 20, MaxmemoryPolicy.ALLKEYS_LRU);
        s.memory().requireFits(1 << 19);
        assertThatThrownBy(() -> s.memory().requireFits(536_870_912L)).isInstanceOf(OutOfBudgetException.class)
                .hasMessage("OOM command not allowed when used memory > 'maxmemory'.");
    }

    @Test
    void volatilePoliciesEvictOnlyKeysWithATtlAndVolatileTtlTheNearestFirst() {
        for (MaxmemoryPolicy policy : new MaxmemoryPolicy[] {MaxmemoryPolicy.VOLATILE_LRU, MaxmemoryPolicy.VOLATILE_LFU,
                MaxmemoryPolicy.VOLATILE_RANDOM, MaxmemoryPolicy.VOLATILE_TTL}) {
            ValueStore s = store(20_000, policy);
            for (int i = 0; i < 50; i++) {
                s.setString(b("persistent" + i), new byte[100], ValueStore.NO_EXPIRY);
            }
            for (int i = 0; i < 200; i++) {
                assertThat(s.makeRoom(NOW)).as(policy + " while keys with a TTL remain").isTrue();
                s.setString(b("volatile" + i), new byte[100], NOW + 1_000_000 + i);
            }
            for (int i = 0; i < 50; i++) {
                assertThat(s.exists(b("persistent" + i), NOW)).as(policy + " never evicts a key without TTL").isTrue();
            }
            assertThat(s.memory().evictedKeys()).as(policy.redisName()).isPositive();
            if (policy == MaxmemoryPolicy.VOLATILE_TTL) {
                // Every key with a TTL is a candidate in turn; the latest (furthest expiry) survive.
                assertThat(s.exists(b("volatile199"), NOW)).isTrue();
                assertThat(s.exists(b("volatile0"), NOW)).isFalse();
            }
        }
        ValueStore onlyPersistent = store(1000, MaxmemoryPolicy.VOLATILE_LRU);
        for (int i = 0; i < 20; i++) {
            onlyPersistent.setString(b("p" + i), new byte[100], ValueStore.NO_EXPIRY);
        }
        assertThat(onlyPersistent.makeRoom(NOW)).as("nothing evictable: -OOM").isFalse();
    }

    @Test
    void allkeysPoliciesStayWithinBudgetAndKeepWhatIsUsed() {
        for (MaxmemoryPolicy policy : new MaxmemoryPolicy[] {MaxmemoryPolicy.ALLKEYS_LRU, MaxmemoryPolicy.ALLKEYS_LFU,
                MaxmemoryPolicy.ALLKEYS_RANDOM}) {
            long entry = HeapSizes.entryBytes(b("key00000"), new byte[100]);
            ValueStore s = store(entry * 100, policy);
            long now = NOW;
            // 20 hot keys read all the time, while 2,000 cold keys stream through a budget of 100 keys.
            for (int i = 0; i < 20; i++) {
                s.setString(b(String.format("hot%05d", i)), new byte[100], ValueStore.NO_EXPIRY);
            }
            for (int i = 0; i < 2000; i++) {
                now += 1000; // one second per write: the LRU clock's resolution
                for (int h = 0; h < 20; h++) {
                    s.readString(b(String.format("hot%05d", h)), now);
                }
                assertThat(s.makeRoom(now)).isTrue();
                s.setString(b(String.format("key%05d", i)), new byte[100], ValueStore.NO_EXPIRY);
                assertThat(s.memory().usedBytes()).as("over by at most the last write").isLessThanOrEqualTo(entry * 101);
            }
            long hotLeft = 0;
            for (int h = 0; h < 20; h++) {
                hotLeft += s.exists(b(String.format("hot%05d", h)), now) ? 1 : 0;
            }
            if (policy == MaxmemoryPolicy.ALLKEYS_RANDOM) {
                // Random eviction keeps a hot key with probability ~(1 - 1/100)^2000: none left, almost surely.
                assertThat(hotLeft).as("random").isLessThan(10);
            } else {
                // Sampling 5 of 100 keys each time, a hot key is evicted only when all 5 are hot: rare.
                assertThat(hotLeft).as(policy.redisName() + " keeps the hot keys").isGreaterThanOrEqualTo(15);
            }
        }
    }

    /**
     * The TTL bookkeeping (an Expiry object per key with a TTL, linked in the store's list) against a
     * plain map under random writes, TTL changes, PERSIST, deletes, RENAME (take/put), lazy and active
     * expiry and volatile-ttl eviction: the keys with a TTL are exactly the counted ones and the
     * budget is always the sum of the keys' own figures.
     */
    @Test
    void ttlBookkeepingFollowsAModel() {
        ValueStore s = store(0, MaxmemoryPolicy.NOEVICTION);
        SplittableRandom r = new SplittableRandom(5);
        java.util.Map<String, Long> model = new java.util.HashMap<>(); // key -> expireAt (NO_EXPIRY: none)
        long now = NOW;
        for (int step = 0; step < 50_000; step++) {
            now += r.nextInt(3);
            final long t = now;
            model.entrySet().removeIf(e -> e.getValue() != ValueStore.NO_EXPIRY && e.getValue() <= t);
            String k = "k" + r.nextInt(300);
            long ttl = r.nextBoolean() ? ValueStore.NO_EXPIRY : now + 1 + r.nextInt(200);
            switch (r.nextInt(8)) {
                case 0, 1 -> {
                    s.setString(b(k), new byte[r.nextInt(20)], ttl);
                    model.put(k, ttl);
                }
                case 2 -> {
                    boolean live = s.exists(b(k), now);
                    assertThat(s.expire(b(k), ttl, now)).isEqualTo(live);
                    if (live) {
                        model.put(k, ttl);
                    }
                }
                case 3 -> {
                    s.delete(b(k), now);
                    model.remove(k);
                }
                case 4 -> {
                    StoredValue taken = s.take(b(k), now);
                    model.remove(k);
                    if (taken != null) {
                        String to = "k" + r.nextInt(300);
                        s.put(b(to), taken);
                        model.put(to, taken.expireAt());
                    }
                }
                case 5 -> s.activeExpireCycle(now, 1_000_000);
                case 6 -> {
                    s.setStringKeepTtl(b(k), new byte[3], now);
                    model.putIfAbsent(k, ValueStore.NO_EXPIRY);
                }
                default -> s.readString(b(k), now);
            }
            if (step % 50 == 0) {
                long used = 0;
                long volatileKeys = 0;
                for (java.util.Map.Entry<String, Long> e : model.entrySet()) {
                    assertThat(s.expireAt(b(e.getKey()), now)).as(e.getKey()).isEqualTo(e.getValue());
                    used += s.memoryUsage(b(e.getKey()), now);
                    volatileKeys += e.getValue() != ValueStore.NO_EXPIRY ? 1 : 0;
                }
                s.walks().keys(null, new java.util.ArrayList<>(), now); // KEYS drops what expired but was not read
                assertThat(s.size()).isEqualTo(model.size());
                assertThat(s.volatileCount()).isEqualTo(volatileKeys);
                assertThat(s.memory().usedBytes()).isEqualTo(used);
            }
        }
        ValueStore v = store(1, MaxmemoryPolicy.VOLATILE_TTL);
        for (int i = 0; i < 100; i++) {
            v.setString(b("t" + i), new byte[10], NOW + 1000 + i);
        }
        v.makeRoom(NOW); // a 1-byte budget: evicts every key with a TTL, and still refuses
        assertThat(v.volatileCount()).isZero();
        assertThat(v.size()).isZero();
        assertThat(v.memory().usedBytes()).isZero();
    }

    @Test
    void policyNamesAreRedises() {
        assertThat(MaxmemoryPolicy.ALLKEYS_LRU.redisName()).isEqualTo("allkeys-lru");
        assertThat(MaxmemoryPolicy.fromRedisName("VOLATILE-TTL")).isEqualTo(MaxmemoryPolicy.VOLATILE_TTL);
        assertThatThrownBy(() -> MaxmemoryPolicy.fromRedisName("lru")).hasMessageContaining("noeviction, allkeys-lru");
    }

    @Test
    void lfuCounterDecaysOnePerMinute() {
        int access = (100 << 8) | 10; // counter 10 at minute 100
        assertThat(Eviction.lfuDecayed(access, 100)).isEqualTo(10);
        assertThat(Eviction.lfuDecayed(access, 103)).isEqualTo(7);
        assertThat(Eviction.lfuDecayed(access, 200)).isZero();
    }
}
