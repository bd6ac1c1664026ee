package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.sizing.PodRequests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every pod of the cluster, reduced to what the scheduler weighs: where it is bound, what it requests, whether it
 * finished, and whether the scheduler could place it. The planner subtracts the other pods' requests from each
 * node as the scheduler does ({@link #requestsByNode}); a pod of the service's own that the scheduler cannot place
 * is reported with the scheduler's message ({@link #unschedulable}). Events: a pod that leaves a node (deleted or
 * finished) re-plans the services waiting for room; one of the operator's pods whose scheduling changed
 * re-reconciles its service.
 *
 * <p>The cache keeps a stripped copy of each pod ({@link StrippedPodStore}), so watching every pod costs a few
 * hundred bytes a pod, not the whole object.
 */
final class ScheduledPods {

    static final String NAME = "scheduled-pods";
    static final String POD_SCHEDULED = "PodScheduled";
    static final String UNSCHEDULABLE = "Unschedulable";

    private ScheduledPods() {
    }

    static InformerEventSource<Pod, PercoreService> eventSource(EventSourceContext<PercoreService> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, PercoreService.class)
                        .withName(NAME)
                        .withWatchAllNamespaces()
                        .withItemStore(new StrippedPodStore())
                        .withOnAddFilter(pod -> false)
                        .withOnUpdateFilter((now, before) -> ours(now) && !Objects.equals(scheduling(now), scheduling(before))
                                || PodRequests.occupiesNode(before) && !PodRequests.occupiesNode(now))
                        .withOnDeleteFilter((pod, unknownFinalState) -> ours(pod) || PodRequests.occupiesNode(pod))
                        .withSecondaryToPrimaryMapper(pod -> ours(pod)
                                ? Set.of(new ResourceID(pod.getMetadata().getLabels().get(Labels.INSTANCE), pod.getMetadata().getNamespace()))
                                : context.getPrimaryCache().list().filter(ScheduledPods::waitsForRoom)
                                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                        .build(),
                context);
    }

    /** A pod the operator's workloads made (the template's labels). */
    static boolean ours(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels != null && Labels.OPERATOR.equals(labels.get(Labels.MANAGED_BY)) && labels.get(Labels.INSTANCE) != null;
    }

    static boolean ownedBy(Pod pod, PercoreService service) {
        return ours(pod) && service.getMetadata().getName().equals(pod.getMetadata().getLabels().get(Labels.INSTANCE))
                && service.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace());
    }

    /** Planned=False for want of room, or pods the scheduler cannot place: room freed elsewhere may change that. */
    static boolean waitsForRoom(PercoreService service) {
        if (service.getStatus() == null) {
            return false;
        }
        var planned = StatusConditions.find(service.getStatus().getConditions(), StatusConditions.PLANNED);
        var degraded = StatusConditions.find(service.getStatus().getConditions(), StatusConditions.DEGRADED);
        return planned != null && "False".equals(planned.getStatus()) && UNSCHEDULABLE.equals(planned.getReason())
                || degraded != null && "True".equals(degraded.getStatus())
                && (PodsUnschedulable.REASON.equals(degraded.getReason()) || "InsufficientCapacity".equals(degraded.getReason()));
    }

    /** What the pods bound to each node request, leaving out the pods {@code excluded} (the service being planned). */
    static Map<String, PodRequests.Requests> requestsByNode(Stream<Pod> pods, Predicate<Pod> excluded) {
        Map<String, PodRequests.Requests> byNode = new HashMap<>();
        pods.filter(PodRequests::occupiesNode).filter(excluded.negate())
                .forEach(p -> byNode.merge(p.getSpec().getNodeName(), PodRequests.of(p), PodRequests.Requests::plus));
        return byNode;
    }

    /** The service's pods the scheduler could not place, each with its message, sorted by pod name. */
    static List<PodsUnschedulable.Pending> unschedulable(Stream<Pod> pods, PercoreService service) {
        List<PodsUnschedulable.Pending> pending = new ArrayList<>();
        pods.filter(p -> ownedBy(p, service)).forEach(p -> {
            PodCondition c = scheduling(p);
            if (c != null && "False".equals(c.getStatus()) && UNSCHEDULABLE.equals(c.getReason())
                    && (p.getMetadata().getDeletionTimestamp() == null)) {
                pending.add(new PodsUnschedulable.Pending(p.getMetadata().getName(), c.getMessage() == null ? "" : c.getMessage()));
            }
        });
        pending.sort((a, b) -> a.pod().compareTo(b.pod()));
        return pending;
    }

    private static PodCondition scheduling(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> POD_SCHEDULED.equals(c.getType())).findFirst().orElse(null);
    }

    /**
     * The informer's cache of pods: only the fields above are kept (identity, labels, node, requests, phase, the
     * PodScheduled condition). Nothing else reads this cache: the replication informer has its own, whole pods.
     */
    static final class StrippedPodStore implements ItemStore<Pod> {

        private final BasicItemStore<Pod> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

        static Pod strip(Pod pod) {
            var meta = pod.getMetadata();
            PodBuilder b = new PodBuilder().withNewMetadata().withName(meta.getName()).withNamespace(meta.getNamespace())
                    .withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion()).withLabels(meta.getLabels())
                    .withDeletionTimestamp(meta.getDeletionTimestamp()).endMetadata();
            if (pod.getSpec() != null) {
                b.withNewSpec().withNodeName(pod.getSpec().getNodeName()).withOverhead(pod.getSpec().getOverhead())
                        .withContainers(requestsOnly(pod.getSpec().getContainers()))
                        .withInitContainers(requestsOnly(pod.getSpec().getInitContainers())).endSpec();
            }
            if (pod.getStatus() != null) {
                PodCondition c = scheduling(pod);
                b.withNewStatus().withPhase(pod.getStatus().getPhase()).withConditions(c == null ? List.of() : List.of(c)).endStatus();
            }
            return b.build();
        }

        private static List<Container> requestsOnly(List<Container> containers) {
            if (containers == null) {
                return List.of();
            }
            return containers.stream().map(c -> new ContainerBuilder().withName(c.getName())
                    .withNewResources().withRequests(c.getResources() == null ? null : c.getResources().getRequests()).endResources()
                    .build()).toList();
        }

        @Override
        public String getKey(Pod pod) {
            return store.getKey(pod);
        }

        @Override
        public Pod put(String key, Pod pod) {
            return store.put(key, strip(pod));
        }

        @Override
        public Pod remove(String key) {
            return store.remove(key);
        }

        @Override
        public Stream<String> keySet() {
            return store.keySet();
        }

        @Override
        public Stream<Pod> values() {
            return store.values();
        }

        @Override
        public int size() {
            return store.size();
        }

        @Override
        public Pod get(String key) {
            return store.get(key);
        }
    }
}
