package io.percore.demo.commands;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.AtomicParts;
import io.percore.demo.command.CommandContext;
import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardReservation;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * XREAD and XREADGROUP (Redis's {@code xreadCommand}) over streams on any shards. The arguments are
 * read and checked in Redis's order; then each shard holding some of the streams is visited once,
 * in the order of its first stream, and in one step there its streams are checked (type, group) and
 * read. A reply names every stream with entries, in argument order, as Redis's does; with none and
 * BLOCK the client blocks through the shared machinery ({@link BlockingCommands}, {@link StreamRead}).
 *
 * <p>XREADGROUP changes its groups, so it never serves a stream while an earlier one still has an
 * error to report: streams on one shard are checked and served in one step (atomic, as Redis);
 * streams across shards are checked everywhere first, then served. Either reads its streams at one
 * point, as every command is atomic: across shards XREAD holds them as MGET does ({@link AtomicParts}),
 * XREADGROUP for both its passes; with BLOCK this is its first try, which resolves {@code $} for
 * every stream there.
 */
public final class StreamReadCommands {

    private StreamReadCommands() {
    }

    /** XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] */
    public static void xread(CommandContext c, byte[][] argv) {
        read(c, argv, false);
    }

    /** XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...] */
    public static void xreadgroup(CommandContext c, byte[][] argv) {
        read(c, argv, true);
    }

    // ------------------------------------------------------------------ arguments

    private static final int GIVEN = 0;
    private static final int DOLLAR = 1;
    private static final int NEW = 2;

    /** A stream's ID as given: an ID, {@code $}, {@code >}, or an error to report when its turn comes. */
    private record KeyId(int kind, StreamId id, String error) {
    }

    /** The arguments, read as Redis's parse loop reads them. */
    private static final class Args {
        long timeout = -1;
        long count;
        byte[] group;
        byte[] consumer;
        boolean noack;
        int streamsAt;
        int streams;
        KeyId[] ids;

        byte[] key(int i, byte[][] argv) {
            return argv[streamsAt + i];
        }
    }

    /** {@code fromScript}: a script's {@code redis.call}, where BLOCK is refused (Redis keeps it so for Lua rather than ignoring it). */
    private static Args parse(byte[][] argv, boolean xreadgroup, boolean fromScript) {
        Args a = new Args();
        for (int i = 1; i < argv.length; i++) {
            int more = argv.length - i - 1;
            String opt = StreamIds.cString(argv[i]);
            String o = opt == null ? "" : opt.toLowerCase(Locale.ROOT);
            if (o.equals("block") && more > 0) {
                if (fromScript) {
                    throw new RespError("ERR " + new String(argv[0], java.nio.charset.StandardCharsets.ISO_8859_1)
                            + " command is not allowed with BLOCK option from scripts");
                }
                i++;
                if (!RespNumbers.isLong(argv[i])) {
                    throw new RespError("ERR timeout is not an integer or out of range");
                }
                a.timeout = RespNumbers.parseLong(argv[i]);
                if (a.timeout < 0) {
                    throw new RespError("ERR timeout is negative");
                }
            } else if (o.equals("count") && more > 0) {
                a.count = Math.max(0, RespNumbers.requireLong(argv[++i]));
            } else if (o.equals("streams") && more > 0) {
                a.streamsAt = i + 1;
                int n = argv.length - a.streamsAt;
                if (n % 2 != 0) {
                    throw new RespError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                }
                a.streams = n / 2;
                break;
            } else if (o.equals("group") && more >= 2) {
                if (!xreadgroup) {
                    throw new RespError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                }
                a.group = argv[i + 1];
                a.consumer = argv[i + 2];
                i += 2;
            } else if (o.equals("noack")) {
                if (!xreadgroup) {
                    throw new RespError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                }
                a.noack = true;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        if (a.streamsAt == 0) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (xreadgroup && a.group == null) {
            throw new RespError("ERR Missing GROUP option for XREADGROUP");
        }
        a.ids = new KeyId[a.streams];
        for (int i = 0; i < a.streams; i++) {
            a.ids[i] = keyId(argv[a.streamsAt + a.streams + i], xreadgroup);
        }
        return a;
    }

    private static KeyId keyId(byte[] arg, boolean xreadgroup) {
        String text = StreamIds.cString(arg);
        if ("$".equals(text)) {
            return xreadgroup ? new KeyId(DOLLAR, null, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
                    + "history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just "
                    + "return an empty result set.") : new KeyId(DOLLAR, null, null);
        }
        if (">".equals(text)) {
            return xreadgroup ? new KeyId(NEW, null, null)
                    : new KeyId(NEW, null, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
        }
        StreamId id = StreamIds.tryParseStrict(arg);
        return id == null ? new KeyId(GIVEN, null, StreamIds.INVALID) : new KeyId(GIVEN, id, null);
    }

    // ------------------------------------------------------------------ one shard's streams

    /** What a shard found for one stream: an error of its own (type, group), the ID it resolved, its entries (null: nothing to say). */
    private record Found(String error, StreamId after, RedisMessage entries) {
    }

    /**
     * On the shard owning the streams at {@code indexes}: checks each (type, group; an ID's own
     * error counts in its turn) and, when {@code serve}, reads it. An XREADGROUP serves only if none
     * of these streams has an error ({@code atomic}: they are all its streams).
     */
    private static Found[] onShard(ValueStore ks, byte[][] argv, Args a, int[] indexes, boolean serve, boolean atomic) {
        long now = System.currentTimeMillis();
        Found[] found = new Found[indexes.length];
        boolean group = a.group != null;
        for (int j = 0; j < indexes.length; j++) {
            int i = indexes[j];
            byte[] key = a.key(i, argv);
            StreamValue s;
            try {
                s = group ? ks.writeStream(key, now) : ks.readStream(key, now);
            } catch (WrongTypeException e) {
                found[j] = new Found(RespReplies.WRONGTYPE, null, null);
                if (atomic) {
                    return found;
                }
                continue;
            }
            if (group && (s == null || s.group(a.group) == null)) {
                found[j] = new Found("NOGROUP No such key '" + RespReplies.ascii(key) + "' or consumer group '"
                        + RespReplies.ascii(a.group) + "' in XREADGROUP with GROUP option", null, null);
                if (atomic) {
                    return found;
                }
                continue;
            }
            KeyId id = a.ids[i];
            if (id.error() != null) {
                found[j] = new Found(id.error(), null, null);
                if (atomic) {
                    return found;
                }
                continue;
            }
            StreamId after = id.kind() == DOLLAR ? (s != null ? s.lastId() : StreamId.MIN) : id.id();
            found[j] = new Found(null, after, null);
        }
        if (!serve) {
            return found;
        }
        for (int j = 0; j < indexes.length; j++) {
            if (found[j] != null && found[j].error() == null) {
                found[j] = read(ks, argv, a, a.key(indexes[j], argv), found[j].after(), now);
            }
        }
        return found;
    }

    /** Reads one stream that passed its checks (Redis's synchronous serving of one key). */
    private static Found read(ValueStore ks, byte[][] argv, Args a, byte[] key, StreamId after, long now) {
        StreamValue s = a.group != null ? ks.writeStream(key, now) : ks.readStream(key, now);
        if (s == null) {
            return new Found(null, after, null);
        }
        if (a.group == null) {
            if (s.length() > 0 && s.lastValidId().compareTo(after) > 0) {
                StreamId start = after.next();
                return new Found(null, after, StreamReplies.range(s, start == null ? StreamId.MIN : start, null, a.count, false, true));
            }
            return new Found(null, after, null);
        }
        StreamGroup g = s.group(a.group);
        if (g == null) {
            return new Found(null, after, null); // destroyed between the check and now (streams on several shards)
        }
        if (after != null) { // an ID, not ">": the consumer's own history past it, served even when empty
            StreamId start = after.next(); // past the greatest ID Redis's increment wraps to 0-0
            return new Found(null, after, StreamReplies.array(StreamDelivery.history(ks, key, s, g, a.consumer,
                    start == null ? StreamId.MIN : start, a.count, now)));
        }
        if (s.length() > 0 && s.lastValidId().compareTo(g.lastId()) > 0) {
            return new Found(null, null, StreamDelivery.deliverNew(ks, key, s, g, a.consumer, a.count, a.noack, now).entries());
        }
        return new Found(null, null, null);
    }

    // ------------------------------------------------------------------ the command

    private static void read(CommandContext c, byte[][] argv, boolean xreadgroup) {
        Args a = parse(argv, xreadgroup, c.answersAtOnce());
        Keyspace keyspace = c.keyspace();
        Map<Integer, List<Integer>> byShard = new LinkedHashMap<>(); // shards in the order of their first stream
        for (int i = 0; i < a.streams; i++) {
            byShard.computeIfAbsent(keyspace.shardOf(a.key(i, argv)), s -> new ArrayList<>()).add(i);
        }
        Found[] found = new Found[a.streams];
        CommandContext.PendingReply slot = c.reserve();
        ShardFuture<Found[]> done;
        if (byShard.size() == 1) {
            int shard = byShard.keySet().iterator().next();
            int[] all = indexes(byShard.get(shard));
            if (shard == c.shard().id()) {
                done = keyspace.invokeOn(shard, st -> onShard(st.store(), argv, a, all, true, xreadgroup)).map(part -> place(found, all, part));
            } else {
                // another shard's streams, as a single-key command's (OnKeyOwner): the entries count as
                // the client's until they arrive, and a client over its part of maxmemory-clients gets none
                ClientMemory memory = c.memory();
                long budget = c.server().config().clientsBytesPerShard(keyspace.shardCount());
                done = keyspace.invokeOn(shard, st -> madeFor(memory, budget, st.store(), argv, a, all, xreadgroup)).map(part -> {
                    memory.addElsewhere(-heldBytes(part));
                    return place(found, all, part);
                });
            }
        } else if (keyspace.transaction() != ShardReservation.FREE) {
            // inside a transaction or a script, which hold these shards already
            done = checkedAndServed(keyspace, argv, a, byShard, found);
        } else if (!xreadgroup) {
            // at one point for all its streams, as MGET reads its keys (the first try of XREAD BLOCK
            // too, so `$` is every stream's last ID at that point)
            done = AtomicParts.parts(keyspace, streamsByShard(keyspace, byShard), (st, indexes) -> onShard(st.store(), argv, a, indexes, true, false))
                    .map(parts -> placeInShardOrder(found, byShard, parts));
        } else {
            done = whileHeld(keyspace, byShard, held -> checkedAndServed(held, argv, a, byShard, found));
        }
        // the connection's later commands wait while this one is not answered, if it may block (they
        // must come after it is blocked) or takes several steps (as RENAME across shards); one step
        // on one shard, as a single-key command's, keeps its place by its reply slot alone
        boolean barrier = !done.isDone() && (byShard.size() > 1 || (a.timeout != -1 && c.mayBlock()));
        if (barrier) {
            c.beginBarrier(); // several steps: the connection's later commands wait, as for RENAME across shards
        }
        done.whenComplete((result, failure) -> {
            if (failure != null) {
                finish(c, slot, RespReplies.forFailure(failure), barrier);
                return;
            }
            String error = firstError(result, a);
            if (error != null) {
                finish(c, slot, RespReplies.error(error), barrier);
                return;
            }
            List<RedisMessage> served = new ArrayList<>();
            for (int i = 0; i < a.streams; i++) {
                if (result[i] != null && result[i].entries() != null) {
                    served.add(RespReplies.bulk(a.key(i, argv)));
                    served.add(result[i].entries());
                }
            }
            if (!served.isEmpty()) {
                finish(c, slot, new Resp3Replies.KeyedReply(served), barrier);
            } else if (a.timeout == -1 || !c.mayBlock() || !allNew(a)) {
                finish(c, slot, ArrayRedisMessage.NULL_INSTANCE, barrier);
            } else {
                block(c, slot, argv, a, result, barrier);
            }
        });
    }

    /** On another shard: its streams checked and read for a client of this one, unless that client is over its memory (see {@link #read}). */
    private static Found[] madeFor(ClientMemory memory, long budget, ValueStore ks, byte[][] argv, Args a, int[] indexes, boolean xreadgroup) {
        if (memory.closing() || (budget > 0 && memory.total() > budget)) {
            memory.markClosing();
            Found[] closing = new Found[indexes.length];
            closing[0] = new Found("ERR client closed: over its part of maxmemory-clients", null, null);
            return closing;
        }
        Found[] part = onShard(ks, argv, a, indexes, true, xreadgroup);
        memory.addElsewhere(heldBytes(part));
        return part;
    }

    private static long heldBytes(Found[] part) {
        long bytes = 0;
        for (Found f : part) {
            if (f != null && f.entries() != null) {
                bytes += RespReplies.heldBytes(f.entries());
            }
        }
        return bytes;
    }

    /** XREAD reads as it checks; XREADGROUP checks every shard before it serves any. */
    private static ShardFuture<Found[]> checkedAndServed(Keyspace keyspace, byte[][] argv, Args a, Map<Integer, List<Integer>> byShard,
                                                         Found[] found) {
        boolean xreadgroup = a.group != null;
        ShardFuture<Found[]> done = visit(keyspace, argv, a, byShard, found, !xreadgroup);
        if (xreadgroup) {
            done = done.flatMap(checked -> firstError(checked, a) != null ? ShardFuture.completed(checked)
                    : visit(keyspace, argv, a, byShard, checked, true));
        }
        return done;
    }

    /**
     * {@code work} on a keyspace that holds every shard of {@code byShard} (reserved in ascending
     * order, as a transaction holds them; released when it is done, failed or not): XREADGROUP's
     * checks and deliveries seen by nobody half done, and its changes reported to the write path as
     * one transaction's parts (one MULTI ... EXEC for the append-only file and replicas).
     */
    private static ShardFuture<Found[]> whileHeld(Keyspace keyspace, Map<Integer, List<Integer>> byShard,
                                                  Function<Keyspace, ShardFuture<Found[]>> work) {
        BitSet shards = new BitSet();
        byShard.keySet().forEach(shards::set);
        Keyspace held = keyspace.boundTo(keyspace.local().nextGroupId());
        held.step(1);
        ShardFuture<Found[]> done = held.reserveInOrder(shards).flatMap(v -> work.apply(held));
        return done.handle((result, failure) -> failure)
                .flatMap(failure -> held.releaseAll(shards).flatMap(v -> failure == null ? done : ShardFuture.<Found[]>failed(failure)));
    }

    /** One array per shard of the stream indexes it owns (null: none), as {@link AtomicParts} takes them. */
    private static int[][] streamsByShard(Keyspace keyspace, Map<Integer, List<Integer>> byShard) {
        int[][] groups = new int[keyspace.shardCount()][];
        byShard.forEach((shard, indexes) -> groups[shard] = indexes(indexes));
        return groups;
    }

    /** {@link AtomicParts}'s parts (ascending shards) put at their streams' places. */
    private static Found[] placeInShardOrder(Found[] all, Map<Integer, List<Integer>> byShard, List<Found[]> parts) {
        int[] shards = byShard.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int k = 0; k < shards.length; k++) {
            place(all, indexes(byShard.get(shards[k])), parts.get(k));
        }
        return all;
    }

    /** Visits each shard once, in order, checking (and reading when {@code serve}) its streams. */
    private static ShardFuture<Found[]> visit(Keyspace keyspace, byte[][] argv, Args a, Map<Integer, List<Integer>> byShard,
                                              Found[] found, boolean serve) {
        ShardFuture<Found[]> acc = ShardFuture.completed(found);
        for (Map.Entry<Integer, List<Integer>> e : byShard.entrySet()) {
            int shard = e.getKey();
            int[] indexes = indexes(e.getValue());
            if (serve && a.group != null) {
                // the second pass: serve what the first checked (IDs resolved there are kept)
                acc = acc.flatMap(all -> keyspace.invokeOn(shard, st -> serveChecked(st.store(), argv, a, indexes, all))
                        .map(part -> place(all, indexes, part)));
            } else {
                acc = acc.flatMap(all -> keyspace.invokeOn(shard, st -> onShard(st.store(), argv, a, indexes, serve, false))
                        .map(part -> place(all, indexes, part)));
            }
        }
        return acc;
    }

    /** XREADGROUP's second pass on one shard: reads each stream the first pass checked. */
    private static Found[] serveChecked(ValueStore ks, byte[][] argv, Args a, int[] indexes, Found[] checked) {
        long now = System.currentTimeMillis();
        Found[] out = new Found[indexes.length];
        for (int j = 0; j < indexes.length; j++) {
            int i = indexes[j];
            try {
                out[j] = read(ks, argv, a, a.key(i, argv), checked[i].after(), now);
            } catch (WrongTypeException changedSince) {
                out[j] = new Found(null, checked[i].after(), null);
            }
        }
        return out;
    }

    private static Found[] place(Found[] all, int[] indexes, Found[] part) {
        for (int j = 0; j < indexes.length; j++) {
            all[indexes[j]] = part[j];
        }
        return all;
    }

    private static int[] indexes(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The error of the first stream, in argument order, that has one (its type, its group, then its ID's own). */
    private static String firstError(Found[] found, Args a) {
        for (int i = 0; i < found.length; i++) {
            if (found[i] != null && found[i].error() != null) {
                return found[i].error();
            }
            if (found[i] == null && a.ids[i].error() != null) {
                return a.ids[i].error(); // not reached by a shard that stopped early: its ID's error is still in order
            }
        }
        return null;
    }

    /** Whether every ID is {@code >} (XREADGROUP blocks only then) or the command is XREAD. */
    private static boolean allNew(Args a) {
        if (a.group == null) {
            return true;
        }
        for (KeyId id : a.ids) {
            if (id.kind() != NEW) {
                return false;
            }
        }
        return true;
    }

    private static void block(CommandContext c, CommandContext.PendingReply slot, byte[][] argv, Args a, Found[] found, boolean barrier) {
        Map<ByteString, StreamId> after = new LinkedHashMap<>();
        List<byte[]> keys = new ArrayList<>(a.streams);
        for (int i = 0; i < a.streams; i++) {
            byte[] key = a.key(i, argv);
            keys.add(key);
            after.putIfAbsent(new ByteString(key), found[i].after() != null ? found[i].after() : StreamId.MIN);
        }
        long count = a.count != 0 ? a.count : StreamRead.BLOCKED_DEFAULT_COUNT;
        StreamRead pop = new StreamRead(Map.copyOf(after), count, a.group, a.consumer, a.noack);
        BlockingCommands.Request request = new BlockingCommands.Request(keys, pop, a.timeout);
        if (barrier) {
            BlockingCommands.popHeld(c, slot, request);
        } else {
            BlockingCommands.pop(c, slot, request, true);
        }
    }

    private static void finish(CommandContext c, CommandContext.PendingReply slot, RedisMessage reply, boolean barrier) {
        slot.complete(reply);
        if (barrier) {
            c.endBarrier();
        }
    }
}
