package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.net.TestSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShardedServerTest {

    private static Engine engine;

    /** Per connection (by remote port): every thread that ran one of its handler callbacks. */
    private final Map<Integer, Set<String>> threadsByConnection = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Integer> shardsSeen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startEngine() {
        engine = TestSupport.engine(3);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    /** Line protocol: "echo X" answers "X [shard N]" at once; "slow X" answers after 400 ms; "big N" answers N bytes in one write. */
    private ChannelInitializer<SocketChannel> lineServer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(),
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                record(ctx);
                                String line = msg.toString(StandardCharsets.UTF_8);
                                String reply = line.substring(5) + " [shard " + Shard.current().id() + "]\n";
                                if (line.startsWith("big ")) {
                                    int n = Integer.parseInt(line.substring(4));
                                    ByteBuf big = ctx.alloc().buffer(n);
                                    big.writeZero(n - 1).writeByte('\n');
                                    ctx.writeAndFlush(big);
                                } else if (line.startsWith("slow ")) {
                                    Shard.current().schedule(Duration.ofMillis(400), () -> {
                                        record(ctx);
                                        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), reply));
                                    });
                                } else {
                                    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), reply));
                                }
                            }

                            @Override
                            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                                record(ctx);
                                shardsSeen.add(sc.shardId());
                                super.channelActive(ctx);
                            }
                        });
            }
        };
    }

    private void record(ChannelHandlerContext ctx) {
        int remotePort = ((java.net.InetSocketAddress) ctx.channel().remoteAddress()).getPort();
        threadsByConnection.computeIfAbsent(remotePort, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
    }

    private static String exchange(Socket s, String line) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static Socket connect(ShardedServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void everyShardListensOnOnePortAndEachConnectionStaysOnOneShardThread() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).build(), lineServer());
        try {
            assertThat(server.acceptMode()).isEqualTo(ShardedServer.AcceptMode.REUSE_PORT);
            assertThat(server.port()).isPositive();
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Socket s = connect(server);
                sockets.add(s);
                assertThat(exchange(s, "echo " + i)).startsWith(i + " [shard ");
                assertThat(exchange(s, "echo again")).startsWith("again [shard ");
            }
            for (Socket s : sockets) {
                s.close();
            }
            // The kernel spread 60 connections over the 3 listeners (all on one is ~1e-28 likely).
            assertThat(Set.copyOf(shardsSeen)).hasSizeGreaterThan(1);
            assertThat(threadsByConnection).hasSize(60);
            threadsByConnection.values().forEach(threads -> assertThat(threads).hasSize(1));
            long accepted = server.metrics().stream().mapToLong(ShardServerMetrics::connectionsAccepted).sum();
            assertThat(accepted).isEqualTo(60);
            eventually("all connections closed", Duration.ofSeconds(10), () -> server.connectionsOpen() == 0);
            long in = server.metrics().stream().mapToLong(ShardServerMetrics::bytesIn).sum();
            long out = server.metrics().stream().mapToLong(ShardServerMetrics::bytesOut).sum();
            assertThat(in).isEqualTo(60 * ("echo again\n".length()) + sumOfEchoLines(60));
            assertThat(out).isGreaterThan(60 * " [shard 0]\n".length() * 2);
        } finally {
            server.close();
        }
    }

    private static long sumOfEchoLines(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ("echo " + i + "\n").length();
        }
        return sum;
    }

    @Test
    void withoutReusePortOneAcceptorHandsConnectionsToShardsRoundRobin() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().reusePort(false).build(), lineServer());
        try {
            assertThat(server.acceptMode()).isEqualTo(ShardedServer.AcceptMode.SINGLE_ACCEPTOR);
            for (int i = 0; i < 9; i++) {
                try (Socket s = connect(server)) {
                    String reply = exchange(s, "echo x");
                    assertThat(reply).isEqualTo("x [shard " + (i % 3) + "]");
                }
            }
            threadsByConnection.values().forEach(threads -> assertThat(threads).hasSize(1));
            for (int shard = 0; shard < 3; shard++) {
                assertThat(server.metrics(shard).connectionsAccepted()).isEqualTo(3);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void connectionsBeyondTheShardLimitAreClosedAtOnce() throws Exception {
        ShardedServer server = ShardedServer.start(engine,
                ServerOptions.builder().reusePort(false).maxConnectionsPerShard(1).build(), lineServer());
        try (Socket a = connect(server); Socket b = connect(server); Socket c = connect(server); Socket d = connect(server)) {
            // Round-robin: a, b, c land on shards 0, 1, 2; d is shard 0's second connection.
            assertThat(exchange(a, "echo a")).isEqualTo("a [shard 0]");
            assertThat(exchange(b, "echo b")).isEqualTo("b [shard 1]");
            assertThat(exchange(c, "echo c")).isEqualTo("c [shard 2]");
            assertThat(d.getInputStream().read()).as("rejected connection gets EOF").isEqualTo(-1);
            eventually("rejection counted", Duration.ofSeconds(30), () -> server.metrics(0).connectionsRejected() == 1);
            assertThat(server.metrics(0).connectionsOpen()).isEqualTo(1);
            assertThat(exchange(a, "echo still")).isEqualTo("still [shard 0]");
        } finally {
            server.close();
        }
    }

    /** An initializer that is a {@link RejectionReply}: refused clients are told why before the close. */
    private static final class LineServerWithRejection extends ChannelInitializer<SocketChannel> implements RejectionReply {
        private final ChannelInitializer<SocketChannel> delegate;

        LineServerWithRejection(ChannelInitializer<SocketChannel> delegate) {
            this.delegate = delegate;
        }

        @Override
        public byte[] rejectionReply() {
            return "busy: too many connections\n".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(delegate);
        }
    }

    @Test
    void aRefusedClientReadsTheServersRejectionReplyThenEof() throws Exception {
        ShardedServer server = ShardedServer.start(engine,
                ServerOptions.builder().reusePort(false).maxConnectionsPerShard(1).build(), new LineServerWithRejection(lineServer()));
        try (Socket a = connect(server); Socket b = connect(server); Socket c = connect(server); Socket d = connect(server)) {
            assertThat(exchange(a, "echo a")).isEqualTo("a [shard 0]");
            assertThat(new String(d.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("the reply, then EOF").isEqualTo("busy: too many connections\n");
            eventually("rejection counted", Duration.ofSeconds(30), () -> server.metrics(0).connectionsRejected() == 1);
            assertThat(exchange(b, "echo b")).isEqualTo("b [shard 1]");
        } finally {
            server.close();
        }
    }

    @Test
    void aRequestLargerThanTheLimitClosesTheConnection() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().maxRequestSize(32).build(), lineServer());
        try (Socket s = connect(server)) {
            assertThat(exchange(s, "echo short")).startsWith("short");
            s.getOutputStream().write(("echo " + "x".repeat(200) + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            eventually("too-large counted", Duration.ofSeconds(30),
                    () -> server.metrics().stream().mapToLong(ShardServerMetrics::requestsTooLarge).sum() == 1);
        } finally {
            server.close();
        }
    }

    @Test
    void writesKeepTheCallersPromiseAndAreCountedAtWriteTime() throws Exception {
        ConcurrentLinkedQueue<Boolean> voidAtTransport = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Boolean> realPromiseCompleted = new ConcurrentLinkedQueue<>();
        ChannelInitializer<SocketChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // addFirst: between the transport and the server's accounting, so it sees the
                // promise exactly as the accounting passes it on.
                ch.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                        voidAtTransport.add(promise.isVoid());
                        super.write(ctx, msg, promise);
                    }
                });
                ch.pipeline().addLast(new LineBasedFrameDecoder(64), new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        String line = msg.toString(StandardCharsets.UTF_8);
                        if (line.equals("void")) {
                            ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), "v\n"), ctx.voidPromise());
                        } else {
                            ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), "real\n"))
                                    .addListener(f -> realPromiseCompleted.add(f.isSuccess()));
                        }
                    }
                });
            }
        };
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().idleTimeout(Duration.ofSeconds(30)).build(), init);
        try (Socket s = connect(server)) {
            assertThat(exchange(s, "void")).isEqualTo("v");
            assertThat(exchange(s, "real")).isEqualTo("real");
            eventually("the real promise completed", Duration.ofSeconds(30), () -> realPromiseCompleted.size() == 1);
            assertThat(realPromiseCompleted).containsExactly(true);
            // A void promise stays void (no promise or listener per write), a real one stays real.
            assertThat(voidAtTransport).containsExactly(true, false);
            assertThat(server.metrics().stream().mapToLong(ShardServerMetrics::bytesOut).sum()).isEqualTo("v\nreal\n".length());
        } finally {
            server.close();
        }
    }

    @Test
    void theIdleTimeoutRestartsWithEveryExchange() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().idleTimeout(Duration.ofMillis(1000)).build(), lineServer());
        try (Socket s = connect(server)) {
            // 2.5 idle timeouts of traffic, one exchange every 100 ms: never idle for 1 s.
            long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            int i = 0;
            while (System.nanoTime() < end) {
                assertThat(exchange(s, "echo " + i)).startsWith(i + " [shard ");
                i++;
                Thread.sleep(100);
            }
            assertThat(server.metrics().stream().mapToLong(ShardServerMetrics::connectionsIdleClosed).sum()).isZero();
            assertThat(s.getInputStream().read()).as("closed once idle").isEqualTo(-1);
            eventually("idle close counted", Duration.ofSeconds(30),
                    () -> server.metrics().stream().mapToLong(ShardServerMetrics::connectionsIdleClosed).sum() == 1);
        } finally {
            server.close();
        }
    }

    /**
     * Idle means nothing moves either way: a client still reading a long response (written in one
     * go, most of it waiting in the server for the socket) is not idle, whatever the time since that
     * write; once everything has left and nothing else comes, it is.
     */
    @Test
    void aClientStillReadingALongResponseIsNotIdle() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().idleTimeout(Duration.ofSeconds(1)).build(), lineServer());
        int size = 8 << 20;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(32 * 1024); // the kernel holds little of it: most waits in the server
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("big " + size + "\n").getBytes(StandardCharsets.UTF_8));
            java.io.InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            int chunks = 0;
            while (read < size) {
                int n = in.read(buf);
                assertThat(n).as("closed after %d of %d bytes, while they were still being read", read, size).isPositive();
                read += n;
                if (++chunks % 4 == 0) {
                    Thread.sleep(50); // about 5 MB/s: 1.6 s or more, longer than the idle timeout
                }
            }
            assertThat(server.metrics().stream().mapToLong(ShardServerMetrics::connectionsIdleClosed).sum()).isZero();
            assertThat(in.read()).as("closed once idle").isEqualTo(-1);
        } finally {
            server.close();
        }
    }

    /** A request the server is still answering is not the client's silence: the idle timeout waits for the answer. */
    @Test
    void aRequestStillBeingAnsweredIsNotIdle() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().idleTimeout(Duration.ofMillis(300)).build(), lineServer());
        try (Socket s = connect(server)) {
            assertThat(exchange(s, "slow answer")).as("answered after 400 ms, past the idle timeout").startsWith("answer [shard ");
            assertThat(s.getInputStream().read()).as("closed once idle").isEqualTo(-1);
        } finally {
            server.close();
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().idleTimeout(Duration.ofMillis(300)).build(), lineServer());
        try (Socket s = connect(server)) {
            assertThat(exchange(s, "echo hi")).startsWith("hi");
            long start = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            eventually("idle close counted", Duration.ofSeconds(30),
                    () -> server.metrics().stream().mapToLong(ShardServerMetrics::connectionsIdleClosed).sum() == 1);
        } finally {
            server.close();
        }
    }

    @Test
    void gracefulShutdownStopsAcceptingAndLosesNoInFlightResponse() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).build(), lineServer());
        int port = server.port();
        Socket idle = connect(server);
        Socket busy = connect(server);
        assertThat(exchange(idle, "echo warm")).startsWith("warm");
        OutputStream out = busy.getOutputStream();
        out.write("slow answer\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        eventually("request reached the server", Duration.ofSeconds(30), () -> threadsByConnection.size() == 2
                && server.metrics().stream().mapToLong(ShardServerMetrics::bytesIn).sum() >= "echo warm\nslow answer\n".length());

        var done = server.shutdownGracefully(Duration.ofSeconds(20));
        assertThat(idle.getInputStream().read()).as("idle connection closed at once").isEqualTo(-1);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThat(done).isNotDone();

        BufferedReader in = new BufferedReader(new InputStreamReader(busy.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).startsWith("answer [shard ");
        assertThat(in.read()).as("closed after its response").isEqualTo(-1);
        TestSupport.await(done);
        assertThat(server.connectionsOpen()).isZero();
        idle.close();
        busy.close();
    }

    /**
     * Graceful shutdown's first step alone frees the port for another listener (a stopping server's relay) while the open
     * connections are served on; the shutdown then drains them.
     */
    @Test
    void stopListeningFreesThePortAndLeavesTheConnectionsServed() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).build(), lineServer());
        int port = server.port();
        Socket open = connect(server);
        assertThat(exchange(open, "echo before")).startsWith("before");
        TestSupport.await(server.stopListening());
        assertThat(server.stopListening()).as("once").isDone();
        try (java.net.ServerSocket next = new java.net.ServerSocket()) {
            next.setReuseAddress(true);
            next.bind(new java.net.InetSocketAddress(port));
            assertThat(exchange(open, "echo after")).as("still served").startsWith("after");
            assertThat(server.connectionsOpen()).isEqualTo(1);
        }
        TestSupport.await(server.shutdownGracefully(Duration.ofSeconds(20)));
        assertThat(open.getInputStream().read()).as("drained").isEqualTo(-1);
        open.close();
    }

    /**
     * A request that waits for an event (a blocking pop, a long poll) hears {@link DrainStarted}
     * and is answered then: the drain finishes at once instead of at its timeout.
     */
    @Test
    void aRequestWaitingForAnEventIsAnsweredWhenTheDrainStarts() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().build(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(),
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            private boolean waiting;

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                waiting = true; // answered by an event that never comes, or by the drain
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt == DrainStarted.INSTANCE && waiting) {
                                    waiting = false;
                                    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), "gave up waiting\n"));
                                }
                                ctx.fireUserEventTriggered(evt);
                            }
                        });
            }
        });
        try (Socket s = connect(server)) {
            s.getOutputStream().write("wait for something\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            eventually("the request reached the server", Duration.ofSeconds(30),
                    () -> server.metrics().stream().mapToLong(ShardServerMetrics::bytesIn).sum() == 19);
            long start = System.nanoTime();
            TestSupport.await(server.shutdownGracefully(Duration.ofSeconds(20)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("gave up waiting");
            assertThat(in.read()).as("closed after its answer").isEqualTo(-1);
        }
    }

    /** The drain still held after a tenth of its bound says who holds it: what a stop that runs to its bound has to explain. */
    @Test
    void gracefulShutdownForceClosesAfterTheTimeoutAndSaysWhoHeldIt() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ShardListener.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().build(), lineServer());
        try (Socket s = connect(server)) {
            // A request that never completes (no newline) keeps the connection busy.
            s.getOutputStream().write("slow never".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            eventually("bytes arrived", Duration.ofSeconds(30),
                    () -> server.metrics().stream().mapToLong(ShardServerMetrics::bytesIn).sum() == 10);
            long start = System.nanoTime();
            TestSupport.await(server.shutdownGracefully(Duration.ofMillis(300)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            List<String> said;
            synchronized (log.list) { // the shard's thread appends
                said = log.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            }
            assertThat(said).anySatisfy(m -> assertThat(m).contains("1 connection(s) still hold its drain", "" + s.getLocalPort(),
                    "bytes read since its last write"));
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void invalidOptionsNameTheKey() {
        // Built in code or bound from YAML, options meet one validator: the same paths and rules.
        assertThatThrownBy(() -> ServerOptions.builder().port(70000).build())
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.servers.server.port").hasMessageContaining("70000");
        assertThatThrownBy(() -> ServerOptions.builder("api").maxConnectionsPerShard(0).build())
                .hasMessageContaining("percore.servers.api.max-connections-per-shard");
        assertThatThrownBy(() -> ServerOptions.builder().idleTimeout(Duration.ofSeconds(-1)).build()).hasMessageContaining("idle-timeout");
        assertThatThrownBy(() -> ServerOptions.builder().bindAddress(" ").build()).hasMessageContaining("bind-address");
        assertThatThrownBy(() -> ShardedServer.start(engine, ServerOptions.builder().bindAddress("no-such-host.invalid").build(), lineServer()))
                .hasMessageContaining("no-such-host.invalid");
    }

    @Test
    void adaptsServerConfig() {
        io.percore.config.ServerConfig c = new io.percore.config.ServerConfig();
        c.setPort(8080);
        c.setMaxConnectionsPerShard(7);
        c.setIdleTimeout(Duration.ofSeconds(9));
        c.setMaxRequestSize(4096);
        c.setGracefulShutdownTimeout(Duration.ofSeconds(3));
        c.setReusePort(false);
        c.setBindAddress("0.0.0.0");
        ServerOptions o = ServerOptions.from("api", c);
        assertThat(o.port()).isEqualTo(8080);
        assertThat(o.maxConnectionsPerShard()).isEqualTo(7);
        assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(o.maxRequestSize()).isEqualTo(4096);
        assertThat(o.gracefulShutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.reusePort()).isFalse();
        assertThat(o.bindAddress()).isEqualTo("0.0.0.0");
        c.setMaxRequestSize(Integer.MAX_VALUE);
        assertThat(ServerOptions.from("api", c).maxRequestSize()).isEqualTo(Integer.MAX_VALUE);
        // Netty frames are int-sized: the schema's maximum says so, in one place.
        c.setMaxRequestSize(Integer.MAX_VALUE + 10L);
        assertThatThrownBy(() -> ServerOptions.from("api", c))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.servers.api.max-request-size: 2147483657 is above the maximum of 2147483647");
    }
}
