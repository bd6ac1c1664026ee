package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds real {@link Node} objects (and NodeResourceTopologies) for tests. */
public final class TestNodes {

    private final String name;
    private String cpu = "8";
    private String memory = "32Gi";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Taint> taints = new ArrayList<>();
    private boolean unschedulable;

    private TestNodes(String name) {
        this.name = name;
        labels.put("kubernetes.io/hostname", name);
    }

    public static TestNodes node(String name) {
        return new TestNodes(name);
    }

    public TestNodes cpu(String cpu) {
        this.cpu = cpu;
        return this;
    }

    public TestNodes memory(String memory) {
        this.memory = memory;
        return this;
    }

    public TestNodes numa(int zones) {
        return label(NodeShapes.NUMA_NODES, Integer.toString(zones));
    }

    public TestNodes staticCpuManager() {
        return label(NodeShapes.CPU_MANAGER_POLICY, "static");
    }

    public TestNodes fullPcpusOnly() {
        return label(NodeShapes.CPU_MANAGER_POLICY_OPTIONS, "full-pcpus-only");
    }

    public TestNodes label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    public TestNodes taint(String key, String value, String effect) {
        taints.add(new io.fabric8.kubernetes.api.model.TaintBuilder().withKey(key).withValue(value).withEffect(effect).build());
        return this;
    }

    public TestNodes cordoned() {
        unschedulable = true;
        return this;
    }

    public Node build() {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withUnschedulable(unschedulable).withTaints(taints).endSpec()
                .withNewStatus().addToAllocatable("cpu", new Quantity(cpu)).addToAllocatable("memory", new Quantity(memory))
                .addToCapacity("cpu", new Quantity(cpu)).addToCapacity("memory", new Quantity(memory)).endStatus()
                .build();
    }

    public NodeShape shape() {
        return NodeShapes.from(build(), null);
    }

    /** A v1alpha2 NodeResourceTopology with one zone per {cpus, memory} pair. */
    public static GenericKubernetesResource topology(String nodeName, String[][] zones) {
        GenericKubernetesResource nrt = new GenericKubernetesResource();
        nrt.setApiVersion(NodeShapes.NRT_API_VERSION);
        nrt.setKind(NodeShapes.NRT_KIND);
        nrt.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(nodeName).build());
        List<Map<String, Object>> zs = new ArrayList<>();
        for (int i = 0; i < zones.length; i++) {
            zs.add(Map.of("name", "node-" + i, "type", "Node",
                    "resources", List.of(
                            Map.of("name", "cpu", "capacity", zones[i][0], "allocatable", zones[i][0], "available", zones[i][0]),
                            Map.of("name", "memory", "capacity", zones[i][1], "allocatable", zones[i][1], "available", zones[i][1]))));
        }
        nrt.setAdditionalProperty("topologyPolicies", List.of("SingleNUMANodeContainerLevel"));
        nrt.setAdditionalProperty("zones", zs);
        return nrt;
    }
}
