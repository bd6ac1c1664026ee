package io.percore.demo.kv;

/**
 * One shard's memory budget: Redis's {@code maxmemory}, {@code maxmemory-policy} and
 * {@code maxmemory-samples}, with the process's {@code maxmemory} split evenly over the shards
 * (each key lives on one shard, so each shard keeps its own part; no shard waits for another).
 *
 * @param maxBytes this shard's budget in estimated bytes ({@link StoreMemory#usedBytes()}); 0 = none
 * @param samples  keys sampled per eviction (Redis's default 5)
 */
public record MemoryBudget(long maxBytes, MaxmemoryPolicy policy, int samples) {

    /** What {@code maxmemory 0} means on a JVM: half of the heap, because unlimited ends in OutOfMemoryError. */
    public static final double AUTO_HEAP_FRACTION = 0.5;
    /** Most keys sampled per eviction: the demo's cap (Redis allows up to INT_MAX; more samples only cost time on the shard). */
    public static final int MAX_SAMPLES = 64;

    public MemoryBudget {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxmemory must not be negative, got " + maxBytes);
        }
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new IllegalArgumentException("maxmemory-samples must be 1.." + MAX_SAMPLES + ", got " + samples);
        }
    }

    public static MemoryBudget unlimited() {
        return new MemoryBudget(0, MaxmemoryPolicy.NOEVICTION, 5);
    }

    /**
     * The process-wide {@code maxmemory}: the configured bytes, or (0) {@link #AUTO_HEAP_FRACTION}
     * of the JVM's maximum heap.
     */
    public static long processBytes(long configured) {
        return configured > 0 ? configured : (long) (Runtime.getRuntime().maxMemory() * AUTO_HEAP_FRACTION);
    }

    /** One shard's part of a process-wide budget. */
    public static MemoryBudget perShard(long processBytes, MaxmemoryPolicy policy, int samples, int shards) {
        return new MemoryBudget(processBytes <= 0 ? 0 : Math.max(1, processBytes / shards), policy, samples);
    }
}
