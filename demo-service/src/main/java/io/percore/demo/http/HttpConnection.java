package io.percore.demo.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
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
import io.percore.demo.server.ClientAddresses;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection on its shard: {@code GET /}, {@code GET /json}, and
 * {@code GET|PUT|DELETE /kv/{key}} on the sharded keyspace. Responses are whole pre-encoded
 * buffers written in request order by net-pooling's {@link OrderedResponder} (the handler before
 * this one): one write and one
 * flush per read batch, however deep the client pipelines; a {@code /kv} request for a key on
 * another shard takes a slot in the response order, and responses behind it wait in order.
 * Reading pauses past {@code percore.servers.http.max-pending-replies} outstanding responses.
 *
 * <p>What a peer controls is bounded: the request line, the headers and the body (declared or
 * chunked) have size limits; malformed framing (a bad chunk, a missing or repeated {@code Host} in
 * HTTP/1.1) gets 400 and the connection is closed with nothing stored; a client that sends its
 * headers or body too slowly gets 408 ({@link RequestReadClock}); with a password set, {@code /kv}
 * needs it ({@code Authorization: Bearer} or Basic), else 401.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {

    static final int MAX_REQUEST_LINE = 8192;
    static final int MAX_HEADER_SIZE = 16384;
    private static final String KV_PREFIX = "/kv/";

    private final Keyspace keyspace;
    private final HttpResponseCache cache;
    /** Shared and never released: the responder writes it without moving its indices. */
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\n", StandardCharsets.US_ASCII)).asReadOnly();

    private final int maxBodySize;
    /** The password {@code /kv} requests must present, or null when none is set: the shard's CONFIG value (requirepass), read per request. */
    private byte[] password;
    /** The CONFIG values {@link #password} was read from: CONFIG SET requirepass replaces them. */
    private io.percore.demo.server.ConfigValues passwordFrom;
    private final RequestReadClock readClock;
    private final long readCheckNanos;
    private final HttpSettings settings;
    private ScheduledFuture<?> readCheck;
    private final OrderedResponder<ByteBuf> responder;

    /** The shard running this connection. */
    private final Shard shard;
    /** The server's state on that shard: the password (CONFIG SET requirepass) and the request counter. */
    private final ServerShard server;
    private ChannelHandlerContext ctx;
    /** Where requests are counted (percore.server.requests); the responder records their latency. */
    private ShardRequestMetrics requestMetrics;
    /** Index in {@link #METHODS} of the request being answered. */
    private int method = OTHER_METHOD;

    // the request whose body is being received (PUT)
    private Request current;

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

    /** Made on {@code shard}'s thread; {@code responder} must stand right before this handler in the pipeline. */
    HttpConnection(Keyspace keyspace, ServerShard server, Shard shard, HttpResponseCache cache, HttpSettings settings,
                   RequestReadClock readClock, OrderedResponder<ByteBuf> responder) {
        this.keyspace = keyspace;
        this.shard = shard;
        this.server = server;
        this.cache = cache;
        this.settings = settings;
        this.maxBodySize = settings.maxBodySize();
        this.passwordFrom = server.config();
        this.password = passwordFrom.httpPasswordBytes();
        this.readClock = readClock;
        this.readCheckNanos = RequestReadClock.tickNanos(settings);
        this.responder = responder;
    }

    /** The responder for an HTTP connection: responses are whole pre-encoded buffers. */
    static OrderedResponder<ByteBuf> responder(int maxPendingReplies) {
        return new OrderedResponder<>(maxPendingReplies, HttpConnection::writeResponse);
    }

    /** Copies a response into the batch without moving its indices, so a cached template can be shared. */
    private static void writeResponse(ByteBuf response, ByteBuf out) {
        out.writeBytes(response, response.readerIndex(), response.readableBytes());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.requestMetrics = ServerChannelContext.of(ctx.channel()).requestMetrics();
        readCheck = ctx.executor().scheduleAtFixedRate(this::checkReadTimeouts, readCheckNanos, readCheckNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopReadCheck();
    }

    private void stopReadCheck() {
        if (readCheck != null) {
            readCheck.cancel(false);
            readCheck = null;
        }
    }

    private void checkReadTimeouts() {
        RequestReadClock.Phase expired = readClock.tick(ctx.channel().config().isAutoRead());
        if (expired == null || responder.closing()) {
            return;
        }
        stopReadCheck();
        discardCurrent();
        if (expired == RequestReadClock.Phase.HEADERS) {
            method = OTHER_METHOD;
        }
        respondAndClose(408, "Request Timeout", expired == RequestReadClock.Phase.HEADERS
                ? "request headers not received within " + settings.requestHeaderTimeout() + "\n"
                : "request body not received within " + settings.bodyReadTimeout() + "\n");
    }

    private void discardCurrent() {
        if (current != null) {
            current.body.release();
            current = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (responder.closing()) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                readClock.headersRead();
                onRequest(request);
            }
            if (msg instanceof HttpContent content) {
                if (content instanceof LastHttpContent) {
                    readClock.requestRead();
                }
                if (content.decoderResult().isFailure()) {
                    // Broken framing (a bad chunk size or chunk terminator): nothing of this
                    // request is stored, and nothing after it can be framed.
                    discardCurrent();
                    respondAndClose(400, "Bad Request", "malformed body: " + content.decoderResult().cause().getMessage() + "\n");
                } else if (current != null) {
                    onContent(content);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopReadCheck();
        discardCurrent();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
        }
    }

    // ------------------------------------------------------------------ requests

    /** Methods and statuses of percore.server.requests: every status this server sends, so no "other" is needed for statuses. */
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other");
    private static final List<String> STATUSES = List.of("200", "204", "400", "401", "403", "404", "405", "408", "413", "414", "431", "500",
            "other");
    private static final int OTHER_METHOD = METHODS.size() - 1;

    /** How the HTTP server counts requests: by {@code method} and {@code status}, bounded whatever clients send. */
    static RequestKinds requestKinds() {
        return RequestKinds.of("method", METHODS, "status", STATUSES);
    }

    private static int methodIndex(HttpMethod method) {
        int i = METHODS.indexOf(method.name());
        return i < 0 ? OTHER_METHOD : i;
    }

    private static int statusIndex(int status) {
        return switch (status) {
            case 200 -> 0;
            case 204 -> 1;
            case 400 -> 2;
            case 401 -> 3;
            case 403 -> 4;
            case 404 -> 5;
            case 405 -> 6;
            case 408 -> 7;
            case 413 -> 8;
            case 414 -> 9;
            case 431 -> 10;
            case 500 -> 11;
            default -> STATUSES.size() - 1;
        };
    }

    private void count(int method, int status) {
        requestMetrics.count(method, statusIndex(status));
    }

    private void onRequest(HttpRequest request) {
        server.httpRequests++;
        method = OTHER_METHOD;
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
        if (!http10 && !hasOneHost(request)) {
            respondAndClose(400, "Bad Request", "an HTTP/1.1 request needs exactly one Host header (RFC 9112, section 3.2)\n");
            return;
        }
        String uri = request.uri();
        HttpMethod method = request.method();
        this.method = methodIndex(method);
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);

        if (path.equals("/") || path.equals("/json")) {
            if (method != HttpMethod.GET) {
                respond(405, "Method Not Allowed", "text/plain", "use GET\n", keepAlive, http10, "Allow: GET");
            } else if (keepAlive && !http10) {
                // the responder releases what it is given: a reference, not a copy (writeResponse shares it)
                count(this.method, 200);
                responder.reply((path.equals("/") ? cache.hello() : cache.json()).retain());
            } else {
                boolean hello = path.equals("/");
                respond(200, "OK", hello ? "text/plain" : "application/json",
                        hello ? HttpResponseCache.HELLO_BODY : HttpResponseCache.JSON_BODY, keepAlive, http10, null);
            }
            return;
        }
        if (path.startsWith(KV_PREFIX)) {
            if (passwordFrom != server.config()) {
                passwordFrom = server.config();
                password = passwordFrom.httpPasswordBytes();
            }
            if (password == null && passwordFrom.protectedMode() && !ClientAddresses.loopback(ctx.channel().remoteAddress())) {
                // Redis's protected mode: no password, so the key-value API serves only the loopback interface
                respond(403, "Forbidden", "text/plain", "protected mode: no password is set, so the key-value API serves only"
                        + " loopback clients (set percore.demo.resp.requirepass, or CONFIG SET protected-mode no)\n", keepAlive, http10, null);
                return;
            }
            if (password != null && !authorized(request)) {
                // The body of a refused PUT is read and dropped (current stays null).
                respond(401, "Unauthorized", "text/plain", "the key-value API needs the server's password "
                        + "(Authorization: Bearer <password>, or Basic with any user name)\n", keepAlive, http10,
                        "WWW-Authenticate: Basic realm=\"percore\", charset=\"UTF-8\"");
                return;
            }
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

    private static boolean hasOneHost(HttpRequest request) {
        Iterator<? extends CharSequence> hosts = request.headers().valueCharSequenceIterator(HttpHeaderNames.HOST);
        if (!hosts.hasNext()) {
            return false;
        }
        hosts.next();
        return !hosts.hasNext();
    }

    /** {@code Authorization: Bearer <password>} or Basic with the password (Redis's requirepass has no user name). */
    private boolean authorized(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null) {
            return false;
        }
        byte[] presented;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(header.substring(6).trim());
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = indexOf(decoded, (byte) ':');
            if (colon < 0) {
                return false;
            }
            presented = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        } else {
            return false;
        }
        // Constant time in the secret's content: no byte-by-byte timing oracle.
        return MessageDigest.isEqual(presented, password);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void beginPut(HttpRequest request, byte[] key, boolean keepAlive) {
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodySize) {
            respondAndClose(413, "Content Too Large", "body of " + declared + " bytes is larger than the limit of " + maxBodySize + " bytes\n");
            return;
        }
        if (HttpUtil.is100ContinueExpected(request) && responder.idle()) {
            responder.reply(CONTINUE);
            responder.flush();
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
            st.store().changes().propagate(SET, key, value); // replayed as RESP's SET
            st.store().notify(io.percore.demo.kv.KeyspaceEvents.STRING, "set", key); // and notified as SET is
            return new Result(204, "No Content", null, null);
        }, false);
    }

    private void kvDelete(byte[] key, boolean keepAlive, boolean http10) {
        onOwner(key, keepAlive, st -> {
            if (!st.store().delete(key, System.currentTimeMillis())) {
                return new Result(404, "Not Found", "text/plain", "no such key\n".getBytes(StandardCharsets.US_ASCII));
            }
            st.store().changes().propagate(DEL, key);
            st.store().notify(io.percore.demo.kv.KeyspaceEvents.GENERIC, "del", key);
            return new Result(204, "No Content", null, null);
        }, http10);
    }

    private record Result(int status, String reason, String contentType, byte[] body) {
    }

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

    private void onOwner(byte[] key, boolean keepAlive, java.util.function.Function<KeyspaceShard, Result> op, boolean http10) {
        int owner = keyspace.shardOf(key);
        // Through the keyspace even here: a unit of the shard's write path, parked while a transaction holds the shard
        ShardFuture<Result> result = keyspace.invokeOn(owner, op);
        if (result.isSuccess() && responder.idle()) {
            Result r = result.getNow();
            respond(r.status, r.reason, r.contentType, r.body, keepAlive, http10, null);
            return;
        }
        OrderedResponder.Slot slot = keepAlive ? responder.reserve() : responder.reserveLast();
        int requestMethod = method;
        result.whenComplete((r, failure) -> {
            Result res = failure == null ? r
                    : new Result(500, "Internal Server Error", "text/plain", (failure + "\n").getBytes(StandardCharsets.UTF_8));
            count(requestMethod, res.status);
            responder.complete(slot, encode(res.status, res.reason, res.contentType, res.body, keepAlive, http10, null));
        });
    }

    // ------------------------------------------------------------------ responses in order

    private void respond(int status, String reason, String contentType, String body, boolean keepAlive, boolean http10, String extraHeader) {
        respond(status, reason, contentType, body.getBytes(StandardCharsets.UTF_8), keepAlive, http10, extraHeader);
    }

    private void respond(int status, String reason, String contentType, byte[] body, boolean keepAlive, boolean http10, String extraHeader) {
        ByteBuf response = encode(status, reason, contentType, body, keepAlive, http10, extraHeader);
        count(method, status);
        if (keepAlive) {
            responder.reply(response);
        } else {
            responder.replyAndClose(response);
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
        count(method, status);
        responder.replyAndClose(encode(status, reason, "text/plain", body.getBytes(StandardCharsets.UTF_8), false, false, null));
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
