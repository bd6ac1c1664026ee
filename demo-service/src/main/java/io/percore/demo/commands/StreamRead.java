package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.BlockingPop;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.List;
import java.util.Map;

/**
 * What a blocked XREAD or XREADGROUP does when one of its streams gets entries (Redis's
 * {@code serveClientsBlockedOnStreamKey}): XREAD reads the entries past its ID for that stream,
 * taking nothing away (every client waiting on the stream reads them); XREADGROUP delivers the
 * entries past its group's last ID to its consumer, as its synchronous form does, and fails when its
 * stream is deleted or replaced ({@code -UNBLOCKED}) or its group destroyed ({@code -NOGROUP}). The
 * reply names the one stream served, as Redis's does.
 *
 * @param after    XREAD: the ID each stream must be read past (its first occurrence's); unused for XREADGROUP
 * @param count    the most entries (Redis's default for a blocked read, 1000, when COUNT was 0)
 * @param group    XREADGROUP's group, or null for XREAD
 * @param consumer XREADGROUP's consumer
 */
record StreamRead(Map<ByteString, StreamId> after, long count, byte[] group, byte[] consumer, boolean noack) implements BlockingPop {

    /** Redis's XREAD_BLOCKED_DEFAULT_COUNT: a blocked read without COUNT gets at most this many entries. */
    static final long BLOCKED_DEFAULT_COUNT = 1000;

    /** What was read for the client. */
    private record Served(byte[] key, RedisMessage entries, StreamDelivery.Delivered delivered) {
    }

    /** Why an XREADGROUP client is answered with an error. */
    private record Failed(String error) {
    }

    @Override
    public ValueType type() {
        return ValueType.STREAM;
    }

    @Override
    public boolean ready(ValueStore store, byte[] key, ValueType type, long now) {
        if (type != ValueType.STREAM) {
            return group != null || type != null; // another type answers (WRONGTYPE); a group's missing stream fails
        }
        StreamValue s = (StreamValue) store.stored(key, now).value();
        if (group == null) {
            return s.length() > 0 && s.lastValidId().compareTo(after.get(new ByteString(key))) > 0;
        }
        StreamGroup g = s.group(group);
        return g == null || (s.length() > 0 && s.lastValidId().compareTo(g.lastId()) > 0);
    }

    @Override
    public boolean wakes(ValueType type) {
        return group != null || type == ValueType.STREAM;
    }

    @Override
    public boolean wakesOnDeletion() {
        return group != null;
    }

    @Override
    public Object take(ValueStore store, byte[] key, long now) {
        if (group == null) {
            StreamValue s = store.readStream(key, now);
            StreamId gt = after.get(new ByteString(key));
            if (s == null || s.lastId().compareTo(gt) <= 0) {
                return null;
            }
            StreamId start = gt.next();
            return new Served(key, StreamReplies.range(s, start == null ? StreamId.MIN : start, null, count, false, true), null);
        }
        if (store.typeOf(key, now) != ValueType.STREAM) {
            return new Failed("UNBLOCKED the stream key no longer exists");
        }
        StreamValue s = store.writeStream(key, now);
        StreamGroup g = s.group(group);
        if (g == null) {
            return new Failed("NOGROUP the consumer group this client was blocked on no longer exists");
        }
        if (s.lastId().compareTo(g.lastId()) <= 0) {
            return null;
        }
        StreamDelivery.Delivered d = StreamDelivery.deliverNew(store, key, s, g, consumer, count, noack, now);
        return new Served(key, d.entries(), d);
    }

    @Override
    public void putBack(ValueStore store, byte[] key, Object taken, long now) {
        if (taken instanceof Served served && served.delivered() != null) {
            StreamDelivery.takeBack(store, key, group, served.delivered(), now);
        } // a read takes nothing away; a failure took nothing
    }

    @Override
    public ShardFuture<RedisMessage> reply(Keyspace keyspace, byte[] key, Object taken) {
        if (taken instanceof Failed failed) {
            return ShardFuture.completed(RespReplies.error(failed.error()));
        }
        Served served = (Served) taken;
        return ShardFuture.completed(new Resp3Replies.KeyedReply(List.of(RespReplies.bulk(served.key()), served.entries())));
    }

    @Override
    public RedisMessage nothingReply() {
        return ArrayRedisMessage.NULL_INSTANCE;
    }
}
