package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * The sizing-relevant part of a {@code PercoreService} spec, already parsed and defaulted
 * (see {@link SizingRequests#fromSpec}). Null counts mean "let the planner choose".
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
        Affinity affinity) {

    public SizingRequest {
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        mode = mode == null ? ModePreference.AUTO : mode;
    }

    /** The same request with the pod count fixed (the shards are spread over {@code count} pods). */
    public SizingRequest withReplicas(int count) {
        return new SizingRequest(totalShards, count, shardsPerPod, memoryPerShardBytes, memoryOverheadBytes, reservedCpus, mode,
                nodeSelector, tolerations, affinity);
    }
}
