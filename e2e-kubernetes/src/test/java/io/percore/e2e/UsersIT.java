package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.PercoreService;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Users and permissions (issue 67) on real pods. {@code operator/examples/users.yaml}: two users from Secrets, app
 * limited to {@code app:*} (its writes elsewhere refused with {@code -NOPERM}), report reading {@code report:*}; a rule
 * changed in report's Secret reaches the running pod, with its open connection and app's, and no pod restarted; the
 * operator's own user cannot {@code FLUSHALL} nor {@code CONFIG SET}. And {@code examples/migrate.yaml} from a
 * redis-server on the host whose migration user has only what a migration needs.
 */
@ExtendWith(RealNodeExtension.class)
@Order(10)
class UsersIT {

    static final String NAME = "kv";
    /**
     * From a Secret's change to the pods: the operator's watch and one reconcile (no kubelet volume refresh on this path).
     * Bounded with room for a loaded node.
     */
    static final Duration APPLIED_WITHIN = Duration.ofSeconds(60);
    private static final String APP_PW = "app-e2e-pw-5d2";
    private static final String REPORT_PW = "report-e2e-pw-8a1";

    @Test
    void twoUsersFromSecretsAreEnforcedAChangedRuleIsAppliedWithNoRestartAndTheOperatorCannotFlushall(Cluster cluster) {
        try (var ns = cluster.namespace("e2e-users")) {
            secret(cluster, ns.name(), "kv-user-app", Map.of("password", APP_PW));
            secret(cluster, ns.name(), "kv-user-report", Map.of("password", REPORT_PW, "rules", "~report:* +@read"));
            cluster.create(ns.name(), Cluster.example("users.yaml"));
            Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            PercoreService applied = cluster.awaitStatus(ns.name(), NAME, APPLIED_WITHIN, s -> Cluster.is(s, "UsersApplied", "True"));
            Progress.say("users: Ready in %d s; %s", ready.toSeconds(), Cluster.condition(applied, "UsersApplied").getMessage());
            assertThat(Cluster.condition(applied, "UsersApplied").getMessage())
                    .isEqualTo("4 users (2 from spec.users; default and the operator's own) on 1 pod(s)");

            RedisURI app = uri(cluster, ns.name(), "app", APP_PW);
            RedisURI report = uri(cluster, ns.name(), "report", REPORT_PW);
            try (RedisClient appClient = Cluster.redis(app); var a = appClient.connect();
                 RedisClient reportClient = Cluster.redis(report); var r = reportClient.connect()) {
                assertThat(a.sync().set("app:1", "x")).isEqualTo("OK");
                assertThatThrownBy(() -> a.sync().set("other:1", "x"))
                        .hasMessage("NOPERM this user has no permissions to access one of the keys used as arguments");
                assertThatThrownBy(() -> a.sync().flushall()).hasMessage("NOPERM this user has no permissions to run the 'flushall' command");
                assertThat(r.sync().get("report:1")).isNull();
                assertThatThrownBy(() -> r.sync().set("report:1", "x")).hasMessageStartingWith("NOPERM");

                // the operator's own user, with the password of its own Secret
                try (RedisClient operatorClient = Cluster.redis(uri(cluster, ns.name(), "percore-operator",
                        cluster.password(ns.name(), NAME + "-operator"))); var o = operatorClient.connect()) {
                    assertThat(o.sync().info("replication")).contains("role:master");
                    assertThatThrownBy(() -> o.sync().flushall()).hasMessage("NOPERM this user has no permissions to run the 'flushall' command");
                    assertThatThrownBy(() -> o.sync().configSet("maxmemory", "1"))
                            .hasMessage("NOPERM this user has no permissions to run the 'config|set' command");
                }

                // report's rule changed in its Secret: the open connections keep going, report's may write now
                List<Pod> before = cluster.pods(ns.name(), NAME);
                long appId = a.sync().clientId();
                long changed = System.nanoTime();
                cluster.client().secrets().inNamespace(ns.name()).withName("kv-user-report").edit(s -> {
                    s.getData().put("rules", base64("~report:* +@read +@write"));
                    return s;
                });
                await().atMost(APPLIED_WITHIN).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> "OK".equals(r.sync().set("report:1", "y")));
                Progress.say("users: a rule changed in a Secret applied to the running pod in %d ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed));
                assertThat(a.sync().clientId()).as("app's connection was not dropped").isEqualTo(appId);
                assertThat(a.sync().get("app:1")).isEqualTo("x");
                List<Pod> after = cluster.pods(ns.name(), NAME);
                assertThat(after).hasSameSizeAs(before);
                for (int i = 0; i < after.size(); i++) {
                    assertThat(after.get(i).getMetadata().getUid()).as("the same pod: nothing rolled").isEqualTo(before.get(i).getMetadata().getUid());
                    assertThat(after.get(i).getStatus().getContainerStatuses().get(0).getRestartCount()).as("no restart").isZero();
                }
                // the operator records the change once the pod took it, which may be after report's write already went
                await().atMost(APPLIED_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(cluster.events(ns.name(), NAME)).anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("UsersChanged");
                            assertThat(e.getMessage()).contains("set report").doesNotContain("app");
                        }));
            }
        }
    }

    @Test
    void aRedisIsMovedInThroughAUserWithOnlyWhatTheMigrationNeeds(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-users-source");
        int port = freePort();
        String sourceDefault = "source-default-pw";
        // the minimum (docs/how-to/moving-from-redis.md): INFO and CLIENT PAUSE/UNPAUSE for the operator, PSYNC and
        // REPLCONF for the pod's link; the source's default user is not used
        Process source = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", RealNode.GATEWAY + " 127.0.0.1",
                "--requirepass", sourceDefault, "--user", "migrator", "on", ">migrator-pw", "+info", "+client|pause", "+client|unpause",
                "+psync", "+replconf", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisURI sourceUri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withPassword(sourceDefault.toCharArray())
                .withTimeout(Duration.ofSeconds(10)).build();
        try (var ns = cluster.namespace("e2e-users-migrate"); RedisClient sourceClient = Cluster.redis(sourceUri)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                try (var c = sourceClient.connect()) {
                    return "PONG".equals(c.sync().ping());
                }
            });
            try (var c = sourceClient.connect()) {
                for (int i = 0; i < 1000; i++) {
                    c.sync().set("s:" + i, "v" + i);
                }
            }
            secret(cluster, ns.name(), "legacy-redis-auth", Map.of("username", "migrator", "password", "migrator-pw"));
            PercoreService s = Cluster.example("migrate.yaml");
            MigrateFrom from = s.getSpec().getMigrateFrom();
            from.setHost(RealNode.GATEWAY);
            from.setPort(port);
            cluster.create(ns.name(), s);
            cluster.awaitStatus(ns.name(), NAME, PlanToPodsIT.READY_WITHIN, p -> p.getStatus() != null && p.getStatus().getMigration() != null
                    && "Replicating".equals(p.getStatus().getMigration().getPhase()) && Long.valueOf(1000).equals(p.getStatus().getMigration().getKeysLoaded()));
            try (var c = sourceClient.connect()) {
                assertThat(c.sync().clientList()).as("the pod's link authenticated as the Secret's user").contains("user=migrator");
                c.sync().set("late", "1");
            }
            cluster.patchSpec(ns.name(), NAME, "{\"migrateFrom\":{\"cutover\":true}}");
            PercoreService done = cluster.awaitStatus(ns.name(), NAME, Duration.ofSeconds(60), p -> p.getStatus().getMigration() != null
                    && "Completed".equals(p.getStatus().getMigration().getPhase()));
            Progress.say("users: moved in through a user of +info +client|pause +client|unpause +psync +replconf; writes paused %d ms",
                    done.getStatus().getMigration().getWritesPausedMillis());
            cluster.awaitReachable(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            try (RedisClient service = Cluster.redis(cluster.serviceUri(ns.name(), NAME, "redis", cluster.password(ns.name(), NAME + "-auth")));
                 var c = connect(service, () -> cluster.routing(ns.name(), NAME)); var src = sourceClient.connect()) {
                assertThat(c.sync().get("late")).isEqualTo("1");
                assertThat(c.sync().dbsize()).isEqualTo(1001L);
                assertThat(src.sync().aclLog()).as("nothing the operator or the pod sent was refused by the source").isEmpty();
            }
        } finally {
            source.destroyForcibly();
            source.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static RedisURI uri(Cluster cluster, String namespace, String user, String password) {
        RedisURI base = cluster.serviceUri(namespace, NAME, "redis", null);
        return RedisURI.builder().withHost(base.getHost()).withPort(base.getPort()).withAuthentication(user, password.toCharArray())
                .withTimeout(Duration.ofSeconds(5)).build();
    }

    private static void secret(Cluster cluster, String namespace, String name, Map<String, String> data) {
        SecretBuilder b = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
        data.forEach((k, v) -> b.addToData(k, base64(v)));
        cluster.client().secrets().inNamespace(namespace).resource(b.build()).create();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * A connection, or an error that says where the Service routed it: once in a CI run the connection right after the
     * cut-over read a reply beginning with 'H' (no RESP server's), which the state at that moment has to explain.
     */
    private static io.lettuce.core.api.StatefulRedisConnection<String, String> connect(RedisClient client,
                                                                                  java.util.function.Supplier<String> routing) {
        try {
            return client.connect();
        } catch (io.lettuce.core.RedisConnectionException e) {
            throw new AssertionError("connecting through the Service failed; " + routing.get(), e);
        }
    }
}
