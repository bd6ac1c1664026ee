package io.percore.demo.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds what {@code RedisDecoder} buffers while it waits for the end of a length line
 * ({@code *<n>} / {@code $<n>}): the decoder limits inline commands but not those lines, so a
 * peer sending digits without a newline would grow the buffer forever. Placed before the
 * decoder; {@link RespFrameGuard} calls {@link #progress()} for every decoded message, and if
 * more than the limit arrives with no message decoded, the connection fails like Redis does
 * ("too big mbulk count string").
 */
final class RespLineBudget extends ChannelInboundHandlerAdapter {

    private final long limit;
    private long bytesWithoutProgress;
    private boolean failed;
    private boolean inArray;

    RespLineBudget(int maxInlineLength) {
        this.limit = maxInlineLength + 1024L;
    }

    void progress(boolean inArray) {
        bytesWithoutProgress = 0;
        this.inArray = inArray;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            bytesWithoutProgress += buf.readableBytes();
        }
        ctx.fireChannelRead(msg);
        if (bytesWithoutProgress > limit && !failed) {
            failed = true;
            ctx.fireExceptionCaught(new RespProtocolError(inArray ? "too big bulk count string" : "too big mbulk count string"));
        }
    }
}
