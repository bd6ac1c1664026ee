package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.percore.operator.sizing.TestNodes;
import org.junit.jupiter.api.Test;

/** Which node updates reconcile: sizing facts and readiness yes, heartbeats and foreign annotations no. */
class NodeChangeFilterTest {

    private final Node base = TestNodes.node("n").cpu("8").build();

    @Test
    void heartbeatsAndForeignAnnotationsDoNotReplan() {
        Node heartbeat = new NodeBuilder(base).editStatus().addNewCondition().withType("Ready").withStatus("True")
                .withLastHeartbeatTime("2026-01-01T00:00:00Z").endCondition().endStatus().build();
        assertThat(PercoreServiceReconciler.relevantNodeChange(heartbeat, base)).isFalse();
        Node annotated = new NodeBuilder(base).editMetadata().addToAnnotations("flannel.alpha.coreos.com/public-ip", "10.0.0.1").endMetadata().build();
        assertThat(PercoreServiceReconciler.relevantNodeChange(annotated, base)).isFalse();
    }

    @Test
    void aNodeTurningNotReadyOrReadyAgainReconciles() {
        Node ready = new NodeBuilder(base).editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        Node notReady = new NodeBuilder(base).editStatus().addNewCondition().withType("Ready").withStatus("Unknown").endCondition().endStatus().build();
        assertThat(PercoreServiceReconciler.relevantNodeChange(notReady, ready)).isTrue();
        assertThat(PercoreServiceReconciler.relevantNodeChange(ready, notReady)).isTrue();
    }

    @Test
    void sizingFactsReplan() {
        assertThat(PercoreServiceReconciler.relevantNodeChange(new NodeBuilder(base).editStatus()
                .addToAllocatable("cpu", new Quantity("6")).endStatus().build(), base)).isTrue();
        assertThat(PercoreServiceReconciler.relevantNodeChange(new NodeBuilder(base).editMetadata()
                .addToAnnotations("percore.io/numa-nodes", "2").endMetadata().build(), base)).isTrue();
        assertThat(PercoreServiceReconciler.relevantNodeChange(new NodeBuilder(base).editSpec()
                .withUnschedulable(true).endSpec().build(), base)).isTrue();
        assertThat(PercoreServiceReconciler.relevantNodeChange(new NodeBuilder(base).editMetadata()
                .addToLabels("pool", "x").endMetadata().build(), base)).isTrue();
    }
}
