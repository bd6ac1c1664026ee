package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * An aggregate of bulk strings given as the strings themselves (LRANGE, LPOP with a count, KEYS,
 * HKEYS, HVALS, HGETALL, SMEMBERS), written straight from the arrays by {@link RespReplyWriter},
 * with no reply object per element. A million-element LRANGE is then the element references until
 * it is encoded, then the encoded bytes; never both as objects and as bytes. The arrays must be ones
 * nobody changes afterwards (stored strings are never changed in place, but a
 * {@code GrowableString}'s: give a copy or a shared array of those). A null item is a nil bulk.
 *
 * @param shape what the aggregate is in RESP3: an array, a set ({@code ~}) or a map ({@code %},
 *              keys and values alternating); all three are arrays in RESP2
 */
public record BulkArrayReply(List<byte[]> items, Shape shape) implements RedisMessage {

    /** The RESP3 aggregate the items make. */
    public enum Shape {
        ARRAY, SET, MAP
    }

    public BulkArrayReply {
        if (shape == Shape.MAP && items.size() % 2 != 0) {
            throw new IllegalArgumentException("a map needs keys and values in pairs, got " + items.size() + " items");
        }
    }

    public BulkArrayReply(List<byte[]> items) {
        this(items, Shape.ARRAY);
    }

    /** What encoding it takes, about: each bulk's header and CRLFs, plus its bytes. */
    public long encodedBytes() {
        long bytes = 16;
        for (byte[] item : items) {
            bytes += item == null ? 16 : item.length + 16;
        }
        return bytes;
    }

    /** Whether an item is a nil (MGET's missing keys). */
    public boolean hasNil() {
        for (byte[] item : items) { // not items.contains(null): List.of's lists throw on a null
            if (item == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same reply as one object per element ({@link Resp3Replies.SetReply} of {@link BulkReply}s,
     * ...), for the few readers that walk a reply rather than write it (a script's {@code redis.call}).
     */
    public RedisMessage asMessages() {
        List<RedisMessage> out = new ArrayList<>(items.size());
        for (byte[] item : items) {
            out.add(RespReplies.bulk(item));
        }
        return switch (shape) {
            case ARRAY -> RespReplies.array(out);
            case SET -> new Resp3Replies.SetReply(out);
            case MAP -> new Resp3Replies.MapReply(out);
        };
    }
}
