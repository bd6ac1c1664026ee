package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.handler.ssl.OpenSsl;
import io.percore.demo.DemoService;
import io.percore.net.testing.KubeletVolume;
import io.percore.net.testing.TestPki;
import io.percore.demo.support.TestPorts;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The demo with TLS from a Spring Boot SSL bundle whose files are laid out as a mounted
 * cert-manager Secret: RESP on Redis's {@code tls-port} next to the plain port (client
 * certificates optional, as {@code tls-auth-clients optional}), HTTP on TLS only. Driven by the
 * real clients: redis-cli {@code --tls}, Lettuce and Jedis with SSL, curl {@code --cacert}; a
 * rotation under load loses no request. BoringSSL (netty-tcnative) is on the demo's class path.
 */
class TlsTest {

    @TempDir
    static Path dir;

    private static ConfigurableApplicationContext context;
    private static TestPki pki;
    private static KubeletVolume secret;
    private static DemoService demo;
    private static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        secret = KubeletVolume.create(dir.resolve("secret"), secretOf(pki.server("first")));
        tlsPort = TestPorts.free();
        context = new SpringApplicationBuilder(DemoApplication.class).run(
                "--percore.servers.resp.port=0", "--percore.servers.resp.ssl.bundle=redis",
                "--percore.servers.resp.ssl.port=" + tlsPort, "--percore.servers.resp.ssl.client-auth=want",
                "--percore.servers.http.port=0", "--percore.servers.http.ssl.bundle=redis",
                "--spring.ssl.bundle.pem.redis.keystore.certificate=file:" + secret.file("tls.crt"),
                "--spring.ssl.bundle.pem.redis.keystore.private-key=file:" + secret.file("tls.key"),
                "--spring.ssl.bundle.pem.redis.truststore.certificate=file:" + secret.file("ca.crt"),
                "--spring.ssl.bundle.pem.redis.reload-on-update=true",
                "--spring.ssl.bundle.watch.file.quiet-period=100ms",
                "--management.server.port=0", "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned");
        demo = context.getBean(DemoService.class);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void theDemoHandshakesWithBoringSsl() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative on the demo's class path: " + OpenSsl.unavailabilityCause()).isTrue();
        assertThat(demo.respTlsPort()).isEqualTo(tlsPort);
        assertThat(demo.respServer().plainPortOpen()).isTrue();
        assertThat(demo.httpServer().plainPortOpen()).isFalse();
    }

    @Test
    void redisCliOverTlsNextToThePlainPort() throws Exception {
        assertThat(cli("--tls", "SET", "tls:k", "secret")).isEqualTo("OK\n");
        assertThat(cli("--tls", "GET", "tls:k")).isEqualTo("secret\n");
        assertThat(run("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(demo.respPort()), "GET", "tls:k"))
                .as("the plain port serves the same keys").isEqualTo("secret\n");
        assertThat(cli("--tls", "CONFIG", "GET", "tls-*")).isEqualTo(String.join("\n", "tls-port", Integer.toString(tlsPort),
                "tls-auth-clients", "optional", "tls-protocols", "", "tls-ciphers", "", "tls-ciphersuites", "") + "\n");
        assertThat(cli("--tls", "CONFIG", "SET", "tls-auth-clients", "yes"))
                .startsWith("ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - TLS is set by percore.servers.resp.ssl.*");
    }

    @Test
    void clientCertificatesAreOptionalButCheckedWhenGiven() throws Exception {
        TestPki.Issued alice = pki.client("alice");
        assertThat(cli("--tls", "--cert", alice.certificateFile().toString(), "--key", alice.keyFile().toString(), "PING")).isEqualTo("PONG\n");
        TestPki stranger = TestPki.create(dir.resolve("stranger"));
        TestPki.Issued mallory = stranger.client("mallory");
        assertThat(cli("--tls", "--cert", mallory.certificateFile().toString(), "--key", mallory.keyFile().toString(), "PING"))
                .as("a certificate from an unknown authority is refused").doesNotContain("PONG");
    }

    @Test
    void aPlainTextClientOnTheTlsPortGetsNothingAndTheServerGoesOn() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", tlsPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] got = readToEnd(plain);
            assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain("PONG");
        }
        assertThat(cli("--tls", "PING")).isEqualTo("PONG\n");
    }

    @Test
    void lettuceAndJedisWithSsl() throws Exception {
        RedisClient lettuce = RedisClient.create();
        lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().trustManager(pki.caFile().toFile()).build()).build());
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(
                RedisURI.builder().withHost("localhost").withPort(tlsPort).withSsl(true).build())) {
            RedisCommands<String, String> sync = connection.sync();
            assertThat(sync.set("lettuce:tls", "1")).isEqualTo("OK");
            assertThat(sync.incr("lettuce:tls")).isEqualTo(2L);
            assertThat(sync.hset("lettuce:tls:h", Map.of("f", "v"))).isEqualTo(1L);
        } finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        try (Jedis jedis = new Jedis(new HostAndPort("localhost", tlsPort),
                DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(pki.jdkClientContext().getSocketFactory()).build())) {
            assertThat(jedis.get("lettuce:tls")).isEqualTo("2");
            assertThat(jedis.hget("lettuce:tls:h", "f")).isEqualTo("v");
        }
    }

    @Test
    void curlWithTheAuthorityOverTheHttpServer() throws Exception {
        String base = "https://localhost:" + demo.httpPort();
        String ca = pki.caFile().toString();
        assertThat(run("curl", "-sS", "--cacert", ca, base + "/")).isEqualTo("Hello, World!");
        assertThat(run("curl", "-sS", "--cacert", ca, "-X", "PUT", "--data-binary", "over-tls", "-o", "/dev/null", "-w", "%{http_code}",
                base + "/kv/curl:tls")).isEqualTo("204");
        assertThat(run("curl", "-sS", "--cacert", ca, base + "/kv/curl:tls")).isEqualTo("over-tls");
        assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", base + "/"))
                .as("without the authority curl refuses the certificate").contains("SSL certificate problem").endsWith("000");
    }

    /**
     * Jedis opens a new connection for every few commands and Lettuce keeps one open while the
     * Secret is rotated twice (files swapped as the kubelet swaps them): no command fails, new
     * connections get each new certificate, the open one goes on.
     */
    @Test
    void rotationUnderLoadLosesNoCommand() throws Exception {
        Set<BigInteger> seen = ConcurrentHashMap.newKeySet();
        SSLSocketFactory recording = recordingPeers(pki.jdkClientContext().getSocketFactory(), seen);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong commands = new AtomicLong();
        RedisClient lettuce = RedisClient.create();
        lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().trustManager(pki.caFile().toFile()).build()).build());
        StatefulRedisConnection<String, String> longLived = lettuce.connect(
                RedisURI.builder().withHost("localhost").withPort(tlsPort).withSsl(true).build());
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            load.add(new Thread(() -> {
                for (long i = 0; running.get() && failure.get() == null; i++) {
                    try (Jedis jedis = new Jedis(new HostAndPort("localhost", tlsPort),
                            DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(recording).build())) {
                        String key = "rot:" + id + ":" + i;
                        assertThat(jedis.set(key, "v" + i)).isEqualTo("OK");
                        assertThat(jedis.get(key)).isEqualTo("v" + i);
                        commands.addAndGet(2);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, "jedis-" + t));
        }
        load.add(new Thread(() -> {
            while (running.get() && failure.get() == null) {
                try {
                    assertThat(longLived.sync().incr("rot:long-lived")).isPositive();
                    commands.incrementAndGet();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        }, "lettuce"));
        load.forEach(Thread::start);
        try {
            for (String next : List.of("second", "third")) {
                TestPki.Issued renewed = pki.server(next);
                secret.update(secretOf(renewed));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!seen.contains(renewed.serial()) && failure.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(failure.get()).as("a command failed during the rotation").isNull();
                assertThat(seen).as("new connections get the " + next + " certificate").contains(renewed.serial());
            }
        } finally {
            running.set(false);
            for (Thread t : load) {
                t.join(30_000);
            }
            longLived.close();
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        assertThat(failure.get()).isNull();
        assertThat(commands.get()).isGreaterThan(20);
    }

    private static SSLSocketFactory recordingPeers(SSLSocketFactory delegate, Set<BigInteger> serials) {
        return new SSLSocketFactory() {
            private Socket watch(Socket socket) {
                ((SSLSocket) socket).addHandshakeCompletedListener(e -> {
                    try {
                        serials.add(((X509Certificate) e.getPeerCertificates()[0]).getSerialNumber());
                    } catch (javax.net.ssl.SSLPeerUnverifiedException ignored) {
                        // no certificate: nothing to record
                    }
                });
                return socket;
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return delegate.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return delegate.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                return watch(delegate.createSocket(s, host, port, autoClose));
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return watch(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return watch(delegate.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return watch(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
                return watch(delegate.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    private static Map<String, byte[]> secretOf(TestPki.Issued issued) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("tls.crt", Files.readAllBytes(issued.certificateFile()));
        files.put("tls.key", Files.readAllBytes(issued.keyFile()));
        files.put("ca.crt", Files.readAllBytes(pki.caFile()));
        return files;
    }

    private static String cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(tlsPort),
                "--cacert", pki.caFile().toString()));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static byte[] readToEnd(Socket socket) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server kept a plain-text connection open on its TLS port", e);
        } catch (IOException reset) {
            // a reset ends it too
        }
        return out.toByteArray();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
