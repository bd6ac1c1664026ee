package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.ApiRequestRecord;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.User;
import io.percore.operator.migration.MigrationPlanner;
import io.percore.operator.replication.FakeRedis;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import io.percore.operator.sizing.TestNodes;
import io.percore.operator.users.OperatorUsers;
import io.percore.operator.users.UserSpecs;
import io.percore.operator.users.UsersPlanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.users} and the operator's own users on Fabric8's mock API server, each pod a real redis-server 7.0.15
 * started as the rendered template says (its aclfile from Secret {@code <name>-users}, its {@code masteruser} and
 * {@code masterauth}): users applied live to every pod, changed and removed without a restart, refusals reported, the
 * operator's own user limited, the replicas' user carrying replication, pods that predate users given them, and a
 * migration from a source whose user has only what the migration needs.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class UsersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String APP_PW = "app-pw-3c9";
    private static final String REPORT_PW = "report-pw-1e7";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private PercoreOperator operator;
    private ApiRequestRecord record;
    private KubernetesClient operatorClient;
    /** Pod name → what plays it. */
    private final Map<String, Integer> pods = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(UsersTest.class);
    }

    @BeforeEach
    void startOperator() throws IOException {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        record = new ApiRequestRecord(true, "percore-system");
        operatorClient = record.client(client.getConfiguration());
        operator = startOperatorOn(operatorClient);
    }

    private PercoreOperator startOperatorOn(KubernetesClient operatorClient) throws IOException {
        return PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), operatorClient, new SchemaConfigCheck(),
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
        operatorClient.close();
        record.saveAs(UsersTest.class);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void twoUsersReachEveryPodLiveAChangeIsAppliedWithoutARestartAndARemovedUsersClientsAreDisconnected() throws Exception {
        secret("app-user", Map.of("password", APP_PW));
        secret("report-user", Map.of("password", REPORT_PW + "\n", "rules", "~report:* +@read"));
        PercoreService s = service(2);
        s.getSpec().setUsers(List.of(new User("app", "app-user", "~app:* +@all -@dangerous"), new User("report", "report-user", null)));
        client.resource(s).create();

        Deployment d = await().atMost(WAIT).ignoreExceptions().until(this::deployment, java.util.Objects::nonNull);
        Container app = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(app)).containsEntry(User.ACLFILE_ENV, "/etc/percore-users/users.acl").doesNotContainKey(Replication.MASTERUSER_ENV);
        assertThat(app.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals(User.ACL_MOUNT) && m.getReadOnly());
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getSecret() != null
                && v.getSecret().getSecretName().equals("kv-users") && v.getSecret().getItems().size() == 1);
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName("kv-config").get().getData().toString())
                .as("no password, no hash, in a ConfigMap").doesNotContain(APP_PW).doesNotContain(hash(APP_PW));
        assertThat(d.toString()).doesNotContain(APP_PW).doesNotContain(hash(APP_PW));

        startPod("kv-a");
        startPod("kv-b");
        awaitApplied("4 users (2 from spec.users; default and the operator's own) on 2 pod(s)");
        for (String pod : List.of("kv-a", "kv-b")) {
            try (TestResp c = new TestResp(pods.get(pod), "app", APP_PW); TestResp r = new TestResp(pods.get(pod), "report", REPORT_PW)) {
                assertThat(c.call("SET", "app:1", "x")).isEqualTo("OK");
                assertThatThrownBy(() -> c.call("SET", "other:1", "x"))
                        .hasMessage("error reply: NOPERM this user has no permissions to access one of the keys used as arguments");
                assertThatThrownBy(() -> c.call("FLUSHALL")).hasMessage("error reply: NOPERM this user has no permissions to run the 'flushall' command");
                assertThat(r.call("GET", "report:1")).isNull();
                assertThatThrownBy(() -> r.call("SET", "report:1", "x")).hasMessageStartingWith("error reply: NOPERM");
            }
            // the operator's own user: what it sends, nothing more
            try (TestResp op = new TestResp(pods.get(pod), OperatorUsers.OPERATOR, password("kv-operator"))) {
                assertThat((String) op.call("INFO", "replication")).contains("role:master");
                assertThatThrownBy(() -> op.call("FLUSHALL")).hasMessage("error reply: NOPERM this user has no permissions to run the 'flushall' command");
                assertThatThrownBy(() -> op.call("CONFIG", "SET", "maxmemory", "1"))
                        .hasMessage("error reply: NOPERM this user has no permissions to run the 'config|set' command");
            }
        }
        String file = aclFile();
        assertThat(file).contains("user app reset on #" + hash(APP_PW) + " ~app:* +@all -@dangerous\n")
                .contains("user report reset on #" + hash(REPORT_PW) + " ~report:* +@read\n")
                .doesNotContain(APP_PW).doesNotContain(REPORT_PW);

        // A pod that starts now has both users from its start: before the operator knows it, and it is not sent them again.
        startProcess("kv-c");
        try (TestResp c = new TestResp(pods.get("kv-c"), "app", APP_PW)) {
            assertThat(c.call("SET", "app:2", "y")).isEqualTo("OK");
        }
        createPod("kv-c", deployment().getSpec().getTemplate());
        awaitApplied("4 users (2 from spec.users; default and the operator's own) on 3 pod(s)");
        assertThat(events("UsersChanged")).noneMatch(m -> m.contains("kv-c"));

        // report's rule changed in its Secret: applied to the open connection; app's users untouched and connected
        PodTemplateSpec template = deployment().getSpec().getTemplate();
        Set<String> seenBefore = eventNames();
        try (TestResp appClient = new TestResp(pods.get("kv-a"), "app", APP_PW); TestResp reportClient = new TestResp(pods.get("kv-a"), "report", REPORT_PW)) {
            long appId = (Long) appClient.call("CLIENT", "ID");
            editSecret("report-user", "rules", "~report:* +@read +@write");
            // -NOPERM until the pod has the new rule: the same connection, asked again
            await().atMost(WAIT).ignoreExceptionsMatching(e -> e.getMessage() != null && e.getMessage().contains("NOPERM"))
                    .untilAsserted(() -> assertThat(reportClient.call("SET", "report:1", "z")).isEqualTo("OK"));
            awaitApplied("4 users (2 from spec.users; default and the operator's own) on 3 pod(s)");
            assertThat(appClient.call("CLIENT", "ID")).as("the same connection").isEqualTo(appId);
            List<String> changes = client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(e -> "UsersChanged".equals(e.getReason()) && !seenBefore.contains(e.getMetadata().getName()))
                    .map(Event::getMessage).toList();
            assertThat(changes).isNotEmpty().allSatisfy(m -> assertThat(m).contains("set report").doesNotContain("app"));
            assertThat(deployment().getSpec().getTemplate()).as("no restart: the pod template is as it was").isEqualTo(template);

            // report removed from the spec: deleted on every pod, its client disconnected; app's stays
            setUsers("[{\"name\":\"app\",\"secretName\":\"app-user\",\"rules\":\"~app:* +@all -@dangerous\"}]");
            await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> reportClient.call("PING")).isInstanceOf(IOException.class));
            awaitApplied("3 users (1 from spec.users; default and the operator's own) on 3 pod(s)");
            for (String pod : List.of("kv-a", "kv-b", "kv-c")) {
                try (TestResp admin = new TestResp(pods.get(pod), password("kv-auth"))) {
                    assertThat(aclUsers(admin)).containsExactlyInAnyOrder("default", "percore-operator", "app");
                }
            }
            assertThat(appClient.call("CLIENT", "ID")).isEqualTo(appId);
            assertThat(aclFile()).doesNotContain("user report ");
        }
    }

    @Test
    void aRefusedRuleOrABadSpecChangesNothingAndSaysWhy() throws Exception {
        secret("app-user", Map.of("password", APP_PW));
        PercoreService s = service(2);
        s.getSpec().setUsers(List.of(new User("app", "app-user", "~app:* +@all")));
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().until(this::deployment, java.util.Objects::nonNull);
        startPod("kv-a");
        startPod("kv-b");
        awaitApplied("3 users (1 from spec.users; default and the operator's own) on 2 pod(s)");
        String fileBefore = aclFile();

        // Redis refuses it on the first pod: its text in the condition, a Warning, sent to no other pod
        setUsers("[{\"name\":\"app\",\"secretName\":\"app-user\",\"rules\":\"~app:* +nosuchcommand\"}]");
        String refusal = "user app refused by kv-a: ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL";
        await().atMost(WAIT).untilAsserted(() -> {
            Condition c = condition();
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo(UsersPlanner.RULE_REFUSED);
            assertThat(c.getMessage()).startsWith(refusal);
        });
        assertThat(warnings(UsersPlanner.RULE_REFUSED)).anyMatch(m -> m.startsWith(refusal));
        assertAppStillHasItsRules(fileBefore);

        // rules that set a password: refused before anything is sent, without repeating it
        setUsers("[{\"name\":\"app\",\"secretName\":\"app-user\",\"rules\":\"~app:* +@all >sneaky-pw\"}]");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition().getReason()).isEqualTo(UserSpecs.INVALID);
            assertThat(condition().getMessage()).contains("spec.users[0] (app): rules: a rule starting with '>'").doesNotContain("sneaky");
        });
        assertThat(warnings(UserSpecs.INVALID)).isNotEmpty().noneMatch(m -> m.contains("sneaky"));
        assertAppStillHasItsRules(fileBefore);

        // one user's Secret missing: the whole list waits, app kept as it is
        setUsers("[{\"name\":\"app\",\"secretName\":\"app-user\",\"rules\":\"~app:* +@read\"},"
                + "{\"name\":\"ghost\",\"secretName\":\"nowhere\",\"rules\":\"+get\"}]");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition().getReason()).isEqualTo(UserSpecs.SECRET_MISSING);
            assertThat(condition().getMessage()).contains("spec.users[1] (ghost): Secret nowhere not found");
        });
        assertAppStillHasItsRules(fileBefore);

        // the Secret appears: watched, so applied at once (both users, app's new rules)
        secret("nowhere", Map.of("password", "ghost-pw"));
        awaitApplied("4 users (2 from spec.users; default and the operator's own) on 2 pod(s)");
        try (TestResp c = new TestResp(pods.get("kv-b"), "app", APP_PW)) {
            assertThatThrownBy(() -> c.call("SET", "app:1", "x")).hasMessageStartingWith("error reply: NOPERM");
        }
    }

    @Test
    void theReplicasLinkAsTheirOwnUser() throws Exception {
        PercoreService s = service(1);
        s.getSpec().setReplicas(null);
        s.getSpec().setShardsPerPod(null);
        s.getSpec().setReplication(new Replication(1));
        client.resource(s).create();
        StatefulSet sts = await().atMost(WAIT).ignoreExceptions().until(this::statefulSet, java.util.Objects::nonNull);
        Container app = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(app)).containsEntry(Replication.MASTERUSER_ENV, OperatorUsers.REPLICA);
        assertThat(app.getEnv()).filteredOn(e -> e.getName().equals(Replication.MASTERAUTH_ENV)).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-replica"));
        assertThat(app.getEnv()).filteredOn(e -> e.getName().equals(Replication.REQUIREPASS_ENV)).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-auth"));

        startPod("kv-0");
        startPod("kv-1");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(PercoreServiceReconcilerTest.condition(current(), ReplicationDriver.CONDITION).getStatus()).isEqualTo("True");
            assertThat(current().getStatus().getReplication().getPrimary()).isEqualTo("kv-0");
        });
        awaitApplied("3 users (0 from spec.users; default and the operator's own) on 2 pod(s)");
        try (TestResp primary = new TestResp(pods.get("kv-0"), password("kv-auth"))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat((String) primary.call("CLIENT", "LIST", "TYPE", "replica"))
                    .contains("user=" + OperatorUsers.REPLICA));
            primary.call("SET", "k", "v");
            assertThat((Long) primary.call("WAIT", "1", "10000")).as("acknowledged through the replicas' user").isEqualTo(1L);
            assertThat((List<?>) primary.call("ACL", "LOG")).as("nothing refused to the replica or the operator").isEmpty();
        }
        try (TestResp replica = new TestResp(pods.get("kv-1"), password("kv-auth"))) {
            assertThat(replica.call("GET", "k")).isEqualTo("v");
            assertThat(TestResp.field(replica.info(), "master_link_status")).isEqualTo("up");
        }
    }

    /**
     * A service whose pods predate users: a template without the aclfile (as an older operator rendered it) and pods with
     * only a password. An image without ACLs keeps that template and the default password (nothing breaks); pods that
     * have ACLs are given the operator's users live, and only then does the template read the aclfile.
     */
    @Test
    void podsThatPredateUsersKeepWorkingAndAreGivenThemBeforeTheTemplateChanges() throws Exception {
        PercoreService s = service(1);
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().until(() -> deployment() != null && client.secrets().inNamespace(NAMESPACE).withName("kv-auth").get() != null);
        String defaultPw = password("kv-auth");
        // as an older operator rendered it (no aclfile) with its pod running, then this operator started: an upgrade. The
        // operator is stopped meanwhile, so that no reconcile it began before the edit writes the template back over it.
        operator.close();
        asOlderOperatorRenderedIt();
        FakeRedis old = new FakeRedis(c -> switch (c.get(0).toUpperCase()) {
            case "ACL" -> "-ERR unknown command 'ACL', with args beginning with: '" + (c.size() > 1 ? c.get(1) : "") + "' \r\n";
            default -> "-ERR unknown command\r\n";
        });
        closing.add(old);
        pods.put("kv-old", old.port());
        createPod("kv-old", deployment().getSpec().getTemplate());
        operator = startOperatorOn(operatorClient);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition()).isNotNull();
            assertThat(condition().getReason()).isEqualTo(UsersPlanner.ACL_UNSUPPORTED);
            assertThat(condition().getMessage()).contains("kv-old: ERR unknown command 'ACL'");
        });
        assertThat(env(deployment().getSpec().getTemplate().getSpec().getContainers().get(0))).as("the template stays as it was")
                .doesNotContainKey(User.ACLFILE_ENV);

        // the pod replaced by one that has ACLs but no users yet (started with its password only)
        deletePod("kv-old");
        ServiceProcess p = ServiceProcess.startRedis(dir, List.of("--requirepass", defaultPw), null, defaultPw);
        closing.add(p);
        pods.put("kv-new", p.port);
        createPod("kv-new", deployment().getSpec().getTemplate());
        awaitApplied("2 users (0 from spec.users; default and the operator's own) on 1 pod(s)");
        try (TestResp op = new TestResp(p.port, OperatorUsers.OPERATOR, password("kv-operator"))) {
            assertThat((String) op.call("INFO", "replication")).contains("role:master");
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(env(deployment().getSpec().getTemplate().getSpec().getContainers().get(0)))
                .containsKey(User.ACLFILE_ENV));
    }

    @Test
    void aMigrationFromASourceWhoseUserHasOnlyWhatItNeeds() throws Exception {
        String sourceDefault = "source-default-pw";
        // the minimum (docs/how-to/moving-from-redis.md): INFO and CLIENT PAUSE/UNPAUSE for the operator,
        // PSYNC and REPLCONF for the pod's link
        ServiceProcess source = ServiceProcess.startRedis(dir, List.of("--requirepass", sourceDefault, "--user", "migrator", "on", ">mig-pw",
                "+info", "+client|pause", "+client|unpause", "+psync", "+replconf"), null, sourceDefault);
        closing.add(source);
        try (TestResp c = new TestResp(source.port, sourceDefault)) {
            for (int i = 0; i < 300; i++) {
                c.call("SET", "s" + i, "v" + i);
            }
        }
        secret("legacy-auth", Map.of("username", "migrator", "password", "mig-pw"));
        PercoreService s = service(1);
        MigrateFrom m = new MigrateFrom("127.0.0.1", source.port);
        m.setAuthSecretName("legacy-auth");
        s.getSpec().setMigrateFrom(m);
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().until(this::deployment, java.util.Objects::nonNull);
        startPod("kv-0");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            MigrationStatus st = current().getStatus().getMigration();
            assertThat(st.getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
            assertThat(st.getKeysLoaded()).isEqualTo(300L);
        });
        try (TestResp c = new TestResp(source.port, sourceDefault)) {
            assertThat((String) c.call("CLIENT", "LIST", "TYPE", "replica")).as("the pod's link (masteruser)").contains("user=migrator");
            c.call("SET", "late", "1");
        }
        mergePatch("{\"spec\":{\"migrateFrom\":{\"cutover\":true}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(current().getStatus().getMigration().getPhase()).isEqualTo(MigrationPlanner.COMPLETED));
        try (TestResp pod = new TestResp(pods.get("kv-0"), password("kv-auth")); TestResp src = new TestResp(source.port, sourceDefault)) {
            assertThat(pod.call("GET", "late")).isEqualTo("1");
            assertThat(pod.call("DBSIZE")).isEqualTo(301L);
            assertThat(TestResp.field(pod.info(), "role")).isEqualTo("master");
            assertThat((String) pod.call("CONFIG", "GET", "masteruser").toString()).as("the pod's own link back").doesNotContain("migrator");
            assertThat((List<?>) src.call("ACL", "LOG")).as("nothing the migration sent was refused by the source").isEmpty();
            assertThat(TestResp.field(src.info(), "role")).isEqualTo("master");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static PercoreService service(int pods) {
        PercoreService s = TestResources.service("kv", pods);
        s.getSpec().setReplicas(pods);
        s.getSpec().setShardsPerPod(1);
        return s;
    }

    private void assertAppStillHasItsRules(String file) throws Exception {
        for (String pod : List.of("kv-a", "kv-b")) {
            try (TestResp c = new TestResp(pods.get(pod), "app", APP_PW)) {
                assertThat(c.call("SET", "app:1", "x")).as(pod).isEqualTo("OK");
            }
        }
        assertThat(aclFile()).as("the aclfile keeps the rules the pods took").isEqualTo(file);
    }

    /** A pod's process started as the live template has it (the aclfile as the Secret holds it now), and its Pod. */
    private void startPod(String name) throws Exception {
        startProcess(name);
        createPod(name, workloadTemplate());
    }

    private void startProcess(String name) throws Exception {
        Container app = workloadTemplate().getSpec().getContainers().get(0);
        List<String> args = new ArrayList<>();
        for (EnvVar e : app.getEnv()) {
            String value = e.getValueFrom() != null ? password(e.getValueFrom().getSecretKeyRef().getName()) : e.getValue();
            switch (e.getName()) {
                case User.ACLFILE_ENV -> args.addAll(List.of("--aclfile", Files.writeString(dir.resolve(name + ".acl"), aclFile()).toString()));
                case Replication.REQUIREPASS_ENV -> args.addAll(List.of("--requirepass", value));
                case Replication.MASTERAUTH_ENV -> args.addAll(List.of("--masterauth", value));
                case Replication.MASTERUSER_ENV -> args.addAll(List.of("--masteruser", value));
                default -> { }
            }
        }
        ServiceProcess p = ServiceProcess.startRedis(dir, args, null, password("kv-auth"));
        closing.add(p);
        pods.put(name, p.port);
    }

    private PodTemplateSpec workloadTemplate() {
        StatefulSet sts = statefulSet();
        return sts != null ? sts.getSpec().getTemplate() : deployment().getSpec().getTemplate();
    }

    /**
     * A pod as its controller and the kubelet would make it: the template's labels, ready, reached on 127.0.0.1; and, as
     * the Deployment controller does, the Deployment's status counting it (what tells the operator a pod became ready).
     */
    private void createPod(String name, PodTemplateSpec template) {
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
        PodSpec spec = template.getSpec();
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withSpec(spec).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
            return p;
        });
        deploymentCountsPods();
    }

    private void deletePod(String name) {
        client.pods().inNamespace(NAMESPACE).withName(name).delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NAMESPACE).withName(name).get() == null);
        deploymentCountsPods();
    }

    private void deploymentCountsPods() {
        if (statefulSet() == null) {
            int ready = client.pods().inNamespace(NAMESPACE).list().getItems().size();
            client.apps().deployments().inNamespace(NAMESPACE).withName("kv").editStatus(d -> {
                d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(ready).withReadyReplicas(ready)
                        .withUpdatedReplicas(ready).build());
                return d;
            });
        }
    }

    /** The Deployment as an operator before users rendered it: no aclfile setting, no users volume. */
    private void asOlderOperatorRenderedIt() {
        client.apps().deployments().inNamespace(NAMESPACE).withName("kv").edit(d -> {
            PodSpec spec = d.getSpec().getTemplate().getSpec();
            spec.getContainers().get(0).getEnv().removeIf(e -> e.getName().equals(User.ACLFILE_ENV));
            spec.getContainers().get(0).getVolumeMounts().removeIf(v -> v.getName().equals(WorkloadRenderer.USERS_VOLUME));
            spec.getVolumes().removeIf(v -> v.getName().equals(WorkloadRenderer.USERS_VOLUME));
            return d;
        });
    }

    private void awaitApplied(String message) {
        await().atMost(WAIT).untilAsserted(() -> {
            Condition c = condition();
            assertThat(c).isNotNull();
            assertThat(c.getMessage()).isEqualTo(message);
            assertThat(c.getStatus()).isEqualTo("True");
        });
    }

    private Condition condition() {
        return PercoreServiceReconcilerTest.condition(current(), UsersPlanner.CONDITION);
    }

    private void secret(String name, Map<String, String> data) {
        SecretBuilder b = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        data.forEach((k, v) -> b.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(NAMESPACE).resource(b.build()).create();
    }

    private void editSecret(String name, String key, String value) {
        client.secrets().inNamespace(NAMESPACE).withName(name).edit(sec -> {
            sec.getData().put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
            return sec;
        });
    }

    private String password(String secret) {
        return decode(client.secrets().inNamespace(NAMESPACE).withName(secret).get(), "password");
    }

    private String aclFile() {
        Secret users = await().atMost(WAIT).until(() -> client.secrets().inNamespace(NAMESPACE).withName("kv-users").get(), java.util.Objects::nonNull);
        return decode(users, User.ACL_FILE);
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static List<String> aclUsers(TestResp admin) throws IOException {
        return ((List<?>) admin.call("ACL", "USERS")).stream().map(String::valueOf).toList();
    }

    private static String hash(String password) {
        return io.percore.operator.users.AclUser.passwordHash(password.getBytes(StandardCharsets.UTF_8));
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace(NAMESPACE).withName("kv").get();
    }

    private StatefulSet statefulSet() {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").get();
    }

    private PercoreService current() {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").get();
    }

    /** {@code spec.users} replaced whole, as a JSON Patch (the mock server's merge patch merges lists). */
    private void setUsers(String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/users\",\"value\":" + json + "}]");
    }

    private void mergePatch(String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    private List<String> events(String reason) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }

    private Set<String> eventNames() {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream().map(e -> e.getMetadata().getName())
                .collect(java.util.stream.Collectors.toSet());
    }

    private List<String> warnings(String reason) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType())).map(Event::getMessage).toList();
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }
}
