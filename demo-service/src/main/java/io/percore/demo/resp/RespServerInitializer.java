package io.percore.demo.resp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.percore.demo.shard.Keyspace;
import io.percore.net.resp.RespCommandDecoder;

/**
 * The RESP pipeline of one connection: {@link RespCommandDecoder} (bytes → commands, with every
 * limit and protocol error) → {@link RespConnection}, which encodes its own replies. Runs on the
 * shard owning the channel.
 */
public final class RespServerInitializer extends ChannelInitializer<Channel> {

    private final Keyspace keyspace;
    private final CommandTable commands;
    private final RespSettings settings;

    public RespServerInitializer(Keyspace keyspace, CommandTable commands, RespSettings settings) {
        this.keyspace = keyspace;
        this.commands = commands;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel ch) {
        RespSession session = new RespSession(settings.requirePass() == null);
        ch.pipeline()
                .addLast("resp-decoder", new RespCommandDecoder(settings.decoderLimits(),
                        () -> settings.requirePass() != null && !session.authenticated()))
                .addLast("resp-connection", new RespConnection(keyspace, commands, settings, session));
    }
}
