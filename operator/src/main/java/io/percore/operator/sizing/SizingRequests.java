package io.percore.operator.sizing;

import io.percore.operator.crd.Placement;
import io.percore.operator.crd.PercoreServiceSpec;

/** Parses and defaults the sizing fields of a spec. */
public final class SizingRequests {

    public static final String DEFAULT_MEMORY_PER_SHARD = "512Mi";
    public static final String DEFAULT_MEMORY_OVERHEAD = "256Mi";
    public static final int DEFAULT_RESERVED_CPUS = 1;
    /** Bounds of {@code spec.cpuPerShard}: a shard is one thread, so more than one CPU would never be used. */
    public static final long MIN_CPU_PER_SHARD_MILLIS = 10;
    public static final long MAX_CPU_PER_SHARD_MILLIS = 1000;

    private SizingRequests() {
    }

    /** @throws IllegalArgumentException naming the spec field when a value cannot be parsed */
    public static SizingRequest fromSpec(PercoreServiceSpec spec) {
        long perShard = Quantities.bytes(spec.getMemoryPerShard() == null ? DEFAULT_MEMORY_PER_SHARD : spec.getMemoryPerShard(), "spec.memoryPerShard");
        long overhead = Quantities.bytes(spec.getMemoryOverhead() == null ? DEFAULT_MEMORY_OVERHEAD : spec.getMemoryOverhead(), "spec.memoryOverhead");
        Placement p = spec.getPlacement() == null ? new Placement() : spec.getPlacement();
        ModePreference mode = ModePreference.parse(spec.getMode());
        Long cpuPerShard = null;
        if (spec.getCpuPerShard() != null) {
            cpuPerShard = Quantities.cpuMillis(spec.getCpuPerShard(), "spec.cpuPerShard");
            if (cpuPerShard < MIN_CPU_PER_SHARD_MILLIS || cpuPerShard > MAX_CPU_PER_SHARD_MILLIS) {
                throw new IllegalArgumentException("spec.cpuPerShard: '" + spec.getCpuPerShard() + "' is outside "
                        + MIN_CPU_PER_SHARD_MILLIS + "m..1 (a shard is one thread)");
            }
            if (mode == ModePreference.PINNED) {
                throw new IllegalArgumentException("spec.cpuPerShard: '" + spec.getCpuPerShard() + "' asks for shared cores, which"
                        + " mode pinned cannot use (pinned shards need whole, exclusive CPUs): remove cpuPerShard or use mode"
                        + " auto or overprovisioned");
            }
        }
        return new SizingRequest(spec.getShards(), spec.getReplicas(), spec.getShardsPerPod(), perShard, overhead,
                spec.getReservedCpus() == null ? DEFAULT_RESERVED_CPUS : spec.getReservedCpus(),
                mode, p.getNodeSelector(), p.getTolerations(), p.getAffinity(), cpuPerShard);
    }
}
