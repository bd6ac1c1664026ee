package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.StreamConsumer;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamIterator;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.EncodedReply;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespEncoder;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import java.util.ArrayList;
import java.util.List;

/**
 * XINFO (Redis's {@code xinfoCommand}): STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP, maps in
 * RESP3 and flat arrays in RESP2 as Redis replies them. FULL lists at most COUNT entries and pending
 * entries per group and per consumer (10 by default, 0 for all, as in Redis).
 */
public final class StreamInfoCommands {

    private StreamInfoCommands() {
    }

    private static StreamValue existing(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = ks.readStream(argv[2], now);
        if (s == null) {
            throw new RespError(RespReplies.NO_SUCH_KEY);
        }
        return s;
    }

    /** XINFO HELP */
    public static RedisMessage help(ValueStore ks, byte[][] argv, long now) {
        return RespReplies.help(argv[0],
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.");
    }

    /** XINFO CONSUMERS key group */
    public static RedisMessage consumers(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = existing(ks, argv, now);
        StreamGroup g = s.group(argv[3]);
        if (g == null) {
            throw new RespError("NOGROUP No such consumer group '" + RespReplies.ascii(argv[3]) + "' for key name '"
                    + RespReplies.ascii(argv[2]) + "'");
        }
        List<RedisMessage> out = new ArrayList<>(g.consumerCount());
        for (StreamConsumer c : g.consumers()) {
            out.add(map("name", RespReplies.bulk(c.name()),
                    "pending", RespReplies.integer(c.pendingCount()),
                    "idle", RespReplies.integer(Math.max(0, now - c.seenTime()))));
        }
        return StreamReplies.array(out);
    }

    /** XINFO GROUPS key */
    public static RedisMessage groups(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = existing(ks, argv, now);
        List<RedisMessage> out = new ArrayList<>(s.groupCount());
        for (StreamGroup g : s.groups()) {
            out.add(map("name", RespReplies.bulk(g.name()),
                    "consumers", RespReplies.integer(g.consumerCount()),
                    "pending", RespReplies.integer(g.pendingCount()),
                    "last-delivered-id", StreamReplies.id(g.lastId()),
                    "entries-read", entriesRead(g),
                    "lag", lag(s, g)));
        }
        return StreamReplies.array(out);
    }

    /** XINFO STREAM key [FULL [COUNT count]] */
    public static RedisMessage stream(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = existing(ks, argv, now);
        int options = argv.length - 3;
        boolean full = options > 0;
        long count = 10;
        if (full) {
            if (options != 1 && options != 3) {
                throw StreamGroupCommands.subcommandSyntax(argv);
            }
            if (!"full".equalsIgnoreCase(StreamIds.cString(argv[3]))) {
                throw StreamGroupCommands.subcommandSyntax(argv);
            }
            if (options == 3) {
                if (!"count".equalsIgnoreCase(StreamIds.cString(argv[4]))) {
                    throw StreamGroupCommands.subcommandSyntax(argv);
                }
                count = RespNumbers.requireLong(argv[5]);
                if (count < 0) {
                    count = 10;
                }
            }
        }
        List<RedisMessage> m = new ArrayList<>(20);
        m.add(RespReplies.bulk("length"));
        m.add(RespReplies.integer(s.length()));
        m.add(RespReplies.bulk("radix-tree-keys"));
        m.add(RespReplies.integer(s.nodeCount()));
        m.add(RespReplies.bulk("radix-tree-nodes"));
        m.add(RespReplies.integer(s.radixTreeNodes()));
        m.add(RespReplies.bulk("last-generated-id"));
        m.add(StreamReplies.id(s.lastId()));
        m.add(RespReplies.bulk("max-deleted-entry-id"));
        m.add(StreamReplies.id(s.maxDeletedId()));
        m.add(RespReplies.bulk("entries-added"));
        m.add(RespReplies.integer(s.entriesAdded()));
        m.add(RespReplies.bulk("recorded-first-entry-id"));
        m.add(StreamReplies.id(s.firstId()));
        if (!full) {
            m.add(RespReplies.bulk("groups"));
            m.add(RespReplies.integer(s.groupCount()));
            m.add(RespReplies.bulk("first-entry"));
            m.add(edge(s, false));
            m.add(RespReplies.bulk("last-entry"));
            m.add(edge(s, true));
            return new Resp3Replies.MapReply(m);
        }
        m.add(RespReplies.bulk("entries"));
        EncodedReply entries = StreamReplies.range(s, null, null, count, false, false);
        m.add(entries);
        m.add(RespReplies.bulk("groups"));
        List<RedisMessage> groups = new ArrayList<>(s.groupCount());
        long[] held = {entries.length()}; // the reply's bytes so far: with COUNT 0 it lists every pending entry of every group
        for (StreamGroup g : s.groups()) {
            groups.add(fullGroup(s, g, count, held));
        }
        m.add(new ArrayRedisMessage(groups));
        return new Resp3Replies.MapReply(m);
    }

    private static RedisMessage edge(StreamValue s, boolean last) {
        StreamIterator it = s.iterator(null, null, last);
        return it.next() ? StreamReplies.entry(it) : RespReplies.NIL;
    }

    private static RedisMessage fullGroup(StreamValue s, StreamGroup g, long count, long[] held) {
        RespEncoder pending = new RespEncoder(64);
        long n = 0;
        for (StreamGroup.PendingCursor p = g.firstPending(); p.valid() && (count == 0 || n < count); p.next()) {
            pending.arrayHeader(4);
            pending.bulk(StreamId.format(p.ms(), p.seq()));
            pending.bulk(p.nack().consumer().name());
            pending.integer(p.nack().deliveryTime());
            pending.integer(p.nack().deliveryCount());
            n++;
            checkSize(held, pending);
        }
        held[0] += pending.size();
        List<RedisMessage> consumers = new ArrayList<>(g.consumerCount());
        for (StreamConsumer c : g.consumers()) {
            RespEncoder own = new RespEncoder(64);
            long k = 0;
            for (StreamGroup.PendingCursor p = StreamGroup.pendingFrom(c, 0, 0); p.valid() && (count == 0 || k < count); p.next()) {
                own.arrayHeader(3);
                own.bulk(StreamId.format(p.ms(), p.seq()));
                own.integer(p.nack().deliveryTime());
                own.integer(p.nack().deliveryCount());
                k++;
                checkSize(held, own);
            }
            held[0] += own.size();
            consumers.add(map("name", RespReplies.bulk(c.name()),
                    "seen-time", RespReplies.integer(c.seenTime()),
                    "pel-count", RespReplies.integer(c.pendingCount()),
                    "pending", own.array(k)));
        }
        return map("name", RespReplies.bulk(g.name()),
                "last-delivered-id", StreamReplies.id(g.lastId()),
                "entries-read", entriesRead(g),
                "lag", lag(s, g),
                "pel-count", RespReplies.integer(g.pendingCount()),
                "pending", pending.array(n),
                "consumers", new ArrayRedisMessage(consumers));
    }

    /** Refuses the reply once it would hold more than one reply may (as XRANGE is refused: XINFO may not cut it). */
    private static void checkSize(long[] held, RespEncoder part) {
        if (held[0] + part.size() >= RespEncoder.maxBytes()) {
            throw StreamReplies.tooLarge();
        }
    }

    private static RedisMessage entriesRead(StreamGroup g) {
        return g.entriesRead() != StreamGroup.INVALID_ENTRIES_READ ? RespReplies.integer(g.entriesRead()) : RespReplies.NIL;
    }

    private static RedisMessage lag(StreamValue s, StreamGroup g) {
        long lag = s.lag(g);
        return lag != StreamValue.UNKNOWN_LAG ? RespReplies.integer(lag) : RespReplies.NIL;
    }

    /** A map reply of names and values, in order. */
    private static RedisMessage map(Object... namesAndValues) {
        List<RedisMessage> items = new ArrayList<>(namesAndValues.length);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            items.add(RespReplies.bulk((String) namesAndValues[i]));
            items.add((RedisMessage) namesAndValues[i + 1]);
        }
        return new Resp3Replies.MapReply(items);
    }
}
