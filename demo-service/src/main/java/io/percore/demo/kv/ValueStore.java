package io.percore.demo.kv;

import java.util.SplittableRandom;

/**
 * One database of the values one shard owns (Redis's {@code redisDb} and {@code db.c}, for one shard's
 * keys): keys mapped to typed values ({@link ValueType}) with optional expiry. The shard's databases
 * share their memory budget and its eviction, the counters INFO reads, the random source and the record of each key's
 * use ({@link Databases}, {@link AccessClock}). Touched only by its shard's thread, so nothing here is
 * synchronized. Expiry is lazy (a key found expired on access is deleted) plus active
 * ({@link #activeExpireCycle}, run on the shard's timer).
 *
 * <p>A command of one data type reads a key through {@link #lookupRead} or {@link #lookupWrite}
 * with its type tag; the type check in {@link #lookup} is the only place that produces WRONGTYPE,
 * so every type (hash, list, set, zset) gets it by asking for its tag. Commands that work
 * on any type (DEL, EXPIRE, TYPE, RENAME, SCAN, ...) use the untyped methods.
 */
public final class ValueStore {

    public static final long NO_EXPIRY = KeyTable.NO_EXPIRY;

    /** Not final: a FLUSHALL during a snapshot leaves the old table to the snapshot and starts a new one; SWAPDB swaps it. */
    private KeyTable table = new KeyTable();
    /** What this shard's databases share: the budget, the counters, the random source. */
    private final Databases shared;
    /** This database's index (Redis's {@code db->id}). */
    private final int id;
    private final SplittableRandom random;

    /** Where every change is reported: the shard's write path ({@link KeyspaceChanges#NONE} for a store on its own). */
    private KeyspaceChanges changes = KeyspaceChanges.NONE;

    /** Keys held by a cross-shard write between its prepare and its commit. */
    private final KeyReservations reservations = new KeyReservations(this);
    private final KeyWalks walks = new KeyWalks(this);
    /** Not final: SWAPDB swaps it with the table. */
    private VolatileKeys volatileKeys = new VolatileKeys();
    private final StringsInPlace strings = new StringsInPlace(this);

    /** When each type leaves its compact form (CONFIG SET): set and read on this shard only. */
    private EncodingLimits encodings = EncodingLimits.DEFAULT;

    /** The estimated bytes of the shard's keys and the budget they live within (every database's). */
    private final StoreMemory memory;
    /** This database's part of {@link StoreMemory#usedBytes()}: its keys and values (FLUSHDB gives it back). */
    private long bytes;
    /** The shard's record of each key's use, by which eviction ranks keys. */
    private final AccessClock clock;

    /**
     * CLIENT PAUSE is on: the keys stay as they are (Redis's {@code checkClientPauseTimeoutAndReturnIfPaused}
     * in expireIfNeeded, the expiry cycle and eviction). An expired key reads as missing but is not deleted.
     */
    private boolean expiryPaused;


    /** A store on its own: the one database of a shard of one database. */
    public ValueStore() {
        this(new SplittableRandom());
    }

    public ValueStore(SplittableRandom random) {
        this(new Databases(1, random), 0);
        shared.adopt(this);
    }

    /** Database {@code id} of {@code shared}'s shard (made by {@link Databases#get}). */
    ValueStore(Databases shared, int id) {
        this.shared = shared;
        this.id = id;
        this.memory = shared.memory;
        this.random = shared.random;
        this.clock = shared.clock;
    }

    /** This database's index (Redis's {@code db->id}). */
    public int id() {
        return id;
    }

