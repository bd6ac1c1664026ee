package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.ReplicationStatus;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.migration.MigrationSpecs;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodLoss;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PrimaryConnectionWatch;
import io.percore.operator.replication.CatchUp;
import io.percore.operator.replication.FailoverClock;
import io.percore.operator.replication.LastSeenPositions;
import io.percore.operator.replication.Lineage;
import io.percore.operator.replication.ReplicationPlanner;
import io.percore.operator.replication.ReplicationPlanner.Decision;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes and RESP glue around {@link ReplicationPlanner}: lists the pods (fresh, not from a
 * cache that may lag the operator's own label writes), probes each with {@link PodReplicationProbe},
 * asks the planner, and carries out its decision in a safe order — unlabel (fence) before anything
 * else, promote before labelling, label before repointing — recording each step as an event.
 */
final class ReplicationDriver {

    static final String CONDITION = "Replicated";
    /** How soon a planned stop's handover given up is looked at again: the pod is going, its writes held since SIGTERM. */
    static final Duration LEAVING_RETRY = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationDriver.class);

    private final KubernetesClient client;
    private final PodReplicationProbe probe;
    private final PodAddresses addresses;
    private final PlanEvents events;
    /** The nodes by name (the informer's): a pod on a node NotReady is lost now. */
    private final Map<String, Node> nodes;
    /** Writes the primary Service's EndpointSlice. */
    private final ChildApplier applier;
    /** Holds a connection to the primary that answered, so that its process exiting reconciles at once. */
    private final PrimaryConnectionWatch watch;
    /** Where the pods were last seen, fresher than the status's record while they stay in step. */
    private final SeenPositions seen;

    ReplicationDriver(KubernetesClient client, PodReplicationProbe probe, PodAddresses addresses, PlanEvents events, Map<String, Node> nodes,
                      ChildApplier applier, PrimaryConnectionWatch watch, SeenPositions seen) {
        this.watch = watch;
        this.seen = seen;
        this.client = client;
        this.probe = probe;
        this.addresses = addresses;
        this.events = events;
        this.nodes = nodes;
        this.applier = applier;
    }

    /**
     * @param requeue   when to reconcile again at the latest
     * @param noPrimary why no primary serves, after there was one (null: one does, or none was ever elected)
     */
    record Outcome(ReplicationStatus status, Duration requeue, String noPrimary) {
        Outcome(ReplicationStatus status, Duration requeue) {
            this(status, requeue, null);
        }
    }

    /**
     * What the pods said and what the planner decided of it.
     *
     * @param before         the status shown last
     * @param password       what the operator AUTHs with; {@code missing()}: nothing was asked, the decision is null
     * @param updateRevision the StatefulSet's update revision (null: none yet)
     * @param address        each pod's address (null: none yet)
     */
    record Observation(ReplicationStatus before, PodPassword password, String updateRevision, Map<String, HostPort> address,
                       Decision decision, java.util.Set<String> serving, String history, Map<String, LastSeenPositions.Position> positions,
                       Lineage lineage) {
        Observation(ReplicationStatus before, PodPassword password, String updateRevision, Map<String, HostPort> address, Decision decision) {
            this(before, password, updateRevision, address, decision, java.util.Set.of(), before.getHistory(), lastSeen(before), ReplicationDriver.lineage(before));
        }
    }

    /**
     * Where each service's pods were last seen (by the service's uid), with the record of the status it grew from: the
     * status keeps its record while the pods stay in step ({@link ReplicationPlanner#record}), and the operator plans with
     * what it saw last, as it did when the status took every look. A record it did not write (another operator's, after
     * a change of leader, or its own write not yet in the informer's cache) is read instead: never older than what the
     * pods' files hold.
     */
    static final class SeenPositions {

        private record Seen(Map<String, LastSeenPositions.Position> recorded, Map<String, LastSeenPositions.Position> latest) {
        }

        private final Map<String, Seen> byUid = new java.util.concurrent.ConcurrentHashMap<>();
        /** The primary's offsets over the last looks, by service: which replicas still catch up with it. */
        private final Map<String, CatchUp> catchUps = new java.util.concurrent.ConcurrentHashMap<>();

        Map<String, LastSeenPositions.Position> lastSeen(String uid, Map<String, LastSeenPositions.Position> recorded) {
            Seen s = uid == null ? null : byUid.get(uid);
            return s != null && s.recorded().equals(recorded) ? s.latest() : recorded;
        }

        void remember(String uid, Map<String, LastSeenPositions.Position> recorded, Map<String, LastSeenPositions.Position> latest) {
            if (uid != null) {
                byUid.put(uid, new Seen(Map.copyOf(recorded), Map.copyOf(latest)));
            }
        }

        /** The replicas behind the primary's stream by this look ({@link CatchUp#look}); none known without the service's uid. */
        java.util.Set<String> catchingUp(String uid, List<PodState> pods) {
            return uid == null ? java.util.Set.of() : catchUps.computeIfAbsent(uid, u -> new CatchUp()).look(System.nanoTime(), pods);
        }

        void forget(String uid) {
            if (uid != null) {
                byUid.remove(uid);
                catchUps.remove(uid);
            }
        }
    }

    /** status.replication.positions as the planner takes them. */
    static Map<String, LastSeenPositions.Position> lastSeen(ReplicationStatus status) {
        Map<String, LastSeenPositions.Position> seen = new java.util.TreeMap<>();
        if (status.getPositions() != null) {
            status.getPositions().forEach((pod, at) -> {
                if (at != null && at.getReplid() != null && at.getOffset() != null) {
                    seen.put(pod, new LastSeenPositions.Position(at.getReplid(), at.getOffset()));
                }
            });
        }
        return seen;
    }

    /** status.replication.lineage as the planner takes it. */
    static Lineage lineage(ReplicationStatus status) {
        return Lineage.of(status.getLineage());
    }

    /** The status to record: the primary, the failover clock, the history, where each pod was last seen, the lineage. */
    private static ReplicationStatus status(String primary, String since, String history, Map<String, LastSeenPositions.Position> positions,
                                            Lineage lineage) {
        ReplicationStatus status = new ReplicationStatus(primary, since, history);
        if (!lineage.links().isEmpty()) {
            status.setLineage(lineage.recorded());
        }
        if (!positions.isEmpty()) {
            Map<String, io.percore.operator.crd.ReplicationPosition> recorded = new java.util.TreeMap<>();
            positions.forEach((pod, at) -> recorded.put(pod, new io.percore.operator.crd.ReplicationPosition(at.replid(), at.offset())));
            status.setPositions(recorded);
        }
        return status;
    }

    Outcome run(PercoreService s, ReplicationStatus previous, StatusConditions conditions) {
        return act(s, observe(s, previous), conditions);
    }

    /** Lists the pods (fresh), asks each {@code INFO replication}, and the planner what to do. */
    Observation observe(PercoreService s, ReplicationStatus previous) {
        String ns = s.getMetadata().getNamespace();
        String name = s.getMetadata().getName();
        Replication replication = s.getSpec().getReplication();
        ReplicationStatus before = previous == null ? new ReplicationStatus() : previous;

        PodPassword secret = PodPassword.read(client, s);
        if (secret.missing()) {
            return new Observation(before, secret, null, Map.of(), null);
        }
        PodAuth password = secret.auth();

        int port = s.getSpec().respPort().getPort();
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
        String updateRevision = sts == null || sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
        Map<String, Pod> pods = new LinkedHashMap<>();
        Map<String, HostPort> reachAt = new LinkedHashMap<>();
        for (Pod pod : client.pods().inNamespace(ns).withLabels(Labels.selector(s)).list().getItems()) {
            if (Pods.ordinal(name, pod.getMetadata().getName()) == null) {
                continue;
            }
            pods.put(pod.getMetadata().getName(), pod);
            HostPort address = addresses.of(pod, port);
            if (address != null) {
                reachAt.put(pod.getMetadata().getName(), address);
            }
        }
        Map<String, PodProbes.Answer> answers = PodProbes.ask(probe, reachAt, password, ns);
        List<PodState> states = new ArrayList<>();
        for (Pod pod : pods.values()) {
            int ordinal = Pods.ordinal(name, pod.getMetadata().getName());
            HostPort address = reachAt.get(pod.getMetadata().getName());
            PodProbes.Answer answer = answers.get(pod.getMetadata().getName());
            Observed observed = answer == null ? null : answer.observed();
            boolean refused = answer != null && answer.refused();
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            if (observed != null && !observed.master() && Replication.PRIMARY.equals(labels.get(Replication.ROLE_LABEL))
                    && MigrationSpecs.followsSource(s, observed.following())) {
                // a primary moving a running Redis in follows that Redis (spec.migrateFrom): it is the service's primary all the same
                observed = Observed.master(observed.offset()).withKeys(observed.keys());
            }
            boolean ready = FailoverClock.readiness(Pods.ready(pod), PodLoss.unreadyAt(pod), PodLoss.labelledPrimaryAt(pod),
                    observed != null && observed.master());
            states.add(new PodState(pod.getMetadata().getName(), ordinal, ready, pod.getMetadata().getDeletionTimestamp() != null,
                    Replication.PRIMARY.equals(labels.get(Replication.ROLE_LABEL)),
                    updateRevision == null || updateRevision.equals(labels.get(Pods.REVISION_LABEL)), address, observed,
                    lost(pod, refused, address), Replication.PROMOTING.equals(labels.get(Replication.ROLE_LABEL)),
                    pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(Replication.HISTORY_ANNOTATION),
                    observed == null && Pods.comesBack(pod, refused, Instant.now())));
        }

        Instant now = Instant.now();
        HostPort service = new HostPort(WorkloadRenderer.primaryServiceHost(s), port);
        String labelled = states.stream().filter(PodState::labelledPrimary).map(PodState::name).findFirst().orElse(null);
        Instant unavailableSince = FailoverClock.failoverClock(parse(before.getPrimaryUnavailableSince()), before.getPrimary(),
                labelled, labelled == null ? null : PodLoss.labelledPrimaryAt(pods.get(labelled)), unreadySince(pods.values(), now));
        // a restore (spec.restoreFrom) puts the data on the first pod only: it must be the first primary
        String bootstrapOn = s.getSpec().getRestoreFrom() == null ? null : name + "-" + RestoreFrom.RESTORING_ORDINAL;
        String uid = s.getMetadata().getUid();
        Map<String, LastSeenPositions.Position> recorded = lastSeen(before);
        Map<String, LastSeenPositions.Position> lastSeen = seen.lastSeen(uid, recorded);
        Lineage lineage = lineage(before).with(states);
        ReplicationPlanner.Input input = new ReplicationPlanner.Input(states, 1 + replication.getReplicas(),
                ReplicationScenario.failoverDelay(s.getSpec()), before.getPrimary(), unavailableSince, now, service, bootstrapOn,
                io.percore.operator.crd.Persistence.enabled(s.getSpec()), before.getHistory(), before.getPromoting(), before.getPromotingFrom(),
                lastSeen, seen.catchingUp(uid, states), lineage);
        Decision d = ReplicationPlanner.plan(input);
        Map<String, HostPort> address = new LinkedHashMap<>();
        states.forEach(p -> address.put(p.name(), p.address()));
        java.util.Set<String> serving = new java.util.HashSet<>();
        states.stream().filter(p -> p.observed() != null && p.observed().master() && p.lost() == null).forEach(p -> serving.add(p.name()));
        // the history a later failover compares offsets in: the one the primary serves in now, if it is told
        String history = ReplicationPlanner.servingHistory(input, d);
        Map<String, LastSeenPositions.Position> latest = LastSeenPositions.positions(states, lastSeen);
        Map<String, LastSeenPositions.Position> record = LastSeenPositions.record(recorded, latest);
        seen.remember(uid, record, latest);
        return new Observation(before, secret, updateRevision, address, d, serving, history != null ? history : before.getHistory(), record,
                lineage);
    }

    /**
     * Records in the status the pod about to be promoted and the history it is promoted from, before the pod is told (a
     * write-ahead, as the cluster's epoch): an operator stopped after the promotion and before its status leaves a new
     * replication id nothing records, and once that pod is recreated (its label gone with it) the next operator would rank
     * the pod with the newest acknowledged writes behind one still in the recorded history (ReplicationPlannerPropertyTest,
     * seed 101243). Null when recorded, else why not.
     */
    private String recordPromoting(PercoreService s, String pod, String from) {
        try {
            Map<String, Object> patch = new LinkedHashMap<>(); // a null history (none recorded yet) is written as null
            patch.put("promoting", pod);
            patch.put("promotingFrom", from);
            client.resources(PercoreService.class).inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                            client.getKubernetesSerialization().asJson(Map.of("status", Map.of("replication", patch))));
            return null;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            LOG.info("{}/{}: promotion of {} not recorded: {}", s.getMetadata().getNamespace(), s.getMetadata().getName(), pod, e.toString());
            return e.getMessage();
        }
    }

    /**
     * Why the pod's process is known gone: Kubernetes' word ({@link PodLoss}), else its port refusing connections while the
     * pod is still Ready (its process exited after its last probe and the kubelet has not noticed yet: the pod's kernel
     * answers the connection with a reset, which no partition and no hung process does; those only time out, and stay
     * {@code failoverAfter}'s to judge).
     */
    private String lost(Pod pod, boolean refused, HostPort address) {
        String reason = PodLoss.reasonAmong(pod, nodes, WorkloadRenderer.CONTAINER);
        if (reason == null && refused && Pods.ready(pod)) {
            return PodLoss.REFUSING + address + " (its process exited; the kubelet has not reported it yet)";
        }
        return reason;
    }

    /**
     * Carries out the decision in a safe order — unlabel (fence) before anything else, promote before labelling, label
     * before repointing — each step an event, and sets the condition.
     */
    Outcome act(PercoreService s, Observation o, StatusConditions conditions) {
        String ns = s.getMetadata().getNamespace();
        ReplicationStatus before = o.before();
        if (o.password().missing()) {
            conditions.set(CONDITION, false, PodPassword.MISSING_REASON, o.password().problem());
            return new Outcome(before, ReplicationPlanner.PERIOD);
        }
        PodAuth password = o.password().auth();
        Decision d = o.decision();
        Map<String, HostPort> address = o.address();
        String updateRevision = o.updateRevision();

        Instant since = d.unavailableSince();
        String primary = d.primary() != null ? d.primary() : before.getPrimary();
        String history = o.history();
        Lineage lineage = o.lineage();
        boolean healthy = d.healthy();
        String reason = d.reason();
        String message = d.message();
        Duration requeue = d.requeue();

        for (String pod : d.fence()) {
            label(ns, pod, null);
            events.warning(s, "PrimaryFenced", "removed " + Replication.ROLE_LABEL + "=" + Replication.PRIMARY + " from " + pod
                    + " before " + (d.promote() != null ? "promoting " + d.promote() : "anything else") + ": " + d.message());
        }
        if (d.promote() != null) {
            String unrecorded = recordPromoting(s, d.promote(), before.getHistory());
            if (unrecorded != null) {
                String why = "not promoting " + d.promote() + " before the status records it: " + unrecorded + "; retrying";
                conditions.set(CONDITION, false, "PromotionNotRecorded", why);
                publishPrimary(s, o.serving());
                return new Outcome(status(before.getPrimary(), format(since), history, o.positions(), o.lineage()), Duration.ofSeconds(1));
            }
            label(ns, d.promote(), Replication.PROMOTING); // an operator stopped before the primary label knows it as its own
            try {
                probe.promote(address.get(d.promote()), password);
            } catch (IOException e) {
                String why = "REPLICAOF NO ONE on " + d.promote() + " failed: " + e.getMessage() + "; retrying";
                events.warning(s, "PromotionFailed", why);
                conditions.set(CONDITION, false, "PromotionFailed", why);
                publishPrimary(s, o.serving());
                return new Outcome(status(before.getPrimary(), format(since), history, o.positions(), o.lineage()), Duration.ofSeconds(1));
            }
            Observed said = promotedInfo(d.promote(), address.get(d.promote()), password);
            String promoted = said == null ? null : said.replid();
            lineage = lineage.with(said);
            labelPrimary(ns, d.promote(), promoted);
            history = promoted != null ? promoted : history;
            if (d.kind() == ReplicationPlanner.Kind.BOOTSTRAP) {
                events.normal(s, "PrimaryElected", d.message());
            } else {
                events.warning(s, "FailedOver", d.message());
            }
            since = null;
            reason = "Promoted";
            message = d.promote() + " promoted and labelled primary; " + d.message();
            requeue = Duration.ofSeconds(1);
        }
        if (!d.repoint().isEmpty() && primary != null && address.get(primary) != null) {
            List<String> done = new ArrayList<>();
            for (String pod : d.repoint()) {
                try {
                    probe.replicaOf(address.get(pod), password, address.get(primary));
                    done.add(pod);
                } catch (IOException e) {
                    LOG.info("{}/{}: REPLICAOF {} failed: {}", ns, pod, address.get(primary), e.toString());
                }
            }
            if (!done.isEmpty()) {
                events.normal(s, "ReplicasRepointed", String.join(", ", done) + " now replicate " + primary + " (" + address.get(primary) + ")");
            }
        }
        if (d.switchover() != null) {
            String result = switchover(s, d.switchover(), address, password);
            if (result == null) {
                Observed said = promotedInfo(d.switchover().to(), address.get(d.switchover().to()), password);
                String promoted = said == null ? null : said.replid();
                lineage = lineage.with(said);
                if (promoted != null) {
                    labelPrimary(ns, d.switchover().to(), promoted);
                    history = promoted;
                }
            } else {
                primary = d.switchover().from();
                healthy = false;
                reason = "SwitchoverAborted";
                message = result;
                // its pod is going and the service holds writes from its SIGTERM: the next look fails over, soon
                requeue = LEAVING_RETRY;
            }
        }
        if (d.delete() != null) {
            client.pods().inNamespace(ns).withName(d.delete()).delete();
            events.normal(s, "PodRolled", "deleted " + d.delete() + " so the StatefulSet recreates it at revision " + updateRevision
                    + " (" + d.message() + ")");
        }
        java.util.Set<String> serving = new java.util.HashSet<>(o.serving());
        if (d.promote() != null) {
            serving.add(d.promote()); // answered REPLICAOF NO ONE just now: its readiness still says what it was as a replica
        }
        if (d.switchover() != null && !"SwitchoverAborted".equals(reason)) {
            serving.add(d.switchover().to());
        }
        publishPrimary(s, serving);
        watchPrimary(s, primary, serving, address, password);
        conditions.set(CONDITION, healthy, reason, message);
        return new Outcome(status(primary, format(since), history, o.positions(), lineage), requeue, noPrimary(d, before.getPrimary(), reason, message));
    }

    /**
     * Why no primary serves when the planner waits without promoting after there was one ({@code primaryBefore}): the
     * {@code Degraded} condition's {@code NoPrimary}, whatever the pods' readiness says (every pod restarted at once, each
     * back from its files as an unready replica, said {@code AsExpected}). Null while one serves, or none was ever elected.
     */
    static String noPrimary(ReplicationPlanner.Decision d, String primaryBefore, String reason, String message) {
        boolean none = d.kind() == ReplicationPlanner.Kind.WAIT && primaryBefore != null && d.promote() == null;
        return none ? reason + ": " + message : null;
    }

    /**
     * What the promoted pod answers right after {@code REPLICAOF NO ONE}: the history it starts (a new replication id),
     * recorded at once, so that a failover before the operator sees it serve compares offsets in it, not in the one before
     * (a pod frozen through the promotion holds a higher offset of that one), and where that one left the history before
     * ({@link Lineage}). Null when it does not answer.
     */
    private Observed promotedInfo(String pod, HostPort at, PodAuth password) {
        try {
            return probe.info(at, password);
        } catch (IOException e) {
            LOG.info("{}: INFO after its promotion failed: {}", pod, e.toString());
            return null;
        }
    }

    /**
     * Holds a connection to the primary that answers (or was promoted) now, so that its process exiting reconciles at once
     * ({@link PrimaryConnectionWatch}); no primary answering, no watch.
     */
    private void watchPrimary(PercoreService s, String primary, java.util.Set<String> serving, Map<String, HostPort> address, PodAuth password) {
        String key = PercoreServiceReconciler.key(s);
        HostPort at = primary == null ? null : address.get(primary);
        watch.watchOnly(key, at != null && serving.contains(primary) ? Map.of(primary, at) : Map.of(), password);
    }

    /**
     * The primary Service's EndpointSlice as the labels stand after this step: the one pod labelled primary (none while
     * two are, which the next step reduces to one, or none is). One write for a failover: the old primary out, the new
     * one in ({@link PrimaryEndpoints}); nothing when it already says so.
     *
     * @param serving pods that answered as a primary in this step (or were promoted in it): their endpoint is ready even
     *                while the kubelet's readiness still says what the pod was as a replica (unready while its link to the
     *                lost primary was down), which it says again only at its next probe
     */
    private void publishPrimary(PercoreService s, java.util.Set<String> serving) {
        Map<String, String> selector = Labels.selector(s);
        selector.put(Replication.ROLE_LABEL, Replication.PRIMARY);
        List<Pod> labelled = client.pods().inNamespace(s.getMetadata().getNamespace()).withLabels(selector).list().getItems();
        Pod primary = labelled.size() == 1 ? labelled.get(0) : null;
        applier.apply(PrimaryEndpoints.render(s, primary, primary != null && serving.contains(primary.getMetadata().getName())));
    }

    /**
     * The hand-over of a primary whose pod is being deleted (a drain, an eviction, the roll's last step, {@code kubectl
     * delete}), with no write acknowledged by WAIT 1 lost: unlabel it, label the chosen replica and route the primary
     * Service to it, chain the other replicas to it (from then on the old primary's only direct replica is the chosen one,
     * so WAIT 1 there means "on the chosen one"), wait until the chosen one has the old one's offset, promote it, demote
     * the old one under it (which, stopping, then closes and relays its port to the new primary).
     *
     * @return null when done, else why it was given up (no pod is labelled then: the next look promotes the best
     *         candidate once the old one stops answering)
     */
    private String switchover(PercoreService s, ReplicationPlanner.Switchover sw, Map<String, HostPort> address, PodAuth password) {
        String ns = s.getMetadata().getNamespace();
        HostPort from = address.get(sw.from());
        HostPort to = address.get(sw.to());
        label(ns, sw.from(), null);
        // The endpoint controller has just changed the other Services for the deleted pod, and kube-proxy applies at most
        // two changes a second. Routed to the replica now, before the catch-up and the promotion, the primary Service's
        // change can share kube-proxy's turn with those: a client reconnecting meanwhile gets -READONLY from it (nothing is
        // lost: the old primary holds its writes until it is demoted, and closes their connections then).
        labelPrimary(ns, sw.to(), null);
        publishPrimary(s, java.util.Set.of(sw.to()));
        try {
            for (String other : sw.others()) {
                probe.replicaOf(address.get(other), password, to);
            }
            pauseWrites(s, sw, from, password);
            probe.awaitOffset(from, to, sw.to(), password, ReplicationPlanner.SWITCHOVER_CATCH_UP);
            probe.promote(to, password);
        } catch (IOException e) {
            // with no pod labelled, the recorded primary being deleted is a loss as soon as it stops answering
            label(ns, sw.to(), null);
            String why = "switchover from " + sw.from() + " (being deleted) to " + sw.to() + " given up: " + e.getMessage();
            events.warning(s, "SwitchoverAborted", why);
            return why;
        }
        try {
            probe.replicaOf(from, password, to);
        } catch (IOException e) {
            // It is unlabelled and going; were it to stay, the next reconcile repoints it.
            LOG.info("{}/{}: demoting the old primary failed: {}", ns, sw.from(), e.toString());
        }
        events.normal(s, "SwitchedOver", sw.to() + " promoted at the offset of " + sw.from() + " and labelled primary; "
                + sw.from() + " was being deleted");
        return null;
    }

    /**
     * The old primary's writes held before its offset is read, so that the promoted one has every write it took: the
     * operator can see the pod's deletion before the kubelet's SIGTERM reaches the service, which holds them itself from
     * then on. Held past the catch-up's bound, never lifted here: the pod is going, and its clients' writes held meanwhile
     * are sent again by their clients when its connections close (Lettuce's default), or get {@code -READONLY} once the
     * pause ends on the demoted pod. A pod that refuses the pause (an older {@code percore-operator} user without {@code
     * +client|pause}) is switched over without it, as before.
     */
    private void pauseWrites(PercoreService s, ReplicationPlanner.Switchover sw, HostPort from, PodAuth password) throws IOException {
        try {
            probe.pauseWrites(from, password, ReplicationPlanner.SWITCHOVER_PAUSE);
        } catch (PodReplicationProbe.ErrorReplyException e) {
            LOG.info("{}/{}: writes not paused for the switchover: {}", s.getMetadata().getNamespace(), sw.from(), e.reply());
        }
    }

    /** Labels a promoted pod primary and writes the history it started beside the label (null: not known), in one patch. */
    private void labelPrimary(String ns, String pod, String history) {
        String json = "{\"metadata\":{\"labels\":{\"" + Replication.ROLE_LABEL + "\":\"" + Replication.PRIMARY + "\"}"
                + ",\"annotations\":{\"" + Replication.PRIMARY_SINCE_ANNOTATION + "\":\"" + Instant.now() + "\""
                + (history == null ? "" : ",\"" + Replication.HISTORY_ANNOTATION + "\":\"" + history + "\"") + "}}}";
        client.pods().inNamespace(ns).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    /** Sets ({@code value}) or removes (null) the primary label with a JSON merge patch. */
    private void label(String ns, String pod, String value) {
        String json = "{\"metadata\":{\"labels\":{\"" + Replication.ROLE_LABEL + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}";
        client.pods().inNamespace(ns).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    /**
     * When Kubernetes marked the labelled primary's pod unready: the failover clock starts there, not when the operator
     * first looks (a second or two later: the event, then a reconcile). The condition's time is truncated to the second, so
     * one second is added: the clock never starts before the pod became unready. Null when no labelled pod is unready, or
     * when it has been unready since before the operator made it primary ({@link Replication#PRIMARY_SINCE_ANNOTATION}).
     */
    static Instant unreadySince(java.util.Collection<Pod> pods, Instant now) {
        for (Pod pod : pods) {
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            if (!Replication.PRIMARY.equals(labels.get(Replication.ROLE_LABEL)) || pod.getStatus() == null
                    || pod.getStatus().getConditions() == null) {
                continue;
            }
            for (var c : pod.getStatus().getConditions()) {
                if ("Ready".equals(c.getType()) && "False".equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    try {
                        Instant unready = Instant.parse(c.getLastTransitionTime()).plusSeconds(1);
                        return FailoverClock.primaryUnreadySince(unready, PodLoss.labelledPrimaryAt(pod), now);
                    } catch (java.time.format.DateTimeParseException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static Instant parse(String instant) {
        try {
            return instant == null ? null : Instant.parse(instant);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String format(Instant instant) {
        return instant == null ? null : instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }
}
