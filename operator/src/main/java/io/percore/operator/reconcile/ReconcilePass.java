package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.percore.config.PropertyNames;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.config.ConfigCheck.ConfigProblem;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PlanStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.User;
import io.percore.operator.migration.MigrationPlanner;
import io.percore.operator.migration.MigrationSpecs;
import io.percore.operator.replication.ReplicationSpecs;
import io.percore.operator.sizing.NodeShape;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingRequest;
import io.percore.operator.sizing.SizingRequests;
import io.percore.operator.users.OperatorUsers;
import io.percore.operator.users.UsersPlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One reconcile of one {@link PercoreService}, as the steps {@link #run()} names: validate, guard the data, plan, replicate
 * and migrate, apply the users, write the children, report. Each step either ends the reconcile (a refusal, an unschedulable plan, a
 * conflict: its status is written and nothing after it runs) or hands on to the next; what a step learns is kept
 * here for the steps after it. A pass lives for one call: the reconciler holds what outlives it.
 */
final class ReconcilePass {

    private final PercoreServiceReconciler owner;
    private final PercoreService resource;
    private final Context<PercoreService> context;
    private final KubernetesClient client;
    private final PlanEvents events;
    private final PercoreServiceStatus previous;
    private final long generation;
    private final StatusConditions conditions;
    private final PercoreServiceSpec spec;
    /** What is written at the end: starts as what the previous status said of what this pass may not reach. */
    private final PercoreServiceStatus status = new PercoreServiceStatus();
    private final String namespace;
    private final String name;
    private final String uid;

    // validate
    private SizingRequest request;
    private boolean clustered;
    private boolean replicated;
    // guard the data
    private boolean persistent;
    private boolean stateful;
    private StatefulSet liveStatefulSet;
    // plan
    private InformerEventSource<Pod, PercoreService> scheduledPods;
    private SizingPlan plan;
    private PersistenceGuard.Guarded guarded;
    // replicate and migrate
    private ReplicationDriver.Outcome replicationOutcome;
    private Duration migrationRequeue;
    // apply the users
    private UsersDriver.Outcome users = UsersDriver.Outcome.NONE;
    // write the children
    private ClusterDriver clusterDriver;
    private ClusterDriver.Observation clusterView;
    private final List<Degradation> degraded = new ArrayList<>();
    private List<PodsUnschedulable.Pending> pending;

    ReconcilePass(PercoreServiceReconciler owner, PercoreService resource, Context<PercoreService> context) {
        this.owner = owner;
        this.resource = resource;
        this.context = context;
        this.client = context.getClient();
        this.events = new PlanEvents(client);
        this.previous = resource.getStatus() == null ? new PercoreServiceStatus() : resource.getStatus();
        this.generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        this.conditions = new StatusConditions(previous.getConditions(), generation);
        this.spec = resource.getSpec() == null ? new PercoreServiceSpec() : resource.getSpec();
        this.namespace = resource.getMetadata().getNamespace();
        this.name = resource.getMetadata().getName();
        this.uid = resource.getMetadata().getUid();
        status.setObservedGeneration(generation);
        status.setPlan(previous.getPlan());
        status.setReadyReplicas(previous.getReadyReplicas());
        status.setReplication(previous.getReplication());
        status.setCluster(previous.getCluster());
        status.setMigration(previous.getMigration());
    }

    UpdateControl<PercoreService> run() {
        return validate()
                .or(this::guardData)
                .or(this::makePlan)
                .or(this::replicateAndMigrate)
                .or(this::applyUsers)
                .or(this::writeChildren)
                .orElseGet(this::report);
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
        clustered = Cluster.enabled(spec);
        // with a cluster, replication is the cluster's (replicas per primary, driven by ClusterDriver)
        replicated = Replication.enabled(spec) && !clustered;
        List<String> replicationProblems = ReplicationSpecs.specProblems(spec);
        problems.addAll(replicationProblems);
        if (replicated && request != null && replicationProblems.isEmpty()) {
            request = ReplicationSpecs.sizing(spec, request);
        }
        problems.addAll(ClusterDriver.specProblems(spec));
        problems.addAll(PodPassword.specProblems(spec));
        problems.addAll(MigrationSpecs.specProblems(spec));
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
        // A StatefulSet when data is kept on claims, when replicated (stable pod names, OnDelete rolls),
        // and in a cluster (stable pod names; scale-in removes the highest ordinals, drained first).
        stateful = persistent || replicated || clustered;
        liveStatefulSet = ownedOrNull(client.apps().statefulSets().inNamespace(namespace).withName(name).get());
        String removalRefusal = PersistenceGuard.removalRefusal(resource, liveStatefulSet);
        String enableRefusal = ReplicationSpecs.enableRefusal(resource, liveStatefulSet);
        if (removalRefusal == null && enableRefusal != null) {
            warnOnce(ReplicationSpecs.ENABLE_REFUSED, enableRefusal);
            return refuse(ReplicationSpecs.ENABLE_REFUSED, enableRefusal, enableRefusal);
        }
        if (removalRefusal != null) {
            warnOnce(PersistenceGuard.REMOVAL_REFUSED, removalRefusal);
            return refuse(PersistenceGuard.REMOVAL_REFUSED, removalRefusal, removalRefusal);
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
            shapes = new NodeInventory(client).shapes(nodeSource.list(n -> true).toList(),
                    ScheduledPods.requestsByNode(scheduledPods.list(p -> true), p -> ScheduledPods.ownedBy(p, resource)));
        } catch (IllegalArgumentException e) {
            owner.planMeters.invalidNodes(key());
            conditions.set(StatusConditions.PLANNED, false, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.DEGRADED, true, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.READY, false, "InvalidNodeLabels", e.getMessage());
            return Optional.of(finish());
        }
        SizingRequest sized = request;
        guarded = PersistenceGuard.guardScaleDown(resource, owner.planner.plan(request, shapes),
                // replicas of one primary hold copies: fewer of them orphan no data
                // in a cluster their slots are moved off them first (ClusterDriver)
                persistent && !replicated && !clustered && liveStatefulSet != null ? replicasOf(liveStatefulSet) : null,
                replicas -> owner.planner.plan(sized.withReplicas(replicas), shapes));
        if (guarded.refusal() != null) {
            warnOnceDegraded(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal());
        }
        if (guarded.hold()) {
            return refuse(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal(), guarded.refusal());
        }
        plan = guarded.plan();
        if (clustered && Replication.enabled(spec) && plan.feasible()) {
            // the plan's pods are the cluster's primaries: each gets its replica pods, of the same shape
            plan = owner.planner.plan(ReplicationSpecs.clusterSizing(spec, request, plan.replicas(), plan.shardsPerPod()), shapes);
        }
        return plan.feasible() ? Optional.empty() : Optional.of(unschedulable());
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
        Rollout live = stateful ? Rollout.of(liveStatefulSet)
                : Rollout.of(ownedOrNull(client.apps().deployments().inNamespace(namespace).withName(name).get()));
        conditions.set(StatusConditions.PLANNED, false, ScheduledPods.UNSCHEDULABLE, message)
                .set(StatusConditions.DEGRADED, true, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; nothing rolled out"
                        + pendingMessage)
                .set(StatusConditions.READY, false, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; " + live.ready()
                        + " pod(s) of the running workload ready" + pendingMessage);
        status.setReadyReplicas(live.ready());
        if (replicated && liveStatefulSet != null) {
            ReplicationDriver.Outcome outcome = new ReplicationDriver(client, owner.probe, owner.podAddresses, events)
                    .run(resource, previous.getReplication(), conditions);
            status.setReplication(outcome.status());
            return finish().rescheduleAfter(outcome.requeue().compareTo(PercoreServiceReconciler.UNSCHEDULABLE_RETRY) < 0
                    ? outcome.requeue() : PercoreServiceReconciler.UNSCHEDULABLE_RETRY);
        }
        // room freed by a pod leaving a node re-plans at once (ScheduledPods); this covers what no pod event shows
        return finish().rescheduleAfter(PercoreServiceReconciler.UNSCHEDULABLE_RETRY);
    }

    /**
     * 4. Replication before the children: who is primary, failover, the roll (ReplicationPlanner). A failover must not
     * wait for the children's writes, each a round trip to the API server (0.7-1 s in all on a busy node). A roll the
     * children's new template starts is seen at the next reconcile, a second later. Then a running Redis moved in
     * (spec.migrateFrom): after the replication driver, which elects (or replaces) the primary it links to the source.
     * Never ends the reconcile.
     */
    private Optional<UpdateControl<PercoreService>> replicateAndMigrate() {
        if (replicated) {
            replicationOutcome = new ReplicationDriver(client, owner.probe, owner.podAddresses, events).run(resource, previous.getReplication(), conditions);
            status.setReplication(replicationOutcome.status());
        }
        migrationRequeue = migrate();
        return Optional.empty();
    }

    /**
     * {@code spec.migrateFrom}: the service's one primary follows the source until the cut-over ({@link MigrationDriver}).
     * Without it, a completed migration's record stays in the status and nothing is done.
     *
     * @return when to look again, or null when there is nothing to follow
     */
    private Duration migrate() {
        if (resource.getSpec().getMigrateFrom() == null) {
            status.setMigration(previous.getMigration() != null
                    && MigrationPlanner.COMPLETED.equals(previous.getMigration().getPhase()) ? previous.getMigration() : null);
            return null;
        }
        if (!replicated && plan.replicas() != 1) {
            String why = "the service runs " + plan.replicas() + " independent pods; a migration copies into one primary: set"
                    + " spec.replication (one primary and its replicas) or plan one pod";
            conditions.set(MigrationDriver.CONDITION, false, "MigrationRefused", why);
            return null;
        }
        MigrationStatus prior = MigrationPlanner.lastStatus(previous.getMigration(), owner.cutOvers.get(uid));
        MigrationDriver.Outcome outcome = new MigrationDriver(client, owner.probe, owner.podAddresses, events, podLink())
                .run(resource, prior, conditions);
        status.setMigration(outcome.status());
        if (MigrationPlanner.recordsCutover(outcome.status())) {
            owner.cutOvers.put(uid, outcome.status());
        } else {
            owner.cutOvers.remove(uid); // a failure called off (cutover: false): the next request may try at once
        }
        return outcome.requeue();
    }

    /**
     * The link to a primary the pods' template gives them (what a migration gives its pod back after the cut-over): the
     * replicas' user once the live template has it, the default user's password before.
     */
    private ReplicaLink podLink() {
        if (liveStatefulSet != null && replicated && templateHas(liveStatefulSet.getSpec().getTemplate(), Replication.MASTERUSER_ENV)) {
            return new ReplicaLink(OperatorUsers.REPLICA, PodPassword.readPassword(client, resource, PodPassword.replicaSecretName(resource)));
        }
        return new ReplicaLink(null, PodPassword.read(client, resource).password());
    }

    /**
     * 5. The users ({@code spec.users} and the operator's own), applied live to the running pods; the aclfile the pods read
     * at start is written with the children. After replication, whose failover must not wait on the pods' ACLs. Never ends
     * the reconcile.
     */
    private Optional<UpdateControl<PercoreService>> applyUsers() {
        // before the pods, which read it at start (a missing Secret holds them in CreateContainerConfigError)
        if (PodPassword.ensureGenerated(client, resource)) {
            events.normal(resource, "PasswordGenerated", "Secret " + PodPassword.generatedName(resource) + " created with a random"
                    + " password (key " + Replication.PASSWORD_KEY + "): the pods require it, clients AUTH with it");
        }
        users = new UsersDriver(client, owner.probe, owner.podAddresses, events).run(resource, previous.getConditions(), conditions);
        return Optional.empty();
    }

    /** 6. The children, and the reasons for Degraded, most pressing first. Ends the reconcile on a foreign child. */
    private Optional<UpdateControl<PercoreService>> writeChildren() {
        if (guarded.refusal() != null) {
            degraded.add(new Degradation(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal()));
        }
        // A cluster's pods above the plan keep running until they own no slot (the driver moves them off).
        SizingPlan rendered = plan;
        if (clustered) {
            clusterDriver = new ClusterDriver(client, owner.clusterProbe, owner.podAddresses, events);
            clusterView = clusterDriver.observe(resource, plan.replicas(),
                    liveStatefulSet == null ? 0 : replicasOf(liveStatefulSet), previous.getCluster());
            if (clusterView.decision().podsToKeep() > plan.replicas()) {
                rendered = plan.withReplicas(clusterView.decision().podsToKeep());
            }
        }
        ChildApplier applier = new ChildApplier(client, owner.serverSideApply);
        String yaml = ApplicationYaml.render(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        String rolloutYaml = ApplicationYaml.renderForRollout(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        try {
            // before the pods, which read it at start (a missing volume's Secret holds them in ContainerCreating)
            if (users.usersSecret() != null) {
                applier.apply(users.usersSecret());
            } else if (!io.percore.operator.crd.Auth.enabled(spec)) {
                applier.deleteOwned(PercoreServiceReconciler.named(new io.fabric8.kubernetes.api.model.Secret(), namespace,
                        WorkloadRenderer.usersSecretName(resource)), uid);
            }
            Deployment liveDeployment = ownedOrNull(client.apps().deployments().inNamespace(namespace).withName(name).get());
            PodAccess access = PodAccess.of(resource, UsersPlanner.aclFileInTemplate(
                    templateHas(liveStatefulSet == null ? null : liveStatefulSet.getSpec().getTemplate(), User.ACLFILE_ENV)
                            || templateHas(liveDeployment == null ? null : liveDeployment.getSpec().getTemplate(), User.ACLFILE_ENV),
                    liveStatefulSet != null || liveDeployment != null, users.support()));
            ChildApplier.Outcome config = applier.apply(WorkloadRenderer.configMap(resource, yaml));
            ChildApplier.Outcome workload;
            if (stateful) {
                WorkloadRenderer.DataClaim claimToRender = null;
                if (persistent) {
                    PersistenceGuard.ClaimTemplate claim = PersistenceGuard.claimTemplate(resource, liveStatefulSet);
                    if (claim.notApplied() != null) {
                        degraded.add(new Degradation(PersistenceGuard.STORAGE_NOT_CHANGED, claim.notApplied()));
                    }
                    claimToRender = claim.claim();
                }
                workload = applier.apply(WorkloadRenderer.statefulSet(resource, rendered, rolloutYaml, claimToRender, access));
                // The StatefulSet is written first: if it cannot be (a foreign one of that name), the Deployment keeps serving.
                if (applier.deleteOwned(PercoreServiceReconciler.named(new Deployment(), namespace, name), uid)) {
                    events.normal(resource, "WorkloadReplaced", "Deployment " + name + " replaced by StatefulSet " + name
                            + (persistent ? " (persistence " + spec.getPersistence().getMode() + "; one volume claim per pod)"
                            : " (replication: stable pod names, the operator rolls the pods)"));
                }
            } else {
                workload = applier.apply(WorkloadRenderer.deployment(resource, plan, rolloutYaml, access));
                // Only a StatefulSet without claims gets here (PersistenceGuard refuses to replace one with data).
                if (liveStatefulSet != null && applier.deleteOwned(PercoreServiceReconciler.named(new StatefulSet(), namespace, name), uid)) {
                    events.normal(resource, "WorkloadReplaced", "StatefulSet " + name + " (no volume claims) replaced by Deployment " + name);
                }
            }
            if (config == ChildApplier.Outcome.UPDATED && workload == ChildApplier.Outcome.UNCHANGED) {
                events.normal(resource, "ConfigChangedLive", "spec.config changed only settings that change live: the pods apply the"
                        + " new ConfigMap " + WorkloadRenderer.configMapName(resource) + " without a restart");
            }
            applier.apply(WorkloadRenderer.service(resource));
            if (replicated) {
                applier.apply(WorkloadRenderer.primaryService(resource));
                applier.apply(WorkloadRenderer.readService(resource));
            } else if (previous.getReplication() != null) {
                applier.deleteOwned(PercoreServiceReconciler.named(new Service(), namespace, WorkloadRenderer.primaryServiceName(resource)), uid);
                applier.deleteOwned(PercoreServiceReconciler.named(new Service(), namespace, name + "-read"), uid);
            }
            applier.apply(WorkloadRenderer.podDisruptionBudget(resource));
        } catch (ChildApplier.ChildConflictException e) {
            conditions.set(StatusConditions.PLANNED, true, "Planned", summary(plan))
                    .set(StatusConditions.DEGRADED, true, "ChildConflict", e.getMessage())
                    .set(StatusConditions.READY, false, "ChildConflict", e.getMessage());
            status.setPlan(toStatus(plan));
            return Optional.of(finish());
        }
        if (!replicated && !clustered) {
            // the drivers report it for replicated and clustered services (they need the password themselves)
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
        boolean monitorCrd = PercoreServiceReconciler.serviceMonitorCrdExists(client, resource);
        if (WorkloadRenderer.wantsServiceMonitor(resource)) {
            if (monitorCrd) {
                applier.apply(WorkloadRenderer.serviceMonitor(resource));
            } else {
                degraded.add(new Degradation("ServiceMonitorUnavailable",
                        "spec.monitoring.serviceMonitor is true but CRD " + PercoreServiceReconciler.SERVICE_MONITOR_CRD + " is not installed"));
            }
        } else if (monitorCrd) {
            PercoreServiceReconciler.deleteQuietly(client, WorkloadRenderer.serviceMonitor(resource));
        }
        return Optional.empty();
    }

    /**
     * 7. The status: the plan, the rollout, the conditions. Then the drivers' next look: replication and migration (run
     * above) soon; a cluster's layout the pods hold, the next one sent, migrations waited for.
     */
    private UpdateControl<PercoreService> report() {
        PlanStatus planStatus = toStatus(plan);
        boolean shapeChanged = !sameShape(previous.getPlan(), planStatus);
        owner.planMeters.feasible(key(), plan, shapeChanged);
        if (shapeChanged) {
            events.normal(resource, previous.getPlan() == null || previous.getPlan().getReplicas() == null ? "Planned" : "PlanChanged", summary(plan));
        }
        status.setPlan(planStatus);
        Rollout rollout = stateful ? Rollout.of(client.apps().statefulSets().inNamespace(namespace).withName(name).get())
                : Rollout.of(client.apps().deployments().inNamespace(namespace).withName(name).get());
        int ready = rollout.ready();
        status.setReadyReplicas(ready);
        boolean allReady = ready >= plan.replicas() && rollout.updated() >= plan.replicas();
        conditions.set(StatusConditions.PLANNED, true, "Planned", summary(plan))
                .set(StatusConditions.DEGRADED, !degraded.isEmpty(), degraded.isEmpty() ? "AsExpected" : degraded.get(0).reason(),
                        degraded.stream().map(Degradation::message).collect(Collectors.joining("; ")))
                .set(StatusConditions.READY, allReady, allReady ? "AllReplicasReady" : pending.isEmpty() ? "RollingOut" : PodsUnschedulable.REASON,
                        ready + "/" + plan.replicas() + " replicas ready" + (pending.isEmpty() ? "" : "; " + PodsUnschedulable.message(pending)));

        if (replicated) {
            Duration requeue = replicationOutcome.requeue();
            if (migrationRequeue != null && migrationRequeue.compareTo(requeue) < 0) {
                requeue = migrationRequeue;
            }
            return finish().rescheduleAfter(requeue);
        }
        status.setReplication(null);
        if (clustered) {
            ClusterDriver.Outcome outcome = clusterDriver.act(resource, clusterView, previous.getConditions(), conditions);
            status.setCluster(outcome.status());
            return finish().rescheduleAfter(outcome.requeue());
        }
        status.setCluster(null);
        UpdateControl<PercoreService> done = finish();
        Duration requeue = migrationRequeue;
        if (users.retry() && (requeue == null || requeue.compareTo(UsersDriver.RETRY) > 0)) {
            // a ready pod the operator could not reach: no event says when it can (replication and cluster look often anyway)
            requeue = UsersDriver.RETRY;
        }
        return requeue == null ? done : done.rescheduleAfter(requeue);
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
        return namespace + "/" + name;
    }

    /** A live child only counts when this PercoreService owns it; another's object of the same name is not ours to guard. */
    private <T extends HasMetadata> T ownedOrNull(T live) {
        return live != null && ChildApplier.ownedBy(live, uid) ? live : null;
    }

    /** Whether a live pod template's container has the environment variable {@code name}. */
    private static boolean templateHas(io.fabric8.kubernetes.api.model.PodTemplateSpec template, String name) {
        return template != null && template.getSpec() != null && template.getSpec().getContainers() != null
                && template.getSpec().getContainers().stream().anyMatch(c -> c.getEnv() != null
                        && c.getEnv().stream().anyMatch(e -> name.equals(e.getName())));
    }

    private static int replicasOf(StatefulSet statefulSet) {
        // The API server defaults an unset replicas to 1.
        return statefulSet.getSpec() == null || statefulSet.getSpec().getReplicas() == null ? 1 : statefulSet.getSpec().getReplicas();
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
