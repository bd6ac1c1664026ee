package io.percore.operator.sizing;

import io.percore.operator.crd.Placement;
import io.percore.operator.crd.PercoreServiceSpec;

/** Parses and defaults the sizing fields of a spec. */
public final class SizingRequests {

    public static final String DEFAULT_MEMORY_PER_SHARD = "512Mi";
    public static final String DEFAULT_MEMORY_OVERHEAD = "256Mi";
    public static final int DEFAULT_RESERVED_CPUS = 1;

    private SizingRequests() {
    }

    /** @throws IllegalArgumentException naming the spec field when a value cannot be parsed */
    public static SizingRequest fromSpec(PercoreServiceSpec spec) {
        long perShard = Quantities.bytes(spec.getMemoryPerShard() == null ? DEFAULT_MEMORY_PER_SHARD : spec.getMemoryPerShard(), "spec.memoryPerShard");
        long overhead = Quantities.bytes(spec.getMemoryOverhead() == null ? DEFAULT_MEMORY_OVERHEAD : spec.getMemoryOverhead(), "spec.memoryOverhead");
        Placement p = spec.getPlacement() == null ? new Placement() : spec.getPlacement();
        return new SizingRequest(spec.getShards(), spec.getReplicas(), spec.getShardsPerPod(), perShard, overhead,
                spec.getReservedCpus() == null ? DEFAULT_RESERVED_CPUS : spec.getReservedCpus(),
                ModePreference.parse(spec.getMode()), p.getNodeSelector(), p.getTolerations(), p.getAffinity());
    }
}
