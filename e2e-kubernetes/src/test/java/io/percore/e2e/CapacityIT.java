package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.percore.operator.crd.PercoreService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A plan the node cannot hold says why (what the other pods there request) in a condition and an event, creates no
 * workload, and turns into pods once room is freed. Alone on the node: it counts every other pod's requests.
 */
@ExtendWith(RealNodeExtension.class)
@Isolated
@Order(2)
class CapacityIT {

    @Test
    void aPlanTheNodeCannotHoldSaysWhyUntilRoomIsFreed(Cluster cluster) {
        try (var ns = cluster.namespace("e2e-nofit")) {
            // the case: one shard and a reserved CPU want a 2-CPU Guaranteed pod; the chart's pods already request 200m
            PercoreService whole = Cluster.example("small.yaml");
            whole.getMetadata().setName("whole");
            whole.getSpec().setCpuPerShard(null);
            cluster.create(ns.name(), whole);
            PercoreService refused = cluster.awaitStatus(ns.name(), "whole", Duration.ofSeconds(60), s -> Cluster.is(s, "Planned", "False"));
            assertThat(Cluster.condition(refused, "Planned").getReason()).isEqualTo("Unschedulable");
            assertThat(Cluster.condition(refused, "Planned").getMessage())
                    .contains("no node can host", "2 CPUs", RealNode.NODE_NAME, "other pods request");
            assertThat(cluster.client().apps().deployments().inNamespace(ns.name()).withName("whole").get())
                    .as("no workload for a plan that cannot run").isNull();

            // one whole CPU would fit, but a pod takes the room first: refused too, and planned once it leaves
            Pod hog = hog(cluster, ns.name(), freeMillis(cluster) - 500);
            PercoreService oneCpu = Cluster.example("small.yaml");
            oneCpu.getMetadata().setName("one-cpu");
            oneCpu.getSpec().setCpuPerShard(null);
            oneCpu.getSpec().setReservedCpus(0);
            cluster.create(ns.name(), oneCpu);
            PercoreService waiting = cluster.awaitStatus(ns.name(), "one-cpu", Duration.ofSeconds(60), s -> Cluster.is(s, "Planned", "False"));
            assertThat(Cluster.condition(waiting, "Planned").getMessage()).contains("1 CPUs", "other pods request");
            assertThat(cluster.events(ns.name(), "one-cpu"))
                    .anySatisfy(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getReason()).isEqualTo("Unschedulable");
                        assertThat(e.getMessage()).contains("other pods request");
                    });
            long freed = System.nanoTime();
            cluster.client().pods().inNamespace(ns.name()).resource(hog).withGracePeriod(0).delete();
            Duration ready = cluster.awaitReady(ns.name(), "one-cpu", PlanToPodsIT.READY_WITHIN);
            Progress.say("planned and Ready %d s after the room was freed", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - freed));
            assertThat(cluster.pods(ns.name(), "one-cpu")).singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getQosClass()).isEqualTo("Guaranteed"));
            assertThat(ready).isLessThan(PlanToPodsIT.READY_WITHIN);
        }
    }

    /** CPU no pod on the node requests yet. */
    static long freeMillis(Cluster cluster) {
        long allocatable = new Quantity(cluster.client().nodes().withName(RealNode.NODE_NAME).get().getStatus().getAllocatable().get("cpu").toString())
                .getNumericalAmount().multiply(java.math.BigDecimal.valueOf(1000)).longValue();
        long requested = cluster.client().pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> RealNode.NODE_NAME.equals(p.getSpec().getNodeName()))
                .filter(p -> !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
                .flatMap(p -> p.getSpec().getContainers().stream())
                .map(c -> c.getResources().getRequests() == null ? null : c.getResources().getRequests().get("cpu"))
                .filter(q -> q != null)
                .mapToLong(q -> q.getNumericalAmount().multiply(java.math.BigDecimal.valueOf(1000)).longValue()).sum();
        return allocatable - requested;
    }

    /** A pod that does nothing but request {@code millis} of CPU (the node's pause image, which is there already). */
    static Pod hog(Cluster cluster, String namespace, long millis) {
        Pod pod = new PodBuilder().withNewMetadata().withName("hog").endMetadata().withNewSpec().withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("hog").withImage("registry.k8s.io/pause:3.6").withImagePullPolicy("IfNotPresent")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(millis + "m"))).endResources().endContainer()
                .endSpec().build();
        Pod created = cluster.client().pods().inNamespace(namespace).resource(pod).create();
        return cluster.client().pods().inNamespace(namespace).resource(created).waitUntilCondition(
                p -> p.getSpec().getNodeName() != null, 60, TimeUnit.SECONDS);
    }
}
