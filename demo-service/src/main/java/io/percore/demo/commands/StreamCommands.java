package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * The stream commands on entries (Redis's {@code t_stream.c}): XADD, XRANGE, XREVRANGE, XLEN, XDEL,
 * XTRIM, XSETID, each on the shard owning its key, with Redis 7.0.15's replies and errors in its
 * order. A stream stays when its last entry goes (streams are not deleted when empty). Every change
 * reports the stream's new size to the store, and its effect as Redis propagates it: XADD with the ID
 * it made, an approximate trim as the exact one it came to.
 */
public final class StreamCommands {

    private StreamCommands() {
    }

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
    public static RedisMessage xadd(ValueStore ks, byte[][] argv, long now) {
        StreamTrimArgs a = StreamTrimArgs.parse(argv, true, ks.encodings().stream().nodeMaxEntries());
        int fieldsAt = a.idAt + 1;
        int pairs = argv.length - fieldsAt;
        if (pairs < 2 || pairs % 2 == 1) {
            throw RespReplies.wrongArgs("xadd");
        }
        if (a.id != null && a.id.seqGiven() && a.id.id().isZero()) {
            throw new RespError("ERR The ID specified in XADD must be greater than 0-0");
        }
        byte[] key = argv[1];
        StreamValue s = ks.writeStream(key, now);
        if (s == null && a.noMkStream) {
            return RespReplies.NIL;
        }
        long total = 0;
        for (int i = fieldsAt; i < argv.length; i++) {
            total += argv[i].length;
        }
        ks.memory().requireFits(total); // an entry larger than the shard's whole budget: refused before anything is made
        if (s == null) {
            s = new StreamValue();
            ks.set(key, ValueType.STREAM, s, ValueStore.NO_EXPIRY);
        }
        if (s.lastId().isMax()) {
            throw new RespError("ERR The stream has exhausted the last possible ID, unable to add more items");
        }
        if (total > StreamValue.NODE_MAX_SIZE) {
            throw new RespError("ERR Elements are too large to be stored");
        }
        long before = s.bytes();
        StreamId id = s.append(a.id == null ? null : a.id.id(), a.id == null || a.id.seqGiven(), argv, fieldsAt, pairs / 2,
                ks.encodings().stream(), now);
        if (id == StreamValue.NOT_GREATER) {
            throw new RespError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        }
        byte[] idBytes = id.bytes();
        ks.notify(KeyspaceEvents.STREAM, "xadd", key);
        if (a.strategy != StreamValue.TrimStrategy.NONE && a.trim(s) != 0) {
            ks.notify(KeyspaceEvents.STREAM, "xtrim", key);
        }
        ks.resized(key, s.bytes() - before);
        boolean idMade = a.id == null || !a.id.seqGiven();
        if (idMade || a.approx) {
            KeyspaceChanges changes = ks.changes();
            if (changes.followed()) {
                changes.propagate(a.rewritten(argv, s, idMade ? idBytes : null));
            } else {
                changes.propagated();
            }
        }
        ks.changes().keyReady(key); // clients blocked on the stream read the new entry (Redis's signalKeyAsReady)
        return RespReplies.bulk(idBytes);
    }

    /** XRANGE key start end [COUNT count] */
    public static RedisMessage xrange(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, false);
    }

    /** XREVRANGE key end start [COUNT count] */
    public static RedisMessage xrevrange(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, true);
    }

    private static RedisMessage range(ValueStore ks, byte[][] argv, long now, boolean rev) {
        StreamId start = StreamIds.intervalStart(rev ? argv[3] : argv[2]);
        StreamId end = StreamIds.intervalEnd(rev ? argv[2] : argv[3]);
        long count = -1;
        for (int j = 4; j < argv.length; j++) {
            if ("count".equalsIgnoreCase(StreamIds.cString(argv[j])) && j + 1 < argv.length) {
                count = Math.max(0, RespNumbers.requireLong(argv[++j]));
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        StreamValue s = ks.readStream(argv[1], now);
        if (s == null) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        if (count == 0) {
            return ArrayRedisMessage.NULL_INSTANCE;
        }
        return StreamReplies.range(s, start, end, count == -1 ? 0 : count, rev, false);
    }

    /** XLEN key */
    public static RedisMessage xlen(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = ks.readStream(argv[1], now);
        return s == null ? RespReplies.ZERO : RespReplies.integer(s.length());
    }

    /** XDEL key id [id ...] */
    public static RedisMessage xdel(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = ks.writeStream(argv[1], now);
        if (s == null) {
            return RespReplies.ZERO;
        }
        StreamId[] ids = new StreamId[argv.length - 2];
        for (int j = 2; j < argv.length; j++) {
            ids[j - 2] = StreamIds.parseStrict(argv[j], 0);
        }
        long before = s.bytes();
        long deleted = 0;
        boolean firstDeleted = false;
        for (StreamId id : ids) {
            StreamId first = s.firstId();
            if (s.delete(id.ms(), id.seq())) {
                firstDeleted |= id.equals(first);
                deleted++;
            }
        }
        if (deleted != 0) {
            s.afterDeletes(firstDeleted);
            ks.resized(argv[1], s.bytes() - before);
            ks.notify(KeyspaceEvents.STREAM, "xdel", argv[1]);
        }
        return RespReplies.integer(deleted);
    }

    /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
    public static RedisMessage xtrim(ValueStore ks, byte[][] argv, long now) {
        StreamTrimArgs a = StreamTrimArgs.parse(argv, false, ks.encodings().stream().nodeMaxEntries());
        StreamValue s = ks.writeStream(argv[1], now);
        if (s == null) {
            return RespReplies.ZERO;
        }
        long before = s.bytes();
        long deleted = a.trim(s);
        if (deleted != 0) {
            ks.resized(argv[1], s.bytes() - before);
            ks.notify(KeyspaceEvents.STREAM, "xtrim", argv[1]);
            if (a.approx) {
                KeyspaceChanges changes = ks.changes();
                if (changes.followed()) {
                    changes.propagate(a.rewritten(argv, s, null));
                } else {
                    changes.propagated();
                }
            }
        }
        return RespReplies.integer(deleted);
    }

    /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
    public static RedisMessage xsetid(ValueStore ks, byte[][] argv, long now) {
        StreamId id = StreamIds.parseStrict(argv[2], 0);
        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.MIN;
        for (int i = 3; i < argv.length; i += 2) {
            String opt = StreamIds.cString(argv[i]);
            boolean more = i + 1 < argv.length;
            if ("entriesadded".equalsIgnoreCase(opt) && more) {
                entriesAdded = RespNumbers.requireLong(argv[i + 1]);
                if (entriesAdded < 0) {
                    throw new RespError("ERR entries_added must be positive");
                }
            } else if ("maxdeletedid".equalsIgnoreCase(opt) && more) {
                maxDeleted = StreamIds.parseStrict(argv[i + 1], 0);
                if (id.compareTo(maxDeleted) < 0) {
                    throw new RespError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                }
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        StreamValue s = ks.writeStream(argv[1], now);
        if (s == null) {
            throw new RespError(RespReplies.NO_SUCH_KEY);
        }
        if (s.length() > 0) {
            if (id.compareTo(s.lastValidId()) < 0) {
                throw new RespError("ERR The ID specified in XSETID is smaller than the target stream top item");
            }
            if (entriesAdded != -1 && s.length() > entriesAdded) {
                throw new RespError("ERR The entries_added specified in XSETID is smaller than the target stream length");
            }
        }
        s.setId(id, entriesAdded, maxDeleted);
        ks.modified(argv[1]);
        ks.notify(KeyspaceEvents.STREAM, "xsetid", argv[1]);
        return RespReplies.OK;
    }
}
