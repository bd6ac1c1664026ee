package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.cluster.RedisClusterClient;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PercoreService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 74's cold start in cluster mode on real pods: {@code cluster-replicated.yaml} (two primaries with a replica each)
 * with its append-only files on claims, every pod deleted at once under {@code SET} + {@code WAIT 1} writes, as a node
 * reboot or {@code kubectl delete pods -l ...} does. Each pod comes back from its files with its node id and the layout
 * it last held, none of them Ready; the operator must bring every slot back to a primary with its replica linked (the
 * service Ready again), and every write a replica acknowledged before the deletion must be there.
 */
@ExtendWith(RealNodeExtension.class)
@Order(6)
class ClusterColdStartIT {

    static final String NAME = "kv-cluster-cold";
    /** From the deletion until every slot is served and every pod Ready: four JVMs start on two loaded CPUs. */
    static final Duration WHOLE_WITHIN = Duration.ofMinutes(4);

    @Test
    void everyPodDeletedAtOnceComesBackWholeWithEveryAcknowledgedWrite(Cluster cluster) throws Exception {
        try (var ns = cluster.namespace("e2e-cluster-cold")) {
            cluster.volumes().add(4);
            PercoreService s = persistent(Cluster.example("cluster-replicated.yaml"));
            s.getMetadata().setName(NAME);
            cluster.create(ns.name(), s);
            Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            ClusterIT.awaitLayout(cluster, ns.name(), NAME, 2);
            awaitGroupsLinked(cluster, ns.name());
            Map<String, String> ids = nodeIds(cluster, ns.name());
            long epoch = cluster.get(ns.name(), NAME).getStatus().getCluster().getConfigEpoch();
            String password = cluster.password(ns.name(), NAME + "-auth");
            Progress.say("cluster cold start: %s Ready in %d s, node ids %s", NAME, ready.toSeconds(), ids);

            Map<String, String> acknowledged;
            Duration whole;
            try (Writer writer = Writer.onCluster(cluster.serviceUri(ns.name(), NAME, "redis", password), "cold", 200)) {
                writer.awaitAcknowledged(300, Duration.ofMinutes(2));
                Instant deletedAt = Instant.now();
                List<String> before = ids.keySet().stream().map(p -> uid(cluster, ns.name(), p)).toList();
                cluster.client().pods().inNamespace(ns.name()).withLabel("app.kubernetes.io/instance", NAME).delete();
                // the deleted pods gone (new uids), then the layout whole and every pod Ready
                await().atMost(Duration.ofMinutes(3)).until(() -> cluster.pods(ns.name(), NAME).stream()
                        .noneMatch(p -> before.contains(p.getMetadata().getUid()) || p.getMetadata().getDeletionTimestamp() != null));
                ClusterIT.awaitLayout(cluster, ns.name(), NAME, 2);
                cluster.awaitReady(ns.name(), NAME, WHOLE_WITHIN);
                awaitGroupsLinked(cluster, ns.name());
                whole = Duration.between(deletedAt, Instant.now());
                writer.awaitAcknowledged(100, Duration.ofMinutes(2));
                acknowledged = writer.stop();
                Progress.say("cluster cold start: every pod deleted; whole again (every slot served, each replica linked, Ready) after "
                        + "%.1f s; writes acknowledged %d, outages %s", whole.toMillis() / 1000.0, acknowledged.size(), writer.outages());
            }
            Map<String, String> after = nodeIds(cluster, ns.name());
            assertThat(after).as("each pod back from its files with its node id").isEqualTo(ids);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                PercoreService back = cluster.get(ns.name(), NAME);
                assertThat(Cluster.is(back, "Clustered", "True")).as("Clustered: %s", Cluster.condition(back, "Clustered")).isTrue();
                assertThat(back.getStatus().getCluster().getConfigEpoch()).as("the layout's epoch, never lowered by the restart")
                        .isGreaterThanOrEqualTo(epoch);
            });
            RedisClusterClient client = Writer.clusterClient(cluster.serviceUri(ns.name(), NAME, "redis", password));
            try (var connection = client.connect()) {
                assertThat(Writer.lost(acknowledged, connection.async()::get)).as("of %d writes acknowledged by WAIT 1", acknowledged.size())
                        .isEmpty();
            } finally {
                client.shutdown();
            }
        }
    }

    /** The service with its append-only files on claims, every write on the disk before it is answered (as replicated.yaml). */
    static PercoreService persistent(PercoreService s) {
        s.getSpec().setPersistence(new Persistence("aof", "1Gi"));
        Map<String, String> env = new HashMap<>(s.getSpec().getEnv() == null ? Map.of() : s.getSpec().getEnv());
        env.put("PERCORE_DEMO_PERSISTENCE_APPENDFSYNC", "always");
        s.getSpec().setEnv(env);
        return s;
    }

    private static String uid(Cluster cluster, String namespace, String pod) {
        Pod p = cluster.client().pods().inNamespace(namespace).withName(pod).get();
        return p == null ? "" : p.getMetadata().getUid();
    }

    /** Each pod's cluster node id, as the operator's status names it. */
    private static Map<String, String> nodeIds(Cluster cluster, String namespace) {
        Map<String, String> ids = new java.util.TreeMap<>();
        for (ClusterStatus.PodSlots p : cluster.get(namespace, NAME).getStatus().getCluster().getPods()) {
            ids.put(p.getPod(), p.getNodeId());
        }
        return ids;
    }

    /** Two groups, each a primary with its replica following it, by the operator's status. */
    private static void awaitGroupsLinked(Cluster cluster, String namespace) {
        await().atMost(PlanToPodsIT.READY_WITHIN).ignoreExceptions().untilAsserted(() -> {
            List<ClusterStatus.PodSlots> pods = cluster.get(namespace, NAME).getStatus().getCluster().getPods();
            assertThat(pods).hasSize(4);
            assertThat(pods.stream().filter(p -> p.getSlotCount() != null && p.getSlotCount() > 0)).hasSize(2)
                    .allSatisfy(p -> assertThat(p.getReplicas()).hasSize(1));
            assertThat(pods.stream().filter(p -> p.getReplicaOf() != null)).hasSize(2);
        });
    }
}
