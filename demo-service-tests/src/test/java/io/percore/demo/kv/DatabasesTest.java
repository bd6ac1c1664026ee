package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 68: one shard's numbered databases share one memory budget, whose eviction chooses across all of
 * them as Redis's pool does; the expiry cycle reaches every one; a database costs nothing until it is used
 * and is counted in the shard's memory once it is; FLUSHDB gives back one database's bytes, SWAPDB swaps them.
 */
class DatabasesTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final long HOUR = 3_600_000L;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Databases shard(long maxBytes, MaxmemoryPolicy policy) {
        Databases dbs = new Databases(16, new SplittableRandom(11));
        dbs.budget(new MemoryBudget(maxBytes, policy, 5));
        return dbs;
    }

    @Test
    void aDatabaseIsMadeOnItsFirstUseAndCountedFromThen() {
        Databases dbs = new Databases(16);
        assertThat(dbs.made()).isEmpty();
        assertThat(dbs.peek(3)).isNull();
        ValueStore three = dbs.get(3);
        assertThat(dbs.get(3)).isSameAs(three);
        assertThat(three.id()).isEqualTo(3);
        assertThat(dbs.memory().usedBytes()).as("its structures, in used_memory").isEqualTo(HeapSizes.EMPTY_DATABASE);
        dbs.get(0);
        dbs.get(15);
        assertThat(dbs.made()).extracting(ValueStore::id).containsExactly(0, 3, 15);
        assertThat(dbs.memory().usedBytes()).as("database 0's are the shard's baseline").isEqualTo(2 * HeapSizes.EMPTY_DATABASE);
        assertThatThrownBy(() -> dbs.get(16)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
    }

    @Test
    void aServerOfMillionsOfDatabasesHoldsThoseUsedOnly() {
        Databases dbs = new Databases(Integer.MAX_VALUE);
        ValueStore far = dbs.get(2_000_000_000);
        far.setString(b("k"), b("v"), ValueStore.NO_EXPIRY);
        assertThat(dbs.get(2_000_000_000).readString(b("k"), NOW)).isEqualTo(b("v"));
        assertThat(dbs.made()).hasSize(1);
        assertThat(dbs.keys()).isEqualTo(1);
    }

    @Test
    void evictionTakesTheLeastRecentlyUsedKeyOfAnyDatabase() {
        Databases dbs = shard(64 * 1024, MaxmemoryPolicy.ALLKEYS_LRU);
        ValueStore zero = dbs.get(0);
        ValueStore three = dbs.get(3);
        for (int i = 0; i < 100; i++) {
            three.setString(b("old" + i), new byte[200], ValueStore.NO_EXPIRY);
            three.lookupRead(b("old" + i), ValueType.STRING, NOW); // read an hour before database 0's keys
        }
        int i = 0;
        while (three.size() > 0 && i < 10_000) {
            assertThat(zero.makeRoom(NOW + HOUR)).isTrue();
            zero.setString(b("new" + i), new byte[200], ValueStore.NO_EXPIRY);
            zero.lookupRead(b("new" + i), ValueType.STRING, NOW + HOUR);
            i++;
        }
        assertThat(three.size()).as("database 3's older keys went first").isZero();
        assertThat(zero.size()).as("while database 0 kept its recent ones").isEqualTo(i);
        assertThat(dbs.memory().evictedKeys()).isEqualTo(100);
    }

    @Test
    void volatileTtlTakesTheNearestExpiryOfAnyDatabase() {
        Databases dbs = shard(64 * 1024, MaxmemoryPolicy.VOLATILE_TTL);
        ValueStore zero = dbs.get(0);
        ValueStore fifteen = dbs.get(15);
        for (int i = 0; i < 50; i++) {
            zero.setString(b("late" + i), new byte[200], NOW + 10 * HOUR);
            fifteen.setString(b("soon" + i), new byte[200], NOW + HOUR);
        }
        while (fifteen.size() > 0) {
            zero.setString(b("filler" + zero.size()), new byte[200], ValueStore.NO_EXPIRY);
            assertThat(zero.makeRoom(NOW)).isTrue();
        }
        assertThat(zero.volatileCount()).as("database 0's later expiries stay while database 15's nearer ones go").isEqualTo(50);
    }

    @Test
    void theRandomPoliciesTakeFromEveryDatabaseInTurn() {
        Databases dbs = shard(32 * 1024, MaxmemoryPolicy.ALLKEYS_RANDOM);
        for (int db : new int[] {0, 3, 15}) {
            for (int i = 0; i < 60; i++) {
                dbs.get(db).setString(b("k" + i), new byte[200], ValueStore.NO_EXPIRY);
            }
        }
        assertThat(dbs.get(0).makeRoom(NOW)).isTrue();
        assertThat(dbs.get(0).size()).isLessThan(60);
        assertThat(dbs.get(3).size()).isLessThan(60);
        assertThat(dbs.get(15).size()).isLessThan(60);
    }

    @Test
    void flushdbGivesBackOneDatabasesBytesAndSwapdbSwapsKeysAndBytes() {
        Databases dbs = shard(0, MaxmemoryPolicy.NOEVICTION);
        ValueStore zero = dbs.get(0);
        ValueStore three = dbs.get(3);
        long base = dbs.memory().usedBytes();
        zero.setString(b("a"), new byte[100], ValueStore.NO_EXPIRY);
        three.setString(b("b"), new byte[1000], NOW + HOUR);
        long a = zero.usedBytes();
        long bb = three.usedBytes();
        assertThat(dbs.memory().usedBytes()).isEqualTo(base + a + bb);
        dbs.swap(0, 3);
        assertThat(zero.readString(b("b"), NOW)).hasSize(1000);
        assertThat(zero.expireAt(b("b"), NOW)).isEqualTo(NOW + HOUR);
        assertThat(zero.volatileCount()).isEqualTo(1);
        assertThat(three.readString(b("a"), NOW)).hasSize(100);
        assertThat(zero.usedBytes()).isEqualTo(bb);
        assertThat(three.usedBytes()).isEqualTo(a);
        zero.flush();
        assertThat(dbs.memory().usedBytes()).as("FLUSHDB of one database").isEqualTo(base + a);
        assertThat(dbs.keys()).isEqualTo(1);
        assertThat(dbs.dirty()).as("one change per key flushed, in the shard's count").isEqualTo(3);
    }

    @Test
    void theExpiryCycleReachesEveryDatabaseAndKeepsRedisAverageTtl() {
        Databases dbs = shard(0, MaxmemoryPolicy.NOEVICTION);
        for (int db : new int[] {0, 7, 15}) {
            for (int i = 0; i < 30; i++) {
                dbs.get(db).setString(b("gone" + i), b("v"), NOW + 10);
                dbs.get(db).setString(b("stays" + i), b("v"), NOW + HOUR);
            }
        }
        for (int round = 0; round < 100 && dbs.keys() > 90; round++) {
            dbs.activeExpireCycle(NOW + 1000, 10_000_000);
        }
        assertThat(dbs.keys()).isEqualTo(90);
        assertThat(dbs.expiredKeys()).isEqualTo(90);
        for (int db : new int[] {0, 7, 15}) {
            assertThat(dbs.get(db).size()).isEqualTo(30);
            // Redis's running estimate of the TTL left: about an hour less the second that passed
            assertThat(dbs.get(db).avgTtl()).isBetween(HOUR / 2, HOUR);
        }
        dbs.get(7).flush();
        assertThat(dbs.get(7).avgTtl()).isZero();
    }
}
