package io.percore.demo.resp;

import static io.percore.demo.resp.RespReplies.NIL;
import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.resp.KeysByShard.Gather;
import io.percore.demo.shard.Keyspace;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * The string commands (Redis's {@code t_string.c}), with Redis 7.0's argument rules and replies.
 * The single-key ones are {@link KeyCommand}s run on the shard owning the key; MGET, MSET and
 * MSETNX split their keys by shard ({@link KeysByShard}). Values are replaced, never mutated in
 * place, because a reply may still be reading the previous array on another shard. A key holding
 * another type fails with WRONGTYPE from the store's lookup.
 *
 * <p>Atomicity: MGET/MSET/MSETNX whose keys live on one shard are atomic, as in Redis. Across
 * shards, MSET and MGET apply per shard (another client may observe one shard's part before
 * another's); MSETNX uses prepare/commit with key reservations (see {@link #msetnx}).
 */
public final class StringCommands {

    /** Redis's default {@code proto-max-bulk-len}: the largest string a command may build. */
    public static final long MAX_STRING_LENGTH = 512L * 1024 * 1024;


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
        return bulk(ks.readString(argv[1], now));
    }

    public static RedisMessage strlen(ValueStore ks, byte[][] argv, long now) {
        byte[] v = ks.readString(argv[1], now);
        return integer(v == null ? 0 : v.length);
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
        byte[] old = null;
        if ((flags & GET) != 0) {
            old = ks.readString(argv[1], now);
        }
        boolean found = (flags & (NX | XX)) == 0 ? false : (flags & NX) != 0 ? ks.existsOrReserved(argv[1], now) : ks.exists(argv[1], now);
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            return (flags & GET) != 0 ? bulk(old) : NIL;
        }
        if ((flags & KEEPTTL) != 0) {
            ks.setStringKeepTtl(argv[1], argv[2], now);
        } else {
            ks.setString(argv[1], argv[2], expireAt);
        }
        return (flags & GET) != 0 ? bulk(old) : OK;
    }

    public static RedisMessage setnx(ValueStore ks, byte[][] argv, long now) {
        if (ks.existsOrReserved(argv[1], now)) {
            return ZERO;
        }
        ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
        return ONE;
    }

    public static RedisMessage setex(ValueStore ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], EX, now, "setex");
        ks.setString(argv[1], argv[3], at);
        return OK;
    }

    public static RedisMessage psetex(ValueStore ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], PX, now, "psetex");
        ks.setString(argv[1], argv[3], at);
        return OK;
    }

    public static RedisMessage getset(ValueStore ks, byte[][] argv, long now) {
        byte[] old = ks.readString(argv[1], now);
        ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
        return bulk(old);
    }

    public static RedisMessage getdel(ValueStore ks, byte[][] argv, long now) {
        byte[] old = ks.readString(argv[1], now);
        if (old != null) {
            ks.delete(argv[1], now);
        }
        return bulk(old);
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
        byte[] value = ks.readString(argv[1], now);
        if (value == null) {
            return NIL;
        }
        if (expireArg != null) {
            ks.expire(argv[1], at, now);
        } else if ((flags & PERSIST) != 0) {
            ks.expire(argv[1], ValueStore.NO_EXPIRY, now);
        }
        return bulk(value);
    }

    public static RedisMessage append(ValueStore ks, byte[][] argv, long now) {
        byte[] old = ks.peekString(argv[1], now);
        if (old == null) {
            ks.setString(argv[1], argv[2], ValueStore.NO_EXPIRY);
            return integer(argv[2].length);
        }
        checkStringLength((long) old.length + argv[2].length);
        ks.requireFits((long) old.length + argv[2].length);
        byte[] joined = Arrays.copyOf(old, old.length + argv[2].length);
        System.arraycopy(argv[2], 0, joined, old.length, argv[2].length);
        ks.setStringKeepTtl(argv[1], joined, now);
        return integer(joined.length);
    }

    public static RedisMessage getrange(ValueStore ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        byte[] v = ks.readString(argv[1], now);
        if (v == null) {
            return bulk(new byte[0]);
        }
        long len = v.length;
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
        return bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    public static RedisMessage setrange(ValueStore ks, byte[][] argv, long now) {
        long offset = RespNumbers.requireLong(argv[2]);
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        byte[] value = argv[3];
        byte[] old = ks.peekString(argv[1], now);
        if (old == null) {
            if (value.length == 0) {
                return ZERO;
            }
            checkStringLength(offset, value.length);
            ks.requireFits(offset + value.length);
            byte[] fresh = new byte[(int) offset + value.length];
            System.arraycopy(value, 0, fresh, (int) offset, value.length);
            ks.setString(argv[1], fresh, ValueStore.NO_EXPIRY);
            return integer(fresh.length);
        }
        if (value.length == 0) {
            return integer(old.length);
        }
        checkStringLength(offset, value.length);
        ks.requireFits(Math.max(old.length, offset + value.length));
        byte[] updated = Arrays.copyOf(old, (int) Math.max(old.length, offset + value.length));
        System.arraycopy(value, 0, updated, (int) offset, value.length);
        ks.setStringKeepTtl(argv[1], updated, now);
        return integer(updated.length);
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
        byte[] old = ks.peekString(key, now);
        long value = old == null ? 0 : RespNumbers.requireLong(old);
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
            throw new RespError(RespReplies.OVERFLOW);
        }
        long result = value + by;
        ks.setStringKeepTtl(key, RespNumbers.toBytes(result), now);
        return integer(result);
    }

    public static RedisMessage incrbyfloat(ValueStore ks, byte[][] argv, long now) {
        String increment = RespReplies.ascii(argv[2]).toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
        if (increment.equals("inf") || increment.equals("infinity")) {
            // strtold reads it; the sum is then infinite (t_string.c's check)
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        byte[] old = ks.peekString(argv[1], now);
        BigDecimal value = old == null ? BigDecimal.ZERO : RespNumbers.parseDecimal(old);
        BigDecimal by = RespNumbers.parseDecimal(argv[2]);
        byte[] result = RespNumbers.formatDecimal(value.add(by));
        if (result.length > 5000) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        ks.setStringKeepTtl(argv[1], result, now);
        return bulk(result);
    }

    // ------------------------------------------------------------------ MGET

    /** MGET key [key ...]: a key holding another type reads as nil (Redis's MGET). */
    static void mget(CommandContext c, byte[][] argv) {
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 1);
        RedisMessage[] values = new RedisMessage[argv.length - 1];
        Gather<Object> gather = new Gather<>(c, KeysByShard.count(groups), parts -> new ArrayRedisMessage(List.of(values)));
        for (int s = 0; s < groups.length; s++) {
            int[] indices = groups[s];
            if (indices == null) {
                continue;
            }
            List<byte[]> keys = KeysByShard.pick(argv, indices, 0);
            gather.add(c.keyspace().invokeOn(s, st -> {
                long now = System.currentTimeMillis();
                byte[][] found = new byte[keys.size()][];
                for (int i = 0; i < found.length; i++) {
                    try {
                        found[i] = st.store().readString(keys.get(i), now);
                    } catch (WrongTypeException e) {
                        found[i] = null;
                    }
                }
                return found;
            }).map(found -> {
                for (int i = 0; i < indices.length; i++) {
                    values[indices[i] - 1] = bulk(found[i]);
                }
                return null;
            }));
        }
    }

    // ------------------------------------------------------------------ MSET / MSETNX

    static void mset(CommandContext c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("mset");
        }
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 2);
        Gather<Object> gather = new Gather<>(c, KeysByShard.count(groups), parts -> OK);
        for (int s = 0; s < groups.length; s++) {
            if (groups[s] == null) {
                continue;
            }
            List<byte[]> keys = KeysByShard.pick(argv, groups[s], 0);
            List<byte[]> values = KeysByShard.pick(argv, groups[s], 1);
            gather.add(c.keyspace().invokeOn(s, st -> {
                if (!st.store().makeRoom(System.currentTimeMillis())) {
                    // Over budget on this shard: its part is refused (the parts on other shards stand).
                    throw new OutOfBudgetException();
                }
                for (int i = 0; i < keys.size(); i++) {
                    st.store().setString(keys.get(i), values.get(i), ValueStore.NO_EXPIRY);
                }
                return null;
            }));
        }
    }

    /**
     * MSETNX. Keys on one shard: checked and written in one step there (atomic, like Redis).
     * Keys on several shards: two phases, each one {@link Keyspace#mapReduce} over the shards.
     * Prepare: every shard checks its keys are absent and not reserved, and reserves them for this
     * transaction (NX writes of other clients see a reserved key as existing). Commit if every
     * shard agreed, else release. A plain write to a reserved key between the phases wins over the
     * commit, which is the outcome of MSETNX-then-write, so the result is still serializable.
     * Readers may see one shard's keys before another's.
     */
    static void msetnx(CommandContext c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("msetnx");
        }
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 2);
        if (KeysByShard.count(groups) == 1) {
            for (int s = 0; s < groups.length; s++) {
                if (groups[s] != null) {
                    List<byte[]> keys = KeysByShard.pick(argv, groups[s], 0);
                    List<byte[]> values = KeysByShard.pick(argv, groups[s], 1);
                    c.replyLater(c.keyspace().invokeOn(s, st -> {
                        long now = System.currentTimeMillis();
                        if (!st.store().makeRoom(now)) {
                            return RespReplies.OOM_REPLY;
                        }
                        for (byte[] key : keys) {
                            if (st.store().existsOrReserved(key, now)) {
                                return RespReplies.ZERO;
                            }
                        }
                        for (int i = 0; i < keys.size(); i++) {
                            st.store().setString(keys.get(i), values.get(i), ValueStore.NO_EXPIRY);
                        }
                        return RespReplies.ONE;
                    }));
                }
            }
            return;
        }
        long txn = NEXT_TRANSACTION.incrementAndGet();
        // A shard over its budget refuses to prepare; the others then release what they reserved.
        java.util.concurrent.atomic.AtomicBoolean outOfBudget = new java.util.concurrent.atomic.AtomicBoolean();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        Keyspace keyspace = c.keyspace();
        keyspace.mapReduce(st -> {
            int[] mine = groups[st.shardId()];
            if (mine == null) {
                return true;
            }
            long now = System.currentTimeMillis();
            if (!st.store().makeRoom(now)) {
                outOfBudget.set(true);
                return false;
            }
            return st.store().reserveIfAbsent(KeysByShard.pick(argv, mine, 0), txn, now);
        }, Boolean.TRUE, Boolean::logicalAnd).flatMap(commit -> keyspace.mapReduce(st -> {
            int[] mine = groups[st.shardId()];
            if (mine != null) {
                List<byte[]> keys = KeysByShard.pick(argv, mine, 0);
                if (commit) {
                    st.store().commitReserved(keys, KeysByShard.pick(argv, mine, 1), txn);
                } else {
                    st.store().releaseReserved(keys, txn); // drops only what this transaction reserved
                }
            }
            return commit;
        }, Boolean.TRUE, Boolean::logicalAnd)).whenComplete((commit, failure) -> {
            slot.complete(failure != null ? RespReplies.forFailure(failure)
                    : commit ? RespReplies.ONE : outOfBudget.get() ? RespReplies.OOM_REPLY : RespReplies.ZERO);
            c.endBarrier();
        });
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

    private static void checkStringLength(long length) {
        if (length > MAX_STRING_LENGTH) {
            throw new RespError(RespReplies.STRING_TOO_LONG);
        }
    }

    /** {@code offset + length} checked without overflow: SETRANGE's offset may be any long a client sends. */
    private static void checkStringLength(long offset, int length) {
        if (offset > MAX_STRING_LENGTH - length) {
            throw new RespError(RespReplies.STRING_TOO_LONG);
        }
    }
}
