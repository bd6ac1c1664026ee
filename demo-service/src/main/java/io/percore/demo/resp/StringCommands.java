package io.percore.demo.resp;

import static io.percore.demo.resp.RespReplies.NIL;
import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.ShardKeyspace;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * The single-key string and expiry commands, with Redis 7.0's argument rules and replies. Each
 * runs on the shard owning the key; values are replaced, never mutated in place, because a
 * reply may still be reading the previous array on another shard.
 */
public final class StringCommands {

    /** Redis's default {@code proto-max-bulk-len}: the largest string a command may build. */
    public static final long MAX_STRING_LENGTH = 512L * 1024 * 1024;

    private static final SimpleStringRedisMessage STRING_TYPE = new SimpleStringRedisMessage("string");
    private static final SimpleStringRedisMessage NONE_TYPE = new SimpleStringRedisMessage("none");

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

    private StringCommands() {
    }

    public static RedisMessage get(ShardKeyspace ks, byte[][] argv, long now) {
        return bulk(ks.read(argv[1], now));
    }

    public static RedisMessage type(ShardKeyspace ks, byte[][] argv, long now) {
        return ks.exists(argv[1], now) ? STRING_TYPE : NONE_TYPE;
    }

    public static RedisMessage strlen(ShardKeyspace ks, byte[][] argv, long now) {
        byte[] v = ks.read(argv[1], now);
        return integer(v == null ? 0 : v.length);
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
    public static RedisMessage set(ShardKeyspace ks, byte[][] argv, long now) {
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
        long expireAt = expireArg == null ? ShardKeyspace.NO_EXPIRY : expireMillis(expireArg, flags, now, "set");
        byte[] old = null;
        if ((flags & GET) != 0) {
            old = ks.read(argv[1], now);
        }
        boolean found = (flags & (NX | XX)) == 0 ? false : (flags & NX) != 0 ? ks.existsOrReserved(argv[1], now) : ks.exists(argv[1], now);
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            return (flags & GET) != 0 ? bulk(old) : NIL;
        }
        if ((flags & KEEPTTL) != 0) {
            ks.setKeepTtl(argv[1], argv[2], now);
        } else {
            ks.set(argv[1], argv[2], expireAt);
        }
        return (flags & GET) != 0 ? bulk(old) : OK;
    }

    public static RedisMessage setnx(ShardKeyspace ks, byte[][] argv, long now) {
        if (ks.existsOrReserved(argv[1], now)) {
            return ZERO;
        }
        ks.set(argv[1], argv[2], ShardKeyspace.NO_EXPIRY);
        return ONE;
    }

