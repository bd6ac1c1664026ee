package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShardKeyspaceTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
        ShardKeyspace ks = new ShardKeyspace();
        ks.set(b("a"), b("1"), ShardKeyspace.NO_EXPIRY);
        ks.set(b("t"), b("2"), 1_000);
        assertThat(ks.read(b("a"), 500)).isEqualTo(b("1"));
        assertThat(ks.read(b("t"), 999)).isEqualTo(b("2"));
        assertThat(ks.read(b("t"), 1_000)).isNull();
        assertThat(ks.expiredKeys()).isEqualTo(1);
        assertThat(ks.size()).isEqualTo(1);
        assertThat(ks.keyspaceHits()).isEqualTo(2);
        assertThat(ks.keyspaceMisses()).isEqualTo(1);
        assertThat(ks.delete(b("a"), 0)).isTrue();
        assertThat(ks.delete(b("a"), 0)).isFalse();
        assertThat(ks.size()).isZero();
    }

    @Test
    void activeExpiryRemovesUntouchedKeysAndKeepsLiveOnes() {
        ShardKeyspace ks = new ShardKeyspace(new SplittableRandom(1));
        for (int i = 0; i < 5_000; i++) {
            ks.set(b("dead" + i), b("x"), 100);
        }
        for (int i = 0; i < 100; i++) {
            ks.set(b("live" + i), b("x"), 1_000_000);
            ks.set(b("forever" + i), b("x"), ShardKeyspace.NO_EXPIRY);
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
        ShardKeyspace ks = new ShardKeyspace();
        Set<String> original = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ks.set(b("k" + i), b("v"), ShardKeyspace.NO_EXPIRY);
            original.add("k" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int added = 0;
        do {
            List<byte[]> out = new ArrayList<>();
            cursor = ks.scan(cursor, 10, null, out, 0);
            out.forEach(k -> seen.add(new String(k, StandardCharsets.UTF_8)));
            for (int i = 0; i < 20; i++) {
                ks.set(b("new" + added++), b("v"), ShardKeyspace.NO_EXPIRY); // forces resizes mid-scan
            }
        } while (cursor != 0);
        assertThat(seen).containsAll(original);
    }

    @Test
    void scanAndKeysFilterByPattern() {
        ShardKeyspace ks = new ShardKeyspace();
        ks.set(b("user:1"), b("a"), ShardKeyspace.NO_EXPIRY);
        ks.set(b("user:2"), b("a"), ShardKeyspace.NO_EXPIRY);
        ks.set(b("order:1"), b("a"), ShardKeyspace.NO_EXPIRY);
        List<byte[]> keys = new ArrayList<>();
        ks.keys(new GlobPattern(b("user:*")), keys, 0);
        assertThat(keys).extracting(k -> new String(k, StandardCharsets.UTF_8)).containsExactlyInAnyOrder("user:1", "user:2");
    }

    @Test
    void randomKeyReturnsLiveKeysOnly() {
        ShardKeyspace ks = new ShardKeyspace(new SplittableRandom(7));
        assertThat(ks.randomKey(0)).isNull();
        ks.set(b("gone"), b("x"), 10);
        ks.set(b("here"), b("x"), ShardKeyspace.NO_EXPIRY);
        for (int i = 0; i < 20; i++) {
            assertThat(ks.randomKey(100)).isEqualTo(b("here"));
        }
    }

    @Test
    void reservationsMakeNxWritesFailAndPlainWritesWin() {
        ShardKeyspace ks = new ShardKeyspace();
        ks.set(b("taken"), b("x"), ShardKeyspace.NO_EXPIRY);
        assertThat(ks.reserveIfAbsent(List.of(b("a"), b("taken")), 1, 0)).isFalse();
        assertThat(ks.reservationCount()).isZero();

        assertThat(ks.reserveIfAbsent(List.of(b("a"), b("b")), 2, 0)).isTrue();
        assertThat(ks.existsOrReserved(b("a"), 0)).isTrue();
        assertThat(ks.exists(b("a"), 0)).isFalse();
        assertThat(ks.reserveIfAbsent(List.of(b("b")), 3, 0)).isFalse();
        ks.set(b("b"), b("plain"), ShardKeyspace.NO_EXPIRY); // a write between prepare and commit
        ks.commitReserved(List.of(b("a"), b("b")), List.of(b("A"), b("B")), 2);
        assertThat(ks.read(b("a"), 0)).isEqualTo(b("A"));
        assertThat(ks.read(b("b"), 0)).isEqualTo(b("plain"));
        assertThat(ks.reservationCount()).isZero();

        assertThat(ks.reserveIfAbsent(List.of(b("c")), 4, 0)).isTrue();
        ks.releaseReserved(List.of(b("c")), 4);
        assertThat(ks.existsOrReserved(b("c"), 0)).isFalse();
    }
}
