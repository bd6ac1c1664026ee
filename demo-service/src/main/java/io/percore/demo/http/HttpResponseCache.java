package io.percore.demo.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One shard's pre-encoded responses. The fixed responses ({@code /} and {@code /json}) are
 * encoded once per second (when the {@code Date} header changes) into buffers that every
 * connection of the shard copies from, so serving them costs a memcpy and no object per request.
 * Shard-confined.
 */
final class HttpResponseCache {

    static final byte[] HELLO_BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] JSON_BODY = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private long second = Long.MIN_VALUE;
    private byte[] date;
    private ByteBuf hello;
    private ByteBuf json;

    /** The {@code Date} header value for now. */
    byte[] date() {
        refresh();
        return date;
    }

    /** The complete keep-alive response to {@code GET /}; do not modify or release. */
    ByteBuf hello() {
        refresh();
        return hello;
    }

    /** The complete keep-alive response to {@code GET /json}; do not modify or release. */
    ByteBuf json() {
        refresh();
        return json;
    }

    private void refresh() {
        long now = System.currentTimeMillis() / 1000;
        if (now == second) {
            return;
        }
        second = now;
        date = HTTP_DATE.format(Instant.ofEpochSecond(now)).getBytes(StandardCharsets.US_ASCII);
        release();
        hello = template("text/plain", HELLO_BODY);
        json = template("application/json", JSON_BODY);
    }

    /**
     * A response held in a wrapped heap array: not pooled, so a template dropped without release
     * is simply collected. Queued responses hold a reference of their own (retain); the cache drops its own
     * reference when the second changes.
     */
    private ByteBuf template(String contentType, byte[] body) {
        ByteBuf encoded = encode(ByteBufAllocator.DEFAULT, 200, "OK", contentType, body, date, null, false);
        try {
            return Unpooled.wrappedBuffer(ByteBufUtil.getBytes(encoded));
        } finally {
            encoded.release();
        }
    }

    private void release() {
        if (hello != null) {
            hello.release();
            json.release();
        }
    }

    void close() {
        release();
        hello = null;
        json = null;
    }

    /**
     * Encodes a whole HTTP/1.1 response.
     *
     * @param connection the {@code Connection} header value, or null for none (HTTP/1.1 keep-alive)
     * @param direct     allocate a direct buffer (true for cached templates)
     */
    static ByteBuf encode(ByteBufAllocator alloc, int status, String reason, String contentType, byte[] body, byte[] date,
                          String connection, boolean direct) {
        int bodyLength = body == null ? 0 : body.length;
        ByteBuf buf = direct ? alloc.directBuffer(192 + bodyLength) : alloc.buffer(192 + bodyLength);
        buf.writeCharSequence("HTTP/1.1 " + status + " " + reason + "\r\nServer: percore\r\nDate: ", StandardCharsets.US_ASCII);
        buf.writeBytes(date);
        if (contentType != null) {
            buf.writeCharSequence("\r\nContent-Type: " + contentType, StandardCharsets.US_ASCII);
        }
        buf.writeCharSequence("\r\nContent-Length: " + bodyLength, StandardCharsets.US_ASCII);
        if (connection != null) {
            buf.writeCharSequence("\r\nConnection: " + connection, StandardCharsets.US_ASCII);
        }
        buf.writeCharSequence("\r\n\r\n", StandardCharsets.US_ASCII);
        if (body != null) {
            buf.writeBytes(body);
        }
        return buf;
    }
}
