package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import java.util.List;

/**
 * An array of bulk strings given as the strings themselves (LRANGE, KEYS, a list's elements): the
 * same in RESP2 and RESP3, written straight from the arrays by {@link RespReplyWriter}, with no
 * reply object per element. A million-element LRANGE is then the element references until it is
 * encoded, then the encoded bytes; never both as objects and as bytes. The arrays must be ones
 * nobody changes afterwards (stored strings are never changed in place, but a
 * {@code GrowableString}'s: give a copy or a shared array of those).
 */
public record BulkArrayReply(List<byte[]> items) implements RedisMessage {

    /** What encoding it takes, about: each bulk's header and CRLFs, plus its bytes. */
    public long encodedBytes() {
        long bytes = 16;
        for (byte[] item : items) {
            bytes += item.length + 16;
        }
        return bytes;
    }
}
