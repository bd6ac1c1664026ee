package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 16: the web server on the shards with every transport the engine picks and in both modes.
 * With SO_REUSEPORT (io_uring, epoll, and NIO on Linux) every shard binds a listener; without it
 * (percore.web.reuse-port=false, or NIO where the JDK has no SO_REUSEPORT) shard 0 accepts and
 * hands connections to the shards in turn. Either way, connections reach every shard
 * and each request runs on the shard that owns its connection.
 */
class WebFluxTransportsTest {

    @ParameterizedTest(name = "{0}, {1}, reuse-port {2}")
    @CsvSource({
            "io-uring, overprovisioned, true, 2",
            "epoll, overprovisioned, true, 2",
            "nio, overprovisioned, true, 2",
            "nio, overprovisioned, false, 1",
            "epoll, overprovisioned, false, 1",
            "auto, pinned, true, 2"})
    void connectionsReachEveryShardAndRunThere(String transport, String mode, boolean reusePort, int listeners) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShardsWebApp.class).run(
                "--spring.main.web-application-type=reactive", "--server.port=0", "--spring.main.banner-mode=off",
                "--percore.engine.shards=2", "--percore.engine.mode=" + mode, "--percore.engine.idle-poll=0s",
                "--percore.engine.transport=" + transport, "--percore.web.reuse-port=" + reusePort)) {
            ShardedNettyWebServer server = (ShardedNettyWebServer) ((ReactiveWebServerApplicationContext) context).getWebServer();
            assertThat(server.listeners()).isEqualTo(listeners);
            Set<String> shards = new TreeSet<>();
            for (int i = 0; i < 30; i++) {
                String body = RawHttp.get(server.getPort(), "/hits");
                assertThat(body).matches("current=(\\d) local=\\1 count=\\d+");
                shards.add(body.substring("current=".length(), "current=".length() + 1));
            }
            assertThat(shards).containsExactly("0", "1");
        }
    }
}
