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
 * @param podsCpuMillis CPU the pods already bound to the node request (other services' and workloads', as the
 *                      scheduler counts them): what a new pod cannot have
 * @param podsMemoryBytes memory those pods request
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
        String topologySource,
        long podsCpuMillis,
        long podsMemoryBytes) {

    public NodeShape {
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
        zones = List.copyOf(zones);
        if (threadsPerCore < 1) {
            throw new IllegalArgumentException("node " + name + ": threadsPerCore must be >= 1, got " + threadsPerCore);
        }
    }

    /** A node on which no pod requests anything yet. */
    public NodeShape(String name, long allocatableCpuMillis, long allocatableMemoryBytes, Map<String, String> labels,
                     List<Taint> taints, boolean unschedulable, List<NumaZone> zones, boolean fullPcpusOnly, int threadsPerCore,
                     boolean exclusiveCpus, String topologySource) {
        this(name, allocatableCpuMillis, allocatableMemoryBytes, labels, taints, unschedulable, zones, fullPcpusOnly, threadsPerCore,
                exclusiveCpus, topologySource, 0, 0);
    }

    /** This node with what the pods bound to it request. */
    public NodeShape withPodRequests(long cpuMillis, long memoryBytes) {
        return new NodeShape(name, allocatableCpuMillis, allocatableMemoryBytes, labels, taints, unschedulable, zones, fullPcpusOnly,
                threadsPerCore, exclusiveCpus, topologySource, cpuMillis, memoryBytes);
    }

    /** Whole CPUs the node can give to pods: Guaranteed pods need integer CPUs. */
    public int allocatableWholeCpus() {
        return (int) (allocatableCpuMillis / 1000);
    }

    /** CPU not yet requested by the pods on the node. */
    public long freeCpuMillis() {
        return Math.max(0, allocatableCpuMillis - podsCpuMillis);
    }

    /** Whole CPUs not yet requested: what a Guaranteed pod may still get (the scheduler sums requests, in millicores). */
    public int freeWholeCpus() {
        return (int) (freeCpuMillis() / 1000);
    }

    public long freeMemoryBytes() {
        return Math.max(0, allocatableMemoryBytes - podsMemoryBytes);
    }
}
