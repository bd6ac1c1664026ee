package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.NIL;
import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.percore.demo.kv.GrowableString;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.StringView;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.command.AtomicParts;
import io.percore.engine.ShardFuture;
import java.util.BitSet;
import io.percore.demo.shard.Keyspace;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.math.BigDecimal;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.KeysByShard;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * The string commands (Redis's {@code t_string.c}), with Redis 7.0's argument rules and replies.
 * The single-key ones are {@link KeyCommand}s run on the shard owning the key; MGET, MSET and
 * MSETNX split their keys by shard ({@link KeysByShard}). SET and the like store the argument's
 * array, never changed afterwards; APPEND and SETRANGE change a {@link GrowableString} in place
 * (amortized to the size of the change), which copies itself first when a reply still holds its
 * array. A key holding another type fails with WRONGTYPE from the store's lookup.
 *
 * <p>Atomicity: MGET/MSET/MSETNX whose keys live on one shard are atomic, as in Redis. Across
 * shards, MSET and MGET apply per shard (another client may observe one shard's part before
 * another's); MSETNX uses prepare/commit with key reservations (see {@link #msetnx}).
 */
public final class StringCommands {


    private static final int NX = 1;
    private static final int XX = 1 << 1;
    private static final int GET = 1 << 2;
    private static final int KEEPTTL = 1 << 3;
    private static final int PERSIST = 1 << 4;
    private static final int EX = 1 << 5;
    private static final int PX = 1 << 6;
    private static final int EXAT = 1 << 7;
    private static final int PXAT = 1 << 8;
    private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    static final AtomicLong NEXT_TRANSACTION = new AtomicLong();

    private StringCommands() {
    }

    public static RedisMessage get(ValueStore ks, byte[][] argv, long now) {
        return RespReplies.bulkOfStored(ks.lookupRead(argv[1], ValueType.STRING, now));
    }

    public static RedisMessage strlen(ValueStore ks, byte[][] argv, long now) {
        StringView v = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        return integer(v == null ? 0 : v.length());
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
    public static RedisMessage set(ValueStore ks, byte[][] argv, long now) {
        int flags = 0;
        byte[] expireArg = null;
        for (int j = 3; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]).toLowerCase(java.util.Locale.ROOT);
            boolean hasNext = j + 1 < argv.length;
            if (opt.equals("nx") && (flags & XX) == 0) {
                flags |= NX;
            } else if (opt.equals("xx") && (flags & NX) == 0) {
                flags |= XX;
            } else if (opt.equals("get")) {
                flags |= GET;
            } else if (opt.equals("keepttl") && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
                flags |= KEEPTTL;
            } else if (hasNext && opt.equals("ex") && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0) {
                flags |= EX;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("px") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0) {
                flags |= PX;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("exat") && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0) {
                flags |= EXAT;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("pxat") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0) {
                flags |= PXAT;
                expireArg = argv[++j];
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        long expireAt = expireArg == null ? ValueStore.NO_EXPIRY : expireMillis(expireArg, flags, now, "set");
        RedisMessage old = NIL;
        if ((flags & GET) != 0) {
            old = RespReplies.bulkOfStored(ks.lookupRead(argv[1], ValueType.STRING, now));
        }
        boolean found = (flags & (NX | XX)) == 0 ? false : (flags & NX) != 0 ? ks.existsOrReserved(argv[1], now) : ks.exists(argv[1], now);
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            return (flags & GET) != 0 ? old : NIL;
        }
        if ((flags & KEEPTTL) != 0) {
            ks.setStringKeepTtl(argv[1], argv[2], now); // the arguments replay as they are
            ks.notify(KeyspaceEvents.STRING, "set", argv[1]);
        } else {
            ks.setString(argv[1], argv[2], expireAt);
            ks.notify(KeyspaceEvents.STRING, "set", argv[1]);
            if ((flags & (EX | PX | EXAT)) != 0) {
                // a relative expiry made absolute (Redis rewrites EX/PX as PXAT); without one the
                // arguments replay as they are (NX/XX decided the same way on the same keys)
                Effects.report(ks, () -> Effects.set(argv[1], argv[2], expireAt, ValueStore.NO_EXPIRY));
            }
            if (expireArg != null) {
                ks.notify(KeyspaceEvents.GENERIC, "expire", argv[1]);
            }
        }
        return (flags & GET) != 0 ? old : OK;
    }

    public static RedisMessage setnx(ValueStore ks, byte[][] argv, long now) {
        if (ks.existsOrReserved(argv[1], now)) {
            return ZERO;
        }
        ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
        ks.notify(KeyspaceEvents.STRING, "set", argv[1]);
        return ONE;
    }

    public static RedisMessage setex(ValueStore ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], EX, now, "setex");
        setWithExpiry(ks, argv[1], argv[3], at);
        return OK;
    }

    public static RedisMessage psetex(ValueStore ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], PX, now, "psetex");
        setWithExpiry(ks, argv[1], argv[3], at);
        return OK;
    }

    /** SETEX, PSETEX: SET with an absolute expiry, replayed as such; its events are SET's. */
    private static void setWithExpiry(ValueStore ks, byte[] key, byte[] value, long at) {
        ks.setString(key, value, at);
        ks.changes().propagate(Effects.set(key, value, at, ValueStore.NO_EXPIRY));
        ks.notify(KeyspaceEvents.STRING, "set", key);
        ks.notify(KeyspaceEvents.GENERIC, "expire", key);
    }

    public static RedisMessage getset(ValueStore ks, byte[][] argv, long now) {
        RedisMessage old = RespReplies.bulkOfStored(ks.lookupRead(argv[1], ValueType.STRING, now));
        ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
        ks.notify(KeyspaceEvents.STRING, "set", argv[1]);
        return old;
    }

    public static RedisMessage getdel(ValueStore ks, byte[][] argv, long now) {
        Object old = ks.lookupRead(argv[1], ValueType.STRING, now);
        if (old != null) {
            ks.delete(argv[1], now);
            ks.notify(KeyspaceEvents.GENERIC, "del", argv[1]);
        }
        return RespReplies.bulkOfStored(old);
    }

    /** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] */
    public static RedisMessage getex(ValueStore ks, byte[][] argv, long now) {
        int flags = 0;
        byte[] expireArg = null;
        for (int j = 2; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]).toLowerCase(java.util.Locale.ROOT);
            boolean hasNext = j + 1 < argv.length;
            if (opt.equals("persist") && (flags & ANY_EXPIRE) == 0) {
                flags |= PERSIST;
            } else if (hasNext && opt.equals("ex") && (flags & (PERSIST | EXAT | PX | PXAT)) == 0) {
                flags |= EX;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("px") && (flags & (PERSIST | EX | EXAT | PXAT)) == 0) {
                flags |= PX;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("exat") && (flags & (PERSIST | EX | PX | PXAT)) == 0) {
                flags |= EXAT;
                expireArg = argv[++j];
            } else if (hasNext && opt.equals("pxat") && (flags & (PERSIST | EX | EXAT | PX)) == 0) {
                flags |= PXAT;
                expireArg = argv[++j];
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        long at = expireArg == null ? ValueStore.NO_EXPIRY : expireMillis(expireArg, flags, now, "getex");
        Object value = ks.lookupRead(argv[1], ValueType.STRING, now);
        if (value == null) {
            return NIL;
        }
        if (expireArg != null) {
            ks.expire(argv[1], at, now);
            // an absolute time in the past deleted the key (Redis propagates DEL); else the absolute expiry
            ks.changes().propagate(at <= now ? Effects.del(argv[1]) : Effects.pexpireat(argv[1], at));
            ks.notify(KeyspaceEvents.GENERIC, at <= now ? "del" : "expire", argv[1]);
        } else if ((flags & PERSIST) != 0 && ks.expireAt(argv[1], now) != ValueStore.NO_EXPIRY) {
            ks.expire(argv[1], ValueStore.NO_EXPIRY, now); // PERSIST key, when it had a TTL (the store counts a change only then)
            ks.notify(KeyspaceEvents.GENERIC, "persist", argv[1]);
        }
        return RespReplies.bulkOfStored(value);
    }

    /** APPEND: in place, amortized O(appended bytes) (a new key stores the argument itself, as SET). */
    public static RedisMessage append(ValueStore ks, byte[][] argv, long now) {
        StringView old = StringView.of(ks.lookupWrite(argv[1], ValueType.STRING, now));
        if (old == null) {
            ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
            ks.notify(KeyspaceEvents.STRING, "append", argv[1]);
            return integer(argv[2].length);
        }
        int oldLength = old.length();
        checkStringLength(ks, oldLength, argv[2].length);
        GrowableString string = ks.strings().writable(argv[1], oldLength + argv[2].length, now);
        System.arraycopy(argv[2], 0, string.array(), oldLength, argv[2].length);
        if (!ks.strings().lastCounted()) {
            ks.modified(argv[1]); // even an empty APPEND, as Redis's (one change: a longer string counted already)
        }
        ks.notify(KeyspaceEvents.STRING, "append", argv[1]);
        return integer(string.length());
    }

    public static RedisMessage getrange(ValueStore ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        StringView v = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        if (v == null) {
            return bulk(new byte[0]);
        }
        long len = v.length();
        if (start < 0 && end < 0 && start > end) {
            return bulk(new byte[0]);
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            return bulk(new byte[0]);
        }
        return bulk(v.copy((int) start, (int) end + 1));
    }

    public static RedisMessage setrange(ValueStore ks, byte[][] argv, long now) {
        long offset = RespNumbers.requireLong(argv[2]);
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        byte[] value = argv[3];
        StringView old = StringView.of(ks.lookupWrite(argv[1], ValueType.STRING, now));
        int oldLength = old == null ? 0 : old.length();
        if (value.length == 0) {
            return old == null ? ZERO : integer(oldLength); // nothing written, nothing created
        }
        checkStringLength(ks, offset, value.length);
        // in place: O(value) unless the string grows (amortized) or a reply holds it (one copy)
        GrowableString string = ks.strings().writable(argv[1], (int) Math.max(oldLength, offset + value.length), now);
        System.arraycopy(value, 0, string.array(), (int) offset, value.length);
        if (!ks.strings().lastCounted()) {
            ks.modified(argv[1]); // one change, as Redis's dirty counts a SETRANGE
        }
        ks.notify(KeyspaceEvents.STRING, "setrange", argv[1]);
        return integer(string.length());
    }

    public static RedisMessage incr(ValueStore ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], 1, now);
    }

    public static RedisMessage decr(ValueStore ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], -1, now);
    }

    public static RedisMessage incrby(ValueStore ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], RespNumbers.requireLong(argv[2]), now);
    }

    public static RedisMessage decrby(ValueStore ks, byte[][] argv, long now) {
        long by = RespNumbers.requireLong(argv[2]);
        if (by == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        return incrBy(ks, argv[1], -by, now);
    }

    private static RedisMessage incrBy(ValueStore ks, byte[] key, long by, long now) {
        StringView old = StringView.of(ks.lookupWrite(key, ValueType.STRING, now));
        long value = old == null ? 0 : RespNumbers.requireLong(shortCopy(old, 20, RespReplies.NOT_INTEGER));
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
            throw new RespError(RespReplies.OVERFLOW);
        }
        long result = value + by;
        ks.setStringKeepTtl(key, RespNumbers.toBytes(result), now);
        ks.notify(KeyspaceEvents.STRING, "incrby", key);
        return integer(result);
    }

    public static RedisMessage incrbyfloat(ValueStore ks, byte[][] argv, long now) {
        String increment = RespReplies.ascii(argv[2]).toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
        if (increment.equals("inf") || increment.equals("infinity")) {
            // strtold reads it; the sum is then infinite (t_string.c's check)
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        StringView old = StringView.of(ks.lookupWrite(argv[1], ValueType.STRING, now));
        BigDecimal value = old == null ? BigDecimal.ZERO : RespNumbers.parseDecimal(shortCopy(old, 5000, RespReplies.NOT_FLOAT));
        BigDecimal by = RespNumbers.parseDecimal(argv[2]);
        byte[] result = RespNumbers.formatDecimal(value.add(by));
        if (result.length > 5000) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        ks.setStringKeepTtl(argv[1], result, now);
        ks.changes().propagate(Effects.setKeepTtl(argv[1], result)); // as Redis: the sum, not the increment
        ks.notify(KeyspaceEvents.STRING, "incrbyfloat", argv[1]);
        return bulk(result);
    }

    // ------------------------------------------------------------------ MGET

    /** MGET key [key ...]: a key holding another type reads as nil (Redis's MGET). */
    /** MGET: atomic across shards ({@link AtomicParts}): no reader sees half of another command's writes. */
    public static void mget(CommandContext c, byte[][] argv) {
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 1);
        byte[][] values = new byte[argv.length - 1][];
        AtomicParts.run(c, groups, (st, indices) -> {
            long now = System.currentTimeMillis();
            // the values are taken on the owner: copying a growable string must happen on its shard
            for (int index : indices) {
                try {
                    values[index - 1] = RespReplies.bytesOfStored(st.store().lookupRead(argv[index], ValueType.STRING, now));
                } catch (WrongTypeException e) {
                    values[index - 1] = null;
                }
            }
            return null;
        }, parts -> RespReplies.bulkArray(Arrays.asList(values))); // the values themselves (nil: null), no object each
    }

    // ------------------------------------------------------------------ MSET / MSETNX

    /** MSET's and MSETNX's writes on one shard: each key set, then its event, as Redis's msetGenericCommand. */
    private static void setEach(ValueStore store, List<byte[]> keys, List<byte[]> values) {
        for (int i = 0; i < keys.size(); i++) {
            store.setString(keys.get(i), values.get(i), ValueStore.NO_EXPIRY);
            store.notify(KeyspaceEvents.STRING, "set", keys.get(i));
        }
    }

    /**
     * MSET: atomic across shards ({@link AtomicParts}). A shard over its budget refuses its part with
     * -OOM (the reply); the parts on other shards stand, as they are made while the shards are held.
     */
    public static void mset(CommandContext c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("mset");
        }
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 2);
        AtomicParts.run(c, groups, (st, indices) -> {
            if (!st.store().makeRoom(System.currentTimeMillis())) {
                throw new OutOfBudgetException();
            }
            List<byte[]> keys = KeysByShard.pick(argv, indices, 0);
            List<byte[]> values = KeysByShard.pick(argv, indices, 1);
            setEach(st.store(), keys, values);
            st.store().changes().propagate(Effects.mset(keys, values)); // this shard's keys only
            return null;
        }, parts -> OK);
    }

    /**
     * MSETNX: atomic across shards. Its shards are held in ascending order while each checks its keys
     * ({@link AtomicParts#parts}), then, all held, every shard writes its keys if none existed; so no
     * command sees the keys half set, nor sets one between the check and the write.
     */
    public static void msetnx(CommandContext c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("msetnx");
        }
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 2);
        if (KeysByShard.count(groups) == 1) {
            AtomicParts.run(c, groups, (st, indices) -> {
                long now = System.currentTimeMillis();
                if (!st.store().makeRoom(now)) {
                    return RespReplies.OOM_REPLY;
                }
                List<byte[]> keys = KeysByShard.pick(argv, indices, 0);
                for (byte[] key : keys) {
                    if (st.store().existsOrReserved(key, now)) {
                        return RespReplies.ZERO;
                    }
                }
                List<byte[]> values = KeysByShard.pick(argv, indices, 1);
                setEach(st.store(), keys, values);
                st.store().changes().propagate(Effects.mset(keys, values));
                return RespReplies.ONE;
            }, parts -> parts.get(0));
            return;
        }
        // Across shards: a transaction of its own holds every shard of its keys while it checks, then writes
        // (inside EXEC, the transaction's own holds them already)
        Keyspace keyspace = c.keyspace();
        boolean own = keyspace.transaction() == io.percore.demo.shard.ShardReservation.FREE;
        Keyspace bound = own ? keyspace.boundTo(keyspace.local().nextGroupId()) : keyspace;
        BitSet shards = new BitSet();
        for (int s = 0; s < groups.length; s++) {
            if (groups[s] != null) {
                shards.set(s);
            }
        }
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        if (own) {
            bound.step(1);
        }
        (own ? bound.reserveInOrder(shards) : ShardFuture.<Void>completed(null))
                .flatMap(held -> onEach(bound, shards, st -> {
                    long now = System.currentTimeMillis();
                    if (!st.store().makeRoom(now)) {
                        return RespReplies.OOM_REPLY;
                    }
                    for (byte[] key : KeysByShard.pick(argv, groups[st.shardId()], 0)) {
                        if (st.store().existsOrReserved(key, now)) {
                            return RespReplies.ZERO;
                        }
                    }
                    return RespReplies.ONE;
                }, (a, b) -> a == RespReplies.OOM_REPLY || b == RespReplies.OOM_REPLY ? RespReplies.OOM_REPLY
                        : a == RespReplies.ZERO || b == RespReplies.ZERO ? RespReplies.ZERO : RespReplies.ONE))
                .flatMap(verdict -> verdict != RespReplies.ONE ? ShardFuture.completed(verdict) : onEach(bound, shards, st -> {
                    List<byte[]> keys = KeysByShard.pick(argv, groups[st.shardId()], 0);
                    List<byte[]> values = KeysByShard.pick(argv, groups[st.shardId()], 1);
                    setEach(st.store(), keys, values);
                    st.store().changes().propagate(Effects.mset(keys, values));
                    return verdict;
                }, (a, b) -> a))
                .whenComplete((verdict, failure) -> (own ? bound.releaseAll(shards) : ShardFuture.<Void>completed(null))
                        .whenComplete((v, f) -> {
                            slot.complete(failure != null ? RespReplies.forFailure(failure) : verdict);
                            c.endBarrier();
                        }));
    }

    /** {@code fn} on each of {@code shards} (held by {@code bound}'s transaction), folded in shard order. */
    private static ShardFuture<RedisMessage> onEach(Keyspace bound, BitSet shards,
                                                    java.util.function.Function<io.percore.demo.shard.KeyspaceShard, RedisMessage> fn,
                                                    java.util.function.BinaryOperator<RedisMessage> fold) {
        List<ShardFuture<RedisMessage>> calls = new java.util.ArrayList<>();
        for (int s = shards.nextSetBit(0); s >= 0; s = shards.nextSetBit(s + 1)) {
            calls.add(bound.invokeOn(s, fn));
        }
        ShardFuture<RedisMessage> acc = calls.get(0);
        for (int i = 1; i < calls.size(); i++) {
            ShardFuture<RedisMessage> next = calls.get(i);
            acc = acc.flatMap(a -> next.map(b -> fold.apply(a, b)));
        }
        return acc;
    }

    // ------------------------------------------------------------------ LCS

    /**
     * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence by
     * Redis's dynamic programming over an (n+1)×(m+1) table of 32-bit lengths. The keys are read on
     * their shards (arrays shared, not copied) and the table built on this connection's shard. Bounded
     * as Redis 7.0.15 bounds it: a table over {@code proto-max-bulk-len} bytes is refused with
     * Redis's error, so its time and memory are too (at most 128 M cells); a table larger than this
     * shard's memory budget gets Redis's error for a failed allocation instead of risking the heap.
     */
    public static void lcs(CommandContext c, byte[][] argv) {
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        RespError optionError = null; // Redis reports a key of another type first
        for (int j = 3; j < argv.length && optionError == null; j++) {
            String opt = RespReplies.ascii(argv[j]);
            boolean more = j + 1 < argv.length;
            if (opt.equalsIgnoreCase("idx")) {
                getIdx = true;
            } else if (opt.equalsIgnoreCase("len")) {
                getLen = true;
            } else if (opt.equalsIgnoreCase("withmatchlen")) {
                withMatchLen = true;
            } else if (opt.equalsIgnoreCase("minmatchlen") && more) {
                if (!RespNumbers.isLong(argv[j + 1])) {
                    optionError = new RespError(RespReplies.NOT_INTEGER);
                } else {
                    minMatchLen = Math.max(0, RespNumbers.parseLong(argv[++j]));
                }
            } else {
                optionError = new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        if (optionError == null && getLen && getIdx) {
            optionError = new RespError("ERR If you want both the length and indexes, please just use IDX.");
        }
        RespError refused = optionError;
        LcsRequest request = new LcsRequest(getLen, getIdx, withMatchLen, minMatchLen);
        long maxTableBytes = c.server().config().protoMaxBulkLen(); // CONFIG SET proto-max-bulk-len applies at once
        ValueStore local = c.local().store();
        c.replyLater(KeysByShard.readEach(c.keyspace(), argv, 1, 3, (store, key, now) -> {
            try {
                return StringView.shared(store.lookupRead(key, ValueType.STRING, now));
            } catch (WrongTypeException e) {
                return e;
            }
        }).map(found -> {
            if (found[0] instanceof WrongTypeException || found[1] instanceof WrongTypeException) {
                return RespReplies.error("ERR The specified keys must contain string values");
            }
            if (refused != null) {
                return refused.reply();
            }
            StringView a = found[0] == null ? new StringView(new byte[0], 0) : (StringView) found[0];
            StringView b = found[1] == null ? new StringView(new byte[0], 0) : (StringView) found[1];
            long tableBytes = (a.length() + 1L) * (b.length() + 1L) * Integer.BYTES;
            if (tableBytes > maxTableBytes) {
                return RespReplies.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            }
            long budget = local.memory().budget().maxBytes();
            if (budget > 0 && tableBytes > budget) {
                return RespReplies.error("ERR Insufficient memory, failed allocating transient memory for LCS");
            }
            return lcsReply(a, b, request);
        }));
    }

    private record LcsRequest(boolean getLen, boolean getIdx, boolean withMatchLen, long minMatchLen) {
    }

    private static RedisMessage lcsReply(StringView av, StringView bv, LcsRequest request) {
        byte[] a = av.array();
        byte[] b = bv.array();
        int alen = av.length();
        int blen = bv.length();
        int w = blen + 1;
        // lcs[i * w + j]: the LCS length of a[0..i) and b[0..j); row 0 and column 0 stay 0
        int[] lcs = new int[(alen + 1) * w];
        for (int i = 1; i <= alen; i++) {
            int row = i * w;
            int up = row - w;
            byte ai = a[i - 1];
            for (int j = 1; j <= blen; j++) {
                lcs[row + j] = ai == b[j - 1] ? lcs[up + j - 1] + 1 : Math.max(lcs[up + j], lcs[row + j - 1]);
            }
        }
        int length = lcs[alen * w + blen];
        if (request.getLen()) {
            return integer(length);
        }
        // Walk back from the end, as Redis: the LCS's bytes backwards and, for IDX, the matching ranges.
        byte[] result = new byte[length];
        int idx = length;
        List<RedisMessage> matches = new java.util.ArrayList<>();
        int aStart = alen; // alen: no range open
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                result[idx - 1] = a[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (lcs[(i - 1) * w + j] > lcs[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                int matchLen = aEnd - aStart + 1;
                if (request.getIdx() && (request.minMatchLen() == 0 || matchLen >= request.minMatchLen())) {
                    List<RedisMessage> match = new java.util.ArrayList<>(3);
                    match.add(new ArrayRedisMessage(List.of(integer(aStart), integer(aEnd))));
                    match.add(new ArrayRedisMessage(List.of(integer(bStart), integer(bEnd))));
                    if (request.withMatchLen()) {
                        match.add(integer(matchLen));
                    }
                    matches.add(new ArrayRedisMessage(match));
                }
                aStart = alen;
            }
        }
        if (request.getIdx()) {
            return new Resp3Replies.MapReply(List.of(bulk("matches"), RespReplies.array(matches), bulk("len"), integer(length)));
        }
        return bulk(result);
    }

    // ------------------------------------------------------------------ helpers

    /** Redis's {@code getExpireMillisecondsOrReply}: validates and converts to an absolute epoch-ms time. */
    static long expireMillis(byte[] arg, int unitFlag, long now, String command) {
        long ms = RespNumbers.requireLong(arg);
        boolean secondsUnit = (unitFlag & (EX | EXAT)) != 0;
        if (ms <= 0 || (secondsUnit && ms > Long.MAX_VALUE / 1000)) {
            throw RespReplies.invalidExpire(command);
        }
        if (secondsUnit) {
            ms *= 1000;
        }
        if ((unitFlag & (EX | PX)) != 0) {
            if (ms > Long.MAX_VALUE - now) {
                throw RespReplies.invalidExpire(command);
            }
            ms += now;
        }
        return ms;
    }

    /**
     * A copy of a string that is only parsed (INCR, INCRBYFLOAT) when it is short enough to parse at
     * all; a longer one fails with {@code error} without being copied.
     */
    private static byte[] shortCopy(StringView v, int maxLength, String error) {
        if (v.length() > maxLength) {
            throw new RespError(error);
        }
        return v.copy();
    }

    /**
     * Redis's {@code checkStringLength}: {@code offset + length} (an APPEND's old length, a SETRANGE's offset) within
     * the live proto-max-bulk-len ({@link io.percore.demo.kv.Databases#stringLengthLimit}), checked without overflow:
     * SETRANGE's offset may be any long a client sends.
     */
    private static void checkStringLength(ValueStore ks, long offset, int length) {
        if (offset > ks.databases().stringLengthLimit() - length) {
            throw new RespError(RespReplies.STRING_TOO_LONG);
        }
    }
}
