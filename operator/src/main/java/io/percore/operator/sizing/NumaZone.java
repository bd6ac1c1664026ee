package io.percore.operator.sizing;

/**
 * One NUMA node of a Kubernetes node as the planner sees it: whole CPUs and bytes of memory a
 * pod may get there. A pod is planned to fit inside one zone, never across two.
 */
public record NumaZone(String name, int cpus, long memoryBytes) {

    public NumaZone {
        if (cpus < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("zone " + name + ": negative resources (cpus=" + cpus + ", memory=" + memoryBytes + ")");
        }
    }
}
