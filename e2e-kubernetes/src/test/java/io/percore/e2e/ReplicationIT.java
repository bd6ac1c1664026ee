package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * operator/examples/replicated.yaml: a primary and two replicas, each with its append-only file on a claim. Three
 * scenarios on the one service, in order: the primary's container SIGKILLed under {@code WAIT 1} writes (failover
 * within 10 s, nothing acknowledged lost, the old primary back as a replica, the primary Service's one EndpointSlice
 * naming the new primary); a spec edit that changes the pods' size (rolled one pod at a time, the primary last as a
 * planned stop: the clients see only its hand-over); the primary's pod deleted (a planned stop: handed over, its port
 * watched). A replica's crash and every pod deleted at once (the cold start) are faults of {@link PodFaultCampaignIT}, which
 * checks what this class did for them; a node that cannot take a pod any more: {@link NodeLossIT}.
 */
@ExtendWith(RealNodeExtension.class)
@Order(5)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationIT {

    static final String NAME = "kv-ha";
    /**
     * A replica promoted (the {@code FailedOver} event) this soon after the primary's container is killed: a bound for a
     * loaded machine, the figure printed. Quiet, the operator promotes 0.1-0.4 s after the kill (its watch on the primary's
     * port); but a reconcile pass in flight at the kill runs to its end first, and the failover's own pass writes its
     * fence and events before the promotion's event. On a fresh machine's CI (2026-12-04, the
     * node loaded) passes took 6-16 s and the promotion came 10.7 s after the kill: the 10 s held on quiet
     * machines only. {@code failoverAfter} (3 s here) cannot be told apart by this bound; the at-once paths are the
     * operator's own tests ({@code PodLossTest}, {@code PrimaryConnectionWatchTest}).
     */
    static final Duration FAILOVER_WITHIN = Duration.ofSeconds(20);
    /**
     * A client's writes acknowledged by WAIT 1 again after the kill: the failover, then the Service's routing (the
     * operator's EndpointSlice and kube-proxy, on the same two cores) and a reconnect. 0.41-2.1 s (median 0.49) since the operator acts
     * on the primary's refused port (issue 69; 1.3-2.7 s on the kubelet's report, 6.3-11.2 s after failoverAfter, 21.6 s once
     * under {@code stress -c 1} at load 14-40): the bound is for a loaded machine, the figures are printed.
     */
    static final Duration WRITES_AGAIN_WITHIN = Duration.ofSeconds(30);
    /** The pods' RESP port (the container's; the Service's is 6379). */
    private static final int POD_PORT = 6380;

    private Cluster cluster;
    private Cluster.TestNamespace ns;
    private String password;

    @BeforeAll
    void createTheService(Cluster cluster) {
        this.cluster = cluster;
        ns = cluster.namespace("e2e-replicated");
        cluster.volumes().add(3);
        cluster.create(ns.name(), Cluster.example("replicated.yaml"));
        Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
        awaitReplicated();
        password = cluster.password(ns.name(), NAME + "-auth");
        Progress.say("replicated.yaml Ready in %d s, primary %s", ready.toSeconds(), primary().getMetadata().getName());
    }

    @AfterAll
    void removeTheService() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    @Order(1)
    void aKilledPrimaryFailsOverLosingNoAcknowledgedWriteAndComesBackAsAReplica() {
        Pod old = primary();
        long killed;
        Map<String, String> acknowledged;
        List<Map.Entry<java.time.Instant, String>> routes = new CopyOnWriteArrayList<>();
        try (Writer writer = new Writer(primaryUri(), "failover", true);
             io.fabric8.kubernetes.client.Watch routing = watchRoutes(NAME + "-primary", routes)) {
            writer.awaitAcknowledged(200, Duration.ofSeconds(60));
            killed = System.nanoTime();
            java.time.Instant killedAt = java.time.Instant.now();
            cluster.node().killContainer(old);
            // the outage the kill began (a write in flight at the kill may still have been acknowledged just after it)
            Writer.Outage outage = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.outages().stream().filter(o -> o.endedNanos() > killed).findFirst().orElse(null), o -> o != null);
            long refused = outage.endedNanos() - killed;
            writer.awaitAcknowledged(100, Duration.ofSeconds(60));
            acknowledged = writer.stop();
            String happened = timeline(killedAt) + "; the primary Service's ready pods: " + routes.stream()
                    .map(r -> String.format("%+.1f s %s", Duration.between(killedAt, r.getKey()).toMillis() / 1000.0, r.getValue())).toList();
            Progress.say("failover: writes acknowledged by WAIT 1 again %d ms after the SIGKILL of %s (outage %s); %s",
                    TimeUnit.NANOSECONDS.toMillis(refused), old.getMetadata().getName(), outage, happened);
            // the failover: a replica promoted (FailedOver, +8.1 s at load 12, +10.7 s on a fresh machine's CI: above); the
            // client's writes follow once the Service and kube-proxy have the new label and its connection retries
            java.time.Instant failedOver = eventTime("FailedOver", killedAt);
            assertThat(Duration.between(killedAt, failedOver)).as("a replica promoted after the primary's SIGKILL").isLessThanOrEqualTo(FAILOVER_WITHIN);
            assertThat(Duration.ofNanos(refused)).as("writes refused after the primary's SIGKILL (%s)", happened).isLessThanOrEqualTo(WRITES_AGAIN_WITHIN);
        }
        Pod now = primary();
        assertThat(now.getMetadata().getName()).as("a replica was promoted").isNotEqualTo(old.getMetadata().getName());
        // kube-proxy routes the primary Service by the operator's one EndpointSlice: the new primary, nothing else
        assertThat(cluster.client().discovery().v1().endpointSlices().inNamespace(ns.name())
                .withLabel("kubernetes.io/service-name", NAME + "-primary").list().getItems()).singleElement().satisfies(slice -> {
                    assertThat(slice.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by", "operator.percore.io");
                    assertThat(slice.getEndpoints()).singleElement().satisfies(e -> {
                        assertThat(e.getTargetRef().getName()).isEqualTo(now.getMetadata().getName());
                        assertThat(e.getAddresses()).containsExactly(now.getStatus().getPodIP());
                    });
                });
        assertThat(cluster.events(ns.name(), NAME)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FailedOver"));
        assertEveryKeyOnThePrimary(acknowledged);
        // the old primary's container restarts in its pod, is demoted, and follows the new primary (by its address or
        // through the primary Service, which selects it now): the new primary counts it among its online replicas
        await().atMost(PlanToPodsIT.READY_WITHIN).ignoreExceptions().untilAsserted(() -> {
            Pod back = cluster.client().pods().inNamespace(ns.name()).withName(old.getMetadata().getName()).get();
            assertThat(info(back)).contains("role:slave", "master_link_status:up");
            assertThat(info(now)).contains("ip=" + back.getStatus().getPodIP() + ",port=6380,state=online");
        });
        awaitReplicated();
        // where each pod stands, kept by the real API server (a field its schema lacked would be pruned): a failover ranks a
        // pod back from its append-only file there
        String replid = info(now).lines().filter(l -> l.startsWith("master_replid:")).findFirst().orElseThrow().substring("master_replid:".length()).trim();
        cluster.awaitStatus(ns.name(), NAME, Duration.ofSeconds(60), s -> s.getStatus().getReplication().getPositions() != null
                && s.getStatus().getReplication().getPositions().values().stream().filter(at -> replid.equals(at.getReplid())).count() == 3);
    }

    @Test
    @Order(2)
    void aSpecEditThatResizesThePodsRollsThemOneAtATimeKeepingEveryKey() {
        Map<String, String> uids = cluster.pods(ns.name(), NAME).stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
        List<String> samples = new CopyOnWriteArrayList<>();
        Map<String, String> acknowledged;
        long began;
        Pod oldPrimary = primary();
        try (Writer writer = Writer.withTimeout(primaryUri(), "roll", true, ROLL_TIMEOUT); PodWatch watch = new PodWatch(cluster, ns.name(), NAME, samples);
             PortWatch oldPort = new PortWatch(oldPrimary.getStatus().getPodIP(), POD_PORT, password);
             CpuWaits primaryWaits = new CpuWaits(oldPrimary.getMetadata().getUid())) {
            writer.awaitAcknowledged(100, Duration.ofSeconds(60));
            began = System.nanoTime();
            java.time.Instant beganAt = java.time.Instant.now();
            cluster.patchSpec(ns.name(), NAME, "{\"memoryPerShard\":\"320Mi\"}");
            // the roll's steps as the Replicated condition said them (ReplicasCatchingUp: it waited for a replica replaying what
            // the primary took during its restart)
            java.util.Set<String> steps = new java.util.concurrent.ConcurrentSkipListSet<>();
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                cluster.keepLogs(ns.name()); // the rolled pods' logs go with them: kept for a stall's diagnosis
                List<Pod> pods = cluster.pods(ns.name(), NAME);
                io.percore.operator.crd.PercoreService service = cluster.get(ns.name(), NAME);
                java.util.Optional.ofNullable(Cluster.condition(service, "Replicated")).ifPresent(c -> steps.add(c.getReason()));
                return pods.size() == 3 && pods.stream().allMatch(p -> !uids.get(p.getMetadata().getName()).equals(p.getMetadata().getUid())
                        && ChartIT.ready(p)) && Cluster.is(service, "Ready", "True");
            });
            long rolled = System.nanoTime() - began;
            awaitReplicated();
            writer.awaitAcknowledged(100, Duration.ofSeconds(60));
            acknowledged = writer.stop();
            // what happened around the longest outage: where the time of the primary's hand-over goes
            String around = writer.outages().stream().max(java.util.Comparator.comparing(Writer.Outage::length))
                    .map(o -> beganAt.plusNanos(o.beganNanos() - began))
                    .map(at -> "around the longest, from its start: " + timeline(at, at.plusSeconds(5))).orElse("");
            java.time.Instant primaryDeleted = eventTime("PodRolled", "deleting primary", beganAt);
            java.util.function.LongFunction<java.time.Instant> at = nanos -> beganAt.plusNanos(nanos - began);
            // a write seconds late while a replica rolled, and what the old primary was doing meanwhile: how long its
            // threads waited for a CPU, what it logged (a stall, a slow fsync)
            List<String> slow = writer.slowWrites().stream().filter(w -> at.apply(w.beganNanos()).isBefore(primaryDeleted))
                    .map(w -> String.format("%s from %+.2f s (the old primary's threads waiting for a CPU up to %s s meanwhile; it logged %s)",
                            w, Duration.between(primaryDeleted, at.apply(w.beganNanos())).toMillis() / 1000.0,
                            CpuWaits.seconds(primaryWaits.longestWaitNanos(w.beganNanos(), w.beganNanos() + w.nanos(), PRIMARY_PATH)),
                            cluster.keptWarnings(ns.name(), oldPrimary, at.apply(w.beganNanos()), at.apply(w.beganNanos() + w.nanos()))))
                    .toList();
            String outages = writer.outages().stream().map(o -> String.format("%s from %+.2f s (the old primary's threads waiting for a CPU up to "
                            + "%s s in the %d s before; it logged then %s)", o, Duration.between(primaryDeleted, at.apply(o.beganNanos())).toMillis() / 1000.0,
                    CpuWaits.seconds(primaryWaits.longestWaitNanos(o.beganNanos() - ROLL_TIMEOUT.toNanos(), o.beganNanos(), PRIMARY_PATH)), ROLL_TIMEOUT.toSeconds(),
                    at.apply(o.beganNanos()).isBefore(primaryDeleted) ? cluster.keptWarnings(ns.name(), oldPrimary,
                            at.apply(o.beganNanos() - ROLL_TIMEOUT.toNanos()), at.apply(o.beganNanos())) : "(its planned stop)")).toList().toString();
            Progress.say("roll of 3 pods in %d s (the Replicated condition's reasons seen: %s); the writer's outages, timed from the primary's deletion: %s; writes of %s s or more before the "
                            + "deletion: %s; the old primary's threads waited for a CPU %s s at worst in any %d s of the roll; %s; the old primary's "
                            + "port (its pod address) from the deletion: %s",
                    TimeUnit.NANOSECONDS.toSeconds(rolled), steps, outages, Writer.SLOW.toSeconds(), slow,
                    CpuWaits.seconds(primaryWaits.worstWindowNanos(Writer.DEFAULT_TIMEOUT.toNanos(), PRIMARY_PATH)), Writer.DEFAULT_TIMEOUT.toSeconds(),
                    around, oldPort.between(primaryDeleted, primaryDeleted.minusSeconds(1), primaryDeleted.plus(PRIMARY_STOP_WITHIN)));
            // Not a refusal: a SET taken whose WAIT 1 found no replica within 2 s (a replica slowed mid-roll: seen once in a
            // CI dry run), the next write taken. A reply seconds late on the loaded node is a slow write, not a refused one:
            // the client waits ROLL_TIMEOUT for it (twice, with a 3 s timeout, a WAIT or a SET answered later than that a few
            // seconds before the primary's deletion, while the second replica had just synced, in CI at load 12-14).
            List<Writer.Outage> refusals = writer.outages().stream()
                    .filter(o -> !(o.failures() == 1 && o.firstError().contains("WAIT 1 answered 0")))
                    .toList();
            // The roll's last step deletes the primary, which hands over as it stops: the one outage the roll needs. A
            // client that kube-proxy sent to the old pod meanwhile was relayed to the new primary and is disconnected
            // when the relay ends (2 s after the switchover, or up to 15 s while the client writes through it): a second
            // blip of that same stop, up to the handover's 10 s and the relay's 15 s after the deletion. The replicas'
            // rolls, all before the deletion, cost nothing.
            assertThat(refusals).as("the clients see only the primary's planned stop, deleted at %s (all outages: %s; slow writes before it: %s)",
                    primaryDeleted, outages, slow).hasSizeLessThanOrEqualTo(2).allSatisfy(o -> assertThat(at.apply(o.beganNanos()))
                            .isBetween(primaryDeleted.minusSeconds(1), primaryDeleted.plus(PRIMARY_STOP_WITHIN)));
        }
        assertThat(samples).as("never two pods missing or unready at once").noneMatch(s -> s.startsWith("2 down") || s.startsWith("3 down"));
        assertThat(cluster.pods(ns.name(), NAME)).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getResources().getLimits())
                .containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("576Mi")));
        assertEveryKeyOnThePrimary(acknowledged);
    }

    /**
     * Issue 69, a planned stop: the primary's pod deleted (a drain, an eviction, {@code kubectl delete}) under {@code WAIT 1}
     * writes on one long-lived connection through the primary Service. The operator switches over to the linked replica
     * at once while the old primary holds writes from its SIGTERM: the longest gap between two acknowledged writes, 0 lost.
     */
    @Test
    @Order(3)
    void thePrimarysPodDeletedHandsOverWithNothingAcknowledgedLost() {
        Pod old = primary();
        Map<String, String> acknowledged;
        try (Writer writer = new Writer(primaryUri(), "stop", true); PortWatch oldPort = new PortWatch(old.getStatus().getPodIP(), POD_PORT, password)) {
            writer.awaitAcknowledged(200, Duration.ofSeconds(60));
            long deleted = System.nanoTime();
            java.time.Instant deletedAt = java.time.Instant.now();
            cluster.client().pods().inNamespace(ns.name()).resource(old).delete();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> primary() != null
                    && !primary().getMetadata().getUid().equals(old.getMetadata().getUid()));
            writer.awaitAcknowledged(100, Duration.ofSeconds(60));
            acknowledged = writer.stop();
            Duration longest = writer.outages().stream().filter(o -> o.endedNanos() > deleted).map(Writer.Outage::length)
                    .max(java.util.Comparator.naturalOrder()).orElse(Duration.ZERO);
            // wall-clock times, to set beside the node's (kube-proxy's syncs: its metric kubeproxy_sync_proxy_rules_last_timestamp_seconds)
            String when = writer.outages().stream().filter(o -> o.endedNanos() > deleted)
                    .map(o -> deletedAt.plusNanos(o.beganNanos() - deleted) + " to " + deletedAt.plusNanos(o.acceptedNanos() - deleted))
                    .toList().toString();
            Progress.say("planned stop: %s deleted at %s, the longest gap between acknowledged writes %d ms, primary now %s; outages %s (writes "
                            + "refused %s); %s; its port (its pod address) from the deletion: %s", old.getMetadata().getName(), deletedAt, longest.toMillis(),
                    primary().getMetadata().getName(), writer.outages(), when, timeline(deletedAt),
                    oldPort.between(deletedAt, deletedAt.minusSeconds(1), deletedAt.plusSeconds(8)));
            assertThat(longest).as("writes acknowledged again after the primary's pod was deleted").isLessThanOrEqualTo(WRITES_AGAIN_WITHIN);
        }
        assertEveryKeyOnThePrimary(acknowledged);
        awaitReplicated();
    }

    /** When the operator recorded the first event of this reason at or after {@code since}. */
    private java.time.Instant eventTime(String reason, java.time.Instant since) {
        return eventTime(reason, "", since);
    }

    /** The same, of an event whose message contains {@code part}. */
    private java.time.Instant eventTime(String reason, String part, java.time.Instant since) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> cluster.client().v1().events().inNamespace(ns.name()).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()) && e.getMessage() != null && e.getMessage().contains(part))
                .map(e -> e.getEventTime() != null ? e.getEventTime().getTime() : e.getLastTimestamp())
                .filter(java.util.Objects::nonNull).map(java.time.Instant::parse).filter(t -> !t.isBefore(since.minusSeconds(1)))
                .min(java.util.Comparator.naturalOrder()).orElse(null), java.util.Objects::nonNull);
    }

    /**
     * Each change of the Service's endpoints, as the pods it routes to when seen (a pod's name, or its IP when the
     * endpoint names none): where the time between the failover and the client's first write goes.
     */
    /** The primary Service's ready endpoints as kube-proxy reads them (its EndpointSlices), each change with its time. */
    private io.fabric8.kubernetes.client.Watch watchRoutes(String service, List<Map.Entry<java.time.Instant, String>> routes) {
        return cluster.client().discovery().v1().endpointSlices().inNamespace(ns.name()).withLabel("kubernetes.io/service-name", service)
                .watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice) {
                List<String> ready = new ArrayList<>();
                if (action != Action.DELETED && slice.getEndpoints() != null) {
                    for (var e : slice.getEndpoints()) {
                        if (e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())) {
                            ready.add(e.getTargetRef() != null ? e.getTargetRef().getName() : String.join(",", e.getAddresses()));
                        }
                    }
                }
                routes.add(Map.entry(java.time.Instant.now(), (action == Action.DELETED ? "deleted " : "") + slice.getMetadata().getName()
                        + " " + ready));
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                // closed with the test's try block, or lost: the timeline then stops there
            }
        });
    }

    /** The namespace's events (the service's and its pods'), in seconds after the kill, in the order they happened. */
    private String timeline(java.time.Instant killed) {
        return cluster.timeline(ns.name(), killed, java.time.Instant.MAX);
    }

    /** The same, only what happened before {@code until}. */
    private String timeline(java.time.Instant killed, java.time.Instant until) {
        return cluster.timeline(ns.name(), killed, until);
    }

    private void awaitReplicated() {
        cluster.awaitStatus(ns.name(), NAME, PlanToPodsIT.READY_WITHIN, s -> Cluster.is(s, "Replicated", "True"));
    }

    private Pod primary() {
        return await().atMost(Duration.ofSeconds(60)).until(() -> cluster.pods(ns.name(), NAME).stream()
                .filter(p -> "primary".equals(Cluster.labels(p).get("percore.io/replication-role"))).findFirst().orElse(null), p -> p != null);
    }

    private RedisURI primaryUri() {
        return cluster.serviceUri(ns.name(), NAME + "-primary", "redis", password);
    }

    private String info(Pod pod) {
        RedisURI uri = RedisURI.builder().withHost(pod.getStatus().getPodIP()).withPort(6380).withPassword(password.toCharArray())
                .withTimeout(Duration.ofSeconds(3)).build();
        try (RedisClient client = Cluster.redis(uri); var c = client.connect()) {
            return c.sync().info("replication");
        }
    }

    private void assertEveryKeyOnThePrimary(Map<String, String> acknowledged) {
        try (RedisClient client = Cluster.redis(primaryUri()); var c = client.connect()) {
            List<String> lost = new ArrayList<>();
            acknowledged.forEach((k, v) -> {
                if (!v.equals(c.sync().get(k))) {
                    lost.add(k);
                }
            });
            assertThat(lost).as("of %d writes acknowledged by WAIT 1", acknowledged.size()).isEmpty();
        }
    }

    /**
     * From a primary's deletion, the longest its planned stop can refuse a client: the handover it waits for (the
     * operator's shutdown-handover, 10 s), then its relay (at most 15 s, DemoService.HANDOVER_RELAY_MAX), and a margin.
     */
    private static final Duration PRIMARY_STOP_WITHIN = Duration.ofSeconds(30);
    /**
     * The roll's client timeout: a reply later than this is a refused write. Longer than the scenarios' 3 s, which
     * time a failover's outage: a roll counts refusals, and a reply a few seconds late on a loaded node is a slow write.
     */
    private static final Duration ROLL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The threads a write's reply waits for on a primary with appendfsync always: its shards, its file's writer, and the
     * JVM's own that stop them (a collection, a safepoint).
     */
    private static final String[] PRIMARY_PATH = {"percore-shard", "percore-aof-wri", "VM Thread", "GC Thread"};

    /** Samples the service's pods twice a second: "N down: ..." lines, N the pods missing or not Ready. */
    static final class PodWatch implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        PodWatch(Cluster cluster, String namespace, String service, List<String> samples) {
            thread = new Thread(() -> {
                Set<String> names = Set.of(service + "-0", service + "-1", service + "-2");
                while (running) {
                    try {
                        Map<String, Boolean> ready = new HashMap<>();
                        cluster.pods(namespace, service).forEach(p -> ready.put(p.getMetadata().getName(), ChartIT.ready(p)));
                        long down = names.stream().filter(n -> !ready.getOrDefault(n, false)).count();
                        samples.add(down + " down: " + ready);
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        samples.add("sample failed: " + e);
                    }
                }
            }, "pod-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }
}
