package io.percore.spring.boot.autoconfigure.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.engine.topology.HostTopology;
import io.percore.spring.boot.autoconfigure.config.PercoreConfigurationValidator;
import jakarta.validation.Validation;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.ssl.PemSslBundleProperties;
import org.springframework.boot.autoconfigure.ssl.SslProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;

/**
 * The servers' application.yml of the documentation site's how-to pages, shown there as they are (pymdownx.snippets):
 * {@code readme/grpc-server.yml} (docs/how-to/websocket-and-grpc.md) and {@code readme/tls-server.yml}
 * (docs/how-to/tls-for-a-server.md) pass the validator the starter runs at startup, every key known, and bind to what the
 * page says. The TLS one's certificate files are a Kubernetes volume's: the bundle is read here, not loaded.
 */
class ReadmeServerConfigurationTest {

    private static MockEnvironment environment(String file) throws IOException {
        MockEnvironment environment = new MockEnvironment();
        new YamlPropertySourceLoader().load(file, new ClassPathResource(file)).forEach(environment.getPropertySources()::addFirst);
        return environment;
    }

    private static PercoreConfig validated(MockEnvironment environment) {
        return new PercoreConfigurationValidator(Validation.buildDefaultValidatorFactory().getValidator())
                .validate(environment, HostTopology.detect());
    }

    @Test
    void theGrpcServerOfThePageIsValid() throws IOException {
        ServerConfig grpc = validated(environment("readme/grpc-server.yml")).getServers().get("grpc");
        assertThat(grpc.getPort()).isEqualTo(9090);
        assertThat(grpc.getMaxRequestSize()).isEqualTo(4 * 1024 * 1024);
        assertThat(grpc.getIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(grpc.getGracefulShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theTlsServerOfThePageIsValidAndNamesTheBundleItDefines() throws IOException {
        MockEnvironment environment = environment("readme/tls-server.yml");
        ServerConfig api = validated(environment).getServers().get("api");
        assertThat(api.getPort()).isEqualTo(7000);
        assertThat(api.getSsl().getPort()).isEqualTo(7001);
        assertThat(api.getSsl().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(api.getSsl().getMaxHandshakesPerShard()).isEqualTo(256);
        SslProperties ssl = Binder.get(environment).bind("spring.ssl", SslProperties.class).get();
        PemSslBundleProperties bundle = ssl.getBundle().getPem().get(api.getSsl().getBundle());
        assertThat(bundle).as("the bundle percore.servers.api.ssl.bundle names").isNotNull();
        assertThat(bundle.isReloadOnUpdate()).isTrue();
        assertThat(bundle.getKeystore().getCertificate()).isEqualTo("file:/etc/percore-tls/tls.crt");
        assertThat(bundle.getKeystore().getPrivateKey()).isEqualTo("file:/etc/percore-tls/tls.key");
        assertThat(bundle.getTruststore().getCertificate()).isEqualTo("file:/etc/percore-tls/ca.crt");
        assertThat(bundle.getOptions().getEnabledProtocols()).containsExactly("TLSv1.3");
    }
}
