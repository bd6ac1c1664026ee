package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.cluster.ClusterPlanner;
import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Observed;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.cluster.ClusterPlanner.Progress;
import io.percore.operator.cluster.Layout;
import io.percore.operator.cluster.PodClusterProbe;
import io.percore.operator.cluster.ReplicaGroups;
import io.percore.operator.cluster.SlotPlanner;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.replication.LastSeenPositions;
import io.percore.operator.replication.Lineage;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodLoss;
import io.percore.operator.users.OperatorUsers;
import io.percore.operator.replication.PodReplicationProbe.AuthRefusedException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes and RESP glue around {@link ClusterPlanner}: lists the pods (fresh), asks each for its
 * node id, shards, layout and migrations ({@link PodClusterProbe}), lets the planner decide, sends the
 * layout it chose, and reports the layout in force as {@code status.cluster}. Everything it decides
 * from comes from the pods, so an operator restarted in the middle of a migration carries on.
 * The observation is made before the workload is written: the StatefulSet keeps a pod that still
 * owns slots ({@link Decision#podsToKeep()}).
 */
final class ClusterDriver {

    static final String CONDITION = "Clustered";
    /** A pod refused the password of spec.cluster.authSecretName (or wanted one where none is named). */
    static final String AUTH_REFUSED = "AuthRefused";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDriver.class);

    private final KubernetesClient client;
    private final PodClusterProbe probe;
    private final PodAddresses addresses;
    private final PlanEvents events;
    /** The nodes by name (the informer's): a pod on a node NotReady is lost now. */
    private final Map<String, io.fabric8.kubernetes.api.model.Node> nodes;
    /** Holds a connection to each group's primary (with replicas), so that one's process exiting reconciles at once. */
    private final io.percore.operator.replication.PrimaryConnectionWatch watch;

    ClusterDriver(KubernetesClient client, PodClusterProbe probe, PodAddresses addresses, PlanEvents events,
                  Map<String, io.fabric8.kubernetes.api.model.Node> nodes, io.percore.operator.replication.PrimaryConnectionWatch watch) {
        this.nodes = nodes;
        this.watch = watch;
        this.client = client;
        this.probe = probe;
        this.addresses = addresses;
        this.events = events;
    }

    /** What a clustered spec must satisfy that the CRD cannot check (its CEL rule is checked again here). */
    static List<String> specProblems(io.percore.operator.crd.PercoreServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!io.percore.operator.crd.Cluster.enabled(spec)) {
            return problems;
        }
        if (spec.getReplication() != null && spec.getReplication().getAuthSecretName() != null) {
            problems.add("spec.replication.authSecretName: with spec.cluster the pods' password is spec.cluster.authSecretName");
        }
        if (spec.portsOrDefault().isEmpty()) {
            problems.add("spec.ports: a cluster needs the RESP port (the first port; none is listed)");
        }
        return problems;
    }

    /**
     * What the pods said and what to do about it.
     *
     * @param password what the operator AUTHs with (its toString hides it)
     * @param authProblem why some pods could not be asked (a condition's reason and message), else null
     * @param previous the status shown last (kept while the pods cannot be asked for want of a password)
     * @param leavingPositions node id → where a pod being deleted that still runs stands: its replication id and offset
     *                         (only above 0)
     */
    record Observation(Decision decision, Map<String, PodView> pods, int running, PodPassword password, AuthProblem authProblem,
                       ClusterStatus previous, Map<String, HostPort> leaving,
                       Map<String, LastSeenPositions.Position> leavingPositions) {
        /** As this, with {@code epoch} recorded in the status before it was sent ({@link #recordEpoch}). */
        Observation recording(long epoch) {
            ClusterStatus recorded = new ClusterStatus();
            if (previous != null) {
                recorded.setPods(previous.getPods());
                recorded.setPrimariesUnavailable(previous.getPrimariesUnavailable());
                recorded.setLineage(previous.getLineage());
            }
            recorded.setConfigEpoch(epoch);
            return new Observation(decision, pods, running, password, authProblem, recorded, leaving, leavingPositions);
        }

        /** The pod the last status showed node {@code id} on (null: none). */
        String previousPodOf(String id) {
            return podOfNode(previous).get(id);
        }
    }

    record AuthProblem(String reason, String message) {
    }

    record Outcome(ClusterStatus status, Duration requeue) {
    }

    /**
     * @param members the sizing plan's pod count
     * @param running the live StatefulSet's replicas (0 when there is none yet)
     */
    Observation observe(PercoreService s, int members, int running, ClusterStatus previous) {
        Replication replication = s.getSpec().getReplication();
        int replicas = replication == null || replication.getReplicas() == null ? 0 : replication.getReplicas();
        String ns = s.getMetadata().getNamespace();
        String name = s.getMetadata().getName();
        int port = s.getSpec().respPort().getPort();
        PodPassword password = PodPassword.read(client, s);
        List<String> refused = new ArrayList<>();
        Map<String, PodView> pods = new LinkedHashMap<>();
        Map<String, HostPort> leaving = new LinkedHashMap<>();
        Map<String, LastSeenPositions.Position> leavingPositions = new LinkedHashMap<>();
        boolean withFiles = io.percore.operator.crd.Persistence.enabled(s.getSpec());
        // with replicas the StatefulSet is OnDelete and the operator rolls it (ClusterRoll); without, it rolls itself
        String updateRevision = replicas == 0 ? null : updateRevision(ns, name);
        for (Pod pod : client.pods().inNamespace(ns).withLabels(Labels.selector(s)).list().getItems()) {
            Integer ordinal = Pods.ordinal(name, pod.getMetadata().getName());
            if (ordinal == null) {
                continue;
            }
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                // no member of the plan, but maybe still serving in its grace period: told the layouts sent meanwhile
                HostPort address = addresses.of(pod, port);
                if (address != null && (Pods.ready(pod) || PodLoss.running(pod, WorkloadRenderer.CONTAINER))) {
                    leaving.put(pod.getMetadata().getName(), address);
                    if (replicas > 0 && !password.missing()) {
                        positionOfLeaving(address, password, leavingPositions);
                    }
                }
                continue;
            }
            HostPort address = addresses.of(pod, port);
            Observed observed = null;
            boolean ready = Pods.ready(pod);
            boolean portRefused = false;
            String lost = PodLoss.reasonAmong(pod, nodes, WorkloadRenderer.CONTAINER);
            // an unready replica is asked too when its process runs: unready may only mean its link to a lost primary is down,
            // or its container restarted in the pod (its new process holds what its files kept)
            if (address != null && (ready || (lost == null || PodLoss.onlyItsProcess(lost)) && PodLoss.running(pod, WorkloadRenderer.CONTAINER))
                    && !password.missing()) {
                try {
                    observed = probe.observe(address, password.auth(), replicas > 0);
                } catch (AuthRefusedException e) {
                    refused.add(pod.getMetadata().getName() + ": " + e.getMessage());
                    LOG.info("{}/{}: cluster probe at {}: {}", ns, pod.getMetadata().getName(), address, e.getMessage());
                } catch (java.net.ConnectException e) {
                    portRefused = true;
                    if (ready && lost == null) {
                        // Ready, yet nothing listens: its process exited since its last probe (ReplicationDriver's rule)
                        lost = PodLoss.REFUSING + address + " (its process exited; the kubelet has not reported it yet)";
                    }
                } catch (IOException e) {
                    LOG.debug("{}/{}: cluster probe at {} failed: {}", ns, pod.getMetadata().getName(), address, e.toString());
                }
            }
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            boolean updated = updateRevision == null || updateRevision.equals(labels.get(Pods.REVISION_LABEL));
            boolean restarting = withFiles && observed == null && Pods.comesBack(pod, portRefused, Instant.now());
            pods.put(pod.getMetadata().getName(), new PodView(pod.getMetadata().getName(), ordinal, ready, address, observed, updated, lost,
                    restarting));
        }
        long floor = recordedEpoch(previous);
        ReplicaGroups.Clock clock = replicas == 0 ? ReplicaGroups.Clock.NONE
                : new ReplicaGroups.Clock(replication.failoverAfterOrDefault(), Instant.now(), unavailableSince(previous), podOfNode(previous),
                        offsetOfNode(previous), historyOfNode(previous), lineage(previous));
        Decision d = ClusterPlanner.decide(new ClusterPlanner.Input(List.copyOf(pods.values()), members, running, floor, replicas, clock));
        AuthProblem auth = null;
        if (password.missing()) {
            auth = new AuthProblem(PodPassword.MISSING_REASON, password.problem() + "; no layout is sent");
        } else if (!refused.isEmpty()) {
            auth = new AuthProblem(AUTH_REFUSED, "the pods refused the operator's "
                    + (password.password() == null ? "connection without a password"
                            : (password.operatorPassword() == null ? "" : "user " + OperatorUsers.OPERATOR + " and its fallback, the ")
                            + "password from Secret " + PodPassword.secretName(s))
                    + ": " + String.join("; ", refused) + "; no layout is sent until every pod answers");
        }
        return new Observation(d, pods, running, password, auth, previous, leaving, leavingPositions);
    }

    /**
     * Where a pod being deleted stands, for the status: a replica serves its grace period out, follows its primary and counts
     * for WAIT, so it can hold an acknowledged write its group's other replicas lack. Back as a new pod from an append-only
     * file, which says no offset, it is ranked where it was last seen: with the status left where the pod was when its
     * deletion began, a replica that lacked the write was promoted over it (ClusterFailoverPropertyTest, seeds 31032905 and
     * 32029968). Best effort: one that does not answer is ending anyway.
     */
    private void positionOfLeaving(HostPort address, PodPassword password, Map<String, LastSeenPositions.Position> positions) {
        try {
            Observed observed = probe.observe(address, password.auth(), true);
            if (observed.replication() != null && observed.replication().offset() > 0) {
                positions.put(observed.nodeId(), new LastSeenPositions.Position(observed.replication().replid(), observed.replication().offset()));
            }
        } catch (IOException e) {
            LOG.debug("cluster probe of the leaving pod at {} failed: {}", address, e.toString());
        }
    }

    private String updateRevision(String ns, String name) {
        var sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
        return sts == null || sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
    }

    private static Map<String, Instant> unavailableSince(ClusterStatus previous) {
        Map<String, Instant> since = new LinkedHashMap<>();
        if (previous != null) {
            for (ClusterStatus.Unavailable u : previous.getPrimariesUnavailable()) {
                try {
                    since.put(u.getNodeId(), Instant.parse(u.getSince()));
                } catch (RuntimeException e) {
                    // not a time: the clock starts again
                }
            }
        }
        return since;
    }

    /** The offset each node last answered with, as the status recorded it. */
    static Map<String, Long> offsetOfNode(ClusterStatus previous) {
        return byNode(previous, ClusterStatus.PodSlots::getOffset);
    }

    /** The replication id each node's recorded offset counts in. */
    static Map<String, String> historyOfNode(ClusterStatus previous) {
        return byNode(previous, ClusterStatus.PodSlots::getReplid);
    }

    /** status.cluster.lineage as the planner takes it. */
    static Lineage lineage(ClusterStatus previous) {
        return previous == null ? Lineage.NONE : Lineage.of(previous.getLineage());
    }

    private static Map<String, String> podOfNode(ClusterStatus previous) {
        return byNode(previous, ClusterStatus.PodSlots::getPod);
    }

    /** One field of each node the status shows, by node id (those without it left out). */
    private static <T> Map<String, T> byNode(ClusterStatus previous, java.util.function.Function<ClusterStatus.PodSlots, T> field) {
        Map<String, T> byNode = new LinkedHashMap<>();
        if (previous != null) {
            previous.getPods().forEach(p -> {
                T value = field.apply(p);
                if (p.getNodeId() != null && value != null) {
                    byNode.put(p.getNodeId(), value);
                }
            });
        }
        return byNode;
    }

    /**
     * {@code REPLICAOF NO ONE} on the pods the decision makes primaries, before any layout naming them so is sent.
     *
     * @return why one failed, or null
     */
    private String promote(Observation o, Decision d, String ns) {
        for (String pod : d.links().promote()) {
            try {
                probe.promote(o.pods().get(pod).address(), o.password().auth());
            } catch (IOException e) {
                LOG.info("{}/{}: REPLICAOF NO ONE failed: {}", ns, pod, e.toString());
                return pod + ": " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * The switchover's wait, before the failover's promotion: until the replica taking over has the offset its primary
     * has now (bounded by {@code ReplicationPlanner.SWITCHOVER_CATCH_UP}).
     *
     * @return why it was given up, or null
     */
    private String awaitSwitchover(Observation o, io.percore.operator.cluster.ClusterRoll.Step step, String ns) {
        try {
            probe.awaitOffset(o.pods().get(step.from()).address(), o.pods().get(step.to()).address(), step.to(), o.password().auth(),
                    io.percore.operator.replication.ReplicationPlanner.SWITCHOVER_CATCH_UP);
            return null;
        } catch (IOException e) {
            LOG.info("{}/{}: switchover to {} given up: {}", ns, step.from(), step.to(), e.toString());
            return "switchover from " + step.from() + " to " + step.to() + " given up, " + step.from() + " stays primary: " + e.getMessage();
        }
    }

    /** {@code REPLICAOF <primary>} on the replicas that do not follow theirs; what failed. */
    private List<String> follow(Observation o, Decision d, String ns) {
        List<String> failed = new ArrayList<>();
        d.links().follow().forEach((pod, primary) -> {
            try {
                probe.replicaOf(o.pods().get(pod).address(), o.password().auth(), primary);
            } catch (IOException e) {
                LOG.info("{}/{}: REPLICAOF {} failed: {}", ns, pod, primary, e.toString());
                failed.add(pod + ": " + e.getMessage());
            }
        });
        return failed;
    }

    /**
     * A switchover's old primary holds its writes from before its offset is read (Redis's manual {@code CLUSTER FAILOVER}
     * pauses the same way): a write it took between the promotion and its new layout would be lost. Released once the step
     * is done, the layout sent (the held writes then get {@code -MOVED} to the new primary), or given up (it stays primary).
     *
     * @param before the conditions of the last status (a warning already given is not repeated every second)
     */
    Outcome act(PercoreService s, Observation o, List<io.fabric8.kubernetes.api.model.Condition> before, StatusConditions conditions) {
        Decision d = o.decision();
        HostPort paused = d.roll() != null && d.roll().switchover() && o.authProblem() == null
                ? pauseWrites(o, d.roll(), s.getMetadata().getNamespace()) : null;
        try {
            return step(s, o, before, conditions);
        } finally {
            if (paused != null) {
                try {
                    probe.unpauseWrites(paused, o.password().auth());
                } catch (IOException e) {
                    // its pause ends on its own, at most SWITCHOVER_PAUSE after it began
                    LOG.info("{}/{}: CLIENT UNPAUSE failed: {}", s.getMetadata().getNamespace(), d.roll().from(), e.toString());
                }
            }
        }
    }

    /**
     * Sends the layout to the pods being deleted that still run (their termination grace): a primary whose pod is
     * deleted keeps serving its slots until its process ends, and once its replica took them it would take writes for them
     * beside it (0.4 s in issue 74's cluster-mode campaign). Its node is in the layout (a replica of the group), so it takes
     * it and redirects them ({@code -MOVED}). After the pods of the plan: its slots' new owner must know them first. Best
     * effort: one that does not answer is ending anyway.
     */
    private void tellLeaving(Observation o, Decision d, String ns) {
        for (Map.Entry<String, HostPort> pod : o.leaving().entrySet()) {
            try {
                probe.setLayout(pod.getValue(), o.password().auth(), d.send());
            } catch (IOException e) {
                LOG.debug("{}/{}: CLUSTER SETLAYOUT {} to the leaving pod failed: {}", ns, pod.getKey(), d.send().epoch(), e.toString());
            }
        }
    }

    /** The address whose writes were paused, or null (a pod without {@code +client|pause} for the operator: as before). */
    private HostPort pauseWrites(Observation o, io.percore.operator.cluster.ClusterRoll.Step step, String ns) {
        HostPort from = o.pods().get(step.from()).address();
        try {
            probe.pauseWrites(from, o.password().auth(), io.percore.operator.replication.ReplicationPlanner.SWITCHOVER_PAUSE);
            return from;
        } catch (IOException e) {
            LOG.info("{}/{}: writes not paused for the switchover to {}: {}", ns, step.from(), step.to(), e.toString());
            return null;
        }
    }

    private Outcome step(PercoreService s, Observation o, List<io.fabric8.kubernetes.api.model.Condition> before, StatusConditions conditions) {
        Decision d = o.decision();
        String ns = s.getMetadata().getNamespace();
        Layout inForce = d.current();
        String reason = d.reason();
        String message = d.message();
        if (d.roll() != null && d.roll().switchover() && o.authProblem() == null) {
            String aborted = awaitSwitchover(o, d.roll(), ns);
            if (aborted != null) {
                // nothing was promoted or sent: the old primary keeps its slots, the roll tries again when calm
                reason = "SwitchoverAborted";
                message = aborted;
                warnOnce(s, before, reason, message);
                conditions.set(CONDITION, false, reason, message);
                return new Outcome(status(inForce, d, o), ClusterPlanner.BUSY);
            }
        }
        String promotion = o.authProblem() == null ? promote(o, d, ns) : "no password";
        if (promotion != null && !d.links().promote().isEmpty()) {
            // the layout that makes it a primary is not sent while it still follows someone: sent again next time
            reason = "PromotionFailed";
            message = "REPLICAOF NO ONE failed on " + promotion + "; epoch " + (d.send() == null ? inForce.epoch() : d.send().epoch())
                    + " not sent";
            warnOnce(s, before, reason, message);
            conditions.set(CONDITION, false, reason, message);
            return new Outcome(status(inForce, d, o), ClusterPlanner.BUSY);
        }
        // the replicas' links are those of the layout sent: not followed while its leading pods (a promoted replica) lack it,
        // or a replica promoted without its layout and its old primary could each be told to follow the other
        boolean linksInForce = true;
        long recorded = recordedEpoch(o.previous());
        if (d.send() != null && d.send().epoch() > recorded && o.authProblem() == null) {
            String unrecorded = recordEpoch(s, d.send().epoch(), clocks(d, o, answering(o)));
            if (unrecorded != null) {
                reason = "EpochNotRecorded";
                message = "epoch " + d.send().epoch() + " not sent: the status could not record it first (" + unrecorded + ")";
                warnOnce(s, before, reason, message);
                conditions.set(CONDITION, false, reason, message);
                return new Outcome(status(inForce, d, o), ClusterPlanner.BUSY);
            }
            o = o.recording(d.send().epoch());
        }
        if (d.send() != null) {
            List<String> refused = new ArrayList<>();
            int sent = 0;
            for (int i = 0; i < d.sendTo().size(); i++) {
                String pod = d.sendTo().get(i);
                if (!refused.isEmpty() && i >= d.leading() && sent < d.leading()) {
                    break; // a target did not take it: the sources must not start (the next reconcile sends it again)
                }
                try {
                    probe.setLayout(o.pods().get(pod).address(), o.password().auth(), d.send());
                    sent++;
                } catch (IOException e) {
                    refused.add(pod + ": " + e.getMessage());
                    LOG.info("{}/{}: CLUSTER SETLAYOUT {} failed: {}", ns, pod, d.send().epoch(), e.toString());
                }
            }
            if (sent > 0) {
                inForce = d.send();
                tellLeaving(o, d, ns);
            }
            linksInForce = sent > 0 && sent >= d.leading();
            if (!refused.isEmpty()) {
                reason = "LayoutNotApplied";
                message = "epoch " + d.send().epoch() + " not taken by " + String.join("; ", refused) + " (sent again next time)";
                warnOnce(s, before, reason, message);
            } else if ("FailedOver".equals(d.reason())) {
                events.warning(s, "FailedOver", d.message());
            } else if (d.kind() == ClusterPlanner.Kind.SWITCHOVER) {
                events.normal(s, "SwitchedOver", d.message());
            } else if (d.kind() == ClusterPlanner.Kind.APPLY) {
                events.normal(s, d.send().migrating().isEmpty() ? "LayoutApplied" : "MigrationStarted", d.message());
            }
            List<String> slotsLost = d.lost().stream().filter(d.current()::holds).toList();
            if (!slotsLost.isEmpty() && d.kind() == ClusterPlanner.Kind.APPLY) {
                events.warning(s, "NodeLost", "node(s) " + String.join(", ", slotsLost) + " of epoch " + d.current().epoch()
                        + " are on no pod any more (a pod restarted without its data): their slots were handed out again, without their keys");
            }
        }
        if (o.authProblem() == null && linksInForce) {
            List<String> notFollowing = follow(o, d, ns);
            if (!notFollowing.isEmpty()) {
                reason = "Repointing";
                message = "REPLICAOF failed on " + String.join("; ", notFollowing) + " (sent again next time)";
            }
        }
        if (o.authProblem() != null) {
            reason = o.authProblem().reason();
            message = o.authProblem().message();
            warnOnce(s, before, reason, message);
        }
        if (d.roll() != null && d.roll().delete() != null && o.authProblem() == null) {
            client.pods().inNamespace(ns).withName(d.roll().delete()).delete();
            events.normal(s, "PodRolled", "deleted " + d.roll().delete() + " so the StatefulSet recreates it at the update revision ("
                    + d.message() + ")");
        }
        if (d.podsToKeep() < o.running()) {
            events.normal(s, "PodsDrained", "the pods from ordinal " + d.podsToKeep() + " own no slot any more: the StatefulSet shrinks from "
                    + o.running() + " to " + d.podsToKeep());
        }
        conditions.set(CONDITION, d.healthy() && inForce.assignedSlots() == SlotPlanner.SLOTS, reason, message);
        watchPrimaries(s, o, inForce);
        long shown = recordedEpoch(o.previous());
        if (o.authProblem() != null && inForce.epoch() < shown) {
            // the pods still serve the layout last seen; what they could not be asked is not "no layout"
            return new Outcome(o.previous(), d.requeue());
        }
        return new Outcome(status(inForce, d, o), d.requeue());
    }

    /**
     * With replicas, each group's primary that answered is watched on one idle connection ({@link
     * io.percore.operator.replication.PrimaryConnectionWatch}): its process exiting reconciles at once. Without replicas
     * there is no one to promote, and nothing is watched.
     */
    private void watchPrimaries(PercoreService s, Observation o, Layout inForce) {
        Map<String, HostPort> primaries = new LinkedHashMap<>();
        if (!inForce.replicaOf().isEmpty() && !o.password().missing()) {
            java.util.Set<String> ids = new java.util.HashSet<>(inForce.primaries());
            for (PodView p : o.pods().values()) {
                if (p.observed() != null && p.lost() == null && p.address() != null && ids.contains(p.observed().nodeId())) {
                    primaries.put(p.name(), p.address());
                }
            }
        }
        watch.watchOnly(PercoreServiceReconciler.key(s), primaries, o.password().missing() ? null : o.password().auth());
    }

    /**
     * Records a new epoch in the status before any pod is sent it (a write-ahead): an operator stopped after sending it,
     * whose pods holding it then do not answer, would otherwise send that epoch again with another layout, and two pods
     * would hold different layouts at one epoch (ClusterFailoverPropertyTest). With it the failover clocks of the layout it
     * replaces ({@code clocks}): left from an older one, a clock of a node that was a primary there, then a replica, then
     * promoted by this epoch, put the new primary past its deadline at once, and an operator stopped after sending the
     * epoch to it replaced it while it served (ClusterFailoverPropertyTest, seed 30010191). Null when recorded, else why not.
     */
    private String recordEpoch(PercoreService s, long epoch, List<ClusterStatus.Unavailable> clocks) {
        try {
            client.resources(PercoreService.class).inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName())
                    .subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            client.getKubernetesSerialization().asJson(epochRecord(epoch, clocks)));
            return null;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            LOG.info("{}/{}: epoch {} not recorded: {}", s.getMetadata().getNamespace(), s.getMetadata().getName(), epoch, e.toString());
            return e.getMessage();
        }
    }

    /** The merge patch of {@link #recordEpoch}: the epoch, and the clocks beside it (a list: a merge patch replaces it whole). */
    static Map<String, Object> epochRecord(long epoch, List<ClusterStatus.Unavailable> clocks) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("configEpoch", epoch);
        cluster.put("primariesUnavailable", clocks);
        return Map.of("status", Map.of("cluster", cluster));
    }

    /** The epoch the status records: the floor of every layout sent next (0: none yet). */
    private static long recordedEpoch(ClusterStatus status) {
        return status == null || status.getConfigEpoch() == null ? 0 : status.getConfigEpoch();
    }

    /** A warning event, unless the last status's condition says the same already (not one every second). */
    private void warnOnce(PercoreService s, List<io.fabric8.kubernetes.api.model.Condition> before, String reason, String message) {
        var last = StatusConditions.find(before, CONDITION);
        if (last == null || !reason.equals(last.getReason()) || !message.equals(last.getMessage())) {
            events.warning(s, reason, message);
        }
    }

    /**
     * The layout in force as the status shows it: the epoch, coverage, each pod's slots, the migrations and how far they are.
     * Nodes are named by their pods; a node that did not answer this time by the pod the last status showed it on.
     */
    static ClusterStatus status(Layout layout, Decision d, Observation o) {
        Map<String, PodView> byId = answering(o);
        ClusterStatus status = new ClusterStatus();
        // never lowered, as Redis's currentEpoch: the pods that hold the newest epoch may not answer this time (deleted,
        // frozen), and a floor taken from those that do would let the next layout reuse an epoch they hold with another text
        status.setConfigEpoch(Math.max(layout.epoch(), recordedEpoch(o.previous())));
        // what the pods that answer say of where their history left the one before: a failover compares offsets along it
        Lineage lineage = lineage(o.previous());
        for (PodView p : byId.values()) {
            lineage = lineage.with(p.observed().replication());
        }
        if (!lineage.links().isEmpty()) {
            status.setLineage(lineage.recorded());
        }
        if (o.previous() != null && layout.epoch() < recordedEpoch(o.previous()) && !o.previous().getPods().isEmpty()) {
            // the pods holding the newest layout do not answer (deleted, frozen, cut off): the status keeps what it showed of
            // that layout, its node → pod map above all. Rewritten from an older one (none, when no pod answered), it lost the
            // pod of a primary cut off from the operator only: the failover could no longer ask Kubernetes whether it is
            // Ready, and replaced it while it served (found by ClusterFailoverPropertyTest; ClusterStatusNamesTest)
            status.setSlotsAssigned(o.previous().getSlotsAssigned());
            status.getPods().addAll(o.previous().getPods());
            status.getMigrations().addAll(o.previous().getMigrations());
            status.getPrimariesUnavailable().addAll(clocks(d, o, byId));
            return status;
        }
        status.setSlotsAssigned(layout.assignedSlots());
        Map<String, Long> lastSeen = offsetOfNode(o.previous());
        Map<String, String> lastHistory = historyOfNode(o.previous());
        for (String id : layout.nodes().keySet()) {
            ClusterStatus.PodSlots p = new ClusterStatus.PodSlots();
            PodView pod = byId.get(id);
            // a node that does not answer keeps the pod it was last seen on: the failover asks whether that pod is Ready
            p.setPod(pod == null ? o.previousPodOf(id) : pod.name());
            p.setNodeId(id);
            // where it stands; one answering with none (back from an append-only file) keeps where it was last seen, or where
            // its pod being deleted stands now
            long offset = pod == null || pod.observed().replication() == null ? 0 : pod.observed().replication().offset();
            LastSeenPositions.Position leavingAt = o.leavingPositions().get(id);
            p.setOffset(offset > 0 ? Long.valueOf(offset) : leavingAt != null ? Long.valueOf(leavingAt.offset()) : lastSeen.get(id));
            // and the history it counts in
            p.setReplid(offset > 0 ? pod.observed().replication().replid() : leavingAt != null ? leavingAt.replid() : lastHistory.get(id));
            String primary = layout.replicaOf().get(id);
            if (primary != null) {
                p.setReplicaOf(name(byId, o, primary));
            } else {
                p.setSlots(SlotPlanner.rangesText(layout.slotsOf(id)));
                p.setSlotCount(layout.slotsOf(id).cardinality());
                if (!layout.replicaOf().isEmpty()) {
                    p.setReplicas(layout.replicasOf(id).stream().map(r -> name(byId, o, r)).toList());
                }
            }
            status.getPods().add(p);
        }
        status.getPrimariesUnavailable().addAll(clocks(d, o, byId));
        for (SlotPlanner.Move m : layout.migrating()) {
            ClusterStatus.Migration mig = new ClusterStatus.Migration();
            mig.setFrom(name(byId, o, m.from()));
            mig.setTo(name(byId, o, m.to()));
            mig.setSlots(SlotPlanner.rangesText(m.slots()));
            Progress progress = null;
            PodView source = byId.get(m.from());
            if (layout == d.current() && source != null) {
                for (Progress p : source.observed().migrations()) {
                    if (p.to().equals(m.to()) && p.slots().equals(m.slots())) {
                        progress = p;
                    }
                }
            }
            mig.setKeysMoved(progress == null ? 0L : progress.moved());
            mig.setKeysLeft(progress == null || progress.left() < 0 ? null : progress.left());
            mig.setState(progress == null ? "moving" : progress.state());
            status.getMigrations().add(mig);
        }
        return status;
    }

    /** The pods that answered, by node id. */
    private static Map<String, PodView> answering(Observation o) {
        Map<String, PodView> byId = new LinkedHashMap<>();
        o.pods().values().forEach(p -> {
            if (p.observed() != null) {
                byId.put(p.observed().nodeId(), p);
            }
        });
        return byId;
    }

    /** The failover clocks {@code d} keeps (the primaries of the layout in force it waits for), as the status shows them. */
    static List<ClusterStatus.Unavailable> clocks(Decision d, Observation o, Map<String, PodView> byId) {
        List<ClusterStatus.Unavailable> clocks = new ArrayList<>();
        d.unavailableSince().forEach((id, since) -> clocks.add(unavailable(id, since, byId, o)));
        return clocks;
    }

    private static ClusterStatus.Unavailable unavailable(String id, Instant since, Map<String, PodView> byId, Observation o) {
        ClusterStatus.Unavailable u = new ClusterStatus.Unavailable();
        u.setNodeId(id);
        u.setPod(byId.containsKey(id) ? byId.get(id).name() : o.previousPodOf(id));
        u.setSince(since.toString());
        return u;
    }

    /** Node {@code id}'s pod: the one it answered on, else the one the last status showed it on, else (never seen) the id. */
    private static String name(Map<String, PodView> byId, Observation o, String id) {
        PodView p = byId.get(id);
        if (p != null) {
            return p.name();
        }
        String previous = o.previousPodOf(id);
        return previous == null ? id : previous;
    }
}
