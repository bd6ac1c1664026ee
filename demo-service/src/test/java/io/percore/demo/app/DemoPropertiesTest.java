package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.PercoreConfig;
import io.percore.demo.DemoService;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code percore.demo.*} is the demo's own namespace: its keys reach the starter's
 * {@code percore.servers.resp|http}, and it is validated by {@link DemoProperties} (unknown keys,
 * bad values) while the starter still validates every other {@code percore.*} key.
 */
class DemoPropertiesTest {

    private static SpringApplicationBuilder app() {
        // No management server needed here: the servers and validation are what is checked.
        return new SpringApplicationBuilder(DemoApplication.class).web(WebApplicationType.NONE);
    }

    @Test
    void demoPropertiesDriveTheStartersServers() throws IOException {
        int respPort = freePort();
        int httpPort = freePort();
        try (ConfigurableApplicationContext context = app().run("--percore.demo.resp.port=" + respPort,
                "--percore.demo.http.port=" + httpPort, "--percore.demo.resp.idle-timeout=5m", "--percore.demo.http.idle-timeout=7s",
                "--percore.demo.max-connections-per-shard=77", "--percore.demo.resp.max-pending-replies=33", "--percore.engine.shards=1")) {
            DemoService service = context.getBean(DemoService.class);
            assertThat(service.respPort()).isEqualTo(respPort);
            assertThat(service.httpPort()).isEqualTo(httpPort);
            PercoreConfig percore = context.getBean(PercoreConfig.class);
            assertThat(percore.getServers().get("resp").getIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(percore.getServers().get("http").getIdleTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(percore.getServers().get("resp").getBindAddress()).isEqualTo("127.0.0.1");
            assertThat(percore.getServers().get("http").getMaxConnectionsPerShard()).isEqualTo(77);
            assertThat(percore.getServers().get("resp").getMaxPendingReplies()).isEqualTo(33);
            assertThat(service.respServer().options().maxPendingReplies()).isEqualTo(33);
            assertThat(service.httpServer().options().maxPendingReplies()).as("HTTP keeps the server default").isEqualTo(1024);
        }
    }

    @Test
    void anUnknownDemoKeyFailsStartup() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.prot=7000").close())
                .hasStackTraceContaining("percore.demo.resp.prot");
    }

    @Test
    void aBadDemoValueFailsStartupNamingTheKey() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.max-inline-length=0").close())
                .hasStackTraceContaining("Binding validation errors on percore.demo")
                .hasStackTraceContaining("field 'resp.maxInlineLength': rejected value [0]")
                .hasStackTraceContaining("must be greater than or equal to 1");
    }

    @Test
    void aBadPendingReplyLimitIsCaughtAsTheServerKeyItFeeds() {
        // percore.demo.resp.max-pending-replies reaches percore.servers.resp.max-pending-replies, checked against the schema.
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.max-pending-replies=0").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> {
                            assertThat(error.path()).isEqualTo("percore.servers.resp.max-pending-replies");
                            assertThat(error.value()).isEqualTo("0");
                        }));
    }

    @Test
    void theStarterStillRejectsMisspelledPercoreKeys() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.engin.mode=pinned").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> assertThat(error.path()).isEqualTo("percore.engin")));
    }

    @Test
    void aDemoPortOutOfRangeIsCaughtBeforeAnyShardStarts() {
        // Reaches percore.servers.resp.port, which the starter checks against the schema first.
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.port=70000").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> {
                            assertThat(error.path()).isEqualTo("percore.servers.resp.port");
                            assertThat(error.value()).isEqualTo("70000");
                        }));
    }

    private static InvalidPercoreConfigurationException invalidConfiguration(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidPercoreConfigurationException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidPercoreConfigurationException in " + failure, failure);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
