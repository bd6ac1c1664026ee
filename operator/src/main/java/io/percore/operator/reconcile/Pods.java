package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * What every scenario reads of the service's pods and workload the same way: a pod's ordinal and readiness, the revision
 * it runs, what a live template sets. Here rather than in one scenario's class, so that no scenario reads another's.
 */
final class Pods {

    /** The Kubernetes StatefulSet controller's pod label naming the revision a pod runs. */
    static final String REVISION_LABEL = "controller-revision-hash";

    private Pods() {
    }

    /** kv-3 of StatefulSet kv → 3; null for a pod that is not one of its ordinals. */
    static Integer ordinal(String statefulSet, String pod) {
        String prefix = statefulSet + "-";
        if (!pod.startsWith(prefix)) {
            return null;
        }
        try {
            return Integer.parseInt(pod.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * How long after its container started a pod that has not answered yet counts as starting: a JVM on a loaded node and
     * its files loaded (17 s on the real node with 16,000 commands), with room; past it, a pod that never answers is not
     * waited for.
     */
    static final java.time.Duration STARTING_GRACE = java.time.Duration.ofMinutes(2);

    /**
     * Whether the pod's container is being created, started less than {@link #STARTING_GRACE} ago, or ended less than that
     * ago (terminated, or waiting to start again: the kubelet restarts it in the same pod, and reports it terminated until
     * the new process runs, seconds later on a loaded node), and the pod is not Ready nor being deleted: it will answer
     * soon, with what its files hold. Not one running for long and silent (frozen, cut off), nor a container ended long
     * ago: a container crashing in a loop counts only while its ends come within the grace of each other, and the
     * kubelet's back-off (10 s doubling to 5 minutes) soon spaces them wider.
     */
    static boolean starting(Pod pod, java.time.Instant now) {
        if (pod.getMetadata().getDeletionTimestamp() != null || ready(pod) || pod.getStatus() == null) {
            return false;
        }
        var statuses = pod.getStatus().getContainerStatuses();
        if (statuses == null || statuses.isEmpty()) {
            return within(pod.getMetadata().getCreationTimestamp(), now); // scheduled, its containers not created yet
        }
        var state = statuses.get(0).getState();
        if (state == null) {
            return false;
        }
        if (state.getRunning() != null) {
            return within(state.getRunning().getStartedAt(), now);
        }
        if (state.getTerminated() != null) {
            return within(state.getTerminated().getFinishedAt(), now);
        }
        var last = statuses.get(0).getLastState() == null ? null : statuses.get(0).getLastState().getTerminated();
        if (state.getWaiting() != null && last != null) {
            return within(last.getFinishedAt(), now); // a restart on its way (ContainerCreating, CrashLoopBackOff's wait)
        }
        if (state.getWaiting() != null) {
            String reason = state.getWaiting().getReason();
            return ("ContainerCreating".equals(reason) || "PodInitializing".equals(reason))
                    && within(pod.getMetadata().getCreationTimestamp(), now);
        }
        return false;
    }

    /**
     * Whether a pod that did not answer comes back soon with its files: {@link #starting}, or Ready while its port refuses
     * (its process exited moments ago, the kubelet has not seen it yet). Not a port refusing on an unready pod: a container
     * crashing in a loop refuses through every back-off, and {@link #starting} alone bounds how long it is waited for.
     */
    static boolean comesBack(Pod pod, boolean portRefused, java.time.Instant now) {
        return starting(pod, now) || portRefused && ready(pod);
    }

    private static boolean within(String timestamp, java.time.Instant now) {
        if (timestamp == null) {
            return false;
        }
        try {
            return java.time.Instant.parse(timestamp).plus(STARTING_GRACE).isAfter(now);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Whether a live pod template's container has the environment variable {@code name}. */
    static boolean templateHas(PodTemplateSpec template, String name) {
        return template != null && template.getSpec() != null && template.getSpec().getContainers() != null
                && template.getSpec().getContainers().stream().anyMatch(c -> c.getEnv() != null
                        && c.getEnv().stream().anyMatch(e -> name.equals(e.getName())));
    }

    /** A live StatefulSet's replicas; the API server defaults an unset count to 1. */
    static int replicasOf(StatefulSet statefulSet) {
        return statefulSet.getSpec() == null || statefulSet.getSpec().getReplicas() == null ? 1 : statefulSet.getSpec().getReplicas();
    }
}
