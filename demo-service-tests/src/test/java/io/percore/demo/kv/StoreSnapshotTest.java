package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is the store as it was when it began, whatever the shard does while it is written:
 * every key that was live then goes out exactly once with its value and expiry from then; a key
 * added since never goes out. Checked against a copy taken at the start, with the store changed
 * between slices in every way a command changes it (new keys that double the table, deletes,
 * expiries set and passed, values changed in place, strings grown, FLUSHALL).
 */
class StoreSnapshotTest {

    private static final long NOW = 1_000_000_000_000L;

    @Test
    void whatGoesOutIsTheStoreWhenTheSnapshotBeganWhateverChangesMeanwhile() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            ValueStore store = new ValueStore(new SplittableRandom(seed));
            int initial = 500 + rnd.nextInt(3000);
            for (int i = 0; i < initial; i++) {
                write(store, rnd, "k" + i);
            }
            Map<String, String> expected = render(store);
            Map<String, String> out = new HashMap<>();
            List<String> duplicates = new ArrayList<>();
            StoreSnapshot snapshot = store.snapshot((key, type, value, expireAt) -> {
                if (out.put(new String(key, StandardCharsets.US_ASCII), render(type, value, expireAt)) != null) {
                    duplicates.add(new String(key, StandardCharsets.US_ASCII));
                }
            }, NOW);
            int fresh = 0;
            while (!snapshot.step(0)) {
                for (int i = 0; i < 200; i++) {
                    int op = rnd.nextInt(10);
                    String key = op < 3 ? "new" + fresh++ : "k" + rnd.nextInt(initial);
                    if (op == 9) {
                        store.delete(bytes(key), NOW);
                    } else if (op == 8) {
                        store.expire(bytes(key), NOW + 1 + rnd.nextInt(1000), NOW);
                    } else {
                        write(store, rnd, key);
                    }
                }
            }
            assertThat(duplicates).as("seed %d", seed).isEmpty();
            assertThat(out).as("seed %d", seed).isEqualTo(expected);
            assertThat(snapshot.keys()).isEqualTo(expected.size());
            // the store is free again: a new snapshot can begin
            store.snapshot((key, type, value, expireAt) -> { }, NOW).step(Long.MAX_VALUE);
        }
    }

    @Test
    void flushAllWhileTheSnapshotRunsLeavesItTheOldKeys() {
        ValueStore store = new ValueStore(new SplittableRandom(7));
        for (int i = 0; i < 5000; i++) {
            store.setString(bytes("k" + i), bytes("v" + i), ValueStore.NO_EXPIRY);
        }
        Map<String, String> expected = render(store);
        Map<String, String> out = new HashMap<>();
        StoreSnapshot snapshot = store.snapshot((key, type, value, expireAt) ->
                out.put(new String(key, StandardCharsets.US_ASCII), render(type, value, expireAt)), NOW);
        snapshot.step(0);
        store.flush();
        store.setString(bytes("after"), bytes("x"), ValueStore.NO_EXPIRY);
        store.setString(bytes("k1"), bytes("changed"), ValueStore.NO_EXPIRY);
        while (!snapshot.step(0)) {
            store.setString(bytes("k2"), bytes("changed"), ValueStore.NO_EXPIRY);
        }
        assertThat(out).isEqualTo(expected);
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    void keysExpiredWhenItBeganAreLeftOut() {
        ValueStore store = new ValueStore(new SplittableRandom(3));
        store.setString(bytes("gone"), bytes("x"), NOW - 1);
        store.setString(bytes("kept"), bytes("y"), NOW + 1000);
        store.setString(bytes("plain"), bytes("z"), ValueStore.NO_EXPIRY);
        Map<String, String> out = new HashMap<>();
        StoreSnapshot snapshot = store.snapshot((key, type, value, expireAt) ->
                out.put(new String(key, StandardCharsets.US_ASCII), render(type, value, expireAt)), NOW);
        assertThat(snapshot.step(Long.MAX_VALUE)).isTrue();
        assertThat(out).containsOnlyKeys("kept", "plain");
        assertThat(out.get("kept")).endsWith("@" + (NOW + 1000));
        assertThat(snapshot.expires()).isEqualTo(1);
    }

    /** One write of {@code key} as a command makes it: replaced, grown in place, pushed to, hashed into. */
    private static void write(ValueStore store, SplittableRandom rnd, String key) {
        byte[] k = bytes(key);
        ValueType type = store.typeOf(k, NOW);
        int kind = type == ValueType.LIST ? 1 : type == ValueType.HASH ? 2 : type == ValueType.STRING ? (rnd.nextBoolean() ? 3 : 0)
                : rnd.nextInt(3);
        switch (kind) {
            case 1 -> {
                ListValue list = store.writeList(k, NOW);
                if (list == null) {
                    list = new ListValue();
                    store.set(k, ValueType.LIST, list, ValueStore.NO_EXPIRY);
                }
                long before = list.bytes();
                list.addLast(bytes("e" + rnd.nextInt(100)));
                store.resized(k, list.bytes() - before);
            }
            case 2 -> {
                HashValue hash = store.writeHash(k, NOW);
                if (hash == null) {
                    hash = new HashValue();
                    store.set(k, ValueType.HASH, hash, ValueStore.NO_EXPIRY);
                }
                long before = hash.bytes();
                hash.put(bytes("f" + rnd.nextInt(20)), bytes("v" + rnd.nextInt()), HashValue.Limits.DEFAULT);
                store.resized(k, hash.bytes() - before);
            }
            case 3 -> {
                GrowableString s = store.strings().writable(k, store.peekString(k, NOW).length + 1, NOW);
                s.array()[s.length() - 1] = (byte) ('a' + rnd.nextInt(26));
                store.modified(k);
            }
            default -> store.setString(k, bytes("v" + rnd.nextInt()), rnd.nextInt(4) == 0 ? NOW + 1 + rnd.nextInt(5000) : ValueStore.NO_EXPIRY);
        }
    }

    private static Map<String, String> render(ValueStore store) {
        Map<String, String> all = new HashMap<>();
        List<byte[]> keys = new ArrayList<>();
        store.walks().keys(null, keys, NOW);
        for (byte[] k : keys) {
            StoredValue v = store.stored(k, NOW);
            all.put(new String(k, StandardCharsets.US_ASCII), render(v.type(), v.value(), v.expireAt()));
        }
        return all;
    }

    private static String render(ValueType type, Object value, long expireAt) {
        String body;
        if (value instanceof byte[] b) {
            body = new String(b, StandardCharsets.US_ASCII);
        } else if (value instanceof GrowableString g) {
            body = new String(g.toByteArray(), StandardCharsets.US_ASCII);
        } else if (value instanceof ListValue l) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l.size(); i++) {
                sb.append(new String(l.get(i), StandardCharsets.US_ASCII)).append(',');
            }
            body = sb.toString();
        } else {
            List<String> entries = new ArrayList<>();
            for (byte[] e : ((HashValue) value).entries()) {
                entries.add(new String(e, StandardCharsets.US_ASCII));
            }
            List<String> pairs = new ArrayList<>();
            for (int i = 0; i < entries.size(); i += 2) {
                pairs.add(entries.get(i) + "=" + entries.get(i + 1));
            }
            pairs.sort(null);
            body = pairs.toString();
        }
        return type.name() + ":" + body + "@" + expireAt;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
