package io.percore.sample.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 16: with Actuator on its own port ({@code management.server.port}), the management server
 * is Spring Boot's own Netty server (a child context builds its own factory), while the
 * application's handlers are served on the shards.
 */
class ManagementServerTest {

    @Test
    void aSeparateManagementServerStaysOnSpringBootsServer() throws Exception {
        Map<String, WebServer> servers = new ConcurrentHashMap<>();
        ApplicationListener<WebServerInitializedEvent> record =
                event -> servers.put(String.valueOf(event.getApplicationContext().getServerNamespace()), event.getWebServer());
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(HelloApplication.class).listeners(record).run(
                "--server.port=0", "--management.server.port=0", "--management.endpoints.web.exposure.include=health",
                "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned")) {
            assertThat(servers.get("null").getClass().getSimpleName()).isEqualTo("ShardedNettyWebServer");
            assertThat(servers.get("management").getClass().getSimpleName()).isEqualTo("NettyWebServer");
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servers.get("management").getPort()
                    + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servers.get("null").getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Hello, World!");
        }
    }
}
