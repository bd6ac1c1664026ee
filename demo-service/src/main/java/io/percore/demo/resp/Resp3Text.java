package io.percore.demo.resp;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP3 replies as data: reads a reply (the wire form, or the same with plain {@code \n} line
 * ends) into the demo's reply types, and writes one in the {@code \n} form. The command metadata
 * ({@link CommandMetadata}) is kept this way: the replies of redis-server 7.0.15's COMMAND INFO and
 * COMMAND DOCS as recorded, with their exact types (a simple string stays a simple string).
 */
public final class Resp3Text {

    private Resp3Text() {
    }

    /** Reads one reply. @throws IOException on malformed input or the end of the stream */
    public static RedisMessage read(InputStream in) throws IOException {
        String line = line(in);
        if (line.isEmpty()) {
            throw new IOException("empty RESP3 line");
        }
        String rest = line.substring(1);
        switch (line.charAt(0)) {
            case '+':
                return new SimpleStringRedisMessage(rest);
            case '-':
                return new ErrorRedisMessage(rest);
            case ':':
                return new IntegerRedisMessage(Long.parseLong(rest));
            case '_':
                return FullBulkStringRedisMessage.NULL_INSTANCE;
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return FullBulkStringRedisMessage.NULL_INSTANCE;
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length != length) {
                    throw new EOFException("bulk string cut short");
                }
                if (!line(in).isEmpty()) {
                    throw new IOException("bulk string longer than its length");
                }
                return new BulkReply(bytes);
            }
            case '*': {
                int n = Integer.parseInt(rest);
                return n < 0 ? ArrayRedisMessage.NULL_INSTANCE : new ArrayRedisMessage(items(in, n));
            }
            case '%':
                return new Resp3Replies.MapReply(items(in, 2 * Integer.parseInt(rest)));
            case '~':
                return new Resp3Replies.SetReply(items(in, Integer.parseInt(rest)));
            default:
                throw new IOException("unsupported RESP3 type: " + line);
        }
    }

    private static List<RedisMessage> items(InputStream in, int n) throws IOException {
        List<RedisMessage> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(read(in));
        }
        return items;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("end of RESP3 input");
            }
            out.write(b);
        }
        byte[] bytes = out.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** Writes {@code message} with {@code \n} line ends. */
    public static void write(RedisMessage message, OutputStream out) throws IOException {
        if (message instanceof SimpleStringRedisMessage simple) {
            line(out, "+" + simple.content());
        } else if (message instanceof ErrorRedisMessage error) {
            line(out, "-" + error.content());
        } else if (message instanceof CountedError counted) {
            line(out, "-" + counted.error().content());
        } else if (message instanceof IntegerRedisMessage integer) {
            line(out, ":" + integer.value());
        } else if (message instanceof BulkReply bulk) {
            line(out, "$" + bulk.value().length);
            out.write(bulk.value());
            out.write('\n');
        } else if (message instanceof FullBulkStringRedisMessage bulk) {
            if (bulk.isNull()) {
                line(out, "_");
            } else {
                byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(bulk.content());
                line(out, "$" + bytes.length);
                out.write(bytes);
                out.write('\n');
            }
        } else if (message instanceof ArrayRedisMessage array) {
            if (array.isNull()) {
                line(out, "*-1");
                return;
            }
            line(out, "*" + array.children().size());
            for (RedisMessage child : array.children()) {
                write(child, out);
            }
        } else if (message instanceof Resp3Replies.MapReply map) {
            line(out, "%" + map.keysAndValues().size() / 2);
            for (RedisMessage child : map.keysAndValues()) {
                write(child, out);
            }
        } else if (message instanceof Resp3Replies.SetReply set) {
            line(out, "~" + set.members().size());
            for (RedisMessage child : set.members()) {
                write(child, out);
            }
        } else {
            throw new IllegalArgumentException("not writable as RESP3 text: " + message.getClass().getName());
        }
    }

    private static void line(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /** The text of a bulk or simple string reply. */
    public static String text(RedisMessage message) {
        if (message instanceof BulkReply bulk) {
            return new String(bulk.value(), StandardCharsets.UTF_8);
        }
        if (message instanceof SimpleStringRedisMessage simple) {
            return simple.content();
        }
        if (message instanceof IntegerRedisMessage integer) {
            return Long.toString(integer.value());
        }
        throw new IllegalArgumentException("not a string: " + message);
    }
}
