package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link Pods#starting}: which pods that do not answer the failover waits for, as they come back with their files. The
 * kubelet's states as it reports them while it restarts a killed container in its pod.
 */
class PodsStartingTest {

    private static final Instant NOW = Instant.parse("2026-12-04T19:37:20Z");

    private static Pod pod(ContainerState state, ContainerState last, boolean ready) {
        return new PodBuilder().withNewMetadata().withName("kv-2").withCreationTimestamp("2026-12-04T19:30:00Z").endMetadata()
                .withNewStatus()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .addNewContainerStatus().withName("app").withState(state).withLastState(last).endContainerStatus()
                .endStatus().build();
    }

    private static ContainerState terminated(String finishedAt) {
        return new ContainerStateBuilder().withNewTerminated().withReason("Error").withExitCode(137).withFinishedAt(finishedAt)
                .endTerminated().build();
    }

    private static ContainerState waiting(String reason) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).endWaiting().build();
    }

    private static ContainerState running(String startedAt) {
        return new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt).endRunning().build();
    }

    @Test
    void aContainerKilledMomentsAgoIsStartingWhateverTheKubeletReportsMeanwhile() {
        // the real node, 2026-12-04: killed at 19:37:04, reported terminated until its new process ran (started 19:37:16)
        assertThat(Pods.starting(pod(terminated("2026-12-04T19:37:04Z"), null, false), NOW)).as("terminated").isTrue();
        assertThat(Pods.starting(pod(waiting("CrashLoopBackOff"), terminated("2026-12-04T19:37:04Z"), false), NOW))
                .as("the kubelet's back-off before the restart").isTrue();
        assertThat(Pods.starting(pod(waiting("ContainerCreating"), terminated("2026-12-04T19:37:04Z"), false), NOW))
                .as("its new container being created").isTrue();
        assertThat(Pods.starting(pod(running("2026-12-04T19:37:16Z"), terminated("2026-12-04T19:37:04Z"), false), NOW))
                .as("its new process loading its files").isTrue();
    }

    @Test
    void notAContainerEndedLongAgoNorOneRunningLongNorAReadyPod() {
        String old = NOW.minus(Pods.STARTING_GRACE).minusSeconds(1).toString();
        assertThat(Pods.starting(pod(terminated(old), null, false), NOW)).as("terminated past the grace").isFalse();
        assertThat(Pods.starting(pod(waiting("CrashLoopBackOff"), terminated(old), false), NOW))
                .as("a crash loop whose back-off has grown past the grace").isFalse();
        assertThat(Pods.starting(pod(running(old), null, false), NOW)).as("running long and silent (frozen, cut off)").isFalse();
        assertThat(Pods.starting(pod(running("2026-12-04T19:37:16Z"), null, true), NOW)).as("Ready").isFalse();
    }

    @Test
    void aReadyPodWhosePortRefusesComesBackNotAnUnreadyOneCrashingInALoop() {
        String old = NOW.minus(Pods.STARTING_GRACE).minusSeconds(1).toString();
        assertThat(Pods.comesBack(pod(running(old), null, true), true, NOW)).as("Ready, its process exited moments ago").isTrue();
        assertThat(Pods.comesBack(pod(waiting("CrashLoopBackOff"), terminated(old), false), true, NOW))
                .as("refusing through a long back-off: not waited for past the grace").isFalse();
        assertThat(Pods.comesBack(pod(terminated("2026-12-04T19:37:04Z"), null, false), false, NOW)).as("starting").isTrue();
    }
}
