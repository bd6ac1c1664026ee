package io.percore.demo.kv;


/**
 * {@code percore.demo.maxmemory}, {@code maxmemory-policy} and {@code maxmemory-samples}: the
 * process's memory budget for keys and values, split evenly over the shards.
 *
 * @param maxmemory bytes for all shards together; 0 = {@link MemoryBudget#AUTO_HEAP_FRACTION} of the max heap
 */
public record MemorySettings(long maxmemory, MaxmemoryPolicy policy, int samples) {

    public MemorySettings {
        if (maxmemory < 0) {
            throw new IllegalArgumentException("percore.demo.maxmemory must not be negative, got " + maxmemory);
        }
        if (samples < 1 || samples > MemoryBudget.MAX_SAMPLES) {
            throw new IllegalArgumentException("percore.demo.maxmemory-samples must be 1.." + MemoryBudget.MAX_SAMPLES + ", got " + samples);
        }
    }

    /** Redis's defaults on a JVM: half the heap, noeviction, 5 samples. */
    public static MemorySettings defaults() {
        return new MemorySettings(0, MaxmemoryPolicy.NOEVICTION, 5);
    }

    /** The bytes all shards share: the setting, or half the max heap when it is 0. */
    public long processBytes() {
        return MemoryBudget.processBytes(maxmemory);
    }

    public MemoryBudget perShard(int shards) {
        return MemoryBudget.perShard(processBytes(), policy, samples, shards);
    }
}
