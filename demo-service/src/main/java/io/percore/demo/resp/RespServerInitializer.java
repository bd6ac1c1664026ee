package io.percore.demo.resp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.percore.demo.shard.ShardedKeyspace;
import io.percore.net.server.ServerChannelContext;

/**
 * The RESP pipeline of one connection: {@link RespCommandDecoder} (bytes → commands, with every
 * limit and protocol error) → {@link RespConnection}, which encodes its own replies. Runs on the
 * shard owning the channel; the reply limit is the server's {@code max-pending-replies}.
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
                .addLast("resp-decoder", new RespCommandDecoder(settings, session))
                .addLast("resp-connection", new RespConnection(keyspace, commands, settings, session,
                        ServerChannelContext.of(ch).options().maxPendingReplies()));
    }
}
