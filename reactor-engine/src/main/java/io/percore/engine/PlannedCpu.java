package io.percore.engine;

import io.percore.engine.topology.CpuPinning;

/**
 * The CPU a shard's thread should run on, and the pinning of it: a pinning that fails leaves
 * the shard running unpinned, with the reason in its stats, rather than failing the engine.
 */
final class PlannedCpu {

    private final int cpu;
    private final String unpinnedReason;

    /** @param cpu the planned CPU, or -1 for none; {@code unpinnedReason} says why there is none */
    PlannedCpu(int cpu, String unpinnedReason) {
        this.cpu = cpu;
        this.unpinnedReason = unpinnedReason;
    }

    /** Pins the calling thread (the shard's own) and records the outcome in {@code stats}. */
    void pinCurrentThread(int shardId, ShardStats stats) {
        if (cpu < 0) {
            stats.pinned(-1, unpinnedReason);
            return;
        }
        boolean ok;
        try {
            ok = CpuPinning.pinCurrentThread(cpu);
        } catch (RuntimeException | LinkageError e) {
            Shard.LOG.warn("Pinning shard {} to CPU {} failed; running unpinned", shardId, cpu, e);
            ok = false;
        }
        if (ok) {
            stats.pinned(cpu, null);
        } else {
            Shard.LOG.warn("Shard {} could not be pinned to CPU {}; running unpinned", shardId, cpu);
            stats.pinned(-1, "pinning to CPU " + cpu + " failed");
        }
    }
}
