package io.percore.engine.topology;

/**
 * One logical CPU (hardware thread) and where it sits: {@code coreId} is unique only within a
 * package, so a physical core is the pair ({@link #packageId}, {@link #coreId}).
 */
public record CpuInfo(int id, int coreId, int packageId, int numaNode) {

    /** True when both CPUs are hardware threads of the same physical core. */
    public boolean sameCoreAs(CpuInfo other) {
        return coreId == other.coreId && packageId == other.packageId;
    }
}
