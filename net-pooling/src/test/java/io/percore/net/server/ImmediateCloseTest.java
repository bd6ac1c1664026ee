package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection whose peer reads nothing, its socket full and a send still in flight, is closed at once by
 * {@link ImmediateClose}: its socket is shut down before the transport's close (which io_uring defers until that send
 * ends), so nothing in flight can hold the close; the peer then reads what the kernel had taken, and the end.
 */
class ImmediateCloseTest {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void closesAConnectionWhosePeerReadsNothingAndShutsItsSocketFirst(String transport) throws Exception {
        NettyTransportUnderTest under = NettyTransportUnderTest.of(transport);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, under.handlers());
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(under.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            try (java.net.Socket peer = new java.net.Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                peer.setSoTimeout(10_000);
                Channel ch = accepted.get(10, TimeUnit.SECONDS);
                // 64 MB toward a peer that reads nothing, far past both sockets' buffers, so a send stays in flight: one
                // direct 64 KB chunk written 1,024 times (no copy, no 64 MB of memory)
                long sent = ch.eventLoop().submit(() -> {
                    ByteBuf chunk = Unpooled.directBuffer(64 << 10).writeZero(64 << 10);
                    for (int i = 0; i < 1024; i++) {
                        ch.write(chunk.retainedDuplicate());
                    }
                    chunk.release();
                    ch.flush();
                    return ch.unsafe().outboundBuffer().totalPendingWriteBytes();
                }).get(10, TimeUnit.SECONDS);
                assertThat(sent).as("still unsent when it is closed").isPositive();

                boolean[] shutDownBeforeClosed = new boolean[1];
                ch.eventLoop().submit(() -> {
                    ImmediateClose.of(ch);
                    shutDownBeforeClosed[0] = !(ch instanceof UnixChannel unix)
                            || ((Socket) unix.fd()).isOutputShutdown() && ((Socket) unix.fd()).isInputShutdown()
                            || !unix.fd().isOpen();
                }).get(10, TimeUnit.SECONDS);
                assertThat(shutDownBeforeClosed[0]).as("the socket is shut down, not only asked to close").isTrue();
                assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).as("closed within 5 s").isTrue();

                InputStream in = peer.getInputStream();
                byte[] buffer = new byte[1 << 16];
                long read = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
                assertThat(read).as("what the kernel had taken, then the end; not all 64 MB").isLessThan(64L << 20);
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
