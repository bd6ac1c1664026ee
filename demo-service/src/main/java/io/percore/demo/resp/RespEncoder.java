package io.percore.demo.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds an {@link EncodedReply}: an array whose elements (arrays, bulk strings, integers) are
 * appended as RESP bytes, its length written in front when it is done (room for the header is kept
 * at the start, so nothing is copied to put it there).
 */
public final class RespEncoder {

    /**
     * The most a reply made here may hold (the default of maxmemory-clients, an eighth of the heap):
     * what a client may hold in all, so no one reply can take the heap, however large the stream.
     * Callers stop adding at it ({@link #full}); volatile for tests that lower it.
     */
    private static volatile long maxBytes = Runtime.getRuntime().maxMemory() / 8;

    private static final int HEADER_ROOM = 24;

    private byte[] buf;
    private int size = HEADER_ROOM;

    public RespEncoder(int capacity) {
        buf = new byte[Math.max(64, capacity + HEADER_ROOM)];
    }

    /** The most a reply made here may hold ({@link #full}). */
    public static long maxBytes() {
        return maxBytes;
    }

    /** Tests only: a smaller bound, so a test need not fill an eighth of its heap. */
    public static void maxBytes(long bytes) {
        maxBytes = bytes;
    }

    /** Whether the reply holds as much as one reply may: a caller that can stop here (a read with a COUNT) does. */
    public boolean full() {
        return size - HEADER_ROOM >= maxBytes;
    }

    /** Bytes appended so far (what the reply will hold, about). */
    public int size() {
        return size - HEADER_ROOM;
    }

    public RespEncoder arrayHeader(long length) {
        return line('*', length);
    }

    public RespEncoder integer(long value) {
        return line(':', value);
    }

    public RespEncoder bulk(byte[] value) {
        return bulk(value, 0, value.length);
    }

    public RespEncoder bulk(byte[] array, int from, int length) {
        line('$', length);
        ensure(length + 2);
        System.arraycopy(array, from, buf, size, length);
        size += length;
        buf[size++] = '\r';
        buf[size++] = '\n';
        return this;
    }

    /** A bulk string of {@code value}'s decimal digits. */
    public RespEncoder bulkDecimal(long value) {
        byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
        return bulk(digits);
    }

    private RespEncoder line(char type, long value) {
        ensure(24);
        buf[size++] = (byte) type;
        size = writeDecimal(value, buf, size);
        buf[size++] = '\r';
        buf[size++] = '\n';
        return this;
    }

    /** The reply: an array of {@code elements} elements, those appended. */
    public EncodedReply array(long elements) {
        byte[] header = ("*" + elements + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int start = HEADER_ROOM - header.length;
        System.arraycopy(header, 0, buf, start, header.length);
        return new EncodedReply(buf, start, size - start);
    }

    /** The elements appended as they are, without an array around them (one element made on its own, to go into a larger reply). */
    public EncodedReply elements() {
        return new EncodedReply(buf, HEADER_ROOM, size - HEADER_ROOM);
    }

    private void ensure(int more) {
        if ((long) size + more > buf.length) {
            long needed = (long) size + more;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new RespError("ERR reply larger than 2 GB: ask for fewer entries (COUNT)");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max(needed, (long) buf.length * 2), Integer.MAX_VALUE - 8));
        }
    }

    static int writeDecimal(long value, byte[] out, int at) {
        if (value == Long.MIN_VALUE) {
            byte[] min = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(min, 0, out, at, min.length);
            return at + min.length;
        }
        if (value < 0) {
            out[at++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && value >= p; p *= 10) {
            digits++;
        }
        int end = at + digits;
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }
}
