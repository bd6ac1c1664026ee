package io.percore.net.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.percore.engine.FatalErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of every server connection: an exception nobody handled closes the connection
 * (a server must not keep talking to a peer after a protocol error), and an oversized request is
 * counted as such.
 */
@ChannelHandler.Sharable
final class ConnectionErrorTail extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrorTail.class);

    private final ShardServerMetrics[] metrics;

    ConnectionErrorTail(ShardServerMetrics[] metrics) {
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An OutOfMemoryError in a handler ends here, not in the engine's loop: hand it to the
        // engine so the process exits instead of serving on with a broken JVM.
        FatalErrorHandler.reportIfFatal(cause);
        ServerChannelContext sc = ctx.channel().attr(ServerChannelContext.KEY).get();
        if (isTooLong(cause)) {
            if (sc != null) {
                metrics[sc.shardId()].requestsTooLarge.increment();
            }
            LOG.debug("Closing {}: request larger than max-request-size {} bytes: {}", ctx.channel(),
                    sc == null ? "?" : sc.maxRequestSize(), cause.getMessage());
        } else {
            LOG.debug("Closing {} after an unhandled exception", ctx.channel(), cause);
        }
        ctx.close();
    }

    private static boolean isTooLong(Throwable t) {
        for (int i = 0; t != null && i < 8; i++, t = t.getCause()) {
            if (t instanceof TooLongFrameException) {
                return true;
            }
        }
        return false;
    }
}
