package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@code Node} (plus its {@code NodeResourceTopology}, if the NFD topology-updater
 * publishes one) into a {@link NodeShape}. Where the zones come from, in order:
 * <ol>
 *   <li>{@code topology.node.k8s.io/v1alpha2 NodeResourceTopology} named like the node: zones of
 *       type {@code Node} with their {@code cpu} and {@code memory} allocatable;</li>
 *   <li>label or annotation {@value #NUMA_NODES} (an integer): the allocatable split evenly;</li>
 *   <li>otherwise one NUMA node holding everything.</li>
 * </ol>
 * Labels/annotations describing the kubelet's CPU manager (the API does not expose it):
 * {@value #CPU_MANAGER_POLICY} ({@code static} = exclusive cores), {@value #CPU_MANAGER_POLICY_OPTIONS}
 * (contains {@code full-pcpus-only} = whole physical cores only) and {@value #THREADS_PER_CORE}
 * (SMT siblings per core; defaults to 2 under full-pcpus-only, 1 otherwise).
 */
public final class NodeShapes {

    public static final String NUMA_NODES = "percore.io/numa-nodes";
    public static final String CPU_MANAGER_POLICY = "percore.io/cpu-manager-policy";
    public static final String CPU_MANAGER_POLICY_OPTIONS = "percore.io/cpu-manager-policy-options";
    public static final String THREADS_PER_CORE = "percore.io/threads-per-core";

    public static final String NRT_GROUP = "topology.node.k8s.io";
    public static final String NRT_VERSION = "v1alpha2";
    public static final String NRT_API_VERSION = NRT_GROUP + "/" + NRT_VERSION;
    public static final String NRT_KIND = "NodeResourceTopology";
    public static final String NRT_PLURAL = "noderesourcetopologies";

    private NodeShapes() {
    }

    /** @param topology the node's NodeResourceTopology, or null */
    public static NodeShape from(Node node, GenericKubernetesResource topology) {
        String name = node.getMetadata().getName();
        Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        long cpuMillis = Quantities.cpuMillis(allocatable.get("cpu"));
        long memory = Quantities.bytes(allocatable.get("memory"));
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();

        String options = setting(CPU_MANAGER_POLICY_OPTIONS, labels, annotations);
        boolean fullPcpusOnly = options != null && options.toLowerCase(Locale.ROOT).contains("full-pcpus-only");
        String policy = setting(CPU_MANAGER_POLICY, labels, annotations);
        boolean exclusive = policy != null && policy.trim().equalsIgnoreCase("static");
        String tpc = setting(THREADS_PER_CORE, labels, annotations);
        int threadsPerCore = fullPcpusOnly ? 2 : 1;
        if (tpc != null) {
            threadsPerCore = positiveInt(tpc, THREADS_PER_CORE, name);
        }

        List<NumaZone> zones = topology == null ? List.of() : zonesFromTopology(topology);
        String source;
        if (!zones.isEmpty()) {
            source = NRT_KIND;
        } else {
            String numa = setting(NUMA_NODES, labels, annotations);
            int count = numa == null ? 1 : positiveInt(numa, NUMA_NODES, name);
            source = numa == null ? "single NUMA node assumed" : NUMA_NODES + "=" + count;
            zones = evenSplit(cpuMillis, memory, count);
        }
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return new NodeShape(name, cpuMillis, memory, labels,
                node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints(),
                unschedulable, zones, fullPcpusOnly, threadsPerCore, exclusive, source);
    }

    /** Whole CPUs per zone: a fractional remainder ("3500m" over 2 zones) cannot be given to a Guaranteed pod. */
    static List<NumaZone> evenSplit(long cpuMillis, long memoryBytes, int count) {
        List<NumaZone> zones = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            zones.add(new NumaZone("node-" + i, (int) (cpuMillis / count / 1000), memoryBytes / count));
        }
        return zones;
    }

    @SuppressWarnings("unchecked")
    static List<NumaZone> zonesFromTopology(GenericKubernetesResource topology) {
        Object raw = topology.getAdditionalProperties().get("zones");
        if (!(raw instanceof List<?> list)) {
            return List.of();
        }
        List<NumaZone> zones = new ArrayList<>();
        for (Object z : list) {
            if (!(z instanceof Map<?, ?> zone) || !"Node".equals(zone.get("type"))) {
                continue;
            }
            long cpuMillis = 0;
            long memory = 0;
            Object resources = zone.get("resources");
            if (resources instanceof List<?> rs) {
                for (Object r : rs) {
                    if (!(r instanceof Map<?, ?> res)) {
                        continue;
                    }
                    Object value = res.get("allocatable") != null ? res.get("allocatable") : res.get("available");
                    if (value == null) {
                        continue;
                    }
                    if ("cpu".equals(res.get("name"))) {
                        cpuMillis = Quantities.cpuMillis(new Quantity(String.valueOf(value)));
                    } else if ("memory".equals(res.get("name"))) {
                        memory = Quantities.bytes(new Quantity(String.valueOf(value)));
                    }
                }
            }
            zones.add(new NumaZone(String.valueOf(zone.get("name")), (int) (cpuMillis / 1000), memory));
        }
        return zones;
    }

    private static String setting(String key, Map<String, String> labels, Map<String, String> annotations) {
        String v = labels.get(key);
        return v != null ? v : annotations.get(key);
    }

    private static int positiveInt(String value, String key, String node) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error naming the key
        }
        throw new IllegalArgumentException("node " + node + ": " + key + "='" + value + "' must be an integer between 1 and 64");
    }
}
