package io.percore.demo.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Sharded;
import io.percore.net.resp.RespCommandDecoder;
import io.percore.net.resp.RespDecoderLimits;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ReadsAfterPause;
import io.percore.net.server.RejectionReply;
import io.percore.net.server.ServerChannelContext;
import java.nio.charset.StandardCharsets;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.ShardServices;
import io.percore.demo.execution.Admission;
import io.percore.demo.table.RespCommands;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import io.percore.demo.resp.RespReplyWriter;

/**
 * The RESP pipeline of one connection: {@link RespCommandDecoder} (bytes → commands, with every
 * limit and protocol error) → the connection's {@link OrderedResponder} (replies in order, batched)
 * → {@link RespConnection}, which executes the commands. Runs on the
 * shard owning the channel; the reply limit is the server's {@code max-pending-replies}.
 *
 * <p>It takes a read after a pause ({@link ReadsAfterPause}): past the reply limit the commands run and their replies
 * queue (one receive's worth at most), behind a barrier they are held, while the shard's requests in flight are over
 * their bound they stay in the decoder, and after the server stopped reading they are dropped unanswered.
 */
public final class RespServerInitializer extends ChannelInitializer<Channel> implements RejectionReply, ReadsAfterPause {

    /** What redis-server writes to a client over maxclients before closing it. */
    private static final byte[] MAX_CLIENTS = "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    /** Per shard (by id), made on the shard's thread by its first connection. */
    private final PipelinedKeys[] pipelinedKeys;
    private final ShardServices[] services;
    private final Admission admission = RespCommands.admission();

    public RespServerInitializer(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands,
                                 RespSettings settings) {
        this.keyspace = keyspace;
        this.servers = servers;
        this.pubsub = pubsub;
        this.commands = commands;
        this.settings = settings;
        this.pipelinedKeys = new PipelinedKeys[keyspace.shardCount()];
        this.services = new ShardServices[keyspace.shardCount()];
    }

    /** What this shard's connections' commands reach: one for all of them (on that shard's thread, as they are). */
    private ShardServices services(ServerShard server) {
        ShardServices shared = services[server.shardId()];
        if (shared == null) {
            shared = ShardServices.here(keyspace, servers, pubsub, commands, settings);
            services[server.shardId()] = shared;
        }
        return shared;
    }

    /** The shard's lookahead, shared by its connections (on that shard's thread, as they are). */
    private PipelinedKeys pipelinedKeys(ServerShard server) {
        PipelinedKeys keys = pipelinedKeys[server.shardId()];
        if (keys == null) {
            keys = new PipelinedKeys(keyspace, keyspace.local(), server);
            pipelinedKeys[server.shardId()] = keys;
        }
        return keys;
    }

    @Override
    public byte[] rejectionReply() {
        return MAX_CLIENTS;
    }

    /**
     * Runs on the shard owning the connection: proto-max-bulk-len is that shard's current CONFIG value
     * (CONFIG SET changes it for the connections that follow); the connection starts as the default user.
     */
    /**
     * The responder for a RESP connection: replies are encoded by {@link RespReplyWriter} in the
     * protocol the session speaks when each reply is written (HELLO switches it for the replies
     * that follow, its own included).
     */
    static OrderedResponder<RedisMessage> responder(int maxPendingReplies, RespSession session) {
        return new OrderedResponder<>(maxPendingReplies, (reply, out) -> RespReplyWriter.write(reply, out, session.resp3));
    }

    @Override
    protected void initChannel(Channel ch) {
        ServerShard server = servers.local();
        ConfigValues config = server.config();
        // Redis's clientSetDefaultAuth: the default user, logged in already when it is on and nopass
        io.percore.demo.acl.UserRegistry users = server.acl().users();
        RespSession session = new RespSession(!users.authRequired());
        session.user = users.defaultUser();
        OrderedResponder<RedisMessage> responder = responder(ServerChannelContext.of(ch).options().maxPendingReplies(), session);
        RespDecoderLimits limits = new RespDecoderLimits((int) Math.min(config.protoMaxBulkLen(), Integer.MAX_VALUE),
                settings.maxArrayLength(), settings.maxInlineLength());
        RespCommandDecoder decoder = new RespCommandDecoder(limits, () -> !session.authenticated() && users.authRequired())
                .lookahead(pipelinedKeys(server));
        ch.pipeline()
                .addLast("resp-decoder", decoder)
                .addLast("resp-responder", responder)
                .addLast("resp-connection", new RespConnection(services(server), admission, session, responder, decoder));
    }
}
