package io.percore.net.health;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import io.percore.net.pool.Endpoint;
import java.time.Duration;

/** Healthy when a TCP connection can be opened within the timeout. */
public final class TcpConnectHealthCheck implements HealthCheck {

    @Override
    public ShardFuture<Void> probe(Shard shard, Endpoint endpoint, Duration timeout) {
        ShardPromise<Void> promise = new ShardPromise<>(shard);
        ProbeConnection.open(shard, endpoint, timeout, new ChannelInboundHandlerAdapter()).addListener(f -> {
            if (f.isSuccess()) {
                ((io.netty.channel.ChannelFuture) f).channel().close();
                promise.complete(null);
            } else {
                ProbeConnection.failConnect(promise, endpoint, f.cause());
            }
        });
        return promise;
    }

    @Override
    public String toString() {
        return "tcp-connect";
    }
}
