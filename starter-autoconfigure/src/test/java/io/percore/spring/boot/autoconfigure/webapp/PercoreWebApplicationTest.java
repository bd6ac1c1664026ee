package io.percore.spring.boot.autoconfigure.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.net.LineEchoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real application on a real web server: what a user scrapes and probes. */
@SpringBootTest(classes = {PercoreTestApplication.class, GatewayConfiguration.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "percore.engine.shards=2",
        "percore.engine.mode=overprovisioned",
        "management.endpoints.web.exposure.include=health,prometheus,percore",
        "management.endpoint.health.show-details=always",
        "management.endpoint.health.show-components=always",
        "percore.servers.gateway.port=0",
        "percore.servers.gateway.bind-address=127.0.0.1"})
@DirtiesContext
class PercoreWebApplicationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern METRIC_IN_EXPR = Pattern.compile("\\b(percore_[a-z0-9_]+)\\b");

    @LocalServerPort
    int port;

    @Autowired
    Engine engine;

    @Autowired
    ShardedServer gateway;

    /** The gateway's upstream: a plain TCP peer on loopback, bound before the application starts. */
    private static LineEchoServer backendPeer;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry properties) throws IOException {
        backendPeer = new LineEchoServer();
        properties.add("percore.clients.backend.endpoints[0]", backendPeer::endpoint);
    }

    @AfterAll
    static void stopBackend() throws IOException {
        backendPeer.close();
    }

    /** Lines through the gateway (server meters) and on to the backend (client and pool meters). */
    private void gatewayTraffic() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write(("ping" + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("echo:ping" + i);
            }
        }
    }

    @Test
    void prometheusExportsTheEngineMeters() throws Exception {
        engine.submitTo(1, () -> 1).get();
        String body = get("/actuator/prometheus", 200);
        assertThat(body).contains("percore_shard_utilization_ratio{", "shard=\"0\"", "shard=\"1\"",
                "percore_tasks_run_total{", "percore_task_queue_length{", "group=\"default\"",
                "percore_crossshard_messages_sent_total{", "percore_crossshard_messages_received_total{",
                "percore_crossshard_messages_overflowed_total{", "percore_stalls_total{", "percore_timers_fired_total{",
                "percore_task_latency_seconds_bucket{", "percore_netty_allocator_memory_used_bytes{");
    }

    @Test
    void prometheusExportsTheServerAndUpstreamMeters() throws Exception {
        gatewayTraffic();
        String body = get("/actuator/prometheus", 200);
        assertThat(body).contains("percore_server_connections_open{", "server=\"gateway\"",
                "percore_server_connections_accepted_total{", "percore_server_received_bytes_total{", "percore_server_sent_bytes_total{",
                "percore_upstream_requests_total{", "upstream=\"backend\"", "endpoint=\"" + backendPeer.endpoint() + "\"",
                "percore_upstream_endpoint_picks_total{", "percore_upstream_pool_connections_active{",
                "percore_upstream_pool_acquire_seconds_count{", "percore_upstream_pool_acquire_seconds_sum{",
                "percore_upstream_pool_acquire_seconds_max{", "percore_upstream_pool_connections_opened_total{", "percore_stalls_duration_seconds_total{", "percore_upstream_endpoint_ejections_total{");
        assertThat(sampleSum(body, "percore_server_connections_accepted_total", "gateway")).isGreaterThanOrEqualTo(1);
        assertThat(sampleSum(body, "percore_server_received_bytes_total", "gateway")).isGreaterThanOrEqualTo(18);
        assertThat(sampleSum(body, "percore_upstream_requests_total", "backend")).isGreaterThanOrEqualTo(3);
        // The gateway counts what it forwards and times each answer (issue 15).
        assertThat(sampleSum(body, "percore_server_requests_total", "forward")).isGreaterThanOrEqualTo(3);
        assertThat(sampleSum(body, "percore_server_request_duration_seconds_count", "gateway")).isGreaterThanOrEqualTo(3);
        assertThat(sampleSum(body, "percore_upstream_pool_acquire_seconds_count", "backend")).isGreaterThanOrEqualTo(3);
    }

    /** Sum of a metric's samples whose labels mention {@code labelValue}. */
    private static double sampleSum(String body, String metric, String labelValue) {
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains("\"" + labelValue + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        gatewayTraffic();
        Set<String> used = dashboardMetrics();
        assertThat(used).contains("percore_shard_utilization_ratio", "percore_tasks_run_total", "percore_task_latency_seconds_bucket",
                "percore_server_connections_open", "percore_server_received_bytes_total",
                "percore_server_requests_total", "percore_server_request_duration_buckets_total",
                "percore_upstream_pool_connections_active", "percore_upstream_pool_acquire_seconds_sum",
                "percore_upstream_endpoint_ejections_total");
        String body = get("/actuator/prometheus", 200);
        Set<String> exported = new TreeSet<>();
        for (String line : body.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(exported).as("exported metrics").containsAll(used);
    }

    @Test
    void healthIncludesPercoreAndReadinessDoesToo() throws Exception {
        JsonNode health = JSON.readTree(get("/actuator/health", 200));
        assertThat(health.path("status").asString()).isEqualTo("UP");
        JsonNode percore = health.path("components").path("percore");
        assertThat(percore.path("status").asString()).isEqualTo("UP");
        assertThat(percore.path("details").path("shards").size()).isEqualTo(2);

        // The groups hide their components, so prove membership by behaviour: a stuck shard takes
        // the pod out of rotation (readiness 503) and, as it stays stuck, fails liveness too
        // (issue 12, row 6: Kubernetes restarts a pod whose shard does not come back).
        assertThat(JSON.readTree(get("/actuator/health/readiness", 200)).path("status").asString()).isEqualTo("UP");
        CountDownLatch release = new CountDownLatch(1);
        engine.shard(1).execute(() -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            awaitStatus("/actuator/health/readiness", 503);
            assertThat(JSON.readTree(get("/actuator/health/readiness", 503)).path("status").asString()).isEqualTo("DOWN");
            assertThat(JSON.readTree(get("/actuator/health/liveness", 503)).path("status").asString()).isEqualTo("DOWN");
        } finally {
            release.countDown();
        }
        awaitStatus("/actuator/health/readiness", 200);
        awaitStatus("/actuator/health/liveness", 200);
    }

    private void awaitStatus(String path, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == status) {
                return;
            }
            assertThat(System.nanoTime()).as(path + " never answered " + status + "; last: " + response.body()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void percoreEndpointShowsTopologyAndShards() throws Exception {
        JsonNode body = JSON.readTree(get("/actuator/percore", 200));
        assertThat(body.path("running").asBoolean()).isTrue();
        assertThat(body.path("shardCount").asInt()).isEqualTo(2);
        assertThat(body.path("mode").asString()).isEqualTo("overprovisioned");
        assertThat(body.path("transport").asString()).isIn("io_uring", "epoll", "nio");
        assertThat(body.path("host").path("allowedCpus").asString()).isNotEmpty();
        assertThat(body.path("host").path("numaNodes").isArray()).isTrue();
        assertThat(body.path("placement").path("shards").size()).isEqualTo(2);
        assertThat(body.path("placement").path("reasons").isArray()).isTrue();
        assertThat(body.path("shards").get(1).path("thread").asString()).isEqualTo("percore-shard-1");
        assertThat(body.path("shards").get(0).has("tasksRun")).isTrue();

        JsonNode shard1 = JSON.readTree(get("/actuator/percore/1", 200));
        assertThat(shard1.path("shard").asInt()).isEqualTo(1);
        get("/actuator/percore/9", 404);
    }

    static Set<String> dashboardMetrics() throws IOException {
        String dashboard;
        try (InputStream in = PercoreWebApplicationTest.class.getResourceAsStream("/META-INF/percore/grafana/percore-dashboard.json")) {
            assertThat(in).as("dashboard on the class path").isNotNull();
            dashboard = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonNode tree = JSON.readTree(dashboard);
        Set<String> metrics = new TreeSet<>();
        for (JsonNode panel : tree.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                collect(target.path("expr").asString(""), metrics);
            }
        }
        for (JsonNode variable : tree.path("templating").path("list")) {
            collect(variable.path("definition").asString(""), metrics);
        }
        return metrics;
    }

    private static void collect(String expr, Set<String> into) {
        Matcher m = METRIC_IN_EXPR.matcher(expr);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private String get(String path, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
        return response.body();
    }
}
