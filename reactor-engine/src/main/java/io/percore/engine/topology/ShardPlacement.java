package io.percore.engine.topology;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Where each shard runs: in pinned mode one CPU (and its NUMA node) per shard, otherwise no
 * pinning at all. Carries the human-readable reasons the planner chose this layout, for the
 * startup log and the actuator endpoint.
 */
public final class ShardPlacement {

    /** {@link #numaNodeOf} of an unpinned shard: the OS decides, so there is no node affinity. */
    public static final int NO_NUMA_NODE = -1;

    private final int shardCount;
    private final int[] cpus;
    private final int[] nodes;
    private final CpuSet reservedCpus;
    private final CpuSet jvmCpus;
    private final List<String> reasons;

    ShardPlacement(int[] cpus, int[] nodes, CpuSet reservedCpus, CpuSet jvmCpus, List<String> reasons) {
        if (cpus.length == 0 || cpus.length != nodes.length) {
            throw new IllegalArgumentException("a pinned placement needs one CPU and one node per shard");
        }
        this.shardCount = cpus.length;
        this.cpus = cpus.clone();
        this.nodes = nodes.clone();
        this.reservedCpus = reservedCpus;
        this.jvmCpus = jvmCpus;
        this.reasons = List.copyOf(reasons);
    }

    private ShardPlacement(int shardCount, List<String> reasons) {
        this.shardCount = shardCount;
        this.cpus = null;
        this.nodes = null;
        this.reservedCpus = CpuSet.empty();
        this.jvmCpus = CpuSet.empty();
        this.reasons = List.copyOf(reasons);
    }

    /** {@code shards} threads, none pinned (overprovisioned mode, or a platform without affinity). */
    public static ShardPlacement unpinned(int shards, String reason) {
        return unpinned(shards, List.of(reason));
    }

    static ShardPlacement unpinned(int shards, List<String> reasons) {
        if (shards < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, got " + shards);
        }
        return new ShardPlacement(shards, reasons);
    }

    public int shardCount() {
        return shardCount;
    }

    /** True when every shard has its own CPU to pin its thread to. */
    public boolean pinned() {
        return cpus != null;
    }

    /** The CPU shard {@code shard} is pinned to; empty when unpinned. */
    public OptionalInt cpuOf(int shard) {
        checkShard(shard);
        return cpus == null ? OptionalInt.empty() : OptionalInt.of(cpus[shard]);
    }

    /** The NUMA node of the shard's CPU, or {@link #NO_NUMA_NODE} when unpinned. */
    public int numaNodeOf(int shard) {
        checkShard(shard);
        return nodes == null ? NO_NUMA_NODE : nodes[shard];
    }

    /** CPUs hosting shards (empty when unpinned). */
    public CpuSet shardCpus() {
        return cpus == null ? CpuSet.empty() : CpuSet.of(cpus);
    }

    /**
     * CPUs held back from shards because of {@code percore.engine.reserved-cpus} (empty when
     * unpinned, or when the only allowed CPU had to host the single shard).
     */
    public CpuSet reservedCpus() {
        return reservedCpus;
    }

    /**
     * CPUs where non-shard threads (GC, JIT, Spring, blocking pools) should run: every allowed
     * CPU without a shard, or all allowed CPUs when shards occupy them all. Empty when unpinned
     * (nothing to keep apart).
     */
    public CpuSet jvmCpus() {
        return jvmCpus;
    }

    /** Why the planner chose this placement, one human-readable sentence each. */
    public List<String> reasons() {
        return reasons;
    }

    private void checkShard(int shard) {
        if (shard < 0 || shard >= shardCount) {
            throw new IndexOutOfBoundsException("shard " + shard + " is outside 0.." + (shardCount - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardPlacement other && shardCount == other.shardCount
                && Arrays.equals(cpus, other.cpus) && Arrays.equals(nodes, other.nodes)
                && reservedCpus.equals(other.reservedCpus);
    }

    @Override
    public int hashCode() {
        return 31 * shardCount + Arrays.hashCode(cpus);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("ShardPlacement[").append(shardCount).append(shardCount == 1 ? " shard" : " shards");
        if (cpus == null) {
            out.append(", unpinned");
        } else {
            out.append(", pinned:");
            for (int i = 0; i < shardCount; i++) {
                out.append(i == 0 ? " " : ", ").append(i).append("->cpu").append(cpus[i]).append("/node").append(nodes[i]);
            }
            out.append("; reserved ").append(reservedCpus.isEmpty() ? "none" : reservedCpus.toString());
        }
        return out.append("; ").append(String.join("; ", reasons)).append(']').toString();
    }
}
