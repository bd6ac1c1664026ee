package io.percore.net.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One server's state on one shard: its open connections, its limits and its drain. Everything
 * here runs on the shard's thread, so it needs no synchronisation.
 */
final class ShardListener {

    final ShardedServer server;
    final Shard shard;
    final ShardServerMetrics metrics;
    private final ChannelHandler userInitializer;
    private final ConnectionErrorTail tail;
    private final Set<Channel> connections = new HashSet<>();
    private final ChannelInitializer<Channel> childInitializer;
    private static final String ACCOUNTING = "percore-accounting";
    private boolean draining;
    private Cancellable forceCloseTimer;
    final CompletableFuture<Void> drained = new CompletableFuture<>();

    ShardListener(ShardedServer server, Shard shard, ShardServerMetrics metrics, ChannelHandler userInitializer,
                  ConnectionErrorTail tail) {
        this.server = server;
        this.shard = shard;
        this.metrics = metrics;
        this.userInitializer = userInitializer;
        this.tail = tail;
        this.childInitializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accept(ch);
            }
        };
    }

    ChannelInitializer<Channel> childInitializer() {
        return childInitializer;
    }

    private void accept(Channel ch) {
        if (draining || connections.size() >= server.options().maxConnectionsPerShard()
                || !FileDescriptorBudget.PROCESS.tryAcquire()) {
            // No user handler ever sees this connection.
            metrics.rejected.increment();
            refuse(ch);
            return;
        }
        ServerChannelContext context = new ServerChannelContext(this, ch);
        ch.attr(ServerChannelContext.KEY).set(context);
        connections.add(ch);
        metrics.open.increment();
        metrics.accepted.increment();
        long idleNanos = server.options().idleTimeout().toNanos();
        ch.pipeline().addLast(ACCOUNTING, new ConnectionAccounting(this, context, idleNanos));
        // A ChannelInitializer runs synchronously here (the channel is registered), so the tail
        // lands after every handler the user adds.
        ch.pipeline().addLast(userInitializer);
        ch.pipeline().addLast("percore-error-tail", tail);
    }

    /** Writes the server's rejection reply, if it has one, then closes (at the latest after a second). */
    private void refuse(Channel ch) {
        byte[] reply = userInitializer instanceof RejectionReply r ? r.rejectionReply() : null;
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("percore-error-tail", tail);
        if (reply == null || draining) {
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
            ch.close();
        }
    }

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
                ch.close();
            }
        });
    }

    private void finishDrain() {
        if (forceCloseTimer != null) {
            forceCloseTimer.cancel();
        }
        drained.complete(null);
    }
}
