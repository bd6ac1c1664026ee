package io.percore.demo.kv;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A chained hash table from byte-string keys to {@link Entry} with a power-of-two bucket array.
 * Hand-written (instead of {@code java.util.HashMap}) for what the Redis commands need and
 * {@code HashMap} cannot give: a SCAN cursor that survives inserts, deletes and resizes
 * (Redis's reverse-binary bucket cursor) and O(1)-expected random sampling of buckets for
 * RANDOMKEY. Single-threaded: owned by one shard.
 */
final class KeyTable {

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;

    /**
     * One key: its value with the value's type tag, and its expiry when it has one. 40 bytes with
     * compressed oops: what a key with a TTL needs more lives in its {@link Expiry}.
     */
    static final class Entry {
        static final long NO_EXPIRY = -1;

        final byte[] key;
        final int hash;
        ValueType type;
        Object value;
        Entry next;
        /** Eviction rank: the LRU clock (seconds) of the last access, or with an LFU policy (minutes << 8) | counter. */
        int access;
        /** Null for a key without a TTL. */
        Expiry expiry;

        Entry(byte[] key, int hash, ValueType type, Object value) {
            this.key = key;
            this.hash = hash;
            this.type = type;
            this.value = value;
        }

        /** Epoch millis, or {@link #NO_EXPIRY}. */
        long expireAt() {
            return expiry == null ? NO_EXPIRY : expiry.at;
        }
    }

    /**
     * A key's TTL and its place in the store's intrusive list of keys with a TTL (walked by active
     * expiry and the volatile eviction policies). Apart from the entry, so that the keys without a
     * TTL, most of them usually, do not carry 20 bytes of it.
     */
    static final class Expiry {
        long at;
        Entry prev;
        Entry next;

        Expiry(long at) {
            this.at = at;
        }
    }

    Entry[] buckets = new Entry[MIN_CAPACITY];
    private final Entry[] prefetched = new Entry[16];
    private int prefetchSink;
    private int size;
    /** The snapshot being written of this table, or null: told of each change before it is made. */
    StoreSnapshot snapshot;

    static int hash(byte[] key) {
        // Seeded SipHash-1-2, as Redis's dict: keys a client picks cannot be made to share a bucket
        // (with a fixed hash such as FNV they can, and every lookup on the shard becomes a scan).
        return SipHash.hash32(key);
    }

    /** {@link #hash(byte[])} of a key held in the first {@code length} bytes of {@code key}. */
    static int hash(byte[] key, int length) {
        return SipHash.hash32(key, length);
    }

    int size() {
        return size;
    }

    int capacity() {
        return buckets.length;
    }

    Entry find(byte[] key, int hash) {
        Entry e = buckets[hash & (buckets.length - 1)];
        while (e != null) {
            if (e.hash == hash && java.util.Arrays.equals(e.key, key)) {
                return e;
            }
            e = e.next;
        }
        return null;
    }

    /**
     * Loads the entries of the keys with these hashes, their keys' bytes and their values' headers,
     * one level at a time across all of them: each level's loads do not depend on each other, so
     * the CPU has their cache misses outstanding together, where {@link #find} for one key after
     * the other waits for each miss in turn. Redis 8 prefetches a pipelined batch's keys so. At most
     * 16 keys; returns how many have an entry (a key sharing another's 32-bit hash may count).
     */
    int prefetch(int[] hashes, int count) {
        Entry[] table = buckets;
        int mask = table.length - 1;
        Entry[] found = prefetched;
        int n = Math.min(count, found.length);
        for (int i = 0; i < n; i++) {
            found[i] = table[hashes[i] & mask];
        }
        int sum = 0;
        int present = 0;
        for (int i = 0; i < n; i++) {
            Entry e = found[i];
            while (e != null && e.hash != hashes[i]) {
                e = e.next;
            }
            found[i] = e;
        }
        for (int i = 0; i < n; i++) {
            Entry e = found[i];
            if (e != null) {
                present++;
                sum += e.key.length;
                if (e.value instanceof byte[] bytes) {
                    sum += bytes.length;
                }
                found[i] = null;
            }
        }
        prefetchSink = sum; // the loads have a use, so the compiler keeps them
        return present;
    }

    /** Before a change of the key with {@code hash} (its value, its expiry, it is added or removed): the snapshot saves the key's bucket as it is. */
    void beforeChange(int hash) {
        if (snapshot != null) {
            snapshot.saveBucket(hash & (buckets.length - 1));
        }
    }

    /** Inserts a key known to be absent. */
    Entry insert(byte[] key, int hash, ValueType type, Object value) {
        if (size >= buckets.length && buckets.length < MAX_CAPACITY) {
            resize(buckets.length << 1);
        }
        Entry e = new Entry(key, hash, type, value);
        int index = hash & (buckets.length - 1);
        e.next = buckets[index];
        buckets[index] = e;
        size++;
        return e;
    }

    void remove(Entry target) {
        int index = target.hash & (buckets.length - 1);
        Entry prev = null;
        Entry e = buckets[index];
        while (e != null) {
            if (e == target) {
                if (prev == null) {
                    buckets[index] = e.next;
                } else {
                    prev.next = e.next;
                }
                e.next = null;
                size--;
                return;
            }
            prev = e;
            e = e.next;
        }
    }

    void clear() {
        buckets = new Entry[MIN_CAPACITY];
        size = 0;
    }

    void forEach(Consumer<Entry> action) {
        for (Entry head : buckets) {
            for (Entry e = head; e != null; ) {
                Entry next = e.next; // the action may remove e
                action.accept(e);
                e = next;
            }
        }
    }

    /**
     * Visits the bucket at {@code cursor} and returns the next cursor (0 when the scan is over).
     * The reverse-binary increment (Redis {@code dictScan}) guarantees that every key present
     * for the whole scan is visited at least once even if the table grows in between.
     */
    long scanBucket(long cursor, Consumer<Entry> action) {
        long mask = buckets.length - 1;
        Entry e = buckets[(int) (cursor & mask)];
        while (e != null) {
            Entry next = e.next;
            action.accept(e);
            e = next;
        }
        long v = cursor | ~mask;
        v = Long.reverse(v);
        v++;
        v = Long.reverse(v);
        return v & 0xFFFFFFFFL;
    }

    /** A random entry, or null when empty. Picks random buckets like Redis's dictGetRandomKey. */
    Entry random(SplittableRandom rnd) {
        if (size == 0) {
            return null;
        }
        Entry head = null;
        // A sparse table (after many deletes) could make random probing slow: fall back to a walk.
        for (int tries = 0; tries < 64 && head == null; tries++) {
            head = buckets[rnd.nextInt(buckets.length)];
        }
        if (head == null) {
            int start = rnd.nextInt(buckets.length);
            for (int i = 0; i < buckets.length && head == null; i++) {
                head = buckets[(start + i) & (buckets.length - 1)];
            }
        }
        int chain = 0;
        for (Entry e = head; e != null; e = e.next) {
            chain++;
        }
        Entry e = head;
        for (int skip = rnd.nextInt(chain); skip > 0; skip--) {
            e = e.next;
        }
        return e;
    }

    private void resize(int newCapacity) {
        if (snapshot != null) {
            snapshot.resized(buckets.length, newCapacity);
        }
        Entry[] old = buckets;
        Entry[] fresh = new Entry[newCapacity];
        int mask = newCapacity - 1;
        for (Entry head : old) {
            Entry e = head;
            while (e != null) {
                Entry next = e.next;
                int index = e.hash & mask;
                e.next = fresh[index];
                fresh[index] = e;
                e = next;
            }
        }
        buckets = fresh;
    }
}
