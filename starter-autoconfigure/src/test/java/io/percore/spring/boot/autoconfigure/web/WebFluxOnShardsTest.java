package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Issue 16: a WebFlux application's own handlers run on the shards. Annotated controllers and router
 * functions run on {@code percore-shard-*} threads, connections spread over every shard, a
 * {@code Sharded<T>} bean's local instance is the serving shard's, and Spring's
 * {@code http.server.requests} carries the shard.
 */
@SpringBootTest(classes = ShardsWebApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.main.web-application-type=reactive",
        "percore.engine.shards=2", "percore.engine.mode=overprovisioned",
        "management.endpoints.web.exposure.include=health"})
@AutoConfigureWebTestClient
class WebFluxOnShardsTest {

    @LocalServerPort
    int port;

    @Autowired
    WebTestClient client;

    @Autowired
    ApplicationContext context;

    @Autowired
    MeterRegistry meters;

    @Test
    void theWebServerIsTheShardedOneWithAListenerPerShard() {
        ShardedNettyWebServer server = (ShardedNettyWebServer) ((ReactiveWebServerApplicationContext) context).getWebServer();
        assertThat(server.listeners()).as("one SO_REUSEPORT listener per shard (io_uring or epoll here)").isEqualTo(2);
        assertThat(server.getPort()).isEqualTo(port);
    }

    @Test
    void annotatedControllersAndRouterFunctionsRunOnTheShards() {
        client.get().uri("/where").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).matches("percore-shard-[01] shard=[01]"));
        client.get().uri("/route").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).matches("percore-shard-[01] shard=[01]"));
    }

    @Test
    void connectionsSpreadOverEveryShardAndTheShardedBeanIsReachedLocally() throws Exception {
        Set<String> shards = new TreeSet<>();
        for (int i = 0; i < 40; i++) {
            String body = RawHttp.get(port, "/hits");
            String current = body.replaceAll("current=(\\d+) local=(\\d+).*", "$1");
            String local = body.replaceAll("current=(\\d+) local=(\\d+).*", "$2");
            assertThat(local).as("the Sharded bean's local instance is the serving shard's: " + body).isEqualTo(current);
            shards.add(current);
        }
        assertThat(shards).as("40 connections, SO_REUSEPORT spreads them").containsExactly("0", "1");
    }

    @Test
    void blockOnAShardFailsThatRequestAsOnReactorNettysOwnLoops() {
        client.get().uri("/block").exchange().expectStatus().is5xxServerError();
        client.get().uri("/where").exchange().expectStatus().isOk(); // the shard carries on
    }

    @Autowired
    io.percore.engine.Engine engine;

    /** A handler that blocks its shard is reported as a stall, whether it ran in a loop turn or inside the poll. */
    @Test
    void theStallDetectorCatchesAHandlerThatBlocksItsShard() throws Exception {
        long before = stalls();
        client.get().uri("/sleep").exchange().expectStatus().isOk();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (stalls() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stalls()).isGreaterThan(before);
    }

    private long stalls() {
        return engine.shards().stream().mapToLong(s -> s.stats().stalls()).sum();
    }

    @Test
    void httpServerRequestsAreTaggedWithTheShard() throws Exception {
        for (int i = 0; i < 20; i++) {
            RawHttp.get(port, "/where");
        }
        assertThat(meters.find("http.server.requests").tag("uri", "/where").timers())
                .extracting(t -> t.getId().getTag("shard")).isNotEmpty().allMatch(s -> s.equals("0") || s.equals("1"));
    }
}
