package io.percore.operator.sizing;

import static io.percore.operator.sizing.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Toleration;
import io.percore.config.EngineConfig;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table of node shapes and specs with the plan each must produce. */
class SizingPlannerTest {

    private static final long MI = 1024L * 1024;

    /** Expected outcome; infeasible rows give the reason fragment instead of numbers. */
    record Expect(boolean feasible, int replicas, int shardsPerPod, int cpusPerPod, long memoryMi, EngineConfig.Mode mode,
                  List<String> eligible, boolean degraded, String reasonFragment) {

        static Expect plan(int replicas, int shardsPerPod, int cpusPerPod, long memoryMi, EngineConfig.Mode mode, List<String> eligible) {
            return new Expect(true, replicas, shardsPerPod, cpusPerPod, memoryMi, mode, eligible, false, null);
        }

        static Expect degraded(int replicas, int shardsPerPod, int cpusPerPod, long memoryMi, EngineConfig.Mode mode, List<String> eligible, String reason) {
            return new Expect(true, replicas, shardsPerPod, cpusPerPod, memoryMi, mode, eligible, true, reason);
        }

        static Expect infeasible(String reasonFragment) {
            return new Expect(false, 0, 0, 0, 0, null, List.of(), false, reasonFragment);
        }
    }

    static SizingRequest total(int shards) {
        return new SizingRequest(shards, null, null, 512 * MI, 256 * MI, 1, ModePreference.AUTO, Map.of(), List.of(), null);
    }

    static SizingRequest shape(Integer replicas, int shardsPerPod) {
        return new SizingRequest(null, replicas, shardsPerPod, 512 * MI, 256 * MI, 1, ModePreference.AUTO, Map.of(), List.of(), null);
    }

    static SizingRequest with(SizingRequest r, Map<String, String> selector, List<Toleration> tolerations, ModePreference mode) {
        return new SizingRequest(r.totalShards(), r.replicas(), r.shardsPerPod(), r.memoryPerShardBytes(), r.memoryOverheadBytes(),
                r.reservedCpus(), mode, selector, tolerations, r.affinity());
    }

