package io.percore.demo.resp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.redis.FixedRedisMessagePool;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.percore.demo.shard.ShardedKeyspace;

/**
 * The RESP pipeline of one connection: RedisDecoder (with inline commands) →
 * frame guard (limits, before anything is aggregated) → bulk and array aggregators →
 * {@link RespConnection}; RedisEncoder on the way out. Runs on the shard owning the channel.
 */
public final class RespServerInitializer extends ChannelInitializer<Channel> {

    private final ShardedKeyspace keyspace;
    private final CommandTable commands;
    private final RespSettings settings;

    public RespServerInitializer(ShardedKeyspace keyspace, CommandTable commands, RespSettings settings) {
        this.keyspace = keyspace;
        this.commands = commands;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel ch) {
        RespSession session = new RespSession(settings.requirePass() == null);
        ch.pipeline()
                .addLast("resp-encoder", new RedisEncoder())
                .addLast("resp-decoder", new RedisDecoder(settings.maxInlineLength(), FixedRedisMessagePool.INSTANCE, true))
                .addLast("resp-guard", new RespFrameGuard(settings, session))
                .addLast("resp-bulk-aggregator", new RedisBulkStringAggregator())
                .addLast("resp-array-aggregator", new RedisArrayAggregator(settings.maxArrayLength(), 1))
                .addLast("resp-connection", new RespConnection(keyspace, commands, settings, session));
    }
}
