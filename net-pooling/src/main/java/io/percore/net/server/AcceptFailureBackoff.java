package io.percore.net.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a listening channel: when accept fails (EMFILE/ENFILE "Too many open files",
 * ENOBUFS, ...) it stops accepting for a back-off that doubles from 100 ms to 1 s while failures
 * go on and resets on the next successful accept, and it logs the failures at most once per
 * 10 s as one line with their count, never a stack trace per failure.
 *
 * <p>Without it the failure reached the pipeline's tail: on io_uring each pending connection made
 * accept fail again at once, so a full fd table meant one core at 100 %, a WARN with a stack trace
 * per attempt (~40 MB of log a second) and no accept for anyone until the flood ended. Netty's
 * {@code ServerBootstrapAcceptor} pauses for a fixed second but still passes every failure on to
 * the tail; this handler stands before it and consumes the failure. Runs on the listener's loop.
 */
final class AcceptFailureBackoff extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptFailureBackoff.class);
    static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ShardServerMetrics metrics;
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private boolean paused;
    private long unloggedFailures;
    private long lastLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
    private Throwable lastFailure;

    AcceptFailureBackoff(ShardServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        backoffNanos = MIN_BACKOFF_NANOS;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        metrics.acceptFailures.increment();
        unloggedFailures++;
        lastFailure = cause;
        if (!paused) {
            paused = true;
            long pause = backoffNanos;
            backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                paused = false;
                if (ctx.channel().isOpen()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }, pause, TimeUnit.NANOSECONDS);
        }
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_INTERVAL_NANOS) {
            LOG.warn("Server on {} (shard {}): accept failed {} time(s) since the last report ({}); accepting pauses for up to {} ms "
                            + "at a time while it fails (the process's open-file limit: {})", ctx.channel().localAddress(), metrics.shardId(),
                    unloggedFailures, lastFailure.getMessage(), TimeUnit.NANOSECONDS.toMillis(MAX_BACKOFF_NANOS),
                    FileDescriptorBudget.PROCESS.describe());
            unloggedFailures = 0;
            lastLogNanos = now;
        }
    }
}
