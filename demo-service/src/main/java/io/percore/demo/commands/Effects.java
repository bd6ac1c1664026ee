package io.percore.demo.commands;

import io.percore.demo.resp.RespNumbers;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The commands a write reports as its effect when its own arguments would not replay it (Redis's
 * rewrites before {@code propagate}): a relative expiry made absolute, a random pick named, a
 * computed value spelled out, a part of a command that spans shards. Reported through the store's
 * {@link io.percore.demo.kv.KeyspaceChanges#propagate}.
 */
final class Effects {

    static final byte[] DEL = ascii("DEL");
    static final byte[] SET = ascii("SET");
    static final byte[] MSET = ascii("MSET");
    static final byte[] PXAT = ascii("PXAT");
    static final byte[] KEEPTTL = ascii("KEEPTTL");
    static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    static final byte[] PERSIST = ascii("PERSIST");
    static final byte[] HSET = ascii("HSET");
    static final byte[] HDEL = ascii("HDEL");
    static final byte[] SADD = ascii("SADD");
    static final byte[] SREM = ascii("SREM");
    static final byte[] LPUSH = ascii("LPUSH");
    static final byte[] RPUSH = ascii("RPUSH");
    static final byte[] LPOP = ascii("LPOP");
    static final byte[] RPOP = ascii("RPOP");
    static final byte[] LMOVE = ascii("LMOVE");
    static final byte[] LEFT = ascii("LEFT");
    static final byte[] RIGHT = ascii("RIGHT");
    static final byte[] ZADD = ascii("ZADD");
    static final byte[] ZREM = ascii("ZREM");
    static final byte[] NX = ascii("NX");
    static final byte[] FLUSHALL = ascii("FLUSHALL");
    static final byte[] FLUSHDB = ascii("FLUSHDB");

    /** Redis's batch when it spells out a random pop (SPOP with a count): 1,024 members per command. */
    static final int BATCH = 1024;

    private Effects() {
    }

    /** {@code LMOVE key key LEFT|RIGHT LEFT|RIGHT}: a list rotated onto itself. */
    static byte[][] lmove(byte[] key, boolean fromLeft, boolean toLeft) {
        return new byte[][] {LMOVE, key, key, fromLeft ? LEFT : RIGHT, toLeft ? LEFT : RIGHT};
    }

    /**
     * Reports the effect {@code effect} makes, building it only when someone follows the changes
     * (the lambda allocates only where it captures: the hot paths call it from commands that are not
     * the common case, or build nothing).
     */
    static void report(io.percore.demo.kv.ValueStore ks, java.util.function.Supplier<byte[][]> effect) {
        io.percore.demo.kv.KeyspaceChanges changes = ks.changes();
        if (changes.followed()) {
            changes.propagate(effect.get());
        } else {
            changes.propagated();
        }
    }

    static byte[][] del(byte[] key) {
        return new byte[][] {DEL, key};
    }

    /** {@code PEXPIREAT key at}: any EXPIRE, PEXPIRE, EXPIREAT, GETEX EX ... as the absolute time it set. */
    static byte[][] pexpireat(byte[] key, long at) {
        return new byte[][] {PEXPIREAT, key, number(at)};
    }

    /** {@code SET key value [PXAT at]}: SET with any expiry, SETEX, PSETEX, as their absolute result. */
    static byte[][] set(byte[] key, byte[] value, long expireAt, long noExpiry) {
        return expireAt == noExpiry ? new byte[][] {SET, key, value} : new byte[][] {SET, key, value, PXAT, number(expireAt)};
    }

    /** {@code SET key value KEEPTTL}: a computed string that keeps the key's time to live (INCRBYFLOAT). */
    static byte[][] setKeepTtl(byte[] key, byte[] value) {
        return new byte[][] {SET, key, value, KEEPTTL};
    }

    /** {@code name key item ...}: one command naming a key and some items (SREM key m1 m2, HDEL ..., LPUSH ...). */
    static byte[][] withItems(byte[] name, byte[] key, List<byte[]> items) {
        byte[][] argv = new byte[items.size() + 2][];
        argv[0] = name;
        argv[1] = key;
        for (int i = 0; i < items.size(); i++) {
            argv[i + 2] = items.get(i);
        }
        return argv;
    }

    /** {@code MSET k1 v1 k2 v2 ...}: the keys of one shard's part of an MSET (or a successful MSETNX). */
    static byte[][] mset(List<byte[]> keys, List<byte[]> values) {
        byte[][] argv = new byte[keys.size() * 2 + 1][];
        argv[0] = MSET;
        for (int i = 0; i < keys.size(); i++) {
            argv[1 + 2 * i] = keys.get(i);
            argv[2 + 2 * i] = values.get(i);
        }
        return argv;
    }

    static byte[] number(long n) {
        return RespNumbers.toBytes(n);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
