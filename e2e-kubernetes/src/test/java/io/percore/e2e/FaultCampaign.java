package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 74's campaign: random faults in a row, each alone or with a second, against a replicated service
 * ({@code operator/examples/replicated.yaml}: a primary, two replicas, append-only files on claims), with a checker. A
 * client writes {@code SET} + {@code WAIT 1} through {@code <name>-primary}; a watcher asks every pod its role four times
 * a second and tries a write on each master (a pod that takes it is a primary accepting writes). Fault kinds: a
 * container SIGKILLed (the primary, a replica), a pod deleted (one, every one at once), a process frozen 20-25 s (its
 * cgroup frozen, as a hung JVM or a long GC) and thawed, the operator's leader pod deleted (alone, or in the same second
 * as the primary's SIGKILL), a pod cut off (its network namespace drops what comes from the operator, from the other
 * pods, or from both) for 15 s and healed, the kubelet stopped 10-15 s and started again. After each: writes
 * acknowledged again and the service whole again (every pod
 * Ready, one primary, Replicated True) within a bound; at the end every acknowledged write is on the primary and no two
 * pods took writes as primaries at once. A replica's crash alone leaves the writes going (the other replica acknowledges
 * them); every pod deleted at once (the cold start) is an election among pods none of which is Ready, its event and
 * {@code Degraded} False once whole checked. A table per fault kind is printed.
 *
 * <p>Seeded: {@code -Dpercore.campaign.seed=N} replays a schedule, {@code -Dpercore.campaign.faults=N} sets its length:
 * every kind once (in the seed's order), then kinds drawn at random (the operator README's long campaign). The build's
 * campaign is two classes of the same seed: the faults that hit only the campaign's own pods ({@link PodFaultCampaignIT},
 * beside the other scenarios) and those that hit the whole node ({@link FaultCampaignIT}, alone); a long campaign runs
 * every kind in {@link FaultCampaignIT}.
 */
@ExtendWith(RealNodeExtension.class)
abstract class FaultCampaign {

    static final String NAME = "kv-campaign";
    /**
     * {@code replicated} ({@code replicated.yaml}: a primary and two replicas) or {@code cluster}
     * ({@code cluster-replicated.yaml}: two primaries with a replica each, on claims, {@code appendfsync always}).
     */
    private static final boolean CLUSTER_MODE = "cluster".equals(System.getProperty("percore.campaign.service", "replicated"));
    private static final int PODS = CLUSTER_MODE ? 4 : 3;
    /**
     * The writer's pace: a long campaign's keys must fit the examples' 256 MiB a shard (1,000 a second for an hour and a
     * quarter would be 4.5 million keys, refused {@code -OOM} long before).
     */
    private static final int WRITES_PER_SECOND = Integer.getInteger("percore.campaign.writesPerSecond",
            Integer.getInteger("percore.campaign.faults", 0) > 20 ? 100 : Writer.DEFAULT_WRITES_PER_SECOND);
    private static final long SEED = Long.getLong("percore.campaign.seed", 20261128L);
    /** Whole again within this after the fault ends (a freeze's thaw, a partition's heal): the operator, a resync, a restart. */
    private static final Duration WHOLE_WITHIN = Duration.ofSeconds(180);
    /** Whole again later than this: the events meanwhile are printed (a cold start takes 40-60 s on the loaded node). */
    private static final double SLOW_WHOLE_SECONDS = 75;
    /**
     * The same for a step with {@link Kind#KILL_ALL}: mostly whole again in 14-41 s, its slow ones (54.8 s in the
     * cluster-mode campaign of seed 20261206, 56.0 s in a replicated one) left unexplained under the 75 s above.
     */
    private static final double SLOW_KILL_ALL_SECONDS = 45;

    enum Kind {
        KILL_PRIMARY, KILL_REPLICA, DELETE_POD, DELETE_ALL, FREEZE, OPERATOR_DELETED, OPERATOR_AND_PRIMARY,
        CUT_FROM_OPERATOR, CUT_FROM_PODS, CUT_OFF, KUBELET_RESTART, FILL_CLAIM,
        /** Every pod's process SIGKILLed at once (a power loss): each restarts in its pod from its files, none primary. */
        KILL_ALL;

        /**
         * Whether the fault hits every scenario on the node, not only the campaign's pods: the operator's leader deleted
         * (every service's reconciles pause until the standby leads), the kubelet stopped (no pod on the node probed,
         * started or reported). The others (a SIGKILL, a deletion, a freeze, iptables in the pod's own network namespace,
         * its own claim filled) reach nothing outside the campaign's namespace.
         */
        boolean nodeWide() {
            return this == OPERATOR_DELETED || this == OPERATOR_AND_PRIMARY || this == KUBELET_RESTART;
        }
    }

    /**
     * A long campaign ({@code -Dpercore.campaign.faults=N} given): every kind once, then {@code N} in all drawn at random
     * from every kind, in {@link FaultCampaignIT} alone.
     */
    static final boolean LONG = System.getProperty("percore.campaign.faults") != null;

    /** The kinds this class's schedule takes each once before drawing at random (a long campaign: every kind). */
    abstract List<Kind> kinds();

    /** Its own namespace: the two classes of the build's campaign leave their diagnostics apart. */
    abstract String namespaceName();

