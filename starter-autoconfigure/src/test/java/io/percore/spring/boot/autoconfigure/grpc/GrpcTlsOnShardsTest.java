package io.percore.spring.boot.autoconfigure.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.percore.net.testing.GrpcEcho;
import io.percore.net.testing.GrpcTlsClient;
import io.percore.net.testing.KubeletVolume;
import io.percore.net.testing.TestPki;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.net.PercoreNetAutoConfiguration;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.server.GrpcServerFactory;

/**
 * gRPC on the shards over TLS from {@code percore.servers.grpc.ssl.bundle}: grpc-java's client
 * trusting the bundle's authority calls unary and streaming methods, a plain-text client is refused,
 * and when the Secret's files are rotated new connections get the new certificate while an open
 * one keeps its own.
 */
class GrpcTlsOnShardsTest {

    @TempDir
    Path dir;

    private static ApplicationContextRunner runner(KubeletVolume secret, String... more) {
        List<String> properties = new ArrayList<>(List.of("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                "percore.servers.grpc.port=0", "percore.servers.grpc.ssl.bundle=grpc",
                "spring.ssl.bundle.pem.grpc.keystore.certificate=file:" + secret.file("tls.crt"),
                "spring.ssl.bundle.pem.grpc.keystore.private-key=file:" + secret.file("tls.key"),
                "spring.ssl.bundle.pem.grpc.reload-on-update=true",
                "spring.ssl.bundle.watch.file.quiet-period=100ms",
                "spring.lifecycle.timeout-per-shutdown-phase=5s"));
        properties.addAll(List.of(more));
        return new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader(GrpcServerFactory.class))
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, PercoreAutoConfiguration.class,
                        PercoreNetAutoConfiguration.class, PercoreGrpcAutoConfiguration.class))
                .withPropertyValues(properties.toArray(String[]::new))
                .withBean(BindableService.class, () -> GrpcEcho::echo);
    }

    @Test
    void callsOverTlsFromTheBundleAndAPlainClientIsRefused() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), pki.server("grpc").secretFiles());
        runner(secret).run(context -> {
            assertThat(context).hasNotFailed();
            int port = context.getBean(PercoreGrpcServer.class).server().port();
            ManagedChannel channel = GrpcTlsClient.channel(pki, port);
            try {
                assertThat(ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT, "secure"))
                        .matches("secure shard=([01]) thread=percore-shard-\\1");
                List<String> counted = new ArrayList<>();
                ClientCalls.blockingServerStreamingCall(channel, GrpcEcho.COUNT, CallOptions.DEFAULT, "4").forEachRemaining(counted::add);
                assertThat(counted).hasSize(4).allSatisfy(m -> assertThat(m).matches("\\d shard=[01] thread=percore-shard-[01]"));
            } finally {
                channel.shutdownNow();
            }
            assertThat(GrpcTlsClient.plainTextCallStatus(port)).as("a plain-text client on the TLS port").isEqualTo(Status.Code.UNAVAILABLE);
        });
    }

    @Test
    void aRotatedSecretIsServedToNewConnectionsWhileAnOpenOneKeepsItsCertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued first = pki.server("first");
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), first.secretFiles());
        runner(secret).run(context -> {
            int port = context.getBean(PercoreGrpcServer.class).server().port();
            ManagedChannel open = GrpcTlsClient.channel(pki, port);
            try {
                assertThat(GrpcTlsClient.peerSerial(open)).isEqualTo(first.serial());
                TestPki.Issued renewed = pki.server("renewed");
                secret.update(renewed.secretFiles());
                BigInteger seen = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!renewed.serial().equals(seen) && System.nanoTime() < deadline) {
                    ManagedChannel fresh = GrpcTlsClient.channel(pki, port);
                    try {
                        seen = GrpcTlsClient.peerSerial(fresh);
                    } finally {
                        fresh.shutdownNow();
                    }
                    Thread.sleep(50);
                }
                assertThat(seen).as("a new connection after the reload gets the renewed certificate").isEqualTo(renewed.serial());
                assertThat(GrpcTlsClient.peerSerial(open)).as("the open connection keeps its handshake").isEqualTo(first.serial());
            } finally {
                open.shutdownNow();
            }
        });
    }

    @Test
    void aTlsPortOfItsOwnIsRefusedAtStart() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), pki.server("grpc").secretFiles());
        runner(secret, "percore.servers.grpc.ssl.port=0").run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("percore.servers.grpc.ssl.port").hasMessageContaining("leave ssl.port unset"));
    }
}