    public static RedisMessage setex(ShardKeyspace ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], EX, now, "setex");
        ks.set(argv[1], argv[3], at);
        return OK;
    }

    public static RedisMessage psetex(ShardKeyspace ks, byte[][] argv, long now) {
        long at = expireMillis(argv[2], PX, now, "psetex");
        ks.set(argv[1], argv[3], at);
        return OK;
    }

    public static RedisMessage getset(ShardKeyspace ks, byte[][] argv, long now) {
        byte[] old = ks.read(argv[1], now);
        ks.set(argv[1], argv[2], ShardKeyspace.NO_EXPIRY);
        return bulk(old);
    }

    public static RedisMessage getdel(ShardKeyspace ks, byte[][] argv, long now) {
        byte[] old = ks.read(argv[1], now);
        if (old != null) {
            ks.delete(argv[1], now);
        }
        return bulk(old);
    }

    /** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] */
    public static RedisMessage getex(ShardKeyspace ks, byte[][] argv, long now) {
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
        long at = expireArg == null ? ShardKeyspace.NO_EXPIRY : expireMillis(expireArg, flags, now, "getex");
        byte[] value = ks.read(argv[1], now);
        if (value == null) {
            return NIL;
        }
        if (expireArg != null) {
            ks.expire(argv[1], at, now);
        } else if ((flags & PERSIST) != 0) {
            ks.expire(argv[1], ShardKeyspace.NO_EXPIRY, now);
        }
        return bulk(value);
    }

    public static RedisMessage append(ShardKeyspace ks, byte[][] argv, long now) {
        byte[] old = ks.peek(argv[1], now);
        if (old == null) {
            ks.set(argv[1], argv[2], ShardKeyspace.NO_EXPIRY);
            return integer(argv[2].length);
        }
        checkStringLength((long) old.length + argv[2].length);
        byte[] joined = Arrays.copyOf(old, old.length + argv[2].length);
        System.arraycopy(argv[2], 0, joined, old.length, argv[2].length);
        ks.setKeepTtl(argv[1], joined, now);
        return integer(joined.length);
    }

    public static RedisMessage getrange(ShardKeyspace ks, byte[][] argv, long now) {
        long start = RespNumbers.requireLong(argv[2]);
        long end = RespNumbers.requireLong(argv[3]);
        byte[] v = ks.read(argv[1], now);
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

    public static RedisMessage setrange(ShardKeyspace ks, byte[][] argv, long now) {
        long offset = RespNumbers.requireLong(argv[2]);
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        byte[] value = argv[3];
        byte[] old = ks.peek(argv[1], now);
        if (old == null) {
            if (value.length == 0) {
                return ZERO;
            }
            checkStringLength(offset + value.length);
            byte[] fresh = new byte[(int) offset + value.length];
            System.arraycopy(value, 0, fresh, (int) offset, value.length);
            ks.set(argv[1], fresh, ShardKeyspace.NO_EXPIRY);
            return integer(fresh.length);
        }
        if (value.length == 0) {
            return integer(old.length);
        }
        checkStringLength(offset + value.length);
        byte[] updated = Arrays.copyOf(old, (int) Math.max(old.length, offset + value.length));
        System.arraycopy(value, 0, updated, (int) offset, value.length);
        ks.setKeepTtl(argv[1], updated, now);
        return integer(updated.length);
    }

    public static RedisMessage incr(ShardKeyspace ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], 1, now);
    }

    public static RedisMessage decr(ShardKeyspace ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], -1, now);
    }

    public static RedisMessage incrby(ShardKeyspace ks, byte[][] argv, long now) {
        return incrBy(ks, argv[1], RespNumbers.requireLong(argv[2]), now);
    }

    public static RedisMessage decrby(ShardKeyspace ks, byte[][] argv, long now) {
        long by = RespNumbers.requireLong(argv[2]);
        if (by == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        return incrBy(ks, argv[1], -by, now);
    }

    private static RedisMessage incrBy(ShardKeyspace ks, byte[] key, long by, long now) {
        byte[] old = ks.peek(key, now);
        long value = old == null ? 0 : RespNumbers.requireLong(old);
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
            throw new RespError(RespReplies.OVERFLOW);
        }
        long result = value + by;
        ks.setKeepTtl(key, RespNumbers.toBytes(result), now);
        return integer(result);
    }

    public static RedisMessage incrbyfloat(ShardKeyspace ks, byte[][] argv, long now) {
        byte[] old = ks.peek(argv[1], now);
        BigDecimal value = old == null ? BigDecimal.ZERO : RespNumbers.parseDecimal(old);
        BigDecimal by = RespNumbers.parseDecimal(argv[2]);
        byte[] result = RespNumbers.formatDecimal(value.add(by));
        if (result.length > 5000) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        ks.setKeepTtl(argv[1], result, now);
        return bulk(result);
    }

    // ------------------------------------------------------------------ expiry

    public static RedisMessage expire(ShardKeyspace ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, now, true, "expire");
    }

    public static RedisMessage pexpire(ShardKeyspace ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, now, false, "pexpire");
    }

    public static RedisMessage expireat(ShardKeyspace ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, 0, true, "expireat");
    }

    public static RedisMessage pexpireat(ShardKeyspace ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, 0, false, "pexpireat");
    }

    /** EXPIRE-family: key time [NX|XX|GT|LT] (Redis 7 {@code expireGenericCommand}). */
    private static RedisMessage expireGeneric(ShardKeyspace ks, byte[][] argv, long now, long base, boolean seconds, String name) {
        int nx = 0, xx = 0, gt = 0, lt = 0;
        for (int j = 3; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]).toLowerCase(java.util.Locale.ROOT);
            switch (opt) {
                case "nx" -> nx = 1;
                case "xx" -> xx = 1;
                case "gt" -> gt = 1;
                case "lt" -> lt = 1;
                default -> throw new RespError("ERR Unsupported option " + RespReplies.ascii(argv[j]));
            }
        }
        if (nx == 1 && (xx | gt | lt) == 1) {
            throw new RespError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt == 1 && lt == 1) {
            throw new RespError("ERR GT and LT options at the same time are not compatible");
        }
        long when = RespNumbers.requireLong(argv[2]);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw RespReplies.invalidExpire(name);
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - base) {
            throw RespReplies.invalidExpire(name);
        }
        when += base;
        long current = ks.expireAt(argv[1], now);
        if (current == Long.MIN_VALUE) {
            return ZERO;
        }
        boolean persistent = current == ShardKeyspace.NO_EXPIRY;
        if (nx == 1 && !persistent) {
            return ZERO;
        }
        if (xx == 1 && persistent) {
            return ZERO;
        }
        if (gt == 1 && (persistent || when <= current)) {
            return ZERO;
        }
        if (lt == 1 && !persistent && when >= current) {
            return ZERO;
        }
        if (when <= now) {
            ks.delete(argv[1], now);
            return ONE;
        }
        ks.expire(argv[1], when, now);
        return ONE;
    }

    public static RedisMessage ttl(ShardKeyspace ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, false, false);
    }

    public static RedisMessage pttl(ShardKeyspace ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, true, false);
    }

    public static RedisMessage expiretime(ShardKeyspace ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, false, true);
    }

    public static RedisMessage pexpiretime(ShardKeyspace ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, true, true);
    }

    private static RedisMessage ttlGeneric(ShardKeyspace ks, byte[] key, long now, boolean millis, boolean absolute) {
        long at = ks.expireAt(key, now);
        if (at == Long.MIN_VALUE) {
            return integer(-2);
        }
        if (at == ShardKeyspace.NO_EXPIRY) {
            return integer(-1);
        }
        long t = absolute ? at : Math.max(0, at - now);
        return integer(millis ? t : absolute ? t / 1000 : (t + 500) / 1000);
    }

    public static RedisMessage persist(ShardKeyspace ks, byte[][] argv, long now) {
        long at = ks.expireAt(argv[1], now);
        if (at == Long.MIN_VALUE || at == ShardKeyspace.NO_EXPIRY) {
            return ZERO;
        }
        ks.expire(argv[1], ShardKeyspace.NO_EXPIRY, now);
        return ONE;
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
}