    /** A long campaign's length (every kind once, then drawn at random); the build's: this class's kinds once each. */
    private int faults() {
        return Integer.getInteger("percore.campaign.faults", kinds().size());
    }

    /**
     * Each pod's claim a file system of its own this large, so that filling it fills no other (the build's campaign
     * writes some 30 MB of append-only file; a long one needs more).
     */
    private static final int CLAIM_MEBIBYTES = Integer.getInteger("percore.campaign.claimMiB", 256);

    /**
     * What one fault cost: the longest run of refused writes it caused (0: none), and how long from its start until the
     * service was whole again.
     */
    record Cost(String kind, String target, double refusedSeconds, double wholeAgainSeconds) {
    }

    private Cluster cluster;
    private String namespace;
    /** The pods' template when the campaign began: nothing in it changes the spec, so no fault may change the template. */
    private String revision;
    private String password;
    /** The threads waiting to ask a slow-stopping pod for its threads: stopped when the campaign ends. */
    private final List<Thread> dumps = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void randomFaultsInARowLoseNoAcknowledgedWriteNeverMakeTwoPrimariesAndAlwaysRecover(Cluster cluster) throws Exception {
        this.cluster = cluster;
        Random rnd = new Random(SEED);
        int faults = faults();
        Progress.say("campaign %s: seed %d, %d faults of %s on a %s service (-Dpercore.campaign.seed=%d replays it)", namespaceName(), SEED,
                faults, kinds(), CLUSTER_MODE ? "cluster-mode" : "replicated", SEED);
        try (var ns = cluster.namespace(namespaceName()); AutoCloseable stopDumps = () -> dumps.forEach(Thread::interrupt)) {
            namespace = ns.name();
            cluster.volumes().addSmall(PODS, CLAIM_MEBIBYTES);
            PercoreService s = CLUSTER_MODE ? ClusterColdStartIT.persistent(Cluster.example("cluster-replicated.yaml"))
                    : Cluster.example("replicated.yaml");
            s.getMetadata().setName(NAME);
            // its claims only on the small volumes made for it: beside the other scenarios, a claim of theirs on one of
            // these would fill at 256 MiB, and one of these on theirs would make FILL_CLAIM fill the node's disk
            s.getSpec().getPersistence().setStorageClassName(Volumes.SMALL_CLASS);
            cluster.create(namespace, s);
            cluster.awaitReady(namespace, NAME, PlanToPodsIT.READY_WITHIN);
            password = cluster.password(namespace, NAME + "-auth");
            awaitWhole(Duration.ofSeconds(120));
            revision = cluster.statefulSetRevision(namespace, NAME);
            List<Cost> costs = new ArrayList<>();
            Map<String, String> acknowledged;
            try (Writer writer = CLUSTER_MODE ? Writer.onCluster(serviceUri(), "campaign", WRITES_PER_SECOND)
                    : Writer.paced(primaryUri(), "campaign", true, WRITES_PER_SECOND); Watcher watcher = new Watcher()) {
                writer.awaitAcknowledged(100, Duration.ofSeconds(60));
                List<Kind> everyKind = new ArrayList<>(kinds());
                java.util.Collections.shuffle(everyKind, rnd);
                for (int i = 0; i < faults; i++) {
                    // every kind alone first; then each step one kind, or (one in three) two begun in the same second
                    List<Kind> kinds = i < everyKind.size() ? List.of(everyKind.get(i))
                            : rnd.nextInt(3) == 0 ? twoKinds(rnd) : List.of(randomKind(rnd));
                    cluster.keepLogs(namespace);
                    Cost cost = inject(i, kinds, rnd, writer);
                    costs.add(cost);
                    // everything acknowledged until now, during the fault's recovery too: checked only up to the fault's start,
                    // 7 writes lost in fault 64's recovery were reported after fault 65 (the long campaign of 2026-12-05)
                    List<String> lostNow = lostOf(writer.acknowledged());
                    assertThat(lostNow).as("fault %d (%s on %s, seed %d): writes acknowledged by WAIT 1 before it or while the service"
                            + " recovered from it, missing once whole again%s", i + 1, cost.kind(), cost.target(), SEED,
                            whereIs(lostNow, writer)).isEmpty();
                    Progress.say("campaign %s %d/%d %s on %s: writes refused %.1f s at most, whole again after %.1f s; two primaries so far %d ms",
                            namespaceName(), i + 1, faults, cost.kind(), cost.target(), cost.refusedSeconds(), cost.wholeAgainSeconds(), watcher.splitMillis());
                }
                acknowledged = writer.stop();
                cluster.keepLogs(namespace);
                List<String> lost = lostOf(acknowledged);
                Progress.say("campaign %s: %s", namespaceName(), table(costs, lost.size(), watcher));
                assertThat(lost).as("of %d writes acknowledged by WAIT 1 (seed %d)%s", acknowledged.size(), SEED, whereIs(lost, writer))
                        .isEmpty();
                assertThat(watcher.splits()).as("moments two pods took writes as primaries (seed %d)", SEED).isEmpty();
            }
        }
    }

    /** A fault begun: what it hit, how long it holds before its heal, and the heal (a thaw, a partition's end; or nothing). */
    private record Started(String target, Duration hold, Runnable heal) {
    }

