package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.percore.operator.crd.PercoreService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A node that cannot take a pod any more: the node cordoned, then the primary's pod deleted. The plan says no node can
 * take a new pod, the status and an event give the scheduler's reason for the pod that waits, and the service serves
 * from the replica the operator promotes. Alone on the node: a cordon holds every other scenario's new pods too.
 */
@ExtendWith(RealNodeExtension.class)
@Isolated
@Order(9)
class NodeLossIT {

    static final String NAME = "kv-loss";

    @Test
    void aCordonedNodeIsReportedAndTheServiceServesFromItsReplica(Cluster cluster) {
        try (var ns = cluster.namespace("e2e-node-loss")) {
            // replicated.yaml without its claims and with one replica: a primary and the replica that takes over
            PercoreService s = Cluster.example("replicated.yaml");
            s.getMetadata().setName(NAME);
            s.getSpec().setPersistence(null);
            s.getSpec().getReplication().setReplicas(1);
            cluster.create(ns.name(), s);
            cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            cluster.awaitStatus(ns.name(), NAME, PlanToPodsIT.READY_WITHIN, x -> Cluster.is(x, "Replicated", "True"));
            String password = cluster.password(ns.name(), NAME + "-auth");
            RedisURI primary = cluster.serviceUri(ns.name(), NAME + "-primary", "redis", password);
            Pod old = primary(cluster, ns.name());
            Map<String, String> replicated;
            try (Writer writer = new Writer(primary, "before", true)) {
                writer.awaitAcknowledged(100, Duration.ofSeconds(60));
                replicated = writer.stop();
            }
            try {
                cordon(cluster, true);
                PercoreService cordoned = cluster.awaitStatus(ns.name(), NAME, Duration.ofSeconds(60), x -> Cluster.is(x, "Planned", "False"));
                assertThat(Cluster.condition(cordoned, "Planned").getMessage()).contains(RealNode.NODE_NAME, "cordoned");

                try (Writer writer = new Writer(primary, "after", false)) {
                    writer.awaitAcknowledged(20, Duration.ofSeconds(60));
                    long deleted = System.nanoTime();
                    cluster.client().pods().inNamespace(ns.name()).resource(old).delete();
                    PercoreService said = cluster.awaitStatus(ns.name(), NAME, Duration.ofSeconds(90), x -> Cluster.condition(x, "Degraded") != null
                            && Cluster.condition(x, "Degraded").getMessage().contains("pod " + old.getMetadata().getName() + " cannot be scheduled"));
                    assertThat(Cluster.condition(said, "Degraded").getMessage()).contains("unschedulable");
                    assertThat(Cluster.condition(said, "Ready").getMessage()).contains("cannot be scheduled");
                    assertThat(cluster.events(ns.name(), NAME)).anySatisfy(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getReason()).isEqualTo("PodUnschedulable");
                        assertThat(e.getMessage()).contains(old.getMetadata().getName(), "unschedulable");
                    });
                    Writer.Outage outage = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                            .until(() -> writer.outages().stream().filter(o -> o.endedNanos() > deleted).findFirst().orElse(null), o -> o != null);
                    writer.awaitAcknowledged(50, Duration.ofSeconds(60));
                    writer.stop();
                    Progress.say("cordoned: %s deleted, writes taken again after %d ms (%s), primary now %s; the pod waits: %s",
                            old.getMetadata().getName(), TimeUnit.NANOSECONDS.toMillis(outage.endedNanos() - deleted), outage,
                            primary(cluster, ns.name()).getMetadata().getName(), Cluster.condition(said, "Degraded").getMessage());
                }
                assertThat(primary(cluster, ns.name()).getMetadata().getName()).as("the replica serves").isNotEqualTo(old.getMetadata().getName());
                assertThat(cluster.pods(ns.name(), NAME)).filteredOn(p -> p.getMetadata().getName().equals(old.getMetadata().getName()))
                        .singleElement().satisfies(p -> assertThat(p.getSpec().getNodeName()).as("still waiting").isNull());
                try (RedisClient client = Cluster.redis(primary); var c = client.connect()) {
                    List<String> lost = new ArrayList<>();
                    replicated.forEach((k, v) -> {
                        if (!v.equals(c.sync().get(k))) {
                            lost.add(k);
                        }
                    });
                    assertThat(lost).as("of %d writes acknowledged by WAIT 1 before", replicated.size()).isEmpty();
                }
            } finally {
                cordon(cluster, false);
            }
            cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            assertThat(Cluster.condition(cluster.get(ns.name(), NAME), "Degraded").getStatus()).isEqualTo("False");
        }
    }

    private static Pod primary(Cluster cluster, String namespace) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> cluster.pods(namespace, NAME).stream()
                .filter(p -> "primary".equals(Cluster.labels(p).get("percore.io/replication-role"))).findFirst().orElse(null), p -> p != null);
    }

    private static void cordon(Cluster cluster, boolean on) {
        Cluster.setUnschedulable(cluster.client(), on);
    }
}
