package io.percore.operator.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.percore.operator.sizing.SizingPlan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sizing plans the operator makes, for its dashboard: every plan by outcome, the plans that
 * changed a service's shape (the ones that roll pods), and the shards and replicas currently
 * planned over all services. Per-service figures are in each resource's {@code status.plan} and
 * its events, so the meters carry no per-service tags (their number stays fixed).
 */
public final class PlanMeters {

    public static final String PLANS = "percore.operator.plans";
    public static final String PLAN_CHANGES = "percore.operator.plan.changes";
    public static final String PLANNED_SHARDS = "percore.operator.planned.shards";
    public static final String PLANNED_REPLICAS = "percore.operator.planned.replicas";

    private final MeterRegistry registry;
    private final Counter planned;
    private final Counter degraded;
    private final Counter unschedulable;
    private final Counter invalidNodes;
    private final Counter changes;
    /** The last feasible plan of every service, by namespace/name, until it becomes infeasible or is deleted. */
    private final Map<String, SizingPlan> current = new ConcurrentHashMap<>();

    public PlanMeters(MeterRegistry registry) {
        this.registry = registry;
        planned = outcome(registry, "planned");
        degraded = outcome(registry, "degraded");
        unschedulable = outcome(registry, "unschedulable");
        invalidNodes = outcome(registry, "invalid_node_labels");
        changes = Counter.builder(PLAN_CHANGES)
                .description("Plans that changed a service's shape (replicas, shards per pod or CPUs), each one a rollout")
                .register(registry);
        Gauge.builder(PLANNED_SHARDS, current, c -> c.values().stream().mapToInt(SizingPlan::totalShards).sum())
                .description("Shards planned over every PercoreService with a feasible plan").register(registry);
        Gauge.builder(PLANNED_REPLICAS, current, c -> c.values().stream().mapToInt(SizingPlan::replicas).sum())
                .description("Pods planned over every PercoreService with a feasible plan").register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder(PLANS).tag("outcome", outcome)
                .description("Sizing plans made, by outcome (planned, degraded: fewer pods or pinning not guaranteed, "
                        + "unschedulable: no node fits a pod, invalid_node_labels)")
                .register(registry);
    }

    /** Where the operator's meters are: the scenarios register theirs there too (the backups'). */
    MeterRegistry registry() {
        return registry;
    }

    void feasible(String service, SizingPlan plan, boolean shapeChanged) {
        (plan.degraded() ? degraded : planned).increment();
        if (shapeChanged) {
            changes.increment();
        }
        current.put(service, plan);
    }

    void unschedulable(String service) {
        unschedulable.increment();
        current.remove(service);
    }

    void invalidNodes(String service) {
        invalidNodes.increment();
        current.remove(service);
    }

    void deleted(String service) {
        current.remove(service);
    }
}
