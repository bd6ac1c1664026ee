package io.percore.demo.resp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.RedisCodecException;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits between {@code RedisDecoder} and the aggregators and enforces what a client may send,
 * before anything is buffered: array and bulk lengths (tighter before AUTH, like Redis 7),
 * commands as flat arrays of bulk strings, and Redis's protocol error texts for what the decoder
 * rejects (RedisDecoder itself bounds inline lines by maxInlineMessageLength and length lines
 * to 20 characters, so no line is buffered without limit). After the first violation everything else from the connection is dropped; the error
 * travels as an exception to {@link RespConnection}, which replies and closes.
 */
final class RespFrameGuard extends ChannelInboundHandlerAdapter {

    private final RespSettings settings;
    private final RespSession session;
    private long remainingElements;
    private boolean inBulk;
    private boolean failed;

    RespFrameGuard(RespSettings settings, RespSession session) {
        this.settings = settings;
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String violation = check(msg);
        if (violation != null) {
            ReferenceCountUtil.release(msg);
            failed = true;
            ctx.fireExceptionCaught(new RespProtocolError(violation));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private String check(Object msg) {
        if (inBulk) {
            if (msg instanceof BulkStringRedisContent) {
                if (msg instanceof LastBulkStringRedisContent) {
                    inBulk = false;
                    remainingElements--;
                }
                return null;
            }
            return "unexpected message in bulk string";
        }
        boolean open = session.authenticated || settings.requirePass() == null;
        if (remainingElements > 0) {
            if (msg instanceof BulkStringHeaderRedisMessage header) {
                if (!open && header.bulkStringLength() > RespSettings.UNAUTHENTICATED_MAX_BULK_LENGTH) {
                    return "unauthenticated bulk length";
                }
                if (header.bulkStringLength() > settings.maxBulkLength()) {
                    return "invalid bulk length";
                }
                inBulk = true;
                return null;
            }
            if (msg instanceof FullBulkStringRedisMessage full) {
                if (full.isNull()) {
                    return "invalid bulk length";
                }
                remainingElements--;
                return null;
            }
            return "expected '$', got '" + typeChar(msg) + "'";
        }
        if (msg instanceof ArrayHeaderRedisMessage header) {
            if (!open && header.length() > RespSettings.UNAUTHENTICATED_MAX_ARRAY_LENGTH) {
                return "unauthenticated multibulk length";
            }
            if (header.length() > settings.maxArrayLength()) {
                return "invalid multibulk length";
            }
            remainingElements = Math.max(0, header.length());
            return null;
        }
        if (msg instanceof InlineCommandRedisMessage || msg instanceof SimpleStringRedisMessage
                || msg instanceof ErrorRedisMessage || msg instanceof IntegerRedisMessage) {
            return null;
        }
        return "expected '*', got '" + typeChar(msg) + "'";
    }

    private static char typeChar(Object msg) {
        if (msg instanceof ArrayHeaderRedisMessage) {
            return '*';
        }
        if (msg instanceof SimpleStringRedisMessage) {
            return '+';
        }
        if (msg instanceof ErrorRedisMessage) {
            return '-';
        }
        if (msg instanceof IntegerRedisMessage) {
            return ':';
        }
        if (msg instanceof InlineCommandRedisMessage inline) {
            return inline.content().isEmpty() ? ' ' : inline.content().charAt(0);
        }
        return '$';
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof RedisCodecException || cause instanceof DecoderException) {
            ctx.fireExceptionCaught(new RespProtocolError(translate(String.valueOf(root.getMessage()))));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Maps RedisDecoder's messages to the texts Redis itself sends for the same input. */
    private String translate(String decoderMessage) {
        if (decoderMessage.startsWith("length: ") && decoderMessage.endsWith("(expected: <= " + settings.maxInlineLength() + ")")
                && remainingElements == 0) {
            return "too big inline request";
        }
        if (decoderMessage.startsWith("length: ") || decoderMessage.startsWith("no number to parse")
                || decoderMessage.startsWith("bad byte in number") || decoderMessage.startsWith("too many characters")) {
            return remainingElements > 0 ? "invalid bulk length" : "invalid multibulk length";
        }
        if (decoderMessage.startsWith("delimiter")) {
            return "expected '\\r\\n' after bulk data";
        }
        return decoderMessage;
    }
}
