package io.percore.demo.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Writes an aggregate of bulk strings into the outbound buffer through a small heap array of the
 * writing thread: the headers, CRLFs and short elements are stored into the array as plain byte
 * stores, and each few KB reach the buffer as one copy. Written straight to the buffer, each element
 * took five bounds-checked buffer writes (the LRANGE profile of benchmarks/profiles: most of the
 * reply's time). An element longer than a quarter of the array goes to the buffer as it is.
 * One per thread; not reentrant (an aggregate of bulk strings holds no other aggregate).
 */
final class BulkBatch {

    private static final int CAPACITY = 8192;
    private static final int LONG_ELEMENT = CAPACITY / 4;
    /** Room for a type byte, a long's digits and CRLF. */
    private static final int LINE_ROOM = 24;
    private static final FastThreadLocal<BulkBatch> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected BulkBatch initialValue() {
            return new BulkBatch();
        }
    };

    private final byte[] buf = new byte[CAPACITY];
    private int size;
    private ByteBuf out;

    private BulkBatch() {
    }

    /** The thread's batch, emptied, writing to {@code out} until {@link #done}. */
    static BulkBatch into(ByteBuf out) {
        BulkBatch batch = OF_THREAD.get();
        batch.out = out;
        batch.size = 0;
        return batch;
    }

    /** An aggregate's first line: {@code type}, {@code length}, CRLF. */
    void header(char type, long length) {
        room(LINE_ROOM);
        line(type, length);
    }

    /** A bulk string of {@code value}'s bytes. */
    void bulk(byte[] value) {
        int length = value.length;
        if (length > LONG_ELEMENT) {
            room(LINE_ROOM);
            line('$', length);
            flush();
            out.writeBytes(value);
            room(2);
            crlf();
            return;
        }
        room(length + LINE_ROOM + 2);
        line('$', length);
        System.arraycopy(value, 0, buf, size, length);
        size += length;
        crlf();
    }

    /** Bytes already in RESP (a null, a pair's header). */
    void raw(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    /** A simple line: {@code type}, {@code content} (short, as a double's text), CRLF. */
    void line(char type, byte[] content) {
        room(content.length + 3);
        buf[size++] = (byte) type;
        System.arraycopy(content, 0, buf, size, content.length);
        size += content.length;
        crlf();
    }

    /** Writes what is left to the buffer and lets it go. */
    void done() {
        flush();
        out = null;
    }

    private void line(char type, long value) {
        buf[size++] = (byte) type;
        size = RespEncoder.writeDecimal(value, buf, size);
        crlf();
    }

    private void crlf() {
        buf[size++] = '\r';
        buf[size++] = '\n';
    }

    private void room(int bytes) {
        if (size + bytes > CAPACITY) {
            flush();
        }
    }

    private void flush() {
        if (size > 0) {
            out.writeBytes(buf, 0, size);
            size = 0;
        }
    }
}
