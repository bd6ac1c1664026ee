package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** What the pod's and its node's status tell of a process gone, as the kubelet and the node controller write them. */
class PodLossTest {

    private static final String APP = "app";

    private static Pod pod(ContainerStatusBuilder container, String ready, String readySince) {
        return new PodBuilder().withNewMetadata().withName("kv-0").endMetadata().withNewSpec().withNodeName("n1").endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).withLastTransitionTime(readySince).endCondition()
                .addToContainerStatuses(container.withName(APP).build()).endStatus().build();
    }

    private static Node node(String ready) {
        return new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewStatus().addNewCondition().withType("Ready")
                .withStatus(ready).endCondition().endStatus().build();
    }

    @Test
    void aRunningReadyContainerOnAReadyNodeIsNotLost() {
        Pod running = pod(new ContainerStatusBuilder().withReady(true).withRestartCount(0).withNewState().withNewRunning()
                .withStartedAt("2026-01-01T00:00:00Z").endRunning().endState(), "True", "2026-01-01T00:00:05Z");
        assertThat(PodLoss.reason(running, node("True"), APP)).isNull();
        assertThat(PodLoss.reason(running, null, APP)).isNull();
    }

    @Test
    void aTerminatedContainerIsLost() {
        Pod killed = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(0).withNewState().withNewTerminated()
                .withExitCode(137).withReason("Error").withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endState(), "False",
                "2026-01-01T00:01:00Z");
        assertThat(PodLoss.reason(killed, node("True"), APP)).isEqualTo("its container terminated (Error, exit code 137)");
    }

    @Test
    void aContainerWaitingToRestartAfterItsExitIsLost() {
        Pod backingOff = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(3).withNewState().withNewWaiting()
                .withReason("CrashLoopBackOff").endWaiting().endState().withNewLastState().withNewTerminated().withExitCode(1)
                .withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endLastState(), "False", "2026-01-01T00:01:00Z");
        assertThat(PodLoss.reason(backingOff, null, APP)).startsWith("its container is waiting to restart (CrashLoopBackOff)");
    }

    @Test
    void aContainerCreatedForTheFirstTimeIsNotLost() {
        Pod creating = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(0).withNewState().withNewWaiting()
                .withReason("ContainerCreating").endWaiting().endState(), "False", "2026-01-01T00:00:00Z");
        assertThat(PodLoss.reason(creating, node("True"), APP)).isNull();
    }

    /** The kubelet restarts a killed container within a second: before the operator looks it may be running again. */
    @Test
    void aContainerRestartedSinceItWentUnreadyIsLost() {
        Pod restarted = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(1).withNewState().withNewRunning()
                .withStartedAt("2026-01-01T00:01:01Z").endRunning().endState().withNewLastState().withNewTerminated().withExitCode(137)
                .withReason("Error").withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endLastState(), "False", "2026-01-01T00:01:00Z");
        assertThat(PodLoss.reason(restarted, node("True"), APP)).startsWith("its container restarted (restart 1");
        // ready again: the restarted process serves (as whatever role it now answers); nothing to act on here
        Pod readyAgain = pod(new ContainerStatusBuilder().withReady(true).withRestartCount(1).withNewState().withNewRunning()
                .withStartedAt("2026-01-01T00:01:01Z").endRunning().endState().withNewLastState().withNewTerminated().withExitCode(137)
                .withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endLastState(), "True", "2026-01-01T00:01:20Z");
        assertThat(PodLoss.reason(readyAgain, node("True"), APP)).isNull();
    }

    /**
     * A restarted container the operator made primary since (a cold start elects among restarted pods, none Ready until one
     * is primary) is its choice, not a loss: counted as one, the next look failed it over to a pod with less data before
     * the kubelet's next probe saw it ready (ReplicationPlannerPropertyTest, seed 843). Labelled before its restart, it is.
     */
    @Test
    void aRestartedContainerMadePrimarySinceIsNotLost() {
        Pod elected = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(1).withNewState().withNewRunning()
                .withStartedAt("2026-01-01T00:01:01Z").endRunning().endState().withNewLastState().withNewTerminated().withExitCode(137)
                .withReason("Error").withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endLastState(), "False", "2026-01-01T00:01:00Z");
        elected.getMetadata().setLabels(new java.util.HashMap<>(java.util.Map.of(io.percore.operator.crd.Replication.ROLE_LABEL,
                io.percore.operator.crd.Replication.PRIMARY)));
        elected.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(
                io.percore.operator.crd.Replication.PRIMARY_SINCE_ANNOTATION, "2026-01-01T00:01:09Z")));
        assertThat(PodLoss.reason(elected, node("True"), APP)).isNull();
        elected.getMetadata().getAnnotations().put(io.percore.operator.crd.Replication.PRIMARY_SINCE_ANNOTATION, "2026-01-01T00:00:30Z");
        assertThat(PodLoss.reason(elected, node("True"), APP)).startsWith("its container restarted (restart 1");
        // the annotation without the label (a fenced pod): a restart is a loss
        elected.getMetadata().getAnnotations().put(io.percore.operator.crd.Replication.PRIMARY_SINCE_ANNOTATION, "2026-01-01T00:01:09Z");
        elected.getMetadata().getLabels().clear();
        assertThat(PodLoss.reason(elected, node("True"), APP)).startsWith("its container restarted (restart 1");
    }

    /** Unready for another reason (hung: a probe failing) long after an old restart: only failoverAfter judges that. */
    @Test
    void anOldRestartDoesNotMakeALaterUnreadinessALoss() {
        Pod hung = pod(new ContainerStatusBuilder().withReady(false).withRestartCount(1).withNewState().withNewRunning()
                .withStartedAt("2026-01-01T00:01:01Z").endRunning().endState().withNewLastState().withNewTerminated().withExitCode(137)
                .withFinishedAt("2026-01-01T00:01:00Z").endTerminated().endLastState(), "False", "2026-01-01T03:00:00Z");
        assertThat(PodLoss.reason(hung, node("True"), APP)).isNull();
    }

    @Test
    void aNodeNotReadyOrUnknownLosesItsPodsEvenWhileTheyStillSayReady() {
        Pod running = pod(new ContainerStatusBuilder().withReady(true).withNewState().withNewRunning().endRunning().endState(), "True",
                "2026-01-01T00:00:05Z");
        assertThat(PodLoss.reason(running, node("Unknown"), APP)).isEqualTo("its node n1 is NotReady");
        assertThat(PodLoss.reason(running, node("False"), APP)).isEqualTo("its node n1 is NotReady");
    }
}
