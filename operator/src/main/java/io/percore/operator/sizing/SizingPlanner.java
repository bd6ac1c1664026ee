package io.percore.operator.sizing;

import io.percore.config.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides the pod shape of a {@code PercoreService}: whole CPUs and memory per pod, shards per
 * pod and replica count, from the spec and the candidate nodes. A pure function (no Kubernetes
 * calls) so every rule is table-testable:
 *
 * <ul>
 *   <li>every pod is Guaranteed QoS: integer CPUs, requests == limits; unless the spec asks shards to share cores
 *       ({@code cpuPerShard}): then pods are Burstable, request {@code shards x cpuPerShard} and are limited to
 *       {@code shards + reservedCpus} CPUs, and the engine runs overprovisioned;</li>
 *   <li>what the pods already bound to a node request is not free, as the scheduler counts it;</li>
 *   <li>a pod fits inside one NUMA zone (CPUs <em>and</em> memory of that zone), never straddles two;</li>
 *   <li>each pod keeps {@code reservedCpus} CPUs free of shards for the JVM's own threads;</li>
 *   <li>on nodes whose CPU manager runs with {@code full-pcpus-only}, pod CPUs are a multiple of
 *       the SMT threads per core (the kubelet rejects the pod otherwise);</li>
 *   <li>shards are pinned only when every eligible node gives exclusive cores (static CPU manager);
 *       otherwise the engine runs overprovisioned and the reasons say so;</li>
 *   <li>when no node can host one pod the plan is infeasible, with the reason, instead of
 *       rolling out pods that would stay Pending.</li>
 * </ul>
 */
public final class SizingPlanner {

    /** Upper bound for an automatically chosen pod size; the engine's own shard limit. */
    static final int MAX_SHARDS_PER_POD = 1024;

