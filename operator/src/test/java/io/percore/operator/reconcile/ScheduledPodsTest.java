package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the planner subtracts from each node, and what the status reports of the service's own pods the scheduler cannot place. */
class ScheduledPodsTest {

    private static Pod pod(String namespace, String name, String node, String cpu, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu))).endResources().withImage("x").withArgs("a", "b").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    @Test
    void requestsByNodeLeaveOutTheServicesOwnPods() {
        PercoreService kv = TestResources.service("kv", 2);
        Map<String, String> ours = Map.of(Labels.MANAGED_BY, Labels.OPERATOR, Labels.INSTANCE, "kv", Labels.NAME, "percore");
        List<Pod> pods = List.of(
                pod("percore-system", "operator-1", "a", "100m", Map.of()),
                pod("percore-system", "operator-2", "a", "100m", Map.of()),
                pod(kv.getMetadata().getNamespace(), "kv-0", "a", "2", ours),
                pod("other", "kv-0", "b", "1", ours),     // another namespace's kv: not this service
                pod("x", "pending", null, "4", Map.of())); // not bound: the scheduler counts it nowhere
        var byNode = ScheduledPods.requestsByNode(pods.stream(), p -> ScheduledPods.ownedBy(p, kv));
        assertThat(byNode.get("a").cpuMillis()).isEqualTo(200);
        assertThat(byNode.get("b").cpuMillis()).isEqualTo(1000);
        assertThat(byNode).doesNotContainKey(null).hasSize(2);
    }

    @Test
    void theServicesUnschedulablePodsWithTheSchedulersMessage() {
        PercoreService kv = TestResources.service("kv", 2);
        Map<String, String> ours = Map.of(Labels.MANAGED_BY, Labels.OPERATOR, Labels.INSTANCE, "kv");
        Pod waiting = pod(kv.getMetadata().getNamespace(), "kv-1", null, "1", ours);
        waiting.getStatus().setConditions(List.of(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("PodScheduled")
                .withStatus("False").withReason("Unschedulable").withMessage("0/1 nodes are available: 1 node(s) were unschedulable.").build()));
        Pod placed = pod(kv.getMetadata().getNamespace(), "kv-0", "a", "1", ours);
        List<PodsUnschedulable.Pending> pending = ScheduledPods.unschedulable(Stream.of(placed, waiting), kv);
        assertThat(PodsUnschedulable.message(pending))
                .isEqualTo("pod kv-1 cannot be scheduled: 0/1 nodes are available: 1 node(s) were unschedulable.");
        assertThat(ScheduledPods.unschedulable(Stream.of(placed), kv)).isEmpty();
    }

    /** The informer keeps a few fields of each pod: enough for both, not the image, arguments or anything else. */
    @Test
    void theCacheKeepsOnlyWhatTheSchedulerWeighs() {
        Pod full = pod("ns", "p", "a", "250m", Map.of("l", "v"));
        Pod kept = ScheduledPods.StrippedPodStore.strip(full);
        assertThat(kept.getSpec().getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isNull();
            assertThat(c.getArgs()).isEmpty();
            assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"));
        });
        assertThat(kept.getMetadata().getLabels()).containsEntry("l", "v");
        assertThat(kept.getSpec().getNodeName()).isEqualTo("a");
        assertThat(kept.getStatus().getPhase()).isEqualTo("Running");
        var store = new ScheduledPods.StrippedPodStore();
        store.put(store.getKey(full), full);
        assertThat(store.get("ns/p").getSpec().getContainers().get(0).getImage()).isNull();
    }
}
