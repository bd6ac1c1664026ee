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
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * Set commands (Redis's {@code t_set.c}). Single-key commands run on the key's shard; the
 * multi-key ones (SINTER, SUNION, SDIFF, their STORE forms, SINTERCARD, SMOVE) read each source on
 * its shard, compute on the connection's shard and write the destination on its own: atomic per
 * shard, as the demo's other multi-key commands.
 */
public final class SetCommands {

    private SetCommands() {
    }

    private static SetValue forWrite(ValueStore ks, byte[] key, long now) {
        SetValue s = ks.writeSet(key, now);
        if (s == null) {
            s = new SetValue();
            ks.set(key, ValueType.SET, s, ValueStore.NO_EXPIRY);
        }
        return s;
    }

    public static RedisMessage sadd(ValueStore ks, byte[][] argv, long now) {
        long growth = 0;
        for (int i = 2; i < argv.length; i++) {
            growth += argv[i].length;
        }
        ks.memory().requireFits(growth);
        SetValue s = forWrite(ks, argv[1], now);
        long before = s.bytes();
        long added = 0;
        for (int i = 2; i < argv.length; i++) {
            if (s.add(argv[i], ks.encodings().set())) {
                added++;
            }
        }
        if (added > 0) { // members it already had change nothing (Redis's "if (added)")
            ks.resized(argv[1], s.bytes() - before);
            ks.notify(KeyspaceEvents.SET, "sadd", argv[1]);
        }
        return integer(added);
    }

    public static RedisMessage srem(ValueStore ks, byte[][] argv, long now) {
        SetValue s = ks.writeSet(argv[1], now);
        if (s == null) {
            return integer(0);
        }
        long before = s.bytes();
        long removed = 0;
        for (int i = 2; i < argv.length; i++) {
            if (s.remove(argv[i])) {
                removed++;
            }
        }
        if (removed == 0) {
            return integer(0);
        }
        ks.resized(argv[1], s.bytes() - before);
        ks.notify(KeyspaceEvents.SET, "srem", argv[1]);
        deleteIfEmpty(ks, argv[1], s, now);
        return integer(removed);
    }

    public static RedisMessage smembers(ValueStore ks, byte[][] argv, long now) {
        SetValue s = ks.readSet(argv[1], now);
        return members(s == null ? List.of() : s.members());
    }

    public static RedisMessage sismember(ValueStore ks, byte[][] argv, long now) {
        SetValue s = ks.readSet(argv[1], now);
        return integer(s != null && s.contains(argv[2]) ? 1 : 0);
    }

    public static RedisMessage smismember(ValueStore ks, byte[][] argv, long now) {
        SetValue s = ks.readSet(argv[1], now);
        List<RedisMessage> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            out.add(integer(s != null && s.contains(argv[i]) ? 1 : 0));
        }
        return new ArrayRedisMessage(out);
    }

    public static RedisMessage scard(ValueStore ks, byte[][] argv, long now) {
        SetValue s = ks.readSet(argv[1], now);
        return integer(s == null ? 0 : s.size());
    }

    /** SPOP key [count]: removes and returns random members. */
    public static RedisMessage spop(ValueStore ks, byte[][] argv, long now) {
        if (argv.length > 3) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        long count = -1;
        if (argv.length == 3) {
            count = RespNumbers.requireLong(argv[2]);
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        SetValue s = ks.writeSet(argv[1], now);
        if (s == null) {
            return count < 0 ? RespReplies.NIL : members(List.of());
        }
        List<byte[]> picked = s.randomDistinct(count < 0 ? 1 : (int) Math.min(count, s.size()), ks.random());
        if (picked.isEmpty()) {
            return members(picked); // SPOP key 0
        }
        long before = s.bytes();
        for (byte[] m : picked) {
            s.remove(m);
        }
        ks.resized(argv[1], s.bytes() - before);
        ks.notify(KeyspaceEvents.SET, "spop", argv[1]);
        if (deleteIfEmpty(ks, argv[1], s, now)) {
            ks.changes().propagate(Effects.del(argv[1])); // the whole set went, as Redis propagates it
        } else {
            // the members it picked, in batches as Redis's spopWithCountCommand propagates them
            for (int from = 0; from < picked.size(); from += Effects.BATCH) {
                ks.changes().propagate(Effects.withItems(Effects.SREM, argv[1], picked.subList(from, Math.min(picked.size(), from + Effects.BATCH))));
            }
        }
        return count < 0 ? bulk(picked.get(0)) : members(picked);
    }

    /** After members were removed: an empty set is no key at all ({@code del}). Returns whether it went. */
    private static boolean deleteIfEmpty(ValueStore ks, byte[] key, SetValue s, long now) {
        if (s.size() != 0) {
            return false;
        }
        ks.delete(key, now);
        ks.notify(KeyspaceEvents.GENERIC, "del", key);
        return true;
    }

    /** SRANDMEMBER key [count]: count ≥ 0 distinct members, count < 0 |count| picks with repeats (bounded). */
    public static RedisMessage srandmember(ValueStore ks, byte[][] argv, long now) {
        if (argv.length > 3) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        SetValue s = ks.readSet(argv[1], now);
        if (argv.length == 2) {
            return s == null ? RespReplies.NIL : bulk(s.random(ks.random()));
        }
        long count = RespNumbers.requireLong(argv[2]);
        if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
            throw new RespError("ERR value is out of range");
        }
        if (s == null || count == 0) {
            return new ArrayRedisMessage(List.of());
        }
        List<RedisMessage> out = new ArrayList<>();
        if (count > 0) {
            for (byte[] m : s.randomDistinct((int) Math.min(count, s.size()), ks.random())) {
                out.add(bulk(m));
            }
        } else {
            if (-count > 1_000_000) { // the reply is built in memory: bounded
                throw new RespError("ERR value is out of range");
            }
            for (long i = 0; i < -count; i++) {
                out.add(bulk(s.random(ks.random())));
            }
        }
        return new ArrayRedisMessage(out);
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]: every matching member in one call, cursor 0. */
    public static RedisMessage sscan(ValueStore ks, byte[][] argv, long now) {
        // Redis's order: the cursor, then the key's type, then the options
        KeyCommands.parseCursor(argv[2]);
        SetValue s = ks.readSet(argv[1], now);
        GlobPattern pattern = KeyCommands.elementScanPattern(argv);
        List<RedisMessage> items = new ArrayList<>();
        if (s != null) {
            for (byte[] m : s.members()) {
                if (pattern == null || pattern.matches(m)) {
                    items.add(bulk(m));
                }
            }
        }
        return new ArrayRedisMessage(List.of(bulk("0"), new ArrayRedisMessage(items)));
    }

    // ------------------------------------------------------------------ multi-key

    private enum Op { INTER, UNION, DIFF }

    /** The members of each key, read on its shard in order (null for a missing key); WRONGTYPE fails the whole. */
    private static ShardFuture<List<List<byte[]>>> read(Keyspace keyspace, List<byte[]> keys) {
        ShardFuture<List<List<byte[]>>> acc = ShardFuture.completed(new ArrayList<>());
        for (byte[] key : keys) {
            acc = acc.flatMap(list -> keyspace.invokeOn(keyspace.shardOf(key), st -> {
                SetValue s = st.store().readSet(key, System.currentTimeMillis());
                return s == null ? null : s.members();
            }).map(members -> {
                list.add(members);
                return list;
            }));
        }
        return acc;
    }

    /**
     * The result as a set of its own, built once (as Redis's sunionDiffGenericCommand builds its
     * dstset): a member costs one add to the table that STORE then keeps, no wrapper and no copy.
     */
    private static SetValue compute(Op op, List<List<byte[]>> sets, SetValue.Limits limits) {
        SetValue result = new SetValue();
        if (op == Op.UNION) {
            for (List<byte[]> s : sets) {
                if (s != null) {
                    s.forEach(m -> result.add(m, limits));
                }
            }
            return result;
        }
        List<byte[]> first = sets.get(0);
        if (first == null) {
            return result;
        }
        if (op == Op.DIFF) {
            first.forEach(m -> result.add(m, limits));
            for (int i = 1; i < sets.size() && result.size() > 0; i++) {
                if (sets.get(i) != null) {
                    sets.get(i).forEach(result::remove);
                }
            }
            return result;
        }
        if (sets.contains(null)) {
            return result; // a missing key is an empty set
        }
        // INTER: the smallest input's members that every other input has
        List<List<byte[]>> bySize = new ArrayList<>(sets);
        bySize.sort(java.util.Comparator.comparingInt(List::size));
        List<SetValue> others = new ArrayList<>(bySize.size() - 1);
        for (List<byte[]> s : bySize.subList(1, bySize.size())) {
            SetValue other = new SetValue();
            s.forEach(m -> other.add(m, limits));
            others.add(other);
        }
        for (byte[] m : bySize.get(0)) {
            boolean everywhere = true;
            for (SetValue other : others) {
                if (!other.contains(m)) {
                    everywhere = false;
                    break;
                }
            }
            if (everywhere) {
                result.add(m, limits);
            }
        }
        return result;
    }

    private static List<byte[]> keys(byte[][] argv, int from) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = from; i < argv.length; i++) {
            keys.add(argv[i]);
        }
        return keys;
    }

    public static void sinter(CommandContext c, byte[][] argv) {
        combine(c, Op.INTER, keys(argv, 1));
    }

    public static void sunion(CommandContext c, byte[][] argv) {
        combine(c, Op.UNION, keys(argv, 1));
    }

    public static void sdiff(CommandContext c, byte[][] argv) {
        combine(c, Op.DIFF, keys(argv, 1));
    }

    private static void combine(CommandContext c, Op op, List<byte[]> keys) {
        SetValue.Limits limits = c.local().store().encodings().set();
        c.replyLater(read(c.keyspace(), keys).map(sets -> members(compute(op, sets, limits).members())));
    }

    public static void sinterstore(CommandContext c, byte[][] argv) {
        store(c, Op.INTER, argv);
    }

    public static void sunionstore(CommandContext c, byte[][] argv) {
        store(c, Op.UNION, argv);
    }

    public static void sdiffstore(CommandContext c, byte[][] argv) {
        store(c, Op.DIFF, argv);
    }

    /** The STORE forms: the result replaces the destination (of any type), or deletes it when empty. */
    private static void store(CommandContext c, Op op, byte[][] argv) {
        byte[] dst = argv[1];
        String event = op == Op.INTER ? "sinterstore" : op == Op.UNION ? "sunionstore" : "sdiffstore";
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command sees the destination written
        SetValue.Limits limits = c.local().store().encodings().set();
        read(keyspace, keys(argv, 2)).flatMap(sets -> {
            SetValue result = compute(op, sets, limits); // this shard's now, handed over whole to the destination's
            return keyspace.invokeOn(keyspace.shardOf(dst), st -> {
                ValueStore ks = st.store();
                long now = System.currentTimeMillis();
                if (result.size() == 0) {
                    if (ks.delete(dst, now)) {
                        ks.changes().propagate(Effects.del(dst));
                        ks.notify(KeyspaceEvents.GENERIC, "del", dst);
                    }
                    return (RedisMessage) integer(0);
                }
                ks.memory().requireFits(result.bytes());
                ks.set(dst, ValueType.SET, result, ValueStore.NO_EXPIRY);
                ks.changes().propagateValue(dst); // made from what other shards hold: replayed as the value
                ks.notify(KeyspaceEvents.SET, event, dst);
                return (RedisMessage) integer(result.size());
            });
        }).whenComplete((reply, failure) -> {
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
            c.endBarrier();
        });
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    public static void sintercard(CommandContext c, byte[][] argv) {
        long numkeys = RespNumbers.isLong(argv[1]) ? RespNumbers.parseLong(argv[1]) : -1;
        if (numkeys <= 0) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        if (numkeys > argv.length - 2) {
            throw new RespError("ERR Number of keys can't be greater than number of args");
        }
        long limit = 0;
        for (int i = 2 + (int) numkeys; i < argv.length; i += 2) {
            if (!RespReplies.ascii(argv[i]).equalsIgnoreCase("limit") || i + 1 >= argv.length) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            limit = RespNumbers.isLong(argv[i + 1]) ? RespNumbers.parseLong(argv[i + 1]) : -1;
            if (limit < 0) {
                throw new RespError("ERR LIMIT can't be negative");
            }
        }
        long max = limit;
        SetValue.Limits limits = c.local().store().encodings().set();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 2; i < 2 + numkeys; i++) {
            keys.add(argv[i]);
        }
        c.replyLater(read(c.keyspace(), keys).map(sets -> {
            long n = compute(Op.INTER, sets, limits).size();
            return (RedisMessage) integer(max > 0 ? Math.min(n, max) : n);
        }));
    }

    /** SMOVE src dst member: 1 when moved (or already in dst after leaving src), 0 when not in src. */
    public static void smove(CommandContext c, byte[][] argv) {
        byte[] src = argv[1];
        byte[] dst = argv[2];
        byte[] member = argv[3];
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        // Both types are checked before anything moves, as Redis does.
        keyspace.invokeOn(keyspace.shardOf(dst), st -> {
            st.store().writeSet(dst, System.currentTimeMillis()); // a write's lookup (Redis's lookupKeyWrite): no keyspace miss
            return true;
        }).flatMap(dstOk -> keyspace.invokeOn(keyspace.shardOf(src), st -> {
            ValueStore ks = st.store();
            long now = System.currentTimeMillis();
            SetValue s = ks.writeSet(src, now);
            if (s == null || !s.contains(member)) {
                return false;
            }
            if (java.util.Arrays.equals(src, dst)) {
                return true; // same key: nothing moves (Redis replies 1 when the member is there)
            }
            long before = s.bytes();
            s.remove(member);
            ks.resized(src, s.bytes() - before);
            ks.notify(KeyspaceEvents.SET, "srem", src);
            deleteIfEmpty(ks, src, s, now);
            ks.changes().propagate(Effects.SREM, src, member); // each half of the move on its own shard's keys
            return true;
        })).flatMap(moved -> !moved || java.util.Arrays.equals(src, dst)
                ? ShardFuture.completed((RedisMessage) integer(moved ? 1 : 0))
                : keyspace.invokeOn(keyspace.shardOf(dst), st -> {
                    ValueStore ks = st.store();
                    long now = System.currentTimeMillis();
                    SetValue s = forWrite(ks, dst, now);
                    long before = s.bytes();
                    // a member the destination already has changes nothing there: no WATCH touched (Redis: "only notify dstset when the addition is successful")
                    if (s.add(member, ks.encodings().set())) {
                        ks.resized(dst, s.bytes() - before);
                        ks.changes().propagate(Effects.SADD, dst, member);
                        ks.notify(KeyspaceEvents.SET, "sadd", dst);
                    }
                    return (RedisMessage) integer(1);
                })).whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /** A set reply: {@code ~} in RESP3, an array in RESP2. */
    private static RedisMessage members(List<byte[]> members) {
        return RespReplies.bulkSet(members); // the members themselves, no object each
    }

}