    public SizingPlan plan(SizingRequest request, List<NodeShape> nodes) {
        List<String> reasons = new ArrayList<>();
        Optional<String> invalid = validate(request);
        if (invalid.isPresent()) {
            reasons.add(invalid.get());
            return SizingPlan.infeasible(reasons);
        }

        List<NodeShape> candidates = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (NodeShape node : nodes) {
            Optional<String> why = PlacementFilter.rejection(node, request);
            if (why.isPresent()) {
                rejected.add(node.name() + ": " + why.get());
            } else {
                candidates.add(node);
            }
        }
        if (candidates.isEmpty()) {
            reasons.add(nodes.isEmpty()
                    ? "no nodes in the cluster"
                    : "no node matches the placement (" + nodes.size() + " checked): " + abbreviate(rejected));
            return SizingPlan.infeasible(reasons);
        }
        if (!rejected.isEmpty()) {
            reasons.add(rejected.size() + " node(s) excluded by placement: " + abbreviate(rejected));
        }
        List<String> busy = new ArrayList<>();
        for (NodeShape node : candidates) {
            if (node.podsCpuMillis() > 0 || node.podsMemoryBytes() > 0) {
                busy.add(node.name() + ": " + Quantities.formatCpu(node.freeCpuMillis()) + " CPU and "
                        + Quantities.formatBytes(node.freeMemoryBytes()) + " free of " + Quantities.formatCpu(node.allocatableCpuMillis())
                        + " and " + Quantities.formatBytes(node.allocatableMemoryBytes()) + " (other pods request "
                        + Quantities.formatCpu(node.podsCpuMillis()) + ", " + Quantities.formatBytes(node.podsMemoryBytes()) + ")");
            }
        }
        if (!busy.isEmpty()) {
            reasons.add("already requested on " + busy.size() + " node(s): " + abbreviate(busy));
        }

        // One Deployment means one pod shape; it must suit every node a pod may land on. Pods on shared
        // cores are not given CPUs by the CPU manager, so its whole-core rule does not apply to them.
        int cpuStep = 1;
        for (NodeShape node : candidates) {
            if (node.fullPcpusOnly() && !request.sharedCores()) {
                cpuStep = lcm(cpuStep, node.threadsPerCore());
            }
        }
        if (cpuStep > 1) {
            reasons.add("CPU manager full-pcpus-only on some nodes: pod CPUs are a multiple of " + cpuStep + " (whole physical cores)");
        }

        int shardsPerPod;
        int replicas;
        if (request.shardsPerPod() != null) {
            shardsPerPod = request.shardsPerPod();
            if (request.replicas() != null) {
                replicas = request.replicas();
            } else if (request.totalShards() != null) {
                replicas = ceilDiv(request.totalShards(), shardsPerPod);
            } else {
                replicas = 1;
            }
            reasons.add("shardsPerPod " + shardsPerPod + " set in spec");
        } else if (request.totalShards() != null && request.replicas() != null) {
            replicas = request.replicas();
            shardsPerPod = ceilDiv(request.totalShards(), replicas);
            reasons.add(request.totalShards() + " shards over " + replicas + " replicas set in spec: " + shardsPerPod + " shards per pod");
        } else {
            int[] shape = request.totalShards() != null
                    ? cheapestShapeFor(request.totalShards(), request, candidates, cpuStep)
                    : largestShapeFor(request.replicas(), request, candidates, cpuStep);
            if (shape == null) {
                reasons.add("no node can host even a 1-shard pod: it needs " + cpuNeed(1, request, cpuStep) + " and "
                        + Quantities.formatBytes(podMemory(1, request)) + placeNeed(request, candidates));
                return SizingPlan.infeasible(reasons);
            }
            replicas = shape[0];
            shardsPerPod = shape[1];
            if (request.totalShards() != null) {
                reasons.add(request.totalShards() + " shards requested: " + replicas + " pod(s) x " + shardsPerPod
                        + " shards is the fewest CPUs (shards + reserved) that fit one NUMA node each");
            } else {
                reasons.add(replicas + " replicas set in spec: " + shardsPerPod + " shards per pod is the largest pod every replica gets one NUMA node for");
            }
        }
        if (request.totalShards() != null && replicas * shardsPerPod != request.totalShards()) {
            reasons.add(request.totalShards() + " shards requested, " + replicas * shardsPerPod + " planned (pods are equal-sized)");
        }

        int cpus = podCpus(shardsPerPod, request, cpuStep);
        long cpuRequest = podCpuRequest(shardsPerPod, request, cpuStep);
        long memory = podMemory(shardsPerPod, request);
        int reserved = cpus - shardsPerPod;
        String memoryParts = Quantities.formatBytes(memory) + " (" + Quantities.formatBytes(request.memoryOverheadBytes()) + " overhead + "
                + shardsPerPod + " x " + Quantities.formatBytes(request.memoryPerShardBytes()) + ")";
        if (request.sharedCores()) {
            reasons.add("pod: " + shardsPerPod + " shards x " + Quantities.formatCpu(request.cpuPerShardMillis()) + " (spec.cpuPerShard) = "
                    + Quantities.formatCpu(cpuRequest) + " CPU requested, limited to " + cpus + " CPUs (shards + " + reserved
                    + " reserved), " + memoryParts + ", Burstable QoS: shards share cores");
        } else {
            reasons.add("pod: " + shardsPerPod + " shards + " + reserved + " reserved CPU(s) = " + cpus + " CPUs, " + memoryParts
                    + ", Guaranteed QoS");
        }

        List<String> eligible = new ArrayList<>();
        int capacity = 0;
        for (NodeShape node : candidates) {
            int pods = podsFitting(node, request, cpus, cpuRequest, memory);
            if (pods > 0) {
                eligible.add(node.name());
                capacity += pods;
            }
        }
        if (eligible.isEmpty()) {
            reasons.add("no node can host a pod of " + cpuNeed(shardsPerPod, request, cpuStep) + " and " + Quantities.formatBytes(memory)
                    + placeNeed(request, candidates));
            return SizingPlan.infeasible(reasons);
        }
        boolean degraded = false;
        reasons.add(eligible.size() + " eligible node(s) hold " + capacity + " pod(s) of this size");
        if (capacity < replicas) {
            degraded = true;
            reasons.add("pool capacity " + capacity + " < " + replicas + " replicas: " + (replicas - capacity) + " pod(s) cannot be scheduled");
        }

        EngineConfig.Mode mode;
        long exclusive = candidates.stream().filter(n -> eligible.contains(n.name())).filter(NodeShape::exclusiveCpus).count();
        if (request.sharedCores()) {
            // SizingRequests refuses cpuPerShard with mode pinned: Burstable pods never get exclusive cores.
            reasons.add("spec.cpuPerShard " + Quantities.formatCpu(request.cpuPerShardMillis())
                    + ": cores are shared (Burstable pods get no exclusive CPUs), engine runs overprovisioned");
            return new SizingPlan(true, degraded, replicas, shardsPerPod, cpus, reserved, memory, EngineConfig.Mode.OVERPROVISIONED,
                    eligible, capacity, reasons, cpuRequest);
        }
        switch (request.mode()) {
            case PINNED -> {
                mode = EngineConfig.Mode.PINNED;
                if (exclusive < eligible.size()) {
                    degraded = true;
                    reasons.add("mode pinned forced by spec, but " + (eligible.size() - exclusive) + " eligible node(s) lack the static CPU manager: shards may share cores");
                }
            }
            case OVERPROVISIONED -> {
                mode = EngineConfig.Mode.OVERPROVISIONED;
                reasons.add("mode overprovisioned set in spec");
            }
            default -> {
                if (exclusive == eligible.size()) {
                    mode = EngineConfig.Mode.PINNED;
                    reasons.add("all eligible nodes give exclusive cores (static CPU manager): shards pinned");
                } else {
                    mode = EngineConfig.Mode.OVERPROVISIONED;
                    reasons.add((eligible.size() - exclusive) + " eligible node(s) lack the static CPU manager (label "
                            + NodeShapes.CPU_MANAGER_POLICY + "=static): cores are not exclusive, engine runs overprovisioned");
                }
            }
        }
        return new SizingPlan(true, degraded, replicas, shardsPerPod, cpus, reserved, memory, mode, eligible, capacity, reasons);
    }

