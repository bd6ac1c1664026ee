package io.percore.net.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;

/**
 * What a {@link ShardedServer} tells the user's initializer about a connection: the owning shard,
 * the configured limits, and an optional request tracker for exact graceful shutdown.
 *
 * <pre>{@code
 * protected void initChannel(SocketChannel ch) {
 *     ServerChannelContext sc = ServerChannelContext.of(ch);
 *     ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(), new MyHandler());
 * }
 * }</pre>
 */
public final class ServerChannelContext {

    static final AttributeKey<ServerChannelContext> KEY = AttributeKey.valueOf(ServerChannelContext.class, "context");

    private final ShardListener listener;
    private final Channel channel;
    private final boolean tls;
    /** Decoded requests that have not been answered yet (only with {@link #requestTracker()}). */
    private int inFlight;
    /** Writes (and the drain's barrier) not yet completed; counted only while the server drains. */
    private int pendingWrites;
    /** Bytes arrived after the last write: an untracked request may be in flight. */
    private boolean readSinceLastWrite;
    /** When the connection was first asked to close (System.nanoTime()), 0 before. */
    private long closeRequestedNanos;
    /**
     * The drain stopped its reading while it owed replies or still had output to send: a client that pipelines may have
     * sent more since, and closing on what it sent would throw away the replies on their way ({@link LingeringClose}).
     */
    private boolean stoppedWhileOwing;
    /** The connection's responder, when it has one: it knows exactly what is still to be answered. */
    private OrderedResponder<?> responder;

    ServerChannelContext(ShardListener listener, Channel channel, boolean tls) {
        this.listener = listener;
        this.channel = channel;
        this.tls = tls;
    }

    /** The context of a server connection. @throws IllegalArgumentException for a channel not accepted by a ShardedServer */
    public static ServerChannelContext of(Channel channel) {
        ServerChannelContext c = channel.attr(KEY).get();
        if (c == null) {
            throw new IllegalArgumentException("Channel " + channel + " was not accepted by a ShardedServer");
        }
        return c;
    }

    /** The id of the shard whose thread runs this connection's handlers. */
    public int shardId() {
        return listener.shard.id();
    }

    /**
     * Whether the connection speaks TLS. Its TLS handler is first among the handlers your
     * initializer adds to: your handlers see plain text, and write plain text.
     */
    public boolean isTls() {
        return tls;
    }

    /** The largest request a peer may send, in bytes; give it to your frame decoder. */
    public int maxRequestSize() {
        return listener.server.options().maxRequestSize();
    }

    public ServerOptions options() {
        return listener.server.options();
    }

    /**
     * The shard's request metrics of this server: count each request with
     * {@link ShardRequestMetrics#count} by the {@link RequestKinds} the server was started with. An
     * {@link OrderedResponder} records the latency of every reply by itself.
     */
    public ShardRequestMetrics requestMetrics() {
        return listener.metrics.requests;
    }

    /**
     * A handler to place between your decoder and your application handler: every message passing
     * inbound is a request in flight until a message passes outbound (its response). With it,
     * graceful shutdown also waits for pipelined requests that arrived together with an answered
     * one. Without it, a connection counts as busy while bytes (a request, or part of one) arrived
     * after its last write. Either way it closes only once the writes made so far have completed.
     */
    public ChannelHandler requestTracker() {
        return new RequestTracker();
    }

    /** Requests decoded and not yet answered (always 0 without {@link #requestTracker()}). */
    public int requestsInFlight() {
        return inFlight;
    }

    boolean busy() {
        if (inFlight > 0 || pendingWrites > 0) {
            return true;
        }
        // With a responder, reading stops when the drain begins and every request read so far
        // either has its reply written or a place in the responder's order.
        return responder != null ? responder.hasUnansweredRequests() : readSinceLastWrite;
    }

    /** Why the connection still holds a drain (for the drain's report): what it owes, what is still being written. */
    String busyReason() {
        StringBuilder why = new StringBuilder();
        if (closeRequestedNanos != 0) {
            // asked to close and still open: the transport holds the close until its operations in flight end
            why.append("closing for ").append((System.nanoTime() - closeRequestedNanos) / 1_000_000).append(" ms; ");
        }
        if (inFlight > 0) {
            why.append(inFlight).append(" request(s) in flight; ");
        }
        if (pendingWrites > 0) {
            why.append(pendingWrites).append(" write(s) not taken by the socket; ");
        }
        if (responder != null && responder.hasUnansweredRequests()) {
            why.append(responder.pendingReplies()).append(" reply(ies) owed; ");
        }
        if (responder != null) {
            why.append(responder.pendingOutboundBytes()).append(" bytes of output held");
        } else if (readSinceLastWrite) {
            why.append("bytes read since its last write");
        }
        return why.toString();
    }

    /**
     * Whether the server owes the connection an answer to a request it read: the idle timeout does
     * not run out on a client the server keeps waiting. Known with a responder or a request tracker.
     */
    boolean owesReplies() {
        return inFlight > 0 || (responder != null && responder.hasUnansweredRequests());
    }

    void attachResponder(OrderedResponder<?> responder) {
        this.responder = responder;
    }

    /**
     * The drain begins: a connection with a responder stops reading and answers what it has read;
     * then every handler hears {@link DrainStarted}, so a request waiting for an event can be
     * answered now instead of holding the drain.
     */
    void beginDrain() {
        if (responder != null) {
            stoppedWhileOwing = responder.hasUnansweredRequests() || responder.pendingOutboundBytes() > 0;
            responder.stopReading();
        }
        channel.pipeline().fireUserEventTriggered(DrainStarted.INSTANCE);
    }

    /** Whether the drained connection closes by {@link LingeringClose} rather than at once. */
    boolean lingersOnClose() {
        return stoppedWhileOwing;
    }

    /** The responder answered its last outstanding request during a drain. */
    void onResponderIdle() {
        listener.closeIfDrained(channel, this);
    }

    void onCloseRequested() {
        if (closeRequestedNanos == 0) {
            closeRequestedNanos = System.nanoTime() | 1; // never 0
        }
    }

    void onRead() {
        readSinceLastWrite = true;
    }

    void onWrite() {
        readSinceLastWrite = false;
    }

    void onWriteStarted() {
        pendingWrites++;
    }

    void onWriteDone() {
        pendingWrites--;
        listener.closeIfDrained(channel, this);
    }

    private final class RequestTracker extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inFlight++;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (inFlight > 0) {
                inFlight--;
            }
            // During a drain the connection is released by onWriteDone once the bytes have left.
            ctx.write(msg, promise);
        }
    }
}
