package io.percore.demo.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.shard.ShardState;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One HTTP/1.1 connection on its shard: {@code GET /}, {@code GET /json}, and
 * {@code GET|PUT|DELETE /kv/{key}} on the sharded keyspace. Responses are whole pre-encoded
 * buffers. While no response is outstanding they are appended to one output buffer per read
 * batch (one write and one flush per batch, however deep the client pipelines); a {@code /kv}
 * request for a key on another shard takes a slot in the response order, and responses behind
 * it wait in order.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {

    static final int MAX_REQUEST_LINE = 8192;
    static final int MAX_HEADER_SIZE = 16384;
    private static final String KV_PREFIX = "/kv/";

    private final Keyspace keyspace;
    private final HttpResponseCache cache;
    private final int maxBodySize;

    private ChannelHandlerContext ctx;
    private Shard shard;
    private ShardState local;

    /** Output of the current read batch, written at its end. */
    private ByteBuf batch;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private boolean inRead;
    private boolean closing;
    private boolean readingPaused;

    // the request whose body is being received (PUT)
    private Request current;

    private static final class Slot {
        ByteBuf response;
        boolean done;
        boolean close;
    }

    private static final class Request {
        final boolean keepAlive;
        final byte[] key;
        final CompositeByteBuf body;
        boolean tooLarge;

        Request(boolean keepAlive, byte[] key, CompositeByteBuf body) {
            this.keepAlive = keepAlive;
            this.key = key;
            this.body = body;
        }
    }

    HttpConnection(Keyspace keyspace, HttpResponseCache cache, int maxBodySize) {
        this.keyspace = keyspace;
        this.cache = cache;
        this.maxBodySize = maxBodySize;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.shard = Shard.current();
        this.local = keyspace.local();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        try {
            if (closing) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                onRequest(request);
            }
            if (msg instanceof HttpContent content && current != null) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        flushBatch();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        for (Slot slot : slots) {
            ReferenceCountUtil.release(slot.response);
        }
        slots.clear();
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (current != null) {
            current.body.release();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        applyBackpressure();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
        }
    }

    // ------------------------------------------------------------------ requests

    private void onRequest(HttpRequest request) {
        local.httpRequests++;
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongFrameException && String.valueOf(cause.getMessage()).contains("header")) {
                respondAndClose(431, "Request Header Fields Too Large", "request headers are larger than " + MAX_HEADER_SIZE + " bytes\n");
            } else if (cause instanceof TooLongFrameException) {
                respondAndClose(414, "URI Too Long", "request line is longer than " + MAX_REQUEST_LINE + " bytes\n");
            } else {
                respondAndClose(400, "Bad Request", "malformed request: " + cause.getMessage() + "\n");
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        String uri = request.uri();
        HttpMethod method = request.method();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);

        if (path.equals("/") || path.equals("/json")) {
            if (method != HttpMethod.GET) {
                respond(405, "Method Not Allowed", "text/plain", "use GET\n", keepAlive, http10, "Allow: GET");
            } else if (keepAlive && !http10) {
                ByteBuf template = path.equals("/") ? cache.hello() : cache.json();
                if (slots.isEmpty()) {
                    batch().writeBytes(template, template.readerIndex(), template.readableBytes());
                } else {
                    enqueueDone(template.retainedDuplicate(), false);
                }
            } else {
                boolean hello = path.equals("/");
                respond(200, "OK", hello ? "text/plain" : "application/json",
                        hello ? HttpResponseCache.HELLO_BODY : HttpResponseCache.JSON_BODY, keepAlive, http10, null);
            }
            return;
        }
        if (path.startsWith(KV_PREFIX)) {
            byte[] key;
            try {
                key = percentDecode(path.substring(KV_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                respond(400, "Bad Request", "text/plain", "bad key in path: " + e.getMessage() + "\n", keepAlive, http10, null);
                return;
            }
            if (key.length == 0) {
                respond(400, "Bad Request", "text/plain", "missing key: use /kv/{key}\n", keepAlive, http10, null);
                return;
            }
            if (method == HttpMethod.GET) {
                kvGet(key, keepAlive, http10);
            } else if (method == HttpMethod.DELETE) {
                kvDelete(key, keepAlive, http10);
            } else if (method == HttpMethod.PUT) {
                beginPut(request, key, keepAlive);
            } else {
                respond(405, "Method Not Allowed", "text/plain", "use GET, PUT or DELETE\n", keepAlive, http10, "Allow: GET, PUT, DELETE");
            }
            return;
        }
        respond(404, "Not Found", "text/plain", "no route for " + path + "\n", keepAlive, http10, null);
    }

    private void beginPut(HttpRequest request, byte[] key, boolean keepAlive) {
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodySize) {
            respondAndClose(413, "Content Too Large", "body of " + declared + " bytes is larger than the limit of " + maxBodySize + " bytes\n");
            return;
        }
        if (HttpUtil.is100ContinueExpected(request) && slots.isEmpty()) {
            batch().writeCharSequence("HTTP/1.1 100 Continue\r\n\r\n", StandardCharsets.US_ASCII);
            flushBatch();
        }
        current = new Request(keepAlive, key, ctx.alloc().compositeBuffer());
    }

    private void onContent(HttpContent content) {
        Request r = current;
        if (!r.tooLarge) {
            if ((long) r.body.readableBytes() + content.content().readableBytes() > maxBodySize) {
                r.tooLarge = true;
            } else if (content.content().isReadable()) {
                r.body.addComponent(true, content.content().retain());
            }
        }
        if (content instanceof LastHttpContent) {
            current = null;
            if (r.tooLarge) {
                r.body.release();
                respondAndClose(413, "Content Too Large", "body is larger than the limit of " + maxBodySize + " bytes\n");
                return;
            }
            byte[] value = ByteBufUtil.getBytes(r.body);
            r.body.release();
            kvPut(r.key, value, r.keepAlive);
        } else if (r.tooLarge) {
            // Stop buffering at once; the rest of the body is discarded as it arrives.
            r.body.release();
            current = null;
            respondAndClose(413, "Content Too Large", "body is larger than the limit of " + maxBodySize + " bytes\n");
        }
    }

    // ------------------------------------------------------------------ /kv on the owning shard

    private void kvGet(byte[] key, boolean keepAlive, boolean http10) {
        onOwner(key, keepAlive, st -> {
            byte[] value = st.store().readString(key, System.currentTimeMillis());
            return value == null ? new Result(404, "Not Found", "text/plain", "no such key\n".getBytes(StandardCharsets.US_ASCII))
                    : new Result(200, "OK", "application/octet-stream", value);
        }, http10);
    }

    private void kvPut(byte[] key, byte[] value, boolean keepAlive) {
        onOwner(key, keepAlive, st -> {
            st.store().setString(key, value, ValueStore.NO_EXPIRY);
            return new Result(204, "No Content", null, null);
        }, false);
    }

    private void kvDelete(byte[] key, boolean keepAlive, boolean http10) {
        onOwner(key, keepAlive, st -> st.store().delete(key, System.currentTimeMillis())
                ? new Result(204, "No Content", null, null)
                : new Result(404, "Not Found", "text/plain", "no such key\n".getBytes(StandardCharsets.US_ASCII)), http10);
    }

    private record Result(int status, String reason, String contentType, byte[] body) {
    }

    private void onOwner(byte[] key, boolean keepAlive, java.util.function.Function<ShardState, Result> op, boolean http10) {
        int owner = keyspace.shardOf(key);
        if (owner == shard.id() && slots.isEmpty()) {
            Result r = op.apply(local);
            respond(r.status, r.reason, r.contentType, r.body, keepAlive, http10, null);
            return;
        }
        Slot slot = new Slot();
        slot.close = !keepAlive;
        slots.add(slot);
        ShardFuture<Result> result = keyspace.invokeOn(owner, op);
        result.whenComplete((r, failure) -> {
            Result res = failure == null ? r
                    : new Result(500, "Internal Server Error", "text/plain", (failure + "\n").getBytes(StandardCharsets.UTF_8));
            complete(slot, encode(res.status, res.reason, res.contentType, res.body, keepAlive, http10, null));
        });
        applyBackpressure();
    }

    // ------------------------------------------------------------------ responses in order

    private void respond(int status, String reason, String contentType, String body, boolean keepAlive, boolean http10, String extraHeader) {
        respond(status, reason, contentType, body.getBytes(StandardCharsets.UTF_8), keepAlive, http10, extraHeader);
    }

    private void respond(int status, String reason, String contentType, byte[] body, boolean keepAlive, boolean http10, String extraHeader) {
        ByteBuf response = encode(status, reason, contentType, body, keepAlive, http10, extraHeader);
        if (slots.isEmpty() && keepAlive) {
            batch().writeBytes(response);
            response.release();
        } else {
            enqueueDone(response, !keepAlive);
        }
    }

    private ByteBuf encode(int status, String reason, String contentType, byte[] body, boolean keepAlive, boolean http10, String extraHeader) {
        String connection = !keepAlive ? "close" : http10 ? "keep-alive" : null;
        ByteBuf buf = HttpResponseCache.encode(ctx.alloc(), status, reason, contentType, body, cache.date(), connection, false);
        if (extraHeader != null) {
            // insert before the blank line that ends the headers
            int end = ByteBufUtil.indexOf(buf, buf.readerIndex(), buf.writerIndex(), (byte) '\r');
            ByteBuf withHeader = ctx.alloc().buffer(buf.readableBytes() + extraHeader.length() + 2);
            withHeader.writeBytes(buf, buf.readerIndex(), end - buf.readerIndex());
            withHeader.writeCharSequence("\r\n" + extraHeader, StandardCharsets.US_ASCII);
            withHeader.writeBytes(buf, end, buf.writerIndex() - end);
            buf.release();
            return withHeader;
        }
        return buf;
    }

    private void respondAndClose(int status, String reason, String body) {
        closing = true;
        enqueueDone(encode(status, reason, "text/plain", body.getBytes(StandardCharsets.UTF_8), false, false, null), true);
        ctx.channel().config().setAutoRead(false);
    }

    private void enqueueDone(ByteBuf response, boolean close) {
        Slot slot = new Slot();
        slot.close = close;
        slots.add(slot);
        if (close) {
            closing = true;
        }
        complete(slot, response);
    }

    private void complete(Slot slot, ByteBuf response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        slot.response = response;
        slot.done = true;
        Slot head;
        while ((head = slots.peek()) != null && head.done) {
            slots.poll();
            batch().writeBytes(head.response);
            head.response.release();
            if (head.close) {
                ByteBuf out = batch;
                batch = null;
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        if (!inRead) {
            flushBatch();
        }
        applyBackpressure();
    }

    private ByteBuf batch() {
        if (batch == null) {
            batch = ctx.alloc().ioBuffer(1024);
        }
        return batch;
    }

    private void flushBatch() {
        if (batch != null) {
            ByteBuf out = batch;
            batch = null;
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
    }

    private void applyBackpressure() {
        boolean overloaded = slots.size() >= 1024 || !ctx.channel().isWritable();
        if (overloaded != readingPaused && !closing) {
            readingPaused = overloaded;
            ctx.channel().config().setAutoRead(!overloaded);
        }
    }

    /** Decodes %XX escapes of a path segment into the key's bytes. */
    static byte[] percentDecode(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated %-escape at offset " + i);
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad %-escape '" + s.substring(i, i + 3) + "' at offset " + i);
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toByteArray();
    }
}
