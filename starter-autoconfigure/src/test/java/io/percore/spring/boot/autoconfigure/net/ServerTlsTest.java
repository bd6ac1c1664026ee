package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.config.schema.ConfigError;
import io.percore.engine.Shard;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardedServer;
import io.percore.net.testing.KubeletVolume;
import io.percore.net.testing.TestPki;
import io.percore.net.testing.TlsLineClient;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * TLS of a {@code percore.servers} server from a Spring Boot SSL bundle: served on the shards,
 * rotated without a restart while clients keep connecting (files swapped as the kubelet swaps a
 * mounted Secret), and refused at start, naming the key and the bundle, when the bundle is
 * unfit.
 */
class ServerTlsTest {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner(KubeletVolume secret, String... more) {
        List<String> properties = new ArrayList<>(List.of("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                "percore.engine.idle-poll=0", "percore.servers.lines.port=0", "percore.servers.lines.ssl.bundle=lines",
                "spring.ssl.bundle.pem.lines.keystore.certificate=file:" + secret.file("tls.crt"),
                "spring.ssl.bundle.pem.lines.keystore.private-key=file:" + secret.file("tls.key"),
                "spring.ssl.bundle.pem.lines.truststore.certificate=file:" + secret.file("ca.crt"),
                "spring.ssl.bundle.pem.lines.reload-on-update=true",
                "spring.ssl.bundle.watch.file.quiet-period=100ms",
                "spring.lifecycle.timeout-per-shutdown-phase=5s"));
        properties.addAll(List.of(more));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
                .withPropertyValues(properties.toArray(String[]::new));
    }

    private static Map<String, byte[]> secretOf(TestPki pki, TestPki.Issued issued) {
        return issued.secretFiles();
    }

