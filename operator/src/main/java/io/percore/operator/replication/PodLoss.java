package io.percore.operator.replication;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What Kubernetes already knows about a pod's process being gone, read from the pod's and its node's status: the
 * kubelet reports a container's exit within a second, where the readiness probe needs its failure threshold and the
 * operator's {@code failoverAfter} a whole window. A process that only stopped answering (hung, partitioned) is not
 * known lost here: that stays {@code failoverAfter}'s to judge.
 */
public final class PodLoss {

    /** How every reason about the service's container begins (terminated, waiting to restart, restarted). */
    static final String CONTAINER = "its container ";
    /** How a restart's reason begins: the process was replaced, and the new one may answer (with what its files held). */
    public static final String RESTARTED = CONTAINER + "restarted";
    /** How the operator's own reason begins for a Ready pod whose port refuses: its process exited, the kubelet not yet saying so. */
    public static final String REFUSING = "refusing connections on ";

    /** A restart this long before the pod went unready is the cause of it (the two times are truncated to the second). */
    static final Duration RESTART_BEFORE_UNREADY = Duration.ofSeconds(5);

    private PodLoss() {
    }

    /**
     * @param pod       the pod as the API server has it
     * @param node      its node (null: not scheduled, or not known to the operator)
     * @param container the service's container
     * @return why the pod's process is known gone, or null when nothing says so
     */
    /** As {@link #reason(Pod, Node, String)}, its node looked up by name in {@code nodes} (the operator's node informer's). */
    public static String reasonAmong(Pod pod, java.util.Map<String, Node> nodes, String container) {
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return reason(pod, nodeName == null ? null : nodes.get(nodeName), container);
    }

    /**
     * Whether a pod lost for {@code reason} keeps its files on a node that runs it: only its process is gone (terminated,
     * waiting to restart, restarted, its port refusing), and the kubelet starts the container again in the same pod, with
     * what its files hold. Not a pod on a NotReady node, which may not come back at all.
     */
    public static boolean onlyItsProcess(String reason) {
        return reason != null && (reason.startsWith(CONTAINER) || reason.startsWith(REFUSING));
    }

    /** Whether the pod's {@code container} runs now (its process may answer even while the pod is not ready). */
    public static boolean running(Pod pod, String container) {
        ContainerStatus c = status(pod, container);
        return c != null && c.getState() != null && c.getState().getRunning() != null;
    }

    private static ContainerStatus status(Pod pod, String container) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst().orElse(null);
    }

    public static String reason(Pod pod, Node node, String container) {
        if (node != null && !nodeReady(node)) {
            return "its node " + node.getMetadata().getName() + " is NotReady";
        }
        ContainerStatus c = status(pod, container);
        if (c == null || c.getState() == null) {
            return null;
        }
        if (c.getState().getTerminated() != null) {
            var t = c.getState().getTerminated();
            return CONTAINER + "terminated (" + describe(t.getReason(), t.getExitCode()) + ")";
        }
        var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
        if (c.getState().getWaiting() != null && last != null) {
            return CONTAINER + "is waiting to restart (" + c.getState().getWaiting().getReason() + ") after it terminated ("
                    + describe(last.getReason(), last.getExitCode()) + ")";
        }
        if (c.getState().getRunning() != null && last != null && !Boolean.TRUE.equals(c.getReady())) {
            // restarted and not ready again: a new process, which lost what the old one held in memory and its role
            Instant finished = parse(last.getFinishedAt());
            Instant unready = unreadySince(pod);
            Instant elected = labelledPrimaryAt(pod);
            if (elected != null && finished != null && elected.isAfter(finished)) {
                return null; // made primary after its restart: the operator's choice, ready at the kubelet's next probe
            }
            if (finished != null && (unready == null || !finished.isBefore(unready.minus(RESTART_BEFORE_UNREADY)))) {
                return RESTARTED + " (restart " + c.getRestartCount() + ", it terminated " + describe(last.getReason(), last.getExitCode())
                        + " at " + last.getFinishedAt() + ")";
            }
        }
        return null;
    }

    /**
     * When the operator made the pod primary ({@link io.percore.operator.crd.Replication#PRIMARY_SINCE_ANNOTATION}, written
     * with the primary label), or null: not labelled primary, not written (an older operator), or a value it did not write.
     */
    public static Instant labelledPrimaryAt(Pod pod) {
        if (pod.getMetadata() == null || pod.getMetadata().getLabels() == null || !io.percore.operator.crd.Replication.PRIMARY
                .equals(pod.getMetadata().getLabels().get(io.percore.operator.crd.Replication.ROLE_LABEL))) {
            return null;
        }
        var annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : parse(annotations.get(io.percore.operator.crd.Replication.PRIMARY_SINCE_ANNOTATION));
    }

    /** The node's Ready condition is True, or it has none (nothing says otherwise). */
    public static boolean nodeReady(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return true;
        }
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .allMatch(c -> "True".equals(c.getStatus()));
    }

    /**
     * When the pod's Ready condition turned False, no earlier than it did (the API truncates it to the second: plus one),
     * or null while it is Ready or says nothing.
     */
    public static Instant unreadyAt(Pod pod) {
        Instant since = pod.getStatus() == null ? null : unreadySince(pod);
        return since == null ? null : since.plusSeconds(1);
    }

    private static Instant unreadySince(Pod pod) {
        if (pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus()))
                .map(c -> parse(c.getLastTransitionTime())).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private static String describe(String reason, Integer exitCode) {
        return (reason == null ? "" : reason + ", ") + "exit code " + exitCode;
    }

    private static Instant parse(String time) {
        if (time == null) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
