package io.percore.net.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Redis reply copied out of Netty's pooled buffers: a simple string, an error, an integer, a bulk
 * string (null for nil) or an array of replies.
 */
public final class RedisReply {

    public enum Type { SIMPLE, ERROR, INTEGER, BULK, ARRAY, NIL }

    private final Type type;
    private final Object value;

    private RedisReply(Type type, Object value) {
        this.type = type;
        this.value = value;
    }

    static RedisReply simple(String s) {
        return new RedisReply(Type.SIMPLE, s);
    }

    static RedisReply error(String s) {
        return new RedisReply(Type.ERROR, s);
    }

    static RedisReply integer(long v) {
        return new RedisReply(Type.INTEGER, v);
    }

    static RedisReply bulk(byte[] v) {
        return new RedisReply(Type.BULK, v);
    }

    static RedisReply nil() {
        return new RedisReply(Type.NIL, null);
    }

    static RedisReply array(List<RedisReply> items) {
        return new RedisReply(Type.ARRAY, List.copyOf(items));
    }

    public Type type() {
        return type;
    }

    public boolean isError() {
        return type == Type.ERROR;
    }

    /** Simple string, error text, or a bulk string as UTF-8; null for nil; integers as text. */
    public String asString() {
        switch (type) {
            case SIMPLE:
            case ERROR:
                return (String) value;
            case BULK:
                return new String((byte[]) value, StandardCharsets.UTF_8);
            case INTEGER:
                return value.toString();
            case NIL:
                return null;
            default:
                throw new IllegalStateException("An array reply has no string value: " + this);
        }
    }

    public long asLong() {
        if (type == Type.INTEGER) {
            return (Long) value;
        }
        throw new IllegalStateException("Not an integer reply: " + this);
    }

    @SuppressWarnings("unchecked")
    public List<RedisReply> asList() {
        if (type == Type.ARRAY) {
            return (List<RedisReply>) value;
        }
        throw new IllegalStateException("Not an array reply: " + this);
    }

    @Override
    public String toString() {
        return type == Type.ARRAY ? value.toString() : type + "(" + asString() + ")";
    }
}
