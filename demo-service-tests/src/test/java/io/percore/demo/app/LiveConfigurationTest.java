package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.ConfigError;
import io.percore.demo.DemoService;
import io.percore.demo.support.RespTestClient;
import io.percore.engine.Engine;
import io.percore.net.testing.KubeletVolume;
import io.percore.spring.boot.autoconfigure.live.LiveConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo's configuration file in a kubelet-style ConfigMap volume, changed while it serves:
 * Redis's CONFIG parameters under {@code percore.demo.*} apply as CONFIG SET would (a client sees
 * them with CONFIG GET), next to the starter's live settings; a value CONFIG SET would refuse is
 * refused with Redis's reason and the running values stay; a key that needs a restart is reported.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveConfigurationTest {

    @TempDir
    static Path dir;

    private static KubeletVolume configMap;
    private static ConfigurableApplicationContext app;
    private static LiveConfiguration live;
    private static DemoService demo;

    private static String yaml(String... demo) {
        return "percore:\n  engine:\n    stall-threshold: 25ms\n  config-reload:\n    interval: 500ms\n  demo:\n    "
                + String.join("\n    ", demo) + "\n";
    }

    private static void write(String yaml) {
        configMap.update(Map.of("application.yml", yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeAll
    static void start() {
        configMap = KubeletVolume.create(dir.resolve("etc-percore"),
                Map.of("application.yml", yaml("maxmemory: 32MB", "maxmemory-policy: noeviction").getBytes(StandardCharsets.UTF_8)));
        app = new SpringApplicationBuilder(DemoApplication.class).run(
                "--spring.config.additional-location=optional:file:" + configMap.dir() + "/",
                "--percore.servers.resp.port=0", "--percore.servers.http.port=0", "--management.server.port=0",
                "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned",
                "--percore.demo.persistence.dir=" + dir.resolve("data"));
        live = app.getBean(LiveConfiguration.class);
        demo = app.getBean(DemoService.class);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static Object config(String parameter) throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            return ((List<?>) c.cmd("CONFIG", "GET", parameter)).get(1);
        }
    }

    private static LiveConfiguration.Change awaitChange(LiveConfiguration.Outcome outcome, long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (live.count(outcome) == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + outcome + " change; last: " + live.lastChange());
            }
            Thread.sleep(20);
        }
        return live.lastChange();
    }

    @Test
    @Order(1)
    void redisParametersApplyAsConfigSetWouldWithTheStartersSettings() throws Exception {
        assertThat(config("maxmemory")).isEqualTo(Long.toString(32L << 20));
        long before = live.count(LiveConfiguration.Outcome.APPLIED);
        write(yaml("maxmemory: 64MB", "maxmemory-policy: allkeys-lru", "persistence.appendfsync: always",
                "replication.repl-diskless-sync-delay: 2", "resp.acllog-max-len: 7", "resp.acl-pubsub-default: allchannels")
                .replace("stall-threshold: 25ms", "stall-threshold: 60ms"));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.APPLIED, before);
        assertThat(change.applied()).containsExactlyInAnyOrder("percore.engine.stall-threshold", "percore.demo.maxmemory",
                "percore.demo.maxmemory-policy", "percore.demo.persistence.appendfsync", "percore.demo.replication.repl-diskless-sync-delay",
                "percore.demo.resp.acllog-max-len", "percore.demo.resp.acl-pubsub-default");
        assertThat(config("acllog-max-len")).isEqualTo("7");
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            // the ACLs took the new acl-pubsub-default: a new user may use every channel
            assertThat(c.cmd("ACL", "SETUSER", "live-user")).isEqualTo("OK");
            assertThat(c.cmd("ACL", "LIST")).asList().contains("user live-user off &* -@all");
            assertThat(c.cmd("ACL", "DELUSER", "live-user")).isEqualTo(1L);
        }
        assertThat(config("maxmemory")).isEqualTo(Long.toString(64L << 20));
        assertThat(config("maxmemory-policy")).isEqualTo("allkeys-lru");
        assertThat(config("appendfsync")).isEqualTo("always");
        assertThat(config("repl-diskless-sync-delay")).isEqualTo("2");
        assertThat(app.getBean(Engine.class).settings().stallThreshold()).isEqualTo(Duration.ofMillis(60));
    }

    @Test
    @Order(2)
    void whatConfigSetWouldRefuseIsRefusedWithRedissReasonAndTheRunningValuesStay() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.REFUSED);
        write(yaml("maxmemory: 900GB", "maxmemory-policy: allkeys-lru", "persistence.appendfsync: always"));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.REFUSED, before);
        assertThat(change.refused()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("percore.demo.maxmemory");
            assertThat(e.value()).isEqualTo("900GB");
            assertThat(e.rule()).isEqualTo("redis-config");
            assertThat(e.message()).contains("ERR CONFIG SET failed (possibly related to argument 'maxmemory')", "more than this JVM can hold");
        });
        assertThat(config("maxmemory")).isEqualTo(Long.toString(64L << 20));

        before = live.count(LiveConfiguration.Outcome.REFUSED);
        write(yaml("maxmemory: 64MB", "maxmemory-policy: sometimes", "persistence.appendfsync: always"));
        change = awaitChange(LiveConfiguration.Outcome.REFUSED, before);
        assertThat(change.refused()).extracting(ConfigError::path, ConfigError::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.demo.maxmemory-policy", "sometimes"));
        assertThat(config("maxmemory-policy")).isEqualTo("allkeys-lru");

        // a value the CONFIG table refuses on its own: the same reason as at start and from CONFIG SET
        before = live.count(LiveConfiguration.Outcome.REFUSED);
        write(yaml("maxmemory: 64MB", "maxmemory-policy: allkeys-lru", "maxmemory-samples: 65", "persistence.appendfsync: always"));
        change = awaitChange(LiveConfiguration.Outcome.REFUSED, before);
        assertThat(change.refused()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("percore.demo.maxmemory-samples");
            assertThat(e.value()).isEqualTo("65");
            assertThat(e.rule()).isEqualTo("redis-config");
            assertThat(e.message()).contains("CONFIG SET maxmemory-samples refuses it: argument must be between 1 and 64 inclusive");
        });
        assertThat(config("maxmemory-samples")).isEqualTo("5");

        before = live.count(LiveConfiguration.Outcome.REFUSED);
        write(yaml("maxmemory: 64MB", "maxmemory-polcy: allkeys-lru", "persistence.appendfsync: always"));
        change = awaitChange(LiveConfiguration.Outcome.REFUSED, before);
        assertThat(change.refused()).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.demo.maxmemory-polcy", "unknown-key"));
        assertThat(app.getBean(Engine.class).settings().stallThreshold()).as("nothing of a refused change applies").isEqualTo(Duration.ofMillis(60));
    }

    @Test
    @Order(3)
    void aKeyThatIsNoRedisParameterNeedsARestart() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.RESTART_REQUIRED);
        write(yaml("maxmemory: 64MB", "maxmemory-policy: volatile-ttl", "persistence.appendfsync: always", "persistence.dbfilename: other.rdb",
                "http.max-body-size: 4096", "resp.aclfile: users.acl"));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.RESTART_REQUIRED, before);
        assertThat(change.restartRequired()).containsExactlyInAnyOrder("percore.demo.persistence.dbfilename", "percore.demo.http.max-body-size",
                "percore.demo.resp.aclfile");
        assertThat(config("aclfile")).as("read at start only, as Redis's").isEqualTo("");
        assertThat(change.applied()).contains("percore.demo.maxmemory-policy");
        assertThat(config("maxmemory-policy")).isEqualTo("volatile-ttl");
        assertThat(config("dbfilename")).isEqualTo("dump.rdb");
    }
}