    /** This shard's databases, this one among them. */
    public Databases databases() {
        return shared;
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
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            if (countStats) {
                missed(key);
            }
            return null;
        }
        if (countStats) {
            shared.keyspaceHits++;
        } else {
            table.beforeChange(table.hash(e)); // a value looked up to be written is changed in place next
        }
        if (!table.holds(e, type)) {
            throw new WrongTypeException();
        }
        if (countStats) {
            return table.value(e);
        }
        long before = table.dataBytes(e);
        Object value = table.toChange(e); // an aggregate packed in its record is an object again until the command is over
        addUsed(table.dataBytes(e) - before);
        return value;
    }

    /** Packs small aggregates back into their keys' records ({@link KeyTable#settle}): between commands, never inside one. */
    public void settle() {
        if (table.unsettled()) {
            addUsed(table.settle());
        }
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

    /** APPEND, SETRANGE, SETBIT, BITFIELD and a HyperLogLog's registers change strings in place through here. */
    public StringsInPlace strings() {
        return strings;
    }

    /** The value at {@code key} changed in place without changing size (WATCH's modified key). */
    public void modified(byte[] key) {
        touched(key);
    }

    /** The type of a live key, or null when it is missing (TYPE). */
    public ValueType typeOf(byte[] key, long now) {
        int e = peek(key, now);
        return e == KeyTable.NONE ? null : table.type(e);
    }

    /** Expiry of a live key (epoch ms or {@link #NO_EXPIRY}); {@code Long.MIN_VALUE} when the key is missing. */
    public long expireAt(byte[] key, long now) {
        int e = peek(key, now);
        return e == KeyTable.NONE ? Long.MIN_VALUE : table.expireAt(e);
    }

    /** Whether the key is live, without counting as an access (Redis's EXISTS uses LOOKUP_NOTOUCH). */
    public boolean exists(byte[] key, long now) {
        return peek(key, now) != KeyTable.NONE;
    }

    /** TOUCH: whether the key is live, counting as an access (its LRU/LFU rank). */
    public boolean touchKey(byte[] key, long now) {
        return live(key, now) != KeyTable.NONE;
    }

    /**
     * Redis's {@code lookupKeyRead} of a key of any type ({@code touch}: its rank is an access;
     * otherwise {@code LOOKUP_NOTOUCH}, as EXISTS, TYPE and TTL read): whether it is live, counted as
     * a keyspace hit or miss, a miss with its {@code keymiss} event.
     */
    public boolean lookupAny(byte[] key, long now, boolean touch) {
        if ((touch ? live(key, now) : peek(key, now)) == KeyTable.NONE) {
            missed(key);
            return false;
        }
        shared.keyspaceHits++;
        return true;
    }

    /**
     * Whether {@code key} is live, with no side effect at all: an expired key is neither deleted nor
     * counted, an access is not recorded (for who observes the store from inside a change, as WATCH
     * does when a FLUSHALL is about to delete everything).
     */
    public boolean holds(byte[] key, long now) {
        int e = table.find(key, KeyTable.hash(key));
        return e != KeyTable.NONE && !isExpired(e, now);
    }

    /** Whether {@code key} is in the table, expired or not, with no side effect (SWAPDB's watched keys). */
    public boolean present(byte[] key) {
        return table.find(key, KeyTable.hash(key)) != KeyTable.NONE;
    }

    /** True if the key exists or is reserved by a pending cross-shard write (what NX writes must respect). */
    public boolean existsOrReserved(byte[] key, long now) {
        return live(key, now) != KeyTable.NONE || reservations.holds(key);
    }

    /**
     * A live entry without recording an access (Redis's LOOKUP_NOTOUCH: TYPE, TTL, EXISTS and OBJECT
     * must not change the eviction rank they report or that a later OBJECT IDLETIME reads).
     */
    private int peek(byte[] key, long now) {
        int e = table.find(key, KeyTable.hash(key));
        if (e != KeyTable.NONE && table.expiredAt(e, now)) {
            expireEntry(e);
            return KeyTable.NONE;
        }
        return e;
    }

    private int live(byte[] key, long now) {
        int e = table.find(key, KeyTable.hash(key));
        if (e != KeyTable.NONE) {
            if (table.expiredAt(e, now)) {
                expireEntry(e);
                return KeyTable.NONE;
            }
            clock.touch(table, e, now);
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
        settle(); // a loader hands over a whole value and keeps nothing of it
    }

    private void store(byte[] key, ValueType type, Object value, long expireAt, boolean notifyNew) {
        int hash = KeyTable.hash(key);
        table.beforeChange(hash);
        int e = table.find(key, hash);
        if (e != KeyTable.NONE && table.expiredNow(e) && !expiryPaused) {
            // as Redis's lookupKeyWrite before its dbAdd: the old key expires (its event, its DEL), then a new one is made
            expireEntry(e);
            e = KeyTable.NONE;
        }
        if (e == KeyTable.NONE) {
            e = table.insert(key, hash, type, value);
            table.access(e, clock.initial());
            addUsed(HeapSizes.ENTRY_OVERHEAD + table.dataBytes(e));
            slotCounts.added(key);
            if (notifyNew) {
                changes.notify(KeyspaceEvents.NEW, "new", key);
            }
        } else {
            replace(e, type, value);
        }
        setExpireAt(e, expireAt);
        reservations.end(key);
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
        shared.keyspaceMisses++;
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

    /** {@link #set} of a string. */
    public void setString(byte[] key, byte[] value, long expireAt) {
        set(key, ValueType.STRING, value, expireAt);
    }

    /** Replaces the value of {@code key} with a string, keeping its TTL if it has a live one. */
    public void setStringKeepTtl(byte[] key, byte[] value, long now) {
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            setString(key, value, NO_EXPIRY);
        } else {
            table.beforeChange(table.hash(e));
            replace(e, ValueType.STRING, value);
            reservations.end(key);
            touched(key);
        }
    }

    /**
     * {@code value} replaces what the live {@code key} holds, keeping its type and TTL: counted in the budget, not
     * as a change (the caller says whether it is one).
     */
    void replaceValue(byte[] key, Object value) {
        int e = table.find(key, KeyTable.hash(key));
        table.beforeChange(table.hash(e));
        replace(e, table.type(e), value);
    }

    /** Key {@code e} holds {@code value} of {@code type} from now on, the budget counting the change in size. */
    private void replace(int e, ValueType type, Object value) {
        long before = table.dataBytes(e);
        table.value(e, type, value);
        addUsed(table.dataBytes(e) - before);
    }

    /** Removes a live key and returns what it held, or null when it is missing. */
    public StoredValue take(byte[] key, long now) {
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            return null;
        }
        StoredValue taken = new StoredValue(table.type(e), table.value(e), table.expireAt(e));
        removeEntry(e);
        reservations.end(key);
        return taken;
    }

    /**
     * What {@code key} holds now, with no side effect (no access recorded, an expired key neither
     * deleted nor returned): for who reports a change from inside it (the write path's
     * {@link KeyspaceChanges#propagateValue}). The value is the store's own: read it, do not keep it.
     */
    public StoredValue stored(byte[] key, long now) {
        int e = table.find(key, KeyTable.hash(key));
        return e == KeyTable.NONE || isExpired(e, now) ? null : new StoredValue(table.type(e), table.value(e), table.expireAt(e));
    }

    /**
     * A copy of a live key's value with its type and expiry, sharing nothing that either key
     * changes later (COPY); null when the key is missing. Counts as a read (hit or miss). A value
     * larger than a shard's whole budget (every shard has the same) is refused before it is copied.
     *
     * @throws OutOfBudgetException when the copy could not fit any shard
     */
    public StoredValue copyOf(byte[] key, long now) {
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            missed(key);
            return null;
        }
        shared.keyspaceHits++;
        // A plain string is never changed in place: the copy may share it.
        Object value = table.value(e);
        memory.requireFits(HeapSizes.valueBytes(value));
        Object copy = value instanceof byte[] ? value : ((MutableValue) value).copy();
        return new StoredValue(table.type(e), copy, table.expireAt(e));
    }

    /**
     * OBJECT's view of a live key, read without counting as an access (Redis's
     * {@code LOOKUP_NOTOUCH}); null when the key is missing.
     */
    public ObjectInfo inspect(byte[] key, long now) {
        int e = table.find(key, KeyTable.hash(key));
        return e == KeyTable.NONE || expireIfDue(e, now) ? null : ObjectInfo.of(table, e, clock.lfu(), now);
    }

    /**
     * Stores what {@link #take} returned under {@code key} as a new key, replacing what it held
     * (RENAME's and COPY's last step: Redis's dbDelete then dbAdd, so its {@code new} event even when
     * the key existed; one that had expired expires first, as their lookupKeyWrite finds it).
     */
    public void put(byte[] key, StoredValue stored) {
        int e = table.find(key, KeyTable.hash(key));
        if (e != KeyTable.NONE && !(table.expiredNow(e) && !expiryPaused)) {
            unlink(e); // replaced: the change is the new key's (one, as Redis's server.dirty++)
        }
        set(key, stored.type(), stored.value(), stored.expireAt());
    }

    /** Sets the expiry of a live key; returns false if the key is missing. An expiry in the past deletes the key. */
    public boolean expire(byte[] key, long expireAt, long now) {
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            return false;
        }
        if (expireAt != NO_EXPIRY && expireAt <= now) {
            removeEntry(e);
            return true;
        }
        if (table.expireAt(e) != expireAt) {
            table.beforeChange(table.hash(e));
            setExpireAt(e, expireAt);
            touched(key);
        }
        return true;
    }

    public boolean delete(byte[] key, long now) {
        int e = live(key, now);
        if (e == KeyTable.NONE) {
            return false;
        }
        removeEntry(e);
        reservations.end(key);
        return true;
    }

    /** Deletes every key of this database; each counts as a change (Redis's {@code server.dirty += removed}). */
    public void flush() {
        changes.flushing(); // WATCH touches the watched keys that exist now (Redis's touchAllWatchedKeysInDb)
        shared.dirty += table.size();
        if (table.snapshot != null) {
            table = new KeyTable(); // the snapshot keeps the old one, unchanged from here
        } else {
            table.clear();
        }
        volatileKeys.clear();
        memory.add(-bytes);
        bytes = 0;
        slotCounts.clear();
    }

    // ------------------------------------------------------------------ hash slots (cluster mode)

    /** Keys of each hash slot in this store, kept only in cluster mode ({@link SlotCounts#NONE} otherwise: nothing to pay). */
    private SlotCounts slotCounts = SlotCounts.NONE;

    /** From now on this store counts its keys per hash slot ({@link SlotCounts}); call at start, before loading. */
    public void countKeysPerSlot() {
        if (slotCounts == SlotCounts.NONE) {
            slotCounts = SlotCounts.of(table);
        }
    }

    /** This store's keys per hash slot (CLUSTER COUNTKEYSINSLOT, a migration's progress); none counted outside cluster mode. */
    public SlotCounts slots() {
        return slotCounts;
    }

    // ------------------------------------------------------------------ memory budget (Redis's evict.c)

    /** This shard's budget; takes effect on the next write (CONFIG SET applies it live). */
    public void budget(MemoryBudget budget) {
        memory.budget(budget);
        clock.rankBy(budget.policy());
    }

    /** This store's used bytes, its budget's checks and what it counts beside its keys ({@link StoreMemory}). */
    public StoreMemory memory() {
        return memory;
    }

    /** When each type leaves its compact form on this shard; followed from the next change of a value. */
    public void encodings(EncodingLimits limits) {
        this.encodings = limits;
    }

    public EncodingLimits encodings() {
        return encodings;
    }

    /**
     * Before a write that may grow memory (Redis's {@code denyoom} commands): evicts keys by the
     * policy until the shard is within its budget. Returns false, and the write must answer
     * {@code -OOM}, when the policy is noeviction or nothing more can be evicted.
     */
    public boolean makeRoom(long now) {
        // small enough to be inlined into every write: within budget is one compare (Redis's
        // isSafeToPerformEvictions: nothing is evicted during a pause)
        return !memory.overBudget() || expiryPaused || shared.evictUntilWithinBudget(now);
    }

    /** This database's best candidate for eviction ({@link Eviction#pickVictim}), or null when it has none the policy may take. */
    Databases.Victim victim(MemoryBudget budget, long now) {
        if (table.size() == 0) {
            return null;
        }
        int e = Eviction.pickVictim(table, volatileKeys, budget, random, now);
        return e == KeyTable.NONE ? null : new Databases.Victim(this, e, Eviction.rankAt(table, e, budget.policy(), now));
    }

    /** Eviction took {@code victim} ({@link Databases#evictUntilWithinBudget}). */
    void evict(int victim) {
        byte[] key = table.key(victim);
        unlink(victim);
        reservations.end(key);
        memory.evicted();
        changes.evicted(key);
    }

    /**
     * SWAPDB: this database and {@code other} exchange their keys, expiries and the walks' cursors over
     * them (Redis's {@code dbSwapDatabases} swaps {@code dict}, {@code expires} and their cursors); what
     * clients wait on, watch and reserve stays with each index.
     */
    void swapContents(ValueStore other) {
        KeyTable t = table;
        table = other.table;
        other.table = t;
        VolatileKeys v = volatileKeys;
        volatileKeys = other.volatileKeys;
        other.volatileKeys = v;
        long b = bytes;
        bytes = other.bytes;
        other.bytes = b;
    }

    private void addUsed(long delta) {
        bytes += delta;
        memory.add(delta);
    }

    /** The estimated bytes of this database's keys and values (its part of {@code used_memory}). */
    public long usedBytes() {
        return bytes;
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
        int e = table.find(key, KeyTable.hash(key));
        if (e != KeyTable.NONE) {
            clock.restore(table, e, idleSeconds, frequency, now);
        }
    }

    /** MEMORY USAGE: the budget's estimate of {@code key} (entry, key and value), or -1 when it is absent. */
    public long memoryUsage(byte[] key, long now) {
        int e = live(key, now);
        return e == KeyTable.NONE ? -1
                : HeapSizes.ENTRY_OVERHEAD + table.dataBytes(e) + (table.expiry(e) != null ? HeapSizes.EXPIRY_BYTES : 0);
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

    /** {@link #lookupWrite} for a hash. @throws WrongTypeException when the key holds another type */
    public HashValue writeHash(byte[] key, long now) {
        return (HashValue) lookupWrite(key, ValueType.HASH, now);
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
        return volatileKeys.count();
    }

    /** Redis's {@code avg_ttl} of this database: the expiry cycle's running estimate of its keys' TTL left, in ms. */
    public long avgTtl() {
        return volatileKeys.avgTtl();
    }

    /** KEYS, SCAN, RANDOMKEY and a migration's slot scan over this store. */
    public KeyWalks walks() {
        return walks;
    }

    /** The table as it is now (a FLUSHALL during a snapshot replaces it): for the walks, which read it step by step. */
    KeyTable table() {
        return table;
    }

    // ------------------------------------------------------------------ active expiry

    /**
     * Redis's active expiry for this store, run on the shard's timer ({@link VolatileKeys#expireCycle}):
     * returns the number of keys deleted within about {@code budgetNanos}.
     */
    public int activeExpireCycle(long now, long budgetNanos) {
        clock.tick(now);
        return expiryPaused ? 0 : volatileKeys.expireCycle(this, table, now, budgetNanos);
    }

    /** Keys held by a cross-shard write between its prepare and its commit (RENAMENX to another shard). */
    public KeyReservations reservations() {
        return reservations;
    }

    // ------------------------------------------------------------------ internals

    private boolean isExpired(int e, long now) {
        return table.expiredAt(e, now);
    }

    private void setExpireAt(int e, long expireAt) {
        KeyTable.Expiry x = table.expiry(e);
        if (expireAt == NO_EXPIRY) {
            unlinkVolatile(e);
        } else if (x != null) {
            x.at = expireAt;
        } else {
            volatileKeys.add(table, e, expireAt);
            addUsed(HeapSizes.EXPIRY_BYTES);
        }
    }

    private void unlinkVolatile(int e) {
        if (table.expiry(e) != null) {
            volatileKeys.remove(table, e);
            addUsed(-HeapSizes.EXPIRY_BYTES);
        }
    }

    /** A command deletes {@code e} (DEL, an emptied aggregate, RENAME's source, an expiry set in the past). */
    private void removeEntry(int e) {
        byte[] key = table.key(e);
        unlink(e);
        touched(key);
    }

    /**
     * {@code e}'s time to live has passed: the store deletes it on its own (no command's change).
     * During a pause it stays, and the caller treats it as missing all the same.
     */
    private void expireEntry(int e) {
        if (expiryPaused) {
            return;
        }
        byte[] key = table.key(e);
        unlink(e);
        shared.expiredKeys++;
        changes.expired(key);
    }

    /** Whether {@code e}'s TTL has passed; if so it expires ({@link #expireEntry}). For the walks and the expiry cycle. */
    boolean expireIfDue(int e, long now) {
        if (!isExpired(e, now)) {
            return false;
        }
        expireEntry(e);
        return true;
    }

    /** Removes {@code e} from the table: its id is free from here on, so nothing of its row is read after. */
    private void unlink(int e) {
        table.beforeChange(table.hash(e));
        unlinkVolatile(e);
        byte[] key = table.key(e);
        long bytes = HeapSizes.ENTRY_OVERHEAD + table.dataBytes(e);
        boolean stream = table.holds(e, ValueType.STREAM);
        table.remove(e);
        addUsed(-bytes);
        slotCounts.removed(key);
        if (stream) {
            changes.keyReady(key); // its XREADGROUP clients fail (Redis's dbGenericDelete)
        }
    }

    /** A command changed {@code key} (Redis's {@code signalModifiedKey} and {@code server.dirty++}). */
    private void touched(byte[] key) {
        shared.dirty++;
        changes.modified(key);
    }
}
