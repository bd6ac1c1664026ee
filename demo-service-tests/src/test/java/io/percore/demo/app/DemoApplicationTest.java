package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.percore.config.EngineConfig;
import io.percore.demo.DemoService;
import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The Spring Boot application (engine and servers from the Percore starter) on free ports with 2
 * shards, driven by real clients: Lettuce and Jedis (sync and pipelined), redis-cli and
 * redis-benchmark (Debian's redis-tools), the JDK HttpClient, and Actuator's health, percore and
 * prometheus endpoints on the management port.
 */
class DemoApplicationTest {

    private static ConfigurableApplicationContext context;
    private static int respPort;
    private static int httpPort;
    private static int managementPort;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--percore.servers.resp.port=0", "--percore.servers.http.port=0", "--management.server.port=0",
                "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned");
        DemoService service = context.getBean(DemoService.class);
        respPort = service.respPort();
        httpPort = service.httpPort();
        // with both ports 0 Spring runs a separate management server on its own free port
        String management = context.getEnvironment().getProperty("local.management.port");
        managementPort = Integer.parseInt(management != null ? management : context.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void lettuceSyncAndPipelined() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", respPort));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertThat(sync.ping()).isEqualTo("PONG");
            assertThat(sync.set("lettuce:a", "1")).isEqualTo("OK");
            assertThat(sync.incr("lettuce:a")).isEqualTo(2L);
            assertThat(sync.mset(java.util.Map.of("lettuce:b", "x", "lettuce:c", "y"))).isEqualTo("OK");
            assertThat(sync.mget("lettuce:a", "lettuce:b", "lettuce:c", "lettuce:none"))
                    .extracting(kv -> kv.getValueOrElse(null)).containsExactly("2", "x", "y", null);
            assertThat(sync.expire("lettuce:a", 100)).isTrue();
            assertThat(sync.ttl("lettuce:a")).isBetween(99L, 100L);
            assertThat(sync.del("lettuce:a", "lettuce:b", "lettuce:c")).isEqualTo(3L);
            // hashes (issue 13), over the RESP3 Lettuce negotiates by default
            assertThat(sync.hset("lettuce:h", java.util.Map.of("f1", "v1", "f2", "v2"))).isEqualTo(2L);
            assertThat(sync.hgetall("lettuce:h")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("f1", "v1", "f2", "v2"));
            assertThat(sync.hincrby("lettuce:h", "n", 5)).isEqualTo(5L);
            assertThat(sync.type("lettuce:h")).isEqualTo("hash");
            assertThat(sync.hdel("lettuce:h", "f1", "f2", "n")).isEqualTo(3L);
            assertThat(sync.exists("lettuce:h")).isZero();

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                futures.add(async.set("lp:" + i, Integer.toString(i)));
                futures.add(async.get("lp:" + i));
            }
            connection.flushCommands();
            assertThat(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, futures.toArray(new RedisFuture[0]))).isTrue();
            for (int i = 0; i < 500; i++) {
                assertThat(futures.get(2 * i + 1).get()).isEqualTo(Integer.toString(i));
            }
            connection.setAutoFlushCommands(true);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void jedisSyncAndPipelined() {
        try (Jedis jedis = new Jedis("127.0.0.1", respPort)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.set("jedis:a", "v")).isEqualTo("OK");
            assertThat(jedis.get("jedis:a")).isEqualTo("v");
            assertThat(jedis.append("jedis:a", "w")).isEqualTo(2L);
            assertThat(jedis.exists("jedis:a", "jedis:none")).isEqualTo(1L);
            assertThat(jedis.msetnx("jedis:m1", "1", "jedis:m2", "2")).isEqualTo(1L);
            assertThat(jedis.incrByFloat("jedis:f", 1.5)).isEqualTo(1.5);
            Pipeline p = jedis.pipelined();
            List<Response<String>> gets = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                p.set("jp:" + i, "v" + i);
                gets.add(p.get("jp:" + i));
            }
            p.sync();
            for (int i = 0; i < 500; i++) {
                assertThat(gets.get(i).get()).isEqualTo("v" + i);
            }
            assertThat(jedis.dbSize()).isGreaterThanOrEqualTo(500L);
        }
    }

    @Test
    void redisCli() throws Exception {
        assertThat(run("redis-cli", "-p", Integer.toString(respPort), "SET", "cli:k", "hello")).isEqualTo("OK\n");
        assertThat(run("redis-cli", "-p", Integer.toString(respPort), "GET", "cli:k")).isEqualTo("hello\n");
        assertThat(run("redis-cli", "-p", Integer.toString(respPort), "foo", "a", "b"))
                .isEqualTo("ERR unknown command 'foo', with args beginning with: 'a' 'b' \n\n"); // redis-cli adds a blank line after errors
        assertThat(run("redis-cli", "-p", Integer.toString(respPort), "INFO", "server")).contains("redis_version:7.0.15", "shards:2");
    }

    @Test
    void redisBenchmarkFinishesWithoutErrors() throws Exception {
        String out = run("redis-benchmark", "-p", Integer.toString(respPort), "-t", "set,get,incr,mset,hset,sadd,spop", "-r", "100000",
                "-P", "16", "-n", "20000", "-q");
        assertThat(out).doesNotContainIgnoringCase("error");
        // Lists: fewer requests, LRANGE_100 answers 100 elements each.
        out += run("redis-benchmark", "-p", Integer.toString(respPort), "-t", "lpush,rpush,lpop,rpop,lrange_100", "-P", "16",
                "-n", "1000", "-q"); // the build's paranoid leak detection makes 100-element replies slow
        assertThat(out).doesNotContainIgnoringCase("error");
        for (String test : List.of("SET", "GET", "INCR", "MSET \\(10 keys\\)", "HSET", "SADD", "SPOP", "LPUSH", "RPUSH", "LPOP",
                "RPOP", "LRANGE_100 \\(first 100 elements\\)")) {
            Matcher m = Pattern.compile("(?m)^" + test + ": ([0-9.]+) requests per second").matcher(out.replace('\r', '\n'));
            assertThat(m.find()).as("redis-benchmark result line for %s in:%n%s", test, out).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isPositive();
        }
    }

    @Test
    void httpAndActuator() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Hello, World!");
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"", "\"demo\"", "\"shards\":2", "\"percore\"");
    }

    @Test
    void theEngineAndServersAreTheStarters() {
        Engine engine = context.getBean(Engine.class);
        assertThat(engine.shardCount()).isEqualTo(2);
        assertThat(engine.settings().mode()).isEqualTo(EngineConfig.Mode.OVERPROVISIONED);
        DemoService service = context.getBean(DemoService.class);
        assertThat(context.getBean(ShardedServerRegistry.class).servers())
                .containsEntry(DemoService.RESP_SERVER, service.respServer())
                .containsEntry(DemoService.HTTP_SERVER, service.httpServer());
    }

    @Test
    void percoreEndpointOnTheManagementPort() throws Exception {
        HttpResponse<String> percore = get("/actuator/percore");
        assertThat(percore.statusCode()).isEqualTo(200);
        assertThat(percore.body()).contains("\"mode\":\"overprovisioned\"", "\"shardCount\":2", "\"placement\"");
        assertThat(get("/actuator/percore/1").statusCode()).isEqualTo(200);
    }

    @Test
    void prometheusExportsEngineAndServerMetrics() throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", respPort)) {
            assertThat(jedis.set("prom:k", "v")).isEqualTo("OK");
            HttpResponse<String> prometheus = get("/actuator/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body())
                    .contains("percore_shards 2.0")
                    .containsPattern("percore_tasks_run_total\\{[^}]*shard=\"1\"")
                    .containsPattern("percore_server_connections_open\\{[^}]*server=\"resp\"")
                    .containsPattern("percore_server_connections_accepted_total\\{[^}]*server=\"http\"")
                    .containsPattern("percore_server_received_bytes_total\\{[^}]*server=\"resp\"")
                    // The memory budget per shard (issue 12, row 1): the estimate is never 0 with a key stored.
                    .containsPattern("percore_demo_memory_used_bytes\\{shard=\"[01]\"} [1-9]")
                    .containsPattern("percore_demo_memory_max_bytes\\{shard=\"1\"} [1-9]")
                    .containsPattern("percore_demo_keys_evicted_total\\{shard=\"0\"} 0");
            // This connection is open on one of the RESP server's shards right now.
            Matcher open = Pattern.compile("(?m)^percore_server_connections_open\\{[^}]*server=\"resp\"[^}]*} ([0-9.]+)$")
                    .matcher(prometheus.body());
            double total = 0;
            while (open.find()) {
                total += Double.parseDouble(open.group(1));
            }
            assertThat(total).isGreaterThanOrEqualTo(1.0);
        }
    }

    /**
     * The starter's {@code logback.events} in the application as shipped: Micrometer's turbo filter, which logback runs on
     * every level check (Netty's io_uring asks one per submission and completion), is not added, and an event logged is
     * still counted in what Prometheus scrapes.
     */
    @Test
    void logbackEventsAreScrapedWithoutATurboFilterOnEveryLevelCheck() throws Exception {
        assertThat(context.getBean(io.micrometer.core.instrument.binder.logging.LogbackMetrics.class))
                .isInstanceOf(io.percore.spring.boot.autoconfigure.metrics.LogbackEventMetrics.class);
        assertThat(((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getTurboFilterList())
                .noneMatch(filter -> filter.getClass().getSimpleName().equals("MetricsTurboFilter"));
        double before = loggedErrors();
        org.slf4j.LoggerFactory.getLogger(DemoApplicationTest.class).error("a test's deliberate error, counted by logback.events");
        assertThat(loggedErrors()).isGreaterThanOrEqualTo(before + 1);
    }

    private static double loggedErrors() throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^logback_events_total\\{[^}]*level=\"error\"[^}]*} (\\S+)$").matcher(get("/actuator/prometheus").body());
        assertThat(m.find()).as("logback_events_total{level=\"error\"} scraped").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /**
     * Issue 15: requests per server and shard, RESP by command family and outcome, HTTP by method
     * and status, and the server-side latency of each reply, as Prometheus scrapes them.
     */
    @Test
    void prometheusCountsRequestsByFamilyOutcomeMethodAndStatus() throws Exception {
        String before = get("/actuator/prometheus").body();
        try (Jedis jedis = new Jedis("127.0.0.1", respPort)) {
            for (int i = 0; i < 10; i++) {
                jedis.set("req:" + i, "v");
                jedis.get("req:" + i);
            }
            jedis.sendCommand(() -> "NOSUCHCOMMAND".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // an unknown command, an error reply
        } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
            assertThat(expected).hasMessageContaining("unknown command");
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/", "/", "/nowhere")) {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        }
        String after = get("/actuator/prometheus").body();
        String resp = "percore_server_requests_total\\{[^}]*family=\"%s\"[^}]*outcome=\"%s\"[^}]*server=\"resp\"[^}]*}";
        assertThat(delta(before, after, resp.formatted("string", "ok"))).isEqualTo(20);
        assertThat(delta(before, after, resp.formatted("unknown", "error"))).isEqualTo(1);
        assertThat(delta(before, after, resp.formatted("string", "error"))).isZero();
        String httpRequests = "percore_server_requests_total\\{[^}]*method=\"GET\"[^}]*server=\"http\"[^}]*status=\"%s\"[^}]*}";
        assertThat(delta(before, after, httpRequests.formatted("200"))).isEqualTo(2);
        assertThat(delta(before, after, httpRequests.formatted("404"))).isEqualTo(1);
        // Every reply is timed: 21 RESP replies (Jedis's handshake sends none here) in the count and the +Inf bucket.
        double timed = delta(before, after, "percore_server_request_duration_seconds_count\\{[^}]*server=\"resp\"[^}]*}");
        assertThat(timed).isGreaterThanOrEqualTo(21);
        assertThat(delta(before, after, "percore_server_request_duration_buckets_total\\{le=\"\\+Inf\"[^}]*server=\"resp\"[^}]*}"))
                .isEqualTo(timed);
        assertThat(delta(before, after, "percore_server_request_duration_seconds_sum\\{[^}]*server=\"resp\"[^}]*}")).isPositive();
    }

    /**
     * Issue 76, snippets that run: every command of docs/getting-started/laptop.md's try-it block, as written there, with
     * the page's ports made this run's (6380, 8080, 8081) and curl told to fail on an HTTP error ({@code --fail}); a
     * command that listens for ever ({@code subscribe}) is stopped after its confirmation. Each must succeed, and the page's
     * claims hold: the value set is read back, the transaction answers both increments, the health is UP.
     */
    @Test
    void theLaptopPagesCommandsRunAsWritten() throws Exception {
        List<String> lines = laptopPageCommands();
        assertThat(lines).as("the laptop page's redis-cli and curl lines").hasSizeGreaterThanOrEqualTo(10);
        run("redis-cli", "-p", Integer.toString(respPort), "del", "greeting", "user:1", "board", "jobs", "a", "b");
        // the two that wait (blpop's 5 s, subscribe until stopped) start first, beside the others: the page's order is
        // kept for the rest, and the transcript is in the page's order
        List<Process> started = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (String line : lines) {
            commands.add(line.replace("-p 6380", "-p " + respPort).replace("localhost:8080", "localhost:" + httpPort)
                    .replace("localhost:8081", "localhost:" + managementPort).replace("curl ", "curl -sS --fail "));
            started.add(null);
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < lines.size(); i++) {
                boolean waits = lines.get(i).contains(" blpop ") || lines.get(i).contains(" subscribe ");
                if (waits == (pass == 0)) {
                    started.set(i, new ProcessBuilder("timeout", "60", "bash", "-c", commands.get(i)).redirectErrorStream(true).start());
                    if (!waits) {
                        started.get(i).waitFor(60, TimeUnit.SECONDS);
                    }
                }
            }
        }
        StringBuilder transcript = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            Process p = started.get(i);
            boolean listens = lines.get(i).contains(" subscribe ");
            String out = listens ? untilSubscribed(p) : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            transcript.append("$ ").append(commands.get(i)).append('\n').append(out);
            if (listens) {
                assertThat(out).as("its confirmation, then stopped:%n%s", transcript).isEqualTo("subscribe\nnews\n1\n");
            } else {
                assertThat(p.exitValue()).as("%s", transcript).isZero();
            }
        }
        assertThat(transcript.toString()).as("the page's claims")
                .containsPattern("get greeting\n(?s:.*?)hello")
                .contains("QUEUED\nQUEUED\n5\n-5\n")
                .contains("\"status\":\"UP\"");
    }

    /** What a subscriber printed until its subscription's confirmation (the third line), then it is stopped (at most 60 s). */
    private static String untilSubscribed(Process p) throws IOException {
        StringBuilder out = new StringBuilder();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            for (int n = 0; n < 3 && (line = reader.readLine()) != null; n++) {
                out.append(line).append('\n');
            }
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        return out.toString();
    }

    /** The redis-cli, printf and curl lines of the laptop page's fenced blocks, their comments as bash reads them. */
    private static List<String> laptopPageCommands() throws IOException {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("../docs/getting-started/laptop.md"))) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (inBlock && (line.startsWith("redis-cli ") || line.startsWith("printf ") || line.startsWith("curl "))) {
                commands.add(line);
            }
        }
        return commands;
    }

    /** The sum over every series matching {@code series} (a regex for name and labels) in {@code after}, less in {@code before}. */
    private static double delta(String before, String after, String series) {
        return sum(after, series) - sum(before, series);
    }

    private static double sum(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(scrape);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is needed by this test: install Debian's redis-tools", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