    private static Optional<String> validate(SizingRequest r) {
        if (r.totalShards() == null && r.shardsPerPod() == null && r.replicas() == null) {
            return Optional.of("spec: set shards (total), or replicas and/or shardsPerPod");
        }
        if (r.totalShards() != null && r.totalShards() < 1) {
            return Optional.of("spec.shards: must be >= 1, got " + r.totalShards());
        }
        if (r.shardsPerPod() != null && r.shardsPerPod() < 1) {
            return Optional.of("spec.shardsPerPod: must be >= 1, got " + r.shardsPerPod());
        }
        if (r.replicas() != null && r.replicas() < 0) {
            return Optional.of("spec.replicas: must be >= 0, got " + r.replicas());
        }
        if (r.totalShards() != null && r.replicas() != null && r.replicas() == 0) {
            return Optional.of("spec.replicas: 0 replicas cannot run " + r.totalShards() + " shards");
        }
        if (r.reservedCpus() < 0) {
            return Optional.of("spec.reservedCpus: must be >= 0, got " + r.reservedCpus());
        }
        if (r.memoryPerShardBytes() <= 0) {
            return Optional.of("spec.memoryPerShard: must be > 0");
        }
        if (r.memoryOverheadBytes() < 0) {
            return Optional.of("spec.memoryOverhead: must be >= 0");
        }
        return Optional.empty();
    }

