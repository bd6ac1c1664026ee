package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueStoreTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void typeTtlAndExistsDoNotCountAsAnAccessButTouchDoes() {
        // Redis's introspection-2: TTL, TYPE and EXISTS do not alter the last access time of a key
        ValueStore store = new ValueStore();
        long t0 = System.currentTimeMillis();
        store.setString("foo".getBytes(), "bar".getBytes(), ValueStore.NO_EXPIRY);
        store.readString("foo".getBytes(), t0);
        long later = t0 + 5_000;
        store.typeOf("foo".getBytes(), later);
        store.expireAt("foo".getBytes(), later);
        assertThat(store.exists("foo".getBytes(), later)).isTrue();
        assertThat(store.inspect("foo".getBytes(), later).idleMillis()).isGreaterThanOrEqualTo(4_000);
        assertThat(store.touchKey("foo".getBytes(), later)).isTrue();
        assertThat(store.inspect("foo".getBytes(), later).idleMillis()).isLessThan(1_100);
    }

    @Test
    void hashSlotsMatchRedisCluster() {
        // CRC16/XMODEM check value, and slots Redis Cluster documents / redis-cli computes.
        assertThat(KeyHashing.crc16(b("123456789"), 0, 9)).isEqualTo(0x31C3);
        assertThat(KeyHashing.slot(b("foo"))).isEqualTo(12182);
        assertThat(KeyHashing.slot(b("{user1000}.following"))).isEqualTo(KeyHashing.slot(b("{user1000}.followers")));
        assertThat(KeyHashing.slot(b("foo{}{bar}"))).isEqualTo(KeyHashing.slot(b("foo{}{bar}")))
                .isNotEqualTo(KeyHashing.slot(b("bar")));
        assertThat(KeyHashing.shardOf(b("anything"), 1)).isZero();
    }

    @Test
    void globPatternsFollowRedis() {
        assertThat(new GlobPattern(b("h?llo")).matches(b("hello"))).isTrue();
        assertThat(new GlobPattern(b("h*llo")).matches(b("heeeello"))).isTrue();
        assertThat(new GlobPattern(b("h[ae]llo")).matches(b("hallo"))).isTrue();
        assertThat(new GlobPattern(b("h[^e]llo")).matches(b("hello"))).isFalse();
        assertThat(new GlobPattern(b("h[a-b]llo")).matches(b("hbllo"))).isTrue();
        assertThat(new GlobPattern(b("h\\*llo")).matches(b("h*llo"))).isTrue();
        assertThat(new GlobPattern(b("h\\*llo")).matches(b("hello"))).isFalse();
        assertThat(new GlobPattern(b("user:*")).matches(b("user:"))).isTrue();
        assertThat(new GlobPattern(b("user:*")).matches(b("use"))).isFalse();
    }

    @Test
    void setGetDeleteAndLazyExpiry() {
        ValueStore ks = new ValueStore();
        ks.setString(b("a"), b("1"), ValueStore.NO_EXPIRY);
        ks.setString(b("t"), b("2"), 1_000);
        assertThat(ks.readString(b("a"), 500)).isEqualTo(b("1"));
        assertThat(ks.readString(b("t"), 999)).isEqualTo(b("2"));
        assertThat(ks.readString(b("t"), 1_000)).isNull();
        assertThat(ks.databases().expiredKeys()).isEqualTo(1);
        assertThat(ks.size()).isEqualTo(1);
        assertThat(ks.databases().keyspaceHits()).isEqualTo(2);
        assertThat(ks.databases().keyspaceMisses()).isEqualTo(1);
        assertThat(ks.delete(b("a"), 0)).isTrue();
        assertThat(ks.delete(b("a"), 0)).isFalse();
        assertThat(ks.size()).isZero();
    }

    @Test
    void activeExpiryRemovesUntouchedKeysAndKeepsLiveOnes() {
        ValueStore ks = new ValueStore(new SplittableRandom(1));
        for (int i = 0; i < 5_000; i++) {
            ks.setString(b("dead" + i), b("x"), 100);
        }
        for (int i = 0; i < 100; i++) {
            ks.setString(b("live" + i), b("x"), 1_000_000);
            ks.setString(b("forever" + i), b("x"), ValueStore.NO_EXPIRY);
        }
        int removed = 0;
        for (int cycle = 0; cycle < 1_000 && ks.size() > 200; cycle++) {
            removed += ks.activeExpireCycle(200, 10_000_000L);
        }
        assertThat(removed).isEqualTo(5_000);
        assertThat(ks.size()).isEqualTo(200);
        assertThat(ks.volatileCount()).isEqualTo(100);
        // a cycle that finds nothing expired stops after one sample
        assertThat(ks.activeExpireCycle(200, 10_000_000L)).isZero();
    }

    @Test
    void scanVisitsEveryKeyPresentThroughoutEvenWhileTheTableGrows() {
        ValueStore ks = new ValueStore();
        Set<String> original = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ks.setString(b("k" + i), b("v"), ValueStore.NO_EXPIRY);
            original.add("k" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int added = 0;
        do {
            List<byte[]> out = new ArrayList<>();
            cursor = ks.walks().scan(cursor, 10, null, null, out, 0);
            out.forEach(k -> seen.add(new String(k, StandardCharsets.UTF_8)));
            for (int i = 0; i < 20; i++) {
                ks.setString(b("new" + added++), b("v"), ValueStore.NO_EXPIRY); // forces resizes mid-scan
            }
        } while (cursor != 0);
        assertThat(seen).containsAll(original);
    }

    @Test
    void scanAndKeysFilterByPattern() {
        ValueStore ks = new ValueStore();
        ks.setString(b("user:1"), b("a"), ValueStore.NO_EXPIRY);
        ks.setString(b("user:2"), b("a"), ValueStore.NO_EXPIRY);
        ks.setString(b("order:1"), b("a"), ValueStore.NO_EXPIRY);
        List<byte[]> keys = new ArrayList<>();
        ks.walks().keys(new GlobPattern(b("user:*")), keys, 0);
        assertThat(keys).extracting(k -> new String(k, StandardCharsets.UTF_8)).containsExactlyInAnyOrder("user:1", "user:2");
    }

    @Test
    void randomKeyReturnsLiveKeysOnly() {
        ValueStore ks = new ValueStore(new SplittableRandom(7));
        assertThat(ks.walks().randomKey(0)).isNull();
        ks.setString(b("gone"), b("x"), 10);
        ks.setString(b("here"), b("x"), ValueStore.NO_EXPIRY);
        for (int i = 0; i < 20; i++) {
            assertThat(ks.walks().randomKey(100)).isEqualTo(b("here"));
        }
    }

    @Test
    void reservationsMakeNxWritesFailAndPlainWritesWin() {
        ValueStore ks = new ValueStore();
        ks.setString(b("taken"), b("x"), ValueStore.NO_EXPIRY);
        assertThat(ks.reservations().reserveIfAbsent(List.of(b("a"), b("taken")), 1, 0)).isFalse();
        assertThat(ks.reservations().count()).isZero();

        assertThat(ks.reservations().reserveIfAbsent(List.of(b("a"), b("b")), 2, 0)).isTrue();
        assertThat(ks.existsOrReserved(b("a"), 0)).isTrue();
        assertThat(ks.exists(b("a"), 0)).isFalse();
        assertThat(ks.reservations().reserveIfAbsent(List.of(b("b")), 3, 0)).isFalse();
        ks.setString(b("b"), b("plain"), ValueStore.NO_EXPIRY); // a write between prepare and commit
        ks.reservations().commit(List.of(b("a"), b("b")), List.of(b("A"), b("B")), 2);
        assertThat(ks.readString(b("a"), 0)).isEqualTo(b("A"));
        assertThat(ks.readString(b("b"), 0)).isEqualTo(b("plain"));
        assertThat(ks.reservations().count()).isZero();

        assertThat(ks.reservations().reserveIfAbsent(List.of(b("c")), 4, 0)).isTrue();
        ks.reservations().release(List.of(b("c")), 4);
        assertThat(ks.existsOrReserved(b("c"), 0)).isFalse();
    }

    @Test
    void theTypeCheckOfTheLookupIsTheOnlyWrongTypeAndUntypedOperationsWorkOnAnyType() {
        ValueType hash = new ValueType("hash"); // a type to come: only its tag is needed here
        ValueStore ks = new ValueStore();
        ks.set(b("h"), hash, new Object(), ValueStore.NO_EXPIRY);
        ks.setString(b("s"), b("v"), ValueStore.NO_EXPIRY);

        // a typed read of another type fails, counted as a hit (Redis's lookupKeyRead, then checkType)
        assertThatThrownBy(() -> ks.readString(b("h"), 0)).isInstanceOf(WrongTypeException.class)
                .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertThatThrownBy(() -> ks.peekString(b("h"), 0)).isInstanceOf(WrongTypeException.class);
        assertThatThrownBy(() -> ks.lookupRead(b("s"), hash, 0)).isInstanceOf(WrongTypeException.class);
        assertThat(ks.lookupWrite(b("h"), hash, 0)).isNotNull();
        assertThat(ks.lookupRead(b("missing"), hash, 0)).isNull();
        assertThat(ks.databases().keyspaceHits()).isEqualTo(2);
        assertThat(ks.databases().keyspaceMisses()).isEqualTo(1);

        // untyped operations see every type
        assertThat(ks.typeOf(b("h"), 0)).isSameAs(hash);
        assertThat(ks.typeOf(b("s"), 0)).isSameAs(ValueType.STRING);
        assertThat(ks.typeOf(b("missing"), 0)).isNull();
        assertThat(ks.exists(b("h"), 0)).isTrue();
        assertThat(ks.expire(b("h"), 500, 0)).isTrue();
        assertThat(ks.expireAt(b("h"), 0)).isEqualTo(500);
        List<byte[]> strings = new ArrayList<>();
        assertThat(ks.walks().scan(0, 100, null, "string", strings, 0)).isZero();
        assertThat(strings).containsExactly(b("s"));
        List<byte[]> hashes = new ArrayList<>();
        ks.walks().scan(0, 100, null, "HASH", hashes, 0);
        assertThat(hashes).containsExactly(b("h"));

        // RENAME's take/put keep the type and the expiry
        StoredValue moved = ks.take(b("h"), 0);
        ks.put(b("h2"), moved);
        assertThat(ks.exists(b("h"), 0)).isFalse();
        assertThat(ks.typeOf(b("h2"), 0)).isSameAs(hash);
        assertThat(ks.expireAt(b("h2"), 0)).isEqualTo(500);

        // a string write replaces a value of any type (SET)
        ks.setString(b("h2"), b("now a string"), ValueStore.NO_EXPIRY);
        assertThat(ks.readString(b("h2"), 0)).isEqualTo(b("now a string"));
    }

    @Test
    void prefetchFindsTheKeysPresentByHashesOfKeysHeldInALongerBuffer() {
        ValueStore store = new ValueStore();
        for (int i = 0; i < 1000; i++) {
            store.setString(b("key:" + i), b("v" + i), ValueStore.NO_EXPIRY);
        }
        byte[] scratch = new byte[128]; // as the connection's lookahead holds a key: at the start of a longer array
        int[] hashes = new int[16];
        String[] keys = {"key:1", "key:999", "absent", "key:500", "key:1000", "key:0"};
        for (int i = 0; i < keys.length; i++) {
            java.util.Arrays.fill(scratch, (byte) 'x');
            byte[] key = b(keys[i]);
            System.arraycopy(key, 0, scratch, 0, key.length);
            hashes[i] = ValueStore.keyHash(scratch, key.length);
            assertThat(hashes[i]).as("the table's hash of %s", keys[i]).isEqualTo(SipHash.hash32(key));
        }
        assertThat(store.prefetch(hashes, keys.length)).as("present: all but absent and key:1000").isEqualTo(4);
        assertThat(store.prefetch(hashes, 2)).isEqualTo(2);
        assertThat(store.readString(b("key:999"), 0)).as("prefetching changes nothing").isEqualTo(b("v999"));
        assertThat(store.size()).isEqualTo(1000);
    }

    @Test
    void prefetchTakesAnEmptyKeyKeptApartFromItsValue() {
        ValueStore store = new ValueStore();
        byte[] longValue = new byte[KeyTable.EMBED_MAX + 1]; // too long for a record: the empty key is an array of its own
        store.setString(new byte[0], longValue, ValueStore.NO_EXPIRY);
        store.setString(b("k"), b("in its record"), ValueStore.NO_EXPIRY);
        int[] hashes = {ValueStore.keyHash(new byte[0], 0), ValueStore.keyHash(b("k"), 1)};
        assertThat(store.prefetch(hashes, 2)).isEqualTo(2);
        assertThat(store.readString(new byte[0], 0)).isEqualTo(longValue);
    }
}
