package io.percore.demo.shard;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.engine.ShardFuture;

/**
 * What a blocking command takes from one of its keys once that key has data, and how it answers:
 * the part of Redis's {@code serveClientBlockedOnList} (and {@code ...OnSortedSetKey}) that
 * depends on the type. {@link BlockedClients} and {@link KeyWaiters} do the rest (waiting, timeouts,
 * serving in order, crossing shards) for any implementation: a list pop (BLPOP, BLMPOP), a list
 * move (BLMOVE), a sorted-set pop (BZPOPMIN, BZMPOP), and a stream read (XREAD, XREADGROUP), which
 * takes nothing away (a read, or a delivery to a consumer group) and so says when it is ready.
 *
 * <p>An instance travels between shards with the command, so it must be immutable. What
 * {@link #take} returns travels back to the client's shard and, when the client is no longer
 * waiting, back to the key's shard for {@link #putBack}: it must be a value no store refers to.
 */
public interface BlockingPop {

    /** The type this pop takes from: a key holding another type neither serves nor wakes it (Redis 7.0). */
    ValueType type();

    /**
     * On the key's shard: takes what the command wants from {@code key}, or returns null when the
     * key is missing (a list, set or zset is never empty). The key, and anything else the command
     * checks on this shard first (BLMOVE's destination), must be of the right type.
     *
     * @throws io.percore.demo.kv.WrongTypeException when a key checked here holds another type; nothing is taken
     */
    Object take(ValueStore store, byte[] key, long now);

    /**
     * On the key's shard: returns what {@link #take} took to where it was taken from, because the
     * client it was taken for was no longer waiting. Creates the key if it is missing; a key that
     * now holds another type was overwritten after the take, which would have destroyed the value
     * anyway, and keeps what it holds.
     */
    void putBack(ValueStore store, byte[] key, Object taken, long now);

    /**
     * On the client's shard: the reply for what was taken from {@code key}. May do more work first
     * (BLMOVE pushes to its destination, on any shard), and if that fails must return the taken
     * value with {@link KeyWaiters#putBack} before failing, so nothing is lost.
     */
    ShardFuture<RedisMessage> reply(Keyspace keyspace, byte[] key, Object taken);

    /**
     * On the key's shard, in a first try: whether {@code key} (holding {@code type}, null when
     * missing) answers this command now, by having something to take or by being of another type
     * (WRONGTYPE), rather than being waited on. The default: any key that exists; a stream read
     * waits on a stream with nothing past its ID.
     */
    default boolean ready(ValueStore store, byte[] key, ValueType type, long now) {
        return type != null;
    }

    /**
     * On the key's shard, when the key was signalled: whether this waiter is offered it now, its
     * {@link #take} then deciding (something, or null to keep waiting). The default: the key holds
     * this pop's type (Redis 7.0: a key of another type wakes nobody). XREADGROUP is offered its key
     * whatever it holds: a stream deleted, replaced or without its group fails it.
     */
    default boolean wakes(ValueType type) {
        return type == type();
    }

    /** Whether this waiter is offered its key when the key is gone (see {@link #wakes}): false for every pop but XREADGROUP's. */
    default boolean wakesOnDeletion() {
        return false;
    }

    /** The reply when no key has data and the command may not block (inside MULTI, or while the server drains). */
    RedisMessage nothingReply();
}
