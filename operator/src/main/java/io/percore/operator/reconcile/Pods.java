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
