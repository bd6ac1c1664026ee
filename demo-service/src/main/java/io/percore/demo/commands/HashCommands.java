package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * Hash commands (Redis's {@code t_hash.c}), each on the shard owning its key. Fields keep insertion
 * order; a small hash is a listpack and a larger one a table, by the shard's
 * {@code hash-max-listpack-*} limits ({@link HashValue}); a hash left without fields is deleted, as in Redis. Every change reports the hash's new
 * size to the store so the memory budget stays exact.
 */
public final class HashCommands {

    private HashCommands() {
    }

    /** A hash to write into, created when the key is absent. */
    private static HashValue forWrite(ValueStore ks, byte[] key, long now) {
        HashValue h = ks.writeHash(key, now);
        if (h == null) {
            h = new HashValue();
            ks.set(key, ValueType.HASH, h, ValueStore.NO_EXPIRY);
        }
        return h;
    }

    /** After fields were removed: an empty hash is no key at all. */
    private static void dropIfEmpty(ValueStore ks, byte[] key, HashValue h, long now) {
        if (h.size() == 0) {
            ks.delete(key, now);
            ks.notify(KeyspaceEvents.GENERIC, "del", key);
        }
    }

    private static long setPairs(ValueStore ks, byte[][] argv, long now, String name) {
        if ((argv.length - 2) % 2 != 0) {
            throw RespReplies.wrongArgs(name);
        }
        long growth = 0;
        for (int i = 2; i < argv.length; i += 2) {
            growth += argv[i].length + argv[i + 1].length;
        }
        ks.memory().requireFits(growth);
        HashValue h = forWrite(ks, argv[1], now);
        long before = h.bytes();
        long added = 0;
        for (int i = 2; i < argv.length; i += 2) {
            if (h.put(argv[i], argv[i + 1], ks.encodings().hash())) {
                added++;
            }
        }
        ks.resized(argv[1], h.bytes() - before);
        ks.notify(KeyspaceEvents.HASH, "hset", argv[1]);
        return added;
    }

    /** HSET key field value [field value ...]: the number of new fields. */
    public static RedisMessage hset(ValueStore ks, byte[][] argv, long now) {
        return integer(setPairs(ks, argv, now, "hset"));
    }

    /** HMSET key field value [field value ...]: OK. */
    public static RedisMessage hmset(ValueStore ks, byte[][] argv, long now) {
        setPairs(ks, argv, now, "hmset");
        return OK;
    }

    public static RedisMessage hsetnx(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.writeHash(argv[1], now);
        if (h != null && h.contains(argv[2])) {
            return integer(0);
        }
        ks.memory().requireFits((long) argv[2].length + argv[3].length);
        h = forWrite(ks, argv[1], now);
        long before = h.bytes();
        h.put(argv[2], argv[3], ks.encodings().hash());
        ks.resized(argv[1], h.bytes() - before);
        ks.notify(KeyspaceEvents.HASH, "hset", argv[1]);
        return integer(1);
    }

    public static RedisMessage hget(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return h == null ? RespReplies.NIL : bulk(h.get(argv[2]));
    }

    public static RedisMessage hmget(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        List<RedisMessage> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            out.add(h == null ? RespReplies.NIL : bulk(h.get(argv[i])));
        }
        return new ArrayRedisMessage(out);
    }

    public static RedisMessage hdel(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.writeHash(argv[1], now);
        if (h == null) {
            return integer(0);
        }
        long before = h.bytes();
        long removed = 0;
        for (int i = 2; i < argv.length; i++) {
            if (h.remove(argv[i])) {
                removed++;
            }
        }
        if (removed == 0) {
            return integer(0);
        }
        ks.resized(argv[1], h.bytes() - before);
        ks.notify(KeyspaceEvents.HASH, "hdel", argv[1]);
        dropIfEmpty(ks, argv[1], h, now);
        return integer(removed);
    }

    public static RedisMessage hexists(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return integer(h != null && h.contains(argv[2]) ? 1 : 0);
    }

    public static RedisMessage hlen(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return integer(h == null ? 0 : h.size());
    }

    public static RedisMessage hstrlen(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        byte[] v = h == null ? null : h.get(argv[2]);
        return integer(v == null ? 0 : v.length);
    }

    public static RedisMessage hkeys(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return h == null ? ArrayRedisMessage.EMPTY_INSTANCE : RespReplies.bulkArray(h.keys());
    }

    public static RedisMessage hvals(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return h == null ? ArrayRedisMessage.EMPTY_INSTANCE : RespReplies.bulkArray(h.values());
    }

    /** HGETALL: a map in RESP3, fields and values alternating in RESP2. */
    public static RedisMessage hgetall(ValueStore ks, byte[][] argv, long now) {
        HashValue h = ks.readHash(argv[1], now);
        return RespReplies.bulkMap(h == null ? List.of() : h.entries());
    }

    public static RedisMessage hincrby(ValueStore ks, byte[][] argv, long now) {
        long by = RespNumbers.requireLong(argv[3]);
        HashValue h = ks.writeHash(argv[1], now);
        byte[] old = h == null ? null : h.get(argv[2]);
        long value = 0;
        if (old != null) {
            if (!RespNumbers.isLong(old)) {
                throw new RespError("ERR hash value is not an integer");
            }
            value = RespNumbers.parseLong(old);
        }
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
            throw new RespError(RespReplies.OVERFLOW);
        }
        value += by;
        put(ks, argv[1], argv[2], RespNumbers.toBytes(value), now);
        ks.notify(KeyspaceEvents.HASH, "hincrby", argv[1]);
        return integer(value);
    }

    public static RedisMessage hincrbyfloat(ValueStore ks, byte[][] argv, long now) {
        String increment = RespReplies.ascii(argv[3]).toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
        if (increment.equals("inf") || increment.equals("infinity")) {
            // strtold reads these (and Redis refuses NaN as not a float); then t_hash.c refuses them by name
            throw new RespError("ERR value is NaN or Infinity");
        }
        BigDecimal by = RespNumbers.parseDecimal(argv[3]);
        HashValue h = ks.writeHash(argv[1], now);
        byte[] old = h == null ? null : h.get(argv[2]);
        BigDecimal value = BigDecimal.ZERO;
        if (old != null) {
            try {
                value = RespNumbers.parseDecimal(old);
            } catch (RespError e) {
                throw new RespError("ERR hash value is not a float");
            }
        }
        byte[] result = RespNumbers.formatDecimal(value.add(by));
        if (result.length > 5000) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        put(ks, argv[1], argv[2], result, now);
        ks.changes().propagate(Effects.HSET, argv[1], argv[2], result); // as Redis: the sum, not the increment
        ks.notify(KeyspaceEvents.HASH, "hincrbyfloat", argv[1]);
        return bulk(result);
    }

    private static void put(ValueStore ks, byte[] key, byte[] field, byte[] value, long now) {
        HashValue h = forWrite(ks, key, now);
        long before = h.bytes();
        h.put(field, value, ks.encodings().hash());
        ks.resized(key, h.bytes() - before);
    }

    /** HRANDFIELD key [count [WITHVALUES]]: count ≥ 0 distinct fields, count < 0 |count| picks with repeats. */
    public static RedisMessage hrandfield(ValueStore ks, byte[][] argv, long now) {
        if (argv.length > 4) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        boolean withValues = false;
        if (argv.length == 4) {
            if (!RespReplies.ascii(argv[3]).equalsIgnoreCase("withvalues")) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            withValues = true;
        }
        HashValue h = ks.readHash(argv[1], now);
        if (argv.length == 2) {
            return h == null ? RespReplies.NIL : bulk(h.randomDistinct(1, ks.random()).get(0)[0]);
        }
        long count = RespNumbers.requireLong(argv[2]);
        if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
            throw new RespError("ERR value is out of range");
        }
        if (h == null || count == 0) {
            return ArrayRedisMessage.EMPTY_INSTANCE;
        }
        List<byte[][]> picks;
        if (count > 0) {
            picks = h.randomDistinct((int) Math.min(count, h.size()), ks.random());
        } else {
            long n = -count;
            if (n > 1_000_000) { // a reply the client asked for, but bounded: it is built in memory
                throw new RespError("ERR value is out of range");
            }
            // one walk of the hash, then O(1) per pick: never n walks
            List<byte[][]> all = h.randomDistinct(h.size(), ks.random());
            picks = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                picks.add(all.get(ks.random().nextInt(all.size())));
            }
        }
        List<RedisMessage> out = new ArrayList<>();
        for (byte[][] pick : picks) {
            out.add(bulk(pick[0]));
            if (withValues) {
                out.add(bulk(pick[1]));
            }
        }
        // WITHVALUES: pairs in RESP3, one flat array in RESP2 (Redis 7)
        return withValues ? new Resp3Replies.PairsReply(out) : new ArrayRedisMessage(out);
    }

    /**
     * HSCAN key cursor [MATCH pattern] [COUNT count]: every matching field in one call, cursor 0
     * (what Redis does for a small hash; SCAN's guarantees allow it for any size).
     */
    public static RedisMessage hscan(ValueStore ks, byte[][] argv, long now) {
        // Redis's order: the cursor, then the key's type, then the options
        KeyCommands.parseCursor(argv[2]);
        HashValue h = ks.readHash(argv[1], now);
        GlobPattern pattern = KeyCommands.elementScanPattern(argv);
        List<RedisMessage> items = new ArrayList<>();
        if (h != null) {
            List<byte[]> entries = h.entries();
            for (int i = 0; i < entries.size(); i += 2) {
                if (pattern == null || pattern.matches(entries.get(i))) {
                    items.add(bulk(entries.get(i)));
                    items.add(bulk(entries.get(i + 1)));
                }
            }
        }
        return new ArrayRedisMessage(List.of(bulk("0"), new ArrayRedisMessage(items)));
    }
}
