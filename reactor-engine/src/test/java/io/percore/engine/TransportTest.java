package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.percore.config.EngineConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void autoPicksANativeTransportHere() {
        try (Engine engine = TestEngines.start(1)) {
            assertThat(engine.transport()).isIn("io_uring", "epoll");
            assertThat(engine.shard(0).stats().transport()).isEqualTo(engine.transport());
            if (engine.transport().equals("epoll")) {
                assertThat(engine.transportFallbackReason()).contains("io_uring unavailable");
            }
            assertThat(engine.shard(0).transport().supportsReusePort()).isTrue();
        }
    }

    /**
     * An idle shard waits in io_uring_enter with its sockets' reads in flight: without Netty's NO_IOWAIT flag Linux
     * counts that as iowait (an idle demo process: /proc/pressure/io 75-88 %). The flag exists from Linux 6.15.
     */
    @Test
    void ioUringWaitsAreNotCountedAsIoWaitWhereTheKernelCanSaySo() {
        try (Engine engine = TestEngines.start(1)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(engine.transport().equals("io_uring"), "io_uring not in use here");
            org.junit.jupiter.api.Assumptions.assumeTrue(linuxAtLeast(6, 15), "Linux before 6.15 has no IORING_ENTER_NO_IOWAIT");
            assertThat(System.getProperty(ShardTransport.NO_IOWAIT_PROPERTY)).isEqualTo("true");
            assertThat(ShardTransport.noIoWait()).isTrue();
        }
    }

    /**
     * The shards receive into a buffer ring, one receive at a time: a connection's next receive goes with its reply, and
     * a paused one is not read further (multishot receives into a ring ignore auto-read in Netty 4.2.18).
     */
    @Test
    void ioUringShardsReceiveIntoARingOneReceiveAtATime() {
        try (Engine engine = TestEngines.start(1)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(engine.transport().equals("io_uring"), "io_uring not in use here");
            org.junit.jupiter.api.Assumptions.assumeTrue(linuxAtLeast(5, 19), "Linux before 5.19 has no buffer rings");
            assertThat(System.getProperty(ShardTransport.RECV_MULTISHOT_PROPERTY)).isEqualTo("false");
            assertThat(io.netty.channel.uring.IoUring.isRecvMultishotEnabled()).isFalse();
            assertThat(engine.shard(0).transport().hasReceiveRing()).isTrue();
        }
        assertThat(ShardTransport.select(EngineConfig.Transport.EPOLL, null, null, false, false).hasReceiveRing()).isFalse();
        assertThat(ShardTransport.select(EngineConfig.Transport.NIO, null, null, false, false).hasReceiveRing()).isFalse();
    }

    @Test
    void theReceiveRingCanBeTurnedOff() {
        // Spring Boot reads -Dpercore.* as configuration, and an unknown percore key stops the start: the switch is not one
        assertThat(ShardTransport.RECEIVE_RING_PROPERTY).doesNotStartWith("percore.");
        org.junit.jupiter.api.Assumptions.assumeTrue(ShardTransport.ioUringAvailable(), "io_uring not available here");
        System.setProperty(ShardTransport.RECEIVE_RING_PROPERTY, "false");
        try (Engine engine = TestEngines.start(1)) {
            assertThat(engine.shard(0).transport().hasReceiveRing()).isFalse();
        } finally {
            System.clearProperty(ShardTransport.RECEIVE_RING_PROPERTY);
        }
    }

    @Test
    void ioUringShardsWaitOnStandingTimersUnlessTurnedOff() {
        assertThat(ShardTransport.STANDING_TIMERS_PROPERTY).doesNotStartWith("percore.");
        assertThat(ShardTransport.select(EngineConfig.Transport.EPOLL, null, null, false, false).hasStandingTimers()).isFalse();
        assertThat(ShardTransport.select(EngineConfig.Transport.NIO, null, null, false, false).hasStandingTimers()).isFalse();
        org.junit.jupiter.api.Assumptions.assumeTrue(ShardTransport.ioUringAvailable(), "io_uring not available here");
        try (Engine engine = TestEngines.start(1)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(engine.transport().equals("io_uring"), "io_uring not in use here");
            assertThat(engine.shard(0).transport().hasStandingTimers()).isTrue();
        }
        System.setProperty(ShardTransport.STANDING_TIMERS_PROPERTY, "false");
        try (Engine engine = TestEngines.start(1)) {
            assertThat(engine.shard(0).transport().hasStandingTimers()).isFalse();
        } finally {
            System.clearProperty(ShardTransport.STANDING_TIMERS_PROPERTY);
        }
    }

    private static boolean linuxAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        if (!m.find()) {
            return false;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a > major || (a == major && b >= minor);
    }

    @Test
    void explicitNioIsHonoured() {
        EngineConfig c = TestEngines.config();
        c.setTransport(EngineConfig.Transport.NIO);
        try (Engine engine = TestEngines.start(c, 1)) {
            assertThat(engine.transport()).isEqualTo("nio");
            assertThat(engine.transportFallbackReason()).isNull();
            assertThat(engine.shard(0).transport().serverChannelClass().getSimpleName()).isEqualTo("NioServerSocketChannel");
        }
    }

    @Test
    void autoFallsBackInOrderAndSaysWhy() {
        Throwable noUring = new UnsatisfiedLinkError("io_uring_setup: Operation not permitted");
        Throwable noEpoll = new UnsatisfiedLinkError("no libnetty_transport_native_epoll");
        ShardTransport epoll = ShardTransport.select(EngineConfig.Transport.AUTO, noUring, null, true, false);
        assertThat(epoll.name()).isEqualTo("epoll");
        assertThat(epoll.fallbackReason()).isEqualTo("io_uring unavailable: " + noUring);
        ShardTransport nio = ShardTransport.select(EngineConfig.Transport.AUTO, noUring, noEpoll, true, true);
        assertThat(nio.name()).isEqualTo("nio");
        assertThat(nio.fallbackReason()).contains("io_uring unavailable").contains("epoll unavailable: " + noEpoll);
        assertThat(ShardTransport.select(EngineConfig.Transport.AUTO, null, null, false, false).name()).isEqualTo("io_uring");
    }

    @ParameterizedTest
    @EnumSource(value = EngineConfig.Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void echoOverLoopbackOnShardLoops(EngineConfig.Transport transport) throws Exception {
        EngineConfig c = TestEngines.config();
        c.setTransport(transport);
        try (Engine engine = TestEngines.start(c, 2)) {
            Shard server = engine.shard(0);
            Shard client = engine.shard(1);
            CompletableFuture<String> serverThread = new CompletableFuture<>();
            Channel listener = new ServerBootstrap()
                    .group(server.ioEventLoop(), server.ioEventLoop())
                    .channel(server.transport().serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    serverThread.complete(Thread.currentThread().getName());
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) listener.localAddress()).getPort();

            StringBuilder received = new StringBuilder();
            CompletableFuture<String> reply = new CompletableFuture<>();
            CompletableFuture<String> clientThread = new CompletableFuture<>();
            Channel ch = new Bootstrap()
                    .group(client.ioEventLoop())
                    .channel(client.transport().socketChannelClass())
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            clientThread.complete(Thread.currentThread().getName());
                            received.append(msg.toString(StandardCharsets.UTF_8));
                            if (received.length() >= 11) {
                                reply.complete(received.toString());
                            }
                        }
                    })
                    .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
            ch.writeAndFlush(Unpooled.copiedBuffer("hello shard", StandardCharsets.UTF_8));
            assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("hello shard");
            assertThat(serverThread.get()).isEqualTo("percore-shard-0");
            assertThat(clientThread.get()).isEqualTo("percore-shard-1");
            // Engine tasks and channel I/O share the thread: a channel op from a task is immediate.
            assertThat(await(engine.submitTo(1, () -> ch.eventLoop().inEventLoop()))).isTrue();
            ch.close().sync();
        }
    }

    @Test
    void unavailableExplicitTransportIsAClearStartupError() {
        Throwable cause = new UnsatisfiedLinkError("io_uring_setup: Operation not permitted");
        assertThatThrownBy(() -> ShardTransport.select(EngineConfig.Transport.IO_URING, cause, null, true, false))
                .isInstanceOf(io.percore.config.schema.HostRejectedSettingException.class)
                .hasMessageContaining("percore.engine.transport=io_uring")
                .hasMessageContaining("not available")
                .hasMessageContaining("Operation not permitted");
        assertThatThrownBy(() -> ShardTransport.select(EngineConfig.Transport.EPOLL, null, cause, false, true))
                .hasMessageContaining("percore.engine.transport=epoll");
    }
}
