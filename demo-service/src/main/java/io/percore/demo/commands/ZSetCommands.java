package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.kv.ZSetValue.Entry;
import io.percore.demo.kv.ZSetValue.LexRange;
import io.percore.demo.kv.ZSetValue.ScoreRange;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.KeysByShard;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.ScoredMembersReply;

/**
 * Sorted-set commands (Redis's {@code t_zset.c}). Single-key commands run on the key's shard. The
 * multi-key ones read each source on its shard (one message per shard), compute on the
 * connection's shard and write the destination on its own: atomic per shard, as the demo's other
 * multi-key commands. ZMPOP and the blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP) are {@link ZSetPop}s
 * run by {@link BlockingCommands}, as the list pops. A sorted set left empty is deleted; every change
 * is counted in the memory budget.
 */
public final class ZSetCommands {

    private ZSetCommands() {
    }

    static final String NAN_SCORE = "ERR resulting score is not a number (NaN)";

    /** A sorted set to add {@code firstMember} to, created (compact or not, by the shard's limits) when the key is absent. */
    private static ZSetValue forWrite(ValueStore ks, byte[] key, byte[] firstMember, long now) {
        ZSetValue z = ks.writeZSet(key, now);
        if (z == null) {
            z = ZSetValue.create(ks.encodings().zset(), firstMember);
            ks.set(key, ValueType.ZSET, z, ValueStore.NO_EXPIRY);
        }
        return z;
    }

