package io.percore.net.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * First handler of every server connection: counts bytes in and out, closes the connection on
 * the idle timeout, and during a graceful drain closes it once its responses have left.
 *
 * <p>A connection is idle only when nothing moves either way for the whole timeout: no bytes read,
 * none written by the handlers, none of its unsent output taken by the socket (a client reading a
 * long response slowly is not idle), and no request read that the server has not answered yet (a
 * server that paused reading, or whose answer is still being made, is not waiting on the client).
 *
 * <p>Nothing here allocates per message. Bytes out are counted when {@code write} is called
 * (the size is known then), so the caller's promise passes through untouched and a
 * {@code voidPromise()} stays void: no promise, no listener per write. Write completions are
 * only watched while the server drains, the one time they matter. The idle timeout is one timer
 * per connection that re-arms itself from the last read batch or write, instead of Netty's
 * {@code IdleStateHandler} (which turns every write's promise into a real one with a listener).
 */
final class ConnectionAccounting extends ChannelDuplexHandler {

    private final ShardListener listener;
    private final ServerChannelContext context;
    private final ChannelFutureListener writeDone;
    /** 0: no idle timeout. */
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private long lastActivityNanos;
    /** The unsent output at the last idle check: if it changed since, the socket took some of it. */
    private long unsentAtLastCheck;
    /** Inside a read batch: a connection that is being read from is not idle. */
    private boolean reading;
    private Future<?> idleTimer;
    private final Runnable idleCheck = this::checkIdle;

    ConnectionAccounting(ShardListener listener, ServerChannelContext context, long idleNanos) {
        this.listener = listener;
        this.context = context;
        this.idleNanos = idleNanos;
        this.writeDone = f -> context.onWriteDone();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            startIdleTimer();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startIdleTimer();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            listener.metrics.bytesIn.add(((ByteBuf) msg).readableBytes());
            listener.metrics.reads.increment();
        }
        reading = true;
        context.onRead();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading && idleNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        reading = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        listener.metrics.flushes.increment();
        ctx.flush();
    }

    /**
     * Counts the message as bytes out now ("written to the channel", not yet "flushed to the
     * socket"): a write that later fails, e.g. because the peer went away, is still counted.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        listener.metrics.bytesOut.add(sizeOf(msg));
        if (idleNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        context.onWrite();
        if (listener.draining()) {
            // Rare: only while shutting down does the connection wait for its writes to complete.
            context.onWriteStarted();
            ChannelPromise p = promise.unvoid();
            p.addListener(writeDone);
            ctx.write(msg, p);
            return;
        }
        ctx.write(msg, promise);
    }

    /** Notes when the connection was asked to close: a close that does not complete is what the drain's report names. */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        context.onCloseRequested();
        ctx.close(promise);
    }

    /**
     * Starts the drain of this connection: writes (and flushes) an empty buffer behind whatever
     * the handlers have written so far; as writes complete in order, its completion means every
     * earlier response has left, and the connection closes then unless a request is in flight.
     */
    void beginDrain() {
        context.beginDrain();
        context.onWriteStarted();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(writeDone);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopIdleTimer();
        listener.connectionClosed(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopIdleTimer();
    }

    private void startIdleTimer() {
        if (idleNanos > 0 && idleTimer == null) {
            lastActivityNanos = System.nanoTime();
            idleTimer = ctx.executor().schedule(idleCheck, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stopIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void checkIdle() {
        if (idleTimer == null || !ctx.channel().isOpen()) {
            return;
        }
        long now = System.nanoTime();
        long unsent = unsentBytes();
        if (reading || unsent != unsentAtLastCheck || context.owesReplies()) {
            lastActivityNanos = now;
        } else {
            long sentAgo = TcpSendClock.millisSinceDataSent(ctx.channel()); // what the kernel still sends of earlier writes
            if (sentAgo >= 0) {
                lastActivityNanos = Math.max(lastActivityNanos, now - sentAgo * 1_000_000L);
            }
        }
        unsentAtLastCheck = unsent;
        long remaining = idleNanos - (now - lastActivityNanos);
        if (remaining <= 0) {
            idleTimer = null;
            listener.metrics.idleClosed.increment();
            ctx.close();
            return;
        }
        idleTimer = ctx.executor().schedule(idleCheck, remaining, TimeUnit.NANOSECONDS);
    }

    private long unsentBytes() {
        io.netty.channel.ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
        return unsent == null ? 0 : unsent.totalPendingWriteBytes();
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        if (msg instanceof ByteBufHolder) {
            return ((ByteBufHolder) msg).content().readableBytes();
        }
        if (msg instanceof FileRegion) {
            return ((FileRegion) msg).count();
        }
        return 0;
    }
}
