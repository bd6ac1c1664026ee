package io.percore.spring.boot.autoconfigure.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.config.schema.ConfigError;
import io.percore.engine.Engine;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.ShardedServer;
import io.percore.net.testing.KubeletVolume;
import io.percore.spring.boot.autoconfigure.endpoint.PercoreEndpoint;
import io.percore.spring.boot.autoconfigure.net.LineEchoServer;
import io.percore.spring.boot.autoconfigure.net.LineProtocol;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import io.percore.spring.boot.autoconfigure.net.UpstreamClientRegistry;
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
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A running application whose configuration file lives in a kubelet-style volume (a ConfigMap
 * mounted at {@code /etc/percore/}: the file a link through {@code ..data}, updated by swapping
 * that link): the changed file is seen, the settings that change live apply through the same
 * validation as at start, a bad value is refused with its key, value and rule while the running
 * values stay, and a setting that needs a restart is reported and not applied.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveConfigurationTest {

    @TempDir
    static Path dir;

    private static LineEchoServer upstream;
    private static KubeletVolume configMap;
    private static ConfigurableApplicationContext app;
    private static LiveConfiguration live;
    private static Engine engine;
    private static ShardedServer server;
    private static UpstreamClient<String, String> client;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    private static String yaml(String stallThreshold, int batchShares, int serverConnections, int clientConnections, String logLevel,
                               String more) {
        return String.join("\n",
                "percore:",
                "  engine:",
                "    shards: 2",
                "    mode: overprovisioned",
                "    idle-poll: 0s",
                "    stall-threshold: " + stallThreshold,
                "    scheduling-groups:",
                "      - {name: default, shares: 1000}",
                "      - {name: batch, shares: " + batchShares + "}",
                more,
                "  servers:",
                "    lines: {port: 0, max-connections-per-shard: " + serverConnections + "}",
                "  clients:",
                "    up: {endpoints: ['" + upstream.endpoint() + "'], max-connections: " + clientConnections + "}",
                "  config-reload:",
                "    interval: 500ms",
                "logging.level.io.percore.livetest: " + logLevel,
                "");
    }

    private static void write(String yaml) {
        configMap.update(Map.of("application.yml", yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = new LineEchoServer();
        configMap = KubeletVolume.create(dir.resolve("etc-percore"),
                Map.of("application.yml", yaml("25ms", 100, 2, 2, "info", "").getBytes(StandardCharsets.UTF_8)));
        app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.config.additional-location=optional:file:" + configMap.dir() + "/",
                        "spring.lifecycle.timeout-per-shutdown-phase=5s")
                .run();
        live = app.getBean(LiveConfiguration.class);
        engine = app.getBean(Engine.class);
        server = app.getBean(ShardedServerRegistry.class).start("lines", new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
            }
        });
        client = app.getBean(UpstreamClientRegistry.class).client("up", new LineProtocol());
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        upstream.close();
    }

    private static LiveConfiguration.Change awaitChange(LiveConfiguration.Outcome outcome, long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (live.count(outcome) == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + outcome + " change seen; last: " + live.lastChange());
            }
            Thread.sleep(20);
        }
        return live.lastChange();
    }

    @Test
    @Order(1)
    void theMountedFileIsWatched() {
        assertThat(live.files()).containsExactly(configMap.file("application.yml"));
        assertThat(engine.settings().stallThreshold()).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    @Order(2)
    void liveSettingsApplyWhenTheFileChanges() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.APPLIED);
        write(yaml("300ms", 400, 5, 3, "debug", ""));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.APPLIED, before);
        assertThat(change.applied()).containsExactlyInAnyOrder("percore.engine.stall-threshold",
                "percore.engine.scheduling-groups[1].shares", "percore.servers.lines.max-connections-per-shard",
                "percore.clients.up.max-connections", "logging.level.io.percore.livetest");
        assertThat(change.restartRequired()).isEmpty();
        assertThat(engine.settings().stallThreshold()).isEqualTo(Duration.ofMillis(300));
        assertThat(engine.groups()).filteredOn(g -> g.name().equals("batch")).singleElement()
                .satisfies(g -> assertThat(g.shares()).isEqualTo(400));
        assertThat(server.options().maxConnectionsPerShard()).isEqualTo(5);
        assertThat(client.options().maxConnections()).isEqualTo(3);
        assertThat(LoggerFactory.getLogger("io.percore.livetest.x").isDebugEnabled()).isTrue();
    }

    @Test
    @Order(3)
    void aBadValueIsRefusedWithKeyValueAndRuleAndTheRunningValuesStay() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.REFUSED);
        write(yaml("soon", 9, 7, 3, "loud", ""));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.REFUSED, before);
        assertThat(change.applied()).isEmpty();
        assertThat(change.refused()).extracting(ConfigError::path, ConfigError::value, ConfigError::rule)
                .contains(org.assertj.core.groups.Tuple.tuple("percore.engine.stall-threshold", "soon", "pattern"),
                        org.assertj.core.groups.Tuple.tuple("logging.level.io.percore.livetest", "loud", "log-level"));
        assertThat(change.origins().get("percore.engine.stall-threshold")).contains("application.yml");
        assertThat(change.origins().get("logging.level.io.percore.livetest")).contains("application.yml");
        assertThat(engine.settings().stallThreshold()).as("running values stay").isEqualTo(Duration.ofMillis(300));
        assertThat(engine.groups().get(1).shares()).isEqualTo(400);
        assertThat(server.options().maxConnectionsPerShard()).as("nothing of a refused change applies").isEqualTo(5);
        @SuppressWarnings("unchecked")
        Map<String, Object> reload = (Map<String, Object>) new PercoreEndpoint(engine, null, live).percore().get("configReload");
        assertThat(reload).extractingByKey("lastChange").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("outcome", "refused");
    }

    @Test
    @Order(4)
    void aSettingThatNeedsARestartIsReportedAndNotApplied() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.RESTART_REQUIRED);
        write(yaml("300ms", 400, 5, 3, "debug", "    ring-capacity: 1024\n    task-quota: 2ms").replace("shards: 2", "shards: 1"));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.RESTART_REQUIRED, before);
        assertThat(change.restartRequired()).containsExactlyInAnyOrder("percore.engine.shards", "percore.engine.ring-capacity");
        assertThat(change.applied()).containsExactly("percore.engine.task-quota");
        assertThat(engine.shardCount()).isEqualTo(2);
        assertThat(engine.settings().ringCapacity()).isEqualTo(4096);
        assertThat(engine.settings().taskQuota()).isEqualTo(Duration.ofMillis(2));
    }

    @Test
    @Order(5)
    void anUnchangedSettingAfterARefusalIsTakenOnceTheFileIsRight() throws Exception {
        long before = live.count(LiveConfiguration.Outcome.RESTART_REQUIRED);
        write(yaml("120ms", 400, 5, 3, "debug", "    ring-capacity: 1024\n    task-quota: 2ms").replace("shards: 2", "shards: 1"));
        LiveConfiguration.Change change = awaitChange(LiveConfiguration.Outcome.RESTART_REQUIRED, before);
        assertThat(change.applied()).containsExactly("percore.engine.stall-threshold");
        assertThat(engine.settings().stallThreshold()).isEqualTo(Duration.ofMillis(120));
        assertThat(List.of(live.lastChange().restartRequired())).isNotEmpty();
    }
}
