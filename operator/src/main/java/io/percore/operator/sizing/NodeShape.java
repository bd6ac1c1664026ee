package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;
import java.util.Map;

/**
 * A candidate node reduced to what sizing needs. Built from a {@code Node} (and its
 * {@code NodeResourceTopology} when present) by {@link NodeShapes}; plain data so the planner
 * stays a pure function.
 *
 * @param allocatableCpuMillis node allocatable CPU in millicores (may be fractional, e.g. 3500)
 * @param zones NUMA zones with their share of the allocatable CPUs (whole) and memory
 * @param fullPcpusOnly the kubelet's CPU manager only hands out whole physical cores
 * @param threadsPerCore SMT siblings per physical core (used when {@code fullPcpusOnly})
 * @param exclusiveCpus the kubelet runs the static CPU manager policy: Guaranteed pods with
 *                      integer CPUs get exclusive cores, so shards can be pinned
 * @param topologySource where the zones came from, for the plan's reasons
 */
public record NodeShape(
        String name,
        long allocatableCpuMillis,
        long allocatableMemoryBytes,
        Map<String, String> labels,
        List<Taint> taints,
        boolean unschedulable,
        List<NumaZone> zones,
        boolean fullPcpusOnly,
        int threadsPerCore,
        boolean exclusiveCpus,
        String topologySource) {

    public NodeShape {
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
        zones = List.copyOf(zones);
        if (threadsPerCore < 1) {
            throw new IllegalArgumentException("node " + name + ": threadsPerCore must be >= 1, got " + threadsPerCore);
        }
    }

    /** Whole CPUs the node can give to pods: Guaranteed pods need integer CPUs. */
    public int allocatableWholeCpus() {
        return (int) (allocatableCpuMillis / 1000);
    }
}
