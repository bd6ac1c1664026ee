package io.percore.operator.reconcile;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The service's pods the scheduler cannot place, in the scheduler's words: what the plan could not foresee
 * (room taken between the plan and the pod, a cordoned node, a volume claim no volume can bind, a rule of the
 * scheduler the planner does not model). Reported as {@code Degraded=True, reason PodUnschedulable} and a Warning
 * event, until the pods are placed.
 */
final class PodsUnschedulable {

    static final String REASON = "PodUnschedulable";

    /** One pod and the message of its {@code PodScheduled=False} condition. */
    record Pending(String pod, String message) {
    }

    private PodsUnschedulable() {
    }

    /** "pod kv-1 cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu." (several pods joined by "; "). */
    static String message(List<Pending> pending) {
        return pending.stream().map(p -> "pod " + p.pod() + " cannot be scheduled: " + p.message()).collect(Collectors.joining("; "));
    }
}
