package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import java.util.Arrays;

/**
 * A bulk-string reply holding the stored value itself: the first {@code length} bytes of its
 * array. Replaces Netty's {@code FullBulkStringRedisMessage} on the reply path because that one
 * needs a reference-counted {@code ByteBuf} around the array: three objects per GET where one does.
 * The array is never changed after the reply took it: plain strings are never changed in place, and
 * a {@link io.percore.demo.kv.GrowableString} copies its array before the next change once a reply
 * took it ({@code share()}). Only {@link RespReplyWriter} encodes it.
 */
public final class BulkReply implements RedisMessage {

    private final byte[] array;
    private final int length;

    BulkReply(byte[] value) {
        this.array = value;
        this.length = value.length;
    }

    /** The first {@code length} bytes of {@code array} (a string with spare capacity). */
    BulkReply(byte[] array, int length) {
        this.array = array;
        this.length = length;
    }

    /** The reply's bytes; do not modify. */
    public byte[] value() {
        return length == array.length ? array : Arrays.copyOf(array, length);
    }

    /** The array the reply's bytes start at (it may be longer than {@link #length()}); do not modify. */
    byte[] array() {
        return array;
    }

    int length() {
        return length;
    }

    @Override
    public String toString() {
        return "BulkReply[" + length + " bytes]";
    }
}
