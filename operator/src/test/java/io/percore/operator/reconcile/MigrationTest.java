package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.Auth;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.migration.MigrationPlanner;
import io.percore.operator.replication.FakeRedis;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import io.percore.operator.sizing.TestNodes;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.migrateFrom} on Fabric8's mock API server. The service's one pod is a real server on 127.0.0.1
 * ({@link ServiceProcess}: the demo's jar in the build, else redis-server) and the source a real redis-server 7.0; where
 * a real Redis cannot play the part (an old one without {@code CLIENT PAUSE WRITE}, a replica that never catches up) a
 * {@link FakeRedis} does, and records what the operator sent it. The real-node suite runs the same move with pods.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class MigrationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PASSWORD = "pod-pw";
    private static final String SOURCE_PASSWORD = "legacy-pw";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private PercoreOperator operator;
    /** Pod name → the port of what plays it. */
    private final Map<String, Integer> pods = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void startOperator() throws IOException {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        secret("kv-auth", PASSWORD);
        secret("legacy-auth", SOURCE_PASSWORD);
        operator = PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), client, new SchemaConfigCheck(),
                () -> { }, (pod, port) -> {
                    Integer p = pods.get(pod.getMetadata().getName());
                    return p == null ? null : new HostPort("127.0.0.1", p);
                });
    }

    @AfterEach
    void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void theServiceFollowsARealRedisRefusesWritesThenCutsOverWithoutLosingAnAcknowledgedWrite() throws Exception {
        ServiceProcess source = source();
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            for (int i = 0; i < 500; i++) {
                c.call("SET", "s" + i, "v" + i);
                c.call("RPUSH", "l" + (i % 10), "e" + i);
                c.call("HSET", "h" + (i % 10), "f" + i, "v" + i);
            }
            c.call("PEXPIRE", "s7", "900000");
        }
        // A client writing to the source throughout, with a short timeout: once the cut-over holds its writes it stops.
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger held = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
                c.timeout(Duration.ofSeconds(1));
                for (int i = 0; writing.get(); i++) {
                    c.call("SET", "w" + (i % 300), "x" + i);
                    acknowledged.put("w" + (i % 300), "x" + i);
                    Thread.sleep(2);
                }
            } catch (SocketTimeoutException e) {
                held.incrementAndGet();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "writer");
        writer.start();

        client.resource(service(source.port, null)).create();
        ServiceProcess pod = ServiceProcess.start(PASSWORD, dir);
        closing.add(pod);
        createPod("kv-0", pod.port);

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            MigrationStatus m = current().getStatus().getMigration();
            assertThat(m.getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
            assertThat(m.getLinkStatus()).isEqualTo("up");
            assertThat(m.getSource()).isEqualTo("127.0.0.1:" + source.port);
            assertThat(m.getSourceVersion()).startsWith("7.");
            assertThat(m.getKeysLoaded()).isGreaterThanOrEqualTo(520);
            assertThat(m.getFullSyncs()).isEqualTo(1);
            assertThat(m.getLagBytes()).isNotNull();
            assertThat(condition(MigrationDriver.CONDITION).getStatus()).isEqualTo("False");
            assertThat(reasons()).contains("MigrationStarted", "MigrationSynced");
        });
        try (TestResp c = new TestResp(pod.port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("slave");
            assertThat(c.call("GET", "s1")).as("reads are served").isEqualTo("v1");
            assertThatThrownBy(() -> c.call("SET", "mine", "1")).hasMessageContaining("READONLY");
        }
        assertThat(held.get()).as("nothing held the source's writes before the cut-over").isZero();

        mergePatch("{\"spec\":{\"migrateFrom\":{\"cutover\":true}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            MigrationStatus m = current().getStatus().getMigration();
            assertThat(m.getPhase()).isEqualTo(MigrationPlanner.COMPLETED);
            assertThat(m.getCutoverAt()).isNotNull();
            assertThat(condition(MigrationDriver.CONDITION).getStatus()).isEqualTo("True");
            assertThat(reasons()).contains("MigrationCutOver");
        });
        writer.join(10_000);
        writing.set(false);
        writer.join(10_000);
        MigrationStatus done = current().getStatus().getMigration();
        // the bound the spec states (5 s by default), not a timing of this machine
        assertThat(done.getWritesPausedMillis()).isBetween(0L, MigrateFrom.DEFAULT_CUTOVER_TIMEOUT.toMillis());
        assertThat(held.get()).as("the writer was held by the pause").isEqualTo(1);
        try (TestResp c = new TestResp(pod.port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("master");
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertThat(c.call("GET", e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(c.call("LLEN", "l3")).isEqualTo(50L);
            assertThat(c.call("HGET", "h4", "f104")).isEqualTo("v104");
            assertThat((Long) c.call("PTTL", "s7")).isBetween(1L, 900_000L);
            assertThat(c.call("SET", "mine", "1")).as("the service takes writes").isEqualTo("OK");
        }
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).as("the source is left as it was").isEqualTo("master");
            c.timeout(Duration.ofMillis(500));
            assertThatThrownBy(() -> c.call("SET", "late", "1")).as("its writes stay held").isInstanceOf(SocketTimeoutException.class);
        }
        // Done stays done: the source is not asked again, the pod is not relinked.
        String cutoverAt = done.getCutoverAt();
        Thread.sleep(MigrationPlanner.PERIOD.toMillis() + 1000);
        assertThat(current().getStatus().getMigration().getCutoverAt()).isEqualTo(cutoverAt);
        try (TestResp c = new TestResp(pod.port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("master");
        }
    }

    @Test
    void aReplicatedServiceCopiesThroughItsPrimaryWhoseReplicaFollowsItThroughTheCutOver() throws Exception {
        ServiceProcess source = source();
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            for (int i = 0; i < 200; i++) {
                c.call("SET", "s" + i, "v" + i);
            }
        }
        PercoreService s = service(source.port, null);
        Replication r = new Replication(1);
        r.setAuthSecretName("kv-auth");
        s.getSpec().setReplication(r);
        s.getSpec().setAuth(null);
        client.resource(s).create();
        io.fabric8.kubernetes.api.model.apps.StatefulSet sts = await().atMost(WAIT).ignoreExceptions()
                .until(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").get(), java.util.Objects::nonNull);
        Map<String, ServiceProcess> byPod = new LinkedHashMap<>();
        for (int i = 0; i < sts.getSpec().getReplicas(); i++) {
            ServiceProcess p = ServiceProcess.start(PASSWORD, dir);
            closing.add(p);
            byPod.put("kv-" + i, p);
        }
        byPod.forEach((name, p) -> createPod(name, p.port, sts.getSpec().getTemplate().getMetadata().getLabels(), sts.getSpec().getTemplate().getSpec()));

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            MigrationStatus m = current().getStatus().getMigration();
            assertThat(m.getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
            assertThat(m.getLinkStatus()).isEqualTo("up");
        });
        String primary = current().getStatus().getReplication().getPrimary();
        String replica = byPod.keySet().stream().filter(n -> !n.equals(primary)).findFirst().orElseThrow();
        try (TestResp c = new TestResp(byPod.get(primary).port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "master_port")).as("the primary follows the source").isEqualTo(Integer.toString(source.port));
        }
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            try (TestResp c = new TestResp(byPod.get(replica).port, PASSWORD)) {
                assertThat(TestResp.field(c.info(), "master_port")).as("its replica follows it").isEqualTo(Integer.toString(byPod.get(primary).port));
                assertThat(c.call("GET", "s199")).as("and holds the source's keys through it").isEqualTo("v199");
            }
        });

        mergePatch("{\"spec\":{\"migrateFrom\":{\"cutover\":true}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(current().getStatus().getMigration().getPhase()).isEqualTo(MigrationPlanner.COMPLETED));
        assertThat(current().getStatus().getReplication().getPrimary()).as("no failover on the way").isEqualTo(primary);
        try (TestResp c = new TestResp(byPod.get(primary).port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("master");
            assertThat(c.call("SET", "after", "1")).isEqualTo("OK");
            assertThat(c.call("WAIT", "1", "30000")).as("its replica acknowledges its writes").isEqualTo(1L);
        }
        try (TestResp c = new TestResp(byPod.get(replica).port, PASSWORD)) {
            assertThat(c.call("GET", "after")).isEqualTo("1");
            assertThat(c.call("GET", "s7")).isEqualTo("v7");
        }
    }

    @Test
    void aCutOverThatTimesOutUnpausesTheSourceWhichStaysThePrimary() throws Exception {
        ServiceProcess source = source();
        // A replica of the source's own gives it a backlog, hence an offset (Redis counts none before its first replica).
        ServiceProcess sourceReplica = ServiceProcess.startRedis(SOURCE_PASSWORD, dir);
        closing.add(sourceReplica);
        try (TestResp r = new TestResp(sourceReplica.port, SOURCE_PASSWORD)) {
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(source.port));
        }
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            // a write before the replica is online would go to no backlog, and leave the offset at 0
            await().atMost(WAIT).until(() -> TestResp.field(c.info(), "slave0") != null && TestResp.field(c.info(), "slave0").contains("state=online"));
            c.call("SET", "k", "v");
            assertThat(c.call("WAIT", "1", "30000")).isEqualTo(1L);
            assertThat(Long.parseLong(TestResp.field(c.info(), "master_repl_offset"))).isGreaterThan(1);
        }
        // A pod that says it follows the source with its link up but never gets past offset 1.
        FakeRedis pod = new FakeRedis(replicaOf(source.port, 1));
        closing.add(pod);
        PercoreService s = service(source.port, "300ms");
        s.getSpec().getMigrateFrom().setCutover(true);
        client.resource(s).create();
        createPod("kv-0", pod.port());

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Condition migrated = condition(MigrationDriver.CONDITION);
            assertThat(migrated.getReason()).isEqualTo("CutoverFailed");
            assertThat(migrated.getMessage()).contains("unpaused", "stays the primary", "reached offset 1", "next attempt");
            assertThat(reasons()).contains("CutoverFailed");
            assertThat(current().getStatus().getMigration().getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
            assertThat(current().getStatus().getMigration().getCutoverFailedAt()).isNotNull();
        });
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("master");
            c.timeout(Duration.ofSeconds(2));
            assertThat(c.call("SET", "after", "1")).as("the source takes writes again").isEqualTo("OK");
        }
        assertThat(pod.commands()).noneMatch(c -> c.startsWith("REPLICAOF NO ONE"));
        // not tried again at once: each try holds the source's writes
        Thread.sleep(2000);
        assertThat(events().stream().filter(e -> e.getReason().equals("CutoverFailed")).count()).isEqualTo(1);
    }

    @Test
    void aSourceWithoutClientPauseWriteIsRefusedTheCutOverAndNeverPaused() throws Exception {
        FakeRedis source = new FakeRedis(command -> switch (command.get(0).toUpperCase()) {
            case "INFO" -> FakeRedis.bulk("# Server\r\nredis_version:6.0.20\r\n# Replication\r\nrole:master\r\nmaster_repl_offset:100\r\n"
                    + "# Cluster\r\ncluster_enabled:0\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n");
            default -> "-ERR unknown command\r\n";
        });
        FakeRedis pod = cutOverFrom(source);

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Condition migrated = condition(MigrationDriver.CONDITION);
            assertThat(migrated.getReason()).isEqualTo("CutoverRefused");
            assertThat(migrated.getMessage()).contains("Redis 6.0.20", "CLIENT PAUSE WRITE");
            assertThat(events()).anyMatch(e -> e.getReason().equals("CutoverRefused") && e.getType().equals("Warning"));
        });
        assertThat(source.commands()).as("only INFO was sent to the source").allMatch(c -> c.equals("INFO"));
        assertThat(pod.commands()).noneMatch(c -> c.startsWith("REPLICAOF NO ONE"));
    }

    @Test
    void aSourceAnsweringClientPauseWriteWithAnErrorIsNotCutOver() throws Exception {
        FakeRedis source = new FakeRedis(command -> switch (command.get(0).toUpperCase()) {
            case "INFO" -> FakeRedis.bulk("redis_version:7.0.0\r\nrole:master\r\nmaster_repl_offset:100\r\ncluster_enabled:0\r\n");
            case "CLIENT" -> "-ERR syntax error\r\n";
            default -> "-ERR unknown command\r\n";
        });
        FakeRedis pod = cutOverFrom(source);

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Condition migrated = condition(MigrationDriver.CONDITION);
            assertThat(migrated.getReason()).isEqualTo("CutoverFailed");
            assertThat(migrated.getMessage()).contains("CLIENT PAUSE WRITE refused", "no write was held");
        });
        assertThat(pod.commands()).noneMatch(c -> c.startsWith("REPLICAOF NO ONE"));
    }

    @Test
    void aSourceThatIsAReplicaIsRefusedAndThePodNeverLinked() throws Exception {
        FakeRedis source = new FakeRedis(command -> command.get(0).equalsIgnoreCase("INFO")
                ? FakeRedis.bulk("redis_version:7.0.15\r\nrole:slave\r\nmaster_host:10.1.2.3\r\nmaster_port:6379\r\ncluster_enabled:0\r\n")
                : "-ERR unknown command\r\n");
        closing.add(source);
        ServiceProcess pod = ServiceProcess.startRedis(PASSWORD, dir);
        closing.add(pod);
        client.resource(service(source.port(), null)).create();
        createPod("kv-0", pod.port);

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(current().getStatus().getMigration().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
            assertThat(condition(MigrationDriver.CONDITION).getReason()).isEqualTo("MigrationRefused");
            assertThat(condition(MigrationDriver.CONDITION).getMessage()).contains("itself a replica (of 10.1.2.3:6379)");
        });
        assertThat(source.commands()).allMatch(c -> c.equals("INFO"));
        try (TestResp c = new TestResp(pod.port, PASSWORD)) {
            assertThat(TestResp.field(c.info(), "role")).isEqualTo("master");
        }
    }

    /**
     * What only the pod can tell (the source lets the operator's user run INFO, not PSYNC): its link's reason in the status
     * at once, {@code Failing}, the {@code Migrated} condition, and one Warning event however many tries fail.
     */
    @Test
    void aPodWhoseLinkFailsSaysWhyAtOnceWithOneEvent() throws Exception {
        Assumptions.assumeTrue(ServiceProcess.service(), "needs the demo service's jar (-D" + ServiceProcess.SERVICE_JAR
                + "): redis-server does not say why its link fails");
        ServiceProcess source = source();
        try (TestResp c = new TestResp(source.port, SOURCE_PASSWORD)) {
            c.call("SET", "k", "v");
            assertThat(c.call("ACL", "SETUSER", "mover", "on", ">mover-pw", "~*", "&*", "+@all", "-psync", "-sync")).isEqualTo("OK");
        }
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("mover-auth").withNamespace(NAMESPACE)
                .endMetadata().addToData(Replication.PASSWORD_KEY, base64("mover-pw")).addToData("username", base64("mover")).build()).create();
        PercoreService s = service(source.port, null);
        s.getSpec().getMigrateFrom().setAuthSecretName("mover-auth");
        client.resource(s).create();
        ServiceProcess pod = ServiceProcess.start(PASSWORD, dir);
        closing.add(pod);
        createPod("kv-0", pod.port);

        String noperm = "the primary refused PSYNC: -NOPERM this user has no permissions to run the 'psync' command";
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            MigrationStatus m = current().getStatus().getMigration();
            assertThat(m.getPhase()).isEqualTo(MigrationPlanner.FAILING);
            assertThat(m.getLinkError()).isEqualTo(noperm);
            assertThat(m.getLinkErrorSince()).isNotNull();
            assertThat(m.getLinkFailures()).isPositive();
            Condition migrated = condition(MigrationDriver.CONDITION);
            assertThat(migrated.getReason()).isEqualTo(MigrationPlanner.SYNC_FAILED);
            assertThat(migrated.getMessage()).contains(noperm);
            assertThat(events()).anyMatch(e -> e.getReason().equals(MigrationPlanner.SYNC_FAILED) && e.getType().equals("Warning")
                    && e.getMessage().contains(noperm));
        });
        long seen = current().getStatus().getMigration().getLinkFailures();
        await().atMost(WAIT).until(() -> current().getStatus().getMigration().getLinkFailures() >= seen + 2);
        assertThat(events().stream().filter(e -> e.getReason().equals(MigrationPlanner.SYNC_FAILED)).count())
                .as("one event for the reason, not one per try").isEqualTo(1);
        assertThat(current().getStatus().getMigration().getLinkError()).isEqualTo(noperm);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A real redis-server 7.0 with a password: the Redis moved in. */
    private ServiceProcess source() throws IOException, InterruptedException {
        ServiceProcess source = ServiceProcess.startRedis(SOURCE_PASSWORD, dir);
        closing.add(source);
        return source;
    }

    /** A service asked to cut over from {@code source} at once, its pod a fake already in sync with it at offset 100. */
    private FakeRedis cutOverFrom(FakeRedis source) throws IOException {
        closing.add(source);
        FakeRedis pod = new FakeRedis(replicaOf(source.port(), 100));
        closing.add(pod);
        PercoreService s = service(source.port(), null);
        s.getSpec().getMigrateFrom().setCutover(true);
        client.resource(s).create();
        createPod("kv-0", pod.port());
        return pod;
    }

    /** A pod's answers as a replica of 127.0.0.1:{@code sourcePort} with its link up, stuck at {@code offset}. */
    private static Function<List<String>, String> replicaOf(int sourcePort, long offset) {
        return command -> switch (command.get(0).toUpperCase()) {
            case "INFO" -> command.size() > 1 && command.get(1).equalsIgnoreCase("keyspace") ? FakeRedis.bulk("# Keyspace\r\n")
                    : FakeRedis.bulk("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" + sourcePort
                            + "\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:" + offset
                            + "\r\nmaster_repl_offset:" + offset + "\r\n");
            case "CONFIG", "REPLICAOF" -> "+OK\r\n";
            default -> "-ERR unknown command\r\n";
        };
    }

    private static PercoreService service(int sourcePort, String cutoverTimeout) {
        PercoreService s = TestResources.service("kv", 2);
        Auth auth = new Auth();
        auth.setSecretName("kv-auth");
        s.getSpec().setAuth(auth);
        MigrateFrom m = new MigrateFrom("127.0.0.1", sourcePort);
        m.setAuthSecretName("legacy-auth");
        m.setCutoverTimeout(cutoverTimeout);
        s.getSpec().setMigrateFrom(m);
        return s;
    }

    private void secret(String name, String password) {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .endMetadata().addToData(Replication.PASSWORD_KEY, Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
    }

    /** The Deployment's pod as its controller and the kubelet would make it, played by what listens on {@code port}. */
    private void createPod(String name, int port) {
        Deployment d = await().atMost(WAIT).ignoreExceptions()
                .until(() -> client.apps().deployments().inNamespace(NAMESPACE).withName("kv").get(), java.util.Objects::nonNull);
        createPod(name, port, d.getSpec().getTemplate().getMetadata().getLabels(), d.getSpec().getTemplate().getSpec());
    }

    private void createPod(String name, int port, Map<String, String> templateLabels, io.fabric8.kubernetes.api.model.PodSpec spec) {
        pods.put(name, port);
        Map<String, String> labels = new LinkedHashMap<>(templateLabels);
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withSpec(spec).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
            return p;
        });
    }

    private PercoreService current() {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").get();
    }

    private Condition condition(String type) {
        return PercoreServiceReconcilerTest.condition(current(), type);
    }

    private void mergePatch(String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems();
    }

    private List<String> reasons() {
        return events().stream().map(Event::getReason).toList();
    }
}
