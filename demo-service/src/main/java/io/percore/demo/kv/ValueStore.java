package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The values one shard owns (Redis's {@code db.c} for one shard): keys mapped to typed values
 * ({@link ValueType}) with optional expiry. Touched only by its shard's thread, so nothing here is
 * synchronized. Expiry is lazy (a key found expired on access is deleted) plus active
 * ({@link #activeExpireCycle}, run on the shard's timer).
 *
 * <p>A command of one data type reads a key through {@link #lookupRead} or {@link #lookupWrite}
 * with its type tag; the type check in {@link #lookup} is the only place that produces WRONGTYPE,
 * so every type (hash, list, set, zset) gets it by asking for its tag. Commands that work
 * on any type (DEL, EXPIRE, TYPE, RENAME, SCAN, ...) use the untyped methods.
 */
public final class ValueStore {

    /**
     * Estimated bytes of one entry besides its key and value arrays: the {@code KeyTable.Entry}
     * object (12-byte header, 7 references/ints: 40 bytes with compressed oops) plus its share of
     * the bucket array at the table's load factor (8).
     */
    static final long ENTRY_OVERHEAD = 48;
    /** A key's TTL when it has one: the {@code KeyTable.Expiry} object (a long, two references). */
    static final long EXPIRY_BYTES = 32;
    /** Evictions one write may trigger before it gives up and answers -OOM (CONFIG SET maxmemory may cut deep). */
    static final int MAX_EVICTIONS_PER_WRITE = 10_000;
    /** Redis's LFU constants: initial counter, lfu-log-factor, lfu-decay-time (minutes). */
    static final int LFU_INIT_VAL = 5;
    static final int LFU_LOG_FACTOR = 10;
    static final int LFU_DECAY_MINUTES = 1;

    private static final VarHandle USED_BYTES;
    private static final VarHandle EVICTED_KEYS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            USED_BYTES = l.findVarHandle(ValueStore.class, "usedBytes", long.class);
            EVICTED_KEYS = l.findVarHandle(ValueStore.class, "evictedKeys", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static final long NO_EXPIRY = KeyTable.Entry.NO_EXPIRY;

    /** Keys sampled per active-expiry round, and the expired fraction that triggers another round (Redis's values). */
    static final int ACTIVE_EXPIRE_SAMPLE = 20;
    static final int ACTIVE_EXPIRE_REPEAT_PERCENT = 25;

    /** Not final: a FLUSHALL during a snapshot leaves the old table to the snapshot and starts a new one. */
    private KeyTable table = new KeyTable();
    private final SplittableRandom random;

    /** Where every change is reported: the shard's write path ({@link KeyspaceChanges#NONE} for a store on its own). */
    private KeyspaceChanges changes = KeyspaceChanges.NONE;
    /**
     * Changes made by commands since start (Redis's {@code server.dirty}): a command whose run moved
     * it changed something. Expiry and eviction do not count: they are the store's own changes.
     */
    private long dirty;

    /** Keys reserved by a cross-shard MSETNX between its prepare and its commit: key -> transaction id. */
    private final Map<ByteString, Long> reservations = new HashMap<>();

    // entries with a TTL, as an intrusive list; activeCursor walks it round-robin
    private KeyTable.Entry volatileHead;
    private int volatileCount;
    private KeyTable.Entry activeCursor;

    /** When a sorted set is compact (CONFIG SET zset-max-listpack-*): set and read on this shard only. */
    private ZSetValue.Limits zsetLimits = ZSetValue.Limits.DEFAULT;
    /** When a hash is a listpack (CONFIG SET hash-max-listpack-*): set and read on this shard only. */
    private HashValue.Limits hashLimits = HashValue.Limits.DEFAULT;
    /** Redis's {@code hll-sparse-max-bytes}: past it a HyperLogLog's sparse form becomes dense. */
    private long hllSparseMaxBytes = HyperLogLog.DEFAULT_SPARSE_MAX_BYTES;
    /** When a set is an intset (CONFIG SET set-max-intset-entries): set and read on this shard only. */
    private SetValue.Limits setLimits = SetValue.Limits.DEFAULT;
    /** How large a stream's nodes grow (CONFIG SET stream-node-max-*): set and read on this shard only. */
    private StreamValue.Limits streamLimits = StreamValue.Limits.DEFAULT;

    /** Volatile: CONFIG SET replaces it on the shard, metrics threads read its maxBytes. */
    private volatile MemoryBudget budget = MemoryBudget.unlimited();
    /** The shard's own plain copies of what the hot path reads: no volatile read per access. */
    private long maxBytes;
    private boolean lfu;
    /** Estimated bytes of every entry: written (opaque) only by the shard, readable by metrics threads. */
    private long usedBytes;
    private long evictedKeys;
    /** The LRU clock (units of 1.024 s) as of the last access or timer tick, for entries written without a "now". */
    private int lruClock = (int) (System.currentTimeMillis() >>> 10);
    private KeyTable.Entry evictCursor;

    private long keyspaceHits;
    private long keyspaceMisses;
    private long expiredKeys;

    /**
     * CLIENT PAUSE is on: the keys stay as they are (Redis's {@code checkClientPauseTimeoutAndReturnIfPaused}
     * in expireIfNeeded, the expiry cycle and eviction). An expired key reads as missing but is not deleted.
     */
    private boolean expiryPaused;

    /**
     * Heap of what the shard keeps besides its keys and survives FLUSHALL (part of {@link #usedBytes},
     * as Redis's used_memory counts it): the waiters blocked clients keep on its keys, its script cache.
     */
    private long keptBytes;
    /** Heap of client tracking's table of this shard's keys and of its BCAST prefixes (part of {@link #usedBytes}). */
    private long trackingBytes;
    private boolean lastStringCounted;

    public ValueStore() {
        this(new SplittableRandom());
    }

    public ValueStore(SplittableRandom random) {
        this.random = random;
    }

    // ------------------------------------------------------------------ lookups

    /**
     * The live value of {@code key} if it holds {@code type}, counting a keyspace hit or miss
     * (Redis's {@code lookupKeyRead}); null when the key is missing.
     *
     * @throws WrongTypeException when the key holds another type
     */
    public Object lookupRead(byte[] key, ValueType type, long now) {
        return lookup(key, type, now, true);
    }

    /**
     * Like {@link #lookupRead} without touching the hit/miss statistics (Redis's
     * {@code lookupKeyWrite}): for commands that read a value to replace it.
     *
     * @throws WrongTypeException when the key holds another type
     */
    public Object lookupWrite(byte[] key, ValueType type, long now) {
        return lookup(key, type, now, false);
    }

    /** The only type check of the store: every typed read goes through here. */
    private Object lookup(byte[] key, ValueType type, long now, boolean countStats) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            if (countStats) {
                missed(key);
            }
            return null;
        }
        if (countStats) {
            keyspaceHits++;
        } else {
            table.beforeChange(e.hash); // a value looked up to be written is changed in place next
        }
        if (e.type != type) {
            throw new WrongTypeException();
        }
        return e.value;
    }

    /**
     * {@link #lookupRead} for a string, as an exact array the caller may keep (a reply, another
     * shard): a plain string itself, a {@link GrowableString}'s array when it has no spare room (then
     * shared), else a copy. GET, which must not copy, wraps {@link #lookupRead}'s value instead.
     *
     * @throws WrongTypeException when the key holds another type
     */
    public byte[] readString(byte[] key, long now) {
        return exactShared(lookupRead(key, ValueType.STRING, now));
    }

    /** {@link #readString} without the hit/miss statistics ({@link #lookupWrite}). @throws WrongTypeException when the key holds another type */
    public byte[] peekString(byte[] key, long now) {
        return exactShared(lookupWrite(key, ValueType.STRING, now));
    }

    private static byte[] exactShared(Object stored) {
        return stored == null || stored instanceof byte[] ? (byte[]) stored : ((GrowableString) stored).exactShared();
    }

    /**
     * The string at {@code key} ready to be changed in place up to {@code newLength} bytes (APPEND,
     * SETRANGE, SETBIT, BITFIELD): created empty when missing, a plain string turned into a
     * {@link GrowableString} (without a copy: its first change copies), lengthened with zeros, its
     * array the store's own until it is next shared. A length past the shard's whole budget is
     * refused before anything is allocated; the growth is counted in the budget. Creating or
     * lengthening the string counts as a change for WATCH (Redis's "dirty"); a change of bytes within
     * it is the caller's to report ({@link #modified}), as SETBIT reports only a bit that changed.
     *
     * @throws WrongTypeException when the key holds another type
     * @throws OutOfBudgetException when {@code newLength} is larger than the shard's budget
     */
    public GrowableString writableString(byte[] key, int newLength, long now) {
        Object stored = lookupWrite(key, ValueType.STRING, now);
        requireFits(newLength);
        GrowableString string;
        boolean created = stored == null;
        if (stored instanceof GrowableString g) {
            string = g;
        } else {
            string = stored == null ? GrowableString.empty() : GrowableString.adopt((byte[]) stored);
            if (stored == null) {
                set(key, ValueType.STRING, string, NO_EXPIRY); // one change, as Redis's dirty counts a key created by SETBIT
            } else {
                // the same string in another form: not a change (Redis's dbUnshareStringValue)
                KeyTable.Entry e = table.find(key, KeyTable.hash(key));
                addUsed(valueBytes(string) - valueBytes(e.value));
                e.value = string;
            }
        }
        long before = string.bytes();
        int lengthBefore = string.length();
        long max = budget.maxBytes();
        string.ensureLength(newLength, max > 0 ? max : Long.MAX_VALUE);
        addUsed(string.bytes() - before);
        lastStringCounted = created || string.length() != lengthBefore;
        if (string.length() != lengthBefore && !created) {
            touched(key);
        }
        return string;
    }

    /**
     * Whether the last {@link #writableString} counted as a change already (it created or lengthened the
     * string): a command that then changes bytes in it does not count again (Redis's SETBIT and BITFIELD
     * add one to {@code dirty} for a created or grown string whose bits also changed).
     */
    public boolean writableStringCounted() {
        return lastStringCounted;
    }

    /** The value at {@code key} changed in place without changing size (WATCH's modified key). */
    public void modified(byte[] key) {
        touched(key);
    }

    /** The type of a live key, or null when it is missing (TYPE). */
    public ValueType typeOf(byte[] key, long now) {
        KeyTable.Entry e = peek(key, now);
        return e == null ? null : e.type;
    }

    /** Expiry of a live key (epoch ms or {@link #NO_EXPIRY}); {@code Long.MIN_VALUE} when the key is missing. */
    public long expireAt(byte[] key, long now) {
        KeyTable.Entry e = peek(key, now);
        return e == null ? Long.MIN_VALUE : e.expireAt();
    }

    /** Whether the key is live, without counting as an access (Redis's EXISTS uses LOOKUP_NOTOUCH). */
    public boolean exists(byte[] key, long now) {
        return peek(key, now) != null;
    }

    /** TOUCH: whether the key is live, counting as an access (its LRU/LFU rank). */
    public boolean touchKey(byte[] key, long now) {
        return live(key, now) != null;
    }

    /**
     * Redis's {@code lookupKeyRead} of a key of any type ({@code touch}: its rank is an access;
     * otherwise {@code LOOKUP_NOTOUCH}, as EXISTS, TYPE and TTL read): whether it is live, counted as
     * a keyspace hit or miss, a miss with its {@code keymiss} event.
     */
    public boolean lookupAny(byte[] key, long now, boolean touch) {
        if ((touch ? live(key, now) : peek(key, now)) == null) {
            missed(key);
            return false;
        }
        keyspaceHits++;
        return true;
    }

    /**
     * Whether {@code key} is live, with no side effect at all: an expired key is neither deleted nor
     * counted, an access is not recorded (for who observes the store from inside a change, as WATCH
     * does when a FLUSHALL is about to delete everything).
     */
    public boolean holds(byte[] key, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        return e != null && !isExpired(e, now);
    }

    /** True if the key exists or is reserved by a pending cross-shard MSETNX (what NX writes must respect). */
    public boolean existsOrReserved(byte[] key, long now) {
        return live(key, now) != null || (!reservations.isEmpty() && reservations.containsKey(new ByteString(key)));
    }

    /**
     * A live entry without recording an access (Redis's LOOKUP_NOTOUCH: TYPE, TTL, EXISTS and OBJECT
     * must not change the eviction rank they report or that a later OBJECT IDLETIME reads).
     */
    private KeyTable.Entry peek(byte[] key, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        if (e != null && e.expiry != null && e.expiry.at <= now) {
            expireEntry(e);
            return null;
        }
        return e;
    }

    private KeyTable.Entry live(byte[] key, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        if (e != null) {
            if (e.expiry != null && e.expiry.at <= now) {
                expireEntry(e);
                return null;
            }
            touch(e, now);
        }
        return e;
    }

    // ------------------------------------------------------------------ writes

    /**
     * Stores {@code value} of {@code type} under {@code key} with {@code expireAt} (epoch ms or
     * {@link #NO_EXPIRY}), replacing whatever the key held, of any type (as SET does).
     */
    public void set(byte[] key, ValueType type, Object value, long expireAt) {
        store(key, type, value, expireAt, true);
    }

    /**
     * {@link #set} of a key read from a snapshot (Redis's {@code dbAddRDBLoad}): the same change,
     * without the {@code new} keyspace event, which Redis does not send for what it loads.
     */
    public void load(byte[] key, ValueType type, Object value, long expireAt) {
        store(key, type, value, expireAt, false);
    }

    private void store(byte[] key, ValueType type, Object value, long expireAt, boolean notifyNew) {
        int hash = KeyTable.hash(key);
        table.beforeChange(hash);
        KeyTable.Entry e = table.find(key, hash);
        if (e != null && e.expiry != null && e.expiry.at <= System.currentTimeMillis() && !expiryPaused) {
            // as Redis's lookupKeyWrite before its dbAdd: the old key expires (its event, its DEL), then a new one is made
            expireEntry(e);
            e = null;
        }
        if (e == null) {
            e = table.insert(key, hash, type, value);
            e.access = initialAccess();
            addUsed(entryBytes(key, value));
            if (keysPerSlot != null) {
                keysPerSlot[KeyHashing.slot(key)]++;
            }
            if (notifyNew) {
                changes.notify(KeyspaceEvents.NEW, "new", key);
            }
        } else {
            addUsed(valueBytes(value) - valueBytes(e.value));
            e.type = type;
            e.value = value;
        }
        setExpireAt(e, expireAt);
        clearReservation(key);
        touched(key);
        changes.valueSet(key, type);
    }

    /**
     * Brings the entries of up to 16 keys into the cache together, before the commands that look
     * them up run (a pipelined batch): their cache misses overlap instead of following each other.
     * The keys' hashes are {@link #keyHash}'s. Changes nothing; returns how many keys are present.
     */
    public int prefetch(int[] hashes, int count) {
        return table.prefetch(hashes, count);
    }

    /** The hash this store's table files a key under, of a key held in the first {@code length} bytes of {@code key}. */
    public static int keyHash(byte[] key, int length) {
        return KeyTable.hash(key, length);
    }

    // ------------------------------------------------------------------ the write path

    /** Where this store reports its changes from now on (the shard's write path, set once by the shard). */
    public void changes(KeyspaceChanges changes) {
        this.changes = changes;
    }

    /** Where this store and the commands running on it report changes ({@link KeyspaceChanges#propagate}). */
    public KeyspaceChanges changes() {
        return changes;
    }

    /** A keyspace event of a command on {@code key} ({@link KeyspaceChanges#notify}, Redis's notifyKeyspaceEvent). */
    public void notify(int type, String event, byte[] key) {
        changes.notify(type, event, key);
    }

    /**
     * A read of {@code key} found nothing: a keyspace miss, and its {@code keymiss} event (Redis's
     * lookupKey for a read without LOOKUP_NONOTIFY). For a command that looks a key up on its own.
     */
    public void missed(byte[] key) {
        keyspaceMisses++;
        changes.notify(KeyspaceEvents.KEY_MISS, "keymiss", key);
    }

    /**
     * While {@code paused} (CLIENT PAUSE WRITE or ALL on this shard) no key expires and none is
     * evicted, as in Redis 7: an expired key reads as missing and stays until the pause ends, when
     * the next access or the expiry cycle deletes it.
     */
    public void pauseExpiry(boolean paused) {
        this.expiryPaused = paused;
    }

    /** Changes made by commands since start (Redis's {@code server.dirty}; not expiry or eviction). */
    public long dirty() {
        return dirty;
    }

    /**
     * The waiters blocked clients keep on this store's keys grew or shrank by {@code delta} bytes:
     * counted in {@link #usedBytes} (Redis's used_memory includes its blocking structures), so a
     * flood of blocked keys puts the shard over budget (denyoom writes refused or keys evicted)
     * instead of growing the heap unseen. FLUSHALL keeps them: the clients still wait.
     */
    public void blockingBytes(long delta) {
        keptBytes += delta;
        addUsed(delta);
    }

    /**
     * The shard's script cache (the scripts' source and compiled form) grew or shrank by {@code delta}
     * bytes: counted in {@link #usedBytes}, as Redis's used_memory counts its scripts, so a flood of
     * SCRIPT LOADs takes its room from the keys. FLUSHALL keeps it: the scripts stay.
     */
    public void scriptCacheBytes(long delta) {
        keptBytes += delta;
        addUsed(delta);
    }

    /**
     * Client tracking's structures on this shard grew or shrank by {@code delta} bytes: counted in
     * {@link #usedBytes} as Redis's used_memory counts its tracking table, so they are within the budget.
     */
    public void trackingBytes(long delta) {
        trackingBytes += delta;
        addUsed(delta);
    }

    /** {@link #set} of a string. */
    public void setString(byte[] key, byte[] value, long expireAt) {
        set(key, ValueType.STRING, value, expireAt);
    }

    /** Replaces the value of {@code key} with a string, keeping its TTL if it has a live one. */
    public void setStringKeepTtl(byte[] key, byte[] value, long now) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            setString(key, value, NO_EXPIRY);
        } else {
            table.beforeChange(e.hash);
            addUsed(valueBytes(value) - valueBytes(e.value));
            e.type = ValueType.STRING;
            e.value = value;
            clearReservation(key);
            touched(key);
        }
    }

    /**
     * Replaces the string of a live key by {@code value}, keeping its TTL (a HyperLogLog turned
     * dense): counted in the budget and as a change of the key.
     */
    void replaceString(byte[] key, GrowableString value) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        table.beforeChange(e.hash);
        addUsed(valueBytes(value) - valueBytes(e.value));
        e.value = value;
        touched(key);
    }

    /** A value with its type and expiry, taken from one key to be put under another (RENAME). */
    public record StoredValue(ValueType type, Object value, long expireAt) {
    }

    /** Removes a live key and returns what it held, or null when it is missing. */
    public StoredValue take(byte[] key, long now) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            return null;
        }
        StoredValue taken = new StoredValue(e.type, e.value, e.expireAt());
        removeEntry(e);
        clearReservation(key);
        return taken;
    }

    /**
     * What {@code key} holds now, with no side effect (no access recorded, an expired key neither
     * deleted nor returned): for who reports a change from inside it (the write path's
     * {@link KeyspaceChanges#propagateValue}). The value is the store's own: read it, do not keep it.
     */
    public StoredValue stored(byte[] key, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        return e == null || isExpired(e, now) ? null : new StoredValue(e.type, e.value, e.expireAt());
    }

    /**
     * A copy of a live key's value with its type and expiry, sharing nothing that either key
     * changes later (COPY); null when the key is missing. Counts as a read (hit or miss). A value
     * larger than a shard's whole budget (every shard has the same) is refused before it is copied.
     *
     * @throws OutOfBudgetException when the copy could not fit any shard
     */
    public StoredValue copyOf(byte[] key, long now) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            missed(key);
            return null;
        }
        keyspaceHits++;
        requireFits(valueBytes(e.value));
        // A plain string is never changed in place: the copy may share it.
        Object copy = e.value instanceof byte[] ? e.value : ((MutableValue) e.value).copy();
        return new StoredValue(e.type, copy, e.expireAt());
    }

    /**
     * What OBJECT reports of a key: its type and value, the idle time since its last access (with an
     * LRU or no eviction rank) and its decayed access frequency (with an LFU policy).
     */
    public record ObjectInfo(ValueType type, Object value, long idleMillis, int frequency) {
    }

    /**
     * OBJECT's view of a live key, read without counting as an access (Redis's
     * {@code LOOKUP_NOTOUCH}); null when the key is missing.
     */
    public ObjectInfo inspect(byte[] key, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        if (e == null) {
            return null;
        }
        if (isExpired(e, now)) {
            expireEntry(e);
            return null;
        }
        if (lfu) {
            return new ObjectInfo(e.type, e.value, 0, lfuDecayed(e.access, minutes(now)));
        }
        long idleClock = Math.max(0, (int) (now >>> 10) - e.access);
        return new ObjectInfo(e.type, e.value, idleClock << 10, 0);
    }

    /**
     * Stores what {@link #take} returned under {@code key} as a new key, replacing what it held
     * (RENAME's and COPY's last step: Redis's dbDelete then dbAdd, so its {@code new} event even when
     * the key existed; one that had expired expires first, as their lookupKeyWrite finds it).
     */
    public void put(byte[] key, StoredValue stored) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        if (e != null && !(e.expiry != null && e.expiry.at <= System.currentTimeMillis() && !expiryPaused)) {
            unlink(e); // replaced: the change is the new key's (one, as Redis's server.dirty++)
        }
        set(key, stored.type(), stored.value(), stored.expireAt());
    }

    /** Sets the expiry of a live key; returns false if the key is missing. An expiry in the past deletes the key. */
    public boolean expire(byte[] key, long expireAt, long now) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            return false;
        }
        if (expireAt != NO_EXPIRY && expireAt <= now) {
            removeEntry(e);
            return true;
        }
        if (e.expireAt() != expireAt) {
            table.beforeChange(e.hash);
            setExpireAt(e, expireAt);
            touched(key);
        }
        return true;
    }

    public boolean delete(byte[] key, long now) {
        KeyTable.Entry e = live(key, now);
        if (e == null) {
            return false;
        }
        removeEntry(e);
        clearReservation(key);
        return true;
    }

    /** Deletes every key; each counts as a change (Redis's {@code server.dirty += removed}). */
    public void flush() {
        changes.flushing(); // WATCH touches the watched keys that exist now (Redis's touchAllWatchedKeysInDb)
        dirty += table.size();
        if (table.snapshot != null) {
            table = new KeyTable(); // the snapshot keeps the old one, unchanged from here
        } else {
            table.clear();
        }
        volatileHead = null;
        activeCursor = null;
        evictCursor = null;
        volatileCount = 0;
        USED_BYTES.setOpaque(this, keptBytes + trackingBytes);
        if (keysPerSlot != null) {
            java.util.Arrays.fill(keysPerSlot, 0);
        }
    }

    // ------------------------------------------------------------------ hash slots (cluster mode)

    /** Keys of each hash slot in this store, kept only in cluster mode (null otherwise: nothing to pay). */
    private int[] keysPerSlot;

    /**
     * From now on this store counts its keys per hash slot (Redis Cluster's CLUSTER COUNTKEYSINSLOT,
     * and what a migration has left to move): 64 KB and a CRC16 per key added or removed. Call before
     * any key is stored (at start, before loading).
     */
    public void countKeysPerSlot() {
        if (keysPerSlot == null) {
            keysPerSlot = new int[KeyHashing.SLOTS];
            table.forEach(e -> keysPerSlot[KeyHashing.slot(e.key)]++);
        }
    }

    /** Keys of {@code slot} here (expired ones not yet deleted included, as Redis's count); 0 unless counted. */
    public int keysInSlot(int slot) {
        return keysPerSlot == null ? 0 : keysPerSlot[slot];
    }

    /** A key of this store and what it holds, as a migration takes it. */
    public record SlotEntry(byte[] key, ValueType type, Object value, long expireAt) {
    }

    /**
     * One step of a walk over the keys of {@code slots} (SCAN's cursor: a key there for the whole walk
     * is met once): visits buckets from {@code cursor} until {@code maxKeys} keys of those slots were
     * taken or {@code maxBuckets} buckets visited; expired keys are deleted, not taken. Returns the next
     * cursor (0: the walk is over).
     */
    public long scanSlots(long cursor, java.util.BitSet slots, int maxKeys, int maxBuckets, long now, List<SlotEntry> out) {
        int buckets = 0;
        do {
            cursor = table.scanBucket(cursor, e -> {
                if (!slots.get(KeyHashing.slot(e.key))) {
                    return;
                }
                if (isExpired(e, now)) {
                    expireEntry(e);
                } else {
                    out.add(new SlotEntry(e.key, e.type, e.value, e.expireAt()));
                }
            });
            buckets++;
        } while (cursor != 0 && out.size() < maxKeys && buckets < maxBuckets);
        return cursor;
    }

    // ------------------------------------------------------------------ memory budget (Redis's evict.c)

    /** This shard's budget; takes effect on the next write (CONFIG SET applies it live). */
    public void budget(MemoryBudget budget) {
        this.budget = budget;
        this.maxBytes = budget.maxBytes();
        this.lfu = budget.policy().rank == MaxmemoryPolicy.Rank.LFU;
    }

    public MemoryBudget budget() {
        return budget;
    }

    /** The compact-encoding limits of sorted sets on this shard; takes effect on the next insert. */
    public void zsetLimits(ZSetValue.Limits limits) {
        this.zsetLimits = limits;
    }

    public ZSetValue.Limits zsetLimits() {
        return zsetLimits;
    }

    /** The listpack limits of hashes on this shard; takes effect on the next write of a hash. */
    public void hashLimits(HashValue.Limits limits) {
        this.hashLimits = limits;
    }

    public HashValue.Limits hashLimits() {
        return hashLimits;
    }

    /** Redis's {@code hll-sparse-max-bytes} on this shard; followed from the next change of a sparse HyperLogLog. */
    public void hllSparseMaxBytes(long bytes) {
        this.hllSparseMaxBytes = bytes;
    }

    public long hllSparseMaxBytes() {
        return hllSparseMaxBytes;
    }

    /** The intset limit of sets on this shard; takes effect on the next add to a set. */
    public void setLimits(SetValue.Limits limits) {
        this.setLimits = limits;
    }

    public SetValue.Limits setLimits() {
        return setLimits;
    }

    /** The node limits of streams on this shard; takes effect on the next XADD. */
    public void streamLimits(StreamValue.Limits limits) {
        this.streamLimits = limits;
    }

    public StreamValue.Limits streamLimits() {
        return streamLimits;
    }

    /** Estimated bytes of this shard's keys and values (Redis's {@code used_memory} for this shard); any thread. */
    public long usedBytes() {
        return (long) USED_BYTES.getOpaque(this);
    }

    /** Keys evicted to stay within the budget since start; any thread. */
    public long evictedKeys() {
        return (long) EVICTED_KEYS.getOpaque(this);
    }

    /** What other threads may read of this store's memory: figures the shard publishes for them. */
    public MemoryFigures memoryFigures() {
        return new MemoryFigures(this::usedBytes, () -> budget.maxBytes(), this::evictedKeys);
    }

    /**
     * Over budget once the keys' bytes plus the store's own fixed structures
     * ({@link #FIXED_OVERHEAD}) exceed this shard's part of maxmemory. Like Redis's used_memory,
     * which never drops below the server's own baseline, an empty shard under {@code maxmemory 1}
     * is over budget, so it refuses writes as redis-server does.
     */
    /** A script with the {@code allow-oom} flag runs here now: its writes are not refused for memory ({@link #makeRoom}). */
    private boolean writesDespiteBudget;

    public void writesDespiteBudget(boolean on) {
        writesDespiteBudget = on;
    }

    public boolean overBudget() {
        return maxBytes > 0 && usedBytes + FIXED_OVERHEAD > maxBytes;
    }

    /** The store's own structures (table header, initial bucket array, lists): what an empty shard uses. */
    static final long FIXED_OVERHEAD = 512;

    /**
     * Before a write that may grow memory (Redis's {@code denyoom} commands): evicts keys by the
     * policy until the shard is within its budget. Returns false, and the write must answer
     * {@code -OOM}, when the policy is noeviction or nothing more can be evicted.
     */
    public boolean makeRoom(long now) {
        if (!overBudget() || expiryPaused) {
            return true; // Redis's isSafeToPerformEvictions: nothing is evicted during a pause
        }
        if (writesDespiteBudget) {
            return true; // a script with allow-oom: Redis neither evicts nor refuses inside it
        }
        if (budget.policy() == MaxmemoryPolicy.NOEVICTION) {
            return false;
        }
        for (int i = 0; i < MAX_EVICTIONS_PER_WRITE && overBudget(); i++) {
            KeyTable.Entry victim = pickVictim(now);
            if (victim == null) {
                return false;
            }
            unlink(victim);
            clearReservation(victim.key);
            EVICTED_KEYS.setOpaque(this, evictedKeys + 1);
            changes.evicted(victim.key);
        }
        return !overBudget();
    }

    /**
     * A value the client is about to make (SETRANGE, APPEND) larger than the whole shard budget can
     * never be stored: refused before it is allocated, so a 512 MB SETRANGE cannot take the heap.
     *
     * @throws OutOfBudgetException when {@code bytes} exceeds this shard's budget
     */
    public void requireFits(long bytes) {
        long max = budget.maxBytes();
        if (max > 0 && bytes > max) {
            throw new OutOfBudgetException();
        }
    }

    /**
     * Samples {@code maxmemory-samples} candidates (random keys, or keys with a TTL walked
     * round-robin for the volatile policies) and returns the one the policy ranks first:
     * least recently used, least frequently used (Redis's decayed logarithmic counter), nearest
     * expiry, or any. Redis keeps a pool of the best candidates across calls; a fresh sample per
     * eviction is the same approximation with a little less precision.
     */
    private KeyTable.Entry pickVictim(long now) {
        MaxmemoryPolicy policy = budget.policy();
        int nowMinutes = minutes(now);
        KeyTable.Entry best = null;
        long bestRank = Long.MAX_VALUE;
        for (int i = 0; i < budget.samples(); i++) {
            KeyTable.Entry candidate = policy.volatileOnly ? nextVolatile() : table.random(random);
            if (candidate == null) {
                break;
            }
            long rank = switch (policy.rank) {
                case LRU -> candidate.access;
                case LFU -> lfuDecayed(candidate.access, nowMinutes);
                case TTL -> candidate.expireAt();
                default -> 0;
            };
            if (best == null || rank < bestRank) {
                best = candidate;
                bestRank = rank;
            }
        }
        return best;
    }

    private KeyTable.Entry nextVolatile() {
        KeyTable.Entry e = evictCursor != null ? evictCursor : volatileHead;
        if (e != null) {
            evictCursor = e.expiry.next;
        }
        return e;
    }

    private int initialAccess() {
        // LFU's minutes from the wall clock, as its decay reads them: the LRU clock lags up to a tick
        // behind, and a minute turning in between would decay a new key's counter before its first read
        return lfu ? minutes(System.currentTimeMillis()) << 8 | LFU_INIT_VAL : lruClock;
    }

    /**
     * Records an access for the eviction rank: the LRU clock (a shift, not a division: units of
     * 1.024 s, Redis's own resolution is 1 s) or Redis's LFU counter. Two plain stores per access.
     */
    private void touch(KeyTable.Entry e, long now) {
        int clock = (int) (now >>> 10);
        lruClock = clock;
        if (lfu) {
            int minutes = minutes(now);
            e.access = minutes << 8 | lfuIncrement(lfuDecayed(e.access, minutes));
        } else {
            e.access = clock;
        }
    }

    private static int minutes(long now) {
        return (int) ((now / 60_000) & 0xFFFF);
    }

    /** Redis's LFUDecrAndReturn: the counter less one per elapsed decay period. */
    static int lfuDecayed(int access, int nowMinutes) {
        int last = access >>> 8;
        int counter = access & 0xFF;
        int elapsed = nowMinutes >= last ? nowMinutes - last : 0xFFFF - last + nowMinutes;
        int periods = elapsed / LFU_DECAY_MINUTES;
        return periods > counter ? 0 : counter - periods;
    }

    /** Redis's LFULogIncr: the counter grows with probability 1 / ((counter - 5) * 10 + 1). */
    private int lfuIncrement(int counter) {
        if (counter == 255) {
            return 255;
        }
        double base = Math.max(0, counter - LFU_INIT_VAL);
        return random.nextDouble() < 1.0 / (base * LFU_LOG_FACTOR + 1) ? counter + 1 : counter;
    }

    private void addUsed(long delta) {
        USED_BYTES.setOpaque(this, usedBytes + delta);
    }

    static long entryBytes(byte[] key, Object value) {
        return ENTRY_OVERHEAD + arrayBytes(key.length) + valueBytes(value);
    }

    /** A byte array's heap size (16-byte header, rounded to 8); a value changed in place counts its own. */
    static long valueBytes(Object value) {
        if (value instanceof byte[] bytes) {
            return arrayBytes(bytes.length);
        }
        return value instanceof MutableValue mutable ? mutable.bytes() : 0;
    }

    /**
     * The aggregate stored under {@code key} changed in place, and its size by {@code delta} bytes
     * (its {@code bytes()} after minus before): the budget follows (a shard over it evicts on the
     * next write, as after any write), and the key counts as modified for WATCH.
     */
    public void resized(byte[] key, long delta) {
        addUsed(delta);
        touched(key);
    }

    /**
     * RESTORE's IDLETIME and FREQ (Redis's {@code objectSetLRUOrLFU}): with an LFU policy a
     * {@code frequency} of 0..255 becomes the key's access counter; with any other policy an
     * {@code idleSeconds} of 0 or more dates its last access that long before {@code now}. A negative
     * value, or one the policy does not rank by, changes nothing.
     */
    public void restoreAccess(byte[] key, long idleSeconds, int frequency, long now) {
        KeyTable.Entry e = table.find(key, KeyTable.hash(key));
        if (e == null) {
            return;
        }
        if (lfu) {
            if (frequency >= 0) {
                e.access = minutes(now) << 8 | Math.min(frequency, 255);
            }
        } else if (idleSeconds >= 0) {
            long idleMillis = idleSeconds > now / 1000 ? now : idleSeconds * 1000;
            // whole clock units of 1.024 s, rounded up: OBJECT IDLETIME then reads at least the seconds restored
            e.access = (int) ((now >>> 10) - (idleMillis + 1023) / 1024);
        }
    }

    /** MEMORY USAGE: the budget's estimate of {@code key} (entry, key and value), or -1 when it is absent. */
    public long memoryUsage(byte[] key, long now) {
        KeyTable.Entry e = live(key, now);
        return e == null ? -1 : entryBytes(e.key, e.value) + (e.expiry != null ? EXPIRY_BYTES : 0);
    }

    /** The shard's random source (eviction samples, RANDOMKEY, HRANDFIELD). */
    public SplittableRandom random() {
        return random;
    }

    /** {@link #lookupRead} for a hash. @throws WrongTypeException when the key holds another type */
    public HashValue readHash(byte[] key, long now) {
        return (HashValue) lookupRead(key, ValueType.HASH, now);
    }

    /** {@link #lookupRead} for a list. @throws WrongTypeException when the key holds another type */
    public ListValue readList(byte[] key, long now) {
        return (ListValue) lookupRead(key, ValueType.LIST, now);
    }

    /** {@link #lookupWrite} for a list. @throws WrongTypeException when the key holds another type */
    public ListValue writeList(byte[] key, long now) {
        return (ListValue) lookupWrite(key, ValueType.LIST, now);
    }

    /** {@link #lookupRead} for a set. @throws WrongTypeException when the key holds another type */
    public SetValue readSet(byte[] key, long now) {
        return (SetValue) lookupRead(key, ValueType.SET, now);
    }

    /** {@link #lookupWrite} for a set. @throws WrongTypeException when the key holds another type */
    public SetValue writeSet(byte[] key, long now) {
        return (SetValue) lookupWrite(key, ValueType.SET, now);
    }

    /** {@link #lookupRead} for a sorted set. @throws WrongTypeException when the key holds another type */
    public ZSetValue readZSet(byte[] key, long now) {
        return (ZSetValue) lookupRead(key, ValueType.ZSET, now);
    }

    /** {@link #lookupWrite} for a sorted set. @throws WrongTypeException when the key holds another type */
    public ZSetValue writeZSet(byte[] key, long now) {
        return (ZSetValue) lookupWrite(key, ValueType.ZSET, now);
    }

    /** {@link #lookupRead} for a stream. @throws WrongTypeException when the key holds another type */
    public StreamValue readStream(byte[] key, long now) {
        return (StreamValue) lookupRead(key, ValueType.STREAM, now);
    }

    /** {@link #lookupWrite} for a stream. @throws WrongTypeException when the key holds another type */
    public StreamValue writeStream(byte[] key, long now) {
        return (StreamValue) lookupWrite(key, ValueType.STREAM, now);
    }

    /**
     * Clients blocked on {@code key} may be served or failed now (Redis's signalKeyAsReady): XADD to
     * a stream that exists, XGROUP DESTROY. A stream created, replaced or deleted signals itself.
     */
    public void signalReady(byte[] key) {
        changes.keyReady(key);
    }

    /** {@link #lookupWrite} for a hash. @throws WrongTypeException when the key holds another type */
    public HashValue writeHash(byte[] key, long now) {
        return (HashValue) lookupWrite(key, ValueType.HASH, now);
    }

    /** A byte array's heap size: a 16-byte header and the bytes, rounded up to 8. */
    public static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Starts handing every live key, as it is now, to {@code sink} while the shard goes on
     * (see {@link StoreSnapshot}); the caller drives it with {@link StoreSnapshot#step}.
     *
     * @throws IllegalStateException when a snapshot of this store is running
     */
    public StoreSnapshot snapshot(StoreSnapshot.Sink sink, long now) {
        if (table.snapshot != null) {
            throw new IllegalStateException("a snapshot of this store is running");
        }
        return new StoreSnapshot(table, sink, now);
    }

    // ------------------------------------------------------------------ iteration

    public int size() {
        return table.size();
    }

    public int volatileCount() {
        return volatileCount;
    }

    /** Appends the live keys matching {@code pattern} (null matches all) to {@code out}. */
    public void keys(GlobPattern pattern, List<byte[]> out, long now) {
        table.forEach(e -> {
            if (isExpired(e, now)) {
                expireEntry(e);
            } else if (pattern == null || pattern.matches(e.key)) {
                out.add(e.key);
            }
        });
    }

    /**
     * One SCAN step over this shard: visits buckets from {@code cursor} until at least
     * {@code count} keys were visited or the table is done; keeps the keys matching {@code pattern}
     * and {@code typeName} (null matches all). Returns the next cursor (0 = done).
     */
    public long scan(long cursor, int count, GlobPattern pattern, String typeName, List<byte[]> out, long now) {
        int[] visited = {0};
        do {
            cursor = table.scanBucket(cursor, e -> {
                visited[0]++;
                if (isExpired(e, now)) {
                    expireEntry(e);
                } else if ((pattern == null || pattern.matches(e.key)) && (typeName == null || typeName.equalsIgnoreCase(e.type.name()))) {
                    out.add(e.key);
                }
            });
        } while (cursor != 0 && visited[0] < count);
        return cursor;
    }

    /** A random live key, or null when there is none. */
    public byte[] randomKey(long now) {
        for (int attempt = 0; attempt < 100; attempt++) {
            KeyTable.Entry e = table.random(random);
            if (e == null) {
                return null;
            }
            if (!isExpired(e, now)) {
                return e.key;
            }
            expireEntry(e);
        }
        return null;
    }

    // ------------------------------------------------------------------ active expiry

    /**
     * Redis's active expiry, adapted: examines {@value #ACTIVE_EXPIRE_SAMPLE} keys with a TTL
     * (walking them round-robin from where the previous cycle stopped), deletes the expired ones,
     * and repeats while more than {@value #ACTIVE_EXPIRE_REPEAT_PERCENT}% of a round had expired
     * and the time budget lasts. Returns the number of keys deleted.
     */
    public int activeExpireCycle(long now, long budgetNanos) {
        // Redis's serverCron keeps the LRU clock current for keys created without a "now" (set()),
        // so a new key on a shard nobody read from lately is not born idle (OBJECT IDLETIME)
        lruClock = (int) (now >>> 10);
        if (expiryPaused) {
            return 0;
        }
        long deadline = System.nanoTime() + budgetNanos;
        int removed = 0;
        while (volatileCount > 0) {
            int expiredThisRound = 0;
            int sample = Math.min(ACTIVE_EXPIRE_SAMPLE, volatileCount);
            for (int i = 0; i < sample && volatileCount > 0; i++) {
                KeyTable.Entry e = activeCursor != null ? activeCursor : volatileHead;
                activeCursor = e.expiry.next;
                if (isExpired(e, now)) {
                    expireEntry(e);
                    expiredThisRound++;
                }
            }
            removed += expiredThisRound;
            if (expiredThisRound * 100 <= sample * ACTIVE_EXPIRE_REPEAT_PERCENT || System.nanoTime() >= deadline) {
                break;
            }
        }
        return removed;
    }

    // ------------------------------------------------------------------ cross-shard MSETNX

    /**
     * Prepare step of a cross-shard MSETNX: if none of {@code keys} exists or is reserved,
     * reserves them all for {@code txn} and returns true; otherwise changes nothing.
     */
    public boolean reserveIfAbsent(List<byte[]> keys, long txn, long now) {
        for (byte[] key : keys) {
            if (existsOrReserved(key, now)) {
                return false;
            }
        }
        for (byte[] key : keys) {
            reservations.put(new ByteString(key), txn);
        }
        return true;
    }

    /**
     * Commit step: writes each key still reserved by {@code txn}, and returns their positions in
     * {@code keys}. A key written by someone else since the prepare lost its reservation; that write
     * is ordered after this MSETNX, so its value stands (the same outcome as MSETNX-then-write).
     */
    public List<Integer> commitReserved(List<byte[]> keys, List<byte[]> values, long txn) {
        List<Integer> written = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            ByteString k = new ByteString(keys.get(i));
            Long owner = reservations.get(k);
            if (owner != null && owner == txn) {
                reservations.remove(k);
                setString(keys.get(i), values.get(i), NO_EXPIRY);
                changes.notify(KeyspaceEvents.STRING, "set", keys.get(i)); // MSETNX's event, after each key as Redis
                written.add(i);
            }
        }
        return written;
    }

    /** Abort step: drops the reservations {@code txn} still holds. */
    public void releaseReserved(List<byte[]> keys, long txn) {
        for (byte[] key : keys) {
            ByteString k = new ByteString(key);
            Long owner = reservations.get(k);
            if (owner != null && owner == txn) {
                reservations.remove(k);
            }
        }
    }

    public int reservationCount() {
        return reservations.size();
    }

    // ------------------------------------------------------------------ statistics

    public long keyspaceHits() {
        return keyspaceHits;
    }

    public long keyspaceMisses() {
        return keyspaceMisses;
    }

    public long expiredKeys() {
        return expiredKeys;
    }

    // ------------------------------------------------------------------ internals

    private static boolean isExpired(KeyTable.Entry e, long now) {
        return e.expiry != null && e.expiry.at <= now;
    }

    private void clearReservation(byte[] key) {
        if (!reservations.isEmpty()) {
            reservations.remove(new ByteString(key));
        }
    }

    private void setExpireAt(KeyTable.Entry e, long expireAt) {
        if (expireAt == NO_EXPIRY) {
            unlinkVolatile(e);
        } else if (e.expiry != null) {
            e.expiry.at = expireAt;
        } else {
            KeyTable.Expiry x = new KeyTable.Expiry(expireAt);
            x.next = volatileHead;
            if (volatileHead != null) {
                volatileHead.expiry.prev = e;
            }
            volatileHead = e;
            e.expiry = x;
            volatileCount++;
            addUsed(EXPIRY_BYTES);
        }
    }

    private void unlinkVolatile(KeyTable.Entry e) {
        KeyTable.Expiry x = e.expiry;
        if (x == null) {
            return;
        }
        if (activeCursor == e) {
            activeCursor = x.next;
        }
        if (evictCursor == e) {
            evictCursor = x.next;
        }
        if (x.prev != null) {
            x.prev.expiry.next = x.next;
        } else {
            volatileHead = x.next;
        }
        if (x.next != null) {
            x.next.expiry.prev = x.prev;
        }
        e.expiry = null;
        volatileCount--;
        addUsed(-EXPIRY_BYTES);
    }

    /** A command deletes {@code e} (DEL, an emptied aggregate, RENAME's source, an expiry set in the past). */
    private void removeEntry(KeyTable.Entry e) {
        unlink(e);
        touched(e.key);
    }

    /**
     * {@code e}'s time to live has passed: the store deletes it on its own (no command's change).
     * During a pause it stays, and the caller treats it as missing all the same.
     */
    private void expireEntry(KeyTable.Entry e) {
        if (expiryPaused) {
            return;
        }
        unlink(e);
        expiredKeys++;
        changes.expired(e.key);
    }

    private void unlink(KeyTable.Entry e) {
        table.beforeChange(e.hash);
        unlinkVolatile(e);
        table.remove(e);
        addUsed(-entryBytes(e.key, e.value));
        if (keysPerSlot != null) {
            keysPerSlot[KeyHashing.slot(e.key)]--;
        }
        if (e.type == ValueType.STREAM) {
            changes.keyReady(e.key); // its XREADGROUP clients fail (Redis's dbGenericDelete)
        }
    }

    /** A command changed {@code key} (Redis's {@code signalModifiedKey} and {@code server.dirty++}). */
    private void touched(byte[] key) {
        dirty++;
        changes.modified(key);
    }
}
