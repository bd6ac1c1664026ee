package io.percore.demo.resp;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.kv.GrowableString;
import io.percore.demo.kv.WrongTypeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reply constructors and the exact Redis 7 error texts clients match on. Simple-string and
 * integer replies are immutable and shared; bulk replies ({@link BulkReply}) hold the stored
 * bytes without copying (see {@link #bulkOfStored}).
 */
public final class RespReplies {

    private static final Logger LOG = LoggerFactory.getLogger(RespReplies.class);
    private static final ErrorRedisMessage WRONGTYPE_REPLY = new ErrorRedisMessage(WrongTypeException.MESSAGE);
    /** Redis's reply to a write over maxmemory that nothing could be evicted for. */
    public static final ErrorRedisMessage OOM_REPLY = new ErrorRedisMessage(io.percore.demo.kv.OutOfBudgetException.MESSAGE);

    public static final SimpleStringRedisMessage OK = new SimpleStringRedisMessage("OK");
    /** A reply position that writes no bytes (a reply CLIENT REPLY OFF silenced, the close after CLIENT KILL). */
    public static final RedisMessage NOTHING = new RedisMessage() {
        @Override
        public String toString() {
            return "NOTHING";
        }
    };
    public static final SimpleStringRedisMessage PONG = new SimpleStringRedisMessage("PONG");
    public static final RedisMessage NIL = FullBulkStringRedisMessage.NULL_INSTANCE;
    public static final IntegerRedisMessage ZERO = new IntegerRedisMessage(0);
    public static final IntegerRedisMessage ONE = new IntegerRedisMessage(1);

    public static final String SYNTAX_ERROR = "ERR syntax error";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String WRONGTYPE = WrongTypeException.MESSAGE;
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String NO_SUCH_KEY = "ERR no such key";

    private static final IntegerRedisMessage[] SMALL_INTEGERS = new IntegerRedisMessage[256];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = new IntegerRedisMessage(i - 2);
        }
    }

    private RespReplies() {
    }

    public static IntegerRedisMessage integer(long value) {
        return value >= -2 && value < SMALL_INTEGERS.length - 2 ? SMALL_INTEGERS[(int) value + 2] : new IntegerRedisMessage(value);
    }

    public static RedisMessage bulk(byte[] bytes) {
        if (bytes == null) {
            return NIL;
        }
        return new BulkReply(bytes);
    }

    /**
     * The reply for a stored string as {@code lookupRead} returns it: a plain string wrapped as it
     * is, a {@link GrowableString}'s array shared (its next change copies), without copying; nil for
     * null.
     */
    public static RedisMessage bulkOfStored(Object stored) {
        if (stored instanceof byte[] bytes) {
            return new BulkReply(bytes);
        }
        if (stored == null) {
            return NIL;
        }
        GrowableString string = (GrowableString) stored;
        int length = string.length();
        return new BulkReply(string.share(), length);
    }

    /**
     * A stored string's bytes as {@code lookupRead} returns it, for a reply that keeps them (an item of
     * a {@link BulkArrayReply}): a plain string's array as it is, a {@link GrowableString}'s copied
     * (its array may be longer than the string); null for null.
     */
    public static byte[] bytesOfStored(Object stored) {
        if (stored instanceof byte[] bytes) {
            return bytes;
        }
        return stored == null ? null : ((GrowableString) stored).toByteArray();
    }

    public static RedisMessage bulk(String text) {
        return bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    public static ErrorRedisMessage error(String text) {
        return new ErrorRedisMessage(text);
    }

    public static ArrayRedisMessage array(List<RedisMessage> children) {
        return children.isEmpty() ? ArrayRedisMessage.EMPTY_INSTANCE : new ArrayRedisMessage(children);
    }

    public static RedisMessage bulkArray(List<byte[]> items) {
        return new BulkArrayReply(items);
    }

    /** SMEMBERS's reply: a set ({@code ~}) in RESP3, an array in RESP2; the members written as they are. */
    public static RedisMessage bulkSet(List<byte[]> members) {
        return new BulkArrayReply(members, BulkArrayReply.Shape.SET);
    }

    /** HGETALL's reply: a map ({@code %}) in RESP3, keys and values alternating in RESP2; written as they are. */
    public static RedisMessage bulkMap(List<byte[]> keysAndValues) {
        return new BulkArrayReply(keysAndValues, BulkArrayReply.Shape.MAP);
    }

    /** Replies smaller than this are not counted while they travel between shards (the counting would cost more than they hold). */
    static final long HELD_BYTES_THRESHOLD = 4096;

    /**
     * About what {@code reply} holds until it is written, when that is worth counting: an array of
     * many elements (LRANGE, HGETALL, KEYS of a large key), a long string; 0 for the small replies of
     * almost every command, so the common case costs a type check.
     */
    public static long heldBytes(RedisMessage reply) {
        long bytes;
        if (reply instanceof BulkArrayReply bulks) {
            bytes = bulks.items().size() < 64 ? 0 : bulks.encodedBytes();
        } else if (reply instanceof ScoredMembersReply scored) {
            bytes = scored.entries().size() < 64 ? 0 : scored.encodedBytes();
        } else if (reply instanceof BulkReply bulk) {
            bytes = bulk.length();
        } else if (reply instanceof ArrayRedisMessage array && !array.isNull() && array.children().size() >= 64) {
            bytes = allBytes(array);
        } else if (reply instanceof Resp3Replies.KeyedReply keyed) {
            bytes = allBytes(keyed);
        } else if (reply instanceof EncodedReply encoded) {
            bytes = encoded.length();
        } else {
            bytes = 0;
        }
        return bytes >= HELD_BYTES_THRESHOLD ? bytes : 0;
    }

    private static long allBytes(List<RedisMessage> children) {
        long bytes = 0;
        for (RedisMessage child : children) {
            bytes += allBytes(child);
        }
        return bytes;
    }

    private static long allBytes(RedisMessage reply) {
        if (reply instanceof BulkReply bulk) {
            return 24 + bulk.length();
        }
        if (reply instanceof BulkArrayReply bulks) {
            return bulks.encodedBytes();
        }
        if (reply instanceof ScoredMembersReply scored) {
            return scored.encodedBytes();
        }
        if (reply instanceof ArrayRedisMessage array && !array.isNull()) {
            return 16 + allBytes(array.children());
        }
        if (reply instanceof Resp3Replies.KeyedReply keyed) {
            return 16 + allBytes(keyed.keysAndValues());
        }
        if (reply instanceof EncodedReply encoded) {
            return encoded.length();
        }
        return 24;
    }

    /**
     * Redis's {@code addReplyHelp}: {@code <CONTAINER> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:},
     * the lines, then HELP, each a status line.
     */
    public static ArrayRedisMessage help(byte[] container, String... lines) {
        List<RedisMessage> out = new ArrayList<>(lines.length + 3);
        out.add(new SimpleStringRedisMessage(ascii(container).toUpperCase(java.util.Locale.ROOT)
                + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
        for (String line : lines) {
            out.add(new SimpleStringRedisMessage(line));
        }
        out.add(new SimpleStringRedisMessage("HELP"));
        out.add(new SimpleStringRedisMessage("    Prints this help."));
        return new ArrayRedisMessage(out);
    }

    public static RespError wrongArgs(String fullName) {
        return new RespError("ERR wrong number of arguments for '" + fullName + "' command");
    }

    public static RespError invalidExpire(String command) {
        return new RespError("ERR invalid expire time in '" + command + "' command");
    }

    public static RespError unknownSubcommand(byte[] sub, String container) {
        return new RespError("ERR unknown subcommand '" + truncate(sanitize(ascii(sub)), 128) + "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    /**
     * Redis's {@code unknown command} text: the name and the leading arguments (up to ~128
     * characters), each quoted and followed by a space.
     */
    public static RespError unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            args.append('\'').append(truncate(ascii(argv[i]), 128 - args.length())).append("' ");
        }
        return new RespError(sanitize("ERR unknown command '" + truncate(ascii(argv[0]), 128)
                + "', with args beginning with: " + args));
    }

    public static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max));
    }

    /** Error replies are single lines: Redis replaces CR and LF by spaces. */
    public static String sanitize(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace('\r', ' ').replace('\n', ' ');
    }

    /**
     * The error reply for a command that failed: its {@link RespError}, WRONGTYPE from the value
     * store, or (logged) an internal error. Looks through the wrappers of a failed future.
     */
    public static ErrorRedisMessage forFailure(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof RespError e) {
            return e.reply();
        }
        if (root instanceof WrongTypeException) {
            return WRONGTYPE_REPLY;
        }
        if (root instanceof io.percore.demo.kv.OutOfBudgetException) {
            return OOM_REPLY;
        }
        LOG.warn("Command failed", failure);
        return new ErrorRedisMessage(sanitize("ERR internal error: " + root));
    }
}
