package io.percore.net.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.percore.engine.Shard;
import io.percore.engine.ShardPromise;
import io.percore.net.pool.Endpoint;
import java.net.ConnectException;
import java.time.Duration;

/** Opens a fresh connection for a probe on the shard's own loop (probes bypass the pool on purpose). */
final class ProbeConnection {

    private ProbeConnection() {
    }

    static ChannelFuture open(Shard shard, Endpoint endpoint, Duration timeout, ChannelHandler handler) {
        return new Bootstrap()
                .group(shard.ioEventLoop())
                .channel(shard.transport().socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                .handler(handler)
                .connect(endpoint.address());
    }

    static void failConnect(ShardPromise<Void> promise, Endpoint endpoint, Throwable cause) {
        ConnectException e = new ConnectException("Health check cannot connect to " + endpoint + ": "
                + (cause == null ? "unknown error" : cause.getMessage()));
        if (cause != null) {
            e.initCause(cause);
        }
        promise.fail(e);
    }

    static void closeOnTimeout(Shard shard, Duration timeout, Channel ch, ShardPromise<Void> promise, Endpoint endpoint) {
        shard.schedule(timeout, () -> {
            if (!promise.isDone()) {
                promise.fail(new java.util.concurrent.TimeoutException("Health check of " + endpoint + " timed out after " + timeout));
                ch.close();
            }
        });
    }
}
