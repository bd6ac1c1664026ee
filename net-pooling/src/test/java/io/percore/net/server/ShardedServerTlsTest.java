package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.net.TestSupport;
import io.percore.net.testing.TestPki;
import io.percore.net.testing.TlsLineClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on a sharded server, with real sockets and the JDK's TLS client. */
class ShardedServerTlsTest {

    private static Engine engine;
    private static TestPki pki;
    private static TestPki.Issued first;
    private static TestPki.Issued second;

    @BeforeAll
    static void start(@TempDir Path dir) {
        engine = TestSupport.engine(2);
        pki = TestPki.create(dir);
        first = pki.server("first");
        second = pki.server("second");
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** "x" answers "x shard=N tls=B"; the handlers see plain text whatever the port. */
    private static ChannelInitializer<SocketChannel> lineServer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(),
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                String reply = msg.toString(StandardCharsets.UTF_8) + " shard=" + Shard.current().id() + " tls=" + sc.isTls() + "\n";
                                ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), reply));
                            }
                        });
            }
        };
    }

    @Test
    void tlsOnAPortOfItsOwnNextToThePlainOne() throws Exception {
        ServerOptions options = ServerOptions.builder("lines").port(0).tlsPort(0).tls(ServerTls.of(first.serverContext())).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer())) {
            assertThat(server.tlsPort()).isPositive().isNotEqualTo(server.port());
            assertThat(server.plainPortOpen()).isTrue();
            try (TlsLineClient tls = new TlsLineClient(pki.jdkClientContext(), server.tlsPort())) {
                assertThat(tls.ask("hello")).matches("hello shard=[01] tls=true");
                assertThat(tls.peerSerial()).isEqualTo(first.serial());
            }
            try (Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.getOutputStream().write("plain\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII)).readLine())
                        .matches("plain shard=[01] tls=false");
            }
            eventually("the handshake counted", Duration.ofSeconds(10), () -> handshakes(server) == 1);
        }
    }

    @Test
    void tlsOnTheServersPortItselfLeavesNoPlainPort() throws Exception {
        ServerOptions options = ServerOptions.builder("lines").port(0).tls(ServerTls.of(first.serverContext())).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer())) {
            assertThat(server.tlsPort()).isEqualTo(server.port());
            assertThat(server.plainPortOpen()).isFalse();
            try (TlsLineClient tls = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                assertThat(tls.ask("a")).matches("a shard=[01] tls=true");
            }
        }
    }

    @Test
    void aPlainTextClientOnTheTlsPortIsClosedAndCountedAndTheServerGoesOn() throws Exception {
        ServerOptions options = ServerOptions.builder("lines").port(0).tls(ServerTls.of(first.serverContext())).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer())) {
            for (int i = 0; i < 20; i++) {
                try (Socket plain = new Socket("127.0.0.1", server.port())) {
                    plain.setSoTimeout(10_000);
                    plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(readToEnd(plain.getInputStream())).as("nothing but the close (or a TLS alert)").doesNotContain("PING");
                }
            }
            eventually("20 failed handshakes counted", Duration.ofSeconds(10), () -> handshakeFailures(server) == 20);
            eventually("every plain connection closed", Duration.ofSeconds(10), () -> server.connectionsOpen() == 0);
            try (TlsLineClient tls = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                assertThat(tls.ask("still")).matches("still shard=[01] tls=true");
            }
        }
    }

    @Test
    void aReplacedContextGoesToNewConnectionsWhileOpenOnesGoOn() throws Exception {
        ServerTls tls = ServerTls.of(first.serverContext());
        ServerOptions options = ServerOptions.builder("lines").port(0).tls(tls).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer());
             TlsLineClient before = new TlsLineClient(pki.jdkClientContext(), server.port())) {
            assertThat(before.ask("1")).startsWith("1 ");
            assertThat(before.peerSerial()).isEqualTo(first.serial());

            tls.replace(second.serverContext());
            assertThat(tls.replacements()).isEqualTo(1);

            try (TlsLineClient after = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                assertThat(after.ask("2")).startsWith("2 ");
                assertThat(after.peerSerial()).isEqualTo(second.serial());
            }
            assertThat(before.ask("3")).as("the connection opened before keeps its session").startsWith("3 ");
            assertThat(before.peerSerial()).isEqualTo(first.serial());
        }
    }

    @Test
    void clientCertificatesWhenTheContextRequiresThem() throws Exception {
        ServerTls tls = ServerTls.of(SslContextBuilder.forServer(first.key(), first.certificate())
                .trustManager(pki.ca()).clientAuth(ClientAuth.REQUIRE).build());
        ServerOptions options = ServerOptions.builder("lines").port(0).tls(tls).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer())) {
            assertThatThrownBy(() -> {
                try (TlsLineClient anonymous = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                    anonymous.ask("who");
                }
            }).isInstanceOf(IOException.class);
            try (TlsLineClient known = new TlsLineClient(pki.jdkClientContext(pki.client("alice")), server.port())) {
                assertThat(known.ask("me")).startsWith("me ");
            }
            eventually("one refused, one accepted", Duration.ofSeconds(10),
                    () -> handshakeFailures(server) == 1 && handshakes(server) == 1);
        }
    }

    /**
     * Connections that open and never send a ClientHello: at most max-handshakes-per-shard wait on
     * each shard, the rest are refused at accept, and the waiting ones are closed at the handshake
     * timeout; a real client is served afterwards.
     */
    @Test
    void aHandshakeFloodIsBoundedPerShardAndTimedOut() throws Exception {
        ServerOptions options = ServerOptions.builder("lines").port(0).maxHandshakesPerShard(3)
                .tlsHandshakeTimeout(Duration.ofMillis(700)).tls(ServerTls.of(first.serverContext())).build();
        try (ShardedServer server = ShardedServer.start(engine, options, lineServer())) {
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    flood.add(new Socket("127.0.0.1", server.port()));
                }
                eventually("every flood connection accepted or refused", Duration.ofSeconds(10),
                        () -> accepted(server) + rejected(server) == 40);
                assertThat(accepted(server)).as("waiting handshakes, at most 3 per shard").isLessThanOrEqualTo(6).isPositive();
                eventually("the waiting ones closed at the handshake timeout", Duration.ofSeconds(15),
                        () -> server.connectionsOpen() == 0);
                assertThat(handshakeFailures(server)).isEqualTo(accepted(server));
                for (Socket s : flood) {
                    s.setSoTimeout(10_000);
                    assertThat(readToEnd(s.getInputStream())).isEmpty();
                }
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            try (TlsLineClient tls = new TlsLineClient(pki.jdkClientContext(), server.port())) {
                assertThat(tls.ask("after")).startsWith("after ");
            }
        }
    }

    @Test
    void aBundleNamedWithoutItsContextIsRefusedNamingTheKey() {
        io.percore.config.ServerConfig config = new io.percore.config.ServerConfig();
        config.getSsl().setBundle("redis");
        ServerOptions options = ServerOptions.from("resp", config);
        assertThatThrownBy(() -> ShardedServer.start(engine, options, lineServer()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percore.servers.resp.ssl.bundle names the SSL bundle 'redis'");
    }

    private static long handshakes(ShardedServer server) {
        return server.metrics().stream().mapToLong(ShardServerMetrics::tlsHandshakes).sum();
    }

    private static long handshakeFailures(ShardedServer server) {
        return server.metrics().stream().mapToLong(ShardServerMetrics::tlsHandshakeFailures).sum();
    }

    private static long accepted(ShardedServer server) {
        return server.metrics().stream().mapToLong(ShardServerMetrics::connectionsAccepted).sum();
    }

    private static long rejected(ShardedServer server) {
        return server.metrics().stream().mapToLong(ShardServerMetrics::connectionsRejected).sum();
    }

    /** What the peer sends until it closes; a reset counts as the end. */
    private static String readToEnd(InputStream in) throws IOException {
        StringBuilder out = new StringBuilder();
        byte[] buffer = new byte[256];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        } catch (IOException reset) {
            // closed with a reset: as good as an end
        }
        return out.toString();
    }
}
