package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.percore.config.PropertyNames;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.config.ConfigCheck.ConfigProblem;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PlanStatus;
import io.percore.operator.sizing.NodeShape;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingRequest;
import io.percore.operator.sizing.SizingRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One reconcile of one {@link PercoreService}, as the steps {@link #run()} names: validate, guard the data, plan, the
 * scenarios' look at the pods, write the children, report. Each step either ends the reconcile (a refusal, an
 * unschedulable plan, a conflict: its status is written and nothing after it runs) or hands on to the next. What the
 * service asks beyond pods of a planned size is its {@link Scenarios}' (replication, migration, users, cluster, backups): each
 * step asks each of them in turn, and what one learns is its own {@link Scenario.Run}'s; what the steps share is the
 * {@link ScenarioContext}. A pass lives for one call: the reconciler holds what outlives it.
 */
final class ReconcilePass {

    private final PercoreServiceReconciler owner;
    private final Context<PercoreService> context;
    private final ScenarioContext shared;
    // aliases of what the shared context holds, for the steps' own use
    private final PercoreService resource;
    private final KubernetesClient client;
    private final PlanEvents events;
    private final PercoreServiceStatus previous;
    private final PercoreServiceStatus status;
    private final StatusConditions conditions;
    private final PercoreServiceSpec spec;
    private final long generation;

    // what each step hands on
    private SizingRequest request;
    private boolean persistent;
    private boolean stateful;
    private InformerEventSource<Pod, PercoreService> scheduledPods;
    private SizingPlan plan;
    private PersistenceGuard.Guarded guarded;
    private List<Scenario.Run> runs = List.of();
    private final List<Degradation> degraded = new ArrayList<>();
    private List<PodsUnschedulable.Pending> pending;

    ReconcilePass(PercoreServiceReconciler owner, PercoreService resource, Context<PercoreService> context) {
        this.owner = owner;
        this.context = context;
        this.resource = resource;
        this.client = context.getClient();
        this.events = new PlanEvents(client, owner.recentEvents);
        this.previous = resource.getStatus() == null ? new PercoreServiceStatus() : resource.getStatus();
        this.generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        this.conditions = new StatusConditions(previous.getConditions(), generation);
        this.spec = resource.getSpec() == null ? new PercoreServiceSpec() : resource.getSpec();
        // what is written at the end starts as what the previous status said of what this pass may not reach
        this.status = new PercoreServiceStatus();
        status.setObservedGeneration(generation);
        status.setPlan(previous.getPlan());
        status.setReadyReplicas(previous.getReadyReplicas());
        Scenarios.ALL.forEach(scenario -> scenario.carryStatus(previous, status));
        this.shared = new ScenarioContext(owner, resource, client, ChildCache.of(context), events, previous, status, conditions);
    }

    UpdateControl<PercoreService> run() {
        long began = System.nanoTime();
        UpdateControl<PercoreService> done = timed("validate", this::validate)
                .or(() -> timed("guard", this::guardData))
                .or(() -> timed("plan", this::makePlan))
                .or(() -> timed("observe and act", this::observeAndAct))
                .or(() -> timed("write", this::writeChildren))
                .orElseGet(() -> timed("report", () -> Optional.of(report())).orElseThrow());
        long tookMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        if (tookMillis >= SLOW_PASS_MILLIS) {
            // a failover, a switchover and a planned stop's hand-over all wait for the next pass: where a slow one goes
            LOG.info("reconcile of {}/{} took {} ms: {}", namespace(), name(), tookMillis, stepMillis);
        }
        return done;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReconcilePass.class);
    /** A pass this long is logged with its steps' times. */
    static final long SLOW_PASS_MILLIS = 2000;
    private final java.util.Map<String, Long> stepMillis = new java.util.LinkedHashMap<>();

