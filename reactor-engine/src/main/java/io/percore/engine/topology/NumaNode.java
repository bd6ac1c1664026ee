package io.percore.engine.topology;

/** A NUMA node and the CPUs of it this process may use. */
public record NumaNode(int id, CpuSet cpus) {
}
