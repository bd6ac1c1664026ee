package io.percore.operator.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random node pools and specs: whatever the planner answers, a planned pod never exceeds a
 * node's allocatable, never needs more than one NUMA zone, respects full-pcpus-only, and an
 * "infeasible" answer is only given when no node could host a pod. Zone sizes are recomputed
 * here from the raw inputs, independently of the planner's own arithmetic.
 */
class SizingPlannerPropertyTest {

    private static final long MI = 1024L * 1024;
    private static final int RUNS = 1500;

    /** Raw facts about a generated node, kept beside the Node to check the plan against. */
    record Truth(long cpuMillis, long memory, int[] zoneCpus, long[] zoneMemory, boolean fullPcpus, int threadsPerCore) {
    }

    @Test
    void planNeverExceedsAllocatableNorSplitsANumaNode() {
        long baseSeed = Long.getLong("percore.seed", 20261121L);
        SizingPlanner planner = new SizingPlanner();
        int feasible = 0;
        for (int run = 0; run < RUNS; run++) {
            long seed = baseSeed + run;
            Random rnd = new Random(seed);
            Map<String, Truth> truth = new HashMap<>();
            List<NodeShape> nodes = randomPool(rnd, truth);
            SizingRequest request = randomRequest(rnd);
            SizingPlan plan = planner.plan(request, nodes);
            String ctx = "seed=" + seed + " request=" + request + " reasons=" + plan.reasons();

            if (!plan.feasible()) {
                if (request.shardsPerPod() == null && request.replicas() == null) {
                    // Auto-sized and refused: then not even a 1-shard pod fits in any zone.
                    int step = nodes.stream().filter(NodeShape::fullPcpusOnly).mapToInt(NodeShape::threadsPerCore).max().orElse(1);
                    int minCpus = roundUp(1 + request.reservedCpus(), step);
                    long minMem = request.memoryOverheadBytes() + request.memoryPerShardBytes();
                    for (NodeShape n : nodes) {
                        if (n.unschedulable()) {
                            continue;
                        }
                        assertThat(fitsSomeZone(truth.get(n.name()), minCpus, minMem)).as("refused although %s fits; %s", n.name(), ctx).isFalse();
                    }
                }
                assertThat(plan.reasons()).as(ctx).isNotEmpty();
                continue;
            }
            feasible++;
            assertThat(plan.cpusPerPod()).as(ctx).isEqualTo(plan.shardsPerPod() + plan.reservedCpus());
            assertThat(plan.reservedCpus()).as(ctx).isGreaterThanOrEqualTo(request.reservedCpus());
            assertThat(plan.shardsPerPod()).as(ctx).isPositive();
            assertThat(plan.memoryPerPodBytes()).as(ctx)
                    .isEqualTo(request.memoryOverheadBytes() + plan.shardsPerPod() * request.memoryPerShardBytes());
            if (request.totalShards() != null) {
                assertThat(plan.totalShards()).as(ctx).isGreaterThanOrEqualTo(request.totalShards());
            }
            assertThat(plan.eligibleNodes()).as(ctx).isNotEmpty();
            for (String name : plan.eligibleNodes()) {
                Truth t = truth.get(name);
                assertThat((long) plan.cpusPerPod() * 1000).as("cpu within allocatable of %s; %s", name, ctx).isLessThanOrEqualTo(t.cpuMillis());
                assertThat(plan.memoryPerPodBytes()).as("memory within allocatable of %s; %s", name, ctx).isLessThanOrEqualTo(t.memory());
                assertThat(fitsSomeZone(t, plan.cpusPerPod(), plan.memoryPerPodBytes()))
                        .as("pod fits one NUMA zone of %s; %s", name, ctx).isTrue();
                if (t.fullPcpus()) {
                    assertThat(plan.cpusPerPod() % t.threadsPerCore()).as("whole cores on %s; %s", name, ctx).isZero();
                }
            }
            // Capacity never counts more pods than the zones can hold.
            int bound = 0;
            for (String name : plan.eligibleNodes()) {
                Truth t = truth.get(name);
                for (int z = 0; z < t.zoneCpus().length; z++) {
                    bound += (int) Math.min(t.zoneCpus()[z] / plan.cpusPerPod(), t.zoneMemory()[z] / plan.memoryPerPodBytes());
                }
            }
            assertThat(plan.podCapacity()).as(ctx).isLessThanOrEqualTo(bound);
            assertThat(plan.degraded()).as(ctx).isEqualTo(plan.podCapacity() < plan.replicas()
                    || (request.mode() == ModePreference.PINNED && plan.reasons().stream().anyMatch(r -> r.contains("forced"))));
        }
        assertThat(feasible).as("the generator must produce mostly feasible pools").isGreaterThan(RUNS / 3);
    }

