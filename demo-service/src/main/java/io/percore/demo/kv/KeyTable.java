package io.percore.demo.kv;

import io.netty.util.collection.IntObjectHashMap;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * A chained hash table from byte-string keys to typed values, with a power-of-two bucket array: Redis's {@code dict}.
 * Hand-written (instead of {@code java.util.HashMap}) for what the Redis commands need and {@code HashMap} cannot give:
 * a SCAN cursor that survives inserts, deletes and resizes (Redis's reverse-binary bucket cursor) and O(1)-expected
 * random sampling of buckets for RANDOMKEY and eviction. Single-threaded: owned by one shard.
 *
 * <p>A key is an {@code int} id, a row across parallel arrays (its hash, the next id of its chain, its access rank, its
 * key and value, and its type byte above its access rank in one int: 20 bytes), not an object: an entry object would cost a 12-byte header and its padding per key, as
 * much as a small key's bytes (docs/design/compact-keyspace.md). The rows grow by pages of {@value #PAGE} ids, so a
 * table just grown holds at most a page of spare rows, where arrays that doubled could hold as many spare as used.
 * The first page itself grows from 16 rows, so an empty or small database (16 per shard) costs little. Freed ids go on
 * a free list through their {@code next} row and are reused; an id is valid only until its key is removed, so nothing
 * keeps one past the command that found it except the list of keys with a TTL ({@link VolatileKeys}), which a removal
 * unlinks first. Id 0 is {@link #NONE}: the buckets' and chains' zero is the end of a chain.
 *
 * <p>A small string (at most {@value #EMBED_MAX} bytes, under a key of at most 255) is kept with its key in one array,
 * its record: the key's length, the key, the value (Redis's embedded string, the key inside too). Its key row holds the
 * record, its value row nothing, and its type byte says so ({@link #EMBEDDED}): one array header instead of two. Its
 * {@link #key} and {@link #value} are then copies, made for who asks; {@link #find} compares in place. A small hash, set
 * or sorted set is kept so too between commands, its packed encoding after the key ({@link PackedValues}): a command that
 * changes one gets its object back in the rows ({@link #toChange}), and {@link #settle} packs it again once the command
 * is over, so the commands change objects as before and a key at rest costs one array, not a key's array, an object
 * and its packed array.
 */
final class KeyTable {

    /** No key: the end of a chain, an empty bucket, a key not found. */
    static final int NONE = 0;
    static final long NO_EXPIRY = -1;

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;
    private static final int PAGE_SHIFT = 12;
    static final int PAGE = 1 << PAGE_SHIFT;
    private static final int IN_PAGE = PAGE - 1;
    private static final int FIRST_ROWS = 16;
    /** The buckets {@link #prefetchBuckets} loads at once. */
    static final int PREFETCH_BUCKETS = 32;
    /** The longest string value kept in its key's record: as long as a value is short, its own array's header and padding are a large part of it. */
    static final int EMBED_MAX = 64;
    private static final int KEY_IN_RECORD_MAX = 255;
    /** The type byte's flag of a key whose row holds a record: the type codes are below it. */
    private static final int EMBEDDED = 0x80;
    /** The type byte's flag of a key with a TTL: its {@link Expiry} is in {@link #expiries}. */
    private static final int HAS_TTL = 0x40;
    /** The type byte's bits that are the type's code ({@link ValueType#code}). */
    static final int TYPE_CODE = 0x3F;
    /** The access rank's bits, below the type byte in a key's meta row: Redis's {@code LRU_BITS}. */
    static final int ACCESS_BITS = 24;
    static final int ACCESS = (1 << ACCESS_BITS) - 1;
    private static final int[][] NO_INTS = {};
    private static final byte[][][] NO_KEYS = {};
    private static final Object[][] NO_VALUES = {};

    /**
     * A key's TTL and its place in the list of keys with a TTL (walked by active expiry and the volatile eviction
     * policies), linked by id. Apart from the rows ({@link #expiries}), so that the keys without a TTL, most of them
     * usually, carry only a bit of their type byte.
     */
    static final class Expiry {
        long at;
        int prev;
        int next;

        Expiry(long at) {
            this.at = at;
        }
    }

    /** The chains' heads by bucket, ids (0: empty). */
    int[] buckets = new int[MIN_CAPACITY];
    private int size;

    // The rows, by page then by id within the page; none until the first key (a shard has 16 databases, most empty).
    private int[][] hashes = NO_INTS;
    private int[][] nexts = NO_INTS;
    /** A key's type byte (its type's code and the flags {@link #EMBEDDED} and {@link #HAS_TTL}) over its 24-bit access rank. */
    private int[][] metas = NO_INTS;
    private byte[][][] keys = NO_KEYS;
    private Object[][] values = NO_VALUES;
    /**
     * The TTLs of the keys that have one, by id (Redis's {@code db->expires}): a key without one, most keys usually,
     * pays nothing for it but a bit of its type byte. Made with the first TTL.
     */
    private IntObjectHashMap<Expiry> expiries;
    /** Ids handed out so far, the reserved 0 included: the next new id. */
    private int rows = 1;
    /** Rows allocated: ids below it have a place in the pages. */
    private int capacity;
    /** The most recently freed id (its {@code next} row links the one freed before it), or {@link #NONE}. */
    private int freeHead;

    private final int[] prefetched = new int[16];
    /** The most ids {@link #settle} is left between two calls: more unpacked in one command stay so until changed again. */
    private static final int UNSETTLED_MAX = 4096;
    /** The ids whose values {@link #settle} packs, the first {@link #unsettled} of them. */
    private int[] unsettledIds = new int[0];
    private int unsettled;

    /** The records {@link #prefetchBuckets} loads, between its two passes. */
    private final byte[][] prefetchedRecords = new byte[PREFETCH_BUCKETS][];
    private int prefetchSink;
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

    /** The rows this table holds, used, free or spare at the end of the last page (what its arrays take: {@link HeapSizes}). */
    int rowCapacity() {
        return capacity;
    }

    // ------------------------------------------------------------------ a key's row

    int hash(int id) {
        return hashes[id >>> PAGE_SHIFT][id & IN_PAGE];
    }

    private int next(int id) {
        return nexts[id >>> PAGE_SHIFT][id & IN_PAGE];
    }

    private void next(int id, int next) {
        nexts[id >>> PAGE_SHIFT][id & IN_PAGE] = next;
    }

    private int typeByte(int id) {
        return metas[id >>> PAGE_SHIFT][id & IN_PAGE] >>> ACCESS_BITS;
    }

    private boolean embedded(int id) {
        return (typeByte(id) & EMBEDDED) != 0;
    }

    /** The key; a copy when its row holds a record, so the caller may keep it. */
    byte[] key(int id) {
        byte[] key = keys[id >>> PAGE_SHIFT][id & IN_PAGE];
        return embedded(id) ? Arrays.copyOfRange(key, 1, 1 + (key[0] & 0xFF)) : key;
    }

    /** Whether the key at {@code id} is {@code key}, compared in place. */
    private boolean keyIs(int id, byte[] key) {
        byte[] stored = keys[id >>> PAGE_SHIFT][id & IN_PAGE];
        if (embedded(id)) {
            int length = stored[0] & 0xFF;
            return length == key.length && Arrays.equals(stored, 1, 1 + length, key, 0, length);
        }
        return Arrays.equals(stored, key);
    }

    /**
     * The value; when the key's row holds a record, a copy of its string (a string as a plain array is never changed in
     * place) or an object made from its packed aggregate, for reading: a change to it is not the key's ({@link #toChange}).
     */
    Object value(int id) {
        if (embedded(id)) {
            byte[] record = keys[id >>> PAGE_SHIFT][id & IN_PAGE];
            int from = 1 + (record[0] & 0xFF);
            int code = typeByte(id) & TYPE_CODE;
            return code == ValueType.STRING.code() ? Arrays.copyOfRange(record, from, record.length)
                    : PackedValues.read(ValueType.ofCode((byte) code), record, from);
        }
        return values[id >>> PAGE_SHIFT][id & IN_PAGE];
    }

    /**
     * The value, to be changed in place by the command running now: an aggregate packed in the key's record is unpacked
     * first (the key and its value's object in the rows again), and packed again by {@link #settle} once the command is
     * over. A string kept in a record is a copy, as from {@link #value} (strings are replaced, never changed in place).
     */
    Object toChange(int id) {
        if (!embedded(id) || (typeByte(id) & TYPE_CODE) == ValueType.STRING.code()) {
            return value(id);
        }
        Object value = value(id);
        row(id >>> PAGE_SHIFT, id & IN_PAGE, key(id), type(id), value);
        return value;
    }

    /**
     * Packs again what the commands since the last call unpacked or stored as objects ({@link #toChange}, an insert or
     * a new value), each hash, set or sorted set still in its packed form into its key's record; returns the change in
     * {@link #dataBytes} it made. Call only between commands: a command holds the objects it changes until it is over,
     * and a change to one after its key was packed would be lost. A key removed since is skipped (a reused id's new key
     * is packed, which changes nothing it holds).
     */
    long settle() {
        long delta = 0;
        for (int i = 0; i < unsettled; i++) {
            int id = unsettledIds[i];
            int page = id >>> PAGE_SHIFT;
            int at = id & IN_PAGE;
            if (id >= rows || keys[page][at] == null || embedded(id) || keys[page][at].length > KEY_IN_RECORD_MAX) {
                continue;
            }
            ValueType type = type(id);
            Object value = values[page][at];
            int length = PackedValues.packs(type) ? PackedValues.length(type, value) : -1;
            if (length < 0) {
                continue;
            }
            long before = dataBytes(id);
            byte[] key = keys[page][at];
            byte[] record = record(key, length);
            PackedValues.write(type, value, record, 1 + key.length);
            keys[page][at] = record;
            values[page][at] = null;
            metas[page][at] |= EMBEDDED << ACCESS_BITS;
            delta += dataBytes(id) - before;
        }
        unsettled = 0;
        return delta;
    }

    /** Whether a command since the last {@link #settle} left a value to pack. */
    boolean unsettled() {
        return unsettled != 0;
    }

    /** {@code id}'s value may be packed at the next {@link #settle}; past a bound the ids are not kept (their keys stay unpacked until changed again). */
    private void unsettled(int id) {
        if (unsettled == unsettledIds.length) {
            if (unsettled == UNSETTLED_MAX) {
                return;
            }
            unsettledIds = Arrays.copyOf(unsettledIds, Math.max(8, unsettled * 2));
        }
        unsettledIds[unsettled++] = id;
    }

    ValueType type(int id) {
        return ValueType.ofCode((byte) (typeByte(id) & TYPE_CODE));
    }

    /** Whether the key at {@code id} holds {@code type}. */
    boolean holds(int id, ValueType type) {
        return (typeByte(id) & TYPE_CODE) == type.code();
    }

    /** The key at {@code id} holds {@code value} of {@code type} from now on. */
    void value(int id, ValueType type, Object value) {
        int page = id >>> PAGE_SHIFT;
        int at = id & IN_PAGE;
        byte[] stored = keys[page][at];
        if (embedded(id)) {
            int length = stored[0] & 0xFF;
            if (embeds(length, type, value)) {
                byte[] v = (byte[]) value;
                if (stored.length == 1 + length + v.length && holds(id, type)) {
                    // A string as long as the one it replaces, as a cache's values often are: written over it. No one
                    // outside the table holds a record (reads, the snapshot's included, copy out of it), and the
                    // array's size, the type byte and the budget stay as they are.
                    System.arraycopy(v, 0, stored, 1 + length, v.length);
                    return;
                }
                byte[] record = Arrays.copyOf(stored, 1 + length + v.length);
                System.arraycopy(v, 0, record, 1 + length, v.length);
                keys[page][at] = record;
                metas[page][at] = (type.code() | EMBEDDED) << ACCESS_BITS | metas[page][at] & (HAS_TTL << ACCESS_BITS | ACCESS);
                return;
            }
            stored = Arrays.copyOfRange(stored, 1, 1 + length);
        }
        row(page, at, stored, type, value);
    }

    /** Whether a value of {@code type} under a key of {@code keyLength} bytes is kept in the key's record. */
    static boolean embeds(int keyLength, ValueType type, Object value) {
        return type == ValueType.STRING && value instanceof byte[] v && v.length <= EMBED_MAX && keyLength <= KEY_IN_RECORD_MAX;
    }

    /** The record of a key and a string value that {@link #embeds}. */
    static int recordLength(int keyLength, int valueLength) {
        return 1 + keyLength + valueLength;
    }

    /** A record of {@code key} with room for {@code valueLength} bytes after it: the key's length, the key. */
    private static byte[] record(byte[] key, int valueLength) {
        byte[] record = new byte[recordLength(key.length, valueLength)];
        record[0] = (byte) key.length;
        System.arraycopy(key, 0, record, 1, key.length);
        return record;
    }

    /** Sets the key, value and type rows: one record for a string that {@link #embeds}, else the key and value as they are. */
    private void row(int page, int at, byte[] key, ValueType type, Object value) {
        if (embeds(key.length, type, value)) {
            byte[] v = (byte[]) value;
            byte[] record = record(key, v.length);
            System.arraycopy(v, 0, record, 1 + key.length, v.length);
            keys[page][at] = record;
            values[page][at] = null;
            metas[page][at] = (type.code() | EMBEDDED) << ACCESS_BITS | metas[page][at] & (HAS_TTL << ACCESS_BITS | ACCESS);
        } else {
            keys[page][at] = key;
            values[page][at] = value;
            metas[page][at] = type.code() << ACCESS_BITS | metas[page][at] & (HAS_TTL << ACCESS_BITS | ACCESS);
            if (PackedValues.packs(type)) {
                unsettled(page << PAGE_SHIFT | at);
            }
        }
    }

    /**
     * What the key's and value's arrays take, as the budget counts them ({@link HeapSizes#entryBytes}): its record's,
     * or its key's and its value's.
     */
    long dataBytes(int id) {
        byte[] stored = keys[id >>> PAGE_SHIFT][id & IN_PAGE];
        long bytes = HeapSizes.arrayBytes(stored.length);
        return embedded(id) ? bytes : bytes + HeapSizes.valueBytes(values[id >>> PAGE_SHIFT][id & IN_PAGE]);
    }

    /**
     * Eviction's rank of the key, 24 bits as Redis's {@code lru} field: the LRU clock (units of 1.024 s, wrapping every
     * 198 days) of its last access, or with an LFU policy (minutes << 8) | counter.
     */
    int access(int id) {
        return metas[id >>> PAGE_SHIFT][id & IN_PAGE] & ACCESS;
    }

    void access(int id, int access) {
        int[] page = metas[id >>> PAGE_SHIFT];
        int at = id & IN_PAGE;
        page[at] = page[at] & ~ACCESS | access & ACCESS;
    }

    /** The key's TTL with its links, or null for a key without one. */
    Expiry expiry(int id) {
        return (typeByte(id) & HAS_TTL) == 0 ? null : expiries.get(id);
    }

    void expiry(int id, Expiry expiry) {
        int page = id >>> PAGE_SHIFT;
        int at = id & IN_PAGE;
        if (expiry == null) {
            if ((metas[page][at] & HAS_TTL << ACCESS_BITS) != 0) {
                expiries.remove(id);
                metas[page][at] &= ~(HAS_TTL << ACCESS_BITS);
            }
            return;
        }
        if (expiries == null) {
            expiries = new IntObjectHashMap<>();
        }
        expiries.put(id, expiry);
        metas[page][at] |= HAS_TTL << ACCESS_BITS;
    }

    /** Epoch millis, or {@link #NO_EXPIRY}. */
    long expireAt(int id) {
        Expiry x = expiry(id);
        return x == null ? NO_EXPIRY : x.at;
    }

    /** Whether the key at {@code id} has a TTL that has passed by {@code now}. */
    boolean expiredAt(int id, long now) {
        Expiry x = expiry(id);
        return x != null && x.at <= now;
    }

    /**
     * Whether the key at {@code id} has a TTL that has passed by the wall clock, read only for a key that has one: a
     * write to a key without a TTL (most of them) reads no clock (a SET's {@code clock_gettime} was 2 % of its samples 16 deep).
     */
    boolean expiredNow(int id) {
        Expiry x = expiry(id);
        return x != null && x.at <= System.currentTimeMillis();
    }

    // ------------------------------------------------------------------ the table

    /** The id of {@code key}, or {@link #NONE}. */
    int find(byte[] key, int hash) {
        int id = buckets[hash & (buckets.length - 1)];
        while (id != NONE) {
            if (hash(id) == hash && keyIs(id, key)) {
                return id;
            }
            id = next(id);
        }
        return NONE;
    }

    /**
     * Loads the rows of the keys with these hashes, their keys' bytes and their values' headers, one level at a time
     * across all of them: each level's loads do not depend on each other, so the CPU has their cache misses
     * outstanding together, where {@link #find} for one key after the other waits for each miss in turn. Redis 8
     * prefetches a pipelined batch's keys so. At most 16 keys; returns how many have a row (a key sharing another's
     * 32-bit hash may count).
     */
    int prefetch(int[] hashes, int count) {
        int[] table = buckets;
        int mask = table.length - 1;
        int[] found = prefetched;
        int n = Math.min(count, found.length);
        for (int i = 0; i < n; i++) {
            found[i] = table[hashes[i] & mask];
        }
        for (int i = 0; i < n; i++) {
            int id = found[i];
            while (id != NONE && hash(id) != hashes[i]) {
                id = next(id);
            }
            found[i] = id;
        }
        int sum = 0;
        int present = 0;
        for (int i = 0; i < n; i++) {
            int id = found[i];
            if (id != NONE) {
                present++;
                // the meta row too: the key's compare reads its type byte (is the key in a record?), the command its rank
                sum += metas[id >>> PAGE_SHIFT][id & IN_PAGE];
                sum += keys[id >>> PAGE_SHIFT][id & IN_PAGE].length;
                if (values[id >>> PAGE_SHIFT][id & IN_PAGE] instanceof byte[] bytes) {
                    sum += bytes.length;
                }
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

    /** Inserts a key known to be absent; returns its id. */
    int insert(byte[] key, int hash, ValueType type, Object value) {
        if (size >= buckets.length && buckets.length < MAX_CAPACITY) {
            resize(buckets.length << 1);
        }
        int id = allocate();
        int page = id >>> PAGE_SHIFT;
        int at = id & IN_PAGE;
        hashes[page][at] = hash;
        metas[page][at] = 0; // no TTL and no access rank, whatever the id's key before had
        row(page, at, key, type, value);
        int index = hash & (buckets.length - 1);
        nexts[page][at] = buckets[index];
        buckets[index] = id;
        size++;
        return id;
    }

    /** Unlinks {@code target} from its chain and frees its id: its row must not be read after. */
    void remove(int target) {
        int index = hash(target) & (buckets.length - 1);
        int prev = NONE;
        int id = buckets[index];
        while (id != NONE) {
            if (id == target) {
                if (prev == NONE) {
                    buckets[index] = next(id);
                } else {
                    next(prev, next(id));
                }
                free(id);
                size--;
                return;
            }
            prev = id;
            id = next(id);
        }
    }

    void clear() {
        buckets = new int[MIN_CAPACITY];
        hashes = NO_INTS;
        nexts = NO_INTS;
        metas = NO_INTS;
        keys = NO_KEYS;
        values = NO_VALUES;
        expiries = null;
        rows = 1;
        capacity = 0;
        freeHead = NONE;
        size = 0;
        unsettled = 0;
    }

    /** Visits every key's id; the action may remove the key it is given. */
    void forEach(IntConsumer action) {
        for (int head : buckets) {
            for (int id = head; id != NONE; ) {
                int next = next(id); // the action may remove id
                action.accept(id);
                id = next;
            }
        }
    }

    /**
     * Visits the bucket at {@code cursor} and returns the next cursor (0 when the scan is over). The reverse-binary
     * increment (Redis {@code dictScan}) guarantees that every key present for the whole scan is visited at least once
     * even if the table grows in between. The action may remove the key it is given.
     */
    long scanBucket(long cursor, IntConsumer action) {
        long mask = buckets.length - 1;
        int id = buckets[(int) (cursor & mask)];
        while (id != NONE) {
            int next = next(id);
            action.accept(id);
            id = next;
        }
        long v = cursor | ~mask;
        v = Long.reverse(v);
        v++;
        v = Long.reverse(v);
        return v & 0xFFFFFFFFL;
    }

    /**
     * Loads the rows and records of the first key of each of buckets {@code from} to {@code from + PREFETCH_BUCKETS - 1}, all of
     * them before any is used: a walk in bucket order meets ids in no order, so each key's rows and record are cache
     * misses, and issued together they overlap where one key after another waits for each (as {@link #prefetch} does
     * for a pipelined batch). Changes nothing.
     */
    void prefetchBuckets(int from) {
        int[] table = buckets;
        int end = Math.min(table.length, from + PREFETCH_BUCKETS);
        byte[][] records = prefetchedRecords;
        int sum = 0;
        for (int i = from; i < end; i++) {
            int id = table[i];
            if (id != NONE) {
                sum += metas[id >>> PAGE_SHIFT][id & IN_PAGE] + nexts[id >>> PAGE_SHIFT][id & IN_PAGE];
                records[i - from] = keys[id >>> PAGE_SHIFT][id & IN_PAGE];
            }
        }
        for (int i = 0; i < end - from; i++) {
            if (records[i] != null) {
                sum += records[i].length;
                records[i] = null;
            }
        }
        prefetchSink = sum;
    }

    /** The ids of bucket {@code index}'s chain, in order, to {@code action} (which must not change the table). */
    void forEachInBucket(int index, IntConsumer action) {
        for (int id = buckets[index]; id != NONE; id = next(id)) {
            action.accept(id);
        }
    }

    /** A random key's id, or {@link #NONE} when empty. Picks random buckets like Redis's dictGetRandomKey. */
    int random(SplittableRandom rnd) {
        if (size == 0) {
            return NONE;
        }
        int head = NONE;
        // A sparse table (after many deletes) could make random probing slow: fall back to a walk.
        for (int tries = 0; tries < 64 && head == NONE; tries++) {
            head = buckets[rnd.nextInt(buckets.length)];
        }
        if (head == NONE) {
            int start = rnd.nextInt(buckets.length);
            for (int i = 0; i < buckets.length && head == NONE; i++) {
                head = buckets[(start + i) & (buckets.length - 1)];
            }
        }
        int chain = 0;
        for (int id = head; id != NONE; id = next(id)) {
            chain++;
        }
        int id = head;
        for (int skip = rnd.nextInt(chain); skip > 0; skip--) {
            id = next(id);
        }
        return id;
    }

    private void resize(int newCapacity) {
        if (snapshot != null) {
            snapshot.resized(buckets.length, newCapacity);
        }
        int[] fresh = new int[newCapacity];
        int mask = newCapacity - 1;
        for (int head : buckets) {
            int id = head;
            while (id != NONE) {
                int next = next(id);
                int index = hash(id) & mask;
                next(id, fresh[index]);
                fresh[index] = id;
                id = next;
            }
        }
        buckets = fresh;
    }

    // ------------------------------------------------------------------ ids

    private int allocate() {
        int id = freeHead;
        if (id != NONE) {
            freeHead = next(id);
            return id;
        }
        if (rows >= capacity) { // the first row of all is the reserved 0
            grow();
        }
        return rows++;
    }

    /** {@code id}'s row lets go of its key and value (the collector may take them) and joins the free list. */
    private void free(int id) {
        int page = id >>> PAGE_SHIFT;
        int at = id & IN_PAGE;
        keys[page][at] = null;
        values[page][at] = null;
        expiry(id, null);
        nexts[page][at] = freeHead;
        freeHead = id;
    }

    /** Room for at least one more row: the first page doubles up to a whole page, then whole pages are added. */
    private void grow() {
        if (capacity == 0) {
            pages(1);
        }
        if (capacity < PAGE) {
            int length = capacity == 0 ? FIRST_ROWS : capacity << 1;
            hashes[0] = capacity == 0 ? new int[length] : Arrays.copyOf(hashes[0], length);
            nexts[0] = capacity == 0 ? new int[length] : Arrays.copyOf(nexts[0], length);
            metas[0] = capacity == 0 ? new int[length] : Arrays.copyOf(metas[0], length);
            keys[0] = capacity == 0 ? new byte[length][] : Arrays.copyOf(keys[0], length);
            values[0] = capacity == 0 ? new Object[length] : Arrays.copyOf(values[0], length);
            capacity = length;
            return;
        }
        if (capacity >= MAX_CAPACITY) {
            throw new IllegalStateException("a key table holds at most " + MAX_CAPACITY + " keys");
        }
        int page = capacity >>> PAGE_SHIFT;
        if (page == hashes.length) {
            pages(page << 1);
        }
        hashes[page] = new int[PAGE];
        nexts[page] = new int[PAGE];
        metas[page] = new int[PAGE];
        keys[page] = new byte[PAGE][];
        values[page] = new Object[PAGE];
        capacity += PAGE;
    }

    private void pages(int pages) {
        hashes = Arrays.copyOf(hashes, pages);
        nexts = Arrays.copyOf(nexts, pages);
        metas = Arrays.copyOf(metas, pages);
        keys = Arrays.copyOf(keys, pages);
        values = Arrays.copyOf(values, pages);
    }
}
