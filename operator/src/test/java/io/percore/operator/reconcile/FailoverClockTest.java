package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.percore.operator.crd.Replication;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The failover clock starts when Kubernetes marked the primary's pod unready (its Ready condition's transition, which
 * the API truncates to the second: plus one second), not when the operator first looked, a second or two later; never
 * later than now, and not at all for a pod that is Ready, not the labelled primary, or unready since before it was made primary.
 */
class FailoverClockTest {

    private static Pod pod(String name, boolean primary, String ready, String since) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).endMetadata();
        if (primary) {
            b.editMetadata().addToLabels(Replication.ROLE_LABEL, Replication.PRIMARY).endMetadata();
        }
        return b.withNewStatus().addNewCondition().withType("Ready").withStatus(ready).withLastTransitionTime(since).endCondition()
                .endStatus().build();
    }

    @Test
    void theClockStartsASecondAfterThePrimaryPodsReadyConditionTurnedFalse() {
        Instant now = Instant.parse("2026-11-25T20:12:12.400Z");
        assertThat(ReplicationDriver.unreadySince(List.of(pod("kv-0", false, "True", "2026-11-25T20:00:00Z"),
                pod("kv-1", true, "False", "2026-11-25T20:12:10Z")), now)).isEqualTo(Instant.parse("2026-11-25T20:12:11Z"));
    }

    /**
     * A pod elected while unready (a cold start: every pod back at once, none Ready until one is primary) has been unready
     * since it started: no readiness clock until the kubelet has seen it since its election (its probes, seconds later
     * under load); the operator's own probe judges it meanwhile. Counted from its start, the next look failed it over while
     * it served (six promotions in five seconds on the real node, and acknowledged writes lost in one).
     */
    @Test
    void notForAPodUnreadySinceBeforeItWasMadePrimary() {
        Instant now = Instant.parse("2026-11-28T17:09:52.500Z");
        Pod elected = pod("kv-1", true, "False", "2026-11-28T17:09:29Z");
        elected.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Replication.PRIMARY_SINCE_ANNOTATION,
                "2026-11-28T17:09:51.200Z")));
        assertThat(ReplicationDriver.unreadySince(List.of(elected), now)).isNull();
        // made primary before it turned unready: the readiness transition, as without the annotation
        elected.getMetadata().getAnnotations().put(Replication.PRIMARY_SINCE_ANNOTATION, "2026-11-28T17:00:00Z");
        assertThat(ReplicationDriver.unreadySince(List.of(elected), now)).isEqualTo(Instant.parse("2026-11-28T17:09:30Z"));
        // a value the operator did not write: ignored
        elected.getMetadata().getAnnotations().put(Replication.PRIMARY_SINCE_ANNOTATION, "yesterday");
        assertThat(ReplicationDriver.unreadySince(List.of(elected), now)).isEqualTo(Instant.parse("2026-11-28T17:09:30Z"));
    }

    @Test
    void neverLaterThanNowAndNotForAReadyOrUnlabelledPod() {
        Instant now = Instant.parse("2026-11-25T20:12:10.300Z");
        assertThat(ReplicationDriver.unreadySince(List.of(pod("kv-1", true, "False", "2026-11-25T20:12:10Z")), now)).isEqualTo(now);
        assertThat(ReplicationDriver.unreadySince(List.of(pod("kv-1", true, "True", "2026-11-25T20:12:10Z")), now)).isNull();
        assertThat(ReplicationDriver.unreadySince(List.of(pod("kv-0", false, "False", "2026-11-25T20:12:10Z")), now)).isNull();
        assertThat(ReplicationDriver.unreadySince(List.of(pod("kv-1", true, "False", null)), now)).isNull();
    }
}
