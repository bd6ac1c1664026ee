package io.percore.demo.kv;

/**
 * What the memory budget counts: estimates of the heap a key, its value and its TTL take (with compressed oops, as
 * a heap under 32 GB has them). Redis's used_memory counts what its allocator hands out; these stand in for it, so
 * maxmemory, eviction and MEMORY USAGE follow the heap the keys really hold.
 */
public final class HeapSizes {

    /**
     * Estimated bytes of one key besides its key and value arrays: its row in the {@code KeyTable} (hash, chain, key
     * and value references and the type byte over the access rank, 4 bytes each: 20), its share of the bucket array (4
     * to 8 bytes at the table's load factor) and of the last page's spare rows.
     */
    static final long ENTRY_OVERHEAD = 28;
    /**
     * A key's TTL when it has one: the {@code KeyTable.Expiry} object (a long and two ids: 32 bytes) and its place in
     * the table's map of TTLs by id (an int and a reference at a load factor of one half: 16).
     */
    static final long EXPIRY_BYTES = 48;
    /** A store's own structures (table header, initial bucket array, lists): what an empty shard uses. */
    static final long EMPTY_STORE = 512;
    /**
     * A database beyond the first, made on its first use ({@link Databases#get}): its {@code ValueStore}, empty table
     * (16 buckets), expiry list, walks and reservations, about 430 bytes, and its side of the write path, about 40
     * (heap measured on JDK 17 with compressed references: 400-430 bytes a store over 16,000 to 51,200 made, see the
     * README's "Databases").
     */
    static final long EMPTY_DATABASE = 480;

    private HeapSizes() {
    }

    /** What {@code keys} keys cost the budget beyond their key and value arrays (MEMORY STATS' main hash table). */
    public static long keysOverhead(long keys) {
        return keys * ENTRY_OVERHEAD;
    }

    /** What {@code expires} TTLs cost the budget (MEMORY STATS' expires hash table). */
    public static long expiriesOverhead(long expires) {
        return expires * EXPIRY_BYTES;
    }

    /** A byte array's heap size: a 16-byte header and the bytes, rounded up to 8. */
    public static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }

    /** One key with its value (without its TTL, {@link #EXPIRY_BYTES}); a small string is kept with its key in one array. */
    static long entryBytes(byte[] key, Object value) {
        if (KeyTable.embeds(key.length, ValueType.STRING, value)) {
            return ENTRY_OVERHEAD + arrayBytes(KeyTable.recordLength(key.length, ((byte[]) value).length));
        }
        return ENTRY_OVERHEAD + arrayBytes(key.length) + valueBytes(value);
    }

    /** A plain string's array; a value changed in place counts its own ({@link MutableValue#bytes}). */
    static long valueBytes(Object value) {
        if (value instanceof byte[] bytes) {
            return arrayBytes(bytes.length);
        }
        return value instanceof MutableValue mutable ? mutable.bytes() : 0;
    }
}
