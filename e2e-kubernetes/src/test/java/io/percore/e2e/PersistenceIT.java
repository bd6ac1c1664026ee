package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A persistent service ({@code spec.persistence.mode: aof}, {@code appendfsync always}) on a volume claim: a write the
 * service acknowledged survives its container being SIGKILLed mid-stream, and every pod being deleted.
 */
@ExtendWith(RealNodeExtension.class)
@Order(4)
class PersistenceIT {

    @Test
    void noAcknowledgedWriteIsLostWhenTheContainerIsKilledOrEveryPodDeleted(Cluster cluster) throws Exception {
        try (var ns = cluster.namespace("e2e-aof")) {
            cluster.volumes().add(1);
            PercoreService s = Cluster.example("small.yaml");
            s.getMetadata().setName("kv-aof");
            Persistence persistence = new Persistence();
            persistence.setMode("aof");
            persistence.setSize("1Gi");
            s.getSpec().setPersistence(persistence);
            s.getSpec().setEnv(Map.of("PERCORE_DEMO_PERSISTENCE_APPENDFSYNC", "always"));
            cluster.create(ns.name(), s);
            cluster.awaitReady(ns.name(), "kv-aof", PlanToPodsIT.READY_WITHIN);
            RedisURI uri = cluster.serviceUri(ns.name(), "kv-aof", "redis", cluster.password(ns.name(), "kv-aof-auth"));

            List<String> said = new ArrayList<>();
            try (Writer writer = new Writer(uri, "w", false)) {
                writer.awaitAcknowledged(300, Duration.ofSeconds(60));
                Pod pod = cluster.pods(ns.name(), "kv-aof").get(0);
                int restarts = pod.getStatus().getContainerStatuses().get(0).getRestartCount();
                cluster.node().killContainer(pod);
                // the kubelet restarts the container in the same pod, which replays its log from the claim
                org.awaitility.Awaitility.await().atMost(PlanToPodsIT.READY_WITHIN).until(() -> cluster.pods(ns.name(), "kv-aof").get(0)
                        .getStatus().getContainerStatuses().get(0).getRestartCount() > restarts);
                writer.awaitAcknowledged(300, PlanToPodsIT.READY_WITHIN);
                said.add("after SIGKILL: " + writer.acknowledged().size() + " acknowledged, outages " + writer.outages());

                String uid = cluster.pods(ns.name(), "kv-aof").get(0).getMetadata().getUid();
                cluster.client().pods().inNamespace(ns.name()).withLabel("app.kubernetes.io/instance", "kv-aof").delete();
                org.awaitility.Awaitility.await().atMost(PlanToPodsIT.READY_WITHIN).until(() -> cluster.pods(ns.name(), "kv-aof").stream()
                        .anyMatch(p -> !p.getMetadata().getUid().equals(uid)));
                writer.awaitAcknowledged(300, PlanToPodsIT.READY_WITHIN);
                Map<String, String> acknowledged = writer.stop();
                said.add("after deleting every pod: " + acknowledged.size() + " acknowledged, outages " + writer.outages());
                assertThat(writer.outages()).as("the kill and the deletion each refused writes for a while").hasSizeGreaterThanOrEqualTo(2);

                try (RedisClient client = Cluster.redis(uri); var c = client.connect()) {
                    List<String> lost = acknowledged.entrySet().stream().filter(e -> !e.getValue().equals(c.sync().get(e.getKey())))
                            .map(Map.Entry::getKey).sorted().toList();
                    assertThat(lost).as("acknowledged writes missing or changed (%s)", said).isEmpty();
                }
            }
            Progress.say("persistence: %s", String.join("; ", said));
        }
    }
}
