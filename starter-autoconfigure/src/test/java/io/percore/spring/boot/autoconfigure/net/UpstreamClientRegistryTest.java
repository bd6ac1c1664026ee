package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.percore.engine.Engine;
import io.percore.net.client.ClientProtocol;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.PercoreEngineLifecycle;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UpstreamClientRegistryTest {

    private LineEchoServer peer;
    private ApplicationContextRunner runner;

    @BeforeEach
    void startPeer() throws Exception {
        peer = new LineEchoServer();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                        "percore.clients.backend.endpoints[0]=" + peer.endpoint(),
                        "percore.clients.backend.max-connections=2",
                        "percore.clients.cache.endpoints[0]=127.0.0.1:1",
                        "spring.lifecycle.timeout-per-shutdown-phase=5s");
    }

    @AfterEach
    void stopPeer() throws Exception {
        peer.close();
    }

    @Test
    void buildsAConfiguredClientOnceThatSendsFromEveryShardAndClosesItWithTheApp() throws Exception {
        runner.run(context -> {
            UpstreamClientRegistry clients = context.getBean(UpstreamClientRegistry.class);
            Engine engine = context.getBean(Engine.class);
            assertThat(clients.configuredNames()).containsExactly("backend", "cache");

            UpstreamClient<String, String> backend = clients.client("backend", new LineProtocol());
            assertThat(backend.options().name()).isEqualTo("backend");
            assertThat(backend.options().maxConnections()).isEqualTo(2);
            assertThat(backend.endpoints(0)).extracting(e -> e.id()).containsExactly(peer.endpoint());
            assertThat(UpstreamCalls.send(engine, backend, 0, "a")).isEqualTo("echo:a");
            assertThat(UpstreamCalls.send(engine, backend, 1, "b")).isEqualTo("echo:b");
            assertThat(backend.metrics(0).requests()).isEqualTo(1);
            assertThat(backend.metrics(1).requests()).isEqualTo(1);

            assertThat(clients.client("backend", new LineProtocol())).isSameAs(backend);
            assertThat(clients.get("backend")).containsSame(backend);
            assertThat(clients.clients()).containsOnlyKeys("backend");
            assertThat(peer.openConnections()).isPositive();

            assertThatThrownBy(() -> clients.client("backend", new OtherProtocol()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already built with protocol " + LineProtocol.class.getName());
            assertThatThrownBy(() -> clients.client("api", new LineProtocol()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("No client 'api' under percore.clients (configured: backend, cache)");
        });
        // Closed with the application: every pooled connection to the peer is gone.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (peer.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(peer.openConnections()).as("connections left open after the context closed").isZero();
    }

    @Test
    void unknownNameWithNothingConfiguredSaysNone() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=1", "percore.engine.mode=overprovisioned")
                .run(context -> assertThatThrownBy(() -> context.getBean(UpstreamClientRegistry.class).client("db", new LineProtocol()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("No client 'db' under percore.clients (configured: none)"));
    }

    @Test
    void closesAfterTheServersAndBeforeTheEngine() {
        runner.run(context -> {
            int phase = context.getBean(UpstreamClientRegistry.class).getPhase();
            assertThat(phase).isGreaterThan(context.getBean(PercoreEngineLifecycle.class).getPhase())
                    .isLessThan(context.getBean(ShardedServerRegistry.class).getPhase());
        });
    }

    @Test
    void noRegistryWithoutNetPooling() {
        runner.withClassLoader(new FilteredClassLoader(ShardedServer.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(UpstreamClientRegistry.class)
                        .doesNotHaveBean(UpstreamClientMeters.class).doesNotHaveBean(ShardedServerMeters.class));
    }

    private static final class OtherProtocol implements ClientProtocol<String, String> {
        @Override
        public void initChannel(Channel channel) {
        }

        @Override
        public String toResponse(Object message) {
            return "";
        }
    }
}