    /** After members were removed (their event first): an empty sorted set is no key at all ({@code del}). */
    private static void dropIfEmpty(ValueStore ks, byte[] key, ZSetValue z, long now) {
        if (z.size() == 0) {
            ks.delete(key, now);
            ks.notify(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    static RedisMessage score(double value) {
        return Resp3Replies.DoubleReply.of(value);
    }

    /** Members, or members and scores: one flat array in RESP2, pairs in RESP3 (Redis 7's WITHSCORES). */
    static RedisMessage entries(List<Entry> entries, boolean withScores) {
        if (withScores) {
            return new ScoredMembersReply(entries);
        }
        List<byte[]> members = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            members.add(e.member());
        }
        return RespReplies.bulkArray(members);
    }

    // ------------------------------------------------------------------ ZADD, ZINCRBY

    private static final int NX = 1;
    private static final int XX = 2;
    private static final int GT = 4;
    private static final int LT = 8;
    private static final int INCR = 16;
    private static final int CH = 32;

    public static RedisMessage zadd(ValueStore ks, byte[][] argv, long now) {
        return add(ks, argv, now, 0);
    }

    /** ZINCRBY key increment member: ZADD with INCR, as Redis (options included). */
    public static RedisMessage zincrby(ValueStore ks, byte[][] argv, long now) {
        return add(ks, argv, now, INCR);
    }

    private static RedisMessage add(ValueStore ks, byte[][] argv, long now, int flags) {
        int at = 2;
        for (; at < argv.length; at++) {
            String opt = RespReplies.ascii(argv[at]);
            if (opt.equalsIgnoreCase("nx")) {
                flags |= NX;
            } else if (opt.equalsIgnoreCase("xx")) {
                flags |= XX;
            } else if (opt.equalsIgnoreCase("ch")) {
                flags |= CH;
            } else if (opt.equalsIgnoreCase("incr")) {
                flags |= INCR;
            } else if (opt.equalsIgnoreCase("gt")) {
                flags |= GT;
            } else if (opt.equalsIgnoreCase("lt")) {
                flags |= LT;
            } else {
                break;
            }
        }
        boolean nx = (flags & NX) != 0;
        boolean xx = (flags & XX) != 0;
        boolean gt = (flags & GT) != 0;
        boolean lt = (flags & LT) != 0;
        boolean incr = (flags & INCR) != 0;
        int elements = argv.length - at;
        if (elements % 2 != 0 || elements == 0) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        elements /= 2;
        if (nx && xx) {
            throw new RespError("ERR XX and NX options at the same time are not compatible");
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new RespError("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) {
            throw new RespError("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[elements];
        long growth = 0;
        for (int j = 0; j < elements; j++) {
            scores[j] = RespDoubles.parse(argv[at + 2 * j]);
            if (Double.isNaN(scores[j])) {
                throw new RespError(RespReplies.NOT_FLOAT);
            }
            growth += argv[at + 2 * j + 1].length;
        }
        ZSetValue z = ks.writeZSet(argv[1], now);
        if (z == null) {
            if (xx) {
                return incr ? RespReplies.NIL : integer(0);
            }
            ks.memory().requireFits(growth);
            z = forWrite(ks, argv[1], argv[at + 1], now);
        } else {
            ks.memory().requireFits(growth);
        }
        long before = z.bytes();
        int added = 0;
        int updated = 0;
        int processed = 0;
        double last = 0;
        try {
            for (int j = 0; j < elements; j++) {
                byte[] member = argv[at + 2 * j + 1];
                double score = scores[j];
                double current = z.score(member);
                if (!Double.isNaN(current)) {
                    if (nx) {
                        continue;
                    }
                    if (incr) {
                        score += current;
                        if (Double.isNaN(score)) {
                            throw new RespError(NAN_SCORE);
                        }
                    }
                    if ((lt && score >= current) || (gt && score <= current)) {
                        continue;
                    }
                    if (score != current) {
                        z.update(member, current, score);
                        updated++;
                    }
                } else if (!xx) {
                    z.insert(member, score, ks.encodings().zset());
                    added++;
                } else {
                    continue;
                }
                processed++;
                last = score;
            }
        } finally {
            if (added + updated > 0) { // members already there with that score change nothing (Redis's "if (added || updated)")
                ks.resized(argv[1], z.bytes() - before);
                ks.notify(KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", argv[1]);
            }
        }
        if (incr) {
            return processed > 0 ? score(last) : RespReplies.NIL;
        }
        return integer((flags & CH) != 0 ? added + updated : added);
    }

    // ------------------------------------------------------------------ single-key reads and removals

    public static RedisMessage zrem(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.writeZSet(argv[1], now);
        if (z == null) {
            return integer(0);
        }
        long before = z.bytes();
        int removed = 0;
        for (int i = 2; i < argv.length && z.size() > 0; i++) {
            if (z.remove(argv[i])) {
                removed++;
            }
        }
        if (removed == 0) {
            return integer(0);
        }
        ks.resized(argv[1], z.bytes() - before);
        ks.notify(KeyspaceEvents.ZSET, "zrem", argv[1]);
        dropIfEmpty(ks, argv[1], z, now);
        return integer(removed);
    }

    public static RedisMessage zcard(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.readZSet(argv[1], now);
        return integer(z == null ? 0 : z.size());
    }

    public static RedisMessage zscore(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.readZSet(argv[1], now);
        double s = z == null ? Double.NaN : z.score(argv[2]);
        return Double.isNaN(s) ? RespReplies.NIL : score(s);
    }

    public static RedisMessage zmscore(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.readZSet(argv[1], now);
        List<RedisMessage> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            double s = z == null ? Double.NaN : z.score(argv[i]);
            out.add(Double.isNaN(s) ? RespReplies.NIL : score(s));
        }
        return new ArrayRedisMessage(out);
    }

    public static RedisMessage zrank(ValueStore ks, byte[][] argv, long now) {
        return rank(ks, argv, now, false);
    }

    public static RedisMessage zrevrank(ValueStore ks, byte[][] argv, long now) {
        return rank(ks, argv, now, true);
    }

    private static RedisMessage rank(ValueStore ks, byte[][] argv, long now, boolean reverse) {
        ZSetValue z = ks.readZSet(argv[1], now);
        int r = z == null ? -1 : z.rank(argv[2], reverse);
        return r < 0 ? RespReplies.NIL : integer(r);
    }

    public static RedisMessage zcount(ValueStore ks, byte[][] argv, long now) {
        ScoreRange range = ZRangeQuery.scoreRange(argv[2], argv[3]);
        ZSetValue z = ks.readZSet(argv[1], now);
        return integer(z == null ? 0 : Math.max(0, z.lastRank(range) - z.firstRank(range) + 1));
    }

    public static RedisMessage zlexcount(ValueStore ks, byte[][] argv, long now) {
        LexRange range = ZRangeQuery.lexRange(argv[2], argv[3]);
        ZSetValue z = ks.readZSet(argv[1], now);
        return integer(z == null ? 0 : Math.max(0, z.lastRank(range) - z.firstRank(range) + 1));
    }

    // ------------------------------------------------------------------ ranges

    /** ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]. */
    public static RedisMessage zrange(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, null, null, false));
    }

    public static RedisMessage zrevrange(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, ZRangeQuery.Kind.RANK, true, false));
    }

    public static RedisMessage zrangebyscore(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, ZRangeQuery.Kind.SCORE, false, false));
    }

    public static RedisMessage zrevrangebyscore(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, ZRangeQuery.Kind.SCORE, true, false));
    }

    public static RedisMessage zrangebylex(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, ZRangeQuery.Kind.LEX, false, false));
    }

    public static RedisMessage zrevrangebylex(ValueStore ks, byte[][] argv, long now) {
        return range(ks, argv, now, ZRangeQuery.parse(argv, 1, ZRangeQuery.Kind.LEX, true, false));
    }

    private static RedisMessage range(ValueStore ks, byte[][] argv, long now, ZRangeQuery query) {
        ZSetValue z = ks.readZSet(argv[1], now);
        if (z == null) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        return entries(query.select(z), query.withScores());
    }

    public static RedisMessage zremrangebyrank(ValueStore ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        ZSetValue z = ks.writeZSet(argv[1], now);
        if (z == null) {
            return integer(0);
        }
        int size = z.size();
        start = start < 0 ? size + start : start;
        end = end < 0 ? size + end : end;
        start = Math.max(start, 0);
        if (start > end || start >= size) {
            return integer(0);
        }
        end = Math.min(end, size - 1);
        return removeRange(ks, argv[1], z, (int) start, (int) end, "zremrangebyrank", now);
    }

    public static RedisMessage zremrangebyscore(ValueStore ks, byte[][] argv, long now) {
        ScoreRange range = ZRangeQuery.scoreRange(argv[2], argv[3]);
        ZSetValue z = ks.writeZSet(argv[1], now);
        return z == null ? integer(0) : removeRange(ks, argv[1], z, z.firstRank(range), z.lastRank(range), "zremrangebyscore", now);
    }

    public static RedisMessage zremrangebylex(ValueStore ks, byte[][] argv, long now) {
        LexRange range = ZRangeQuery.lexRange(argv[2], argv[3]);
        ZSetValue z = ks.writeZSet(argv[1], now);
        if (z == null) {
            return integer(0);
        }
        int from = z.firstRank(range);
        int to = z.lastRank(range);
        // Over members of different scores the lex range is unspecified (Redis's answer depends on its
        // skip list, ours on score order): reported as the members it removed, which any replica removes alike.
        List<byte[]> members = from <= to ? z.range(from, to, false).stream().map(Entry::member).toList() : List.of();
        RedisMessage reply = removeRange(ks, argv[1], z, from, to, "zremrangebylex", now);
        for (int i = 0; i < members.size(); i += Effects.BATCH) {
            ks.changes().propagate(Effects.withItems(Effects.ZREM, argv[1], members.subList(i, Math.min(members.size(), i + Effects.BATCH))));
        }
        return reply;
    }

    private static RedisMessage removeRange(ValueStore ks, byte[] key, ZSetValue z, int from, int to, String event, long now) {
        long before = z.bytes();
        int removed = z.removeRange(from, to);
        if (removed == 0) {
            return integer(0);
        }
        ks.resized(key, z.bytes() - before);
        ks.notify(KeyspaceEvents.ZSET, event, key);
        dropIfEmpty(ks, key, z, now);
        return integer(removed);
    }

    // ------------------------------------------------------------------ pops, random members, scan

    public static RedisMessage zpopmin(ValueStore ks, byte[][] argv, long now) {
        return pop(ks, argv, now, false);
    }

    public static RedisMessage zpopmax(ValueStore ks, byte[][] argv, long now) {
        return pop(ks, argv, now, true);
    }

    /** ZPOPMIN/ZPOPMAX key [count]: without a count a flat [member, score]; with one, pairs in RESP3. */
    private static RedisMessage pop(ValueStore ks, byte[][] argv, long now, boolean max) {
        if (argv.length > 3) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        long count = -1;
        if (argv.length == 3) {
            count = RespNumbers.isLong(argv[2]) ? RespNumbers.parseLong(argv[2]) : -1;
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        ZSetValue z = ks.writeZSet(argv[1], now);
        if (z == null || count == 0) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        List<Entry> popped = popFrom(ks, argv[1], z, count < 0 ? 1 : count, max, now);
        if (count < 0) {
            return entriesFlat(popped);
        }
        return entries(popped, true);
    }

    /**
     * Pops up to {@code count} entries of a present sorted set, keeping the budget and deleting it
     * when emptied; reported as {@code ZREM key} of the members popped (ZPOPMIN, ZMPOP and a served
     * BZPOPMIN alike: the exact members, whatever order equal scores would take elsewhere).
     */
    static List<Entry> popFrom(ValueStore ks, byte[] key, ZSetValue z, long count, boolean max, long now) {
        long before = z.bytes();
        List<Entry> popped = z.pop(count, max);
        if (popped.isEmpty()) {
            return popped; // ZPOPMIN key 0: nothing changed
        }
        ks.resized(key, z.bytes() - before);
        ks.notify(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", key);
        dropIfEmpty(ks, key, z, now);
        ks.changes().propagate(Effects.withItems(Effects.ZREM, key, popped.stream().map(Entry::member).toList()));
        return popped;
    }

    private static RedisMessage entriesFlat(List<Entry> entries) {
        List<RedisMessage> out = new ArrayList<>(entries.size() * 2);
        for (Entry e : entries) {
            out.add(bulk(e.member()));
            out.add(score(e.score()));
        }
        return new ArrayRedisMessage(out);
    }

    /** The most picks of a negative count: the reply is built in memory (the same bound as HRANDFIELD and SRANDMEMBER). */
    static final long MAX_RANDOM_PICKS = 1_000_000;

    /** ZRANDMEMBER key [count [WITHSCORES]]. */
    public static RedisMessage zrandmember(ValueStore ks, byte[][] argv, long now) {
        if (argv.length == 2) {
            ZSetValue z = ks.readZSet(argv[1], now);
            return z == null ? RespReplies.NIL : bulk(z.random(ks.random()).member());
        }
        long count = RespNumbers.requireLong(argv[2]);
        if (count == Long.MIN_VALUE) {
            throw new RespError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }
        boolean withScores = false;
        if (argv.length > 4 || (argv.length == 4 && !RespReplies.ascii(argv[3]).equalsIgnoreCase("withscores"))) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (argv.length == 4) {
            withScores = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                throw new RespError("ERR value is out of range");
            }
        }
        ZSetValue z = ks.readZSet(argv[1], now);
        if (z == null || count == 0) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        List<Entry> picks;
        if (count > 0) {
            picks = z.randomDistinct((int) Math.min(count, z.size()), ks.random());
        } else {
            if (-count > MAX_RANDOM_PICKS) { // the reply is built in memory: bounded
                throw new RespError("ERR value is out of range");
            }
            picks = new ArrayList<>((int) -count);
            for (long i = 0; i < -count; i++) {
                picks.add(z.random(ks.random())); // O(log n) each, never a walk
            }
        }
        return entries(picks, withScores);
    }

    /**
     * ZSCAN key cursor [MATCH pattern] [COUNT count]: every matching member and its score in one
     * call, cursor 0 (as HSCAN). Scores read as Redis writes them into the set's representation.
     */
    public static RedisMessage zscan(ValueStore ks, byte[][] argv, long now) {
        KeyCommands.parseCursor(argv[2]);
        ZSetValue z = ks.readZSet(argv[1], now);
        GlobPattern pattern = KeyCommands.elementScanPattern(argv);
        List<RedisMessage> items = new ArrayList<>();
        if (z != null) {
            boolean compact = z.encoding().equals("listpack");
            z.forEach((m, s) -> {
                if (pattern == null || pattern.matches(m)) {
                    items.add(bulk(m));
                    items.add(bulk(compact ? RespDoubles.formatCompact(s) : RespDoubles.format(s)));
                }
            });
        }
        return new ArrayRedisMessage(List.of(bulk("0"), new ArrayRedisMessage(items)));
    }

    // ------------------------------------------------------------------ multi-key

    /** The sources' contents, each read on its shard, one message per shard; null for a missing key. */
    private static ShardFuture<List<ZSetOperation.Source>> read(Keyspace keyspace, List<byte[]> keys, boolean typesOnly) {
        byte[][] keyArray = keys.toArray(new byte[0][]);
        int[][] groups = KeysByShard.group(keyspace, keyArray, 0, 1);
        ZSetOperation.Source[] out = new ZSetOperation.Source[keyArray.length];
        ShardFuture<Boolean> all = ShardFuture.completed(true);
        for (int shard = 0; shard < groups.length; shard++) {
            int[] indices = groups[shard];
            if (indices == null) {
                continue;
            }
            int target = groups.length == 1 ? keyspace.shardOf(keyArray[0]) : shard;
            ShardFuture<ZSetOperation.Source[]> part = keyspace.invokeOn(target, st -> {
                long now = System.currentTimeMillis();
                ZSetOperation.Source[] found = new ZSetOperation.Source[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    found[i] = readSource(st.store(), keyArray[indices[i]], now, typesOnly);
                }
                return found;
            });
            all = all.flatMap(ok -> part.map(found -> {
                for (int i = 0; i < indices.length; i++) {
                    out[indices[i]] = found[i];
                }
                return true;
            }));
        }
        return all.map(ok -> Arrays.asList(out));
    }

    /** A sorted set, or a set with every score 1, as Redis's ZUNIONSTORE/ZINTERSTORE take; WRONGTYPE for the rest. */
    private static ZSetOperation.Source readSource(ValueStore ks, byte[] key, long now, boolean typesOnly) {
        if (ks.typeOf(key, now) == ValueType.SET) {
            SetValue s = ks.readSet(key, now);
            if (typesOnly) {
                return null;
            }
            List<byte[]> members = s.members();
            double[] scores = new double[members.size()];
            Arrays.fill(scores, 1.0);
            return new ZSetOperation.Source(key, members.toArray(new byte[0][]), scores);
        }
        ZSetValue z = ks.readZSet(key, now);
        if (z == null || typesOnly) {
            return null;
        }
        byte[][] members = new byte[z.size()][];
        double[] scores = new double[z.size()];
        int[] i = {0};
        z.forEach((m, s) -> {
            members[i[0]] = m;
            scores[i[0]++] = s;
        });
        return new ZSetOperation.Source(key, members, scores);
    }

    public static void zunion(CommandContext c, byte[][] argv) {
        combine(c, argv, ZSetOperation.Op.UNION, "zunion");
    }

    public static void zinter(CommandContext c, byte[][] argv) {
        combine(c, argv, ZSetOperation.Op.INTER, "zinter");
    }

    public static void zdiff(CommandContext c, byte[][] argv) {
        combine(c, argv, ZSetOperation.Op.DIFF, "zdiff");
    }

    private static void combine(CommandContext c, byte[][] argv, ZSetOperation.Op op, String name) {
        ZSetOperation operation = ZSetOperation.parse(argv, 1, op, false, false, name);
        c.replyLater(sources(c, operation).map(sources -> entries(sorted(operation.compute(sources)), operation.withScores)));
    }

    /** The sources, or (after the types were checked, as Redis does) the option error. */
    private static ShardFuture<List<ZSetOperation.Source>> sources(CommandContext c, ZSetOperation operation) {
        if (operation.optionError != null) {
            return read(c.keyspace(), operation.keys, true).map(types -> {
                throw operation.optionError;
            });
        }
        return read(c.keyspace(), operation.keys, false);
    }

    /** Entries in sorted-set order: by score, then by member bytes. */
    static List<Entry> sorted(List<Entry> entries) {
        entries.sort((a, b) -> a.score() < b.score() ? -1 : a.score() > b.score() ? 1 : Arrays.compareUnsigned(a.member(), b.member()));
        return entries;
    }

    /** ZINTERCARD numkeys key [key ...] [LIMIT limit]. */
    public static void zintercard(CommandContext c, byte[][] argv) {
        ZSetOperation operation = ZSetOperation.parse(argv, 1, ZSetOperation.Op.INTER, false, true, "zintercard");
        c.replyLater(sources(c, operation).map(sources -> (RedisMessage) integer(operation.cardinality(sources))));
    }

    public static void zunionstore(CommandContext c, byte[][] argv) {
        store(c, argv, ZSetOperation.Op.UNION, "zunionstore");
    }

    public static void zinterstore(CommandContext c, byte[][] argv) {
        store(c, argv, ZSetOperation.Op.INTER, "zinterstore");
    }

    public static void zdiffstore(CommandContext c, byte[][] argv) {
        store(c, argv, ZSetOperation.Op.DIFF, "zdiffstore");
    }

    private static void store(CommandContext c, byte[][] argv, ZSetOperation.Op op, String name) {
        ZSetOperation operation = ZSetOperation.parse(argv, 2, op, true, false, name);
        byte[] dst = argv[1];
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command sees the destination written
        sources(c, operation)
                .flatMap(sources -> storeOn(c.keyspace(), dst, sorted(operation.compute(sources)), name))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /**
     * Replaces {@code dst} (of any type) with a sorted set of {@code sorted} (in order), on its
     * shard, or deletes it when the result is empty; replies the result's size.
     */
    static ShardFuture<RedisMessage> storeOn(Keyspace keyspace, byte[] dst, List<Entry> sorted, String event) {
        return keyspace.invokeOn(keyspace.shardOf(dst), st -> {
            ValueStore ks = st.store();
            long now = System.currentTimeMillis();
            if (sorted.isEmpty()) {
                if (ks.delete(dst, now)) {
                    ks.changes().propagate(Effects.del(dst));
                    ks.notify(KeyspaceEvents.GENERIC, "del", dst);
                }
                return integer(0);
            }
            if (!ks.makeRoom(now)) {
                return RespReplies.OOM_REPLY;
            }
            long growth = 0;
            for (Entry e : sorted) {
                growth += e.member().length;
            }
            ks.memory().requireFits(growth);
            ZSetValue z = ZSetValue.of(sorted, ks.encodings().zset());
            ks.set(dst, ValueType.ZSET, z, ValueStore.NO_EXPIRY); // a new sorted set: what wakes blocked pops
            ks.changes().propagateValue(dst); // made from what other shards hold: replayed as the value
            ks.notify(KeyspaceEvents.ZSET, event, dst);
            return integer(z.size());
        });
    }

    /** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: read on src's shard, write on dst's. */
    public static void zrangestore(CommandContext c, byte[][] argv) {
        ZRangeQuery query = ZRangeQuery.parse(argv, 2, null, null, true);
        byte[] dst = argv[1];
        byte[] src = argv[2];
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        keyspace.invokeOn(keyspace.shardOf(src), st -> {
            ZSetValue z = st.store().readZSet(src, System.currentTimeMillis());
            return z == null ? List.<Entry>of() : query.select(z);
        }).flatMap(selected -> {
            List<Entry> ascending = new ArrayList<>(selected);
            if (query.reverse()) {
                java.util.Collections.reverse(ascending);
            }
            return storeOn(keyspace, dst, ascending, "zrangestore");
        }).whenComplete((reply, failure) -> {
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
            c.endBarrier();
        });
    }

    // ------------------------------------------------------------------ ZMPOP and the blocking pops (t_zset.c, blocked.c)

    /**
     * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first non-empty sorted set;
     * BZMPOP without blocking, as LMPOP is BLMPOP's.
     */
    public static void zmpop(CommandContext c, byte[][] argv) {
        MultiPop m = MultiPop.parse(argv, 1);
        BlockingCommands.pop(c, m.keys, m.pop, BlockingTimeout.FOREVER, false);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
    public static void bzmpop(CommandContext c, byte[][] argv) {
        MultiPop m = MultiPop.parse(argv, 2);
        long timeout = BlockingTimeout.millis(argv[1]); // after the other arguments, as Redis reads them
        BlockingCommands.pop(c, m.keys, m.pop, timeout, true);
    }

    /** BZPOPMIN key [key ...] timeout: the timeout is read first, as Redis does. */
    public static void bzpopmin(CommandContext c, byte[][] argv) {
        long timeout = BlockingTimeout.millis(argv[argv.length - 1]);
        BlockingCommands.pop(c, Arrays.asList(argv).subList(1, argv.length - 1), ZSetPop.single(false), timeout, true);
    }

    /** BZPOPMAX key [key ...] timeout. */
    public static void bzpopmax(CommandContext c, byte[][] argv) {
        long timeout = BlockingTimeout.millis(argv[argv.length - 1]);
        BlockingCommands.pop(c, Arrays.asList(argv).subList(1, argv.length - 1), ZSetPop.single(true), timeout, true);
    }

    /** ZMPOP's and BZMPOP's keys and pop, read as Redis's zmpopGenericCommand reads them, errors in its order. */
    private record MultiPop(List<byte[]> keys, ZSetPop pop) {

        static MultiPop parse(byte[][] argv, int numkeysIndex) {
            long numkeys = RespNumbers.isLong(argv[numkeysIndex]) ? RespNumbers.parseLong(argv[numkeysIndex]) : 0;
            if (numkeys < 1) {
                throw new RespError("ERR numkeys should be greater than 0");
            }
            if (numkeys >= argv.length - numkeysIndex - 1) {
                throw new RespError(RespReplies.SYNTAX_ERROR); // no room left for MIN|MAX
            }
            int whereIndex = numkeysIndex + (int) numkeys + 1;
            String where = RespReplies.ascii(argv[whereIndex]);
            boolean max;
            if (where.equalsIgnoreCase("min")) {
                max = false;
            } else if (where.equalsIgnoreCase("max")) {
                max = true;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            long count = -1;
            for (int j = whereIndex + 1; j < argv.length; j++) {
                if (count == -1 && j + 1 < argv.length && RespReplies.ascii(argv[j]).equalsIgnoreCase("count")) {
                    j++;
                    count = RespNumbers.isLong(argv[j]) ? RespNumbers.parseLong(argv[j]) : 0;
                    if (count < 1) {
                        throw new RespError("ERR count should be greater than 0");
                    }
                } else {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
            }
            List<byte[]> keys = Arrays.asList(argv).subList(numkeysIndex + 1, whereIndex);
            return new MultiPop(keys, new ZSetPop(max, count == -1 ? 1 : count));
        }
    }

    /** [[member, score], ...] in both protocols (ZMPOP's nested reply). */
    static RedisMessage pairs(List<Entry> entries) {
        List<RedisMessage> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(new ArrayRedisMessage(List.of(bulk(e.member()), score(e.score()))));
        }
        return new ArrayRedisMessage(out);
    }
}
