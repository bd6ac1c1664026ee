package io.percore.net.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a drained connection whose client may still be sending, without destroying the replies it was just sent. The
 * drain stopped reading while replies were owed or still on their way; a client that pipelines goes on writing, and a
 * socket closed with bytes it never read sends a reset at once, which throws away what its send buffer still held for
 * the client: replies to commands the server ran, lost in flight (a 16 MB reply, GracefulDrainTest; 33-37 a stop over
 * a 1 Mbit link, benchmarks/attacks/drain-over-a-slow-link.sh). So, as nginx's lingering close does: TLS's close_notify
 * if the connection speaks TLS, the end of stream after the last reply ({@code shutdown(SHUT_WR)}), then reading on and
 * dropping what arrives, until
 * the client closes its side, or its kernel has acknowledged everything sent, the end of stream included (Linux's
 * {@code TCP_INFO}, looked at every {@value #CHECK_MILLIS} ms: a client that reads nothing more closes nothing either,
 * and must not hold the drain), or {@code bound} has passed.
 */
final class LingeringClose {

    static final String HANDLER = "percore-lingering-close";
    static final long CHECK_MILLIS = 5;

    private LingeringClose() {
    }

    /** Call on the channel's event loop, once nothing is left to write. Closes at once what cannot half-close. */
    static void of(Channel channel, Duration bound) {
        if (channel.pipeline().get(HANDLER) != null) {
            return; // lingering already
        }
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isOutputShutdown()) {
            channel.close();
            return;
        }
        channel.pipeline().addFirst(HANDLER, new DropInput());
        long deadline = System.nanoTime() + bound.toNanos();
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            endOutput(duplex, deadline);
        } else {
            // the client's TLS is told the stream ends, not cut short: close_notify, written behind the last reply
            tls.closeOutbound().addListener(f -> endOutput(duplex, deadline));
        }
        channel.config().setAutoRead(true);
    }

    private static void endOutput(DuplexChannel channel, long deadline) {
        if (!channel.isActive()) {
            channel.close();
            return;
        }
        channel.shutdownOutput();
        closeWhenDelivered(channel, deadline);
    }

    private static void closeWhenDelivered(Channel channel, long deadline) {
        if (!channel.isOpen()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || Boolean.TRUE.equals(TcpSendClock.peerHasAll(channel))) {
            channel.close();
            return;
        }
        channel.eventLoop().schedule(() -> closeWhenDelivered(channel, deadline), Math.min(left, TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)),
                TimeUnit.NANOSECONDS);
    }

    /** First in the pipeline: what the client sends now is read off the socket and dropped, and its end closes. */
    private static final class DropInput extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // nothing downstream reads any more
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset while lingering: the client is gone
        }
    }
}
