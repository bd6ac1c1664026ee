package io.percore.operator.reconcile;

import io.percore.operator.sizing.SizingPlan;

/**
 * How the workload is about to be rendered, as the scenarios may still change it before it is written: the pods it runs
 * (a cluster keeps a pod that still owns slots beyond the plan) and how they authenticate ({@link PodAccess}).
 */
final class WorkloadShape {

    private final SizingPlan plan;
    private SizingPlan rendered;
    private PodAccess access = PodAccess.LEGACY;

    WorkloadShape(SizingPlan plan) {
        this.plan = plan;
        this.rendered = plan;
    }

    /** Keeps {@code pods} pods running when the plan has fewer. */
    void keepPods(int pods) {
        if (pods > rendered.replicas()) {
            rendered = plan.withReplicas(pods);
        }
    }

    void access(PodAccess access) {
        this.access = access;
    }

    SizingPlan rendered() {
        return rendered;
    }

    PodAccess access() {
        return access;
    }
}
