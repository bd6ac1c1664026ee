package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.cluster.PodClusterProbe;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PrimaryConnectionWatch;
import io.percore.operator.sizing.SizingPlan;
import java.util.List;

/**
 * What one reconcile gives its scenarios, and all they share: the resource as read and its last status, the status and
 * conditions being built, the events, the ways to the pods, and what the pass learned before them (the live StatefulSet,
 * the plan). What one scenario learns is its own {@link Scenario.Run}'s, never here for another.
 */
final class ScenarioContext {

    private final PercoreServiceReconciler owner;
    private final PercoreService resource;
    private final KubernetesClient client;
    private final PlanEvents events;
    private final PercoreServiceStatus previous;
    private final PercoreServiceStatus status;
    private final StatusConditions conditions;
    private StatefulSet liveStatefulSet;
    private final ChildCache children;
    private SizingPlan plan;
    private WorkloadShape workload;
    private final List<Reason> degradations = new java.util.ArrayList<>();
    private java.util.Map<String, io.fabric8.kubernetes.api.model.Node> nodes = java.util.Map.of();

    ScenarioContext(PercoreServiceReconciler owner, PercoreService resource, KubernetesClient client, ChildCache children, PlanEvents events,
                    PercoreServiceStatus previous, PercoreServiceStatus status, StatusConditions conditions) {
        this.owner = owner;
        this.children = children;
        this.resource = resource;
        this.client = client;
        this.events = events;
        this.previous = previous;
        this.status = status;
        this.conditions = conditions;
    }

    PercoreService resource() {
        return resource;
    }

    PercoreServiceSpec spec() {
        return resource.getSpec();
    }

    KubernetesClient client() {
        return client;
    }

    PlanEvents events() {
        return events;
    }

    /** The status the resource held when the reconcile began (never null). */
    PercoreServiceStatus previous() {
        return previous;
    }

    /** The status being written: it starts as what the previous status said of what this reconcile may not reach. */
    PercoreServiceStatus status() {
        return status;
    }

    StatusConditions conditions() {
        return conditions;
    }

    PodReplicationProbe probe() {
        return owner.probe;
    }

    PodClusterProbe clusterProbe() {
        return owner.clusterProbe;
    }

    PodAddresses addresses() {
        return owner.podAddresses;
    }

    /** The replicated services' primaries, each watched on one idle connection. */
    PrimaryConnectionWatch primaryWatch() {
        return owner.primaryWatch;
    }

    /** Writes children as the reconcile does (server-side apply, or read-modify-update). */
    ChildApplier applier() {
        return new ChildApplier(client, owner.serverSideApply, children);
    }

    ScenarioMemory memory() {
        return owner.memory;
    }

    /** The operator's meters (its /metrics). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return owner.planMeters.registry();
    }

    /** Now, as the operator's schedules read it. */
    java.time.Instant now() {
        return owner.clock.instant();
    }

    /** The operator's own image: what its Jobs and init containers run. */
    String operatorImage() {
        return owner.operatorImage;
    }

    /** The workload as written, once the children are (null before): how the pods authenticate. */
    WorkloadShape workload() {
        return workload;
    }

    void workload(WorkloadShape workload) {
        this.workload = workload;
    }

    /**
     * A reason the service is not as asked, said by a scenario before the children are written: Degraded=True, and
     * Ready=False with it while the pods are not all ready (a restore refused: the pod does not start).
     */
    void degrade(String reason, String message) {
        degradations.add(new Reason(reason, message));
    }

    List<Reason> degradations() {
        return degradations;
    }

    /** A condition's reason and message. */
    record Reason(String reason, String message) {
    }

    /** The service's StatefulSet as read fresh at the start of the reconcile (null: none the service owns). */
    StatefulSet liveStatefulSet() {
        return liveStatefulSet;
    }

    /** The feasible sizing plan (null before it is made, or when no node has room for it). */
    /** The cluster's nodes by name, as the operator's node informer has them (what a failover reads of a pod's node). */
    java.util.Map<String, io.fabric8.kubernetes.api.model.Node> nodes() {
        return nodes;
    }

    void nodes(java.util.Collection<io.fabric8.kubernetes.api.model.Node> all) {
        java.util.Map<String, io.fabric8.kubernetes.api.model.Node> byName = new java.util.HashMap<>();
        all.forEach(n -> byName.put(n.getMetadata().getName(), n));
        this.nodes = byName;
    }

    SizingPlan plan() {
        return plan;
    }

    void liveStatefulSet(StatefulSet live) {
        this.liveStatefulSet = live;
    }

    void plan(SizingPlan plan) {
        this.plan = plan;
    }
}
