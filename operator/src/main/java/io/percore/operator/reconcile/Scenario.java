package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingRequest;
import java.time.Duration;
import java.util.List;

/**
 * One thing a PercoreService may ask for beyond pods of a planned size (replication, moving a Redis in, users, a cluster,
 * backups),
 * in one shape: what it adds to the spec's checks, the sizing and the pods' template, and in each reconcile what it sees of
 * the pods ({@link Run#observe}), what it does ({@link Run#act}) and what it reports ({@link Run#report}). {@link Scenarios}
 * lists them in the order a reconcile runs them; {@link ReconcilePass} names none of them, and none names another
 * (ArchitectureTest). The object is stateless: what a scenario learns in a reconcile is its {@link Run}'s, what it keeps
 * between reconciles is in {@link ScenarioContext#memory()}. The decisions stay in the pure planners (replication,
 * cluster, migration, users); a scenario is their glue.
 */
interface Scenario {

    /** Problems of the spec no schema rule catches: the reconcile ends with Planned=False, InvalidSpec, and touches nothing. */
    default List<String> specProblems(PercoreServiceSpec spec) {
        return List.of();
    }

    /** The sizing request as this scenario shapes it (replication: one pod per copy of the data); asked when its spec is valid. */
    default SizingRequest sizing(PercoreServiceSpec spec, SizingRequest request) {
        return request;
    }

    /** A second request once the plan of the first is known (a cluster's replicas: pods of the same shape per primary), else null. */
    default SizingRequest resized(PercoreServiceSpec spec, SizingRequest request, SizingPlan plan) {
        return null;
    }

    /** Why the spec may not be applied to what runs ({@code live}: the service's StatefulSet, null when none), else null. */
    default Refusal refusal(PercoreService s, StatefulSet live) {
        return null;
    }

    /** Whether its pods need stable names and rolls of the operator's: a StatefulSet even without persistence. */
    default boolean needsStatefulSet(PercoreServiceSpec spec) {
        return false;
    }

    /**
     * Whether a plan of fewer pods than run orphans no data because of it (replicas hold copies; a cluster moves the slots
     * off its pods first): the persistent service's scale-down guard then does not hold the pods.
     */
    default boolean keepsDataOnScaleDown(PercoreServiceSpec spec) {
        return false;
    }

    /** What it adds to the pods' template (environment, labels). Pure: the renderer asks it. */
    default void shapePods(PercoreService s, PodShape pod) {
    }

    /**
     * Copies its part of the status from the last one into the next (a reconcile that ends before the scenario acts, or
     * fails, shows what it showed).
     */
    default void carryStatus(PercoreServiceStatus previous, PercoreServiceStatus next) {
    }

    /** Whether it reports a missing password of the pods in its own condition (the pass then leaves it out of Degraded). */
    default boolean reportsPodPassword(PercoreServiceSpec spec) {
        return false;
    }

    /** The children it may have written besides the workload, deleted with the service. */
    default List<HasMetadata> children(PercoreService s) {
        return List.of();
    }

    /** The kinds of children it writes besides the workload that the operator watches (their changes reconcile at once). */
    default List<Class<? extends HasMetadata>> watchedChildren() {
        return List.of();
    }

    /** Annotations of the PercoreService whose change reconciles at once (the spec's do; metadata's does not by itself). */
    default java.util.Set<String> triggerAnnotations() {
        return java.util.Set.of();
    }

    /** What it forgets of a service being deleted. */
    default void forget(PercoreService s, ScenarioMemory memory) {
    }

    /** Whether it acts after the children are written (a cluster's layout goes to the pods the StatefulSet keeps) rather than before. */
    default boolean actsAfterChildren() {
        return false;
    }

    /** Its part of one reconcile, once the spec is valid and nothing refused it. */
    Run start(ScenarioContext context);

    /** Why a spec is not applied: the condition's reason and message. */
    record Refusal(String reason, String message) {
    }

    /**
     * One scenario in one reconcile. The pass calls, in the order of {@link Scenarios#ALL}: {@link #observe} then, unless the
     * scenario acts after the children, {@link #act}; the children ({@link #beforeWorkload}, the workload,
     * {@link #afterWorkload}); the remaining {@link #act}s; then {@link #report}. A reconcile that ends early (a child that
     * is not the operator's) calls no more of it. With no room for the plan, only {@link #unschedulable} is called.
     */
    interface Run {

        /** No node has room for the plan: what it still does with the pods that run (replication fails over among them). */
        default Duration unschedulable() {
            return null;
        }

        /** What it sees of the pods (and the Secrets it reads them with), before the children are written. */
        default void observe() {
        }

        /** What it does: its decision carried out, its status part and condition, its events. */
        default void act() {
        }

        /** The children written before the workload (which its pods read at start), and how the workload is rendered. */
        default void beforeWorkload(ChildApplier applier, WorkloadShape workload) {
        }

        /** The children written after the workload (its Services). */
        default void afterWorkload(ChildApplier applier) {
        }

        /** Its status part where it has not written it, and when to look again at the latest (null: at the next event). */
        default Duration report() {
            return null;
        }

        /**
         * Why the service is degraded by what it found, as {@code {reason, message}}, or null: asked after {@link #act} for a
         * scenario that acts before the children, so that condition {@code Degraded} says what the scenario's own does.
         */
        default String[] degradation() {
            return null;
        }
    }
}
