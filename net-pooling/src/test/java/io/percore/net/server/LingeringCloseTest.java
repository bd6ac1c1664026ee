package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.percore.net.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server that answers, stops reading and closes while its client goes on sending: closed at once, the socket holds
 * bytes it never read and resets the connection, and the reply still in its send buffer can be lost to the client (the
 * demo's GracefulDrainTest saw "Connection reset" on io_uring and epoll); closed by {@link LingeringClose}, the client
 * reads the whole reply and then the end of stream.
 */
class LingeringCloseTest {

    /** More than loopback's two socket buffers take while the client reads nothing. */
    private static final int REPLY = 16 << 20;

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void theReplyArrivesWholeThoughTheClientSentMoreAfterTheServerStoppedReading(String transport) throws Exception {
        try (Server server = new Server(transport)) {
            try (Socket client = server.connect()) {
                Channel ch = server.accepted();
                CompletableFuture<Void> written = server.replyThenStopReading(ch);
                client.getOutputStream().write(new byte[4096]); // sent after the server stopped reading: never read
                written.thenRun(() -> ch.eventLoop().execute(() -> LingeringClose.of(ch, Duration.ofSeconds(30))));
                assertThat(readToEnd(client.getInputStream())).isEqualTo(REPLY);
                // the client closes on the end of stream; the server's side closes with it, long before its bound
                client.close();
                assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("closed when the client closed").isTrue();
            }
        }
    }

    /**
     * Over TLS the client's TLS hears the stream end (close_notify), not a connection cut short, after the whole reply.
     * The client is Netty's, which reports the close_notify it receives (the JDK's socket reads a bare end of stream
     * the same way).
     */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void overTlsTheReplyArrivesWholeThenCloseNotify(String transport, @TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir);
        try (Server server = new Server(transport, pki)) {
            EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                AtomicLong received = new AtomicLong();
                CompletableFuture<Boolean> closeNotify = new CompletableFuture<>();
                SslContext clientTls = pki.clientContext();
                Channel client = new Bootstrap().group(clientLoop).channel(NioSocketChannel.class)
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(clientTls.newHandler(ch.alloc(), "127.0.0.1", server.port()),
                                        new ChannelInboundHandlerAdapter() {
                                            @Override
                                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                                received.addAndGet(((ByteBuf) msg).readableBytes());
                                                ((ByteBuf) msg).release();
                                            }

                                            @Override
                                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                                if (evt instanceof SslCloseCompletionEvent close) {
                                                    closeNotify.complete(close.isSuccess());
                                                }
                                            }

                                            @Override
                                            public void channelInactive(ChannelHandlerContext ctx) {
                                                closeNotify.complete(false);
                                            }
                                        });
                            }
                        }).connect("127.0.0.1", server.port()).sync().channel();
                client.pipeline().get(SslHandler.class).handshakeFuture().sync();
                Channel ch = server.accepted();
                server.handshaken(ch);
                CompletableFuture<Void> written = server.replyThenStopReading(ch);
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[4096])).sync();
                written.thenRun(() -> ch.eventLoop().execute(() -> LingeringClose.of(ch, Duration.ofSeconds(30))));
                assertThat(closeNotify.get(30, TimeUnit.SECONDS)).as("close_notify received").isTrue();
                assertThat(received.get()).as("the whole reply, before it").isEqualTo(REPLY);
                client.close().sync();
                assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("closed").isTrue();
            } finally {
                clientLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    /**
     * A client that reads nothing more and never closes does not hold the connection: on io_uring and epoll it closes once
     * the client's kernel has acknowledged everything, the end of stream included (well before a 30 s bound); NIO cannot
     * ask the kernel, and closes at its bound.
     */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aClientThatNeverClosesDoesNotHoldTheConnection(String transport) throws Exception {
        try (Server server = new Server(transport); Socket client = server.connect()) {
            Channel ch = server.accepted();
            Duration bound = transport.equals("nio") ? Duration.ofMillis(300) : Duration.ofSeconds(30);
            client.getOutputStream().write(new byte[4096]); // read and dropped while lingering
            long t0 = System.nanoTime();
            ch.eventLoop().submit(() -> LingeringClose.of(ch, bound)).sync();
            assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("closed within 10 s").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(readToEnd(client.getInputStream())).isZero();
        }
    }

    /** The kernel's word the lingering close waits for: false while the client has not taken a reply, true once it has. */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void theKernelSaysWhetherTheClientHasEverythingSent(String transport) throws Exception {
        try (Server server = new Server(transport); Socket client = server.connect()) {
            Channel ch = server.accepted();
            if (transport.equals("nio")) {
                assertThat(ch.eventLoop().submit(() -> TcpSendClock.peerHasAll(ch)).get()).as("NIO cannot tell").isNull();
                return;
            }
            assertThat(ch.eventLoop().submit(() -> TcpSendClock.peerHasAll(ch)).get()).as("nothing sent yet").isTrue();
            CompletableFuture<Void> written = server.replyThenStopReading(ch);
            // the client reads nothing: the reply fills its socket and the server's, and waits there
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !Boolean.FALSE.equals(ch.eventLoop().submit(() -> TcpSendClock.peerHasAll(ch)).get()); ) {
                assertThat(System.nanoTime()).as("the reply waits in the sockets within 10 s").isLessThan(deadline);
                Thread.sleep(5);
            }
            byte[] buf = new byte[64 << 10];
            long read = 0;
            while (read < REPLY) {
                read += client.getInputStream().read(buf);
            }
            written.get(10, TimeUnit.SECONDS);
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !Boolean.TRUE.equals(ch.eventLoop().submit(() -> TcpSendClock.peerHasAll(ch)).get()); ) {
                assertThat(System.nanoTime()).as("acknowledged within 10 s of the client reading it all").isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    private static long readToEnd(InputStream in) throws IOException {
        byte[] buf = new byte[64 << 10];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
        }
        return total;
    }

    private static final class Server implements AutoCloseable {
        private final EventLoopGroup group;
        private final Channel channel;
        private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

        private final SSLContext clientTls;

        Server(String transport) throws InterruptedException {
            this(transport, null);
        }

        /** With {@code pki}, the connections speak TLS (a server certificate of it), as a ShardedServer's TLS does. */
        Server(String transport, TestPki pki) throws InterruptedException {
            NettyTransportUnderTest under = NettyTransportUnderTest.of(transport);
            SslContext serverTls = pki == null ? null : pki.server("lingering").serverContext();
            clientTls = pki == null ? null : pki.jdkClientContext();
            group = new MultiThreadIoEventLoopGroup(1, under.handlers());
            channel = new ServerBootstrap().group(group).channel(under.serverChannel())
                    .childOption(ChannelOption.AUTO_READ, serverTls != null) // the drain has stopped reading (TLS: after its handshake)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void handlerAdded(ChannelHandlerContext ctx) {
                            if (serverTls != null) {
                                ctx.pipeline().addFirst(serverTls.newHandler(ctx.alloc()));
                            }
                        }

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                            ctx.fireChannelActive();
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        Socket connect() throws IOException {
            int port = ((InetSocketAddress) channel.localAddress()).getPort();
            Socket s = clientTls == null ? new Socket("127.0.0.1", port) : clientTls.getSocketFactory().createSocket("127.0.0.1", port);
            s.setSoTimeout(30_000);
            if (s instanceof SSLSocket tls) {
                tls.startHandshake();
            }
            return s;
        }

        Channel accepted() throws Exception {
            return accepted.get(10, TimeUnit.SECONDS);
        }

        /** Waits for the server's side of the TLS handshake, then stops reading as the drain does. */
        void handshaken(Channel ch) throws Exception {
            ch.pipeline().get(SslHandler.class).handshakeFuture().get(10, TimeUnit.SECONDS);
            ch.eventLoop().submit(() -> ch.config().setAutoRead(false)).sync();
        }

        /** Writes the reply (16 one-MB chunks of one direct buffer); completes when the socket has taken all of it. */
        CompletableFuture<Void> replyThenStopReading(Channel ch) {
            CompletableFuture<Void> written = new CompletableFuture<>();
            ch.eventLoop().execute(() -> {
                ByteBuf chunk = Unpooled.directBuffer(1 << 20).writeZero(1 << 20);
                for (int i = 0; i < REPLY >> 20; i++) {
                    ch.write(chunk.retainedDuplicate());
                }
                chunk.release();
                ch.flush();
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> written.complete(null));
            });
            return written;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
