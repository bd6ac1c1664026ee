package io.percore.demo.kv;

import java.util.BitSet;
import java.util.List;

/**
 * The walks over one store's keys: KEYS, SCAN, RANDOMKEY (Redis's {@code keysCommand}, {@code scanGenericCommand},
 * {@code dbRandomKey}) and a slot migration's scan. Each skips a key whose TTL has passed and has the store delete it
 * on the way, as Redis's do.
 */
public final class KeyWalks {

    private final ValueStore store;

    KeyWalks(ValueStore store) {
        this.store = store;
    }

    /** A key of this store and what it holds, as a migration takes it. */
    public record SlotEntry(byte[] key, ValueType type, Object value, long expireAt) {
    }

    /** Appends the live keys matching {@code pattern} (null matches all) to {@code out}. */
    public void keys(GlobPattern pattern, List<byte[]> out, long now) {
        KeyTable table = store.table();
        table.forEach(e -> {
            byte[] key = table.key(e);
            if (!store.expireIfDue(e, now) && (pattern == null || pattern.matches(key))) {
                out.add(key);
            }
        });
    }

    /**
     * One SCAN step over this shard: visits buckets from {@code cursor} until at least
     * {@code count} keys were visited or the table is done; keeps the keys matching {@code pattern}
     * and {@code typeName} (null matches all). Returns the next cursor (0 = done).
     */
    public long scan(long cursor, int count, GlobPattern pattern, String typeName, List<byte[]> out, long now) {
        KeyTable table = store.table();
        int[] visited = {0};
        do {
            cursor = table.scanBucket(cursor, e -> {
                visited[0]++;
                byte[] key = table.key(e);
                ValueType type = table.type(e);
                if (!store.expireIfDue(e, now) && (pattern == null || pattern.matches(key))
                        && (typeName == null || typeName.equalsIgnoreCase(type.name()))) {
                    out.add(key);
                }
            });
        } while (cursor != 0 && visited[0] < count);
        return cursor;
    }

    /** A random live key, or null when there is none. */
    public byte[] randomKey(long now) {
        KeyTable table = store.table();
        for (int attempt = 0; attempt < 100; attempt++) {
            int e = table.random(store.random());
            if (e == KeyTable.NONE) {
                return null;
            }
            byte[] key = table.key(e);
            if (!store.expireIfDue(e, now)) {
                return key;
            }
        }
        return null;
    }

    /**
     * One step of a walk over the keys of {@code slots} (SCAN's cursor: a key there for the whole walk
     * is met once): visits buckets from {@code cursor} until {@code maxKeys} keys of those slots were
     * taken or {@code maxBuckets} buckets visited; expired keys are deleted, not taken. Returns the next
     * cursor (0: the walk is over).
     */
    public long scanSlots(long cursor, BitSet slots, int maxKeys, int maxBuckets, long now, List<SlotEntry> out) {
        KeyTable table = store.table();
        int buckets = 0;
        do {
            cursor = table.scanBucket(cursor, e -> {
                if (slots.get(KeyHashing.slot(table.key(e))) && !store.expireIfDue(e, now)) {
                    out.add(new SlotEntry(table.key(e), table.type(e), table.value(e), table.expireAt(e)));
                }
            });
            buckets++;
        } while (cursor != 0 && out.size() < maxKeys && buckets < maxBuckets);
        return cursor;
    }
}
