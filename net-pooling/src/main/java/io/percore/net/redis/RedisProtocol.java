package io.percore.net.redis;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.net.client.ClientProtocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * RESP over Netty's codec-redis: {@link RedisCommand} out, {@link RedisReply} back. Read-only
 * commands are treated as idempotent, so they may be retried after a timeout.
 */
public final class RedisProtocol implements ClientProtocol<RedisCommand, RedisReply> {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "MGET", "EXISTS", "TTL", "PTTL", "STRLEN",
            "HGET", "HGETALL", "HMGET", "SMEMBERS", "SISMEMBER", "LRANGE", "LLEN", "ZRANGE", "ZSCORE", "PING", "ECHO", "TYPE");

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast(new RedisDecoder(), new RedisBulkStringAggregator(), new RedisArrayAggregator(),
                new RedisEncoder(), new CommandEncoder());
    }

    @Override
    public RedisReply toResponse(Object message) {
        return convert((RedisMessage) message);
    }

    @Override
    public boolean isIdempotent(RedisCommand request) {
        return IDEMPOTENT.contains(request.name().toUpperCase(java.util.Locale.ROOT));
    }

    static RedisReply convert(RedisMessage m) {
        if (m instanceof SimpleStringRedisMessage) {
            return RedisReply.simple(((SimpleStringRedisMessage) m).content());
        }
        if (m instanceof ErrorRedisMessage) {
            return RedisReply.error(((ErrorRedisMessage) m).content());
        }
        if (m instanceof IntegerRedisMessage) {
            return RedisReply.integer(((IntegerRedisMessage) m).value());
        }
        if (m instanceof FullBulkStringRedisMessage) {
            FullBulkStringRedisMessage b = (FullBulkStringRedisMessage) m;
            return b.isNull() ? RedisReply.nil() : RedisReply.bulk(ByteBufUtil.getBytes(b.content()));
        }
        if (m instanceof ArrayRedisMessage) {
            ArrayRedisMessage a = (ArrayRedisMessage) m;
            if (a.isNull()) {
                return RedisReply.nil();
            }
            List<RedisReply> items = new ArrayList<>(a.children().size());
            for (RedisMessage child : a.children()) {
                items.add(convert(child));
            }
            return RedisReply.array(items);
        }
        throw new IllegalArgumentException("Unexpected Redis message " + m.getClass().getName());
    }

    /** Turns a {@link RedisCommand} into the RESP array codec-redis encodes. */
    private static final class CommandEncoder extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof RedisCommand) {
                List<String> args = ((RedisCommand) msg).args();
                List<RedisMessage> children = new ArrayList<>(args.size());
                for (String arg : args) {
                    children.add(new FullBulkStringRedisMessage(ByteBufUtil.encodeString(ctx.alloc(),
                            java.nio.CharBuffer.wrap(arg), StandardCharsets.UTF_8)));
                }
                ctx.write(new ArrayRedisMessage(children), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
