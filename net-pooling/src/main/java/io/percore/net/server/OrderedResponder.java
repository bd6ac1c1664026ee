package io.percore.net.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.percore.engine.DirectMemory;
import java.util.ArrayDeque;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one connection's replies in request order, whatever order they complete in, for any
 * request/response protocol. A request whose reply is known at once calls {@link #reply}; one
 * whose reply comes later (another shard answers it) takes a {@link Slot} with {@link #reserve()}
 * and fills it with {@link #complete}. Replies are encoded into one batch buffer, handed to the
 * channel and flushed once per read burst ({@code channelReadComplete}), or at once when a late reply
 * completes outside a read. Reading pauses ({@code autoRead} off) while {@code maxPendingReplies}
 * replies are outstanding, and resumes when they drain. By default it also pauses while the channel
 * is above its write high-water mark; a protocol that bounds each connection's memory itself (by
 * {@link #pendingOutboundBytes}, closing a connection over its limit) reads on instead
 * ({@link #readingWhileUnwritable}), so a client that writes all its requests before it reads a
 * reply is not left waiting for ever on a server that stopped reading.
 *
 * <p>A reply completed while an earlier one is still outstanding is encoded at once into a buffer of
 * its own (released if the connection closes), so what waits is bytes the protocol can count, not
 * the protocol's reply objects.
 *
 * <p>While the socket has not taken what an earlier flush gave it (a client that writes a whole
 * pipeline before it reads any reply), a flush does not hand the channel one more small buffer:
 * each would wait as an entry of its own, about a hundred bytes of bookkeeping and a pooled
 * buffer for a reply of ten. The replies gather in the batch instead, which goes to the channel
 * when the socket has caught up (or when it reaches {@value #EARLY_WRITE_BYTES} bytes), so what a
 * client's unread output holds stays close to its bytes on the wire.
 *
 * <p>It is a pipeline handler of its own, placed right before the protocol's handler, so it sees
 * the read bursts, writability changes and the close without the protocol forwarding them:
 *
 * <pre>{@code
 * OrderedResponder<Reply> responder = new OrderedResponder<>(ServerChannelContext.of(ch).options().maxPendingReplies(), encoder);
 * ch.pipeline().addLast(decoder, responder, new MyConnection(responder));
 * }</pre>
 *
 * <p><b>Threads.</b> One instance per connection, used only on the thread of the channel's event
 * loop (the shard owning the connection); cross-shard work must complete its slot back on that
 * thread, which {@code ShardFuture} callbacks do.
 *
 * <p><b>Buffers.</b> Every reply handed to {@link #reply}, {@link #replyAndClose} or
 * {@link #complete} belongs to the responder from then on: it is encoded and released
 * ({@link ReferenceCountUtil#release}), or released unwritten if the connection closed first
 * (on {@code channelInactive} it releases what is queued, the batch buffer and a pending span's
 * reference to a shared chunk; a reply completing afterwards is released on arrival). Shared bytes
 * ({@link #pushShared}) stay their owner's: the responder takes a reference of its own. A buffer the
 * direct memory cannot give (every client's output and the allocator's chunks hold it all) closes this
 * connection, whatever thread of work wrote the reply: its buffers go back and the shard serves on
 * ({@link DirectMemory}).
 *
 * @param <R> the protocol's reply type (a Redis message, a pre-encoded response buffer, ...)
 */
public final class OrderedResponder<R> extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedResponder.class);

    /** Writes a reply's bytes into the batch buffer. Must not release the reply (the responder does). */
    @FunctionalInterface
    public interface ReplyEncoder<R> {
        void encode(R reply, ByteBuf out);
    }

    /**
     * A position in the reply order, taken by {@link #reserve()}. Not final so a protocol can give
     * its commands a type of its own ({@link #enqueue}).
     */
    /**
     * Decides whether replies may leave now (a server that acknowledges writes only once they are
     * durable holds them until they are). Consulted on the connection's thread before every flush.
     */
    @FunctionalInterface
    public interface FlushGate {
        /**
         * @param reopen to run on the connection's thread once the replies may leave (only when this returns false)
         * @return whether the replies written so far may be flushed now
         */
        boolean open(Runnable reopen);
    }

    public static class Slot {
        private Object reply;
        /** The reply encoded ahead of its turn (it completed while an earlier slot was outstanding); null otherwise. */
        private ByteBuf encoded;
        private boolean done;
        private boolean closeAfter;
        /** When the read burst that carried the request began (for the latency metric); {@link #UNTIMED} for a push. */
        private long readAt;
    }

    /** The readAt of an out-of-band message ({@link #push}): written in order, never timed as a reply. */
    private static final long UNTIMED = Long.MIN_VALUE;

    /** A batch larger than this goes to the channel early, so writability (backpressure) sees it. */
    static final int EARLY_WRITE_BYTES = 64 * 1024;

    private static final IntSupplier NO_QUEUED_REQUESTS = () -> 0;

    private final ReplyEncoder<R> encoder;
    private final int maxPendingReplies;
    /** Read on when the channel is unwritable: the protocol bounds the connection's memory itself. */
    private boolean readWhileUnwritable;
    /** Told when the output grew by a batch or more (an early write, a reply encoded ahead of its turn, a push). */
    private Runnable outputGrew = () -> { };
    /** Bytes of replies encoded ahead of their turn, waiting in {@link #slots}. */
    private long queuedBytes;
    private IntSupplier queuedRequests = NO_QUEUED_REQUESTS;
    private java.util.function.BooleanSupplier readingHeld = () -> false;
    private ChannelHandlerContext ctx;

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    /** Replies encoded but not yet handed to the channel; null when there are none. */
    private ByteBuf batch;
    /**
     * Shared bytes pushed since the last write and not yet handed to the channel
     * ({@link #pushShared}): {@code [spanStart, spanEnd)} of {@code spanChunk}, on which the span
     * holds one reference; null when there are none. Never at the same time as {@link #batch}, so
     * the order of the bytes is the order of the calls.
     */
    private ByteBuf spanChunk;
    private int spanStart;
    private int spanEnd;
    /** Shared bytes did not follow on from the span since the last flush: until the next, they are copied. */
    private boolean copyingShared;
    private boolean unflushed;
    /**
     * The socket had not taken an earlier flush's bytes when the last flush came: the batch waits
     * until an empty write placed behind them completes ({@link #socketCaughtUp}).
     */
    private boolean behindSocket;
    /** The listener of that empty write: made once per connection, the first time it falls behind. */
    private io.netty.channel.ChannelFutureListener caughtUp;
    private boolean inRead;
    private int flushHolds;
    private FlushGate gate;
    /** The gate was closed at a flush and will reopen it. */
    private boolean gateWaiting;
    /** The last reply was written while the gate was closed: the connection closes when it opens. */
    private boolean closeWhenGateOpens;
    /** Handed to the gate at every gated flush: made once, not per flush. */
    private final Runnable gateOpenedTask = this::gateOpened;
    private boolean readingPaused;
    /** The last reply has been taken (replyAndClose): no more reads, no more backpressure changes. */
    private boolean closing;
    /** The channel is gone: replies are released unwritten. */
    private boolean closed;
    /** The server is draining: no more reads; answer what was read, then the server closes the connection. */
    private boolean stoppedReading;
    /** The server connection's context, when the channel was accepted by a ShardedServer. */
    private ServerChannelContext serverContext;
    /** The replies written since the last flush, whose latency ends at it; null outside a ShardedServer (no metrics). */
    private UnflushedLatencies latencies;
    /** When the current (or last) read burst began; 0 without request metrics. */
    private long burstStart;

    /**
     * @param maxPendingReplies outstanding replies at which reading pauses ({@link ServerOptions#maxPendingReplies()})
     * @param encoder           writes one reply into the batch buffer
     */
    public OrderedResponder(int maxPendingReplies, ReplyEncoder<R> encoder) {
        if (maxPendingReplies < 1) {
            throw new IllegalArgumentException("maxPendingReplies must be >= 1, got " + maxPendingReplies);
        }
        this.maxPendingReplies = maxPendingReplies;
        this.encoder = encoder;
    }

    /**
     * Keeps reading while the channel is above its write high-water mark: for a protocol that bounds
     * each connection's memory itself ({@link #pendingOutboundBytes}) and closes one over its limit.
     * Then a client that writes all its requests before reading any reply gets them all.
     */
    public OrderedResponder<R> readingWhileUnwritable() {
        this.readWhileUnwritable = true;
        return this;
    }

    /**
     * Runs {@code listener} on the channel's thread whenever the output grew by a batch or more
     * (about {@value #EARLY_WRITE_BYTES} bytes handed to the channel, or a reply that large encoded
     * ahead of its turn): where a protocol checks its output limits. Pushed messages do not call it
     * (a protocol pushing many checks at its own pace).
     */
    public void onOutputGrowth(Runnable listener) {
        this.outputGrew = listener;
    }

    /**
     * Counts requests the connection read but holds back (not yet given a reply position) toward
     * the limit as well; call {@link #checkBackpressure()} when that count changes.
     */
    public void countHeldRequests(IntSupplier heldRequests) {
        this.queuedRequests = heldRequests;
    }

    /**
     * Pauses reading also while {@code held} says so: the protocol waits for something that ends
     * without the client (work it sent to another thread); call {@link #checkBackpressure()} when
     * the answer changes.
     */
    public void pauseReadingWhile(java.util.function.BooleanSupplier held) {
        this.readingHeld = held;
    }

    // ------------------------------------------------------------------ replies

    /** Writes {@code reply} now if nothing is outstanding before it, otherwise queues it in order. */
    public void reply(R reply) {
        assert ctx.executor().inEventLoop() : "OrderedResponder used off its event loop";
        try {
            if (slots.isEmpty()) {
                emit(reply, burstStart);
                if (!inRead && flushHolds == 0) {
                    flush();
                }
            } else {
                Slot slot = enqueue(new Slot());
                encodeAhead(slot, reply);
                slot.done = true;
            }
        } catch (OutOfMemoryError e) {
            closeWithoutDirectMemory(e);
        }
    }

    /**
     * Writes an out-of-band message (a pub/sub message to a subscriber): in order with the
     * replies, flushed like them, but not a reply to any request, so the request latency metric
     * does not time it.
     */
    public void push(R message) {
        assert ctx.executor().inEventLoop() : "OrderedResponder used off its event loop";
        if (closed || closing) {
            ReferenceCountUtil.release(message);
            return;
        }
        try {
            if (slots.isEmpty()) {
                emit(message, UNTIMED);
                if (!inRead && flushHolds == 0) {
                    flush();
                }
            } else {
                Slot slot = new Slot();
                slot.readAt = UNTIMED;
                encodeAhead(slot, message);
                slot.done = true;
                slots.add(slot);
            }
        } catch (OutOfMemoryError e) {
            closeWithoutDirectMemory(e);
        }
    }

    /**
     * {@link #push} for a message already encoded into a buffer many connections share (a pub/sub
     * message encoded once for every subscriber on a shard): bytes {@code [index, index + length)} of
     * {@code chunk}, which its owner never changes or moves while it holds a reference. The bytes are
     * not copied: consecutive pushes of adjacent bytes of one chunk (one channel's messages in one
     * loop turn) become one span, handed to the channel as one slice at the flush, which keeps one
     * reference to the chunk until written (a batch of replies before it is handed to the channel
     * first). A push that does not follow on from the span (another channel's message came
     * between, or a new chunk) is copied into the batch with the span, and so is every shared push
     * after it until the flush, as before there were spans: a slice per piece would cost a write
     * each. A span that would wait behind unsent output goes as a copy instead ({@link #writeSpan}),
     * so a slow connection never keeps a chunk other connections are done with. The bytes count in
     * full in {@link #pendingOutboundBytes}. Behind an outstanding reply they wait in a copy of their
     * own. The caller keeps its own reference either way.
     */
    public void pushShared(ByteBuf chunk, int index, int length) {
        assert ctx.executor().inEventLoop() : "OrderedResponder used off its event loop";
        if (closed || closing) {
            return;
        }
        try {
            pushSharedNow(chunk, index, length);
        } catch (OutOfMemoryError e) {
            closeWithoutDirectMemory(e);
        }
    }

    private void pushSharedNow(ByteBuf chunk, int index, int length) {
        if (!slots.isEmpty()) {
            Slot slot = new Slot();
            slot.readAt = UNTIMED;
            slot.encoded = ctx.alloc().ioBuffer(length).writeBytes(chunk, index, length);
            slot.done = true;
            slots.add(slot);
            queuedBytes += length;
            if (length >= EARLY_WRITE_BYTES) {
                outputGrew.run();
            }
            return;
        }
        if (spanChunk == chunk && spanEnd == index) {
            spanEnd += length;
        } else if (spanChunk == null && !copyingShared && !behindSocket) {
            if (batch != null) {
                ctx.write(batch, ctx.voidPromise());
                batch = null;
            }
            spanChunk = chunk.retain();
            spanStart = index;
            spanEnd = index + length;
        } else {
            // not where the span ends (another channel's message, a new chunk): a slice per piece would
            // cost a write each, so the span and the rest of this flush's shared bytes are copied (and all
            // of them while the socket is behind: the batch waits for it anyway)
            copyingShared = true;
            ByteBuf out = spanIntoBatch();
            out.writeBytes(chunk, index, length);
            if (out.readableBytes() >= EARLY_WRITE_BYTES) {
                batch = null;
                ctx.write(out, ctx.voidPromise());
                outputGrew.run();
            }
        }
        unflushed = true;
        if (spanChunk != null && spanEnd - spanStart >= EARLY_WRITE_BYTES) {
            writeSpan();
            outputGrew.run();
        }
        if (!inRead && flushHolds == 0) {
            flush();
        }
    }

    /** The batch, with the pending span's bytes copied into it (and its reference given back) if there is one. */
    private ByteBuf spanIntoBatch() {
        ByteBuf out = batch;
        if (out == null) {
            out = batch = ctx.alloc().ioBuffer();
        }
        ByteBuf chunk = spanChunk;
        if (chunk != null) {
            spanChunk = null;
            out.writeBytes(chunk, spanStart, spanEnd - spanStart);
            chunk.release();
        }
        return out;
    }

    /**
     * Hands the pending span to the channel: as a slice of the chunk, carrying the span's reference,
     * when nothing flushed before is still unsent (it leaves at this flush and gives the reference
     * back when written); else as a copy of its own, since a connection whose output
     * waits could hold a chunk of shared bytes, counted as only its own few, for as long as it does
     * not read.
     */
    private void writeSpan() {
        ByteBuf chunk = spanChunk;
        if (chunk == null) {
            return;
        }
        if (!behindSocket && !earlierFlushUnsent()) { // this turn's writes may still wait: they leave with it
            spanChunk = null;
            ctx.write(chunk.slice(spanStart, spanEnd - spanStart), ctx.voidPromise());
        } else {
            spanIntoBatch(); // a copy, in the batch: the chunk is its owner's alone again
        }
    }

    /** Whether bytes of an earlier flush still wait for the socket (this turn's writes, not flushed yet, do not count). */
    private boolean earlierFlushUnsent() {
        io.netty.channel.ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
        return unsent != null && !unsent.isEmpty();
    }

    /** Encodes a reply that must wait for an earlier one into its slot's own buffer, and releases it. */
    private void encodeAhead(Slot slot, R reply) {
        ByteBuf out = null;
        try {
            out = ctx.alloc().ioBuffer();
            encoder.encode(reply, out);
        } catch (RuntimeException | Error e) {
            if (out != null) {
                out.release();
            }
            throw e;
        } finally {
            ReferenceCountUtil.release(reply);
        }
        slot.encoded = out;
        queuedBytes += out.readableBytes();
        if (out.readableBytes() >= EARLY_WRITE_BYTES) {
            outputGrew.run();
        }
    }

    /**
     * The connection's output held in memory (output-buffer limits): bytes written to the channel but
     * not yet to the socket, the batch not yet handed to it, and the replies encoded ahead of their turn.
     */
    public long pendingOutboundBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return (buffer == null ? 0 : buffer.totalPendingWriteBytes()) + (batch == null ? 0 : batch.readableBytes())
                + (spanChunk == null ? 0 : spanEnd - spanStart) + queuedBytes;
    }

    /** Replies, then closes the connection once this reply is written; stops reading now. */
    public void replyAndClose(R reply) {
        Slot slot = reserveLast();
        closing = true;
        ctx.channel().config().setAutoRead(false);
        complete(slot, reply);
    }

    /** Takes the next position in the reply order, to be filled later by {@link #complete}. */
    public Slot reserve() {
        return enqueue(new Slot());
    }

    /** As {@link #reserve()}, and the connection closes once that slot's reply is written. */
    public Slot reserveLast() {
        Slot slot = enqueue(new Slot());
        slot.closeAfter = true;
        return slot;
    }

    /** Takes the next position with a slot of the protocol's own type. */
    public <S extends Slot> S enqueue(S slot) {
        assert ctx.executor().inEventLoop() : "OrderedResponder used off its event loop";
        ((Slot) slot).readAt = burstStart;
        slots.add(slot);
        checkBackpressure();
        return slot;
    }

    /** Fills {@code slot}; writes every reply now at the head of the order. */
    public void complete(Slot slot, R reply) {
        assert ctx.executor().inEventLoop() : "OrderedResponder used off its event loop";
        if (closed) {
            ReferenceCountUtil.release(reply);
            return;
        }
        try {
            if (slots.peek() == slot) {
                slot.reply = reply;
            } else {
                encodeAhead(slot, reply); // an earlier reply is still outstanding
            }
            slot.done = true;
            drain();
        } catch (OutOfMemoryError e) {
            closeWithoutDirectMemory(e);
        }
    }

    /** Whether no reply is outstanding, so the next one would be written at once. */
    public boolean idle() {
        return slots.isEmpty();
    }

    /** Replies that have a position but are not written yet. */
    public int pendingReplies() {
        return slots.size();
    }

    /** Whether {@link #replyAndClose} has been called: the connection is finishing. */
    public boolean closing() {
        return closing;
    }

    /**
     * Whether the server's graceful shutdown stopped this connection's reading: a request that still arrives (a receive
     * armed before, {@link ReadsAfterPause}) is not one the server owes an answer, as if it had not been read.
     */
    public boolean stoppedReading() {
        return stoppedReading;
    }

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        serverContext = ctx.channel().attr(ServerChannelContext.KEY).get();
        if (serverContext != null) {
            serverContext.attachResponder(this);
            ShardRequestMetrics metrics = serverContext.requestMetrics();
            latencies = metrics == null ? null : new UnflushedLatencies(metrics);
        }
    }

    /**
     * Graceful shutdown of the server: reading stops for good (bytes the server has not read yet are
     * not requests it owes an answer), every request already read is answered in order, and the
     * server closes the connection once the last reply has left. A request of which only part
     * had arrived is dropped with the connection.
     */
    void stopReading() {
        stoppedReading = true;
        readingPaused = true;
        ctx.channel().config().setAutoRead(false);
        flush();
    }

    /** Requests read and not answered yet: replies with a position, requests held back, replies not flushed. */
    boolean hasUnansweredRequests() {
        return !slots.isEmpty() || queuedRequests.getAsInt() > 0 || unflushed;
    }

    /** Replies made while a read burst is under way wait for its end to be flushed. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inRead && latencies != null) {
            burstStart = System.nanoTime(); // one clock read per burst, not per request
        }
        inRead = true;
        ctx.fireChannelRead(msg);
    }

    /** The end of a read burst: its replies go out with one write and one flush. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushHolds == 0) {
            flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        checkBackpressure();
        ctx.fireChannelWritabilityChanged();
    }

    /** Releases every queued reply and the batch buffer; replies completing later are released on arrival. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        closing = true;
        for (Slot slot : slots) {
            ReferenceCountUtil.release(slot.reply);
            slot.reply = null;
            if (slot.encoded != null) {
                slot.encoded.release();
                slot.encoded = null;
            }
        }
        slots.clear();
        queuedBytes = 0;
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (spanChunk != null) {
            spanChunk.release();
            spanChunk = null;
        }
        unflushed = false;
        if (latencies != null) {
            latencies.clear();
        }
        ctx.fireChannelInactive();
    }

    /** Holds flushes (outside a read) until the matching {@link #releaseFlush()}, to batch a burst of replies. */
    public void holdFlush() {
        flushHolds++;
    }

    public void releaseFlush() {
        if (--flushHolds == 0 && !inRead) {
            flush();
        }
    }

    /**
     * Pauses reading while too many replies are outstanding (or requests held back, or the channel
     * is above its write high-water mark) and resumes once they drain. The responder calls it when
     * the slot count or writability changes; call it when the held-back request count changes.
     */
    public void checkBackpressure() {
        if (closing || stoppedReading) {
            return;
        }
        boolean overloaded = slots.size() >= maxPendingReplies || queuedRequests.getAsInt() >= maxPendingReplies
                || (!readWhileUnwritable && !ctx.channel().isWritable()) || readingHeld.getAsBoolean();
        if (overloaded && !readingPaused) {
            readingPaused = true;
            ctx.channel().config().setAutoRead(false);
            // after the pause, not before: the flush can drain the channel, whose writability event
            // comes back here and resumes reading; a pause set after it would never be lifted
            flush(); // the client may be waiting for these before it reads more
        } else if (!overloaded && readingPaused) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ------------------------------------------------------------------ writing

    private void drain() {
        if (!ctx.channel().isActive()) {
            return; // channelInactive releases what is queued
        }
        Slot head;
        while ((head = slots.peek()) != null && head.done) {
            slots.poll();
            if (head.encoded != null) {
                emitEncoded(head.encoded, head.readAt);
                head.encoded = null;
            } else {
                @SuppressWarnings("unchecked")
                R reply = (R) head.reply;
                head.reply = null;
                emit(reply, head.readAt);
            }
            if (head.closeAfter) {
                writeLastAndClose();
                return;
            }
        }
        if (!inRead && flushHolds == 0) {
            flush();
        }
        checkBackpressure();
        if (stoppedReading && serverContext != null && !hasUnansweredRequests()) {
            serverContext.onResponderIdle();
        }
    }

    private void writeLastAndClose() {
        if (gate != null && (gateWaiting || !gate.open(gateOpenedTask))) {
            // the last reply (QUIT's, a protocol error's) waits with the others for the gate, then closes
            gateWaiting = true;
            closeWhenGateOpens = true;
            closing = true;
            return;
        }
        writeSpan();
        ByteBuf last = batch != null ? batch : Unpooled.EMPTY_BUFFER;
        batch = null;
        unflushed = false;
        closing = true;
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        if (latencies != null) {
            latencies.flushed();
        }
    }

    /** Encodes {@code reply} into the batch buffer and releases it, as an encoder would. */
    private void emit(R reply, long readAt) {
        if (closed) {
            ReferenceCountUtil.release(reply);
            return;
        }
        if (latencies != null && readAt != UNTIMED) {
            latencies.replyWritten(readAt);
        }
        ByteBuf out;
        try {
            writeSpan();
            out = batch;
            if (out == null) {
                out = batch = ctx.alloc().ioBuffer();
            }
            encoder.encode(reply, out);
        } finally {
            ReferenceCountUtil.release(reply);
        }
        unflushed = true;
        if (out.readableBytes() >= EARLY_WRITE_BYTES) {
            batch = null;
            ctx.write(out, ctx.voidPromise());
            outputGrew.run();
        }
    }

    /** Writes a reply encoded ahead of its turn: the batch before it goes first, then its own buffer. */
    private void emitEncoded(ByteBuf encoded, long readAt) {
        queuedBytes -= encoded.readableBytes();
        if (closed) {
            encoded.release();
            return;
        }
        if (latencies != null && readAt != UNTIMED) {
            latencies.replyWritten(readAt);
        }
        writeSpan();
        if (batch == null) {
            batch = encoded; // the batch from here: later small replies join it
        } else if (encoded.readableBytes() < EARLY_WRITE_BYTES - batch.readableBytes()) {
            batch.writeBytes(encoded); // small: joins the batch (one write for many small replies)
            encoded.release();
        } else {
            if (batch != null) {
                ctx.write(batch, ctx.voidPromise());
                batch = null;
            }
            ctx.write(encoded, ctx.voidPromise());
        }
        unflushed = true;
    }

    /** Replies flush only when {@code gate} lets them (see {@link FlushGate}); null for always. */
    public void flushGate(FlushGate gate) {
        this.gate = gate;
    }

    /** Hands the batch to the channel and flushes, if anything was written since the last flush (and the gate is open). */
    public void flush() {
        if (!unflushed || gateWaiting) {
            return;
        }
        try {
            flushNow();
        } catch (OutOfMemoryError e) {
            closeWithoutDirectMemory(e);
        }
    }

    private void flushNow() {
        if (gate != null && !gate.open(gateOpenedTask)) {
            gateWaiting = true;
            return;
        }
        if (behindSocket || earlierFlushUnsent()) {
            // the socket has not taken the last flush: these bytes would wait behind it as one more entry
            // each flush; they stay in the batch (shared bytes copied into it), and an empty write behind
            // that output says when it has left
            if (!behindSocket) {
                behindSocket = true;
                if (caughtUp == null) {
                    caughtUp = f -> socketCaughtUp();
                }
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(caughtUp);
            }
            writeSpan();
            return;
        }
        unflushed = false;
        writeSpan();
        copyingShared = false;
        ByteBuf out = batch;
        if (out != null) {
            batch = null;
            ctx.write(out, ctx.voidPromise());
        }
        ctx.flush();
        if (latencies != null) {
            latencies.flushed();
        }
    }

    /** The output flushed before the batch waited has left (or the connection closed): the batch goes now. */
    private void socketCaughtUp() {
        behindSocket = false;
        if (!closed && ctx.channel().isActive() && flushHolds == 0 && !inRead) {
            flush(); // a closed channel releases the batch in channelInactive
        }
    }

    private void gateOpened() {
        gateWaiting = false;
        if (closed) {
            return;
        }
        if (closeWhenGateOpens) {
            closeWhenGateOpens = false;
            try {
                writeLastAndClose();
            } catch (OutOfMemoryError e) {
                closeWithoutDirectMemory(e);
            }
        } else if (flushHolds == 0 && !inRead) {
            flush();
        }
    }

    /**
     * No direct memory for this connection's output: it closes (its replies may stand half encoded in the
     * batch, which must not be sent) and {@code channelInactive} gives back what it held. Any other
     * {@code OutOfMemoryError} is the JVM's own and goes on up to the shard.
     */
    private void closeWithoutDirectMemory(OutOfMemoryError e) {
        if (!DirectMemory.spent(e)) {
            throw e;
        }
        if (!closed) {
            LOG.warn("Closing {}: no direct memory for its replies ({})", ctx.channel(), e.getMessage());
        }
        closed = true;
        closing = true;
        ctx.close();
    }
}