    static Stream<Arguments> table() {
        EngineConfig.Mode pinned = EngineConfig.Mode.PINNED;
        EngineConfig.Mode over = EngineConfig.Mode.OVERPROVISIONED;
        Toleration dedicated = new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("percore").withEffect("NoSchedule").build();
        return Stream.of(
                Arguments.of("1 NUMA, 4 CPUs, no static CPU manager",
                        List.of(node("a").cpu("4").memory("16Gi").shape()), total(3),
                        Expect.plan(1, 3, 4, 256 + 3 * 512, over, List.of("a"))),
                Arguments.of("2 NUMA x 32 CPUs, static: pods of one zone each",
                        List.of(node("a").cpu("64").memory("128Gi").numa(2).staticCpuManager().shape()), total(62),
                        Expect.plan(2, 31, 32, 256 + 31 * 512, pinned, List.of("a"))),
                Arguments.of("4 NUMA x 48 CPUs from NodeResourceTopology (192 CPUs)",
                        List.of(NodeShapes.from(node("big").cpu("192").memory("768Gi").staticCpuManager().build(),
                                TestNodes.topology("big", new String[][] {{"47", "190Gi"}, {"48", "192Gi"}, {"48", "192Gi"}, {"48", "192Gi"}}))),
                        total(94),
                        Expect.plan(2, 47, 48, 256 + 47 * 512, pinned, List.of("big"))),
                Arguments.of("SMT with full-pcpus-only: CPUs rounded to whole cores",
                        List.of(node("a").cpu("16").memory("64Gi").staticCpuManager().fullPcpusOnly().shape()), shape(2, 4),
                        Expect.plan(2, 4, 6, 256 + 4 * 512, pinned, List.of("a"))),
                Arguments.of("SMT without full-pcpus-only: odd CPU counts allowed",
                        List.of(node("a").cpu("16").memory("64Gi").staticCpuManager().shape()), shape(2, 4),
                        Expect.plan(2, 4, 5, 256 + 4 * 512, pinned, List.of("a"))),
                Arguments.of("fractional allocatable 3500m: 3 whole CPUs",
                        List.of(node("a").cpu("3500m").memory("8Gi").shape()), total(2),
                        Expect.plan(1, 2, 3, 256 + 2 * 512, over, List.of("a"))),
                Arguments.of("node too small for one shard plus reserved CPU",
                        List.of(node("tiny").cpu("1").memory("4Gi").shape(), node("tiny2").cpu("1900m").memory("4Gi").shape()), total(4),
                        Expect.infeasible("no node can host even a 1-shard pod")),
                Arguments.of("memory-bound: 16 CPUs but 2Gi",
                        List.of(node("a").cpu("16").memory("2Gi").shape()), total(3),
                        Expect.plan(1, 3, 4, 256 + 3 * 512, over, List.of("a"))),
                Arguments.of("heterogeneous pool: 3 x 8 CPUs + 1 x 2 NUMA x 32 CPUs",
                        List.of(node("s1").cpu("8").memory("32Gi").shape(), node("s2").cpu("8").memory("32Gi").shape(),
                                node("s3").cpu("8").memory("32Gi").shape(), node("big").cpu("64").memory("256Gi").numa(2).shape()),
                        total(14),
                        Expect.plan(1, 14, 15, 256 + 14 * 512, over, List.of("big"))),
                Arguments.of("heterogeneous pool with fixed replicas: largest pod that every replica can get",
                        List.of(node("s1").cpu("8").memory("32Gi").shape(), node("s2").cpu("8").memory("32Gi").shape(),
                                node("big").cpu("64").memory("256Gi").numa(2).shape()),
                        new SizingRequest(null, 3, null, 512 * MI, 256 * MI, 1, ModePreference.AUTO, Map.of(), List.of(), null),
                        Expect.plan(3, 15, 16, 256 + 15 * 512, over, List.of("big"))),
                Arguments.of("pod bigger than a NUMA zone is refused even though the node has the CPUs",
                        List.of(node("a").cpu("32").memory("128Gi").numa(2).shape()), shape(1, 20),
                        Expect.infeasible("inside one NUMA node")),
                Arguments.of("2 NUMA x 2 CPUs cannot host 3-CPU pods",
                        List.of(node("a").cpu("4").memory("16Gi").numa(2).shape()), shape(1, 2),
                        Expect.infeasible("no node can host a pod of 3 CPUs")),
                Arguments.of("pool too small for every replica: degraded",
                        List.of(node("a").cpu("8").memory("32Gi").staticCpuManager().shape()), shape(5, 3),
                        Expect.degraded(5, 3, 4, 256 + 3 * 512, pinned, List.of("a"), "pool capacity 2 < 5 replicas")),
                Arguments.of("nodeSelector and taints pick the pool",
                        List.of(node("gen").cpu("64").memory("256Gi").shape(),
                                node("tainted").cpu("16").memory("64Gi").label("pool", "percore").taint("gpu", "true", "NoSchedule").shape(),
                                node("p1").cpu("8").memory("64Gi").label("pool", "percore").taint("dedicated", "percore", "NoSchedule").staticCpuManager().shape()),
                        with(total(7), Map.of("pool", "percore"), List.of(dedicated), ModePreference.AUTO),
                        Expect.plan(1, 7, 8, 256 + 7 * 512, pinned, List.of("p1"))),
                Arguments.of("only cordoned nodes",
                        List.of(node("a").cpu("8").cordoned().shape()), total(2),
                        Expect.infeasible("cordoned")),
                Arguments.of("no nodes at all", List.of(), total(2), Expect.infeasible("no nodes in the cluster")),
                Arguments.of("pinned forced onto nodes without static CPU manager: degraded",
                        List.of(node("a").cpu("8").memory("32Gi").shape()), with(total(6), Map.of(), List.of(), ModePreference.PINNED),
                        Expect.degraded(1, 6, 7, 256 + 6 * 512, pinned, List.of("a"), "lack the static CPU manager")),
                Arguments.of("mixed static/non-static pool runs overprovisioned",
                        List.of(node("a").cpu("8").memory("32Gi").staticCpuManager().shape(), node("b").cpu("8").memory("32Gi").shape()),
                        total(14),
                        Expect.plan(2, 7, 8, 256 + 7 * 512, over, List.of("a", "b"))),
                Arguments.of("full-pcpus-only on one node forces even CPUs for all",
                        List.of(node("a").cpu("12").memory("32Gi").fullPcpusOnly().shape(), node("b").cpu("12").memory("32Gi").shape()),
                        shape(2, 4),
                        Expect.plan(2, 4, 6, 256 + 4 * 512, over, List.of("a", "b"))),
                Arguments.of("README worked example: 40 shards",
                        readmePool(), total(40),
                        Expect.plan(2, 20, 21, 256 + 20 * 512, over, List.of("big"))),
                Arguments.of("README worked example: 6 replicas",
                        readmePool(), new SizingRequest(null, 6, null, 512 * MI, 256 * MI, 1, ModePreference.AUTO, Map.of(), List.of(), null),
                        Expect.plan(6, 9, 10, 256 + 9 * 512, over, List.of("big"))),
                Arguments.of("10 shards with room for 4 per pod: 3 equal pods of 4",
                        List.of(node("a").cpu("5").memory("32Gi").shape(), node("b").cpu("5").memory("32Gi").shape(), node("c").cpu("5").memory("32Gi").shape()),
                        total(10),
                        Expect.plan(3, 4, 5, 256 + 4 * 512, over, List.of("a", "b", "c"))));
    }

    static List<NodeShape> readmePool() {
        return List.of(node("n1").cpu("8").memory("32Gi").staticCpuManager().shape(),
                node("n2").cpu("8").memory("32Gi").staticCpuManager().shape(),
                node("big").cpu("64").memory("256Gi").numa(2).shape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plansEachNodeShape(String description, List<NodeShape> nodes, SizingRequest request, Expect expect) {
        SizingPlan plan = new SizingPlanner().plan(request, nodes);

        assertThat(plan.feasible()).as("feasible; reasons=%s", plan.reasons()).isEqualTo(expect.feasible());
        if (!expect.feasible()) {
            assertThat(String.join("\n", plan.reasons())).contains(expect.reasonFragment());
            return;
        }
        assertThat(plan.replicas()).as("replicas; reasons=%s", plan.reasons()).isEqualTo(expect.replicas());
        assertThat(plan.shardsPerPod()).as("shardsPerPod; reasons=%s", plan.reasons()).isEqualTo(expect.shardsPerPod());
        assertThat(plan.cpusPerPod()).as("cpusPerPod").isEqualTo(expect.cpusPerPod());
        assertThat(plan.reservedCpus()).isEqualTo(expect.cpusPerPod() - expect.shardsPerPod());
        assertThat(plan.memoryPerPodBytes()).as("memory").isEqualTo(expect.memoryMi() * MI);
        assertThat(plan.mode()).isEqualTo(expect.mode());
        assertThat(plan.eligibleNodes()).containsExactlyElementsOf(expect.eligible());
        assertThat(plan.degraded()).as("degraded; reasons=%s", plan.reasons()).isEqualTo(expect.degraded());
        if (expect.reasonFragment() != null) {
            assertThat(String.join("\n", plan.reasons())).contains(expect.reasonFragment());
        }
        assertThat(plan.reasons()).isNotEmpty();
    }
}
