package io.percore.operator.reconcile;

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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.percore.operator.replication.PrimaryConnectionWatch;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.percore.operator.config.ConfigCheck;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.replication.PodLoss;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.cluster.PodClusterProbe;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.sizing.SizingPlanner;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's side of {@link PercoreService}: what is watched, one reconcile ({@link ReconcilePass}, its steps), a failed
 * one's status, cleanup, and what outlives a reconcile. Kubernetes glue only: the decisions live in
 * {@link ConfigCheck}, {@link SizingPlanner}, {@link PersistenceGuard} (what a persistent service may not lose) and
 * {@link WorkloadRenderer}.
 * Any node change re-plans every PercoreService (nodes are few and plans are cheap); a periodic
 * resync picks up NodeResourceTopology changes.
 */
// Not generation-aware: a change of the spec reconciles (its generation), and so does one of a scenario's annotations (a
// backup requested), which changes no generation; the status the operator writes does not (ResourceUpdateFilter).
@ControllerConfiguration(name = PercoreServiceReconciler.NAME, fieldManager = ChildApplier.FIELD_MANAGER,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES),
        generationAwareEventProcessing = false,
        informer = @io.javaoperatorsdk.operator.api.config.informer.Informer(onUpdateFilter = ResourceUpdateFilter.class))
// A failed reconcile is retried for as long as it fails, 2 s after the first failure and at most every 30 s: the SDK's
// default gives up after five retries (2, 2, 3, 4.5 and 6.75 s apart) until the next event or the 5-minute resync,
// and a replicated or clustered service whose pods send no event (a primary already down, an API server back from a
// hiccup) would wait that long for its failover.
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 1.5, maxInterval = 30_000)
public class PercoreServiceReconciler implements Reconciler<PercoreService>, Cleaner<PercoreService>, AutoCloseable {

    public static final String NAME = "percoreservice";
    static final String NODES = "nodes";
    static final String DEPLOYMENTS = "deployments";
    static final String STATEFUL_SETS = "statefulsets";
    static final String CONFIG_MAPS = "configmaps";
    static final String SERVICES = "services";
    static final String DISRUPTION_BUDGETS = "poddisruptionbudgets";
    static final String PODS = "pods";
    static final String PRIMARY_CONNECTIONS = "primary-connections";
    static final String SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";

    private static final Logger LOG = LoggerFactory.getLogger(PercoreServiceReconciler.class);
    /** How soon a service no node has room for is planned again when no pod event says room was freed. */
    static final java.time.Duration UNSCHEDULABLE_RETRY = java.time.Duration.ofSeconds(30);

