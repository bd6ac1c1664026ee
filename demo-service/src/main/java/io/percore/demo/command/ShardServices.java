package io.percore.demo.command;

import io.percore.demo.pubsub.PubSub;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;

/**
 * What a command reaches on the shard it runs on, the same for every caller there (a connection, a
 * replayed feed, a script's {@code redis.call}, EXEC): the shard, the keyspace and this shard's part
 * of it, the server's state on this shard and across shards, pub/sub, the command table and the
 * protocol's settings. A {@link CommandContext} adds the caller (its session, replies, order and
 * connection). Made on its shard's thread, once per shard where callers come and go (the RESP server
 * keeps one per shard for its connections).
 *
 * @param shard    the shard this runs on
 * @param keyspace the sharded keyspace, without a caller's view (tracking, a transaction's hold)
 * @param local    this shard's part of the keyspace
 * @param server   the server's state on this shard: clients, CONFIG values, slow log, counters
 * @param servers  the way to another shard's {@link ServerShard}
 * @param pubsub   pub/sub: this shard's subscriptions and publishing to every shard
 * @param commands the command table
 * @param settings the RESP server's settings
 */
public record ShardServices(Shard shard, Keyspace keyspace, KeyspaceShard local, ServerShard server, Sharded<ServerShard> servers,
                            PubSub pubsub, CommandTable commands, RespSettings settings) {

    /** The services on the shard whose thread calls this. */
    public static ShardServices here(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands,
                                     RespSettings settings) {
        return new ShardServices(Shard.current(), keyspace, keyspace.local(), servers.local(), servers, pubsub, commands, settings);
    }

    /** These services as the shard whose thread calls this sees them: this when it is theirs. */
    public ShardServices onCurrentShard() {
        return shard == Shard.current() ? this : here(keyspace, servers, pubsub, commands, settings);
    }
}
