package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.ServicePort;
import io.percore.operator.sizing.SizingRequest;
import io.percore.operator.sizing.SizingRequests;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replicated spec's rules, sizing and the refusal to overwrite independent data. */
class ReplicationSpecsTest {

    private static PercoreService replicated(int replicas) {
        PercoreService s = TestResources.service("kv", 4);
        s.getSpec().setReplication(new Replication(replicas));
        return s;
    }

    @Test
    void aValidSpecHasNoProblemsAndDefaultsFailoverAfterTo10s() {
        PercoreService s = replicated(2);
        assertThat(ReplicationSpecs.specProblems(s.getSpec())).isEmpty();
        assertThat(s.getSpec().getReplication().failoverAfterOrDefault()).isEqualTo(Duration.ofSeconds(10));
        s.getSpec().getReplication().setFailoverAfter("1500ms");
        assertThat(s.getSpec().getReplication().failoverAfterOrDefault()).isEqualTo(Duration.ofMillis(1500));
        s.getSpec().getReplication().setFailoverAfter("2m");
        assertThat(s.getSpec().getReplication().failoverAfterOrDefault()).isEqualTo(Duration.ofMinutes(2));
        assertThat(ReplicationSpecs.specProblems(TestResources.service("kv", 4).getSpec())).as("no replication").isEmpty();
    }

    @Test
    void badValuesAreNamed() {
        PercoreService s = replicated(0);
        s.getSpec().getReplication().setFailoverAfter("500ms");
        s.getSpec().setReplicas(2);
        s.getSpec().getReplication().setPortName("resp");
        assertThat(String.join("\n", ReplicationSpecs.specProblems(s.getSpec())))
                .contains("spec.replication.replicas: 0 is not in 1..16")
                .contains("spec.replication.failoverAfter: 500ms is outside 1s..1h")
                .contains("spec.replicas: 2 primaries")
                .contains("spec.replication.portName: 'resp'");
        s.getSpec().getReplication().setFailoverAfter("61m");
        assertThat(ReplicationSpecs.specProblems(s.getSpec())).anyMatch(p -> p.contains("61m is outside"));
        s.getSpec().getReplication().setFailoverAfter("soon");
        assertThat(ReplicationSpecs.specProblems(s.getSpec())).anyMatch(p -> p.contains("'soon' is not a duration"));
        PercoreService noPorts = replicated(1);
        noPorts.getSpec().setPorts(List.of());
        assertThat(ReplicationSpecs.specProblems(noPorts.getSpec())).anyMatch(p -> p.contains("needs the RESP port"));
    }

    @Test
    void everyPodOfTheGroupIsSizedToHoldEveryShard() {
        PercoreService s = replicated(2);
        SizingRequest r = ReplicationSpecs.sizing(s.getSpec(), SizingRequests.fromSpec(s.getSpec()));
        assertThat(r.replicas()).isEqualTo(3);
        assertThat(r.shardsPerPod()).isEqualTo(4);
        assertThat(r.totalShards()).isNull();
    }

    @Test
    void theRespPortIsTheNamedOneOrTheFirst() {
        PercoreService s = replicated(1);
        s.getSpec().setPorts(List.of(new ServicePort("http", 8080), new ServicePort("redis", 6379)));
        assertThat(s.getSpec().respPort().getName()).isEqualTo("http");
        s.getSpec().getReplication().setPortName("redis");
        assertThat(s.getSpec().respPort().getPort()).isEqualTo(6379);
    }

    @Test
    void replicationIsRefusedOnAPersistentStatefulSetOfSeveralIndependentPods() {
        PercoreService s = replicated(2);
        StatefulSet independent = new StatefulSetBuilder().withNewSpec().withReplicas(3).addNewVolumeClaimTemplate().withNewMetadata()
                .withName("data").endMetadata().endVolumeClaimTemplate().withNewTemplate().withNewMetadata().endMetadata().endTemplate()
                .endSpec().build();
        assertThat(ReplicationSpecs.enableRefusal(s, independent)).contains("runs 3 independent pods")
                .contains("kubectl -n test scale statefulset kv --replicas=1");
        independent.getSpec().setReplicas(1);
        assertThat(ReplicationSpecs.enableRefusal(s, independent)).as("one pod: it becomes the primary").isNull();
        independent.getSpec().setReplicas(3);
        independent.getSpec().getTemplate().getMetadata().setLabels(java.util.Map.of(Replication.REPLICATED_LABEL, "true"));
        assertThat(ReplicationSpecs.enableRefusal(s, independent)).as("already replicated").isNull();
        assertThat(ReplicationSpecs.enableRefusal(s, null)).isNull();
    }
}
