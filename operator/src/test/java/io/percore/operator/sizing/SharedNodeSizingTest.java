package io.percore.operator.sizing;

import static io.percore.operator.sizing.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.percore.config.EngineConfig;
import io.percore.operator.crd.PercoreServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node other pods already use, and shards on shared cores ({@code spec.cpuPerShard}): what the real 2-CPU node of the
 * end-to-end suite showed the planner did not know.
 */
class SharedNodeSizingTest {

    private static final long MI = 1024L * 1024;
    private final SizingPlanner planner = new SizingPlanner();

    private static SizingRequest oneShard(int reserved, Long cpuPerShardMillis) {
        return new SizingRequest(1, null, null, 512 * MI, 256 * MI, reserved, ModePreference.AUTO, Map.of(), List.of(), null,
                cpuPerShardMillis);
    }

    /** The case: 1 shard + 1 reserved CPU on a 2-CPU node where the operator's two pods request 200m. */
    @Test
    void whatOtherPodsRequestIsNotFree() {
        NodeShape node = node("bars-node").cpu("2").memory("24Gi").shape();
        assertThat(planner.plan(oneShard(1, null), List.of(node)).feasible()).as("the empty node").isTrue();

        SizingPlan plan = planner.plan(oneShard(1, null), List.of(node.withPodRequests(200, 512 * MI)));
        assertThat(plan.feasible()).isFalse();
        assertThat(String.join("\n", plan.reasons())).contains("it needs 2 CPUs",
                "bars-node: 1800m CPU and 24064Mi free of 2 and 24576Mi (other pods request 200m, 512Mi)");

        SizingPlan oneCpu = planner.plan(oneShard(0, null), List.of(node.withPodRequests(200, 512 * MI)));
        assertThat(oneCpu.feasible()).isTrue();
        assertThat(oneCpu.cpusPerPod()).isEqualTo(1);
        assertThat(oneCpu.podCapacity()).as("1800m free holds one whole CPU").isEqualTo(1);
    }

    @Test
    void shardsOnSharedCoresRequestAFractionAndFitByIt() {
        NodeShape busy = node("bars-node").cpu("2").memory("24Gi").shape().withPodRequests(200, 512 * MI);
        SizingPlan plan = planner.plan(oneShard(1, 250L), List.of(busy));
        assertThat(plan.feasible()).isTrue();
        assertThat(plan.cpuRequestMillisPerPod()).isEqualTo(250);
        assertThat(plan.cpusPerPod()).as("the limit: shards + reserved").isEqualTo(2);
        assertThat(plan.burstable()).isTrue();
        assertThat(plan.mode()).isEqualTo(EngineConfig.Mode.OVERPROVISIONED);
        assertThat(plan.podCapacity()).as("1800m / 250m").isEqualTo(7);
        assertThat(String.join("\n", plan.reasons())).contains("250m CPU requested, limited to 2 CPUs", "Burstable QoS",
                "spec.cpuPerShard 250m: cores are shared");

        // shared cores are never pinned, even where every node gives exclusive cores
        NodeShape exclusive = node("a").cpu("8").memory("32Gi").staticCpuManager().shape();
        assertThat(planner.plan(oneShard(1, 250L), List.of(exclusive)).mode()).isEqualTo(EngineConfig.Mode.OVERPROVISIONED);
        assertThat(planner.plan(oneShard(1, null), List.of(exclusive)).mode()).isEqualTo(EngineConfig.Mode.PINNED);

        SizingPlan full = planner.plan(oneShard(1, 250L), List.of(busy.withPodRequests(1900, 512 * MI)));
        assertThat(full.feasible()).isFalse();
        assertThat(String.join("\n", full.reasons())).contains("it needs 250m CPU", "most free: bars-node with 100m CPU");
    }

    @Test
    void cpuPerShardIsBoundedAndNotForPinnedShards() {
        PercoreServiceSpec spec = new PercoreServiceSpec();
        spec.setShards(1);
        spec.setCpuPerShard("100m");
        assertThat(SizingRequests.fromSpec(spec).cpuPerShardMillis()).isEqualTo(100);
        spec.setCpuPerShard("0.5");
        assertThat(SizingRequests.fromSpec(spec).cpuPerShardMillis()).isEqualTo(500);
        spec.setCpuPerShard("2");
        assertThatThrownBy(() -> SizingRequests.fromSpec(spec)).hasMessageContaining("spec.cpuPerShard: '2' is outside 10m..1");
        spec.setCpuPerShard("5m");
        assertThatThrownBy(() -> SizingRequests.fromSpec(spec)).hasMessageContaining("outside");
        spec.setCpuPerShard("250m");
        spec.setMode("pinned");
        assertThatThrownBy(() -> SizingRequests.fromSpec(spec)).hasMessageContaining("mode pinned");
    }

    /** The scheduler's sum: the containers, or the largest init container if larger, plus the overhead. */
    @Test
    void aPodRequestsWhatTheSchedulerCounts() {
        Pod pod = new PodBuilder().withNewSpec().withNodeName("a")
                .addNewContainer().withName("a").withNewResources().withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi"))).endResources().endContainer()
                .addNewContainer().withName("b").withNewResources().withRequests(Map.of("cpu", new Quantity("150m"))).endResources().endContainer()
                .addNewInitContainer().withName("i").withNewResources().withRequests(Map.of("cpu", new Quantity("1"), "memory", new Quantity("32Mi"))).endResources().endInitContainer()
                .withOverhead(Map.of("cpu", new Quantity("10m"))).endSpec().withNewStatus().withPhase("Running").endStatus().build();
        assertThat(PodRequests.of(pod)).isEqualTo(new PodRequests.Requests(1010, 64 * MI));
        assertThat(PodRequests.occupiesNode(pod)).isTrue();
        pod.getStatus().setPhase("Succeeded");
        assertThat(PodRequests.occupiesNode(pod)).as("finished").isFalse();
        pod.getStatus().setPhase("Pending");
        pod.getSpec().setNodeName(null);
        assertThat(PodRequests.occupiesNode(pod)).as("not bound").isFalse();
    }
}
