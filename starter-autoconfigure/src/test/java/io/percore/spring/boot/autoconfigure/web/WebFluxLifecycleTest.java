package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 16: graceful shutdown of the web server on the shards loses no request in flight and takes
 * no new one; the switch off, or the starter off, gives Spring Boot's own server.
 */
class WebFluxLifecycleTest {

    private static ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--spring.main.web-application-type=reactive", "--server.port=0",
                "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned", "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(ShardsWebApp.class).run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((ReactiveWebServerApplicationContext) context).getWebServer().getPort();
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void gracefulShutdownAnswersEveryRequestInFlightAndThenRefusesConnections() throws Exception {
        ConfigurableApplicationContext context = start("--server.shutdown=graceful", "--spring.lifecycle.timeout-per-shutdown-phase=10s");
        int port = port(context);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Requests on several connections (so on both shards), each answered after 4 s: longer than the
        // 3 s Reactor Netty's disposeNow() waits on its own, so only the graceful shutdown answers them.
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        int started = ShardsWebApp.SLOW_STARTED.get();
        for (int i = 0; i < 8; i++) {
            HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            inFlight.add(own.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=4000")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        // all of them arrived and wait for their answer (a fixed 300 ms let the close reset one at load 18)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ShardsWebApp.SLOW_STARTED.get() < started + 8) {
            assertThat(System.nanoTime()).as("8 requests in flight").isLessThan(deadline);
            Thread.sleep(10);
        }
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
        for (CompletableFuture<HttpResponse<String>> response : inFlight) {
            HttpResponse<String> r = response.get(15, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("slow done");
        }
        closed.get(15, TimeUnit.SECONDS);
        assertThatThrownBy(() -> get(http, port, "/where")).isInstanceOf(ConnectException.class);
    }

    @Test
    void theSwitchOffGivesSpringBootsOwnServer() throws Exception {
        try (ConfigurableApplicationContext context = start("--percore.web.enabled=false")) {
            assertThat(((ReactiveWebServerApplicationContext) context).getWebServer()).isNotInstanceOf(ShardedNettyWebServer.class);
            HttpResponse<String> r = get(HttpClient.newHttpClient(), port(context), "/where");
            assertThat(r.body()).startsWith("reactor-http-").endsWith("shard=none");
        }
    }

    @Test
    void withTheStarterOffThereIsNoEngineAndSpringBootsOwnServer() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PlainWebApp.class).run(
                "--spring.main.web-application-type=reactive", "--server.port=0", "--percore.enabled=false", "--spring.main.banner-mode=off")) {
            assertThat(((ReactiveWebServerApplicationContext) context).getWebServer()).isNotInstanceOf(ShardedNettyWebServer.class);
            HttpResponse<String> r = get(HttpClient.newHttpClient(), port(context), "/plain");
            assertThat(r.body()).startsWith("reactor-http-");
        }
    }

    /** No Percore beans of its own, so it starts with percore.enabled=false. */
    @org.springframework.boot.SpringBootConfiguration
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    static class PlainWebApp {
        @org.springframework.context.annotation.Bean
        org.springframework.web.reactive.function.server.RouterFunction<org.springframework.web.reactive.function.server.ServerResponse> plain() {
            return org.springframework.web.reactive.function.server.RouterFunctions.route()
                    .GET("/plain", request -> org.springframework.web.reactive.function.server.ServerResponse.ok()
                            .bodyValue(Thread.currentThread().getName()))
                    .build();
        }
    }
}
