package io.percore.demo.network;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.tracking.ClientTracking;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.demo.tracking.TrackingReceiver;
import java.util.ArrayList;
import java.util.List;

/**
 * One RESP connection as client tracking sees it (the client's side of Redis's {@code tracking.c}): the receiver of
 * its invalidations, what each of its commands tells the shards it reaches, and the invalidations its running
 * command caused, written after that command's reply (Redis's {@code tracking_pending_keys}).
 */
final class ConnectionTracking implements TrackingReceiver {

    private final RespConnection connection;
    private final RespSession session;
    private final CommandTable commands;
    /** The keyspace without a tracked command: what a command of a client that does not track sees. */
    private final Keyspace plainKeyspace;
    private final KeyspaceShard local;
    private final int shardId;
    /** Invalidations the running command caused: written after its reply. */
    private List<RedisMessage> afterReply;

    ConnectionTracking(RespConnection connection, RespSession session, CommandTable commands, Keyspace plainKeyspace,
                       KeyspaceShard local, int shardId) {
        this.connection = connection;
        this.session = session;
        this.commands = commands;
        this.plainKeyspace = plainKeyspace;
        this.local = local;
        this.shardId = shardId;
    }

    @Override
    public long id() {
        return session.id();
    }

    @Override
    public boolean resp3() {
        return session.resp3;
    }

    @Override
    public boolean subscribed() {
        return session.subscribed();
    }

    @Override
    public boolean closing() {
        return connection.closing();
    }

    @Override
    public ClientTracking tracking() {
        return session.tracking;
    }

    @Override
    public boolean runningCommand() {
        return connection.running().running();
    }

    @Override
    public void afterReply(RedisMessage payload) {
        if (afterReply == null) {
            afterReply = new ArrayList<>(2);
        }
        afterReply.add(payload);
    }

    @Override
    public void push(RedisMessage message) {
        connection.push(message);
    }

    /**
     * Before a tracking client's command runs: the keyspace it sees ({@code selected}: its database's)
     * carries what the shards it reaches must know (its id under NOLOOP; for a read-only command whose keys are to be
     * remembered, those keys and their shards), or is the plain one when there is nothing.
     */
    Keyspace keyspaceFor(Keyspace selected, int id, byte[][] argv) {
        TrackedCommand tracked = trackedCommand(id, argv);
        return tracked == null ? selected : selected.trackedBy(tracked);
    }

    /** See {@link io.percore.demo.command.ConnectionControl#trackedCommand}. */
    TrackedCommand trackedCommand(int id, byte[][] argv) {
        ClientTracking t = session.tracking;
        if (t == null || id < 0) {
            return null;
        }
        byte[][] keys = null;
        int[] owners = null;
        if (commands.readsForTracking(id) && t.remembersReads()) {
            int[] at = commands.keyPositions(id, argv); // none for a bad key count: the command answers its own error
            if (at.length > 0) {
                keys = new byte[at.length][];
                owners = new int[at.length];
                for (int i = 0; i < at.length; i++) {
                    keys[i] = argv[at[i]];
                    owners[i] = plainKeyspace.shardOf(keys[i]);
                }
            }
        }
        return t.command(session.id(), shardId, keys, owners);
    }

    /** After a tracking client's command: its deferred invalidations leave; CLIENT CACHING's flag lasts one command (or one transaction). */
    void afterCommand(int id) {
        if (afterReply != null) {
            List<RedisMessage> payloads = afterReply;
            afterReply = null;
            local.tracking().sendDeferred(this, payloads);
        }
        ClientTracking t = session.tracking;
        if (t != null && t.caching() && session.multi == null && (id < 0 || !commands.fullName(id).startsWith("client|"))) {
            t.caching(false);
        }
    }

    /** The connection closed ({@code closed}) or was RESET: tracking is off, the shards forget what they remember of its reads. */
    void end(boolean closed) {
        if (session.tracking != null) {
            if (closed) {
                local.tracking().closed(this, session.tracking);
            } else {
                local.tracking().disable(this, session.tracking);
            }
            session.tracking = null;
        }
    }
}
