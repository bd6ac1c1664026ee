package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;

/**
 * A bulk-string reply holding the stored value itself. Replaces Netty's
 * {@code FullBulkStringRedisMessage} on the reply path because that one needs a reference-counted
 * {@code ByteBuf} around the array: three objects per GET where one does. Stored values are
 * never mutated in place, so the array can be shared. Only {@link RespReplyWriter} encodes it.
 */
public final class BulkReply implements RedisMessage {

    private final byte[] value;

    BulkReply(byte[] value) {
        this.value = value;
    }

    /** The reply's bytes; do not modify. */
    public byte[] value() {
        return value;
    }

    @Override
    public String toString() {
        return "BulkReply[" + value.length + " bytes]";
    }
}
