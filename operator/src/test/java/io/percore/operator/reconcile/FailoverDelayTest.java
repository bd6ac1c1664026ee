package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How long a primary that may still run is given before a replica is promoted: never less than the time it takes to stop
 * taking writes by itself ({@code min-replicas-to-write}'s fence), or both take writes at once (issue 74's long campaign:
 * a primary cut off from the operator and its replicas, failed over after 3 s, took writes for 7.1 s more).
 */
class FailoverDelayTest {

    private static PercoreService service(int replicas, String failoverAfter, Map<String, String> env) {
        PercoreService s = TestResources.service("kv", 1);
        Replication r = new Replication(replicas);
        r.setFailoverAfter(failoverAfter);
        s.getSpec().setReplication(r);
        s.getSpec().setEnv(env);
        return s;
    }

    @Test
    void aPrimaryThatFencesItselfIsGivenItsFenceBeforeAReplicaIsPromoted() {
        // two replicas: the operator sets min-replicas-to-write 1, the primary stops taking writes 10 s after its last ack
        assertThat(ReplicationScenario.failoverDelay(service(2, "3s", null).getSpec())).isEqualTo(Duration.ofSeconds(11));
        assertThat(ReplicationScenario.failoverDelay(service(2, "30s", null).getSpec())).as("a longer failoverAfter stands")
                .isEqualTo(Duration.ofSeconds(30));
        // spec.env decides when it sets it
        assertThat(ReplicationScenario.failoverDelay(service(2, "3s", Map.of(Replication.MIN_REPLICAS_TO_WRITE_ENV, "0")).getSpec()))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(ReplicationScenario.failoverDelay(service(1, "3s", Map.of(Replication.MIN_REPLICAS_TO_WRITE_ENV, "1")).getSpec()))
                .isEqualTo(Duration.ofSeconds(11));
    }

    @Test
    void aMaxLagSetInTheEnvMovesTheFence() {
        // the service's min-replicas-max-lag from spec.env: its fence is that, and a second
        assertThat(ReplicationScenario.failoverDelay(service(2, "3s", Map.of(Replication.MIN_REPLICAS_MAX_LAG_ENV, "30")).getSpec()))
                .isEqualTo(Duration.ofSeconds(31));
        assertThat(ReplicationScenario.failoverDelay(service(2, "3s", Map.of(Replication.MIN_REPLICAS_MAX_LAG_ENV, " 1 ")).getSpec()))
                .as("a shorter lag: failoverAfter stands").isEqualTo(Duration.ofSeconds(3));
        assertThat(ReplicationScenario.failoverDelay(service(2, "3s", Map.of(Replication.MIN_REPLICAS_MAX_LAG_ENV, "soon")).getSpec()))
                .as("unreadable: the default's fence").isEqualTo(Duration.ofSeconds(11));
        assertThat(ReplicationScenario.failoverDelay(service(1, "3s", Map.of(Replication.MIN_REPLICAS_MAX_LAG_ENV, "30")).getSpec()))
                .as("no fence set: the lag does not matter").isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void withoutTheFenceFailoverAfterAlone() {
        // one replica: availability first, as the operator README says (a primary whose replica is gone keeps taking writes)
        assertThat(ReplicationScenario.failoverDelay(service(1, "3s", null).getSpec())).isEqualTo(Duration.ofSeconds(3));
        assertThat(ReplicationScenario.primaryFencesItself(service(1, "3s", null).getSpec())).isFalse();
        assertThat(ReplicationScenario.primaryFencesItself(service(2, "3s", Map.of(Replication.MIN_REPLICAS_TO_WRITE_ENV, "x")).getSpec()))
                .isFalse();
    }
}