    /**
     * For a total shard count: among equal-sized splits ({@code r} pods of {@code ceil(total/r)}
     * shards), the one the pool can hold that asks for the fewest CPUs in total (fewer, bigger
     * pods waste fewer reserved CPUs), then the fewest pods. When no split fits entirely, the one
     * with the most pods placed, so the plan is degraded rather than refused.
     *
     * @return {replicas, shardsPerPod}, or null when not even a 1-shard pod fits anywhere
     */
    private static int[] cheapestShapeFor(int total, SizingRequest request, List<NodeShape> nodes, int cpuStep) {
        int[] best = null;
        boolean bestFits = false;
        long bestCost = Long.MAX_VALUE;
        int bestPlaced = -1;
        int upper = Math.min(total, Math.min(MAX_SHARDS_PER_POD, largestPodCpus(nodes, request)));
        for (int size = 1; size <= upper; size++) {
            int replicas = ceilDiv(total, size);
            int perPod = ceilDiv(total, replicas);
            int cpus = podCpus(perPod, request, cpuStep);
            long cpuRequest = podCpuRequest(perPod, request, cpuStep);
            int pods = capacity(nodes, request, cpus, cpuRequest, podMemory(perPod, request));
            if (pods == 0) {
                continue;
            }
            boolean fits = pods >= replicas;
            long cost = replicas * cpuRequest;
            int placed = Math.min(pods, replicas) * perPod;
            boolean better;
            if (best == null || fits != bestFits) {
                better = best == null || fits;
            } else if (fits) {
                better = cost < bestCost || (cost == bestCost && replicas < best[0]);
            } else {
                better = placed > bestPlaced;
            }
            if (better) {
                best = new int[] {replicas, perPod};
                bestFits = fits;
                bestCost = cost;
                bestPlaced = placed;
            }
        }
        return best;
    }

    /**
     * For a fixed replica count: the largest pod the pool holds {@code replicas} of; when even
     * 1-shard pods cannot all be placed, the largest pod that fits anywhere.
     *
     * @return {replicas, shardsPerPod}, or null when not even a 1-shard pod fits anywhere
     */
    private static int[] largestShapeFor(int replicas, SizingRequest request, List<NodeShape> nodes, int cpuStep) {
        int largestFitting = 0;
        int largestAll = 0;
        int upper = Math.min(MAX_SHARDS_PER_POD, largestPodCpus(nodes, request));
        for (int size = 1; size <= upper; size++) {
            int pods = capacity(nodes, request, podCpus(size, request, cpuStep), podCpuRequest(size, request, cpuStep),
                    podMemory(size, request));
            if (pods > 0) {
                largestFitting = size;
                if (pods >= replicas) {
                    largestAll = size;
                }
            }
        }
        if (largestFitting == 0) {
            return null;
        }
        return new int[] {replicas, largestAll > 0 ? largestAll : largestFitting};
    }

    private static int capacity(List<NodeShape> nodes, SizingRequest request, int cpus, long cpuRequest, long memory) {
        int pods = 0;
        for (NodeShape node : nodes) {
            pods += podsFitting(node, request, cpus, cpuRequest, memory);
        }
        return pods;
    }

    /**
     * The most shards a pod may have: the CPUs of the largest zone (whole, free) for Guaranteed pods; for pods on
     * shared cores, the CPUs of the largest node (more shard threads than the node has CPUs would only queue).
     */
    private static int largestPodCpus(List<NodeShape> nodes, SizingRequest request) {
        int largest = 0;
        for (NodeShape node : nodes) {
            if (request.sharedCores()) {
                largest = Math.max(largest, Math.max(1, node.allocatableWholeCpus()));
                continue;
            }
            for (NumaZone zone : usableZones(node)) {
                largest = Math.max(largest, zone.cpus());
            }
        }
        return largest;
    }

    /** The pod's CPU limit: whole CPUs, shards + reserved (requested too, unless shards share cores). */
    static int podCpus(int shards, SizingRequest request, int cpuStep) {
        return roundUp(shards + request.reservedCpus(), cpuStep);
    }

    /** The pod's CPU request in millicores. */
    static long podCpuRequest(int shards, SizingRequest request, int cpuStep) {
        return request.sharedCores() ? shards * request.cpuPerShardMillis() : podCpus(shards, request, cpuStep) * 1000L;
    }

    private static String cpuNeed(int shards, SizingRequest request, int cpuStep) {
        return request.sharedCores() ? Quantities.formatCpu(podCpuRequest(shards, request, cpuStep)) + " CPU"
                : podCpus(shards, request, cpuStep) + " CPUs";
    }