    final ConfigCheck configCheck;
    final boolean serverSideApply;
    final SizingPlanner planner = new SizingPlanner();
    final PlanMeters planMeters;
    /** The events its reconciles wrote lately: the same one again is counted, not written anew. */
    final PlanEvents.Recent recentEvents = new PlanEvents.Recent();
    final PodReplicationProbe probe;
    final PodAddresses podAddresses;
    final String operatorImage;
    /** The time the scenarios' schedules read (a backup's next minute): the system's, a test's own to move. */
    final java.time.Clock clock;
    /** What the scenarios keep from one reconcile to the next (a migration's last cut-over). */
    final ScenarioMemory memory = new ScenarioMemory();
    /**
     * The generation whose "no ServiceMonitor" each service's pass has made true (its old one deleted, where the CRD
     * exists): asked again only when the spec changes or the operator starts, not every pass (a GET of the CRD and a
     * DELETE answered 404 each pass before).
     */
    final java.util.Map<String, Long> serviceMonitorAbsentAt = new java.util.concurrent.ConcurrentHashMap<>();
    final PodClusterProbe clusterProbe;
    /** Reconciles a service at once when its primary's connection closes (its process exited): see {@link PrimaryConnectionWatch}. */
    private final SimpleInboundEventSource<PercoreService> primaryClosed = new SimpleInboundEventSource<>(PRIMARY_CONNECTIONS);
    /** The replicated services' primaries, each watched on one idle connection. */
    final PrimaryConnectionWatch primaryWatch;

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
        this(configCheck, serverSideApply, planMeters, probe, podAddresses, WorkloadRenderer.DEFAULT_OPERATOR_IMAGE);
    }

    /** @param operatorImage the operator's own image: what its backup Jobs and restore init containers run */
    public PercoreServiceReconciler(ConfigCheck configCheck, boolean serverSideApply, PlanMeters planMeters,
                                    PodReplicationProbe probe, PodAddresses podAddresses, String operatorImage) {
        this(configCheck, serverSideApply, planMeters, probe, podAddresses, operatorImage, java.time.Clock.systemUTC());
    }

    /** @param clock what the backup schedule reads as now (tests move it instead of waiting a minute) */
    public PercoreServiceReconciler(ConfigCheck configCheck, boolean serverSideApply, PlanMeters planMeters,
                                    PodReplicationProbe probe, PodAddresses podAddresses, String operatorImage, java.time.Clock clock) {
        this.clock = clock;
        this.operatorImage = operatorImage;
        this.configCheck = configCheck;
        this.serverSideApply = serverSideApply;
        this.planMeters = planMeters;
        this.probe = probe;
        this.podAddresses = podAddresses;
        this.clusterProbe = new PodClusterProbe(probe);
        this.primaryWatch = new PrimaryConnectionWatch(probe, key -> {
            int slash = key.indexOf('/');
            primaryClosed.propagateEvent(new ResourceID(key.substring(slash + 1), key.substring(0, slash)));
        });
    }

    /** Ends the watches of the primaries' connections (the operator stops). */
    @Override
    public void close() {
        primaryWatch.close();
    }

    static String key(PercoreService resource) {
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
                        .withOnUpdateFilter(PercoreServiceReconciler::relevantNodeChange)
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
        List<EventSource<?, PercoreService>> sources = new java.util.ArrayList<>(List.of(nodes, pods, ScheduledPods.eventSource(context),
                UserSecrets.eventSource(context), primaryClosed));
        WATCHED_CHILDREN.forEach((kind, name) -> sources.add(children(context, kind, name)));
        return sources;
    }

    /**
     * The kinds of the operator's children, each watched whole by an informer of its own ({@link #children}) under this
     * name: the workload's, then what the scenarios write besides it (a backup's Job: its end reconciles at once).
     */
    private static final java.util.Map<Class<? extends HasMetadata>, String> WATCHED_CHILDREN = watchedChildren();

    private static java.util.Map<Class<? extends HasMetadata>, String> watchedChildren() {
        java.util.Map<Class<? extends HasMetadata>, String> kinds = new java.util.LinkedHashMap<>();
        kinds.put(Deployment.class, DEPLOYMENTS);
        kinds.put(StatefulSet.class, STATEFUL_SETS);
        kinds.put(ConfigMap.class, CONFIG_MAPS);
        kinds.put(Service.class, SERVICES);
        kinds.put(PodDisruptionBudget.class, DISRUPTION_BUDGETS);
        Scenarios.ALL.stream().flatMap(scenario -> scenario.watchedChildren().stream())
                .forEach(kind -> kinds.putIfAbsent(kind, kind.getSimpleName().toLowerCase(java.util.Locale.ROOT) + "s"));
        return java.util.Collections.unmodifiableMap(kinds);
    }

    /**
     * The kinds {@link ChildCache} may compare with: those the informers above hold whole. Not Secrets: their informer
     * keeps metadata only ({@link UserSecrets}).
     */
    static final Set<Class<? extends HasMetadata>> CACHED_CHILD_KINDS = WATCHED_CHILDREN.keySet();

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
    /** A change that re-plans (the node's sizing facts) or that a failover acts on at once (its readiness: a primary lost with it). */
    static boolean relevantNodeChange(Node now, Node before) {
        return PodLoss.nodeReady(now) != PodLoss.nodeReady(before)
                || !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
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

    /** The steps of one reconcile are {@link ReconcilePass}'s: validate, guard the data, plan, the scenarios' look at the pods, write, report. */
    @Override
    public UpdateControl<PercoreService> reconcile(PercoreService resource, Context<PercoreService> context) {
        return new ReconcilePass(this, resource, context).run();
    }

    /** The status a reconcile ends with, written only when it differs from what the resource holds. */
    UpdateControl<PercoreService> finish(KubernetesClient client, PercoreService resource, PercoreServiceStatus previous,
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
        Scenarios.ALL.forEach(scenario -> scenario.carryStatus(previous, status));
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
        primaryWatch.forget(key(resource));
        serviceMonitorAbsentAt.remove(key(resource));
        Scenarios.ALL.forEach(scenario -> scenario.forget(resource, memory));
        KubernetesClient client = context.getClient();
        ChildApplier applier = new ChildApplier(client, serverSideApply);
        if (serviceMonitorCrdExists(client, resource)) {
            deleteQuietly(client, WorkloadRenderer.serviceMonitor(resource));
        }
        String ns = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        // The StatefulSet's claims are not deleted: its retention policy keeps them (Retain), so the
        // data outlives the PercoreService and a new one of the same name finds it again.
        List<HasMetadata> children = new java.util.ArrayList<>(List.of(
                named(new PodDisruptionBudget(), ns, name), named(new Service(), ns, name),
                named(new Deployment(), ns, name), named(new StatefulSet(), ns, name),
                named(new ConfigMap(), ns, WorkloadRenderer.configMapName(resource))));
        Scenarios.ALL.forEach(scenario -> children.addAll(scenario.children(resource)));
        for (HasMetadata child : children) {
            applier.deleteOwned(child, resource.getMetadata().getUid());
        }
        return DeleteControl.defaultDelete();
    }

    static <T extends HasMetadata> T named(T resource, String namespace, String name) {
        resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        return resource;
    }

    static void deleteQuietly(KubernetesClient client, GenericKubernetesResource resource) {
        try {
            client.resource(resource).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    static boolean serviceMonitorCrdExists(KubernetesClient client, PercoreService resource) {
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
}
