package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.BlockingPop;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.resp.RespReplies;

/**
 * A list pop for a blocked client (BLPOP, BRPOP, BLMPOP, and LMPOP's non-blocking run): one
 * element from the head or the tail, answered {@code [key, element]}, or with {@code count} up
 * to that many, answered {@code [key, [elements]]} (Redis's {@code listPopRangeAndReplyWithKey}).
 *
 * @param left  pop from the head (LEFT) or the tail (RIGHT)
 * @param count -1 for the single-element form, else at least 1
 */
record ListPop(boolean left, long count) implements BlockingPop {

    static ListPop single(boolean left) {
        return new ListPop(left, -1);
    }

    @Override
    public ValueType type() {
        return ValueType.LIST;
    }

    /** One byte[] element, or for the counted form a byte[][] in the order popped. */
    @Override
    public Object take(ValueStore store, byte[] key, long now) {
        ListValue l = store.writeList(key, now);
        if (l == null) {
            return null;
        }
        long before = l.bytes();
        Object taken;
        if (count < 0) {
            taken = left ? l.removeFirst() : l.removeLast();
            store.changes().propagate(ListCommands.popOne(key, left)); // a served BLPOP replays as the pop
        } else {
            byte[][] elements = new byte[(int) Math.min(count, l.size())][];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = left ? l.removeFirst() : l.removeLast();
            }
            taken = elements;
            store.changes().propagate(left ? Effects.LPOP : Effects.RPOP, key, Effects.number(elements.length));
        }
        store.resized(key, l.bytes() - before);
        ListCommands.popped(store, key, l, left, now); // what Redis notifies when it serves a blocked pop
        return taken;
    }

    @Override
    public void putBack(ValueStore store, byte[] key, Object taken, long now) {
        ValueType type = store.typeOf(key, now);
        if (type != null && type != ValueType.LIST) {
            return; // overwritten since: what it held (the taken elements included) is gone
        }
        byte[][] elements = taken instanceof byte[] one ? new byte[][] {one} : (byte[][]) taken;
        ListValue l = ListCommands.forWrite(store, key, now);
        long before = l.bytes();
        byte[][] push = new byte[elements.length + 2][];
        push[0] = left ? Effects.LPUSH : Effects.RPUSH;
        push[1] = key;
        for (int i = elements.length - 1; i >= 0; i--) { // the last one popped goes back first
            if (left) {
                l.addFirst(elements[i]);
            } else {
                l.addLast(elements[i]);
            }
            push[elements.length + 1 - i] = elements[i];
        }
        store.resized(key, l.bytes() - before);
        store.changes().propagate(push);
        store.notify(KeyspaceEvents.LIST, left ? "lpush" : "rpush", key); // the elements are back: subscribers see them return
    }

    @Override
    public ShardFuture<RedisMessage> reply(Keyspace keyspace, byte[] key, Object taken) {
        RedisMessage value;
        if (taken instanceof byte[] element) {
            value = RespReplies.bulk(element);
        } else {
            byte[][] elements = (byte[][]) taken;
            List<RedisMessage> items = new ArrayList<>(elements.length);
            for (byte[] e : elements) {
                items.add(RespReplies.bulk(e));
            }
            value = new ArrayRedisMessage(items);
        }
        return ShardFuture.completed(new ArrayRedisMessage(List.of(RespReplies.bulk(key), value)));
    }

    @Override
    public RedisMessage nothingReply() {
        return ArrayRedisMessage.NULL_INSTANCE;
    }
}
