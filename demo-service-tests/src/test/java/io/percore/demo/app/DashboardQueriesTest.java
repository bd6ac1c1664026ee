package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import io.percore.demo.DemoService;
import io.percore.demo.support.TestPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.Jedis;

/**
 * Issue 15: the dashboard against a real Prometheus (Debian's package), not against our reading of
 * the exposition format. Prometheus scrapes the demo every second while real clients load it;
 * then every query of every panel of the starter's dashboard is evaluated by Prometheus with the
 * dashboard's variables filled in. Each must parse, and each over meters the demo exports must
 * return data (a wrong label, a {@code by} that drops a needed label or a renamed meter returns
 * nothing). The upstream panels are for {@code percore.clients}, which the demo has none of: they
 * must be valid and are expected empty.
 */
class DashboardQueriesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static ConfigurableApplicationContext context;
    private static Process prometheus;
    private static int prometheusPort;
    private static final AtomicBoolean loading = new AtomicBoolean(true);
    private static Thread load;
    /** The load's requests answered so far, by when (epoch ms): what the rate panel must show. */
    private static final ConcurrentSkipListMap<Long, Long> answeredBy = new ConcurrentSkipListMap<>();

    @BeforeAll
    static void start() throws Exception {
        context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--percore.servers.resp.port=0", "--percore.servers.http.port=0", "--management.server.port=0",
                "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned");
        DemoService service = context.getBean(DemoService.class);
        int managementPort = Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
        load = new Thread(() -> generateLoad(service.respPort(), service.httpPort()), "dashboard-load");
        load.setDaemon(true);
        load.start();

        prometheusPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: percore-demo
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(managementPort));
        try {
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("prometheus is needed by this test: install Debian's prometheus (tools/test-prerequisites.sh does)", e);
        }
        // Enough scrapes for rate() over the dashboards' window, with the load running between them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (scrapedSamples("percore_server_request_duration_seconds_count") < 6) {
            assertThat(prometheus.isAlive()).as("prometheus exited: " + log()).isTrue();
            assertThat(System.nanoTime()).as("prometheus never scraped the demo 6 times: " + log()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        loading.set(false);
        if (load != null) {
            load.join(5_000);
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (context != null) {
            context.close();
        }
    }

    private static void generateLoad(int respPort, int httpPort) {
        try (Jedis jedis = new Jedis("127.0.0.1", respPort)) {
            int i = 0;
            long answered = 0;
            while (loading.get()) {
                jedis.set("dash:" + (i % 100), "v" + i);
                jedis.get("dash:" + (i % 100));
                answered += 2;
                if (i % 50 == 0) {
                    try {
                        jedis.sendCommand(() -> "NOSUCHCOMMAND".getBytes(StandardCharsets.US_ASCII));
                    } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
                        // an error reply: the errors panel has something to show
                    }
                    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/json")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    answered += 2;
                }
                answeredBy.put(System.currentTimeMillis(), answered);
                i++;
                Thread.sleep(1);
            }
        } catch (Exception e) {
            if (loading.get()) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void everyPanelQueryIsValidAndTheDemosPanelsShowData() throws Exception {
        JsonNode dashboard;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/percore/grafana/percore-dashboard.json")) {
            assertThat(in).as("the starter's dashboard on the class path").isNotNull();
            dashboard = JSON.readTree(in);
        }
        pinEvaluationTime();
        List<String> empty = new ArrayList<>();
        int evaluated = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asString();
                String title = panel.path("title").asString() + " / " + target.path("refId").asString();
                JsonNode result = query(fill(expr));
                assertThat(result.path("status").asString()).as(title + ": " + expr + " → " + result).isEqualTo("success");
                evaluated++;
                if (result.path("data").path("result").isEmpty()) {
                    empty.add(title);
                }
            }
        }
        assertThat(evaluated).isGreaterThan(30);
        // The demo has no percore.clients, so the upstream panels have nothing to show; every other query must.
        List<String> upstream = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.path("expr").asString().contains("percore_upstream_")) {
                    upstream.add(panel.path("title").asString() + " / " + target.path("refId").asString());
                }
            }
        }
        assertThat(upstream).isNotEmpty();
        // Counters that stay 0 (ring overflows, stalls) still return series: only a broken query is empty.
        List<String> demoEmpty = empty.stream().filter(t -> !upstream.contains(t)).toList();
        assertThat(demoEmpty).as("panels with no data while the demo is under load").isEmpty();
        assertThat(empty).containsExactlyInAnyOrderElementsOf(upstream);

        // The figures mean what they say: requests per second is about the load's in the same 5 s (the load's own count, not a
        // fixed figure: on a loaded machine the load itself slows down), latency p99 is below a second.
        double requestsPerSecond = scalar(query(fill("sum(rate(percore_server_request_duration_seconds_count[$__rate_interval]))")));
        long at = (long) (Double.parseDouble(evaluatedAt) * 1000);
        double loadPerSecond = (answeredUntil(at) - answeredUntil(at - 5_000)) / 5.0;
        assertThat(loadPerSecond).as("the load ran in the rate's window").isPositive();
        assertThat(requestsPerSecond).as("the load's %.1f requests a second", loadPerSecond).isBetween(loadPerSecond / 3, loadPerSecond * 3);
        double p99 = scalar(query(fill("histogram_quantile(0.99, sum by (le) (rate(percore_server_request_duration_buckets_total[$__rate_interval])))")));
        assertThat(p99).isPositive().isLessThan(1.0);
        double errors = scalar(query(fill("sum(rate(percore_server_requests_total{family=\"unknown\", outcome=\"error\"}[$__rate_interval]))")));
        assertThat(errors).isPositive();
    }

    private static long answeredUntil(long epochMillis) {
        var entry = answeredBy.floorEntry(epochMillis);
        return entry == null ? 0 : entry.getValue();
    }

    /** The dashboard's variables as Grafana fills them with "All" selected. */
    private static String fill(String expr) {
        return expr.replace("$job", ".*").replace("$instance", ".*").replace("$__rate_interval", "5s");
    }

    /** When the queries are evaluated (Prometheus's {@code time}): null, now; else a moment their rate window holds two scrapes. */
    private static String evaluatedAt;

    /**
     * Pins the queries' evaluation to a moment whose last 5 s (the rate window, {@link #fill}) hold two
     * scrapes of the demo, as Grafana's window does on a machine that scrapes on time: on a loaded one
     * the scrapes can fall further apart than that, and a rate over "now" finds one sample, no series.
     * Every query then reads the same scrapes, whenever it is sent.
     */
    private static void pinEvaluationTime() throws IOException, InterruptedException {
        evaluatedAt = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode series = query("count_over_time(percore_server_request_duration_seconds_count{server=\"resp\",shard=\"0\"}[5s])")
                    .path("data").path("result");
            if (!series.isEmpty() && Double.parseDouble(series.get(0).path("value").get(1).asString()) >= 2) {
                evaluatedAt = series.get(0).path("value").get(0).asString();
                return;
            }
            assertThat(System.nanoTime()).as("two scrapes of the demo within 5 s: " + log()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static JsonNode query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (evaluatedAt == null ? "" : "&time=" + evaluatedAt))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static double scalar(JsonNode result) {
        JsonNode series = result.path("data").path("result");
        assertThat(series).as(result.toString()).hasSize(1);
        return Double.parseDouble(series.get(0).path("value").get(1).asString());
    }

    private static int scrapedSamples(String metric) {
        try {
            // While it starts, Prometheus answers its API with a plain-text 503 ("Service Unavailable"), not JSON.
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/query?query=" + URLEncoder.encode("count_over_time(" + metric + "{server=\"resp\",shard=\"0\"}[1m])",
                    StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return 0;
            }
            JsonNode r = JSON.readTree(response.body());
            JsonNode series = r.path("data").path("result");
            return series.isEmpty() ? 0 : (int) Double.parseDouble(series.get(0).path("value").get(1).asString());
        } catch (IOException e) {
            return 0; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        return TestPorts.free();
    }
}
