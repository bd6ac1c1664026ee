package io.percore.net.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * First handler of every server connection: counts bytes in and out, tracks writes in flight for
 * graceful shutdown, and closes the connection on the idle timeout.
 */
final class ConnectionAccounting extends ChannelDuplexHandler {

    private final ShardListener listener;
    private final ServerChannelContext context;
    private final ChannelFutureListener writeDone;

    ConnectionAccounting(ShardListener listener, ServerChannelContext context) {
        this.listener = listener;
        this.context = context;
        this.writeDone = f -> context.onWriteDone();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            listener.metrics.bytesIn.add(((ByteBuf) msg).readableBytes());
        }
        context.onRead();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        listener.metrics.bytesOut.add(sizeOf(msg));
        context.onWriteStarted();
        ChannelPromise p = promise.unvoid();
        p.addListener(writeDone);
        ctx.write(msg, p);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            listener.metrics.idleClosed.increment();
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        listener.connectionClosed(ctx.channel());
        super.channelInactive(ctx);
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        if (msg instanceof ByteBufHolder) {
            return ((ByteBufHolder) msg).content().readableBytes();
        }
        if (msg instanceof FileRegion) {
            return ((FileRegion) msg).count();
        }
        return 0;
    }
}
