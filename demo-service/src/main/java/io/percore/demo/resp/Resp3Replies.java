package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import java.util.List;

/**
 * The RESP3 reply types Redis 7 uses, for a connection that switched with {@code HELLO 3}; on a
 * RESP2 connection {@link RespReplyWriter} writes each as Redis does there (a map as a flat array of
 * keys and values, a set as an array, a verbatim string as a bulk string). Netty's codec-redis
 * has RESP2 types only.
 */
public final class Resp3Replies {

    private Resp3Replies() {
    }

    /** {@code %}: keys and values alternating, as Redis's {@code addReplyMapLen}. */
    public record MapReply(List<RedisMessage> keysAndValues) implements RedisMessage {
        public MapReply {
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs keys and values in pairs, got " + keysAndValues.size() + " items");
            }
        }
    }

    /** {@code ~}: an unordered collection, as Redis's {@code addReplySetLen}. */
    public record SetReply(List<RedisMessage> members) implements RedisMessage {
    }

    /**
     * A reply of pairs (HRANDFIELD ... WITHVALUES), firsts and seconds alternating: an array of
     * two-element arrays in RESP3, one flat array in RESP2, as Redis 7 replies.
     */
    public record PairsReply(List<RedisMessage> firstsAndSeconds) implements RedisMessage {
        public PairsReply {
            if (firstsAndSeconds.size() % 2 != 0) {
                throw new IllegalArgumentException("pairs need an even number of items, got " + firstsAndSeconds.size());
            }
        }
    }

    /**
     * Keys each with a value (XREAD's streams and their entries), as Redis 7 replies it: a map
     * ({@code %}) in RESP3, an array of {@code [key, value]} arrays in RESP2.
     */
    public record KeyedReply(List<RedisMessage> keysAndValues) implements RedisMessage {
        public KeyedReply {
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("keys need values, got " + keysAndValues.size() + " items");
            }
        }
    }

    /**
     * {@code >}: an out-of-band message (pub/sub's message, pmessage, smessage and the
     * (un)subscribe confirmations), as Redis's {@code addReplyPushLen}; an array in RESP2.
     */
    public record PushReply(List<RedisMessage> items) implements RedisMessage {
    }

    /**
     * {@code ,}: a double (ZSCORE, WITHSCORES, ZINCRBY), as Redis's {@code addReplyDouble}: its
     * {@code %.17g} text ({@code inf}, {@code -inf}) after a comma in RESP3, as a bulk string in RESP2.
     */
    public record DoubleReply(byte[] text) implements RedisMessage {
        public static DoubleReply of(double value) {
            return new DoubleReply(RespDoubles.format(value));
        }
    }

    /** {@code =}: text with a three-letter format ({@code txt}), as Redis's {@code addReplyVerbatim} (INFO, CLIENT INFO). */
    public record VerbatimReply(String format, String text) implements RedisMessage {
        public VerbatimReply {
            if (format.length() != 3) {
                throw new IllegalArgumentException("a verbatim format has three characters: " + format);
            }
        }
    }

    /** {@code #}: a boolean (a script's {@code true}/{@code false} under {@code redis.setresp(3)}); {@code :1}/{@code :0} in RESP2. */
    public record BooleanReply(boolean value) implements RedisMessage {
        public static final BooleanReply TRUE = new BooleanReply(true);
        public static final BooleanReply FALSE = new BooleanReply(false);
    }

    /** {@code (}: a big number, as digits (a script's {@code big_number} table); a bulk string in RESP2. */
    public record BigNumberReply(byte[] digits) implements RedisMessage {
    }

    /**
     * A null in one protocol whatever the connection speaks: {@code _} when {@code resp3}, else {@code $-1}.
     * Redis writes the null of a client tracking's flush notice in that client's protocol into the
     * connection it redirects to, which may speak the other one ({@code tracking.c}'s
     * {@code trackingInvalidateKeysOnFlush}).
     */
    public record NullOf(boolean resp3) implements RedisMessage {
    }
}