    private <T> Optional<T> timed(String step, java.util.function.Supplier<Optional<T>> run) {
        long began = System.nanoTime();
        try {
            return run.get();
        } finally {
            stepMillis.put(step, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        }
    }

    /** 1. A bad spec or config changes nothing that runs. */
    private Optional<UpdateControl<PercoreService>> validate() {
        List<String> problems = new ArrayList<>();
        if (spec.getImage() == null || spec.getImage().isBlank()) {
            problems.add("spec.image: required");
        }
        try {
            request = SizingRequests.fromSpec(spec);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        problems.addAll(PersistenceGuard.specProblems(spec.getPersistence()));
        for (Scenario scenario : Scenarios.ALL) {
            List<String> own = scenario.specProblems(spec);
            problems.addAll(own);
            if (request != null && own.isEmpty()) {
                request = scenario.sizing(spec, request);
            }
        }
        List<String> tlsProblems = TlsSpecs.specProblems(spec);
        problems.addAll(tlsProblems);
        // as the pods will read it: with spec.tls's bundle on its servers (their ssl.port needs one)
        List<ConfigProblem> configProblems = owner.configCheck.check(
                ApplicationYaml.withTls(spec.configOrEmpty(), tlsProblems.isEmpty() ? spec.getTls() : null));
        configProblems.forEach(p -> problems.add(p.toString()));
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        String reason = configProblems.isEmpty() ? "InvalidSpec" : "InvalidConfig";
        String message = String.join("; ", problems);
        warnOnce(reason, message);
        return refuse(reason, message, message + " (running pods left unchanged)");
    }

    /**
     * 2. The data first: a live StatefulSet (read fresh, never from a cache that may lag the operator's own last write)
     * bounds what may change.
     */
    private Optional<UpdateControl<PercoreService>> guardData() {
        persistent = Persistence.enabled(spec);
        // A StatefulSet when data is kept on claims, or when a scenario's pods need stable names (replication's OnDelete
        // rolls, a cluster's drained scale-in).
        stateful = persistent || Scenarios.ALL.stream().anyMatch(s -> s.needsStatefulSet(spec));
        StatefulSet live = ChildApplier.ownedOrNull(client.apps().statefulSets().inNamespace(namespace()).withName(name()).get(), uid());
        shared.liveStatefulSet(live);
        String removalRefusal = PersistenceGuard.removalRefusal(resource, live);
        if (removalRefusal != null) {
            warnOnce(PersistenceGuard.REMOVAL_REFUSED, removalRefusal);
            return refuse(PersistenceGuard.REMOVAL_REFUSED, removalRefusal, removalRefusal);
        }
        for (Scenario scenario : Scenarios.ALL) {
            Scenario.Refusal refusal = scenario.refusal(resource, live);
            if (refusal != null) {
                warnOnce(refusal.reason(), refusal.message());
                return refuse(refusal.reason(), refusal.message(), refusal.message());
            }
        }
        return Optional.empty();
    }

    /** 3. Plan; a persistent StatefulSet never gets fewer pods than it runs. */
    @SuppressWarnings("unchecked")
    private Optional<UpdateControl<PercoreService>> makePlan() {
        InformerEventSource<Node, PercoreService> nodeSource = (InformerEventSource<Node, PercoreService>)
                context.eventSourceRetriever().getEventSourceFor(Node.class, PercoreServiceReconciler.NODES);
        scheduledPods = (InformerEventSource<Pod, PercoreService>)
                context.eventSourceRetriever().getEventSourceFor(Pod.class, ScheduledPods.NAME);
        List<NodeShape> shapes;
        try {
            // the service's own pods are left out: a re-plan replaces them, and their room is theirs again
            List<Node> nodes = nodeSource.list(n -> true).toList();
            shared.nodes(nodes);
            shapes = new NodeInventory(client).shapes(nodes,
                    ScheduledPods.requestsByNode(scheduledPods.list(p -> true), p -> ScheduledPods.ownedBy(p, resource)));
        } catch (IllegalArgumentException e) {
            owner.planMeters.invalidNodes(key());
            conditions.set(StatusConditions.PLANNED, false, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.DEGRADED, true, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.READY, false, "InvalidNodeLabels", e.getMessage());
            return Optional.of(finish());
        }
        SizingRequest sized = request;
        StatefulSet live = shared.liveStatefulSet();
        boolean guardReplicas = persistent && live != null && Scenarios.ALL.stream().noneMatch(s -> s.keepsDataOnScaleDown(spec));
        guarded = PersistenceGuard.guardScaleDown(resource, owner.planner.plan(request, shapes),
                guardReplicas ? Pods.replicasOf(live) : null, replicas -> owner.planner.plan(sized.withReplicas(replicas), shapes));
        if (guarded.refusal() != null) {
            warnOnceDegraded(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal());
        }
        if (guarded.hold()) {
            return refuse(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal(), guarded.refusal());
        }
        plan = guarded.plan();
        for (Scenario scenario : Scenarios.ALL) {
            SizingRequest resized = plan.feasible() ? scenario.resized(spec, request, plan) : null;
            if (resized != null) {
                plan = owner.planner.plan(resized, shapes);
            }
        }
        runs = Scenarios.ALL.stream().map(s -> s.start(shared)).toList();
        if (!plan.feasible()) {
            return Optional.of(unschedulable());
        }
        shared.plan(plan);
        return Optional.empty();
    }

    /** 3b. No node has room for the plan: nothing is rolled out, and what runs keeps running. */
    private UpdateControl<PercoreService> unschedulable() {
        owner.planMeters.unschedulable(key());
        String message = String.join("; ", plan.reasons());
        PlanStatus failed = new PlanStatus();
        failed.setReasons(plan.reasons());
        status.setPlan(failed);
        warnOnce("Unschedulable", message);
        // What runs keeps running: its pods the scheduler cannot place (a cordoned node) are reported, and a
        // replicated service still fails over to a replica that runs.
        List<PodsUnschedulable.Pending> stuck = ScheduledPods.unschedulable(scheduledPods.list(p -> true), resource);
        String pendingMessage = stuck.isEmpty() ? "" : "; " + PodsUnschedulable.message(stuck);
        if (!stuck.isEmpty()) {
            warnOnceMentioned(PodsUnschedulable.REASON, PodsUnschedulable.message(stuck));
        }
        Rollout live = stateful ? Rollout.of(shared.liveStatefulSet())
                : Rollout.of(ChildApplier.ownedOrNull(client.apps().deployments().inNamespace(namespace()).withName(name()).get(), uid()));
        conditions.set(StatusConditions.PLANNED, false, ScheduledPods.UNSCHEDULABLE, message)
                .set(StatusConditions.DEGRADED, true, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; nothing rolled out"
                        + pendingMessage)
                .set(StatusConditions.READY, false, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; " + live.ready()
                        + " pod(s) of the running workload ready" + pendingMessage);
        status.setReadyReplicas(live.ready());
        // room freed by a pod leaving a node re-plans at once (ScheduledPods); this covers what no pod event shows
        Duration requeue = PercoreServiceReconciler.UNSCHEDULABLE_RETRY;
        for (Scenario.Run run : runs) {
            requeue = sooner(requeue, run.unschedulable());
        }
        return finish().rescheduleAfter(requeue);
    }

    /**
     * 4. Before the children, each scenario in turn: what it sees of the pods, and what it does unless it waits for the
     * children (a cluster's layout goes to the pods the StatefulSet keeps). A failover must not wait for the children's
     * writes, each a round trip to the API server (0.7-1 s in all on a busy node); a roll the children's new template
     * starts is seen at the next reconcile, a second later. Never ends the reconcile.
     */
    private Optional<UpdateControl<PercoreService>> observeAndAct() {
        for (int i = 0; i < runs.size(); i++) {
            runs.get(i).observe();
            if (!Scenarios.ALL.get(i).actsAfterChildren()) {
                runs.get(i).act();
            }
        }
        return Optional.empty();
    }

    /** 5. The children, and the reasons for Degraded, most pressing first. Ends the reconcile on a foreign child. */
    private Optional<UpdateControl<PercoreService>> writeChildren() {
        if (guarded.refusal() != null) {
            degraded.add(new Degradation(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal()));
        }
        ChildApplier applier = shared.applier();
        String yaml = ApplicationYaml.render(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        String rolloutYaml = ApplicationYaml.renderForRollout(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        StatefulSet liveStatefulSet = shared.liveStatefulSet();
        WorkloadShape workload = new WorkloadShape(plan);
        try {
            for (Scenario.Run run : runs) {
                run.beforeWorkload(applier, workload);
            }
            ChildApplier.Outcome config = applier.apply(WorkloadRenderer.configMap(resource, yaml));
            ChildApplier.Outcome workloadWritten;
            if (stateful) {
                WorkloadRenderer.DataClaim claimToRender = null;
                if (persistent) {
                    PersistenceGuard.ClaimTemplate claim = PersistenceGuard.claimTemplate(resource, liveStatefulSet);
                    if (claim.notApplied() != null) {
                        degraded.add(new Degradation(PersistenceGuard.STORAGE_NOT_CHANGED, claim.notApplied()));
                    }
                    claimToRender = claim.claim();
                }
                workloadWritten = applier.apply(WorkloadRenderer.statefulSet(resource, workload.rendered(), rolloutYaml, claimToRender, workload.access(),
                        owner.operatorImage));
                // The StatefulSet is written first: if it cannot be (a foreign one of that name), the Deployment keeps serving.
                if (applier.deleteOwned(PercoreServiceReconciler.named(new Deployment(), namespace(), name()), uid())) {
                    events.normal(resource, "WorkloadReplaced", "Deployment " + name() + " replaced by StatefulSet " + name()
                            + (persistent ? " (persistence " + spec.getPersistence().getMode() + "; one volume claim per pod)"
                            : " (replication: stable pod names, the operator rolls the pods)"));
                }
            } else {
                workloadWritten = applier.apply(WorkloadRenderer.deployment(resource, workload.rendered(), rolloutYaml, workload.access(), owner.operatorImage));
                // Only a StatefulSet without claims gets here (PersistenceGuard refuses to replace one with data).
                if (liveStatefulSet != null && applier.deleteOwned(PercoreServiceReconciler.named(new StatefulSet(), namespace(), name()), uid())) {
                    events.normal(resource, "WorkloadReplaced", "StatefulSet " + name() + " (no volume claims) replaced by Deployment " + name());
                }
            }
            if (config == ChildApplier.Outcome.UPDATED && workloadWritten == ChildApplier.Outcome.UNCHANGED) {
                events.normal(resource, "ConfigChangedLive", "spec.config changed only settings that change live: the pods apply the"
                        + " new ConfigMap " + WorkloadRenderer.configMapName(resource) + " without a restart");
            }
            applier.apply(WorkloadRenderer.service(resource));
            for (Scenario.Run run : runs) {
                run.afterWorkload(applier);
            }
            applier.apply(WorkloadRenderer.podDisruptionBudget(resource));
        } catch (ChildApplier.ChildConflictException e) {
            conditions.set(StatusConditions.PLANNED, true, "Planned", summary(plan))
                    .set(StatusConditions.DEGRADED, true, "ChildConflict", e.getMessage())
                    .set(StatusConditions.READY, false, "ChildConflict", e.getMessage());
            status.setPlan(toStatus(plan));
            return Optional.of(finish());
        }
        shared.workload(workload);
        shared.degradations().forEach(d -> degraded.add(new Degradation(d.reason(), d.message())));
        for (int i = 0; i < runs.size(); i++) {
            String[] why = Scenarios.ALL.get(i).actsAfterChildren() ? null : runs.get(i).degradation();
            if (why != null) {
                degraded.add(0, new Degradation(why[0], why[1]));
            }
        }
        if (Scenarios.ALL.stream().noneMatch(s -> s.reportsPodPassword(spec))) {
            // a scenario that talks to the pods reports it in its own condition (it needs the password itself)
            PodPassword password = PodPassword.read(client, resource);
            if (password.missing()) {
                degraded.add(new Degradation(PodPassword.MISSING_REASON, password.problem()));
            }
        }
        pending = ScheduledPods.unschedulable(scheduledPods.list(p -> true), resource);
        if (!pending.isEmpty()) {
            String message = PodsUnschedulable.message(pending);
            warnOnceMentioned(PodsUnschedulable.REASON, message);
            degraded.add(0, new Degradation(PodsUnschedulable.REASON, message));
        }
        if (plan.degraded()) {
            degraded.add(new Degradation(plan.podCapacity() < plan.replicas() ? "InsufficientCapacity" : "PinningNotGuaranteed",
                    plan.reasons().stream().filter(r -> r.contains("capacity") || r.contains("forced")).collect(Collectors.joining("; "))));
        }
        if (WorkloadRenderer.wantsServiceMonitor(resource)) {
            owner.serviceMonitorAbsentAt.remove(key()); // the spec that drops it again deletes it
            if (PercoreServiceReconciler.serviceMonitorCrdExists(client, resource)) {
                applier.apply(WorkloadRenderer.serviceMonitor(resource));
            } else {
                degraded.add(new Degradation("ServiceMonitorUnavailable",
                        "spec.monitoring.serviceMonitor is true but CRD " + PercoreServiceReconciler.SERVICE_MONITOR_CRD + " is not installed"));
            }
        } else if (!Long.valueOf(generation).equals(owner.serviceMonitorAbsentAt.get(key()))) {
            // one of an earlier spec, or of before this operator started: once a generation, not every pass
            if (PercoreServiceReconciler.serviceMonitorCrdExists(client, resource)) {
                PercoreServiceReconciler.deleteQuietly(client, WorkloadRenderer.serviceMonitor(resource));
            }
            owner.serviceMonitorAbsentAt.put(key(), generation);
        }
        return Optional.empty();
    }

    /**
     * 6. The status: the plan, the rollout, the conditions; then what the scenarios do once the children are written (a
     * cluster's layout sent, migrations waited for), their parts of the status, and the soonest of their next looks.
     */
    private UpdateControl<PercoreService> report() {
        PlanStatus planStatus = toStatus(plan);
        boolean shapeChanged = !sameShape(previous.getPlan(), planStatus);
        owner.planMeters.feasible(key(), plan, shapeChanged);
        if (shapeChanged) {
            events.normal(resource, previous.getPlan() == null || previous.getPlan().getReplicas() == null ? "Planned" : "PlanChanged", summary(plan));
        }
        status.setPlan(planStatus);
        Rollout rollout = stateful ? Rollout.of(client.apps().statefulSets().inNamespace(namespace()).withName(name()).get())
                : Rollout.of(client.apps().deployments().inNamespace(namespace()).withName(name()).get());
        int ready = rollout.ready();
        status.setReadyReplicas(ready);
        boolean allReady = ready >= plan.replicas() && rollout.updated() >= plan.replicas();
        conditions.set(StatusConditions.PLANNED, true, "Planned", summary(plan))
                .set(StatusConditions.DEGRADED, !degraded.isEmpty(), degraded.isEmpty() ? "AsExpected" : degraded.get(0).reason(),
                        degraded.stream().map(Degradation::message).collect(Collectors.joining("; ")))
                .set(StatusConditions.READY, allReady, allReady ? "AllReplicasReady" : !pending.isEmpty() ? PodsUnschedulable.REASON
                        : shared.degradations().isEmpty() ? "RollingOut" : shared.degradations().get(0).reason(),
                        ready + "/" + plan.replicas() + " replicas ready" + (pending.isEmpty() ? "" : "; " + PodsUnschedulable.message(pending))
                                + (shared.degradations().isEmpty() ? "" : "; " + shared.degradations().get(0).message()));

        for (int i = 0; i < runs.size(); i++) {
            if (Scenarios.ALL.get(i).actsAfterChildren()) {
                runs.get(i).act();
            }
        }
        Duration requeue = null;
        for (Scenario.Run run : runs) {
            requeue = sooner(requeue, run.report());
        }
        UpdateControl<PercoreService> done = finish();
        return requeue == null ? done : done.rescheduleAfter(requeue);
    }

    private static Duration sooner(Duration a, Duration b) {
        return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /** The spec is not applied: Planned and Ready false, Degraded true, for one reason; what runs is left as it is. */
    private Optional<UpdateControl<PercoreService>> refuse(String reason, String message, String degradedMessage) {
        conditions.set(StatusConditions.PLANNED, false, reason, message)
                .set(StatusConditions.DEGRADED, true, reason, degradedMessage)
                .set(StatusConditions.READY, false, reason, "spec generation " + generation + " not applied");
        return Optional.of(finish());
    }

    private UpdateControl<PercoreService> finish() {
        return owner.finish(client, resource, previous, status, conditions);
    }

    private String key() {
        return namespace() + "/" + name();
    }

    private String namespace() {
        return resource.getMetadata().getNamespace();
    }

    private String name() {
        return resource.getMetadata().getName();
    }

    private String uid() {
        return resource.getMetadata().getUid();
    }

    /** One warning per distinct problem, not one per reconcile. */
    private void warnOnce(String reason, String message) {
        var planned = StatusConditions.find(previous.getConditions(), StatusConditions.PLANNED);
        if (planned == null || !reason.equals(planned.getReason()) || !message.equals(planned.getMessage())) {
            events.warning(resource, reason, message);
        }
    }

    /** One warning per distinct message that the previous Degraded condition did not already carry. */
    private void warnOnceMentioned(String reason, String message) {
        var before = StatusConditions.find(previous.getConditions(), StatusConditions.DEGRADED);
        if (before == null || before.getMessage() == null || !before.getMessage().contains(message)) {
            events.warning(resource, reason, message);
        }
    }

    /** One warning per distinct degradation, not one per reconcile. */
    private void warnOnceDegraded(String reason, String message) {
        var before = StatusConditions.find(previous.getConditions(), StatusConditions.DEGRADED);
        if (before == null || !reason.equals(before.getReason()) || !before.getMessage().startsWith(message)) {
            events.warning(resource, reason, message);
        }
    }

    /** One reason for Degraded=True; the first listed names the condition, the messages are joined. */
    private record Degradation(String reason, String message) {
    }

    /** Ready and up-to-date pods of the live workload (zeros when absent). */
    private record Rollout(int ready, int updated) {
        static Rollout of(HasMetadata workload) {
            Integer ready = null;
            Integer updated = null;
            if (workload instanceof Deployment d && d.getStatus() != null) {
                ready = d.getStatus().getReadyReplicas();
                updated = d.getStatus().getUpdatedReplicas();
            } else if (workload instanceof StatefulSet s && s.getStatus() != null) {
                ready = s.getStatus().getReadyReplicas();
                updated = s.getStatus().getUpdatedReplicas();
            }
            return new Rollout(ready == null ? 0 : ready, updated == null ? 0 : updated);
        }
    }

    static PlanStatus toStatus(SizingPlan plan) {
        PlanStatus p = new PlanStatus();
        p.setReplicas(plan.replicas());
        p.setShardsPerPod(plan.shardsPerPod());
        p.setTotalShards(plan.totalShards());
        p.setCpusPerPod(plan.cpusPerPod());
        p.setCpuRequestPerPod(plan.burstable() ? Quantities.formatCpu(plan.cpuRequestMillisPerPod()) : null);
        p.setReservedCpus(plan.reservedCpus());
        p.setMemoryPerPod(Quantities.formatBytes(plan.memoryPerPodBytes()));
        p.setMode(PropertyNames.enumValue(plan.mode()));
        p.setEligibleNodes(plan.eligibleNodes());
        p.setReasons(plan.reasons());
        return p;
    }

    private static boolean sameShape(PlanStatus a, PlanStatus b) {
        return a != null && Objects.equals(a.getReplicas(), b.getReplicas()) && Objects.equals(a.getShardsPerPod(), b.getShardsPerPod())
                && Objects.equals(a.getCpusPerPod(), b.getCpusPerPod()) && Objects.equals(a.getCpuRequestPerPod(), b.getCpuRequestPerPod())
                && Objects.equals(a.getMemoryPerPod(), b.getMemoryPerPod())
                && Objects.equals(a.getMode(), b.getMode());
    }

    static String summary(SizingPlan plan) {
        return plan.replicas() + " pod(s) x " + plan.shardsPerPod() + " shards (" + (plan.burstable()
                ? Quantities.formatCpu(plan.cpuRequestMillisPerPod()) + " CPU, up to " : "") + plan.cpusPerPod() + " CPUs, "
                + Quantities.formatBytes(plan.memoryPerPodBytes()) + " each), " + PropertyNames.enumValue(plan.mode());
    }
}
