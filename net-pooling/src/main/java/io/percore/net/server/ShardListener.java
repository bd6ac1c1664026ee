package io.percore.net.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One server's state on one shard: its open connections, its limits and its drain. Everything
 * here runs on the shard's thread, so it needs no synchronisation.
 */
final class ShardListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardListener.class);

    final ShardedServer server;
    final Shard shard;
    final ShardServerMetrics metrics;
    private final ChannelHandler userInitializer;
    private final ConnectionErrorTail tail;
    private final Set<Channel> connections = new HashSet<>();
    private final ChannelInitializer<Channel> plainInitializer;
    private final ChannelInitializer<Channel> tlsInitializer;
    private static final String ACCOUNTING = "percore-accounting";
    private static final String TLS = "percore-tls";
    private boolean draining;
    /** TLS handshakes running on this shard now. */
    private int handshaking;
    private Cancellable forceCloseTimer;
    final CompletableFuture<Void> drained = new CompletableFuture<>();

    ShardListener(ShardedServer server, Shard shard, ShardServerMetrics metrics, ChannelHandler userInitializer,
                  ConnectionErrorTail tail) {
        this.server = server;
        this.shard = shard;
        this.metrics = metrics;
        this.userInitializer = userInitializer;
        this.tail = tail;
        this.plainInitializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accept(ch, false);
            }
        };
        this.tlsInitializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accept(ch, true);
            }
        };
    }

    /** Whether the server's initializer takes a read after a pause ({@link ReadsAfterPause}). */
    boolean readsAfterPause() {
        return userInitializer instanceof ReadsAfterPause;
    }

    /** What a listener adds to each connection it accepts; {@code tls}: the connection speaks TLS. */
    ChannelInitializer<Channel> childInitializer(boolean tls) {
        return tls ? tlsInitializer : plainInitializer;
    }

    private void accept(Channel ch, boolean tls) {
        ServerOptions options = server.options();
        if (draining || connections.size() >= options.maxConnectionsPerShard()
                || (tls && handshaking >= options.maxHandshakesPerShard())
                || !FileDescriptorBudget.PROCESS.tryAcquire()) {
            // No user handler ever sees this connection.
            metrics.rejected.increment();
            refuse(ch, tls);
            return;
        }
        ServerChannelContext context = new ServerChannelContext(this, ch, tls);
        ch.attr(ServerChannelContext.KEY).set(context);
        connections.add(ch);
        metrics.open.increment();
        metrics.accepted.increment();
        long idleNanos = options.idleTimeout().toNanos();
        // Accounting first: it counts the bytes on the wire and its drain barrier goes below TLS.
        ch.pipeline().addLast(ACCOUNTING, new ConnectionAccounting(this, context, idleNanos));
        if (tls) {
            SslHandler ssl = options.tls().context().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(options.tlsHandshakeTimeout().toMillis());
            handshaking++;
            ch.pipeline().addLast(TLS, ssl).addLast(new HandshakeWatch());
        }
        // A ChannelInitializer runs synchronously here (the channel is registered), so the tail
        // lands after every handler the user adds.
        ch.pipeline().addLast(userInitializer);
        ch.pipeline().addLast("percore-error-tail", tail);
    }

    /**
     * Writes the server's rejection reply, if it has one, then closes (at the latest after a
     * second). A TLS connection is only closed: the reply is the protocol's plain text.
     */
    private void refuse(Channel ch, boolean tls) {
        byte[] reply = userInitializer instanceof RejectionReply r ? r.rejectionReply() : null;
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("percore-error-tail", tail);
        if (reply == null || draining || tls) {
            ch.close();
            return;
        }
        ch.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
        // A peer that does not read must not keep the descriptor.
        ch.eventLoop().schedule(() -> ch.close(), 1, TimeUnit.SECONDS);
    }

    void connectionClosed(Channel ch) {
        if (connections.remove(ch)) {
            metrics.open.decrement();
            FileDescriptorBudget.PROCESS.release();
        }
        if (draining && connections.isEmpty()) {
            finishDrain();
        }
    }

    boolean draining() {
        return draining;
    }

    void closeIfDrained(Channel ch, ServerChannelContext context) {
        if (draining && !context.busy()) {
            // a reply written before the drain may still be on its way too (a real network's round trip): the kernel knows
            if (context.lingersOnClose() || Boolean.FALSE.equals(TcpSendClock.peerHasAll(ch))) {
                LingeringClose.of(ch, LINGER);
            } else {
                ch.close();
            }
        }
    }

    /**
     * The longest a drained connection that was stopped while it owed replies, or whose replies were still on their way
     * when it closed, reads on and drops what its client sends, for the replies to reach it ({@link LingeringClose}). It ends sooner when the client closes or its kernel has
     * acknowledged everything (io_uring, epoll); NIO cannot ask, and waits for this (nginx's lingering_timeout is 5 s).
     */
    static final Duration LINGER = Duration.ofSeconds(2);

    /** Runs on the shard: closes idle connections now, busy ones when done, all at {@code timeout}. */
    void beginDrain(Duration timeout) {
        if (draining) {
            return;
        }
        draining = true;
        for (Channel ch : new ArrayList<>(connections)) {
            // Writes are not watched before the drain (that would cost a promise per write):
            // each connection closes once a barrier written behind its responses completes.
            ChannelHandler accounting = ch.pipeline().get(ACCOUNTING);
            if (accounting instanceof ConnectionAccounting) {
                ((ConnectionAccounting) accounting).beginDrain();
            } else {
                ch.close();
            }
        }
        if (connections.isEmpty()) {
            finishDrain();
            return;
        }
        forceCloseTimer = shard.schedule(timeout, () -> {
            for (Channel ch : new ArrayList<>(connections)) {
                ImmediateClose.of(ch); // what it still had to send is given up: the bound is the bound
            }
        });
        // a drain that is not done after a tenth of its bound says who holds it (a peer that reads nothing more, a reply
        // waiting for an event): what a stop that runs to its bound, or to the kubelet's SIGKILL, has to explain
        drainReport = shard.schedule(timeout.dividedBy(10), this::reportDrain);
    }

    private Cancellable drainReport;

    private void reportDrain() {
        if (connections.isEmpty()) {
            return;
        }
        List<String> held = new ArrayList<>();
        for (Channel ch : connections) {
            ServerChannelContext context = ch.attr(ServerChannelContext.KEY).get();
            held.add(ch.remoteAddress() + (context == null ? "" : " (" + context.busyReason() + ")"));
            if (held.size() == 20) {
                break;
            }
        }
        LOG.warn("Server {} on shard {}: {} connection(s) still hold its drain: {}", server.options().name(), shard.id(), connections.size(), held);
    }

    /**
     * Follows one connection's handshake: counts its outcome and frees its place among the shard's
     * running handshakes, then leaves the pipeline.
     */
    private final class HandshakeWatch extends ChannelInboundHandlerAdapter {
        private boolean done;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent completion && !done) {
                finished();
                if (completion.isSuccess()) {
                    metrics.tlsHandshakes.increment();
                } else {
                    metrics.tlsHandshakeFailures.increment();
                    server.tlsFailures.failed(ctx.channel().remoteAddress(), completion.cause());
                }
                ctx.pipeline().remove(this);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!done) {
                // closed before the handshake ended (a peer that left, the timeout's close)
                finished();
                metrics.tlsHandshakeFailures.increment();
            }
            super.channelInactive(ctx);
        }

        private void finished() {
            done = true;
            handshaking--;
        }
    }

    private void finishDrain() {
        if (forceCloseTimer != null) {
            forceCloseTimer.cancel();
        }
        if (drainReport != null) {
            drainReport.cancel();
        }
        drained.complete(null);
    }
}
