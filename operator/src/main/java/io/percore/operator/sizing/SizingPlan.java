package io.percore.operator.sizing;

import io.percore.config.EngineConfig;
import java.util.List;

/**
 * The planner's answer. When {@link #feasible()} is false nothing should be rolled out and
 * {@link #reasons()} says why; otherwise every pod gets {@link #cpusPerPod()} whole CPUs and
 * {@link #memoryPerPodBytes()} (requests == limits, Guaranteed QoS) and runs
 * {@link #shardsPerPod()} shards with {@link #reservedCpus()} CPUs left to the JVM.
 *
 * @param eligibleNodes nodes on which one pod fits inside a single NUMA zone
 * @param podCapacity how many such pods the eligible nodes hold in total, beside what other pods there already request
 * @param degraded feasible, but the pool cannot hold every replica, or pinning was forced onto
 *                 nodes without exclusive cores
 * @param cpuRequestMillisPerPod the pod's CPU request: {@code cpusPerPod} whole CPUs (Guaranteed), or less when
 *                               shards share cores ({@code spec.cpuPerShard}: Burstable, limited to {@code cpusPerPod})
 */
public record SizingPlan(
        boolean feasible,
        boolean degraded,
        int replicas,
        int shardsPerPod,
        int cpusPerPod,
        int reservedCpus,
        long memoryPerPodBytes,
        EngineConfig.Mode mode,
        List<String> eligibleNodes,
        int podCapacity,
        List<String> reasons,
        long cpuRequestMillisPerPod) {

    public SizingPlan {
        eligibleNodes = List.copyOf(eligibleNodes);
        reasons = List.copyOf(reasons);
    }

    /** A Guaranteed plan: each pod requests its whole CPUs. */
    public SizingPlan(boolean feasible, boolean degraded, int replicas, int shardsPerPod, int cpusPerPod, int reservedCpus,
                      long memoryPerPodBytes, EngineConfig.Mode mode, List<String> eligibleNodes, int podCapacity, List<String> reasons) {
        this(feasible, degraded, replicas, shardsPerPod, cpusPerPod, reservedCpus, memoryPerPodBytes, mode, eligibleNodes, podCapacity,
                reasons, cpusPerPod * 1000L);
    }

    /** Requests less CPU than its limit: Burstable QoS, shards on shared cores. */
    public boolean burstable() {
        return cpuRequestMillisPerPod < cpusPerPod * 1000L;
    }
    public int totalShards() {
        return replicas * shardsPerPod;
    }

    /** This plan with one more line of reasons. */
    public SizingPlan withReason(String reason) {
        List<String> more = new java.util.ArrayList<>(reasons);
        more.add(reason);
        return new SizingPlan(feasible, degraded, replicas, shardsPerPod, cpusPerPod, reservedCpus, memoryPerPodBytes, mode,
                eligibleNodes, podCapacity, more, cpuRequestMillisPerPod);
    }

    /** This plan with another pod count (the same pod shape). */
    public SizingPlan withReplicas(int count) {
        return new SizingPlan(feasible, degraded, count, shardsPerPod, cpusPerPod, reservedCpus, memoryPerPodBytes, mode,
                eligibleNodes, podCapacity, reasons, cpuRequestMillisPerPod);
    }

    static SizingPlan infeasible(List<String> reasons) {
        return new SizingPlan(false, false, 0, 0, 0, 0, 0, EngineConfig.Mode.OVERPROVISIONED, List.of(), 0, reasons);
    }
}
