package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One store's part of Redis's {@code used_memory} and {@code maxmemory}: the estimated bytes of its keys
 * ({@link HeapSizes}) and of what the shard keeps beside them, the budget they may not exceed, and the keys evicted to
 * stay within it. The shard's thread writes; the figures are published with opaque writes and a volatile budget, so
 * meters read them from any thread. Which key goes when the store is over budget is {@link Eviction}'s, and the store
 * evicts ({@link ValueStore#makeRoom}).
 */
public final class StoreMemory {

    private static final VarHandle USED_BYTES;
    private static final VarHandle EVICTED_KEYS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            USED_BYTES = l.findVarHandle(StoreMemory.class, "usedBytes", long.class);
            EVICTED_KEYS = l.findVarHandle(StoreMemory.class, "evictedKeys", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Volatile: CONFIG SET replaces it on the shard, metrics threads read its maxBytes. */
    private volatile MemoryBudget budget = MemoryBudget.unlimited();
    /** The shard's own plain copy of what every write reads: no volatile read per write. */
    private long maxBytes;
    /** Estimated bytes of every entry and of {@link #keptBytes}: written (opaque) only by the shard. */
    private long usedBytes;
    private long evictedKeys;
    /**
     * Heap of what the shard keeps besides its keys and survives FLUSHALL (part of {@link #usedBytes},
     * as Redis's used_memory counts it): the waiters blocked clients keep on its keys, its script cache,
     * client tracking's table.
     */
    private long keptBytes;
    /** A script with the {@code allow-oom} flag runs here now: its writes are not refused for memory. */
    private boolean writesDespiteBudget;

    StoreMemory() {
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
    public MemoryFigures figures() {
        return new MemoryFigures(this::usedBytes, () -> budget.maxBytes(), this::evictedKeys);
    }

    /**
     * The waiters blocked clients keep on this store's keys grew or shrank by {@code delta} bytes:
     * counted in {@link #usedBytes} (Redis's used_memory includes its blocking structures), so a
     * flood of blocked keys puts the shard over budget (denyoom writes refused or keys evicted)
     * instead of growing the heap unseen. FLUSHALL keeps them: the clients still wait.
     */
    public void blockingBytes(long delta) {
        kept(delta);
    }

    /**
     * The shard's script cache (the scripts' source and compiled form) grew or shrank by {@code delta}
     * bytes: counted in {@link #usedBytes}, as Redis's used_memory counts its scripts, so a flood of
     * SCRIPT LOADs takes its room from the keys. FLUSHALL keeps it: the scripts stay.
     */
    public void scriptCacheBytes(long delta) {
        kept(delta);
    }

    /**
     * Client tracking's structures on this shard grew or shrank by {@code delta} bytes: counted in
     * {@link #usedBytes} as Redis's used_memory counts its tracking table, so they are within the budget.
     */
    public void trackingBytes(long delta) {
        kept(delta);
    }

    void kept(long delta) {
        keptBytes += delta;
        add(delta);
    }

    /** While {@code on}, a script with {@code allow-oom} runs: Redis neither evicts nor refuses inside it. */
    public void writesDespiteBudget(boolean on) {
        writesDespiteBudget = on;
    }

    boolean writesDespiteBudget() {
        return writesDespiteBudget;
    }

    /**
     * Over budget once the keys' bytes plus the store's own fixed structures
     * ({@link HeapSizes#EMPTY_STORE}) exceed this shard's part of maxmemory. Like Redis's used_memory,
     * which never drops below the server's own baseline, an empty shard under {@code maxmemory 1}
     * is over budget, so it refuses writes as redis-server does.
     */
    public boolean overBudget() {
        return maxBytes > 0 && usedBytes + HeapSizes.EMPTY_STORE > maxBytes;
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

    /** The budget this shard's databases live within (CONFIG SET's maxmemory and policy). */
    public MemoryBudget budget() {
        return budget;
    }

    void budget(MemoryBudget budget) {
        this.budget = budget;
        this.maxBytes = budget.maxBytes();
    }

    void add(long delta) {
        USED_BYTES.setOpaque(this, usedBytes + delta);
    }

    void evicted() {
        EVICTED_KEYS.setOpaque(this, evictedKeys + 1);
    }
}
