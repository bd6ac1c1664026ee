package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.net.testing.KubeletVolume;
import io.percore.net.testing.TestPki;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WebFlux server on the shards speaks TLS from Spring Boot's {@code server.ssl.bundle}, as
 * Boot's own Netty server does, and takes a rotated certificate without a restart: Boot's
 * reloading reaches every shard's server, which is Boot's configured server bound per shard.
 */
class WebFluxTlsTest {

    @Test
    void httpsOnTheShardsAndARotatedCertificateForNewConnections(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued first = pki.server("first");
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), files(first));
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ShardsWebApp.class).properties(Map.of(
                "spring.main.web-application-type", "reactive", "server.port", "0", "server.ssl.bundle", "web",
                "spring.ssl.bundle.pem.web.keystore.certificate", "file:" + secret.file("tls.crt"),
                "spring.ssl.bundle.pem.web.keystore.private-key", "file:" + secret.file("tls.key"),
                "spring.ssl.bundle.pem.web.reload-on-update", "true",
                "spring.ssl.bundle.watch.file.quiet-period", "100ms",
                "percore.engine.shards", "2", "percore.engine.mode", "overprovisioned")).run()) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            HttpResponse<String> response = get(pki, port);
            assertThat(response.body()).matches("percore-shard-[01] shard=[01]");
            assertThat(serial(response)).isEqualTo(first.serial());

            TestPki.Issued second = pki.server("second");
            secret.update(files(second));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            BigInteger seen = first.serial();
            while (!seen.equals(second.serial()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                HttpResponse<String> next = get(pki, port);
                assertThat(next.statusCode()).isEqualTo(200);
                seen = serial(next);
            }
            assertThat(seen).as("a new connection after the rotation gets the new certificate").isEqualTo(second.serial());
        }
    }

    /** A new client each time, so each request opens its own connection and handshake. */
    private static HttpResponse<String> get(TestPki pki, int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(pki.jdkClientContext()).version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/where")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static BigInteger serial(HttpResponse<?> response) throws Exception {
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static Map<String, byte[]> files(TestPki.Issued issued) throws Exception {
        return Map.of("tls.crt", Files.readAllBytes(issued.certificateFile()), "tls.key", Files.readAllBytes(issued.keyFile()));
    }
}