    private static String placeNeed(SizingRequest request, List<NodeShape> nodes) {
        return request.sharedCores() ? " on one node; most free: " + mostFreeNode(nodes)
                : " inside one NUMA node; largest zone: " + largestZone(nodes);
    }

    static long podMemory(int shards, SizingRequest request) {
        return request.memoryOverheadBytes() + shards * request.memoryPerShardBytes();
    }

    /**
     * Pods of this shape the node holds beside what its pods already request: on shared cores by their CPU request
     * and memory; otherwise each inside one zone, with whole CPUs.
     */
    static int podsFitting(NodeShape node, SizingRequest request, int cpus, long cpuRequest, long memory) {
        if (request.sharedCores()) {
            long byCpu = cpuRequest == 0 ? Integer.MAX_VALUE : node.freeCpuMillis() / cpuRequest;
            long byMemory = memory == 0 ? Integer.MAX_VALUE : node.freeMemoryBytes() / memory;
            return (int) Math.min(byCpu, byMemory);
        }
        return podsFitting(node, cpus, memory);
    }

    /** Guaranteed pods of this shape the node holds, each inside one zone, within what the node has free. */
    static int podsFitting(NodeShape node, int cpus, long memory) {
        if (node.fullPcpusOnly() && cpus % node.threadsPerCore() != 0) {
            return 0;
        }
        int pods = 0;
        for (NumaZone zone : usableZones(node)) {
            int byCpu = zone.cpus() / cpus;
            long byMemory = memory == 0 ? Integer.MAX_VALUE : zone.memoryBytes() / memory;
            pods += (int) Math.min(byCpu, byMemory);
        }
        // Zone figures (e.g. from NodeResourceTopology) may exceed what the node advertises as allocatable, and the
        // node's pods already hold part of it (in which zone the API does not say: the node's total bounds it).
        int byNodeCpu = node.freeWholeCpus() / cpus;
        long byNodeMemory = memory == 0 ? Integer.MAX_VALUE : node.freeMemoryBytes() / memory;
        return (int) Math.min(pods, Math.min(byNodeCpu, byNodeMemory));
    }

    /** Zones capped to the node's free whole CPUs and memory, rounded to whole cores under full-pcpus-only. */
    static List<NumaZone> usableZones(NodeShape node) {
        List<NumaZone> zones = new ArrayList<>();
        for (NumaZone zone : node.zones()) {
            int cpus = Math.min(zone.cpus(), node.freeWholeCpus());
            if (node.fullPcpusOnly()) {
                cpus -= cpus % node.threadsPerCore();
            }
            zones.add(new NumaZone(zone.name(), cpus, Math.min(zone.memoryBytes(), node.freeMemoryBytes())));
        }
        return zones;
    }

    private static String mostFreeNode(List<NodeShape> nodes) {
        NodeShape best = null;
        for (NodeShape node : nodes) {
            if (best == null || node.freeCpuMillis() > best.freeCpuMillis()) {
                best = node;
            }
        }
        return best == null ? "none" : best.name() + " with " + Quantities.formatCpu(best.freeCpuMillis()) + " CPU, "
                + Quantities.formatBytes(best.freeMemoryBytes());
    }

    private static String largestZone(List<NodeShape> nodes) {
        String best = "none";
        int bestCpus = -1;
        for (NodeShape node : nodes) {
            for (NumaZone zone : usableZones(node)) {
                if (zone.cpus() > bestCpus) {
                    bestCpus = zone.cpus();
                    best = node.name() + "/" + zone.name() + " with " + zone.cpus() + " CPUs, " + Quantities.formatBytes(zone.memoryBytes());
                }
            }
        }
        return best;
    }

    private static String abbreviate(List<String> items) {
        if (items.size() <= 5) {
            return String.join("; ", items);
        }
        return String.join("; ", items.subList(0, 5)) + "; ... and " + (items.size() - 5) + " more";
    }

    private static int roundUp(int value, int step) {
        return ceilDiv(value, step) * step;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
