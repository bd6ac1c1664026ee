package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.BlockingPop;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import io.percore.demo.resp.RespReplies;

/**
 * BLMOVE (and BRPOPLPUSH) for a blocked client: one element popped from the source on its shard,
 * pushed onto {@code destination} on that key's shard, answered with the element. As in Redis a
 * destination of another type answers WRONGTYPE and leaves the element in the source: checked
 * before the pop when the destination lives on the source's shard; otherwise found by the push,
 * after which the element is put back where it was popped from. A destination that is the source is a
 * rotation done in one step on its shard ({@link Rotated}), as Redis serves it: the list never empty in
 * between, its time to live kept.
 */
record ListMove(boolean fromLeft, byte[] destination, boolean toLeft) implements BlockingPop {

    /**
     * What a rotation took: already pushed back, nothing left to push or to put back. Its array is the list's own, shared
     * as list elements are (never changed in place).
     */
    private record Rotated(byte[] element) {
    }

    @Override
    public ValueType type() {
        return ValueType.LIST;
    }

    @Override
    public Object take(ValueStore store, byte[] key, long now) {
        ListValue l = store.writeList(key, now);
        if (l == null) {
            return null;
        }
        // A store holds only the keys its shard owns: this checks the destination exactly when it lives here.
        store.writeList(destination, now);
        long before = l.bytes();
        byte[] element = fromLeft ? l.removeFirst() : l.removeLast();
        store.resized(key, l.bytes() - before);
        if (java.util.Arrays.equals(key, destination)) {
            ListCommands.rotated(store, key, element, fromLeft, toLeft);
            ListCommands.popped(store, key, l, fromLeft, now);
            return new Rotated(element);
        }
        ListCommands.popped(store, key, l, fromLeft, now);
        store.changes().propagate(ListCommands.popOne(key, fromLeft)); // the push is reported on its own shard
        return element;
    }

    @Override
    public void putBack(ValueStore store, byte[] key, Object taken, long now) {
        if (taken instanceof Rotated) {
            return; // nothing was taken out: the rotation stands, as in Redis once a blocked client is served
        }
        ListPop.single(fromLeft).putBack(store, key, taken, now);
    }

    @Override
    public ShardFuture<RedisMessage> reply(Keyspace keyspace, byte[] key, Object taken) {
        if (taken instanceof Rotated rotated) {
            return ShardFuture.completed(RespReplies.bulk(rotated.element()));
        }
        byte[] element = (byte[]) taken;
        byte[] dst = destination;
        boolean left = toLeft;
        return keyspace.invokeOn(keyspace.shardOf(dst), st -> {
                    ListCommands.pushOneReported(st.store(), dst, element, left);
                    return Boolean.TRUE;
                })
                .handle((pushed, failure) -> failure == null
                        ? ShardFuture.completed((RedisMessage) RespReplies.bulk(element))
                        : keyspace.invokeOn(keyspace.shardOf(key), st -> {
                            st.keyWaiters().putBack(st.store(), key, this, taken);
                            return (RedisMessage) RespReplies.forFailure(failure);
                        }))
                .flatMap(f -> f);
    }

    @Override
    public RedisMessage nothingReply() {
        return RespReplies.NIL; // Redis's BLMOVE under CLIENT_DENY_BLOCKING: a null bulk
    }
}
