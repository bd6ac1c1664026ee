package io.percore.demo.command;

/**
 * What CLIENT, MONITOR and RESET change or read of the connection that sent them (Redis's client
 * flags); the RESP connection implements it. Kept apart from {@link CommandContext} so the data
 * commands see only what they need.
 */
public interface ConnectionControl {

    /** CLIENT ID: the connection's id, unique in the process. */
    long id();

    /** CLIENT INFO: the connection's line of CLIENT LIST, without the newline. */
    String info();

    /** CLIENT REPLY {@code on}, {@code off} or {@code skip} (lower case). */
    void replyMode(String mode);

    /** CLIENT NO-EVICT ON|OFF (reported in the flags as {@code e}; no client is ever evicted here). */
    void noEvict(boolean on);

    /**
     * MONITOR: from now on the connection receives every command run on any shard.
     * @return done once every shard feeds it, or null if it already was a monitor
     */
    io.percore.engine.ShardFuture<Void> monitor();

    /**
     * PSYNC or SYNC: the connection becomes the link of a replica, which from now on is sent the
     * replication stream on the returned channel; what it sends goes to {@code events}, nothing is
     * run or answered. @return the channel, or null when it cannot (replies are outstanding, a monitor)
     */
    io.netty.channel.Channel becomeReplica(io.percore.demo.replication.ReplicaEvents events);

    /** Whether the connection is a replica's link. */
    boolean replica();

    /**
     * CLIENT TRACKING turned tracking on or off ({@link RespSession#tracking}): the connection
     * follows it (while on, each command learns what the shards it reaches must know for tracking).
     */
    void trackingChanged();

    /**
     * What the shards a command of this connection reaches must know for client tracking (see
     * {@link io.percore.demo.tracking.TrackedCommand}), or null: none while tracking is off. For the
     * commands EXEC runs, each of which is a call of its own for tracking, as in Redis.
     */
    io.percore.demo.tracking.TrackedCommand trackedCommand(int id, byte[][] argv);

    /** This connection as tracking sees it (the receiver of its invalidations). */
    io.percore.demo.tracking.TrackingReceiver trackingReceiver();

    /**
     * RESET: leaves MONITOR, CLIENT REPLY ON, no name, RESP2, authenticated only when no password
     * is set, NO-EVICT off, tracking off. MULTI/WATCH and pub/sub state are reset by their own hooks
     * ({@link RespSession#reset}).
     */
    void reset();
}
