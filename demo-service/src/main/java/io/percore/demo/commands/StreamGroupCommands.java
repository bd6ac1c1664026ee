package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.StreamConsumer;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamNack;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.resp.RespEncoder;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The consumer-group commands (Redis's {@code t_stream.c}): XGROUP's subcommands, XACK, XPENDING,
 * XCLAIM and XAUTOCLAIM, on the shard owning the key, with Redis 7.0.15's replies and errors in its
 * order. Claims are propagated as Redis propagates them: one XCLAIM per entry with its absolute
 * delivery time and count (FORCE, JUSTID, the group's last ID), an entry found deleted as the XCLAIM
 * that drops it, a LASTID that moved the group alone as XGROUP SETID.
 *
 * <p>Bounded work: XCLAIM does what its arguments ask; XAUTOCLAIM examines at most COUNT × 10
 * pending entries, as Redis, and never more than {@value #AUTOCLAIM_MAX_ATTEMPTS} in one call (its
 * cursor then says where to go on); XPENDING without IDLE reads COUNT entries, with IDLE it scans
 * the range as Redis does.
 */
public final class StreamGroupCommands {

    /** The most pending entries one XAUTOCLAIM examines, whatever its COUNT (Redis's is COUNT × 10). */
    static final long AUTOCLAIM_MAX_ATTEMPTS = 10_000;

    private StreamGroupCommands() {
    }

    // ------------------------------------------------------------------ XGROUP

    /** What XGROUP's common part found: the stream (null when missing), the group (null when missing), the options. */
    private record GroupArgs(StreamValue stream, StreamGroup group, boolean mkStream, long entriesRead) {
    }

    /**
     * XGROUP's checks before its subcommand (Redis's xgroupCommand): CREATE's MKSTREAM and
     * ENTRIESREAD, SETID's ENTRIESREAD, the key's type, the key's existence unless MKSTREAM, and the
     * group's for SETID, CREATECONSUMER and DELCONSUMER.
     */
    private static GroupArgs groupArgs(ValueStore ks, byte[][] argv, long now) {
        String sub = StreamIds.cString(argv[1]).toLowerCase(Locale.ROOT);
        boolean create = sub.equals("create");
        boolean setid = sub.equals("setid");
        boolean mkStream = false;
        long entriesRead = StreamGroup.INVALID_ENTRIES_READ;
        int i = 5;
        while (i < argv.length) {
            String opt = StreamIds.cString(argv[i]);
            if (create && "mkstream".equalsIgnoreCase(opt)) {
                mkStream = true;
                i++;
            } else if ((create || setid) && "entriesread".equalsIgnoreCase(opt) && i + 1 < argv.length) {
                entriesRead = RespNumbers.requireLong(argv[i + 1]);
                if (entriesRead < 0 && entriesRead != StreamGroup.INVALID_ENTRIES_READ) {
                    throw new RespError("ERR value for ENTRIESREAD must be positive or -1");
                }
                i += 2;
            } else {
                throw subcommandSyntax(argv);
            }
        }
        StreamValue s = ks.writeStream(argv[2], now);
        StreamGroup g = s == null ? null : s.group(argv[3]);
        if (!mkStream) {
            if (s == null) {
                throw new RespError("ERR The XGROUP subcommand requires the key to exist. "
                        + "Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
            }
            if (g == null && (setid || sub.equals("createconsumer") || sub.equals("delconsumer"))) {
                throw new RespError("NOGROUP No such consumer group '" + RespReplies.ascii(argv[3]) + "' for key name '"
                        + RespReplies.ascii(argv[2]) + "'");
            }
        }
        return new GroupArgs(s, g, mkStream, entriesRead);
    }

    static RespError subcommandSyntax(byte[][] argv) {
        return new RespError("ERR unknown subcommand or wrong number of arguments for '" + RespReplies.ascii(argv[1])
                + "'. Try " + RespReplies.ascii(argv[0]).toUpperCase(Locale.ROOT) + " HELP.");
    }

    /** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] */
    public static RedisMessage xgroupCreate(ValueStore ks, byte[][] argv, long now) {
        GroupArgs a = groupArgs(ks, argv, now);
        if (argv.length > 8) {
            throw subcommandSyntax(argv);
        }
        StreamValue s = a.stream();
        StreamId id;
        if ("$".equals(StreamIds.cString(argv[4]))) {
            id = s != null ? s.lastId() : StreamId.MIN;
        } else {
            id = StreamIds.parseStrict(argv[4], 0);
        }
        if (s == null) {
            s = new StreamValue();
            ks.set(argv[2], ValueType.STREAM, s, ValueStore.NO_EXPIRY);
        }
        long before = s.bytes();
        if (s.createGroup(argv[3], id, a.entriesRead()) == null) {
            throw new RespError("BUSYGROUP Consumer Group name already exists");
        }
        ks.resized(argv[2], s.bytes() - before);
        ks.notify(KeyspaceEvents.STREAM, "xgroup-create", argv[2]);
        return RespReplies.OK;
    }

    /** XGROUP SETID key group id|$ [ENTRIESREAD n] */
    public static RedisMessage xgroupSetid(ValueStore ks, byte[][] argv, long now) {
        GroupArgs a = groupArgs(ks, argv, now);
        if (argv.length != 5 && argv.length != 7) {
            throw subcommandSyntax(argv);
        }
        StreamId id = "$".equals(StreamIds.cString(argv[4])) ? a.stream().lastId() : StreamIds.parse(argv[4], 0);
        a.group().lastId(id.ms(), id.seq(), a.entriesRead());
        ks.modified(argv[2]);
        ks.notify(KeyspaceEvents.STREAM, "xgroup-setid", argv[2]);
        return RespReplies.OK;
    }

    /** XGROUP DESTROY key group: 1 when it was there. Its blocked XREADGROUP clients fail with NOGROUP. */
    public static RedisMessage xgroupDestroy(ValueStore ks, byte[][] argv, long now) {
        GroupArgs a = groupArgs(ks, argv, now);
        if (a.group() == null) {
            return RespReplies.ZERO;
        }
        StreamValue s = a.stream();
        long before = s.bytes();
        s.destroyGroup(argv[3]);
        ks.resized(argv[2], s.bytes() - before);
        ks.notify(KeyspaceEvents.STREAM, "xgroup-destroy", argv[2]);
        ks.changes().keyReady(argv[2]); // its XREADGROUP clients fail (a stream created, replaced or deleted signals itself)
        return RespReplies.ONE;
    }

    /** XGROUP CREATECONSUMER key group consumer: 1 when made. */
    public static RedisMessage xgroupCreateConsumer(ValueStore ks, byte[][] argv, long now) {
        GroupArgs a = groupArgs(ks, argv, now);
        long before = a.stream().bytes();
        if (a.group().createConsumer(argv[4], now) == null) {
            return RespReplies.ZERO;
        }
        ks.resized(argv[2], a.stream().bytes() - before);
        ks.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", argv[2]);
        return RespReplies.ONE;
    }

    /** XGROUP DELCONSUMER key group consumer: the pending entries it had. */
    public static RedisMessage xgroupDelConsumer(ValueStore ks, byte[][] argv, long now) {
        GroupArgs a = groupArgs(ks, argv, now);
        StreamConsumer c = a.group().consumer(argv[4], false, now);
        if (c == null) {
            return RespReplies.ZERO;
        }
        long before = a.stream().bytes();
        long pending = a.group().deleteConsumer(c);
        ks.resized(argv[2], a.stream().bytes() - before);
        ks.notify(KeyspaceEvents.STREAM, "xgroup-delconsumer", argv[2]);
        return RespReplies.integer(pending);
    }

    /** XGROUP HELP */
    public static RedisMessage xgroupHelp(ValueStore ks, byte[][] argv, long now) {
        return help(argv);
    }

    static RedisMessage help(byte[][] argv) {
        return RespReplies.help(argv[0],
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.");
    }

    // ------------------------------------------------------------------ XACK

    /** XACK key group id [id ...]: how many were pending. */
    public static RedisMessage xack(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = ks.writeStream(argv[1], now);
        StreamGroup g = s == null ? null : s.group(argv[2]);
        if (g == null) {
            return RespReplies.ZERO;
        }
        StreamId[] ids = new StreamId[argv.length - 3];
        for (int j = 3; j < argv.length; j++) {
            ids[j - 3] = StreamIds.parseStrict(argv[j], 0);
        }
        long before = s.bytes();
        long acknowledged = 0;
        for (StreamId id : ids) {
            if (g.removePending(id.ms(), id.seq())) {
                acknowledged++;
            }
        }
        if (acknowledged != 0) {
            ks.resized(argv[1], s.bytes() - before);
        }
        return RespReplies.integer(acknowledged);
    }

    // ------------------------------------------------------------------ XPENDING

    /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
    public static RedisMessage xpending(ValueStore ks, byte[][] argv, long now) {
        boolean summary = argv.length == 3;
        if (argv.length != 3 && (argv.length < 6 || argv.length > 9)) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        long minIdle = 0;
        long count = 0;
        StreamId start = null;
        StreamId end = null;
        byte[] consumerName = null;
        if (argv.length >= 6) {
            int at = 3;
            if ("idle".equalsIgnoreCase(StreamIds.cString(argv[3]))) {
                minIdle = RespNumbers.requireLong(argv[4]);
                if (argv.length < 8) {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
                at += 2;
            }
            count = Math.max(0, RespNumbers.requireLong(argv[at + 2]));
            start = StreamIds.intervalStart(argv[at]);
            end = StreamIds.intervalEnd(argv[at + 1]);
            if (at + 3 < argv.length) {
                consumerName = argv[at + 3];
            }
        }
        StreamValue s = ks.readStream(argv[1], now);
        StreamGroup g = s == null ? null : s.group(argv[2]);
        if (g == null) {
            throw noGroup(argv[1], argv[2], "");
        }
        if (summary) {
            return pendingSummary(g);
        }
        StreamGroup.PendingCursor p;
        if (consumerName != null) {
            StreamConsumer c = g.consumer(consumerName, false, now);
            if (c == null) {
                return ArrayRedisMessage.EMPTY_INSTANCE;
            }
            p = StreamGroup.pendingFrom(c, start.ms(), start.seq());
        } else {
            p = g.pendingFrom(start.ms(), start.seq());
        }
        RespEncoder out = new RespEncoder(64);
        long n = 0;
        for (; count > 0 && p.valid() && StreamId.compare(p.ms(), p.seq(), end.ms(), end.seq()) <= 0 && !out.full(); p.next()) {
            StreamNack nack = p.nack();
            if (minIdle != 0 && now - nack.deliveryTime() < minIdle) {
                continue;
            }
            n++;
            count--;
            out.arrayHeader(4);
            out.bulk(StreamId.format(p.ms(), p.seq()));
            out.bulk(nack.consumer().name());
            out.integer(Math.max(0, now - nack.deliveryTime()));
            out.integer(nack.deliveryCount());
        }
        return out.array(n);
    }

    private static RedisMessage pendingSummary(StreamGroup g) {
        List<RedisMessage> out = new ArrayList<>(4);
        out.add(RespReplies.integer(g.pendingCount()));
        if (g.pendingCount() == 0) {
            out.add(RespReplies.NIL);
            out.add(RespReplies.NIL);
            out.add(ArrayRedisMessage.NULL_INSTANCE);
            return new ArrayRedisMessage(out);
        }
        StreamGroup.PendingCursor first = g.firstPending();
        StreamGroup.PendingCursor last = g.lastPending();
        out.add(StreamReplies.id(first.ms(), first.seq()));
        out.add(StreamReplies.id(last.ms(), last.seq()));
        List<RedisMessage> consumers = new ArrayList<>();
        for (StreamConsumer c : g.consumers()) {
            if (c.pendingCount() == 0) {
                continue;
            }
            consumers.add(new ArrayRedisMessage(List.of(RespReplies.bulk(c.name()),
                    RespReplies.bulk(RespNumbers.toBytes(c.pendingCount())))));
        }
        out.add(StreamReplies.array(consumers));
        return new ArrayRedisMessage(out);
    }

    static RespError noGroup(byte[] key, byte[] group, String where) {
        return new RespError("NOGROUP No such key '" + RespReplies.ascii(key) + "' or consumer group '" + RespReplies.ascii(group)
                + "'" + where);
    }

    // ------------------------------------------------------------------ XCLAIM

    /** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
    public static RedisMessage xclaim(ValueStore ks, byte[][] argv, long now) {
        StreamValue s = ks.writeStream(argv[1], now);
        StreamGroup g = s == null ? null : s.group(argv[2]);
        if (g == null) {
            throw noGroup(argv[1], argv[2], "");
        }
        long minIdle = Math.max(0, requireLong(argv[4], "ERR Invalid min-idle-time argument for XCLAIM"));
        List<StreamId> ids = new ArrayList<>();
        int j = 5;
        for (; j < argv.length; j++) {
            StreamId id = StreamIds.tryParseStrict(argv[j]);
            if (id == null) {
                break;
            }
            ids.add(id);
        }
        boolean force = false;
        boolean justId = false;
        long deliveryTime = -1;
        long retryCount = -1;
        StreamId lastId = StreamId.MIN;
        for (; j < argv.length; j++) {
            String opt = StreamIds.cString(argv[j]);
            boolean more = j + 1 < argv.length;
            if ("force".equalsIgnoreCase(opt)) {
                force = true;
            } else if ("justid".equalsIgnoreCase(opt)) {
                justId = true;
            } else if ("idle".equalsIgnoreCase(opt) && more) {
                deliveryTime = now - requireLong(argv[++j], "ERR Invalid IDLE option argument for XCLAIM");
            } else if ("time".equalsIgnoreCase(opt) && more) {
                deliveryTime = requireLong(argv[++j], "ERR Invalid TIME option argument for XCLAIM");
            } else if ("retrycount".equalsIgnoreCase(opt) && more) {
                retryCount = requireLong(argv[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
            } else if ("lastid".equalsIgnoreCase(opt) && more) {
                lastId = StreamIds.parseStrict(argv[++j], 0);
            } else {
                throw new RespError("ERR Unrecognized XCLAIM option '" + RespReplies.ascii(argv[j]) + "'");
            }
        }
        long before = s.bytes();
        KeyspaceChanges changes = ks.changes();
        boolean propagateLastId = false;
        boolean changed = false;
        if (lastId.compareTo(g.lastId()) > 0) {
            g.lastId(lastId.ms(), lastId.seq(), g.entriesRead());
            propagateLastId = true;
            changed = true;
        }
        if (deliveryTime != -1) {
            if (deliveryTime < 0 || deliveryTime > now) {
                deliveryTime = now;
            }
        } else {
            deliveryTime = now;
        }
        StreamConsumer consumer = null;
        RespEncoder out = new RespEncoder(64);
        long n = 0;
        for (StreamId id : ids) {
            StreamNack nack = g.pendingEntry(id.ms(), id.seq());
            if (!s.contains(id.ms(), id.seq())) {
                if (nack != null) {
                    StreamEffects.xclaim(changes, argv[1], g, id.ms(), id.seq(), nack);
                    propagateLastId = false;
                    g.removePending(id.ms(), id.seq());
                    changed = true;
                }
                continue;
            }
            if (force && nack == null) {
                nack = g.createPending(id.ms(), id.seq(), now);
                changed = true;
            }
            if (nack == null) {
                continue;
            }
            if (nack.consumer() != null && minIdle != 0 && now - nack.deliveryTime() < minIdle) {
                continue;
            }
            if (consumer == null) {
                consumer = StreamDelivery.consumerOrCreate(ks, argv[1], g, argv[3], now);
            }
            g.assign(nack, id.ms(), id.seq(), consumer);
            g.redeliveredAs(nack, deliveryTime, retryCount >= 0 ? retryCount : justId ? nack.deliveryCount() : nack.deliveryCount() + 1);
            if (justId) {
                out.bulk(id.bytes());
            } else {
                StreamReplies.entry(out, entryAt(s, id));
            }
            n++;
            StreamEffects.xclaim(changes, argv[1], g, id.ms(), id.seq(), nack);
            propagateLastId = false;
            changed = true;
        }
        if (propagateLastId) {
            StreamEffects.setId(changes, argv[1], g);
        }
        if (changed) {
            ks.resized(argv[1], s.bytes() - before);
        }
        return out.array(n);
    }

    /** An iterator standing on the live entry with this ID (known to exist). */
    private static io.percore.demo.kv.StreamIterator entryAt(StreamValue s, StreamId id) {
        io.percore.demo.kv.StreamIterator it = s.iterator(id, id, false);
        it.next();
        return it;
    }

    private static long requireLong(byte[] arg, String error) {
        if (!RespNumbers.isLong(arg)) {
            throw new RespError(error);
        }
        return RespNumbers.parseLong(arg);
    }

    // ------------------------------------------------------------------ XAUTOCLAIM

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
    public static RedisMessage xautoclaim(ValueStore ks, byte[][] argv, long now) {
        long minIdle = Math.max(0, requireLong(argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM"));
        StreamId start = StreamIds.intervalStart(argv[5]);
        long count = 100;
        boolean justId = false;
        for (int j = 6; j < argv.length; j++) {
            String opt = StreamIds.cString(argv[j]);
            if ("count".equalsIgnoreCase(opt) && j + 1 < argv.length) {
                long max = Long.MAX_VALUE / 16;
                if (!RespNumbers.isLong(argv[j + 1])) {
                    throw new RespError("ERR COUNT must be > 0");
                }
                count = RespNumbers.parseLong(argv[j + 1]);
                if (count < 1 || count > max) {
                    throw new RespError("ERR COUNT must be > 0");
                }
                j++;
            } else if ("justid".equalsIgnoreCase(opt)) {
                justId = true;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        StreamValue s = ks.writeStream(argv[1], now);
        StreamGroup g = s == null ? null : s.group(argv[2]);
        if (g == null) {
            throw noGroup(argv[1], argv[2], "");
        }
        long before = s.bytes();
        KeyspaceChanges changes = ks.changes();
        long attempts = Math.min(count * 10, AUTOCLAIM_MAX_ATTEMPTS);
        StreamConsumer consumer = null;
        RespEncoder claimed = new RespEncoder(64);
        long n = 0;
        List<StreamId> deleted = new ArrayList<>();
        boolean changed = false;
        StreamGroup.PendingCursor p = g.pendingFrom(start.ms(), start.seq());
        boolean exhausted = false; // the walk stopped for want of entries, not of attempts or count
        while (true) {
            if (attempts-- == 0 || count == 0 || claimed.full()) {
                break;
            }
            if (!p.valid()) {
                exhausted = true;
                break;
            }
            long ms = p.ms();
            long seq = p.seq();
            StreamNack nack = p.nack();
            if (!s.contains(ms, seq)) {
                StreamEffects.xclaim(changes, argv[1], g, ms, seq, nack);
                g.removePending(ms, seq);
                deleted.add(new StreamId(ms, seq));
                changed = true;
                count--;
                p = g.pendingFrom(ms, seq); // the index changed: seek again, to the entry after it
                continue;
            }
            if (minIdle != 0 && now - nack.deliveryTime() < minIdle) {
                p.next();
                continue;
            }
            if (consumer == null) {
                consumer = StreamDelivery.consumerOrCreate(ks, argv[1], g, argv[3], now);
            }
            g.assign(nack, ms, seq, consumer);
            g.redeliveredAs(nack, now, justId ? nack.deliveryCount() : nack.deliveryCount() + 1);
            StreamId id = new StreamId(ms, seq);
            if (justId) {
                claimed.bulk(id.bytes());
            } else {
                StreamReplies.entry(claimed, entryAt(s, id));
            }
            n++;
            count--;
            StreamEffects.xclaim(changes, argv[1], g, ms, seq, nack);
            changed = true;
            p.next();
        }
        // the cursor: the entry after the last one examined (Redis's raxNext after the loop)
        StreamId cursor = StreamId.MIN;
        if (!exhausted && p.valid()) {
            cursor = new StreamId(p.ms(), p.seq());
        }
        if (changed) {
            ks.resized(argv[1], s.bytes() - before);
        }
        List<RedisMessage> reply = new ArrayList<>(3);
        reply.add(StreamReplies.id(cursor));
        reply.add(claimed.array(n));
        List<RedisMessage> gone = new ArrayList<>(deleted.size());
        for (StreamId id : deleted) {
            gone.add(StreamReplies.id(id));
        }
        reply.add(StreamReplies.array(gone));
        return new ArrayRedisMessage(reply);
    }
}