    /**
     * While two threads open a new TLS connection for every few requests and two long-lived
     * connections keep asking, the Secret is rotated twice: no request fails, new connections get
     * each new certificate, and the long-lived ones keep the first.
     */
    @Test
    void rotationUnderLoadLosesNoRequestAndOpenConnectionsKeepTheirCertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued first = pki.server("first");
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki, first));
        runner(secret).run(context -> {
            assertThat(context).hasNotFailed();
            ShardedServer server = context.getBean(ShardedServerRegistry.class).start("lines", lineServer());
            SSLContext client = pki.jdkClientContext();
            Set<BigInteger> seenByNewConnections = ConcurrentHashMap.newKeySet();
            AtomicLong answered = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                load.add(loadThread("fresh-" + t, running, failure, () -> {
                    try (TlsLineClient c = new TlsLineClient(client, server.port())) {
                        for (int i = 0; i < 3; i++) {
                            assertThat(c.ask("q" + i)).startsWith("q" + i + " tls=true shard=");
                            answered.incrementAndGet();
                        }
                        seenByNewConnections.add(c.peerSerial());
                    }
                }));
            }
            List<TlsLineClient> longLived = List.of(new TlsLineClient(client, server.port()), new TlsLineClient(client, server.port()));
            for (TlsLineClient c : longLived) {
                load.add(loadThread("long-lived", running, failure, () -> {
                    assertThat(c.ask("k")).startsWith("k tls=true");
                    answered.incrementAndGet();
                    assertThat(c.peerSerial()).isEqualTo(first.serial());
                }));
            }
            load.forEach(Thread::start);
            try {
                awaitCertificate(seenByNewConnections, first.serial(), failure);
                for (String next : List.of("second", "third")) {
                    TestPki.Issued renewed = pki.server(next);
                    secret.update(secretOf(pki, renewed));
                    awaitCertificate(seenByNewConnections, renewed.serial(), failure);
                }
            } finally {
                running.set(false);
                for (Thread t : load) {
                    t.join(30_000);
                }
                for (TlsLineClient c : longLived) {
                    c.close();
                }
            }
            assertThat(failure.get()).as("a request failed during the rotations").isNull();
            assertThat(answered.get()).isGreaterThan(20);
            long handshakes = server.metrics().stream().mapToLong(m -> m.tlsHandshakes()).sum();
            long failures = server.metrics().stream().mapToLong(m -> m.tlsHandshakeFailures()).sum();
            assertThat(failures).isZero();
            assertThat(handshakes).isGreaterThanOrEqualTo(seenByNewConnections.size());
        });
    }

    @Test
    void aReloadedBundleThatIsExpiredIsRefusedAndTheServerKeepsItsCertificate() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued good = pki.server("good");
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki, good));
        runner(secret).run(context -> {
            ShardedServer server = context.getBean(ShardedServerRegistry.class).start("lines", lineServer());
            Instant now = Instant.now();
            secret.update(secretOf(pki, pki.server("expired", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)))));
            Thread.sleep(1_500); // the watcher's quiet period and the reload's attempt
            try (TlsLineClient c = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                assertThat(c.ask("x")).startsWith("x tls=true");
                assertThat(c.peerSerial()).isEqualTo(good.serial());
            }
            TestPki.Issued renewed = pki.server("renewed");
            secret.update(secretOf(pki, renewed));
            Set<BigInteger> seen = ConcurrentHashMap.newKeySet();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!seen.contains(renewed.serial()) && System.nanoTime() < deadline) {
                try (TlsLineClient c = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                    c.ask("y");
                    seen.add(c.peerSerial());
                }
                Thread.sleep(50);
            }
            assertThat(seen).as("a good bundle after the refused one is taken").contains(renewed.serial());
        });
    }

    @Test
    void anExpiredCertificateAtStartStopsItNamingTheKeyAndTheBundle() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Instant now = Instant.now();
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"),
                secretOf(pki, pki.server("old", now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(2)))));
        ConfigError error = startFailure(runner(secret));
        assertThat(error.path()).isEqualTo("percore.servers.lines.ssl.bundle");
        assertThat(error.value()).isEqualTo("lines");
        assertThat(error.rule()).isEqualTo("certificate-expired");
        assertThat(error.message()).contains("SSL bundle 'lines'", "CN=old", "expired on");
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStart() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued mismatched = pki.mismatched("mixed", pki.server("a"), pki.server("b"));
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki, mismatched));
        ConfigError error = startFailure(runner(secret));
        assertThat(error.rule()).isEqualTo("key-mismatch");
        assertThat(error.message()).contains("percore.servers.lines.ssl.bundle", "SSL bundle 'lines'", "CN=a");
    }

    @Test
    void anUnknownBundleAndClientCertificatesWithoutATrustStoreAreNamed() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki, pki.server("s")));
        ConfigError unknown = startFailure(runner(secret, "percore.servers.lines.ssl.bundle=nope"));
        assertThat(unknown.rule()).isEqualTo("ssl-bundle");
        assertThat(unknown.message()).contains("there is no SSL bundle 'nope' (configured: lines)");

        ConfigError noTrust = startFailure(runner(secret, "percore.servers.lines.ssl.client-auth=need",
                "spring.ssl.bundle.pem.lines.truststore.certificate="));
        assertThat(noTrust.rule()).isEqualTo("ssl-trust-store");
        assertThat(noTrust.message()).contains("client-auth need");
    }

    @Test
    void clientCertificatesAreCheckedAgainstTheBundlesTrustStore() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        KubeletVolume secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki, pki.server("s")));
        runner(secret, "percore.servers.lines.ssl.client-auth=need").run(context -> {
            ShardedServer server = context.getBean(ShardedServerRegistry.class).start("lines", lineServer());
            try (TlsLineClient c = new TlsLineClient(pki.jdkClientContext(pki.client("alice")), server.port())) {
                assertThat(c.ask("mine")).startsWith("mine tls=true");
            }
            TestPki stranger = TestPki.create(dir.resolve("other"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                try (TlsLineClient c = new TlsLineClient(stranger.jdkClientContext(stranger.client("mallory")), server.port())) {
                    c.ask("theirs");
                }
            }).isInstanceOf(IOException.class);
        });
    }

    private static ConfigError startFailure(ApplicationContextRunner runner) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        runner.run(context -> failure.set(context.getStartupFailure()));
        Throwable t = failure.get();
        while (t != null && !(t instanceof InvalidPercoreConfigurationException)) {
            t = t.getCause();
        }
        assertThat(t).as("the start fails with the configuration report").isInstanceOf(InvalidPercoreConfigurationException.class);
        List<ConfigError> errors = ((InvalidPercoreConfigurationException) t).errors();
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    private static void awaitCertificate(Set<BigInteger> seen, BigInteger serial, AtomicReference<Throwable> failure) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!seen.contains(serial)) {
            if (failure.get() != null) {
                throw new AssertionError("a request failed", failure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("new connections never got certificate " + serial.toString(16) + "; seen " + seen);
            }
            Thread.sleep(20);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Thread loadThread(String name, AtomicBoolean running, AtomicReference<Throwable> failure, Step step) {
        Thread t = new Thread(() -> {
            while (running.get() && failure.get() == null) {
                try {
                    step.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static ChannelInitializer<SocketChannel> lineServer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(),
                                msg.toString(StandardCharsets.UTF_8) + " tls=" + sc.isTls() + " shard=" + Shard.current().id() + "\n"));
                    }
                });
            }
        };
    }
}
