package io.percore.demo.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.ZSetValue;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Appends replies to one buffer per read batch instead of handing each reply to Netty's
 * {@code RedisEncoder}, which allocates a buffer (and an outbound-buffer entry) per reply: with
 * pipelining that turned one {@code write} of N replies into a gather write of N buffers. The
 * commonest replies are copied from pre-encoded bytes.
 */
public final class RespReplyWriter {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_BULK = "$0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAIR_HEADER = "*2\r\n".getBytes(StandardCharsets.US_ASCII);
    /** RESP3's one null, for a nil bulk string and a nil array alike. */
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE3 = "#t\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE3 = "#f\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] SMALL_INTEGERS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private RespReplyWriter() {
    }

    /** Appends {@code message} in RESP2 to {@code out}; does not release it. */
    public static void write(RedisMessage message, ByteBuf out) {
        write(message, out, false);
    }

    /**
     * Appends {@code message} in RESP3 when {@code resp3} (the connection said {@code HELLO 3}),
     * else in RESP2, where the RESP3-only types take their RESP2 forms; does not release it.
     */
    public static void write(RedisMessage message, ByteBuf out, boolean resp3) {
        if (message == RespReplies.OK) {
            out.writeBytes(OK);
        } else if (message instanceof BulkReply bulk) {
            writeBulk(bulk.array(), bulk.length(), out);
        } else if (message instanceof FullBulkStringRedisMessage bulk) {
            if (resp3 && bulk.isNull()) {
                out.writeBytes(NULL3);
            } else {
                writeBulk(bulk, out);
            }
        } else if (message instanceof IntegerRedisMessage integer) {
            long value = integer.value();
            if (value >= 0 && value < SMALL_INTEGERS.length) {
                out.writeBytes(SMALL_INTEGERS[(int) value]);
            } else {
                out.writeByte(':');
                writeDecimal(value, out);
                out.writeBytes(CRLF);
            }
        } else if (message == RespReplies.NOTHING) {
            return;
        } else if (message == RespReplies.PONG) {
            out.writeBytes(PONG);
        } else if (message instanceof SimpleStringRedisMessage simple) {
            writeLine('+', simple.content(), out);
        } else if (message instanceof ErrorRedisMessage error) {
            writeLine('-', error.content(), out);
        } else if (message instanceof CountedError counted) {
            writeLine('-', counted.error().content(), out);
        } else if (message instanceof BulkArrayReply bulks) {
            writeBulks(bulks, out, resp3);
        } else if (message instanceof ScoredMembersReply scored) {
            writeScored(scored, out, resp3);
        } else if (message instanceof ArrayRedisMessage array) {
            if (array.isNull()) {
                out.writeBytes(resp3 ? NULL3 : NULL_ARRAY);
                return;
            }
            writeAggregate('*', array.children().size(), array.children(), out, resp3);
        } else if (message instanceof Resp3Replies.MapReply map) {
            List<RedisMessage> items = map.keysAndValues();
            if (resp3) {
                writeAggregate('%', items.size() / 2, items, out, true);
            } else {
                writeAggregate('*', items.size(), items, out, false);
            }
        } else if (message instanceof Resp3Replies.PairsReply pairs) {
            List<RedisMessage> items = pairs.firstsAndSeconds();
            if (!resp3) {
                writeAggregate('*', items.size(), items, out, false);
                return;
            }
            out.writeByte('*');
            writeDecimal(items.size() / 2, out);
            out.writeBytes(CRLF);
            for (int i = 0; i < items.size(); i += 2) {
                out.writeBytes(PAIR_HEADER);
                write(items.get(i), out, true);
                write(items.get(i + 1), out, true);
            }
        } else if (message instanceof EncodedReply encoded) {
            out.writeBytes(encoded.bytes(), encoded.offset(), encoded.length());
        } else if (message instanceof Resp3Replies.KeyedReply keyed) {
            List<RedisMessage> items = keyed.keysAndValues();
            if (resp3) {
                writeAggregate('%', items.size() / 2, items, out, true);
                return;
            }
            out.writeByte('*');
            writeDecimal(items.size() / 2, out);
            out.writeBytes(CRLF);
            for (int i = 0; i < items.size(); i += 2) {
                out.writeBytes(PAIR_HEADER);
                write(items.get(i), out, false);
                write(items.get(i + 1), out, false);
            }
        } else if (message instanceof Resp3Replies.PushReply push) {
            writeAggregate(resp3 ? '>' : '*', push.items().size(), push.items(), out, resp3);
        } else if (message instanceof Resp3Replies.DoubleReply d) {
            if (resp3) {
                writeLine(',', d.text(), out);
            } else {
                writeBulk(d.text(), out);
            }
        } else if (message instanceof Resp3Replies.SetReply set) {
            writeAggregate(resp3 ? '~' : '*', set.members().size(), set.members(), out, resp3);
        } else if (message instanceof Resp3Replies.VerbatimReply verbatim) {
            byte[] text = verbatim.text().getBytes(StandardCharsets.UTF_8);
            if (resp3) {
                out.writeByte('=');
                writeDecimal(text.length + 4, out);
                out.writeBytes(CRLF);
                out.writeCharSequence(verbatim.format(), StandardCharsets.US_ASCII);
                out.writeByte(':');
                out.writeBytes(text);
                out.writeBytes(CRLF);
            } else {
                writeBulk(text, out);
            }
        } else if (message instanceof Resp3Replies.NullOf nullOf) {
            out.writeBytes(nullOf.resp3() ? NULL3 : NULL_BULK);
        } else if (message instanceof Resp3Replies.BooleanReply b) {
            if (resp3) {
                out.writeBytes(b.value() ? TRUE3 : FALSE3);
            } else {
                out.writeBytes(SMALL_INTEGERS[b.value() ? 1 : 0]);
            }
        } else if (message instanceof Resp3Replies.BigNumberReply big) {
            if (resp3) {
                writeLine('(', big.digits(), out);
            } else {
                writeBulk(big.digits(), out);
            }
        } else {
            throw new IllegalArgumentException("Not a reply message: " + message.getClass().getName());
        }
    }

    /** An aggregate of bulk strings straight from their arrays, the buffer grown once for about all of it. */
    private static void writeBulks(BulkArrayReply bulks, ByteBuf out, boolean resp3) {
        List<byte[]> items = bulks.items();
        out.ensureWritable((int) Math.min(bulks.encodedBytes(), 1 << 20));
        BulkBatch batch = BulkBatch.into(out);
        switch (bulks.shape()) {
            case ARRAY -> batch.header('*', items.size());
            case SET -> batch.header(resp3 ? '~' : '*', items.size());
            case MAP -> batch.header(resp3 ? '%' : '*', resp3 ? items.size() / 2 : items.size());
        }
        for (byte[] item : items) {
            if (item != null) {
                batch.bulk(item);
            } else {
                batch.raw(resp3 ? NULL3 : NULL_BULK);
            }
        }
        batch.done();
    }

    /** Members and scores straight from the entries: flat in RESP2, {@code [member, double]} pairs in RESP3. */
    private static void writeScored(ScoredMembersReply scored, ByteBuf out, boolean resp3) {
        List<ZSetValue.Entry> entries = scored.entries();
        out.ensureWritable((int) Math.min(scored.encodedBytes(), 1 << 20));
        BulkBatch batch = BulkBatch.into(out);
        batch.header('*', resp3 ? entries.size() : entries.size() * 2L);
        for (ZSetValue.Entry e : entries) {
            byte[] score = RespDoubles.format(e.score());
            if (resp3) {
                batch.raw(PAIR_HEADER);
                batch.bulk(e.member());
                batch.line(',', score);
            } else {
                batch.bulk(e.member());
                batch.bulk(score);
            }
        }
        batch.done();
    }

    private static void writeAggregate(char type, int length, List<RedisMessage> items, ByteBuf out, boolean resp3) {
        out.writeByte(type);
        writeDecimal(length, out);
        out.writeBytes(CRLF);
        for (RedisMessage item : items) {
            write(item, out, resp3);
        }
    }

    private static void writeBulk(byte[] value, ByteBuf out) {
        writeBulk(value, value.length, out);
    }

    private static void writeBulk(byte[] array, int length, ByteBuf out) {
        if (length == 0) {
            out.writeBytes(EMPTY_BULK);
            return;
        }
        out.ensureWritable(length + 16);
        out.writeByte('$');
        writeDecimal(length, out);
        out.writeBytes(CRLF);
        out.writeBytes(array, 0, length);
        out.writeBytes(CRLF);
    }

    private static void writeBulk(FullBulkStringRedisMessage bulk, ByteBuf out) {
        if (bulk.isNull()) {
            out.writeBytes(NULL_BULK);
            return;
        }
        ByteBuf content = bulk.content();
        int length = content.readableBytes();
        if (length == 0) {
            out.writeBytes(EMPTY_BULK);
            return;
        }
        out.ensureWritable(length + 16);
        out.writeByte('$');
        writeDecimal(length, out);
        out.writeBytes(CRLF);
        out.writeBytes(content, content.readerIndex(), length);
        out.writeBytes(CRLF);
    }

    /**
     * Status and error lines are written one byte per char when they fit in Latin-1: error texts
     * quote client bytes decoded as ISO-8859-1, and Redis echoes those bytes unchanged.
     */
    private static void writeLine(char type, String content, ByteBuf out) {
        out.writeByte(type);
        boolean latin1 = true;
        for (int i = 0; i < content.length() && latin1; i++) {
            latin1 = content.charAt(i) <= 0xFF;
        }
        if (latin1) {
            out.writeCharSequence(content, StandardCharsets.ISO_8859_1);
        } else {
            ByteBufUtil.writeUtf8(out, content);
        }
        out.writeBytes(CRLF);
    }

    private static void writeLine(char type, byte[] content, ByteBuf out) {
        out.writeByte(type);
        out.writeBytes(content);
        out.writeBytes(CRLF);
    }

    /** ASCII digits of {@code value} without going through a String. */
    static void writeDecimal(long value, ByteBuf out) {
        if (value == Long.MIN_VALUE) {
            out.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
            return;
        }
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && value >= p; p *= 10) {
            digits++;
        }
        int at = out.writerIndex() + digits;
        out.ensureWritable(digits);
        int end = at;
        do {
            out.setByte(--at, (int) ('0' + value % 10));
            value /= 10;
        } while (value != 0);
        out.writerIndex(end);
    }
}
