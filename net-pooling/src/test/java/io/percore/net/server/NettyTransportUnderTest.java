package io.percore.net.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.junit.jupiter.api.Assumptions;

/** A plain Netty transport by name ("io_uring", "epoll", "nio"), for tests of one connection's socket; skipped where absent. */
record NettyTransportUnderTest(IoHandlerFactory handlers, Class<? extends ServerChannel> serverChannel) {

    static NettyTransportUnderTest of(String name) {
        return switch (name) {
            case "io_uring" -> {
                Assumptions.assumeTrue(IoUring.isAvailable(), "io_uring is not available here");
                yield new NettyTransportUnderTest(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            }
            case "epoll" -> {
                Assumptions.assumeTrue(Epoll.isAvailable(), "epoll is not available here");
                yield new NettyTransportUnderTest(EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            }
            case "nio" -> new NettyTransportUnderTest(NioIoHandler.newFactory(), NioServerSocketChannel.class);
            default -> throw new IllegalArgumentException("no transport " + name);
        };
    }
}
