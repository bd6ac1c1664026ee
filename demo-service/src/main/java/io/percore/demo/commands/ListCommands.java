package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * List commands (Redis's {@code t_list.c}), each on the key's shard; RPOPLPUSH and LMOVE pop on
 * the source's shard and push on the destination's. LMPOP and the blocking forms (BLPOP, BRPOP,
 * BLMOVE, BRPOPLPUSH, BLMPOP) read their arguments here and run as {@link ListPop} or
 * {@link ListMove} through {@link BlockingCommands}, whatever shards their keys live on. A list
 * left without elements is deleted; every change is counted in the memory budget.
 */
public final class ListCommands {

    private ListCommands() {
    }

    static ListValue forWrite(ValueStore ks, byte[] key, long now) {
        ListValue l = ks.writeList(key, now);
        if (l == null) {
            l = new ListValue();
            ks.set(key, ValueType.LIST, l, ValueStore.NO_EXPIRY);
        }
        return l;
    }

    /** After elements were removed: an empty list is no key at all ({@code del}). */
    static void dropIfEmpty(ValueStore ks, byte[] key, ListValue l, long now) {
        if (l.size() == 0) {
            ks.delete(key, now);
            ks.notify(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    /** Elements left {@code key}'s head or tail: its {@code lpop}/{@code rpop} event, then {@code del} if it is empty (Redis's listElementsRemoved). */
    static void popped(ValueStore ks, byte[] key, ListValue l, boolean left, long now) {
        ks.notify(KeyspaceEvents.LIST, left ? "lpop" : "rpop", key);
        dropIfEmpty(ks, key, l, now);
    }

    private static RedisMessage push(ValueStore ks, byte[][] argv, long now, boolean left, boolean onlyIfExists) {
        ListValue l = ks.writeList(argv[1], now);
        if (l == null && onlyIfExists) {
            return integer(0);
        }
        long growth = 0;
        for (int i = 2; i < argv.length; i++) {
            growth += argv[i].length;
        }
        ks.memory().requireFits(growth);
        l = forWrite(ks, argv[1], now);
        long before = l.bytes();
        for (int i = 2; i < argv.length; i++) {
            if (left) {
                l.addFirst(argv[i]);
            } else {
                l.addLast(argv[i]);
            }
        }
        ks.resized(argv[1], l.bytes() - before);
        ks.notify(KeyspaceEvents.LIST, left ? "lpush" : "rpush", argv[1]);
        return integer(l.size());
    }

    public static RedisMessage lpush(ValueStore ks, byte[][] argv, long now) {
        return push(ks, argv, now, true, false);
    }

    public static RedisMessage rpush(ValueStore ks, byte[][] argv, long now) {
        return push(ks, argv, now, false, false);
    }

    public static RedisMessage lpushx(ValueStore ks, byte[][] argv, long now) {
        return push(ks, argv, now, true, true);
    }

    public static RedisMessage rpushx(ValueStore ks, byte[][] argv, long now) {
        return push(ks, argv, now, false, true);
    }

    private static RedisMessage pop(ValueStore ks, byte[][] argv, long now, boolean left) {
        if (argv.length > 3) {
            throw RespReplies.wrongArgs(left ? "lpop" : "rpop");
        }
        long count = -1;
        if (argv.length == 3) {
            count = RespNumbers.isLong(argv[2]) ? RespNumbers.parseLong(argv[2]) : -1;
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        ListValue l = ks.writeList(argv[1], now);
        if (l == null) {
            return count < 0 ? RespReplies.NIL : ArrayRedisMessage.NULL_INSTANCE;
        }
        if (count == 0) {
            return ArrayRedisMessage.EMPTY_INSTANCE; // nothing taken, nothing changed
        }
        long before = l.bytes();
        RedisMessage reply;
        if (count < 0) {
            reply = bulk(left ? l.removeFirst() : l.removeLast());
        } else {
            List<byte[]> out = new ArrayList<>((int) Math.min(count, l.size()));
            for (long i = 0; i < count && l.size() > 0; i++) {
                out.add(left ? l.removeFirst() : l.removeLast());
            }
            reply = RespReplies.bulkArray(out); // the elements themselves, no object each
        }
        ks.resized(argv[1], l.bytes() - before);
        popped(ks, argv[1], l, left, now);
        return reply;
    }

    public static RedisMessage lpop(ValueStore ks, byte[][] argv, long now) {
        return pop(ks, argv, now, true);
    }

    public static RedisMessage rpop(ValueStore ks, byte[][] argv, long now) {
        return pop(ks, argv, now, false);
    }

    public static RedisMessage llen(ValueStore ks, byte[][] argv, long now) {
        ListValue l = ks.readList(argv[1], now);
        return integer(l == null ? 0 : l.size());
    }

    public static RedisMessage lrange(ValueStore ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        ListValue l = ks.readList(argv[1], now);
        int[] range = l == null ? null : range(start, end, l.size());
        if (range == null) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        return RespReplies.bulkArray(l.range(range[0], range[1])); // the elements themselves, no object each
    }

    /**
     * LRANGE's and LTRIM's {@code start stop} (negative counts from the end) as indexes into a list
     * of {@code len} elements, clamped; null when the range is empty.
     */
    private static int[] range(long start, long end, long len) {
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= len) {
            return null;
        }
        return new int[] {(int) start, (int) Math.min(end, len - 1)};
    }

    public static RedisMessage lindex(ValueStore ks, byte[][] argv, long now) {
        long index = RespNumbers.requireLong(argv[2]);
        ListValue l = ks.readList(argv[1], now);
        if (l == null) {
            return RespReplies.NIL;
        }
        if (index < 0) {
            index = l.size() + index;
        }
        return index < 0 || index >= l.size() ? RespReplies.NIL : bulk(l.get((int) index));
    }

    public static RedisMessage lset(ValueStore ks, byte[][] argv, long now) {
        long index = RespNumbers.requireLong(argv[2]);
        ListValue l = ks.writeList(argv[1], now);
        if (l == null) {
            throw new RespError(RespReplies.NO_SUCH_KEY);
        }
        if (index < 0) {
            index = l.size() + index;
        }
        if (index < 0 || index >= l.size()) {
            throw new RespError("ERR index out of range");
        }
        ks.memory().requireFits(argv[3].length);
        long before = l.bytes();
        l.set((int) index, argv[3]);
        ks.resized(argv[1], l.bytes() - before);
        ks.notify(KeyspaceEvents.LIST, "lset", argv[1]);
        return OK;
    }

    public static RedisMessage linsert(ValueStore ks, byte[][] argv, long now) {
        String where = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
        if (!where.equals("before") && !where.equals("after")) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        ListValue l = ks.writeList(argv[1], now);
        if (l == null) {
            return integer(0);
        }
        for (int i = 0; i < l.size(); i++) {
            if (Arrays.equals(l.get(i), argv[3])) {
                ks.memory().requireFits(argv[4].length);
                long before = l.bytes();
                l.insert(where.equals("before") ? i : i + 1, argv[4]);
                ks.resized(argv[1], l.bytes() - before);
                ks.notify(KeyspaceEvents.LIST, "linsert", argv[1]);
                return integer(l.size());
            }
        }
        return integer(-1);
    }

    public static RedisMessage lrem(ValueStore ks, byte[][] argv, long now) {
        long count = RespNumbers.requireLong(argv[2]);
        ListValue l = ks.writeList(argv[1], now);
        if (l == null) {
            return integer(0);
        }
        long before = l.bytes();
        long removed = l.removeMatching(argv[3], count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count), count < 0);
        if (removed == 0) {
            return integer(0); // nothing changed: no WATCH touched, nothing to replay (Redis's "if (removed)")
        }
        ks.resized(argv[1], l.bytes() - before);
        ks.notify(KeyspaceEvents.LIST, "lrem", argv[1]);
        dropIfEmpty(ks, argv[1], l, now);
        return integer(removed);
    }

    public static RedisMessage ltrim(ValueStore ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        ListValue l = ks.writeList(argv[1], now);
        if (l == null) {
            return OK;
        }
        int[] range = range(start, end, l.size());
        long before = l.bytes();
        if (range == null) {
            l.trim(1, 0); // nothing kept
        } else {
            l.trim(range[0], range[1]);
        }
        ks.resized(argv[1], l.bytes() - before);
        ks.notify(KeyspaceEvents.LIST, "ltrim", argv[1]); // even when nothing was trimmed, as Redis
        dropIfEmpty(ks, argv[1], l, now);
        return OK;
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    public static RedisMessage lpos(ValueStore ks, byte[][] argv, long now) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int i = 3; i < argv.length; i++) {
            String opt = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
            if (i + 1 >= argv.length) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            long v = RespNumbers.requireLong(argv[++i]);
            switch (opt) {
                case "rank" -> {
                    if (v == 0) {
                        throw new RespError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                                + "or use negative to start from the end of the list");
                    }
                    if (v == Long.MIN_VALUE) {
                        throw new RespError("ERR value is out of range");
                    }
                    rank = v;
                }
                case "count" -> {
                    if (v < 0) {
                        throw new RespError("ERR COUNT can't be negative");
                    }
                    count = v;
                }
                case "maxlen" -> {
                    if (v < 0) {
                        throw new RespError("ERR MAXLEN can't be negative");
                    }
                    maxlen = v;
                }
                default -> throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        ListValue l = ks.readList(argv[1], now);
        boolean many = count >= 0;
        List<RedisMessage> matches = new ArrayList<>();
        if (l != null) {
            long skip = Math.abs(rank) - 1;
            long wanted = many ? (count == 0 ? Long.MAX_VALUE : count) : 1;
            int n = l.size();
            for (int step = 0; step < n && (maxlen == 0 || step < maxlen) && matches.size() < wanted; step++) {
                int i = rank > 0 ? step : n - 1 - step;
                if (Arrays.equals(l.get(i), argv[2])) {
                    if (skip > 0) {
                        skip--;
                    } else {
                        matches.add(integer(i));
                    }
                }
            }
        }
        if (many) {
            return l == null ? ArrayRedisMessage.EMPTY_INSTANCE : new ArrayRedisMessage(matches);
        }
        return matches.isEmpty() ? RespReplies.NIL : matches.get(0);
    }

    /**
     * Pushes one element onto {@code key} (LMOVE's second half), creating the list.
     *
     * @throws io.percore.demo.kv.WrongTypeException when the key holds another type
     */
    static void pushOne(ValueStore ks, byte[] key, byte[] element, boolean left) {
        ListValue l = forWrite(ks, key, System.currentTimeMillis());
        long before = l.bytes();
        if (left) {
            l.addFirst(element);
        } else {
            l.addLast(element);
        }
        ks.resized(key, l.bytes() - before);
    }

    /** {@link #pushOne}, reported as the push ({@code LPUSH dst element} or {@code RPUSH}): LMOVE's second half. */
    static void pushOneReported(ValueStore ks, byte[] key, byte[] element, boolean left) {
        pushOne(ks, key, element, left);
        ks.changes().propagate(left ? Effects.LPUSH : Effects.RPUSH, key, element);
        ks.notify(KeyspaceEvents.LIST, left ? "lpush" : "rpush", key);
    }

    /**
     * LMOVE (served or not) onto its own list: {@code element}, just removed from the {@code fromLeft} end, pushed back at
     * the {@code toLeft} end before the pop is finished ({@link #popped}), so the list is never empty in between and keeps
     * its key and time to live (Redis pushes before it removes). Reported as itself, as Redis propagates LMOVE: replayed
     * as a pop then a push it would empty a list of one element, deleting the key and its time to live.
     */
    static void rotated(ValueStore ks, byte[] key, byte[] element, boolean fromLeft, boolean toLeft) {
        ks.changes().propagate(Effects.lmove(key, fromLeft, toLeft));
        pushOne(ks, key, element, toLeft);
        ks.notify(KeyspaceEvents.LIST, toLeft ? "lpush" : "rpush", key);
    }

    /** {@code LPOP key} or {@code RPOP key}: a move's or a blocked pop's first half, one element. */
    static byte[][] popOne(byte[] key, boolean left) {
        return new byte[][] {left ? Effects.LPOP : Effects.RPOP, key};
    }

    /** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
    public static void rpoplpush(CommandContext c, byte[][] argv) {
        move(c, argv[1], argv[2], false, true);
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
    public static void lmove(CommandContext c, byte[][] argv) {
        move(c, argv[1], argv[2], sideOrNull(argv[3]), sideOrNull(argv[4]));
    }

    private static boolean side(byte[] arg) {
        Boolean left = sideOrNull(arg);
        if (left == null) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        return left;
    }

    /** LEFT (true), RIGHT (false), or null for anything else. */
    private static Boolean sideOrNull(byte[] arg) {
        String s = RespReplies.ascii(arg).toLowerCase(Locale.ROOT);
        return s.equals("left") ? Boolean.TRUE : s.equals("right") ? Boolean.FALSE : null;
    }

    /**
     * On {@code dst}'s shard, before a command that pushes onto it (LMOVE, RPOPLPUSH, BLMOVE,
     * BRPOPLPUSH: Redis's {@code denyoom}): -OOM when that shard is over budget and cannot evict,
     * else null.
     */
    private static RedisMessage refusedForMemory(ValueStore ks, long now) {
        return !ks.makeRoom(now) ? RespReplies.OOM_REPLY : null;
    }

    /**
     * Pops from {@code src} (left or right) and pushes onto {@code dst}. First, on the destination's
     * shard, the memory check (Redis's denyoom, before the arguments are read: a null side is the
     * syntax error after it) and the destination's type, so a WRONGTYPE moves nothing; then the pop
     * on the source's shard and the push on the destination's.
     */
    private static void move(CommandContext c, byte[] src, byte[] dst, Boolean fromLeft, Boolean toLeft) {
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        keyspace.invokeOn(keyspace.shardOf(dst), st -> {
            long now = System.currentTimeMillis();
            RedisMessage refused = refusedForMemory(st.store(), now);
            if (refused != null) {
                return refused;
            }
            if (fromLeft == null || toLeft == null) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            st.store().writeList(dst, now); // a write's lookup (Redis's lookupKeyWrite): no keyspace miss
            return null;
        }).flatMap(refused -> refused != null ? ShardFuture.completed(refused) : popAndPush(keyspace, src, dst, fromLeft, toLeft))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    private static ShardFuture<RedisMessage> popAndPush(Keyspace keyspace, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft) {
        if (keyspace.shardOf(src) == keyspace.shardOf(dst)) {
            // both keys here: one step, as Redis's lmoveGenericCommand, with its events in its order (the push's, then the pop's)
            return keyspace.invokeOn(keyspace.shardOf(src), st -> {
                ValueStore ks = st.store();
                long now = System.currentTimeMillis();
                ListValue l = ks.writeList(src, now);
                if (l == null) {
                    return RespReplies.NIL;
                }
                long before = l.bytes();
                byte[] e = fromLeft ? l.removeFirst() : l.removeLast();
                ks.resized(src, l.bytes() - before);
                if (java.util.Arrays.equals(src, dst)) {
                    rotated(ks, src, e, fromLeft, toLeft);
                } else {
                    ks.changes().propagate(popOne(src, fromLeft));
                    pushOneReported(ks, dst, e, toLeft);
                }
                popped(ks, src, l, fromLeft, now);
                return bulk(e);
            });
        }
        return keyspace.invokeOn(keyspace.shardOf(src), st -> {
            ValueStore ks = st.store();
            long now = System.currentTimeMillis();
            ListValue l = ks.writeList(src, now);
            if (l == null) {
                return null;
            }
            long before = l.bytes();
            byte[] e = fromLeft ? l.removeFirst() : l.removeLast();
            ks.resized(src, l.bytes() - before);
            popped(ks, src, l, fromLeft, now);
            ks.changes().propagate(popOne(src, fromLeft)); // each half of the move on its own shard's keys
            return e;
        }).flatMap(element -> element == null
                ? ShardFuture.completed((RedisMessage) RespReplies.NIL)
                : keyspace.invokeOn(keyspace.shardOf(dst), st -> {
                    pushOneReported(st.store(), dst, element, toLeft);
                    return (RedisMessage) bulk(element);
                }));
    }

    // ------------------------------------------------------------------ LMPOP and the blocking forms (t_list.c, blocked.c)

    /** BLPOP key [key ...] timeout. */
    public static void blpop(CommandContext c, byte[][] argv) {
        long timeout = BlockingTimeout.millis(argv[argv.length - 1]);
        BlockingCommands.pop(c, keys(argv, 1, argv.length - 2), ListPop.single(true), timeout, true);
    }

    /** BRPOP key [key ...] timeout. */
    public static void brpop(CommandContext c, byte[][] argv) {
        long timeout = BlockingTimeout.millis(argv[argv.length - 1]);
        BlockingCommands.pop(c, keys(argv, 1, argv.length - 2), ListPop.single(false), timeout, true);
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: its arguments are read once the destination's shard has room. */
    public static void blmove(CommandContext c, byte[][] argv) {
        BlockingCommands.popIfAdmitted(c, admission(c, argv[2]), () -> {
            boolean fromLeft = side(argv[3]);
            boolean toLeft = side(argv[4]);
            long timeout = BlockingTimeout.millis(argv[5]);
            return new BlockingCommands.Request(List.of(argv[1]), new ListMove(fromLeft, argv[2], toLeft), timeout);
        });
    }

    /** BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT timeout. */
    public static void brpoplpush(CommandContext c, byte[][] argv) {
        BlockingCommands.popIfAdmitted(c, admission(c, argv[2]), () ->
                new BlockingCommands.Request(List.of(argv[1]), new ListMove(false, argv[2], true), BlockingTimeout.millis(argv[3])));
    }

    /** The memory check of a blocking move on its destination's shard (inline when that is this one). */
    private static ShardFuture<RedisMessage> admission(CommandContext c, byte[] dst) {
        // part of the command's first try (BlockingCommands.popIfAdmitted): let in while that shard serves blocked clients
        Keyspace keyspace = c.keyspace().forWaiters();
        return keyspace.invokeOn(keyspace.shardOf(dst), st -> refusedForMemory(st.store(), System.currentTimeMillis()));
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: BLMPOP that never blocks. */
    public static void lmpop(CommandContext c, byte[][] argv) {
        MultiPop m = MultiPop.parse(argv, 1);
        BlockingCommands.pop(c, m.keys, m.pop, BlockingTimeout.FOREVER, false);
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    public static void blmpop(CommandContext c, byte[][] argv) {
        MultiPop m = MultiPop.parse(argv, 2);
        long timeout = BlockingTimeout.millis(argv[1]); // after the other arguments, as Redis reads them
        BlockingCommands.pop(c, m.keys, m.pop, timeout, true);
    }

    /** LMPOP's and BLMPOP's keys and pop, read as Redis's lmpopGenericCommand reads them, errors in its order. */
    private record MultiPop(List<byte[]> keys, ListPop pop) {

        static MultiPop parse(byte[][] argv, int numkeysIndex) {
            long numkeys = RespNumbers.isLong(argv[numkeysIndex]) ? RespNumbers.parseLong(argv[numkeysIndex]) : 0;
            if (numkeys < 1) {
                throw new RespError("ERR numkeys should be greater than 0");
            }
            if (numkeys >= argv.length - numkeysIndex - 1) {
                throw new RespError(RespReplies.SYNTAX_ERROR); // no room left for LEFT|RIGHT
            }
            int whereIndex = numkeysIndex + (int) numkeys + 1;
            boolean left = side(argv[whereIndex]);
            long count = -1;
            for (int i = whereIndex + 1; i < argv.length; i++) {
                boolean moreArgs = i + 1 < argv.length;
                if (count == -1 && moreArgs && RespReplies.ascii(argv[i]).equalsIgnoreCase("count")) {
                    byte[] n = argv[++i];
                    count = RespNumbers.isLong(n) ? RespNumbers.parseLong(n) : 0;
                    if (count < 1) {
                        throw new RespError("ERR count should be greater than 0");
                    }
                } else {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
            }
            return new MultiPop(ListCommands.keys(argv, numkeysIndex + 1, whereIndex - 1), new ListPop(left, count == -1 ? 1 : count));
        }
    }

    private static List<byte[]> keys(byte[][] argv, int first, int last) {
        return Arrays.asList(argv).subList(first, last + 1);
    }
}
