package io.percore.demo.kv;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One shard's numbered databases (Redis's {@code server.db} array, for the keys this shard owns) and
 * what they share: the memory budget and its eviction, which picks its victim across every database as
 * Redis's eviction pool does, the random source, the counters INFO reads (Redis's {@code server.dirty},
 * {@code stat_keyspace_hits}, {@code stat_keyspace_misses}, {@code stat_expiredkeys}) and the settings
 * every database follows (encodings, the policy's rank, CLIENT PAUSE's hold on expiry).
 *
 * <p>A database is made the first time it is asked for ({@link #get}): a server with 16 databases whose
 * clients use two pays for two. Its fixed structures are counted in {@code used_memory} from then on
 * ({@link HeapSizes#EMPTY_DATABASE}), as Redis counts the structures of its databases. Touched only by
 * its shard's thread.
 */
public final class Databases {

    /** How many databases there are. */
    private final int count;
    /** The first databases by index (null until first asked for); those past {@link #DIRECT} are in {@link #beyond}. */
    private final ValueStore[] byIndex;
    /** The databases made past the first {@link #DIRECT} (a server of millions of databases holds those used only). */
    private java.util.HashMap<Integer, ValueStore> beyond;
    /** Databases reached through the array; Redis's 16 and many more. */
    static final int DIRECT = 1024;
    /** The databases made so far, in index order: what the expiry cycle, eviction and INFO walk. */
    private ValueStore[] made = new ValueStore[0];
    /** Told of each database as it is made (the shard's write path attaches to it). */
    private Consumer<ValueStore> onMade = store -> { };

    final StoreMemory memory = new StoreMemory();
    final SplittableRandom random;
    /** Each key's use, as eviction ranks it: one clock for every database. */
    final AccessClock clock;
    /** Redis's {@code server.dirty}: changes made by commands on any database since start. */
    long dirty;
    long keyspaceHits;
    long keyspaceMisses;
    long expiredKeys;

    private MemoryBudget budget = MemoryBudget.unlimited();
    private EncodingLimits encodings = EncodingLimits.DEFAULT;
    /** Redis's {@code proto-max-bulk-len} as the strings' writes see it (512 MB unless configured). */
    private long maxStringLength = 512L * 1024 * 1024;
    /** A replayed feed's command is running: Redis's {@code mustObeyClient}, whose strings have no bound of their own. */
    private boolean obeying;
    private boolean expiryPaused;
    /** The database the random eviction policies try first next time (Redis's {@code next_db}). */
    private int randomCursor;
    /** Where the expiry cycle resumes: the index in {@link #made} it reaches first next time (Redis's current_db). */
    private int expiryCursor;

    /** {@code count} databases (Redis's {@code databases}), all empty. */
    public Databases(int count) {
        this(count, new SplittableRandom());
    }

    public Databases(int count, SplittableRandom random) {
        if (count < 1) {
            throw new IllegalArgumentException("databases must be at least 1, got " + count);
        }
        this.count = count;
        this.byIndex = new ValueStore[Math.min(count, DIRECT)];
        this.random = random;
        this.clock = new AccessClock(random);
    }

    /** How many databases there are (Redis's {@code databases}). */
    public int count() {
        return count;
    }

    /**
     * Database {@code db}, made now if it was never asked for.
     *
     * @throws ArrayIndexOutOfBoundsException for an index outside 0..count-1 (callers check it with Redis's error first)
     */
    public ValueStore get(int db) {
        ValueStore store = db < DIRECT ? byIndex[db] : farOrNull(db);
        return store != null ? store : make(db);
    }

    /** Database {@code db} if it was ever made, else null (nothing is made). */
    public ValueStore peek(int db) {
        return db < DIRECT ? byIndex[db] : farOrNull(db);
    }

    private ValueStore farOrNull(int db) {
        if (db >= count) {
            throw new ArrayIndexOutOfBoundsException("database " + db + " of " + count);
        }
        return beyond == null ? null : beyond.get(db);
    }

    /** The databases made so far, in index order (the array is this object's: do not change it). */
    public ValueStore[] made() {
        return made;
    }

    /** Calls {@code action} with every database made so far, in index order, and each one made from now on. */
    public void onMade(Consumer<ValueStore> action) {
        for (ValueStore store : made) {
            action.accept(store);
        }
        this.onMade = action;
    }

    /** A store made on its own ({@code new ValueStore()}) becomes database 0 of its own one-database shard. */
    void adopt(ValueStore store) {
        byIndex[0] = store;
        made = new ValueStore[] {store};
    }

    private ValueStore make(int db) {
        ValueStore store = new ValueStore(this, db);
        store.budget(budget);
        store.encodings(encodings);
        store.pauseExpiry(expiryPaused);
        if (db < DIRECT) {
            byIndex[db] = store;
        } else {
            if (beyond == null) {
                beyond = new java.util.HashMap<>();
            }
            beyond.put(db, store);
        }
        ValueStore[] more = Arrays.copyOf(made, made.length + 1);
        int at = more.length - 1;
        while (at > 0 && more[at - 1].id() > db) {
            more[at] = more[at - 1];
            at--;
        }
        more[at] = store;
        made = more;
        if (db != 0) {
            memory.kept(HeapSizes.EMPTY_DATABASE); // database 0's are part of the shard's own baseline (EMPTY_STORE)
        }
        onMade.accept(store);
        return store;
    }

    /**
     * SWAPDB on this shard (Redis's {@code dbSwapDatabases}): the keys, expiries and their walks' cursors of
     * {@code a} and {@code b} change places; what clients wait on, watch and reserve stays with the index.
     */
    public void swap(int a, int b) {
        if (a != b) {
            get(a).swapContents(get(b));
        }
    }

    // ------------------------------------------------------------------ what the databases share

    /** Changes made by commands on any database since start (Redis's {@code server.dirty}; not expiry or eviction). */
    public long dirty() {
        return dirty;
    }

    public long keyspaceHits() {
        return keyspaceHits;
    }

    public long keyspaceMisses() {
        return keyspaceMisses;
    }

    /** A command is over: every database packs what it left unpacked ({@link ValueStore#settle}). */
    public void settle() {
        for (ValueStore store : made) {
            store.settle();
        }
    }

    public long expiredKeys() {
        return expiredKeys;
    }

    /** Keys in every database of this shard. */
    public long keys() {
        long n = 0;
        for (ValueStore store : made) {
            n += store.size();
        }
        return n;
    }

    /** Keys with a TTL in every database of this shard. */
    public long volatileKeys() {
        long n = 0;
        for (ValueStore store : made) {
            n += store.volatileCount();
        }
        return n;
    }

    /** The budget every database of this shard lives within; takes effect on the next write. */
    public void budget(MemoryBudget budget) {
        this.budget = budget;
        for (ValueStore store : made) {
            store.budget(budget);
        }
    }

    public MemoryBudget budget() {
        return memory.budget();
    }

    /** The used bytes of every database of this shard and the budget they live within. */
    public StoreMemory memory() {
        return memory;
    }

    /** When each type leaves its compact form, for every database. */
    public void encodings(EncodingLimits limits) {
        this.encodings = limits;
        for (ValueStore store : made) {
            store.encodings(limits);
        }
    }

    public EncodingLimits encodings() {
        return encodings;
    }

    /** CONFIG SET proto-max-bulk-len: the longest string a client's APPEND, SETRANGE or bit write may make from now on. */
    public void maxStringLength(long bytes) {
        this.maxStringLength = bytes;
    }

    /**
     * While a command of a replayed feed (the append-only file, a primary's stream) runs: obeyed whatever the bound, as
     * Redis's {@code checkStringLength} and {@code getBitOffsetFromArgument} skip it for {@code mustObeyClient}.
     */
    public void obeying(boolean on) {
        this.obeying = on;
    }

    /**
     * The longest string a write may make now (Redis's {@code proto-max-bulk-len}, checked by APPEND, SETRANGE, SETBIT
     * and BITFIELD): the configured bound, or for a replayed feed's command only what one array holds.
     */
    public long stringLengthLimit() {
        return obeying ? GrowableString.MAX_ARRAY : Math.min(maxStringLength, GrowableString.MAX_ARRAY);
    }

    /** CLIENT PAUSE WRITE or ALL on this shard: no key of any database expires or is evicted meanwhile. */
    public void pauseExpiry(boolean paused) {
        this.expiryPaused = paused;
        for (ValueStore store : made) {
            store.pauseExpiry(paused);
        }
    }

    /** The shard's random source. */
    public SplittableRandom random() {
        return random;
    }

    /**
     * Redis's active expiry over every database (its {@code activeExpireCycle} walks them in turn from where
     * the last cycle stopped): the databases share the time budget; returns the keys deleted.
     */
    public int activeExpireCycle(long now, long budgetNanos) {
        ValueStore[] dbs = made;
        if (dbs.length == 1) {
            return dbs[0].activeExpireCycle(now, budgetNanos);
        }
        long deadline = System.nanoTime() + budgetNanos;
        int expired = 0;
        for (int i = 0; i < dbs.length; i++) {
            ValueStore store = dbs[(expiryCursor + i) % dbs.length];
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                expiryCursor = (expiryCursor + i) % dbs.length;
                return expired;
            }
            expired += store.activeExpireCycle(now, left);
        }
        expiryCursor = (expiryCursor + 1) % dbs.length;
        return expired;
    }

    /**
     * Before a write that may grow memory, over the budget (Redis's {@code performEvictions}): evicts keys by the policy,
     * the best candidate of every database first, until the shard is within its budget. False when the policy is
     * noeviction or nothing more may go: the write answers {@code -OOM} ({@link ValueStore#makeRoom}).
     */
    boolean evictUntilWithinBudget(long now) {
        if (memory.writesDespiteBudget()) {
            return true; // a script with allow-oom: Redis neither evicts nor refuses inside it
        }
        MemoryBudget budget = memory.budget();
        if (budget.policy() == MaxmemoryPolicy.NOEVICTION) {
            return false;
        }
        for (int i = 0; i < Eviction.MAX_EVICTIONS_PER_WRITE && memory.overBudget(); i++) {
            Victim victim = pickVictim(budget, now);
            if (victim == null) {
                return false;
            }
            victim.store().evict(victim.entry());
        }
        return !memory.overBudget();
    }

    /**
     * The key eviction takes next, sampled across every database (Redis's {@code evictionPoolPopulate}
     * samples each database in turn into one pool and evicts its best candidate): each database with
     * keys the policy may take gives its own best of {@code maxmemory-samples}, and the one the policy
     * ranks first goes. Null when no database has a key to evict.
     */
    Victim pickVictim(MemoryBudget budget, long now) {
        ValueStore[] dbs = made;
        if (dbs.length == 1) {
            return dbs[0].victim(budget, now);
        }
        if (budget.policy().rank == MaxmemoryPolicy.Rank.RANDOM) {
            // the random policies: the next database with a key the policy may take, in turn (Redis's next_db)
            for (int i = 0; i < dbs.length; i++) {
                Victim v = dbs[(++randomCursor & Integer.MAX_VALUE) % dbs.length].victim(budget, now);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
        Victim best = null;
        for (ValueStore store : dbs) {
            Victim v = store.victim(budget, now);
            if (v != null && (best == null || v.rank() < best.rank())) {
                best = v;
            }
        }
        return best;
    }

    /** A candidate for eviction: the database it is in, its key's id there, and its rank (the lower, the sooner it goes). */
    record Victim(ValueStore store, int entry, long rank) {
    }
}
