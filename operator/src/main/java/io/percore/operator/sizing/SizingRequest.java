package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * The sizing-relevant part of a {@code PercoreService} spec, already parsed and defaulted
 * (see {@link SizingRequests#fromSpec}). Null counts mean "let the planner choose".
 *
 * @param cpuPerShardMillis null: every shard gets a whole CPU (Guaranteed QoS, pinning possible); else the
 *                          CPU each shard requests on shared cores ({@code spec.cpuPerShard}, overprovisioned)
 */
public record SizingRequest(
        Integer totalShards,
        Integer replicas,
        Integer shardsPerPod,
        long memoryPerShardBytes,
        long memoryOverheadBytes,
        int reservedCpus,
        ModePreference mode,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        Affinity affinity,
        Long cpuPerShardMillis) {

    public SizingRequest {
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        mode = mode == null ? ModePreference.AUTO : mode;
    }

    /** Whole CPUs per shard (Guaranteed QoS): the request of a service that leaves {@code cpuPerShard} unset. */
    public SizingRequest(Integer totalShards, Integer replicas, Integer shardsPerPod, long memoryPerShardBytes,
                         long memoryOverheadBytes, int reservedCpus, ModePreference mode, Map<String, String> nodeSelector,
                         List<Toleration> tolerations, Affinity affinity) {
        this(totalShards, replicas, shardsPerPod, memoryPerShardBytes, memoryOverheadBytes, reservedCpus, mode, nodeSelector,
                tolerations, affinity, null);
    }

    /** The same request with the pod count fixed (the shards are spread over {@code count} pods). */
    public SizingRequest withReplicas(int count) {
        return withShape(totalShards, count, shardsPerPod);
    }

    /** The same request for another shape (the rest, CPU per shard included, kept). */
    public SizingRequest withShape(Integer total, Integer pods, Integer perPod) {
        return new SizingRequest(total, pods, perPod, memoryPerShardBytes, memoryOverheadBytes, reservedCpus, mode,
                nodeSelector, tolerations, affinity, cpuPerShardMillis);
    }

    /**
     * Shards share cores and each asks for a fraction of one ({@code spec.cpuPerShard}): pods are Burstable,
     * requesting {@code shards x cpuPerShard} and limited to the whole CPUs a pinned pod would get.
     */
    public boolean sharedCores() {
        return cpuPerShardMillis != null;
    }
}
