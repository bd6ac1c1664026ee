package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.kv.ZSetValue.Entry;
import io.percore.demo.shard.BlockingPop;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * A sorted-set pop for a blocked client (BZPOPMIN, BZPOPMAX, BZMPOP, and ZMPOP's non-blocking
 * run): the lowest or highest entries of one sorted set, answered as Redis's
 * {@code genericZpopCommand} answers the blocking forms: {@code [key, member, score]} for
 * BZPOPMIN/BZPOPMAX, {@code [key, [[member, score], ...]]} for BZMPOP and ZMPOP, the score a
 * double in RESP3.
 *
 * @param max   the highest scores (MAX) or the lowest (MIN)
 * @param count -1 for BZPOPMIN/BZPOPMAX's single entry, else at least 1 (the nested reply)
 */
record ZSetPop(boolean max, long count) implements BlockingPop {

    static ZSetPop single(boolean max) {
        return new ZSetPop(max, -1);
    }

    @Override
    public ValueType type() {
        return ValueType.ZSET;
    }

    /** The entries popped, in the order popped (ascending for MIN, descending for MAX); an immutable list. */
    @Override
    public Object take(ValueStore store, byte[] key, long now) {
        ZSetValue z = store.writeZSet(key, now);
        if (z == null) {
            return null;
        }
        return List.copyOf(ZSetCommands.popFrom(store, key, z, count < 0 ? 1 : count, max, now));
    }

    /**
     * Returns the entries to the set. A member that is there again was added since the pop, by a
     * command that would have replaced the popped score had the pop not happened: it keeps its
     * newer score.
     */
    @Override
    public void putBack(ValueStore store, byte[] key, Object taken, long now) {
        ValueType type = store.typeOf(key, now);
        if (type != null && type != ValueType.ZSET) {
            return; // overwritten since: what it held (the taken entries included) is gone
        }
        @SuppressWarnings("unchecked")
        List<Entry> entries = (List<Entry>) taken;
        ZSetValue z = store.writeZSet(key, now);
        // ZADD NX: absent members come back with their old score, a member added since keeps its own
        byte[][] zadd = new byte[3 + 2 * entries.size()][];
        zadd[0] = Effects.ZADD;
        zadd[1] = key;
        zadd[2] = Effects.NX;
        for (int i = 0; i < entries.size(); i++) {
            zadd[3 + 2 * i] = RespDoubles.format(entries.get(i).score());
            zadd[4 + 2 * i] = entries.get(i).member();
        }
        if (z == null) {
            List<Entry> ascending = new ArrayList<>(entries);
            if (max) {
                java.util.Collections.reverse(ascending);
            }
            store.set(key, ValueType.ZSET, ZSetValue.of(ascending, store.encodings().zset()), ValueStore.NO_EXPIRY);
            store.changes().propagate(zadd);
            store.notify(KeyspaceEvents.ZSET, "zadd", key); // the entries are back: subscribers see them return
            return;
        }
        long before = z.bytes();
        boolean added = false;
        for (Entry e : entries) {
            if (Double.isNaN(z.score(e.member()))) {
                z.insert(e.member(), e.score(), store.encodings().zset());
                added = true;
            }
        }
        if (added) {
            store.resized(key, z.bytes() - before);
            store.changes().propagate(zadd);
            store.notify(KeyspaceEvents.ZSET, "zadd", key);
        }
    }

    @Override
    public ShardFuture<RedisMessage> reply(Keyspace keyspace, byte[] key, Object taken) {
        @SuppressWarnings("unchecked")
        List<Entry> entries = (List<Entry>) taken;
        if (count < 0) {
            Entry e = entries.get(0);
            return ShardFuture.completed(new ArrayRedisMessage(List.of(bulk(key), bulk(e.member()), ZSetCommands.score(e.score()))));
        }
        return ShardFuture.completed(new ArrayRedisMessage(List.of(bulk(key), ZSetCommands.pairs(entries))));
    }

    @Override
    public RedisMessage nothingReply() {
        return ArrayRedisMessage.NULL_INSTANCE; // Redis's reply of every zset pop that finds nothing and may not block
    }
}
