package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Sharded;

/**
 * What a command sees of its caller: its replies (in request order), through {@link #caller()} who
 * it runs for (the client's session, memory and connection), and through {@link #services()} what every caller on the shard shares (the keyspace, the server's
 * per-shard state, pub/sub, the command table). The RESP connection, a replayed feed's client, a
 * script's {@code redis.call} and EXEC implement it; commands depend on this interface only, so the
 * callers' internals can change under them.
 */
public interface CommandContext {

    /** A reply position in the connection's output order, filled later (from a continuation on this shard). */
    interface PendingReply {
        void complete(RedisMessage reply);
    }

    /** What the command reaches on its shard, the same for every caller there. */
    ShardServices services();

    /** Who the command runs for: the client's session, memory, addresses and connection. */
    Caller caller();

    /** The shard this caller (and so this command) runs on. */
    default Shard shard() {
        return services().shard();
    }

    /**
     * The command's "now" in epoch milliseconds, for expiry and LRU: taken when it started, as
     * Redis's call() snapshots its time for a command (a connection derives it from the start it
     * reads for the command's latency: no second clock call).
     */
    default long nowMillis() {
        return System.currentTimeMillis();
    }

    /**
     * The sharded keyspace as this caller's command sees it, the one way to reach another shard's
     * values: a tracking client's or a transaction's view of it where they have one.
     */
    default Keyspace keyspace() {
        return services().keyspace();
    }

    /** Pub/sub across shards: this shard's subscriptions and publishing to every shard. */
    default PubSub pubsub() {
        return services().pubsub();
    }

    /** This caller as the receiver of pub/sub messages. */
    default Subscriber subscriber() {
        return caller().subscriber();
    }

    /** This shard's part of the keyspace: its value store, reservation and blocked clients. */
    default KeyspaceShard local() {
        return services().local();
    }

    /** What the server keeps on this shard for its operators: clients, CONFIG values, slow log, counters. */
    default ServerShard server() {
        return services().server();
    }

    /** The server's per-shard service: the way to another shard's {@link ServerShard}. */
    default Sharded<ServerShard> servers() {
        return services().servers();
    }

    default RespSettings settings() {
        return services().settings();
    }

    default CommandTable commands() {
        return services().commands();
    }

    /** What the client holds, as the shards that make its replies see it (and stop when it is over its bounds). */
    default ClientMemory memory() {
        return caller().memory();
    }

    default RespSession session() {
        return caller().session();
    }

    /** The client's address, {@code host:port}. */
    default String remoteAddress() {
        return caller().remoteAddress();
    }

    /** This server's address of the connection, {@code host:port}. */
    default String localAddress() {
        return caller().localAddress();
    }

    /** The connection's own state, for CLIENT, MONITOR and RESET. */
    default ConnectionControl connection() {
        return caller().connection();
    }

    /**
     * SELECT: the caller's commands from now on run against database {@code db}, which the command
     * checked (a connection's selection lasts until the next SELECT or RESET; a script's ends with it).
     */
    default void select(int db) {
        throw new UnsupportedOperationException("SELECT for " + getClass().getSimpleName());
    }

    /** Replies now if nothing is outstanding before it, otherwise queues it in order. */
    void reply(RedisMessage reply);

    /**
     * A pub/sub confirmation (subscribe, unsubscribe, ...): in order with the replies, but written
     * even under CLIENT REPLY OFF/SKIP, as Redis writes them while "pushing".
     */
    default void replyPushing(RedisMessage reply) {
        reply(reply);
    }

    /** Replies, then closes the connection once the reply is written (QUIT). */
    void replyAndClose(RedisMessage reply);

    /** Takes the next position in the reply order. */
    PendingReply reserve();

    /** See {@link Caller#draining()}. */
    default boolean draining() {
        return caller().draining();
    }

    /**
     * Whether a blocking command may wait here: false for the commands EXEC runs (Redis's
     * CLIENT_DENY_BLOCKING inside MULTI), which then answer at once as if no key had data.
     */
    default boolean mayBlock() {
        return true;
    }

    /**
     * Whether the command must have answered when its handler returns (a script's {@code redis.call}:
     * the script cannot wait for a later task), so work otherwise sliced over tasks is done at once.
     */
    default boolean answersAtOnce() {
        return false;
    }

    /**
     * Whether the commands come from a source that must be obeyed whatever their cost (the
     * append-only file, a primary's stream; Redis's {@code mustObeyClient}): a FUNCTION LOAD then
     * has no time bound.
     */
    default boolean obeysWithoutLimits() {
        return false;
    }

    /** Holds back this connection's later commands until {@link #endBarrier()} (multi-step commands). */
    void beginBarrier();

    /** Releases the barrier and runs the commands that waited, in order. */
    void endBarrier();

    /**
     * A reply outside a read is about to be given before {@link #endBarrier()} runs the commands that
     * waited: when there are some, the connection may flush its replies once at the end of the turn
     * rather than once each (a pipeline of scripts).
     */
    default void replyBeforeHeldCommands() {
    }

    /** Takes the next reply position and fills it from {@code future}, turning a failure into an error reply. */
    default void replyLater(ShardFuture<? extends RedisMessage> future) {
        completeFrom(reserve(), future);
    }

    /** Fills {@code slot} from {@code future}, turning a failure into an error reply. */
    default void completeFrom(PendingReply slot, ShardFuture<? extends RedisMessage> future) {
        future.whenComplete((reply, failure) -> slot.complete(failure == null ? reply : RespReplies.forFailure(failure)));
    }

    /**
     * EXEC ran one of its queued commands ({@code id} in the command table, or -1 when unknown) for
     * this connection: counted, logged and shown to monitors as a command of its own, as in Redis.
     */
    default void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
    }

    /**
     * EXEC refused one of its queued commands ({@code error}: the ACL changed since it was queued): not a call, its
     * error counted for this connection, as Redis's {@code execCommand} answers it.
     */
    default void refusedInTransaction(RedisMessage error) {
    }
}
