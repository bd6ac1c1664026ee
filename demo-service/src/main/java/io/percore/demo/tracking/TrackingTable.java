package io.percore.demo.tracking;

import io.percore.demo.kv.ByteString;
import java.util.Arrays;
import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;

/**
 * One shard's part of Redis's tracking table ({@code tracking.c}'s {@code TrackingTable}): for
 * each key of this shard that a tracking client read, the clients that may hold it in their cache
 * ({@link Reader}s). A change of the key takes the whole entry out (each reader is told once, as in
 * Redis). The entries are also kept in a dense array, so that a random one is an O(1) pick (the
 * eviction of random keys past {@code tracking-table-max-keys}) and the whole table can be walked
 * in slices while it changes (forgetting disconnected clients). Keeps its own heap estimate.
 */
final class TrackingTable {

    /**
     * A key's entry beyond the key's own bytes: the map's node (32) and wrapper (16), this entry (32),
     * its readers array's header (16) and its slot in the dense array (8).
     */
    static final long ENTRY_OVERHEAD = 104;
    static final long READER_BYTES = 8;

    /** One tracked key and its readers, {@code readers[0..count)}. */
    static final class Entry {
        final byte[] key;
        int position;
        long[] readers;
        int count;

        private Entry(byte[] key, long reader) {
            this.key = key;
            this.readers = new long[] {reader};
            this.count = 1;
        }

        long[] readers() {
            return Arrays.copyOf(readers, count);
        }
    }

    private final HashMap<ByteString, Entry> byKey = new HashMap<>();
    private Entry[] dense = new Entry[16];
    private int size;
    private long items;
    private long bytes;

    int size() {
        return size;
    }

    /** Readers over all keys (INFO's {@code tracking_total_items}). */
    long items() {
        return items;
    }

    long bytes() {
        return bytes;
    }

    /** Remembers that {@code reader} read {@code key}; @return whether it was not remembered already. */
    boolean add(byte[] key, long reader) {
        ByteString k = new ByteString(key);
        Entry e = byKey.get(k);
        if (e == null) {
            e = new Entry(key, reader);
            byKey.put(k, e);
            if (size == dense.length) {
                dense = Arrays.copyOf(dense, size * 2);
            }
            e.position = size;
            dense[size++] = e;
            items++;
            bytes += ENTRY_OVERHEAD + arrayBytes(key.length) + READER_BYTES;
            return true;
        }
        for (int i = 0; i < e.count; i++) {
            if (e.readers[i] == reader) {
                return false;
            }
        }
        if (e.count == e.readers.length) {
            e.readers = Arrays.copyOf(e.readers, e.count * 2);
            bytes += READER_BYTES * e.count;
        }
        e.readers[e.count++] = reader;
        items++;
        return true;
    }

    /** Takes {@code key}'s entry out, or null when nobody tracks it. */
    Entry remove(byte[] key) {
        Entry e = byKey.remove(new ByteString(key));
        if (e != null) {
            unlink(e);
        }
        return e;
    }

    /** A random entry, or null when the table is empty. */
    Entry random(SplittableRandom random) {
        return size == 0 ? null : dense[random.nextInt(size)];
    }

    /** Takes a random entry out (the eviction of a random key); null when empty. */
    Entry removeRandom(SplittableRandom random) {
        Entry e = random(random);
        if (e != null) {
            byKey.remove(new ByteString(e.key));
            unlink(e);
        }
        return e;
    }

    /**
     * Walks at most {@code budget} entries below position {@code cursor}, downwards, dropping the
     * readers {@code gone} accepts (an entry left with none goes). Walking down keeps the walk
     * whole while entries come and go: a removal fills its hole with the last entry, which lies
     * at or above the cursor (already walked), and new entries are appended above it.
     *
     * @return where the next slice starts; 0 when the walk is complete
     */
    int sweep(int cursor, int budget, LongPredicate gone) {
        int at = Math.min(cursor, size);
        int end = Math.max(0, at - budget);
        while (at > end) {
            Entry e = dense[--at];
            int kept = 0;
            for (int i = 0; i < e.count; i++) {
                if (!gone.test(e.readers[i])) {
                    e.readers[kept++] = e.readers[i];
                }
            }
            items -= e.count - kept;
            e.count = kept;
            if (kept == 0) {
                byKey.remove(new ByteString(e.key));
                unlink(e);
            }
        }
        return at;
    }

    void clear() {
        byKey.clear();
        Arrays.fill(dense, 0, size, null);
        size = 0;
        items = 0;
        bytes = 0;
        if (dense.length > 1024) {
            dense = new Entry[16];
        }
    }

    private void unlink(Entry e) {
        int last = --size;
        Entry moved = dense[last];
        dense[e.position] = moved;
        moved.position = e.position;
        dense[last] = null;
        items -= e.count;
        bytes -= ENTRY_OVERHEAD + arrayBytes(e.key.length) + READER_BYTES * e.readers.length;
        if (dense.length > 1024 && size * 4 < dense.length) {
            dense = Arrays.copyOf(dense, dense.length / 2);
        }
    }

    private static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }
}
