package io.percore.net.health;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.buffer.ByteBufUtil;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import io.percore.net.pool.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Healthy when the endpoint answers {@code PING} with {@code PONG} (Redis protocol) within the timeout. */
public final class RedisPingHealthCheck implements HealthCheck {

    @Override
    public ShardFuture<Void> probe(Shard shard, Endpoint endpoint, Duration timeout) {
        ShardPromise<Void> promise = new ShardPromise<>(shard);
        ChannelFuture connect = ProbeConnection.open(shard, endpoint, timeout, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new RedisDecoder(), new RedisBulkStringAggregator(), new RedisArrayAggregator(),
                        new RedisEncoder(), new PongHandler(promise, endpoint));
            }
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                ProbeConnection.failConnect(promise, endpoint, f.cause());
                return;
            }
            Channel ch = connect.channel();
            ProbeConnection.closeOnTimeout(shard, timeout, ch, promise, endpoint);
            ch.closeFuture().addListener(x -> promise.fail(new IOException("Connection to " + endpoint + " closed before PONG")));
            ch.writeAndFlush(new ArrayRedisMessage(List.of(
                    new FullBulkStringRedisMessage(ByteBufUtil.writeAscii(ch.alloc(), "PING")))));
        });
        return promise;
    }

    @Override
    public String toString() {
        return "redis-ping";
    }

    private static final class PongHandler extends SimpleChannelInboundHandler<RedisMessage> {
        private final ShardPromise<Void> promise;
        private final Endpoint endpoint;

        PongHandler(ShardPromise<Void> promise, Endpoint endpoint) {
            this.promise = promise;
            this.endpoint = endpoint;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RedisMessage msg) {
            if (msg instanceof SimpleStringRedisMessage && "PONG".equals(((SimpleStringRedisMessage) msg).content())) {
                promise.complete(null);
            } else if (msg instanceof ErrorRedisMessage) {
                promise.fail(new IOException(endpoint + " answered PING with error: " + ((ErrorRedisMessage) msg).content()));
            } else {
                promise.fail(new IOException(endpoint + " answered PING with " + msg.getClass().getSimpleName()));
            }
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            promise.fail(cause);
            ctx.close();
        }
    }
}
