package io.percore.operator.reconcile;

import io.percore.config.PropertyNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.config.ConfigCheck;
import io.percore.operator.config.ConfigCheck.ConfigProblem;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PlanStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.cluster.PodClusterProbe;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationSpecs;
import io.percore.operator.sizing.NodeShape;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingPlanner;
import io.percore.operator.sizing.SizingRequest;
import io.percore.operator.sizing.SizingRequests;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observer → validator → planner → reconciler for {@link PercoreService}. Kubernetes glue only:
 * the decisions live in {@link ConfigCheck}, {@link SizingPlanner}, {@link PersistenceGuard} (what a
 * persistent service may not lose) and {@link WorkloadRenderer}.
 * Any node change re-plans every PercoreService (nodes are few and plans are cheap); a periodic
 * resync picks up NodeResourceTopology changes.
 */
@ControllerConfiguration(name = PercoreServiceReconciler.NAME, fieldManager = ChildApplier.FIELD_MANAGER,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
// A failed reconcile is retried for as long as it fails, 2 s after the first failure and at most every 30 s: the SDK's
// default gives up after five retries (2, 2, 3, 4.5 and 6.75 s apart) until the next event or the 5-minute resync,
// and a replicated or clustered service whose pods send no event (a primary already down, an API server back from a
// hiccup) would wait that long for its failover.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 1.5, maxInterval = 30_000)
public class PercoreServiceReconciler implements Reconciler<PercoreService>, Cleaner<PercoreService> {

    public static final String NAME = "percoreservice";
    static final String NODES = "nodes";
    static final String DEPLOYMENTS = "deployments";
    static final String STATEFUL_SETS = "statefulsets";
    static final String CONFIG_MAPS = "configmaps";
    static final String SERVICES = "services";
    static final String DISRUPTION_BUDGETS = "poddisruptionbudgets";
    static final String PODS = "pods";
    static final String SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";

    private static final Logger LOG = LoggerFactory.getLogger(PercoreServiceReconciler.class);
    /** How soon a service no node has room for is planned again when no pod event says room was freed. */
    static final java.time.Duration UNSCHEDULABLE_RETRY = java.time.Duration.ofSeconds(30);

    private final ConfigCheck configCheck;
    private final boolean serverSideApply;
    private final SizingPlanner planner = new SizingPlanner();
    private final PlanMeters planMeters;
    private final PodReplicationProbe probe;
    private final PodAddresses podAddresses;
    /**
     * Cut-overs this process completed, by the PercoreService's uid: the reconcile right after one may read the
     * informer's copy from before its status write, and a status still saying Replicating over a pod that is now a
     * master would link that pod to the source again.
     */
    private final java.util.Map<String, io.percore.operator.crd.MigrationStatus> cutOver = new java.util.concurrent.ConcurrentHashMap<>();
    private final PodClusterProbe clusterProbe;

    /** @param serverSideApply write children with server-side apply (else read-modify-update) */
    public PercoreServiceReconciler(ConfigCheck configCheck, boolean serverSideApply) {
        this(configCheck, serverSideApply, new PlanMeters(new SimpleMeterRegistry()));
    }

    /** @param planMeters where the plans made are counted (the operator's /metrics) */
    public PercoreServiceReconciler(ConfigCheck configCheck, boolean serverSideApply, PlanMeters planMeters) {
        this(configCheck, serverSideApply, planMeters, new PodReplicationProbe(), PodAddresses.POD_IP);
    }

    /**
     * @param probe        how the operator talks RESP to a replicated service's pods
     * @param podAddresses where it reaches them (the pod IP in a cluster; tests map pods to local processes)
     */
    public PercoreServiceReconciler(ConfigCheck configCheck, boolean serverSideApply, PlanMeters planMeters,
                                    PodReplicationProbe probe, PodAddresses podAddresses) {
        this.configCheck = configCheck;
        this.serverSideApply = serverSideApply;
        this.planMeters = planMeters;
        this.probe = probe;
        this.podAddresses = podAddresses;
        this.clusterProbe = new PodClusterProbe(probe);
    }

    private static String key(PercoreService resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    @Override
    public List<EventSource<?, PercoreService>> prepareEventSources(EventSourceContext<PercoreService> context) {
        InformerEventSource<Node, PercoreService> nodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Node.class, PercoreService.class)
                        .withName(NODES)
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list()
                                .map(ResourceID::fromResource).collect(Collectors.toSet()))
                        .withOnUpdateFilter(PercoreServiceReconciler::sizingRelevantChange)
                        .build(),
                context);
        // Every kind the operator owns is watched, so a child deleted or edited by hand is put back
        // at once instead of at the next resync. Only the operator's children are cached (label
        // selector): a label edited away drops the object from the cache, which also triggers a reconcile.
        // The pods of replicated services only (their template carries the label): a readiness change or a
        // deletion of the primary starts the failover clock at once. Their owner is the StatefulSet, so
        // they map to the PercoreService by the instance label (same name as the StatefulSet).
        InformerEventSource<Pod, PercoreService> pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, PercoreService.class)
                        .withName(PODS)
                        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR + "," + Replication.REPLICATED_LABEL + "=true")
                        .withSecondaryToPrimaryMapper(pod -> pod.getMetadata().getLabels() == null
                                || pod.getMetadata().getLabels().get(Labels.INSTANCE) == null ? Set.of()
                                : Set.of(new ResourceID(pod.getMetadata().getLabels().get(Labels.INSTANCE), pod.getMetadata().getNamespace())))
                        .build(),
                context);
        return List.of(nodes, pods, ScheduledPods.eventSource(context),
                children(context, Deployment.class, DEPLOYMENTS),
                children(context, StatefulSet.class, STATEFUL_SETS),
                children(context, ConfigMap.class, CONFIG_MAPS),
                children(context, Service.class, SERVICES),
                children(context, PodDisruptionBudget.class, DISRUPTION_BUDGETS));
    }

    private static <R extends HasMetadata> InformerEventSource<R, PercoreService> children(
            EventSourceContext<PercoreService> context, Class<R> kind, String name) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(kind, PercoreService.class)
                        .withName(name)
                        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(PercoreService.class))
                        .build(),
                context);
    }

    /** Heartbeats and condition flaps do not change a plan; allocatable, labels, taints and cordons do. */
    static boolean sizingRelevantChange(Node now, Node before) {
        return !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
                || !Objects.equals(percoreAnnotations(now), percoreAnnotations(before))
                || !Objects.equals(now.getSpec(), before.getSpec())
                || !Objects.equals(now.getStatus() == null ? null : now.getStatus().getAllocatable(),
                        before.getStatus() == null ? null : before.getStatus().getAllocatable());
    }

    /** Agents rewrite other node annotations often; only ours describe topology. */
    private static java.util.Map<String, String> percoreAnnotations(Node node) {
        java.util.Map<String, String> all = node.getMetadata().getAnnotations();
        if (all == null) {
            return java.util.Map.of();
        }
        return all.entrySet().stream().filter(e -> e.getKey().startsWith("percore.io/"))
                .collect(Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<PercoreService> reconcile(PercoreService resource, Context<PercoreService> context) {
        KubernetesClient client = context.getClient();
        PlanEvents events = new PlanEvents(client);
        PercoreServiceStatus previous = resource.getStatus() == null ? new PercoreServiceStatus() : resource.getStatus();
        long generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        StatusConditions conditions = new StatusConditions(previous.getConditions(), generation);

        PercoreServiceSpec spec = resource.getSpec() == null ? new PercoreServiceSpec() : resource.getSpec();
        PercoreServiceStatus status = new PercoreServiceStatus();
        status.setObservedGeneration(generation);
        status.setPlan(previous.getPlan());
        status.setReadyReplicas(previous.getReadyReplicas());
        status.setReplication(previous.getReplication());
        status.setCluster(previous.getCluster());
        status.setMigration(previous.getMigration());

        // 1. Validate: a bad spec or config changes nothing that runs.
        List<String> problems = new ArrayList<>();
        SizingRequest request = null;
        if (spec.getImage() == null || spec.getImage().isBlank()) {
            problems.add("spec.image: required");
        }
        try {
            request = SizingRequests.fromSpec(spec);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        problems.addAll(PersistenceGuard.specProblems(spec.getPersistence()));
        boolean clustered = io.percore.operator.crd.Cluster.enabled(spec);
        // with a cluster, replication is the cluster's (replicas per primary, driven by ClusterDriver)
        boolean replicated = Replication.enabled(spec) && !clustered;
        List<String> replicationProblems = ReplicationSpecs.specProblems(spec);
        problems.addAll(replicationProblems);
        if (replicated && request != null && replicationProblems.isEmpty()) {
            request = ReplicationSpecs.sizing(spec, request);
        }
        problems.addAll(ClusterDriver.specProblems(spec));
        problems.addAll(PodPassword.specProblems(spec));
        problems.addAll(io.percore.operator.migration.MigrationSpecs.specProblems(spec));
        List<String> tlsProblems = TlsSpecs.specProblems(spec);
        problems.addAll(tlsProblems);
        // as the pods will read it: with spec.tls's bundle on its servers (their ssl.port needs one)
        List<ConfigProblem> configProblems = configCheck.check(
                ApplicationYaml.withTls(spec.configOrEmpty(), tlsProblems.isEmpty() ? spec.getTls() : null));
        configProblems.forEach(p -> problems.add(p.toString()));
        if (!problems.isEmpty()) {
            String reason = configProblems.isEmpty() ? "InvalidSpec" : "InvalidConfig";
            String message = String.join("; ", problems);
            warnOnce(events, resource, previous, reason, message);
            conditions.set(StatusConditions.PLANNED, false, reason, message)
                    .set(StatusConditions.DEGRADED, true, reason, message + " (running pods left unchanged)")
                    .set(StatusConditions.READY, false, reason, "spec generation " + generation + " not applied");
            return finish(client, resource, previous, status, conditions);
        }

        // 2. The data first: a live StatefulSet (read fresh, never from a cache that may lag the
        //    operator's own last write) bounds what may change.
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        String uid = resource.getMetadata().getUid();
        boolean persistent = Persistence.enabled(spec);
        // A StatefulSet when data is kept on claims, and when replicated (stable pod names, OnDelete rolls).
        // and in a cluster (stable pod names; scale-in removes the highest ordinals, drained first).
        boolean stateful = persistent || replicated || clustered;
        StatefulSet liveStatefulSet = ownedOrNull(client.apps().statefulSets().inNamespace(namespace).withName(name).get(), uid);
        String removalRefusal = PersistenceGuard.removalRefusal(resource, liveStatefulSet);
        String enableRefusal = ReplicationSpecs.enableRefusal(resource, liveStatefulSet);
        if (removalRefusal == null && enableRefusal != null) {
            warnOnce(events, resource, previous, ReplicationSpecs.ENABLE_REFUSED, enableRefusal);
            conditions.set(StatusConditions.PLANNED, false, ReplicationSpecs.ENABLE_REFUSED, enableRefusal)
                    .set(StatusConditions.DEGRADED, true, ReplicationSpecs.ENABLE_REFUSED, enableRefusal)
                    .set(StatusConditions.READY, false, ReplicationSpecs.ENABLE_REFUSED, "spec generation " + generation + " not applied");
            return finish(client, resource, previous, status, conditions);
        }
        if (removalRefusal != null) {
            warnOnce(events, resource, previous, PersistenceGuard.REMOVAL_REFUSED, removalRefusal);
            conditions.set(StatusConditions.PLANNED, false, PersistenceGuard.REMOVAL_REFUSED, removalRefusal)
                    .set(StatusConditions.DEGRADED, true, PersistenceGuard.REMOVAL_REFUSED, removalRefusal)
                    .set(StatusConditions.READY, false, PersistenceGuard.REMOVAL_REFUSED, "spec generation " + generation + " not applied");
            return finish(client, resource, previous, status, conditions);
        }

        // 3. Plan; a persistent StatefulSet never gets fewer pods than it runs.
        InformerEventSource<Node, PercoreService> nodeSource =
                (InformerEventSource<Node, PercoreService>) context.eventSourceRetriever().getEventSourceFor(Node.class, NODES);
        InformerEventSource<Pod, PercoreService> podSource =
                (InformerEventSource<Pod, PercoreService>) context.eventSourceRetriever().getEventSourceFor(Pod.class, ScheduledPods.NAME);
        List<NodeShape> shapes;
        try {
            // the service's own pods are left out: a re-plan replaces them, and their room is theirs again
            shapes = new NodeInventory(client).shapes(nodeSource.list(n -> true).toList(),
                    ScheduledPods.requestsByNode(podSource.list(p -> true), p -> ScheduledPods.ownedBy(p, resource)));
        } catch (IllegalArgumentException e) {
            planMeters.invalidNodes(key(resource));
            conditions.set(StatusConditions.PLANNED, false, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.DEGRADED, true, "InvalidNodeLabels", e.getMessage())
                    .set(StatusConditions.READY, false, "InvalidNodeLabels", e.getMessage());
            return finish(client, resource, previous, status, conditions);
        }
        SizingPlan plan = planner.plan(request, shapes);
        SizingRequest sized = request;
        PersistenceGuard.Guarded guarded = PersistenceGuard.guardScaleDown(resource, plan,
                // replicas of one primary hold copies: fewer of them orphan no data
                // in a cluster their slots are moved off them first (ClusterDriver)
                persistent && !replicated && !clustered && liveStatefulSet != null ? replicasOf(liveStatefulSet) : null,
                replicas -> planner.plan(sized.withReplicas(replicas), shapes));
        if (guarded.refusal() != null) {
            warnOnceDegraded(events, resource, previous, PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal());
        }
        if (guarded.hold()) {
            conditions.set(StatusConditions.PLANNED, false, PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal())
                    .set(StatusConditions.DEGRADED, true, PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal())
                    .set(StatusConditions.READY, false, PersistenceGuard.SCALE_DOWN_REFUSED, "spec generation " + generation + " not applied");
            return finish(client, resource, previous, status, conditions);
        }
        plan = guarded.plan();
        if (clustered && Replication.enabled(spec) && plan.feasible()) {
            // the plan's pods are the cluster's primaries: each gets its replica pods, of the same shape
            plan = planner.plan(ReplicationSpecs.clusterSizing(spec, request, plan.replicas(), plan.shardsPerPod()), shapes);
        }
        if (!plan.feasible()) {
            planMeters.unschedulable(key(resource));
            String message = String.join("; ", plan.reasons());
            PlanStatus failed = new PlanStatus();
            failed.setReasons(plan.reasons());
            status.setPlan(failed);
            warnOnce(events, resource, previous, "Unschedulable", message);
            // What runs keeps running: its pods the scheduler cannot place (a cordoned node) are reported, and a
            // replicated service still fails over to a replica that runs.
            List<PodsUnschedulable.Pending> pending = ScheduledPods.unschedulable(podSource.list(p -> true), resource);
            String pendingMessage = pending.isEmpty() ? "" : "; " + PodsUnschedulable.message(pending);
            if (!pending.isEmpty()) {
                warnOnceMentioned(events, resource, previous, PodsUnschedulable.REASON, PodsUnschedulable.message(pending));
            }
            Rollout live = stateful ? Rollout.of(liveStatefulSet)
                    : Rollout.of(ownedOrNull(client.apps().deployments().inNamespace(namespace).withName(name).get(), uid));
            conditions.set(StatusConditions.PLANNED, false, ScheduledPods.UNSCHEDULABLE, message)
                    .set(StatusConditions.DEGRADED, true, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; nothing rolled out"
                            + pendingMessage)
                    .set(StatusConditions.READY, false, ScheduledPods.UNSCHEDULABLE, "no node can host a new pod; " + live.ready()
                            + " pod(s) of the running workload ready" + pendingMessage);
            status.setReadyReplicas(live.ready());
            if (replicated && liveStatefulSet != null) {
                ReplicationDriver.Outcome outcome = new ReplicationDriver(client, probe, podAddresses, events)
                        .run(resource, previous.getReplication(), conditions);
                status.setReplication(outcome.status());
                return finish(client, resource, previous, status, conditions)
                        .rescheduleAfter(outcome.requeue().compareTo(UNSCHEDULABLE_RETRY) < 0 ? outcome.requeue() : UNSCHEDULABLE_RETRY);
            }
            // room freed by a pod leaving a node re-plans at once (ScheduledPods); this covers what no pod event shows
            return finish(client, resource, previous, status, conditions).rescheduleAfter(UNSCHEDULABLE_RETRY);
        }

        // 4. Replication before the children: who is primary, failover, the roll (ReplicationPlanner). A failover must
        //    not wait for the children's writes, each a round trip to the API server (0.7-1 s in all on a busy node).
        //    A roll the children's new template starts is seen at the next reconcile, a second later.
        ReplicationDriver.Outcome replicationOutcome = null;
        if (replicated) {
            replicationOutcome = new ReplicationDriver(client, probe, podAddresses, events).run(resource, previous.getReplication(), conditions);
            status.setReplication(replicationOutcome.status());
        }
        // A running Redis moved in: after the replication driver, which elects (or replaces) the primary it links to the source.
        java.time.Duration migrationRequeue = migrate(client, resource, previous, plan, replicated, status, conditions, events);

        // 5. Reconcile children. Degraded reasons, most pressing first.
        List<Degradation> degraded = new ArrayList<>();
        if (guarded.refusal() != null) {
            degraded.add(new Degradation(PersistenceGuard.SCALE_DOWN_REFUSED, guarded.refusal()));
        }
        // A cluster's pods above the plan keep running until they own no slot (the driver moves them off).
        ClusterDriver clusterDriver = null;
        ClusterDriver.Observation clusterView = null;
        SizingPlan rendered = plan;
        if (clustered) {
            clusterDriver = new ClusterDriver(client, clusterProbe, podAddresses, events);
            clusterView = clusterDriver.observe(resource, plan.replicas(),
                    liveStatefulSet == null ? 0 : replicasOf(liveStatefulSet), previous.getCluster());
            if (clusterView.decision().podsToKeep() > plan.replicas()) {
                rendered = plan.withReplicas(clusterView.decision().podsToKeep());
            }
        }
        ChildApplier applier = new ChildApplier(client, serverSideApply);
        String yaml = ApplicationYaml.render(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        String rolloutYaml = ApplicationYaml.renderForRollout(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec), spec.getTls());
        try {
            // before the pods, which read it at start (a missing Secret holds them in CreateContainerConfigError)
            if (PodPassword.ensureGenerated(client, resource)) {
                events.normal(resource, "PasswordGenerated", "Secret " + PodPassword.generatedName(resource) + " created with a random"
                        + " password (key " + Replication.PASSWORD_KEY + "): the pods require it, clients AUTH with it");
            }
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
                workload = applier.apply(WorkloadRenderer.statefulSet(resource, rendered, rolloutYaml, claimToRender));
                // The StatefulSet is written first: if it cannot be (a foreign one of that name), the Deployment keeps serving.
                if (applier.deleteOwned(named(new Deployment(), namespace, name), uid)) {
                    events.normal(resource, "WorkloadReplaced", "Deployment " + name + " replaced by StatefulSet " + name
                            + (persistent ? " (persistence " + spec.getPersistence().getMode() + "; one volume claim per pod)"
                            : " (replication: stable pod names, the operator rolls the pods)"));
                }
            } else {
                workload = applier.apply(WorkloadRenderer.deployment(resource, plan, rolloutYaml));
                // Only a StatefulSet without claims gets here (PersistenceGuard refuses to replace one with data).
                if (liveStatefulSet != null && applier.deleteOwned(named(new StatefulSet(), namespace, name), uid)) {
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
                applier.deleteOwned(named(new Service(), namespace, WorkloadRenderer.primaryServiceName(resource)), uid);
                applier.deleteOwned(named(new Service(), namespace, name + "-read"), uid);
            }
            applier.apply(WorkloadRenderer.podDisruptionBudget(resource));
        } catch (ChildApplier.ChildConflictException e) {
            conditions.set(StatusConditions.PLANNED, true, "Planned", summary(plan))
                    .set(StatusConditions.DEGRADED, true, "ChildConflict", e.getMessage())
                    .set(StatusConditions.READY, false, "ChildConflict", e.getMessage());
            status.setPlan(toStatus(plan));
            return finish(client, resource, previous, status, conditions);
        }
        if (!replicated && !clustered) {
            // the drivers report it for replicated and clustered services (they need the password themselves)
            PodPassword password = PodPassword.read(client, resource);
            if (password.missing()) {
                degraded.add(new Degradation(PodPassword.MISSING_REASON, password.problem()));
            }
        }
        List<PodsUnschedulable.Pending> pending = ScheduledPods.unschedulable(podSource.list(p -> true), resource);
        if (!pending.isEmpty()) {
            String message = PodsUnschedulable.message(pending);
            warnOnceMentioned(events, resource, previous, PodsUnschedulable.REASON, message);
            degraded.add(0, new Degradation(PodsUnschedulable.REASON, message));
        }
        if (plan.degraded()) {
            degraded.add(new Degradation(plan.podCapacity() < plan.replicas() ? "InsufficientCapacity" : "PinningNotGuaranteed",
                    plan.reasons().stream().filter(r -> r.contains("capacity") || r.contains("forced")).collect(Collectors.joining("; "))));
        }
        boolean monitorCrd = serviceMonitorCrdExists(client, resource);
        if (WorkloadRenderer.wantsServiceMonitor(resource)) {
            if (monitorCrd) {
                applier.apply(WorkloadRenderer.serviceMonitor(resource));
            } else {
                degraded.add(new Degradation("ServiceMonitorUnavailable",
                        "spec.monitoring.serviceMonitor is true but CRD " + SERVICE_MONITOR_CRD + " is not installed"));
            }
        } else if (monitorCrd) {
            deleteQuietly(client, WorkloadRenderer.serviceMonitor(resource));
        }

        // 6. Status.
        PlanStatus planStatus = toStatus(plan);
        boolean shapeChanged = !sameShape(previous.getPlan(), planStatus);
        planMeters.feasible(key(resource), plan, shapeChanged);
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

        // 7. Replication and migration (run above): look again soon.
        if (replicated) {
            java.time.Duration requeue = replicationOutcome.requeue();
            if (migrationRequeue != null && migrationRequeue.compareTo(requeue) < 0) {
                requeue = migrationRequeue;
            }
            return finish(client, resource, previous, status, conditions).rescheduleAfter(requeue);
        }
        status.setReplication(null);
        // 8. Cluster: the layout the pods hold, the next one sent, migrations waited for.
        if (clustered) {
            ClusterDriver.Outcome outcome = clusterDriver.act(resource, clusterView, previous.getConditions(), conditions);
            status.setCluster(outcome.status());
            return finish(client, resource, previous, status, conditions).rescheduleAfter(outcome.requeue());
        }
        status.setCluster(null);
        UpdateControl<PercoreService> done = finish(client, resource, previous, status, conditions);
        return migrationRequeue == null ? done : done.rescheduleAfter(migrationRequeue);
    }

    /**
     * {@code spec.migrateFrom}: the service's one primary follows the source until the cut-over ({@link MigrationDriver}).
     * Without it, a completed migration's record stays in the status and nothing is done.
     *
     * @return when to look again, or null when there is nothing to follow
     */
    private java.time.Duration migrate(KubernetesClient client, PercoreService resource, PercoreServiceStatus previous, SizingPlan plan,
                                       boolean replicated, PercoreServiceStatus status, StatusConditions conditions, PlanEvents events) {
        if (resource.getSpec().getMigrateFrom() == null) {
            status.setMigration(previous.getMigration() != null
                    && io.percore.operator.migration.MigrationPlanner.COMPLETED.equals(previous.getMigration().getPhase()) ? previous.getMigration() : null);
            return null;
        }
        if (!replicated && plan.replicas() != 1) {
            String why = "the service runs " + plan.replicas() + " independent pods; a migration copies into one primary: set"
                    + " spec.replication (one primary and its replicas) or plan one pod";
            conditions.set(MigrationDriver.CONDITION, false, "MigrationRefused", why);
            return null;
        }
        io.percore.operator.crd.MigrationStatus prior = previous.getMigration();
        io.percore.operator.crd.MigrationStatus completed = cutOver.get(resource.getMetadata().getUid());
        if (completed != null && (prior == null || !io.percore.operator.migration.MigrationPlanner.COMPLETED.equals(prior.getPhase()))) {
            prior = completed;
        }
        MigrationDriver.Outcome outcome = new MigrationDriver(client, probe, podAddresses, events).run(resource, prior, conditions);
        status.setMigration(outcome.status());
        if (io.percore.operator.migration.MigrationPlanner.COMPLETED.equals(outcome.status().getPhase())) {
            cutOver.put(resource.getMetadata().getUid(), outcome.status());
        }
        return outcome.requeue();
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

    private static int replicasOf(StatefulSet statefulSet) {
        // The API server defaults an unset replicas to 1.
        return statefulSet.getSpec() == null || statefulSet.getSpec().getReplicas() == null ? 1 : statefulSet.getSpec().getReplicas();
    }

    /** A live child only counts when this PercoreService owns it; another's object of the same name is not ours to guard. */
    private static <T extends HasMetadata> T ownedOrNull(T live, String ownerUid) {
        return live != null && ChildApplier.ownedBy(live, ownerUid) ? live : null;
    }

    private UpdateControl<PercoreService> finish(KubernetesClient client, PercoreService resource, PercoreServiceStatus previous,
                                                 PercoreServiceStatus status, StatusConditions conditions) {
        status.setConditions(conditions.build());
        if (status.equals(previous)) {
            return UpdateControl.noUpdate();
        }
        if (!serverSideApply) {
            writeWholeStatus(client, resource, status);
            return UpdateControl.noUpdate();
        }
        return UpdateControl.patchStatus(statusOnly(resource, status));
    }

    /**
     * Without server-side apply, the status as one JSON Patch {@code add /status} of the whole value:
     * it replaces whatever the server holds, so it needs no base. The SDK's own non-SSA status patch is
     * the difference between the informer's copy and the new status: when that copy is not what the
     * server holds, an operation on a field the server lacks fails ({@code [REPLACE Operation] Missing
     * field "replicas" at /status/cluster/pods/1} in ClusterScalingTest, every retry until the test
     * gave up), and a difference of reordered lists can leave the server with another status than
     * the one meant.
     */
    static void writeWholeStatus(KubernetesClient client, PercoreService resource, PercoreServiceStatus status) {
        String value = client.getKubernetesSerialization().asJson(status);
        client.resources(PercoreService.class).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName()).subresource("status")
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + value + "}]");
    }

    /**
     * The body of a status write: identity and status, no spec. With server-side apply the operator
     * would otherwise apply (and own, and later wipe) every spec field the user wrote.
     */
    static PercoreService statusOnly(PercoreService resource, PercoreServiceStatus status) {
        PercoreService patch = new PercoreService();
        patch.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return patch;
    }

    /** One warning per distinct problem, not one per reconcile. */
    private static void warnOnce(PlanEvents events, PercoreService resource, PercoreServiceStatus previous, String reason, String message) {
        var planned = StatusConditions.find(previous.getConditions(), StatusConditions.PLANNED);
        if (planned == null || !reason.equals(planned.getReason()) || !message.equals(planned.getMessage())) {
            events.warning(resource, reason, message);
        }
    }

    /** One warning per distinct message that the previous Degraded condition did not already carry. */
    private static void warnOnceMentioned(PlanEvents events, PercoreService resource, PercoreServiceStatus previous, String reason, String message) {
        var degraded = StatusConditions.find(previous.getConditions(), StatusConditions.DEGRADED);
        if (degraded == null || degraded.getMessage() == null || !degraded.getMessage().contains(message)) {
            events.warning(resource, reason, message);
        }
    }

    /** One warning per distinct degradation, not one per reconcile. */
    private static void warnOnceDegraded(PlanEvents events, PercoreService resource, PercoreServiceStatus previous, String reason, String message) {
        var degraded = StatusConditions.find(previous.getConditions(), StatusConditions.DEGRADED);
        if (degraded == null || !reason.equals(degraded.getReason()) || !degraded.getMessage().startsWith(message)) {
            events.warning(resource, reason, message);
        }
    }

    @Override
    public ErrorStatusUpdateControl<PercoreService> updateErrorStatus(PercoreService resource, Context<PercoreService> context, Exception e) {
        PercoreServiceStatus previous = resource.getStatus() == null ? new PercoreServiceStatus() : resource.getStatus();
        long generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        StatusConditions conditions = new StatusConditions(previous.getConditions(), generation);
        for (var c : previous.getConditions()) {
            if (!StatusConditions.DEGRADED.equals(c.getType())) {
                conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage());
            }
        }
        conditions.set(StatusConditions.DEGRADED, true, "ReconcileError", String.valueOf(e.getMessage()));
        PercoreServiceStatus status = new PercoreServiceStatus();
        status.setObservedGeneration(previous.getObservedGeneration());
        status.setPlan(previous.getPlan());
        status.setReadyReplicas(previous.getReadyReplicas());
        status.setReplication(previous.getReplication());
        status.setCluster(previous.getCluster());
        status.setMigration(previous.getMigration());
        status.setConditions(conditions.build());
        LOG.warn("reconcile of {}/{} failed: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e.toString());
        if (!serverSideApply) {
            // as finish: whole, since the informer's copy may be behind (the failure may have been that very patch)
            try {
                writeWholeStatus(context.getClient(), resource, status);
            } catch (KubernetesClientException writeFailed) {
                LOG.warn("status of {}/{} not written: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
                        writeFailed.toString());
            }
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        return ErrorStatusUpdateControl.patchStatus(statusOnly(resource, status));
    }

    /**
     * Owner references make the API server's garbage collector delete the children too; deleting
     * them here as well makes removal immediate and works where no collector runs.
     */
    @Override
    public DeleteControl cleanup(PercoreService resource, Context<PercoreService> context) {
        planMeters.deleted(key(resource));
        cutOver.remove(resource.getMetadata().getUid());
        KubernetesClient client = context.getClient();
        ChildApplier applier = new ChildApplier(client, serverSideApply);
        if (serviceMonitorCrdExists(client, resource)) {
            deleteQuietly(client, WorkloadRenderer.serviceMonitor(resource));
        }
        String ns = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        // The StatefulSet's claims are not deleted: its retention policy keeps them (Retain), so the
        // data outlives the PercoreService and a new one of the same name finds it again.
        for (HasMetadata child : List.<HasMetadata>of(
                named(new PodDisruptionBudget(), ns, name), named(new Service(), ns, name),
                named(new Service(), ns, WorkloadRenderer.primaryServiceName(resource)), named(new Service(), ns, name + "-read"),
                named(new Deployment(), ns, name), named(new StatefulSet(), ns, name),
                named(new ConfigMap(), ns, WorkloadRenderer.configMapName(resource)),
                named(new io.fabric8.kubernetes.api.model.Secret(), ns, PodPassword.generatedName(resource)))) {
            applier.deleteOwned(child, resource.getMetadata().getUid());
        }
        return DeleteControl.defaultDelete();
    }

    private static <T extends HasMetadata> T named(T resource, String namespace, String name) {
        resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        return resource;
    }

    private static void deleteQuietly(KubernetesClient client, GenericKubernetesResource resource) {
        try {
            client.resource(resource).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static boolean serviceMonitorCrdExists(KubernetesClient client, PercoreService resource) {
        try {
            return client.apiextensions().v1().customResourceDefinitions().withName(SERVICE_MONITOR_CRD).get() != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                LOG.debug("cannot read CRD {}: assuming absent", SERVICE_MONITOR_CRD);
                return false;
            }
            throw e;
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