    /** One step: its faults begun in the same second (one, or a pair), held, healed, then the wait for writes and the whole. */
    private Cost inject(int i, List<Kind> kinds, Random rnd, Writer writer) throws Exception {
        List<Pod> pods = cluster.pods(namespace, NAME);
        long began = System.nanoTime();
        Instant beganAt = Instant.now();
        Map<String, String> uids = new LinkedHashMap<>();
        Map<String, Integer> restarts = new LinkedHashMap<>();
        pods.forEach(p -> {
            uids.put(name(p), p.getMetadata().getUid());
            restarts.put(name(p), p.getStatus().getContainerStatuses().get(0).getRestartCount());
        });
        List<String> gone = new ArrayList<>(); // pods whose container or pod the faults end: seen go before the wait for whole
        List<Started> started = new ArrayList<>();
        try {
            for (Kind kind : kinds) {
                started.add(begin(kind, pods, rnd, gone));
            }
            Duration hold = started.stream().map(Started::hold).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
            Thread.sleep(hold.toMillis());
        } finally {
            // what began is healed even when the next one could not begin
            for (int k = started.size() - 1; k >= 0; k--) {
                started.get(k).heal().run();
            }
        }
        String kind = kinds.stream().map(Kind::toString).reduce((a, b) -> a + "+" + b).orElse("");
        String target = started.stream().map(Started::target).reduce((a, b) -> a + " + " + b).orElse("");
        // the fault seen to take effect (the kubelet reports the container restarted, the pod replaced) before whole is asked
        org.awaitility.Awaitility.await().atMost(WHOLE_WITHIN).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> gone.stream()
                .allMatch(n -> {
                    Pod p = cluster.client().pods().inNamespace(namespace).withName(n).get();
                    return p == null || !p.getMetadata().getUid().equals(uids.get(n))
                            || p.getStatus().getContainerStatuses().get(0).getRestartCount() > restarts.get(n);
                }));
        try {
            awaitWhole(WHOLE_WITHIN);
            writer.awaitAcknowledged(20, WHOLE_WITHIN);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("fault " + (i + 1) + " (" + kind + " on " + target + ", seed " + SEED + "): not whole again within "
                    + WHOLE_WITHIN + ": " + state(), e);
        }
        double whole = seconds(began, System.nanoTime());
        String now = cluster.statefulSetRevision(namespace, NAME);
        if (!revision.equals(now)) {
            // a roll nobody asked for (an operator stopping, or starting, rendered another template): issue 74's find
            throw new AssertionError("fault " + (i + 1) + " (" + kind + " on " + target + ", seed " + SEED + "): the pods' template changed"
                    + " with no change of the spec: " + cluster.revisionChanges(namespace, revision, now) + "; "
                    + cluster.timeline(namespace, beganAt, Instant.now()));
        }
        if (whole > (kinds.contains(Kind.KILL_ALL) ? SLOW_KILL_ALL_SECONDS : SLOW_WHOLE_SECONDS)) {
            // a figure to explain: what the operator and the kubelet did meanwhile
            Progress.say("campaign %d: whole again only after %.1f s; %s", i + 1, whole, cluster.timeline(namespace, beganAt, Instant.now()));
        }
        double refused = writer.outages().stream().filter(o -> o.endedNanos() > began).mapToDouble(o -> o.length().toNanos() / 1e9).max().orElse(0);
        String fault = "fault " + (i + 1) + " (" + kind + " on " + target + ", seed " + SEED + ")";
        if (kinds.equals(List.of(Kind.KILL_REPLICA)) && !CLUSTER_MODE) {
            // issue 69: the other replica acknowledges WAIT 1 while this one restarts
            assertThat(refused).as("%s: writes refused (s) after a replica's crash", fault)
                    .isLessThanOrEqualTo(ReplicationIT.WRITES_AGAIN_WITHIN.toSeconds());
        }
        if ((kinds.equals(List.of(Kind.DELETE_ALL)) || kinds.equals(List.of(Kind.KILL_ALL))) && !CLUSTER_MODE) {
            // issue 74's cold start: no pod Ready and none primary, one elected among those that answer
            Instant since = beganAt.minusSeconds(1);
            assertThat(cluster.events(namespace, NAME)).as("%s: the election's event", fault).anySatisfy(e -> {
                assertThat(e.getReason()).isIn("FailedOver", "PrimaryElected");
                String at = e.getEventTime() != null ? e.getEventTime().getTime() : e.getLastTimestamp();
                assertThat(Instant.parse(at)).isAfterOrEqualTo(since);
            });
            org.awaitility.Awaitility.await(fault + ": Degraded False once whole").atMost(Duration.ofSeconds(30))
                    .until(() -> Cluster.is(cluster.get(namespace, NAME), "Degraded", "False"));
        }
        return new Cost(kind, target, refused, whole);
    }

    /**
     * SIGKILL of the pod's container: "" once sent, else why nothing was killed. The container the pod's status names may
     * have ended since the pods were listed (the pair's other fault, or the kubelet's restart back-off after an earlier
     * one: fault 93 of a long run found its task gone), and a container that does not run is no fault to inject.
     */
    private String kill(Pod pod) {
        try {
            cluster.node().killContainer(pod);
            return "";
        } catch (RuntimeException e) {
            return " (not running: " + String.valueOf(e.getMessage()).strip().lines().reduce((a, b) -> b).orElse("") + ")";
        }
    }

    /** Begins one fault on the service's pods (as they are now). */
    private Started begin(Kind kind, List<Pod> pods, Random rnd, List<String> gone) {
        List<String> primaries = primaries(pods);
        List<Pod> primaryPods = pods.stream().filter(p -> primaries.contains(name(p))).toList();
        Pod primary = primaryPods.get(rnd.nextInt(primaryPods.size()));
        List<Pod> replicas = pods.stream().filter(p -> !primaries.contains(name(p))).toList();
        Pod any = pods.get(rnd.nextInt(pods.size()));
        String which = name(any) + (primaries.contains(name(any)) ? " (primary)" : "");
        switch (kind) {
            case KILL_PRIMARY -> {
                gone.add(name(primary));
                return new Started("SIGKILL " + name(primary) + " (primary)" + kill(primary), Duration.ZERO, () -> { });
            }
            case KILL_REPLICA -> {
                Pod replica = replicas.get(rnd.nextInt(replicas.size()));
                gone.add(name(replica));
                return new Started("SIGKILL " + name(replica) + kill(replica), Duration.ZERO, () -> { });
            }
            case DELETE_POD -> {
                gone.add(name(any));
                cluster.client().pods().inNamespace(namespace).withName(name(any)).delete();
                return new Started("delete " + which, Duration.ZERO, () -> { });
            }
            case DELETE_ALL -> {
                pods.forEach(p -> gone.add(name(p)));
                cluster.client().pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", NAME).delete();
                dumpThreadsIfStillStopping(primary, Duration.ofSeconds(60));
                return new Started("delete every pod", Duration.ZERO, () -> { });
            }
            case KILL_ALL -> {
                // the same cold start as DELETE_ALL without a graceful stop: the pods stay, their containers restart
                StringBuilder killed = new StringBuilder("SIGKILL every pod");
                pods.forEach(p -> {
                    gone.add(name(p));
                    killed.append(kill(p));
                });
                return new Started(killed.toString(), Duration.ZERO, () -> { });
            }
            case FREEZE -> {
                String task = containerId(any);
                try {
                    cluster.node().ctr("tasks", "pause", task);
                } catch (RuntimeException e) {
                    // the pair's other fault ended this container a moment ago (a SIGKILL, a deletion): nothing to freeze
                    return new Started("freeze " + which + " (not running: " + String.valueOf(e.getMessage()).strip().lines().reduce((a, b) -> b).orElse("")
                            + ")", Duration.ZERO, () -> { });
                }
                return new Started("freeze " + which, Duration.ofSeconds(20 + rnd.nextInt(6)), () -> {
                    try {
                        cluster.node().ctr("tasks", "resume", task);
                    } catch (RuntimeException e) {
                        Progress.say("campaign: thaw of %s: %s (its container or pod is gone)", name(any), e.getMessage());
                    }
                });
            }
            case OPERATOR_DELETED -> {
                cluster.client().pods().inNamespace(OperatorChart.NAMESPACE).withName(cluster.chart().leader()).delete();
                return new Started("delete the operator's leader", Duration.ZERO, () -> { });
            }
            case OPERATOR_AND_PRIMARY -> {
                gone.add(name(primary));
                cluster.client().pods().inNamespace(OperatorChart.NAMESPACE).withName(cluster.chart().leader()).delete();
                return new Started("delete the operator's leader and SIGKILL " + name(primary) + " (primary)" + kill(primary), Duration.ZERO,
                        () -> { });
            }
            case KUBELET_RESTART -> {
                // a node's agent restarted (an upgrade, a crash): the containers run on, unprobed and unreported, then
                // every pod's readiness is probed afresh
                cluster.node().stopKubelet();
                return new Started("restart the kubelet", Duration.ofSeconds(10 + rnd.nextInt(6)), () -> {
                    Instant started = Instant.now();
                    cluster.node().startKubelet();
                    // the pods' status is the new kubelet's before whole is asked: the node's first heartbeat since
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                            cluster.client().nodes().withName(RealNode.NODE_NAME).get().getStatus().getConditions().stream()
                                    .filter(c -> c.getType().equals("Ready")).map(c -> Instant.parse(c.getLastHeartbeatTime()))
                                    .anyMatch(t -> !t.isBefore(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))));
                });
            }
            case CUT_FROM_OPERATOR, CUT_FROM_PODS, CUT_OFF -> {
                List<String> from = new ArrayList<>();
                if (kind != Kind.CUT_FROM_PODS) {
                    from.addAll(operatorIps());
                }
                if (kind != Kind.CUT_FROM_OPERATOR) {
                    pods.stream().filter(p -> p != any).forEach(p -> from.add(p.getStatus().getPodIP()));
                }
                try {
                    cut(any, from);
                } catch (RuntimeException e) {
                    // the pair's other fault ended this container a moment ago: no network namespace left to cut
                    heal(any);
                    return new Started(kind.toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + which + " (not running: "
                            + String.valueOf(e.getMessage()).strip().lines().reduce((a, b) -> b).orElse("") + ")", Duration.ZERO, () -> { });
                }
                return new Started(kind.toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + which,
                        Duration.ofSeconds(15), () -> heal(any));
            }
            case FILL_CLAIM -> {
                // the primary's disk full (a log that grew, a neighbour's files): with appendfsync always its append-only
                // file's failed write ends the process, as Redis's does (never acknowledged; the replicas take over), and
                // the pod restarts, again while the disk is full, until there is room (the fault's heal)
                gone.add(name(primary));
                Path filler = Volumes.directoryOf(cluster.client(), primary, "data").resolve("campaign-filler");
                long written = fill(filler);
                return new Started("fill " + name(primary) + "'s claim (primary, " + written / (1024 * 1024) + " MiB)",
                        Duration.ofSeconds(15 + rnd.nextInt(6)), () -> {
                    try {
                        Files.deleteIfExists(filler);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** Writes {@code file} until its file system has no room left; how much it took. */
    private static long fill(Path file) {
        byte[] chunk = new byte[1024 * 1024];
        long written = 0;
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            if (written == 0 && !String.valueOf(full.getMessage()).contains("space")) {
                throw new UncheckedIOException(full);
            }
            return written;
        }
    }

    /**
     * The pods that are primaries now: the one labelled so (replicated), or those owning slots by the operator's status
     * (cluster mode).
     */
    private List<String> primaries(List<Pod> pods) {
        if (!CLUSTER_MODE) {
            return pods.stream().filter(FaultCampaign::labelledPrimary).map(FaultCampaign::name).toList();
        }
        return cluster.get(namespace, NAME).getStatus().getCluster().getPods().stream()
                .filter(p -> p.getSlotCount() != null && p.getSlotCount() > 0).map(ClusterStatus.PodSlots::getPod).toList();
    }

    /**
     * Every pod Ready and, replicated, exactly one labelled primary answering as a master, Replicated True; in cluster
     * mode every slot owned, nothing moving, two primaries each with its replica linked, Ready True.
     */
    private void awaitWhole(Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            List<Pod> pods = cluster.pods(namespace, NAME);
            if (CLUSTER_MODE) {
                return wholeCluster(pods);
            }
            if (pods.size() != 3 || !pods.stream().allMatch(ChartIT::ready) || pods.stream().filter(FaultCampaign::labelledPrimary).count() != 1) {
                return false;
            }
            Pod primary = pods.stream().filter(FaultCampaign::labelledPrimary).findFirst().orElseThrow();
            return role(primary).equals("master") && Cluster.is(cluster.get(namespace, NAME), "Replicated", "True") && primaryServiceRoutes();
        });
    }

    /**
     * A client's view of whole: the primary Service takes a connection and answers. The API's view (every pod Ready, the
     * conditions) can be a moment ahead of the node's rules: after the kubelet's restart every pod went unready and
     * Ready again, and the first read through the Service after whole was refused (kube-proxy's rule for a Service with
     * no ready endpoint), in a CI run of 2026-11-30.
     */
    private boolean primaryServiceRoutes() {
        RedisURI uri = primaryUri();
        uri.setTimeout(Duration.ofSeconds(2));
        try (RedisClient client = Cluster.redis(uri); var c = client.connect()) {
            return "PONG".equals(c.sync().ping());
        }
    }

    private boolean wholeCluster(List<Pod> pods) {
        if (pods.size() != PODS || !pods.stream().allMatch(ChartIT::ready)) {
            return false;
        }
        PercoreService s = cluster.get(namespace, NAME);
        ClusterStatus c = s.getStatus().getCluster();
        if (!Integer.valueOf(16384).equals(c.getSlotsAssigned()) || !c.getMigrations().isEmpty() || !Cluster.is(s, "Ready", "True")) {
            return false;
        }
        List<ClusterStatus.PodSlots> owners = c.getPods().stream().filter(p -> p.getSlotCount() != null && p.getSlotCount() > 0).toList();
        if (owners.size() != 2 || !owners.stream().allMatch(p -> p.getReplicas() != null && p.getReplicas().size() == 1)) {
            return false;
        }
        for (Pod p : pods) {
            boolean owner = owners.stream().anyMatch(o -> o.getPod().equals(name(p)));
            String info = info(p);
            if (owner ? !info.contains("role:master") : !info.contains("master_link_status:up")) {
                return false;
            }
        }
        return true;
    }

    private String state() {
        StringBuilder out = new StringBuilder();
        for (Pod p : cluster.pods(namespace, NAME)) {
            out.append(name(p)).append(ChartIT.ready(p) ? " Ready" : " unready").append(labelledPrimary(p) ? " labelled" : "");
            try {
                out.append(" role ").append(role(p));
            } catch (RuntimeException e) {
                out.append(" (no answer)");
            }
            out.append("; ");
        }
        PercoreService s = cluster.get(namespace, NAME);
        if (CLUSTER_MODE) {
            ClusterStatus c = s.getStatus().getCluster();
            var ready = Cluster.condition(s, "Ready");
            return out + "slots assigned " + c.getSlotsAssigned() + ", migrations " + c.getMigrations().size() + ", pods "
                    + c.getPods().stream().map(p -> p.getPod() + (p.getSlotCount() != null && p.getSlotCount() > 0
                            ? " owns " + p.getSlots() + " replicas " + p.getReplicas() : " replica of " + p.getReplicaOf())).toList()
                    + "; Ready " + (ready == null ? "-" : ready.getStatus() + " " + ready.getReason() + ": " + ready.getMessage());
        }
        var replicated = Cluster.condition(s, "Replicated");
        return out + "Replicated " + (replicated == null ? "-" : replicated.getStatus() + " " + replicated.getReason() + ": " + replicated.getMessage());
    }

    /** One of this class's kinds, drawn as a long campaign always drew. */
    private Kind randomKind(Random rnd) {
        return kinds().get(rnd.nextInt(kinds().size()));
    }

    /**
     * Two different kinds: one kind twice in the same second is one fault, or none (a second freeze of a frozen process
     * is refused: a schedule of seed 20261129 drew FREEZE twice on one pod).
     */
    private List<Kind> twoKinds(Random rnd) {
        int count = kinds().size();
        Kind first = randomKind(rnd);
        Kind second = kinds().get((kinds().indexOf(first) + 1 + rnd.nextInt(count - 1)) % count);
        return List.of(first, second);
    }

    /**
     * The operator's pods' addresses, once each has one: right after its leader was deleted (the step before, or the
     * pair's other fault) the replacement pod has none yet, and a cut from the operator must cut it off too.
     */
    private List<String> operatorIps() {
        return org.awaitility.Awaitility.await("every operator pod has an address").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> cluster.chart().pods().stream().map(p -> p.getStatus().getPodIP()).toList(),
                        ips -> !ips.isEmpty() && ips.stream().allMatch(ip -> ip != null && !ip.isEmpty()));
    }

    /** Drops what comes to the pod from {@code from} (and what it sends there), inside its network namespace. */
    private void cut(Pod pod, List<String> from) {
        String net = "--net=" + networkNamespace(pod);
        for (String ip : from) {
            RealNode.exec(Map.of(), Duration.ofSeconds(20), "nsenter", net, "iptables", "-I", "INPUT", "-s", ip, "-j", "DROP");
            RealNode.exec(Map.of(), Duration.ofSeconds(20), "nsenter", net, "iptables", "-I", "OUTPUT", "-d", ip, "-j", "DROP");
        }
    }

    private void heal(Pod pod) {
        try {
            RealNode.exec(Map.of(), Duration.ofSeconds(20), "nsenter", "--net=" + networkNamespace(pod), "iptables", "-F");
        } catch (RuntimeException e) {
            Progress.say("campaign: heal of %s: %s (its pod may be gone, and its network namespace with it)", name(pod), e.getMessage());
        }
    }

    private static final java.util.regex.Pattern NETWORK_NAMESPACE =
            java.util.regex.Pattern.compile("\"type\":\\s*\"network\",\\s*\"path\":\\s*\"([^\"]+)\"");

    /**
     * The pod's network namespace as its container's spec names it: the pod sandbox's, which lives as long as the pod, not
     * as long as one run of its container. Entered through the container's process, a heal missed it whenever that
     * process was between restarts, and the rules stayed: seed 20261209's cluster campaign, fault 37 ({@code FILL_CLAIM+CUT_OFF}
     * on one primary), its JVM ended by the full disk, the heal found no task, and the pod, restarted, stayed cut off from
     * the operator and its group for good ("not whole again within PT3M"). Read from the container's record, which
     * outlives its process.
     */
    private String networkNamespace(Pod pod) {
        String id = containerId(cluster.client().pods().inNamespace(namespace).withName(name(pod)).get());
        java.util.regex.Matcher m = NETWORK_NAMESPACE.matcher(cluster.node().ctr("containers", "info", id));
        if (m.find()) {
            return m.group(1);
        }
        // a runtime whose spec does not name it: the running process's, as before
        return "/proc/" + cluster.node().taskPid(cluster.client().pods().inNamespace(namespace).withName(name(pod)).get()) + "/ns/net";
    }

    /**
     * A JVM should stop within seconds of its SIGTERM (its shutdown-timeout, the drain of what it owes): one still running
     * {@code after} it is asked for its threads (SIGQUIT), and its log with them is kept in the diagnostics, what a stop
     * that runs on to the kubelet's SIGKILL needs (an open find of issue 74: every pod deleted at once, the old primary's
     * pod takes the whole 120 s grace).
     */
    private void dumpThreadsIfStillStopping(Pod pod, Duration after) {
        String uid = pod.getMetadata().getUid();
        String task = containerId(pod);
        Thread dump = new Thread(() -> {
            try {
                Thread.sleep(after.toMillis());
                Pod now = cluster.client().pods().inNamespace(namespace).withName(name(pod)).get();
                if (now == null || !uid.equals(now.getMetadata().getUid())) {
                    return; // stopped in time
                }
                // the task's state says whether the JVM still runs or the pod waits on something else (its volumes, its network)
                String taskState = cluster.node().ctr("tasks", "ls").lines().filter(l -> l.startsWith(task)).findFirst().orElse("no task");
                if (taskState.contains("RUNNING")) {
                    cluster.node().ctr("tasks", "kill", "--signal", "SIGQUIT", task);
                    Thread.sleep(2000);
                }
                // the container's log file on the node (the API's log call goes through the kubelet, which may be the one stuck)
                Path logs = Path.of("/var/log/pods", namespace + "_" + name(pod) + "_" + uid);
                StringBuilder text = new StringBuilder("task: " + taskState + "\n");
                if (Files.isDirectory(logs)) {
                    try (var files = Files.walk(logs)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            text.append("==> ").append(f).append('\n').append(Files.readString(f));
                        }
                    }
                }
                Path file = Cluster.DIAGNOSTICS.resolve("campaign-" + name(pod) + "-still-stopping-" + Instant.now().getEpochSecond() + ".log");
                Files.createDirectories(file.getParent());
                Files.writeString(file, text);
                Progress.say("campaign: %s still stopping %d s after its SIGTERM (task %s): its log in %s", name(pod), after.toSeconds(),
                        taskState.replaceAll("\\s+", " "), file);
            } catch (InterruptedException e) {
                // the campaign ended before the pod was due: nothing to ask
            } catch (Exception e) {
                Progress.say("campaign: no thread dump of %s: %s", name(pod), e);
            }
        }, "campaign-thread-dump");
        dump.setDaemon(true);
        dumps.add(dump);
        dump.start();
    }

    private static String containerId(Pod pod) {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        return id.substring(id.indexOf("://") + 3);
    }

    /** The keys of {@code acknowledged} the primary does not hold with their value (read in pipelined batches). */
    private List<String> lostOf(Map<String, String> acknowledged) {
        // Through the Service, as clients come: kube-proxy refuses while the Service has no ready endpoint, which its
        // endpoints can lag the pods' readiness by (the cluster campaign of 2026-12-05, seed 20261205, fault 20: refused
        // once the service was whole). The check is of the data, not of that lag: its connection is retried for 30 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int attempt = 1; ; attempt++) {
            try {
                List<String> lost = lostOfOnce(acknowledged);
                if (attempt > 1) {
                    Progress.say("campaign: the check's connection through the Service taken at attempt %d", attempt);
                }
                return lost;
            } catch (io.lettuce.core.RedisConnectionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private List<String> lostOfOnce(Map<String, String> acknowledged) {
        if (CLUSTER_MODE) {
            RedisClusterClient client = Writer.clusterClient(serviceUri());
            try (var c = client.connect()) {
                return Writer.lost(acknowledged, c.async()::get);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        try (RedisClient client = Cluster.redis(primaryUri()); var c = client.connect()) {
            return Writer.lost(acknowledged, c.async()::get);
        }
    }


    /**
     * For lost writes (the first ten): when each was acknowledged and which pods hold it now, each asked directly with its
     * role and offset, what tells a replica that acknowledged a write it did not keep from a promotion that passed over the
     * pod holding it. Empty when none is lost.
     */
    private String whereIs(List<String> lost, Writer writer) {
        if (lost.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        List<String> first = lost.stream().sorted().limit(10).toList();
        for (String key : first) {
            out.append("\n  ").append(key).append(" acknowledged at ").append(writer.acknowledgedAt(key));
        }
        for (Pod p : cluster.pods(namespace, NAME)) {
            out.append("\n  ").append(name(p)).append(": ");
            try (RedisClient client = Cluster.redis(podUri(p)); var c = client.connect()) {
                String replication = c.sync().info("replication");
                out.append(replication.lines().filter(l -> l.startsWith("role:") || l.startsWith("master_repl_offset:"))
                        .reduce((a, b) -> a + " " + b).orElse("?"));
                if (CLUSTER_MODE) {
                    c.sync().readOnly();
                }
                for (String key : first) {
                    String value;
                    try {
                        value = c.sync().get(key);
                    } catch (RuntimeException e) {
                        value = e.getMessage(); // another group's key in cluster mode: MOVED
                    }
                    out.append(", ").append(key).append('=').append(value);
                }
            } catch (RuntimeException e) {
                out.append("not answering: ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    private String table(List<Cost> costs, int lost, Watcher watcher) {
        Map<String, List<Cost>> byKind = new TreeMap<>();
        costs.forEach(c -> byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c));
        StringBuilder out = new StringBuilder("seed " + SEED + ", " + costs.size() + " faults, " + lost + " acknowledged writes lost, "
                + watcher.splitMillis() + " ms with two primaries taking writes\n");
        out.append(String.format("  %-22s %5s  %-22s  %-22s%n", "fault", "count", "writes refused min/med/max", "whole again min/med/max"));
        byKind.forEach((kind, list) -> out.append(String.format("  %-22s %5d  %-22s  %-22s%n", kind, list.size(),
                spread(list.stream().map(Cost::refusedSeconds).toList()), spread(list.stream().map(Cost::wholeAgainSeconds).toList()))));
        return out.toString();
    }

    private static String spread(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return String.format("%.1f / %.1f / %.1f s", sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private static boolean labelledPrimary(Pod p) {
        return "primary".equals(Cluster.labels(p).get("percore.io/replication-role"));
    }

    private static String name(Pod p) {
        return p.getMetadata().getName();
    }

    private RedisURI primaryUri() {
        return cluster.serviceUri(namespace, NAME + "-primary", "redis", password);
    }

    /** The service's own address: any pod (a cluster client's seed). */
    private RedisURI serviceUri() {
        return cluster.serviceUri(namespace, NAME, "redis", password);
    }

    private RedisURI podUri(Pod pod) {
        return RedisURI.builder().withHost(pod.getStatus().getPodIP()).withPort(6380).withPassword(password.toCharArray())
                .withTimeout(Duration.ofSeconds(1)).build();
    }

    private String role(Pod pod) {
        return info(pod).contains("role:master") ? "master" : "slave";
    }

    private String info(Pod pod) {
        try (RedisClient client = Cluster.redis(podUri(pod)); var c = client.connect()) {
            return c.sync().info("replication");
        }
    }

    /**
     * Four times a second: every pod asked its role, and each master a write to a key of its own ({@code SET
     * campaign-probe:<pod>}): two processes that take it at once are two primaries accepting writes. A process is told by
     * its {@code run_id}, not by the address asked: a primary stopping hands its port over to the new one for a few
     * seconds ({@code shutdown-handover}'s relay), and what answers there is the new primary, once (the first campaign
     * that deleted the primary's pod counted the relay as a second primary for 1.4 s).
     */
    /** Whether two processes took writes for a slot in common. */
    static boolean overlap(Map<String, java.util.BitSet> slotsOf) {
        java.util.BitSet seen = new java.util.BitSet();
        for (java.util.BitSet slots : slotsOf.values()) {
            if (seen.intersects(slots)) {
                return true;
            }
            seen.or(slots);
        }
        return false;
    }

    /** A key of each slot, for the watcher's probe writes. */
    private static final String[] PROBE_KEYS = new String[16384];

    static {
        int found = 0;
        for (int i = 0; found < PROBE_KEYS.length; i++) {
            String key = "campaign-probe:" + i;
            int slot = SlotHash.getSlot(key);
            if (PROBE_KEYS[slot] == null) {
                PROBE_KEYS[slot] = key;
                found++;
            }
        }
    }

    private final class Watcher implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;
        private final AtomicLong splitMillis = new AtomicLong();
        private final List<String> splits = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Map<String, RedisClient> clients = new LinkedHashMap<>();

        Watcher() {
            thread = new Thread(this::watch, "campaign-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        private void watch() {
            long last = System.nanoTime();
            while (running) {
                Map<String, List<String>> takingWrites = new TreeMap<>(); // run_id → the pods whose address it answered
                Map<String, java.util.BitSet> slotsOf = new TreeMap<>(); // run_id → the slots it took a write for
                try {
                    for (Pod p : cluster.pods(namespace, NAME)) {
                        if (p.getStatus() == null || p.getStatus().getPodIP() == null) {
                            continue;
                        }
                        try {
                            RedisClient client = clients.computeIfAbsent(name(p) + "@" + p.getStatus().getPodIP(), k -> Cluster.redis(podUri(p)));
                            try (var c = client.connect()) {
                                java.util.BitSet slots = takesWritesFor(p, c.sync());
                                if (slots != null) {
                                    String runId = c.sync().info("server").lines().filter(l -> l.startsWith("run_id:")).findFirst()
                                            .map(l -> l.substring("run_id:".length()).trim()).orElse("?" + name(p));
                                    takingWrites.computeIfAbsent(runId, k -> new ArrayList<>()).add(name(p));
                                    slotsOf.computeIfAbsent(runId, k -> new java.util.BitSet()).or(slots);
                                }
                            }
                        } catch (RuntimeException e) {
                            // not answering, or refusing the write (READONLY, NOREPLICAS, MISCONF): not taking writes
                        }
                    }
                } catch (RuntimeException e) {
                    // the API server's list failed this time
                }
                long now = System.nanoTime();
                if (overlap(slotsOf)) {
                    splitMillis.addAndGet(TimeUnit.NANOSECONDS.toMillis(now - last));
                    splits.add(Instant.now() + " " + takingWrites); // {run_id=[pods]}
                }
                last = now;
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /**
         * The slots the pod's process took a probe write for, or null: replicated, a master takes every slot's; in cluster
         * mode a master takes the slots it claims (a write to a key of its first slot, which a process that does not
         * think it owns it refuses with MOVED).
         */
        private java.util.BitSet takesWritesFor(Pod p, io.lettuce.core.api.sync.RedisCommands<String, String> c) {
            if (!CLUSTER_MODE) {
                if (!c.info("replication").contains("role:master")) {
                    return null;
                }
                c.set("campaign-probe:" + name(p), Instant.now().toString());
                java.util.BitSet all = new java.util.BitSet();
                all.set(0, 16384);
                return all;
            }
            String myself = c.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElse("");
            String[] f = myself.split(" ");
            if (f.length < 9 || !f[2].contains("master")) {
                return null;
            }
            java.util.BitSet slots = new java.util.BitSet();
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // a slot moving, not owned
                }
                String[] range = f[i].split("-");
                slots.set(Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1]) + 1);
            }
            if (slots.isEmpty()) {
                return null;
            }
            c.set(PROBE_KEYS[slots.nextSetBit(0)], Instant.now().toString());
            return slots;
        }

        long splitMillis() {
            return splitMillis.get();
        }

        List<String> splits() {
            return List.copyOf(splits);
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clients.values().forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(1)));
        }
    }
}