    private static boolean fitsSomeZone(Truth t, int cpus, long memory) {
        if (t.fullPcpus() && cpus % t.threadsPerCore() != 0) {
            return false;
        }
        for (int z = 0; z < t.zoneCpus().length; z++) {
            if (t.zoneCpus()[z] >= cpus && t.zoneMemory()[z] >= memory && t.cpuMillis() >= cpus * 1000L && t.memory() >= memory) {
                return true;
            }
        }
        return false;
    }

    private static List<NodeShape> randomPool(Random rnd, Map<String, Truth> truth) {
        int count = 1 + rnd.nextInt(6);
        List<NodeShape> nodes = new ArrayList<>();
        int[] numaChoices = {1, 1, 2, 4, 8};
        for (int i = 0; i < count; i++) {
            String name = "n" + i;
            long cpuMillis = 500 + rnd.nextInt(192 * 1000);
            if (rnd.nextBoolean()) {
                cpuMillis -= cpuMillis % 1000;
            }
            cpuMillis = Math.max(cpuMillis, 500);
            long memory = (256 + rnd.nextInt(512 * 1024)) * MI;
            int zones = numaChoices[rnd.nextInt(numaChoices.length)];
            boolean fullPcpus = rnd.nextInt(3) == 0;
            TestNodes b = TestNodes.node(name).cpu(cpuMillis + "m").memory(memory + "");
            if (fullPcpus) {
                b.fullPcpusOnly();
            }
            if (rnd.nextBoolean()) {
                b.staticCpuManager();
            }
            if (rnd.nextInt(10) == 0) {
                b.cordoned();
            }
            int tpc = fullPcpus ? 2 : 1;
            int[] zoneCpus = new int[zones];
            long[] zoneMem = new long[zones];
            Node node;
            GenericKubernetesResource nrt = null;
            if (zones > 1 && rnd.nextBoolean()) {
                // NodeResourceTopology; zone figures may even exceed the node's allocatable.
                String[][] z = new String[zones][];
                for (int k = 0; k < zones; k++) {
                    zoneCpus[k] = rnd.nextInt((int) (cpuMillis / 1000) / zones + 3);
                    zoneMem[k] = (memory / zones) + (rnd.nextBoolean() ? MI * rnd.nextInt(1024) : -MI * rnd.nextInt(128));
                    zoneMem[k] = Math.max(0, zoneMem[k]);
                    z[k] = new String[] {Integer.toString(zoneCpus[k]), Long.toString(zoneMem[k])};
                }
                node = b.build();
                nrt = TestNodes.topology(name, z);
            } else {
                if (zones > 1) {
                    b.numa(zones);
                }
                node = b.build();
                for (int k = 0; k < zones; k++) {
                    zoneCpus[k] = (int) (cpuMillis / zones / 1000);
                    zoneMem[k] = memory / zones;
                }
            }
            truth.put(name, new Truth(cpuMillis, memory, zoneCpus, zoneMem, fullPcpus, tpc));
            nodes.add(NodeShapes.from(node, nrt));
        }
        return nodes;
    }

    private static SizingRequest randomRequest(Random rnd) {
        Integer total = null;
        Integer replicas = null;
        Integer perPod = null;
        switch (rnd.nextInt(4)) {
            case 0 -> total = 1 + rnd.nextInt(300);
            case 1 -> {
                replicas = 1 + rnd.nextInt(8);
                perPod = 1 + rnd.nextInt(64);
            }
            case 2 -> replicas = 1 + rnd.nextInt(8);
            default -> {
                total = 1 + rnd.nextInt(300);
                replicas = 1 + rnd.nextInt(8);
            }
        }
        long perShard = (64 + rnd.nextInt(4096)) * MI;
        long overhead = rnd.nextInt(1024) * MI;
        ModePreference mode = ModePreference.values()[rnd.nextInt(3)];
        return new SizingRequest(total, replicas, perPod, perShard, overhead, rnd.nextInt(3), mode, Map.of(), List.of(), null);
    }

    private static int roundUp(int v, int step) {
        return (v + step - 1) / step * step;
    }
}
