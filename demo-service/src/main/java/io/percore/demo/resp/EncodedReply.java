package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;

/**
 * A reply already in RESP, made where its data is (a stream's entries on the key's shard) and
 * written as it is: only arrays, bulk strings and integers, whose bytes are the same in RESP2 and
 * RESP3. A large range then costs its wire size, as in Redis's output buffer, rather than an
 * object per element. Made by {@link RespEncoder}; only {@link RespReplyWriter} reads it.
 */
public final class EncodedReply implements RedisMessage {

    private final byte[] bytes;
    private final int offset;
    private final int length;

    EncodedReply(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    byte[] bytes() {
        return bytes;
    }

    int offset() {
        return offset;
    }

    /** Bytes on the wire. */
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return "EncodedReply[" + length + " bytes]";
    }
}
