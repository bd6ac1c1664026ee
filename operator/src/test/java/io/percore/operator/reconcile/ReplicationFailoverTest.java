package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.ApiRequestRecord;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import io.percore.operator.sizing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's replication driver on Fabric8's mock API server, with every "pod" a real server
 * process on 127.0.0.1 answering INFO, AUTH, REPLICAOF and WAIT: redis-server 7.0, the contract's reference, which starts in
 * milliseconds where a JVM takes seconds of CPU; the cold start's pods are the demo's processes (what a pod loads from its
 * files and how it comes back is the demo's own). The mock runs no controllers: the test creates the pods the StatefulSet
 * would and plays the kubelet (readiness). The same scenarios with the demo's images: e2e-kubernetes (ReplicationIT,
 * FaultCampaignIT).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ReplicationFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PASSWORD = "s3cret-pw";
    private static final Duration FAILOVER_AFTER = Duration.ofSeconds(4);

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private PercoreOperator operator;
    private ApiRequestRecord record;
    private KubernetesClient operatorClient;
    /** Pod name → the process playing it. */
    private final Map<String, ServiceProcess> processes = new ConcurrentHashMap<>();
    private final List<ServiceProcess> all = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(ReplicationFailoverTest.class);
    }

    @BeforeEach
    void startOperator() throws Exception {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        client.nodes().resource(TestNodes.node("node-b").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        client.nodes().resource(TestNodes.node("node-c").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("kv-auth").withNamespace(NAMESPACE)
                .endMetadata().addToData(Replication.PASSWORD_KEY, Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        record = new ApiRequestRecord(true, "percore-system");
        operatorClient = record.client(client.getConfiguration());
        // Every pod is a process on 127.0.0.1 with its own port; in a cluster: status.podIP and the container port.
        operator = PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), operatorClient, new SchemaConfigCheck(),
                () -> { }, (pod, port) -> {
                    ServiceProcess p = processes.get(pod.getMetadata().getName());
                    return p == null ? null : new HostPort("127.0.0.1", p.port);
                });
    }

    @AfterEach
    void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        record.saveAs(ReplicationFailoverTest.class);
        for (ServiceProcess p : all) {
            p.close();
        }
    }

    private static PercoreService replicated() {
        PercoreService s = TestResources.service("kv", 2);
        Replication r = new Replication(2);
        r.setFailoverAfter(FAILOVER_AFTER.toSeconds() + "s");
        r.setAuthSecretName("kv-auth");
        s.getSpec().setReplication(r);
        return s;
    }

    /**
     * A primary Service from before the operator wrote its EndpointSlice: its selector goes, and the slice the endpoint
     * controller made for it too (kube-proxy would route to it beside the operator's); other slices are left alone.
     */
    @Test
    void aPrimaryServiceThatSelectedTheLabelLosesItsSelectorAndTheControllersSlice() {
        client.resource(replicated()).create();
        // the Service as an operator before this one wrote it: selecting the primary label
        Service written = await().atMost(WAIT).until(() -> client.services().inNamespace(NAMESPACE).withName("kv-primary").get(),
                java.util.Objects::nonNull);
        written.getSpec().setSelector(Map.of("app.kubernetes.io/instance", "kv", Replication.ROLE_LABEL, Replication.PRIMARY));
        client.services().inNamespace(NAMESPACE).resource(written).update();
        io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice stale = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                .withNewMetadata().withName("kv-primary-x7k2p").withNamespace(NAMESPACE)
                .addToLabels("kubernetes.io/service-name", "kv-primary")
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4").addNewEndpoint().withAddresses("10.0.0.9").endEndpoint().build();
        io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice other = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                .withNewMetadata().withName("kv-read-a1b2c").withNamespace(NAMESPACE)
                .addToLabels("kubernetes.io/service-name", "kv-read")
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4").build();
        client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(stale).create();
        client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(other).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(client.services().inNamespace(NAMESPACE).withName("kv-primary").get().getSpec().getSelector()).isNullOrEmpty();
            assertThat(client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName("kv-primary-x7k2p").get()).isNull();
        });
        assertThat(client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName("kv-read-a1b2c").get()).isNotNull();
    }

    @Test
    void bootstrapThenAFailoverPromotesTheHighestOffsetNotBeforeFailoverAfterAndKeepsWritesAcknowledgedWithWait() throws Exception {
        // every promotion the status announced before the pod was told (the write-ahead of ReplicationDriver.recordPromoting)
        List<String> announced = new CopyOnWriteArrayList<>();
        Watch statuses = client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, PercoreService s) {
                var r = s.getStatus() == null ? null : s.getStatus().getReplication();
                if (r != null && r.getPromoting() != null && !announced.contains(r.getPromoting() + " from " + r.getPromotingFrom())) {
                    announced.add(r.getPromoting() + " from " + r.getPromotingFrom());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            bootstrapThenAFailover(announced);
        } finally {
            statuses.close();
        }
    }

    private void bootstrapThenAFailover(List<String> announced) throws Exception {
        client.resource(replicated()).create();
        StatefulSet sts = awaitStatefulSet();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(sts.getSpec().getVolumeClaimTemplates()).as("no persistence: no claims").isNullOrEmpty();
        Container app = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(app)).containsEntry(Replication.REPLICAOF_ENV, "kv-primary." + NAMESPACE + ".svc 6379")
                .containsEntry("PERCORE_ENGINE_SHARDS", "2")
                .as("a primary cut off or frozen through a failover refuses writes when it comes back")
                .containsEntry(Replication.MIN_REPLICAS_TO_WRITE_ENV, "1");
        // the pods' password from kv-auth; a replica's link as the replicas' own user, its password from kv-replica
        assertThat(app.getEnv()).filteredOn(e -> e.getName().equals(Replication.REQUIREPASS_ENV) || e.getName().equals(Replication.MASTERAUTH_ENV))
                .hasSize(2).allSatisfy(e -> {
                    assertThat(e.getValue()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getName())
                            .isEqualTo(e.getName().equals(Replication.REQUIREPASS_ENV) ? "kv-auth" : "kv-replica");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
                });
        assertThat(env(app)).containsEntry(Replication.MASTERUSER_ENV, "percore-replica");
        Service primaryService = client.services().inNamespace(NAMESPACE).withName("kv-primary").get();
        assertThat(primaryService.getSpec().getSelector()).as("its EndpointSlice is the operator's").isNullOrEmpty();
        assertThat(primaryService.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("redis:6379");
        Service read = client.services().inNamespace(NAMESPACE).withName("kv-read").get();
        assertThat(read.getSpec().getSelector()).doesNotContainKey(Replication.ROLE_LABEL);

        createPods(sts, "r1", 3);

        // Bootstrap: equal (zero) offsets, so kv-0; the others follow it.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(labelled()).containsExactly("kv-0");
            assertThat(primaryEndpoints()).containsExactly("kv-0 ready");
            assertFollows("kv-1", "kv-0");
            assertFollows("kv-2", "kv-0");
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PercoreService s = current();
            assertThat(s.getStatus().getReplication().getPrimary()).isEqualTo("kv-0");
            assertThat(PercoreServiceReconcilerTest.condition(s, ReplicationDriver.CONDITION).getStatus()).isEqualTo("True");
            assertThat(events()).anyMatch(e -> e.getReason().equals("PrimaryElected"));
        });

        // kv-1 falls behind (stopped), kv-2 acknowledges every write.
        processes.get("kv-1").pause();
        List<String> acknowledged = new ArrayList<>();
        try (TestResp c = new TestResp(processes.get("kv-0").port, PASSWORD)) {
            for (int i = 0; i < 50; i++) {
                c.call("SET", "k" + i, "v" + i);
                assertThat((Long) c.call("WAIT", "1", "10000")).isGreaterThanOrEqualTo(1L);
                acknowledged.add("k" + i);
            }
            // More than kv-1's socket buffers can hold, so it cannot catch up from them after the kill.
            byte[] big = new byte[1 << 20];
            java.util.Arrays.fill(big, (byte) 'x');
            for (int i = 0; i < 40; i++) {
                c.call("SET".getBytes(StandardCharsets.US_ASCII), ("big" + i).getBytes(StandardCharsets.US_ASCII), big);
            }
            assertThat((Long) c.call("WAIT", "1", "30000")).isGreaterThanOrEqualTo(1L);
            for (int i = 0; i < 40; i++) {
                acknowledged.add("big" + i);
            }
        }
        String historyBefore = current().getStatus().getReplication().getHistory();
        assertThat(historyBefore).as("the history kv-0 serves in, recorded").isNotNull();
        // where each pod stands, recorded for a failover that finds one back from an append-only file with no offset
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            var kv2 = current().getStatus().getReplication().getPositions().get("kv-2");
            assertThat(kv2.getReplid()).isEqualTo(historyBefore);
            assertThat(kv2.getOffset()).isGreaterThan(40L << 20);
        });
        assertThat(announced).as("the bootstrap's promotion, announced before kv-0 was told").contains("kv-0 from null");
        // The kubelet marks the primary's pod unready, then its process is gone (a pod still Ready whose port refuses is
        // lost at once: aPrimaryWhoseProcessExits...); nothing is promoted before failoverAfter, nor before its fence.
        Instant unready = Instant.now();
        setReady("kv-0", false);
        processes.get("kv-0").kill();
        processes.get("kv-1").resume();
        long[] lagging = new long[1];
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            long before = offset("kv-1");
            Thread.sleep(500);
            assertThat(offset("kv-1")).isEqualTo(before);
            lagging[0] = before;
        });
        assertThat(lagging[0]).as("kv-1 lags kv-2: the lowest ordinal is not the right choice").isLessThan(offset("kv-2"));

        Thread.sleep(1500);
        assertThat(labelled()).containsExactly("kv-0");
        assertThat(role("kv-2")).isEqualTo("slave");
        assertThat(role("kv-1")).isEqualTo("slave");

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(labelled()).containsExactly("kv-2"));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(primaryEndpoints()).containsExactly("kv-2 ready"));
        var slice = client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName("kv-primary").get();
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "kv-primary")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "operator.percore.io");
        assertThat(slice.getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("redis:6379");
        // two replicas: kv-0 may still run (unready, its port not yet seen refusing), so it is given its fence as well:
        // min-replicas-max-lag after its replicas' last acknowledgement, it takes no more writes (FailoverDelayTest)
        assertThat(Duration.between(unready, Instant.now())).isGreaterThanOrEqualTo(Replication.MIN_REPLICAS_MAX_LAG.plusSeconds(1));
        assertThat(role("kv-2")).isEqualTo("master");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertFollows("kv-1", "kv-2"));
        try (TestResp c = new TestResp(processes.get("kv-2").port, PASSWORD)) {
            for (String key : acknowledged) {
                assertThat(c.call("EXISTS", key)).as(key).isEqualTo(1L);
            }
            assertThat(c.call("GET", "k49")).isEqualTo("v49");
        }
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(current().getStatus().getReplication().getPrimary()).isEqualTo("kv-2");
            assertThat(events()).anyMatch(e -> e.getReason().equals("FailedOver") && e.getType().equals("Warning")
                    && e.getMessage().contains("kv-2"));
            assertThat(events()).anyMatch(e -> e.getReason().equals("PrimaryFenced") && e.getMessage().contains("kv-0"));
            assertThat(events()).anyMatch(e -> e.getReason().equals("ReplicasRepointed") && e.getMessage().contains("kv-1"));
        });
        assertThat(announced).as("the failover's promotion, announced with the history it moves on from")
                .contains("kv-2 from " + historyBefore);
        // where kv-2's history left kv-0's, as redis-server says it (master_replid2, second_repl_offset): what a later
        // failover compares a pod still in kv-0's history by
        String info;
        try (TestResp c = new TestResp(processes.get("kv-2").port, PASSWORD)) {
            info = c.info();
        }
        assertThat(TestResp.field(info, "master_replid2")).isEqualTo(historyBefore);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(current().getStatus().getReplication().getLineage())
                .extracting(l -> l.getHistory() + " from " + l.getFrom() + " at " + l.getAt())
                .contains(TestResp.field(info, "master_replid") + " from " + historyBefore + " at "
                        + (Long.parseLong(TestResp.field(info, "second_repl_offset")) - 1)));
    }

    @Test
    void aReplanRollsTheReplicasFirstThenThePrimaryWhichHandsOverAsItStopsWithoutLosingAWaitedWrite() throws Exception {
        client.resource(replicated()).create();
        StatefulSet sts = awaitStatefulSet();
        setUpdateRevision("r1");
        createPods(sts, "r1", 3);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(labelled()).containsExactly("kv-0");
            assertThat(primaryEndpoints()).containsExactly("kv-0 ready");
            assertFollows("kv-1", "kv-0");
            assertFollows("kv-2", "kv-0");
        });

        // The kubelet's part: a pod being deleted stops within its grace period (a finalizer holds it meanwhile); a primary
        // waits to be demoted first, as the service does with shutdown-handover (10 s as the operator sets it; 30 s here, a
        // bound on a hung hand-over on a loaded machine, not a timing). The StatefulSet controller's part: a deleted pod
        // comes back at the update revision, empty.
        for (String pod : List.of("kv-0", "kv-1", "kv-2")) {
            holdWhileStopping(pod);
        }
        List<String> deleted = new CopyOnWriteArrayList<>();
        java.util.Set<String> stopping = ConcurrentHashMap.newKeySet();
        ExecutorService controller = Executors.newSingleThreadExecutor();
        Watch watch = client.pods().inNamespace(NAMESPACE).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                String name = pod.getMetadata().getName();
                if (action == Action.MODIFIED && pod.getMetadata().getDeletionTimestamp() != null && stopping.add(pod.getMetadata().getUid())) {
                    controller.submit(() -> {
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (System.nanoTime() < deadline && !"slave".equals(roleOrNull(name))) {
                            Thread.sleep(20);
                        }
                        processes.get(name).kill();
                        client.pods().inNamespace(NAMESPACE).withName(name).edit(p -> {
                            p.getMetadata().setFinalizers(List.of());
                            return p;
                        });
                        return null;
                    });
                }
                if (action == Action.DELETED) {
                    deleted.add(name);
                    controller.submit(() -> {
                        ServiceProcess fresh = ServiceProcess.startRedis(PASSWORD, dir);
                        all.add(fresh);
                        processes.put(name, fresh);
                        createPod(statefulSet(), name, "r2");
                        holdWhileStopping(name);
                        return null;
                    });
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        // A client writing through whichever pod is labelled primary, counting what WAIT 1 acknowledged.
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    List<String> primary = labelled();
                    if (primary.size() == 1 && processes.containsKey(primary.get(0))) {
                        try (TestResp c = new TestResp(processes.get(primary.get(0)).port, PASSWORD)) {
                            c.call("SET", "w" + i, "v" + i);
                            if ((Long) c.call("WAIT", "1", "1000") >= 1) {
                                acknowledged.add("w" + i);
                            }
                        }
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    // refused, READONLY, a pod going away: not acknowledged
                }
            }
        });
        writer.start();
        try {
            // The re-plan: a new pod template, a new update revision; OnDelete leaves the pods to the operator.
            mergePatch("{\"spec\":{\"env\":{\"ROLLED\":\"yes\"}}}");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(env(statefulSet().getSpec().getTemplate().getSpec()
                    .getContainers().get(0))).containsEntry("ROLLED", "yes"));
            setUpdateRevision("r2");

            RollProgress.awaitInOrder(deleted, List.of("kv-2", "kv-1", "kv-0"));
            await().atMost(RollProgress.STEP).ignoreExceptions().untilAsserted(() -> {
                assertThat(deleted).containsExactly("kv-2", "kv-1", "kv-0");
                assertThat(client.pods().inNamespace(NAMESPACE).list().getItems())
                        .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry(Pods.REVISION_LABEL, "r2"));
                List<String> primary = labelled();
                assertThat(primary).hasSize(1).isSubsetOf("kv-1", "kv-2");
                for (String pod : List.of("kv-0", "kv-1", "kv-2")) {
                    if (!pod.equals(primary.get(0))) {
                        assertFollows(pod, primary.get(0));
                    }
                }
            });
            Thread.sleep(500);
        } finally {
            writing.set(false);
            writer.join(10_000);
            watch.close();
            controller.shutdownNow();
        }
        String primary = labelled().get(0);
        assertThat(acknowledged).as("writes went on during the roll").hasSizeGreaterThan(10);
        assertHoldsEvery(primary, acknowledged);
        assertThat(events()).filteredOn(e -> e.getReason().equals("PodRolled")).hasSize(3);
        assertThat(events()).anyMatch(e -> e.getReason().equals("SwitchedOver") && e.getMessage().contains(primary)
                && e.getMessage().contains("kv-0 was being deleted"));
        assertThat(events()).noneMatch(e -> e.getReason().equals("FailedOver") || e.getReason().equals("SwitchoverAborted"));
    }

    /** A finalizer that holds a deleted pod while the test, as the kubelet, stops its process. */
    private void holdWhileStopping(String pod) {
        client.pods().inNamespace(NAMESPACE).withName(pod).edit(p -> {
            p.getMetadata().setFinalizers(List.of("test.percore.io/kubelet"));
            return p;
        });
    }

    private String roleOrNull(String pod) {
        try {
            return role(pod);
        } catch (Exception e) {
            return null;
        }
    }

    // --- the test's part of Kubernetes ---

    /** The StatefulSet, once every child (it and the Services written after it) exists. */
    private StatefulSet awaitStatefulSet() {
        await().atMost(WAIT).ignoreExceptions().until(() -> statefulSet() != null
                && client.services().inNamespace(NAMESPACE).withName("kv-primary").get() != null
                && client.services().inNamespace(NAMESPACE).withName("kv-read").get() != null);
        return statefulSet();
    }

    private StatefulSet statefulSet() {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").get();
    }

    /**
     * Issue 69: the kubelet reports the primary's container terminated: promoted at once, long before failoverAfter
     * (two minutes here), with every write WAIT acknowledged on the new primary. The process is frozen, not killed, until
     * the promotion: its connections stay open and its port accepts, so that only the kubelet's word can tell (a killed
     * process's closed connection tells the operator too, sometimes first on a loaded machine: the next test's path).
     */
    @Test
    void aPrimaryWhoseContainerTheKubeletReportsTerminatedIsFailedOverAtOnce() throws Exception {
        Duration failoverAfter = Duration.ofMinutes(2);
        List<String> acknowledged = bootstrapAndWrite(failoverAfter);
        processes.get("kv-0").pause();
        Instant killed = Instant.now();
        client.pods().inNamespace(NAMESPACE).withName("kv-0").editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("False").withLastTransitionTime(killed.toString()).endCondition()
                    .addNewContainerStatus().withName(WorkloadRenderer.CONTAINER).withReady(false).withRestartCount(0).withNewState()
                    .withNewTerminated().withExitCode(137).withReason("Error").withFinishedAt(killed.toString()).endTerminated().endState()
                    .endContainerStatus().build());
            return p;
        });
        String promoted = awaitPromotedReplica();
        Duration took = Duration.between(killed, Instant.now());
        processes.get("kv-0").kill();
        assertThat(took).as("promoted on the kubelet's word, not after failoverAfter").isLessThan(failoverAfter);
        assertThat(role(promoted)).isEqualTo("master");
        assertHoldsEvery(promoted, acknowledged);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertFollows(otherReplica(promoted), promoted);
            assertThat(events()).anyMatch(e -> e.getReason().equals("FailedOver") && e.getMessage().contains("its container terminated"));
        });
    }

    /**
     * Issue 69: the primary's process exits while its pod is still Ready (the kubelet has not noticed yet): the operator's
     * connection to it closes, its port refuses, and it is failed over at once, long before failoverAfter (two minutes
     * here) and without the kubelet's word, with every write WAIT acknowledged on the new primary.
     */
    @Test
    void aPrimaryWhoseProcessExitsIsFailedOverBeforeTheKubeletSaysSo() throws Exception {
        Duration failoverAfter = Duration.ofMinutes(2);
        List<String> acknowledged = bootstrapAndWrite(failoverAfter);
        // the operator holds a connection to the primary it found: the one that tells it first
        await().atMost(WAIT).until(() -> clientNames("kv-0").size() > 0);
        Instant killed = Instant.now();
        processes.get("kv-0").kill();
        String promoted = awaitPromotedReplica();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(primaryEndpoints()).containsExactly(promoted + " ready"));
        Duration took = Duration.between(killed, Instant.now());
        System.out.printf("primary's process killed, its pod still Ready: %s promoted and the primary Service's slice written %d ms later%n",
                promoted, took.toMillis());
        assertThat(took).as("promoted on the refused connection, not after failoverAfter").isLessThan(failoverAfter);
        assertThat(role(promoted)).isEqualTo("master");
        assertHoldsEvery(promoted, acknowledged);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertFollows(otherReplica(promoted), promoted);
            assertThat(events()).anyMatch(e -> e.getReason().equals("FailedOver") && e.getMessage().contains("refusing connections"));
            assertThat(clientNames(promoted)).as("the new primary watched in turn").isNotEmpty();
        });
    }

    /**
     * Issue 69, a planned stop: the primary's pod is being deleted (a finalizer holds it here, as the kubelet's grace
     * period does) and its process still answers: a linked replica is switched over to at once at the old primary's
     * offset, the primary Service routed to it, and the old primary demoted under it. Its process gets no SIGTERM here
     * (the operator can be quicker than the kubelet), so nothing but the operator's {@code CLIENT PAUSE WRITE} holds its
     * writes before it reads the offset to catch up to: a client writing without WAIT all along loses none it was
     * answered OK for (without the pause, those taken between the promotion and the demotion were).
     */
    @Test
    void aPrimaryWhosePodIsBeingDeletedIsSwitchedOverWhileItStillAnswers() throws Exception {
        demoPods = true; // its writer's end is the demo's: a demoted primary closes its clients (redis-server keeps them paused)
        List<String> acknowledged = bootstrapAndWrite(Duration.ofMinutes(2));
        client.pods().inNamespace(NAMESPACE).withName("kv-0").edit(p -> {
            p.getMetadata().setFinalizers(List.of("test.percore.io/hold"));
            return p;
        });
        // appended to as fast as the server answers (a copy-on-write list's copies made the writer the test's bottleneck)
        List<String> answeredOk = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
            try (TestResp c = new TestResp(processes.get("kv-0").port, PASSWORD)) {
                for (int i = 0; ; i++) {
                    if (!"OK".equals(c.call("SET", "plain" + i, "v" + i))) {
                        return;
                    }
                    answeredOk.add("plain" + i);
                }
            } catch (Exception e) {
                // closed by the demotion, or refused: the writes end here
            }
        }, "plain-writer");
        writer.start();
        await().atMost(WAIT).until(() -> answeredOk.size() >= 100);
        client.pods().inNamespace(NAMESPACE).withName("kv-0").delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NAMESPACE).withName("kv-0").get().getMetadata().getDeletionTimestamp() != null);
        String[] now = new String[1];
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(labelled()).hasSize(1).doesNotContain("kv-0");
            now[0] = labelled().get(0);
            assertThat(primaryEndpoints()).containsExactly(now[0] + " ready");
            assertThat(role(now[0])).isEqualTo("master");
            assertFollows("kv-0", now[0]);
            assertThat(events()).anyMatch(e -> e.getReason().equals("SwitchedOver") && e.getMessage().contains("was being deleted"));
        });
        assertHoldsEvery(now[0], acknowledged);
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(writer.isAlive()).as("the plain writer ended with the demotion").isFalse();
        assertHoldsEvery(now[0], answeredOk, "answered OK by the old primary");
        client.pods().inNamespace(NAMESPACE).withName("kv-0").edit(p -> {
            p.getMetadata().setFinalizers(List.of());
            return p;
        });
    }

    /** Every key of {@code acknowledged} (each a write WAIT 1 acknowledged) is on {@code pod}. */
    private void assertHoldsEvery(String pod, List<String> acknowledged) throws Exception {
        assertHoldsEvery(pod, acknowledged, "acknowledged with WAIT 1");
    }

    private void assertHoldsEvery(String pod, List<String> keys, String how) throws Exception {
        try (TestResp c = new TestResp(processes.get(pod).port, PASSWORD)) {
            for (String key : keys) {
                assertThat(c.call("EXISTS", key)).as("%s %s, on %s", key, how, pod).isEqualTo(1L);
            }
        }
    }

    /** Three pods with kv-0 elected primary and its replicas following; 50 keys written, each acknowledged by WAIT 1. */
    private List<String> bootstrapAndWrite(Duration failoverAfter) throws Exception {
        PercoreService s = replicated();
        s.getSpec().getReplication().setFailoverAfter(failoverAfter.toSeconds() + "s");
        client.resource(s).create();
        StatefulSet sts = awaitStatefulSet();
        createPods(sts, "r1", 3);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(labelled()).containsExactly("kv-0");
            assertThat(primaryEndpoints()).containsExactly("kv-0 ready");
            assertFollows("kv-1", "kv-0");
            assertFollows("kv-2", "kv-0");
        });
        List<String> acknowledged = new ArrayList<>();
        try (TestResp c = new TestResp(processes.get("kv-0").port, PASSWORD)) {
            for (int i = 0; i < 50; i++) {
                c.call("SET", "k" + i, "v" + i);
                assertThat((Long) c.call("WAIT", "1", "10000")).isGreaterThanOrEqualTo(1L);
                acknowledged.add("k" + i);
            }
        }
        return acknowledged;
    }

    /** The connections the operator's watch holds to a pod's process (CLIENT LIST, the operator's idle ones: cmd=auth). */
    private List<String> clientNames(String pod) throws Exception {
        try (TestResp c = new TestResp(processes.get(pod).port, PASSWORD)) {
            String list = (String) c.call("CLIENT", "LIST");
            return java.util.Arrays.stream(list.split("\n")).filter(l -> l.contains("cmd=auth")).toList();
        }
    }

    private void setUpdateRevision(String revision) {
        client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").editStatus(s -> {
            s.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReplicas(3).withUpdateRevision(revision)
                    .withCurrentRevision("r1").build());
            return s;
        });
    }

    /** The pods are the demo's processes (a test of what the demo does), not redis-server's. */
    private boolean demoPods;

    private void createPods(StatefulSet sts, String revision, int count) throws Exception {
        createPods(sts, revision, count, List.of());
    }

    private void createPods(StatefulSet sts, String revision, int count, List<String> serviceArgs) throws Exception {
        List<java.util.concurrent.Future<ServiceProcess>> starting = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(count); // the demo's: a JVM each, started side by side
        try {
            for (int i = 0; i < count; i++) {
                starting.add(starter.submit(() -> serviceArgs.isEmpty() && !demoPods ? ServiceProcess.startRedis(PASSWORD, dir)
                        : ServiceProcess.start(PASSWORD, dir, serviceArgs)));
            }
            for (int i = 0; i < count; i++) {
                ServiceProcess p = starting.get(i).get();
                all.add(p);
                processes.put("kv-" + i, p);
            }
        } finally {
            starter.shutdown();
        }
        for (int i = 0; i < count; i++) {
            createPod(sts, "kv-" + i, revision);
        }
    }

    /** A pod as the StatefulSet controller and the kubelet would make it: the template's labels, the revision, ready. */
    private void createPod(StatefulSet sts, String name, String revision) {
        Map<String, String> labels = new LinkedHashMap<>(sts.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(Pods.REVISION_LABEL, revision);
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withSpec(sts.getSpec().getTemplate().getSpec())
                .build()).create();
        setReady(name, true);
    }

    private void setReady(String name, boolean ready) {
        client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().build());
            return p;
        });
    }

    /** The primary Service's EndpointSlice: each endpoint's pod and whether it is ready. */
    private List<String> primaryEndpoints() {
        var slice = client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName("kv-primary").get();
        return slice == null ? List.of() : slice.getEndpoints().stream()
                .map(e -> e.getTargetRef().getName() + (Boolean.TRUE.equals(e.getConditions().getReady()) ? " ready" : " unready")).toList();
    }

    /**
     * The replica labelled primary after kv-0's loss: kv-1 or kv-2, whichever holds the newest data (the planner's rule,
     * ReplicationPlannerTest's subject). Not always the same one: redis-server's primary sends a PING into the stream every
     * {@code repl-ping-replica-period}, and one that reached one replica and not yet the other when the primary stopped
     * makes that one's offset the higher (a CI run, 2026-11-29: kv-2, where the test expected kv-1).
     */
    private String awaitPromotedReplica() {
        return await().atMost(WAIT).ignoreExceptions().until(() -> {
            List<String> now = labelled();
            return now.size() == 1 && !now.get(0).equals("kv-0") ? now.get(0) : null;
        }, p -> p != null);
    }

    private static String otherReplica(String promoted) {
        return promoted.equals("kv-1") ? "kv-2" : "kv-1";
    }

    private List<String> labelled() {
        return client.pods().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(p -> p.getMetadata().getLabels() != null
                        && Replication.PRIMARY.equals(p.getMetadata().getLabels().get(Replication.ROLE_LABEL)))
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private void assertFollows(String replica, String primary) throws Exception {
        try (TestResp c = new TestResp(processes.get(replica).port, PASSWORD)) {
            String info = c.info();
            assertThat(TestResp.field(info, "role")).isEqualTo("slave");
            assertThat(TestResp.field(info, "master_port")).isEqualTo(Integer.toString(processes.get(primary).port));
            assertThat(TestResp.field(info, "master_link_status")).isEqualTo("up");
        }
    }

    private String role(String pod) throws Exception {
        try (TestResp c = new TestResp(processes.get(pod).port, PASSWORD)) {
            return TestResp.field(c.info(), "role");
        }
    }

    private long offset(String pod) throws Exception {
        try (TestResp c = new TestResp(processes.get(pod).port, PASSWORD)) {
            String info = c.info();
            return Long.parseLong(TestResp.field(info, "slave".equals(TestResp.field(info, "role")) ? "slave_repl_offset" : "master_repl_offset"));
        }
    }

    private PercoreService current() {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").get();
    }

    private void mergePatch(String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv")
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems();
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }
}
