package io.percore.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.config.SchemaConfigCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.List;

/** The runnable operator: health and metrics endpoints, leader election through a Lease. */
@EnableKubernetesMockClient(crud = true, https = false)
class PercoreOperatorTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static final OperatorSettings.LeaseTimings FAST = new OperatorSettings.LeaseTimings(
            Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300));

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(PercoreOperatorTest.class);
    }

    /** Runs the operator on its own recorded client; the record feeds the chart's RbacTest. */
    private PercoreOperator start(OperatorSettings settings, ApiRequestRecord record, Runnable onLostLeadership) throws Exception {
        KubernetesClient operatorClient = record.client(client.getConfiguration());
        PercoreOperator operator = PercoreOperator.start(settings, operatorClient, new SchemaConfigCheck(), onLostLeadership);
        return new PercoreOperatorCloser(operator, operatorClient, record).operator;
    }

    /** Closes the operator, its client, and saves the record, in that order. */
    private record PercoreOperatorCloser(PercoreOperator operator, KubernetesClient operatorClient, ApiRequestRecord record) {
        PercoreOperatorCloser {
            CLOSERS.add(() -> {
                operator.close();
                operatorClient.close();
                record.saveAs(PercoreOperatorTest.class);
            });
        }
    }

    private static final List<Runnable> CLOSERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void closeOperators() {
        CLOSERS.forEach(Runnable::run);
        CLOSERS.clear();
    }

    @Test
    void servesHealthAndPrometheusMetrics() throws Exception {
        TestResources.installCrd(client);
        PercoreOperator operator = start(new OperatorSettings(Set.of("test"), false, null, null, 0, false),
                new ApiRequestRecord(false, "percore-system"), () -> { });
        int port = operator.httpPort();
        assertThat(get(port, "/healthz/live").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/healthz/ready").statusCode() == 200);
        HttpResponse<String> metrics = get(port, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(metrics.body()).contains("percore_operator_leader 1.0").contains("jvm_memory_used_bytes");
        assertThat(get(port, "/nope").statusCode()).isEqualTo(404);
    }

    /** In listed-namespaces mode the operator reconciles (and is recorded) inside its namespace only. */
    @Test
    void listedNamespacesModeReconcilesInsideItsNamespace() throws Exception {
        TestResources.installCrd(client);
        client.nodes().resource(io.percore.operator.sizing.TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        PercoreOperator operator = start(new OperatorSettings(Set.of(TestResources.NAMESPACE), false, null, null, 0, false),
                new ApiRequestRecord(false, "percore-system"), () -> { });
        client.resource(TestResources.service("kv", 6)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client.apps().deployments().inNamespace(TestResources.NAMESPACE).withName("kv").get() != null);
        // The plan is on /metrics (issue 15: the operator dashboard's plans): 6 shards planned, one plan at least,
        // the first one a change of shape.
        await().atMost(Duration.ofSeconds(30)).until(() -> get(operator.httpPort(), "/metrics").body()
                .contains("percore_operator_planned_shards 6.0"));
        String planned = get(operator.httpPort(), "/metrics").body();
        assertThat(planned).containsPattern("percore_operator_plans_total\\{outcome=\"planned\"} [1-9]")
                .containsPattern("percore_operator_plan_changes_total [1-9]")
                .contains("percore_operator_plans_total{outcome=\"unschedulable\"} 0.0");
        client.resources(io.percore.operator.crd.PercoreService.class).inNamespace(TestResources.NAMESPACE).withName("kv").delete();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client.apps().deployments().inNamespace(TestResources.NAMESPACE).withName("kv").get() == null);
        // the delete's own counter is bumped after the cleanup that zeroes the plan: wait for both, or the
        // scrape below may miss it (it did once on a loaded CI machine)
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String body = get(operator.httpPort(), "/metrics").body();
            return body.contains("percore_operator_planned_shards 0.0") && body.contains("operator_sdk_events_delete_total");
        });
        // What /metrics exports after reconciles: the chart's operator dashboard may query only these (helm's
        // OperatorDashboardTest reads this file, as RbacTest reads the API request records).
        java.nio.file.Path scrape = ApiRequestRecord.DIR.resolveSibling("operator-metrics.txt");
        java.nio.file.Files.createDirectories(scrape.getParent());
        java.nio.file.Files.writeString(scrape, get(operator.httpPort(), "/metrics").body());
    }

    @Test
    void leaderElectionTakesTheLeaseAndSaysSo() throws Exception {
        TestResources.installCrd(client);
        PercoreOperator operator = start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                new ApiRequestRecord(true, "percore-system"), () -> { });
        await().atMost(Duration.ofSeconds(30)).until(operator::isLeader);
        Lease lease = client.leases().inNamespace("percore-system").withName(OperatorSettings.LEASE_NAME).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("op-0");
        await().atMost(Duration.ofSeconds(30)).until(() -> get(operator.httpPort(), "/healthz/ready").statusCode() == 200);
        assertThat(get(operator.httpPort(), "/metrics").body()).contains("percore_operator_leader 1.0");
        // Renewals go on: the Lease's renewTime moves.
        var first = lease.getSpec().getRenewTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.leases().inNamespace("percore-system")
                .withName(OperatorSettings.LEASE_NAME).get().getSpec().getRenewTime().isAfter(first));
    }

    /** A leader that closes (SIGTERM) hands the Lease back, so the next replica need not wait for it to expire. */
    @Test
    void aLeaderReleasesTheLeaseWhenItCloses() throws Exception {
        TestResources.installCrd(client);
        PercoreOperator operator = start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                new ApiRequestRecord(true, "percore-system"), () -> { });
        await().atMost(Duration.ofSeconds(30)).until(operator::isLeader);
        operator.close();
        Lease lease = client.leases().inNamespace("percore-system").withName(OperatorSettings.LEASE_NAME).get();
        // Fabric8's release: a Lease of one second from now (the mock server keeps the holder a real server drops),
        // which the next replica takes within a second instead of after the 3 s it was renewed for.
        assertThat(lease.getSpec().getLeaseDurationSeconds()).as("the Lease's duration after the leader closed").isEqualTo(1);
    }

    /**
     * An API server that accepts and never answers (a partition) does not hold the shutdown: closing waits for the
     * Lease's release at most LeaseElection.RELEASE_WAIT, not for the elector's request and its retries (21 s in
     * the image's test, where nothing listens and the client retries).
     */
    @Test
    void closingDoesNotWaitForAnApiServerThatNeverAnswers() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                        asked.countDown();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "silent-api-server");
            acceptor.setDaemon(true);
            acceptor.start();
            KubernetesClient unanswered = OperatorClient.create(new io.fabric8.kubernetes.client.ConfigBuilder(
                    io.fabric8.kubernetes.client.Config.empty()).withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
                    .withRequestTimeout(120_000).build());
            try {
                PercoreOperator operator = PercoreOperator.start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                        unanswered, new SchemaConfigCheck(), () -> { });
                assertThat(asked.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the elector asked for the Lease").isTrue();
                // (before: close() still waited after 174 s, in the elector's release, for the request to time out)
                assertThat(java.util.concurrent.CompletableFuture.runAsync(operator::close)).as("closing with the API server silent")
                        .succeedsWithin(LeaseElection.RELEASE_WAIT.plusSeconds(20));
            } finally {
                unanswered.close();
                for (java.net.Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** A leader whose Lease is taken over stops leading and leaves (exit 1 in production), never idles as a healthy pod. */
    @Test
    void aReplicaThatLosesTheLeaseLeaves() throws Exception {
        TestResources.installCrd(client);
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        PercoreOperator operator = start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                new ApiRequestRecord(true, "percore-system"), left::countDown);
        await().atMost(Duration.ofSeconds(30)).until(operator::isLeader);

        // Another replica holds the Lease now (as after a partition): renewals by op-0 must fail. Like a
        // real replica it writes on the version it read, so a renewal by op-0 in between is a 409 for it,
        // and it reads again and retries, as Fabric8's LeaderElector does.
        for (int attempt = 1; ; attempt++) {
            try {
                client.leases().inNamespace("percore-system").withName(OperatorSettings.LEASE_NAME).edit(l -> {
                    l.getSpec().setHolderIdentity("op-1");
                    l.getSpec().setLeaseDurationSeconds(3600);
                    l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
                    return l;
                });
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
        assertThat(left.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("lost leadership reported").isTrue();
        assertThat(operator.isLeader()).isFalse();
        assertThat(get(operator.httpPort(), "/metrics").body()).contains("percore_operator_leader 0.0");
    }

    /**
     * A replica that wins the Lease but whose controllers cannot start (here: the server refuses to
     * list PercoreServices) must not hold the Lease doing nothing: it leaves, as on a lost Lease.
     * (Fabric8's LeaderElector turns the start-up failure into a stop of leadership; this guards it.)
     */
    @Test
    void aLeaderWhoseControllersFailToStartLeaves() throws Exception {
        TestResources.installCrd(client);
        server.expect().get().withPath("/forbidden-percoreservices").andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withCode(403).withReason("Forbidden").withMessage("cannot list resource \"percoreservices\"").build()).always();
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        KubernetesClient refusing = OperatorClient.create(client.getConfiguration(), b -> b.addOrReplaceInterceptor("refuse-list",
                new io.fabric8.kubernetes.client.http.Interceptor() {
                    @Override
                    public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder,
                                       io.fabric8.kubernetes.client.http.HttpRequest request, RequestTags tags) {
                        java.net.URI uri = request.uri();
                        if (request.method().equals("GET") && uri.getRawPath().endsWith("/percoreservices")) {
                            builder.uri(java.net.URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/forbidden-percoreservices"));
                        }
                    }
                }));
        PercoreOperator operator = PercoreOperator.start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                refusing, new SchemaConfigCheck(), left::countDown);
        CLOSERS.add(() -> {
            operator.close();
            refusing.close();
        });
        assertThat(left.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("a leader that cannot reconcile leaves").isTrue();
        assertThat(operator.isLeader()).isFalse();
    }

    /**
     * A standby is ready only while another replica holds a live Lease. When the Lease is stale and
     * this replica cannot take it (here: the server refuses its writes, as RBAC without patch did),
     * nothing reconciles, and readiness says so.
     */
    @Test
    void aStandbyIsReadyOnlyWhileAnotherReplicaLeads() throws Exception {
        TestResources.installCrd(client);
        client.leases().inNamespace("percore-system").resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata().withName(OperatorSettings.LEASE_NAME).withNamespace("percore-system").endMetadata()
                .withNewSpec().withHolderIdentity("op-1").withLeaseDurationSeconds(3600)
                .withRenewTime(java.time.ZonedDateTime.now()).withAcquireTime(java.time.ZonedDateTime.now()).endSpec().build()).create();
        PercoreOperator operator = start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false, FAST),
                new ApiRequestRecord(true, "percore-system"), () -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> get(operator.httpPort(), "/healthz/ready").statusCode() == 200);
        assertThat(operator.isLeader()).isFalse();
        assertThat(get(operator.httpPort(), "/metrics").body()).contains("percore_operator_leader 0.0");

        server.expect().patch().withPath("/apis/coordination.k8s.io/v1/namespaces/percore-system/leases/" + OperatorSettings.LEASE_NAME
                + "?fieldManager=percore-operator").andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403)
                .withReason("Forbidden").withMessage("cannot patch resource \"leases\"").build()).always();
        // The holder stops renewing: the Lease goes stale and op-0 may not take it.
        client.leases().inNamespace("percore-system").withName(OperatorSettings.LEASE_NAME).edit(l -> {
            l.getSpec().setLeaseDurationSeconds(1);
            l.getSpec().setRenewTime(java.time.ZonedDateTime.now().minusSeconds(5));
            return l;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> get(operator.httpPort(), "/healthz/ready").statusCode() == 503);
        assertThat(operator.isLeader()).isFalse();
    }
}
