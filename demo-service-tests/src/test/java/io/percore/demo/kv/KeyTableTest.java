package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The table of rows by id against a {@code HashMap}: ids freed and reused, rows across pages, chains through both. */
class KeyTableTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void insertsFindsAndRemovesAsAMapDoesAcrossPagesAndReusedIds() {
        KeyTable table = new KeyTable();
        Map<String, Integer> model = new HashMap<>();
        SplittableRandom random = new SplittableRandom(79);
        int keys = 3 * KeyTable.PAGE; // the rows span pages; the removals free ids that inserts take again
        for (int step = 0; step < 60_000; step++) {
            String name = "k" + random.nextInt(keys);
            byte[] key = b(name);
            int hash = KeyTable.hash(key);
            int id = table.find(key, hash);
            assertThat(id != KeyTable.NONE).as("%s present", name).isEqualTo(model.containsKey(name));
            if (id == KeyTable.NONE) {
                int value = random.nextInt();
                id = table.insert(key, hash, ValueType.STRING, value);
                assertThat(table.expiry(id)).as("a reused id has no TTL of the key before").isNull();
                assertThat(table.access(id)).as("nor its access rank").isZero();
                table.access(id, value); // 24 bits kept: the type byte above them stays
                assertThat(table.type(id)).isSameAs(ValueType.STRING);
                model.put(name, value);
            } else {
                assertThat(table.key(id)).isEqualTo(key);
                assertThat(table.value(id)).isEqualTo(model.get(name));
                assertThat(table.access(id)).isEqualTo(model.get(name) & KeyTable.ACCESS);
                assertThat(table.hash(id)).isEqualTo(hash);
                if (random.nextInt(3) == 0) {
                    table.expiry(id, new KeyTable.Expiry(step)); // a row's TTL must not outlive its key
                }
                table.remove(id);
                model.remove(name);
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        Set<String> seen = new HashSet<>();
        table.forEach(id -> seen.add(new String(table.key(id), StandardCharsets.UTF_8)));
        assertThat(seen).isEqualTo(model.keySet());
        assertThat(table.rowCapacity()).as("freed ids are reused: rows for the most keys held at once, a page at most beyond")
                .isLessThanOrEqualTo(keys + KeyTable.PAGE);
    }

    @Test
    void aKeysTypeAndValueChangeInItsRow() {
        KeyTable table = new KeyTable();
        byte[] key = b("k");
        int id = table.insert(key, KeyTable.hash(key), ValueType.STRING, b("v"));
        assertThat(table.type(id)).isSameAs(ValueType.STRING);
        assertThat(table.holds(id, ValueType.STRING)).isTrue();
        HashValue hash = new HashValue();
        table.value(id, ValueType.HASH, hash);
        assertThat(table.type(id)).isSameAs(ValueType.HASH);
        assertThat(table.holds(id, ValueType.STRING)).isFalse();
        assertThat(table.value(id)).isSameAs(hash);
        assertThat(table.expireAt(id)).isEqualTo(KeyTable.NO_EXPIRY);
        table.expiry(id, new KeyTable.Expiry(500));
        assertThat(table.expiredAt(id, 499)).isFalse();
        assertThat(table.expiredAt(id, 500)).isTrue();
        assertThat(table.expiredNow(id)).as("500 ms after the epoch, by the wall clock").isTrue();
        table.expiry(id, new KeyTable.Expiry(System.currentTimeMillis() + 60_000));
        assertThat(table.expiredNow(id)).isFalse();
        table.expiry(id, new KeyTable.Expiry(500));
        table.value(id, ValueType.STRING, b("small again"));
        assertThat(table.expireAt(id)).as("the TTL stays through a change of value and of the row's form").isEqualTo(500);
        table.value(id, ValueType.STRING, new byte[KeyTable.EMBED_MAX + 1]);
        assertThat(table.expireAt(id)).isEqualTo(500);
        assertThat(table.type(id)).isSameAs(ValueType.STRING);
        table.expiry(id, null);
        assertThat(table.expireAt(id)).isEqualTo(KeyTable.NO_EXPIRY);
        assertThat(table.type(id)).isSameAs(ValueType.STRING);
    }

    @Test
    void theLruClockWrapsAsRedissDoes() {
        int now = 10; // the 24-bit clock has just wrapped
        assertThat(Eviction.lruIdle(KeyTable.ACCESS - 5, now)).as("accessed 16 units before the wrap").isEqualTo(16);
        assertThat(Eviction.lruIdle(now, now)).isZero();
        assertThat(Eviction.lruIdle(now + 3, now)).as("an access stamped a moment after now").isZero();
        assertThat(Eviction.lruClock(((long) KeyTable.ACCESS + 1) << 10)).isZero();
    }

    @Test
    void randomFindsEveryKeyAndEmptyFindsNone() {
        KeyTable table = new KeyTable();
        SplittableRandom random = new SplittableRandom(1);
        assertThat(table.random(random)).isEqualTo(KeyTable.NONE);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            byte[] key = b("r" + i);
            ids.add(table.insert(key, KeyTable.hash(key), ValueType.STRING, key));
        }
        Set<Integer> drawn = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            drawn.add(table.random(random));
        }
        assertThat(drawn).isEqualTo(ids);
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.random(random)).isEqualTo(KeyTable.NONE);
        byte[] key = b("again");
        assertThat(table.find(key, KeyTable.hash(key))).isEqualTo(KeyTable.NONE);
        int id = table.insert(key, KeyTable.hash(key), ValueType.STRING, key);
        assertThat(table.find(key, KeyTable.hash(key))).isEqualTo(id);
    }

    @Test
    void aSmallStringLivesInItsKeysRecordAndComesOutAsCopies() {
        KeyTable table = new KeyTable();
        byte[] key = b("user:1");
        byte[] small = new byte[KeyTable.EMBED_MAX];
        small[KeyTable.EMBED_MAX - 1] = 7;
        int id = table.insert(key, KeyTable.hash(key), ValueType.STRING, small);
        assertThat(table.dataBytes(id)).as("one array: the key's length, the key, the value")
                .isEqualTo(HeapSizes.arrayBytes(1 + key.length + small.length));
        assertThat(table.key(id)).isEqualTo(key).isNotSameAs(key);
        assertThat((byte[]) table.value(id)).isEqualTo(small).isNotSameAs(small);
        byte[] sameLength = b("user:2");
        assertThat(table.find(sameLength, KeyTable.hash(sameLength))).isEqualTo(KeyTable.NONE);
        assertThat(table.find(key, KeyTable.hash(key))).isEqualTo(id);

        byte[] large = new byte[KeyTable.EMBED_MAX + 1];
        table.value(id, ValueType.STRING, large);
        assertThat(table.value(id)).as("a longer value is its own array, kept as given").isSameAs(large);
        assertThat(table.key(id)).isEqualTo(key);
        assertThat(table.dataBytes(id)).isEqualTo(HeapSizes.arrayBytes(key.length) + HeapSizes.arrayBytes(large.length));
        table.value(id, ValueType.STRING, b("v"));
        assertThat((byte[]) table.value(id)).isEqualTo(b("v"));
        table.value(id, ValueType.STRING, b("w2"));
        assertThat((byte[]) table.value(id)).as("a record's value replaced by another small one").isEqualTo(b("w2"));
        assertThat(table.key(id)).isEqualTo(key);
        assertThat(table.find(key, KeyTable.hash(key))).isEqualTo(id);
        HashValue hash = new HashValue();
        table.value(id, ValueType.HASH, hash);
        assertThat(table.value(id)).isSameAs(hash);
        assertThat(table.type(id)).isSameAs(ValueType.HASH);
        assertThat(table.key(id)).isEqualTo(key);

        byte[] longKey = new byte[256];
        int other = table.insert(longKey, KeyTable.hash(longKey), ValueType.STRING, small);
        assertThat(table.value(other)).as("a key too long for a record's length byte keeps its value apart").isSameAs(small);
        assertThat(table.find(longKey, KeyTable.hash(longKey))).isEqualTo(other);
        assertThat(table.holds(other, ValueType.STRING)).isTrue();
    }

    @Test
    void aStringAsLongAsTheOneItReplacesTakesItsPlaceAndReadsStayCopies() {
        KeyTable table = new KeyTable();
        byte[] key = b("user:1");
        int id = table.insert(key, KeyTable.hash(key), ValueType.STRING, b("abc"));
        table.expiry(id, new KeyTable.Expiry(900));
        table.access(id, 4242);
        long bytes = table.dataBytes(id);
        byte[] readBefore = (byte[]) table.value(id);
        byte[] given = b("xyz");
        table.value(id, ValueType.STRING, given);
        given[0] = 'Q';
        assertThat((byte[]) table.value(id)).as("the value as given, not the caller's array").isEqualTo(b("xyz"));
        assertThat(readBefore).as("a value read before is a copy, not the record").isEqualTo(b("abc"));
        assertThat(table.dataBytes(id)).isEqualTo(bytes);
        assertThat(table.type(id)).isSameAs(ValueType.STRING);
        assertThat(table.expireAt(id)).isEqualTo(900);
        assertThat(table.access(id)).isEqualTo(4242);
        assertThat(table.key(id)).isEqualTo(key);
        assertThat(table.find(key, KeyTable.hash(key))).isEqualTo(id);

        // a packed set's record, whatever its length, is not a string's to write over: the type changes with the value
        for (int length = 1; length <= 12; length++) {
            SetValue set = new SetValue();
            set.add(b("7"), SetValue.Limits.DEFAULT);
            table.value(id, ValueType.SET, set);
            table.settle();
            byte[] string = new byte[length];
            java.util.Arrays.fill(string, (byte) 'q');
            table.value(id, ValueType.STRING, string);
            assertThat(table.type(id)).isSameAs(ValueType.STRING);
            assertThat((byte[]) table.value(id)).isEqualTo(string);
            assertThat(table.expireAt(id)).isEqualTo(900);
        }
    }
}
