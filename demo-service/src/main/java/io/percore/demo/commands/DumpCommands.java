package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.rdb.BadPayloadException;
import io.percore.demo.rdb.DumpWriter;
import io.percore.demo.rdb.RdbReader;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * DUMP and RESTORE (Redis's {@code cluster.c}), each on the key's shard. DUMP serializes a value
 * in Redis's DUMP format ({@link DumpWriter}); RESTORE loads what DUMP of this server or of
 * redis-server 7.0 wrote ({@link RdbReader}), refusing anything malformed with
 * {@code ERR Bad data format} and anything too large for the shard with -OOM, before it is
 * allocated.
 */
public final class DumpCommands {

    private DumpCommands() {
    }

    private static final byte[] DEL = "DEL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] RESTORE = "RESTORE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] REPLACE = "REPLACE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ABSTTL = "ABSTTL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static final String BUSYKEY = "BUSYKEY Target key name already exists.";
    static final String BAD_CHECKSUM = "ERR DUMP payload version or checksum are wrong";
    static final String BAD_DATA = "ERR Bad data format";

    /** DUMP key: the payload, or a nil for a missing key. */
    public static RedisMessage dump(ValueStore ks, byte[][] argv, long now) {
        ValueType type = ks.typeOf(argv[1], now);
        if (type == null) {
            ks.lookupRead(argv[1], ValueType.STRING, now); // counts the miss, as Redis's lookupKeyRead
            return RespReplies.NIL;
        }
        Object value = type == ValueType.STRING ? ks.readString(argv[1], now) : ks.lookupRead(argv[1], type, now);
        try {
            return RespReplies.bulk(DumpWriter.dump(type, value));
        } catch (IllegalStateException e) { // a payload past the largest array: only a value of gigabytes
            throw new RespError("ERR " + e.getMessage());
        }
    }

    /**
     * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], on
     * the key's shard, refused with -OOM when that shard is over budget (Redis's denyoom). Strings
     * in the payload are bounded by this connection's proto-max-bulk-len.
     */
    public static void restore(CommandContext c, byte[][] argv) {
        long maxBulk = c.server().config().protoMaxBulkLen();
        new OnKeyOwner((ks, args, now) -> restore(ks, args, now, maxBulk)).denyingOom().handle(c, argv);
    }

    /** Redis's restoreCommand, its checks in its order: options, BUSYKEY, TTL, footer, data. */
    static RedisMessage restore(ValueStore ks, byte[][] argv, long now, long maxBulk) {
        boolean replace = false;
        boolean absTtl = false;
        long idle = -1;
        long freq = -1;
        for (int j = 4; j < argv.length; j++) {
            int additional = argv.length - j - 1;
            String opt = RespReplies.ascii(argv[j]);
            if (opt.equalsIgnoreCase("replace")) {
                replace = true;
            } else if (opt.equalsIgnoreCase("absttl")) {
                absTtl = true;
            } else if (opt.equalsIgnoreCase("idletime") && additional >= 1 && freq == -1) {
                idle = RespNumbers.requireLong(argv[++j]);
                if (idle < 0) {
                    throw new RespError("ERR Invalid IDLETIME value, must be >= 0");
                }
            } else if (opt.equalsIgnoreCase("freq") && additional >= 1 && idle == -1) {
                freq = RespNumbers.requireLong(argv[++j]);
                if (freq < 0 || freq > 255) {
                    throw new RespError("ERR Invalid FREQ value, must be >= 0 and <= 255");
                }
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        byte[] key = argv[1];
        if (!replace && ks.exists(key, now)) {
            throw new RespError(BUSYKEY);
        }
        long ttl = RespNumbers.requireLong(argv[2]);
        if (ttl < 0) {
            throw new RespError("ERR Invalid TTL value, must be >= 0");
        }
        byte[] payload = argv[3];
        if (!RdbReader.footerValid(payload)) {
            throw new RespError(BAD_CHECKSUM);
        }
        RdbReader.Restored restored;
        try {
            restored = RdbReader.read(payload, new RdbReader.Limits(maxBulk, ks.memory()::requireFits, ks.encodings().zset(), ks.encodings().hash(), ks.encodings().set()));
        } catch (BadPayloadException e) {
            throw new RespError(e.stringTooLong() ? RespReplies.STRING_TOO_LONG : BAD_DATA);
        }
        boolean replaced = replace && ks.delete(key, now);
        if (ttl != 0 && !absTtl) {
            ttl += now; // wraps past Long.MAX_VALUE into the past, as Redis's long long addition does
        }
        if (ttl != 0 && ttl <= now) {
            if (replaced) {
                ks.changes().propagate(DEL, key); // the old value is gone; nothing was created
                ks.notify(KeyspaceEvents.GENERIC, "del", key);
            }
            return RespReplies.OK; // already expired: nothing is created (an old value is gone with REPLACE)
        }
        long expireAt = ttl == 0 ? ValueStore.NO_EXPIRY : ttl;
        if (restored.type() == ValueType.STRING) {
            ks.setString(key, (byte[]) restored.value(), expireAt);
        } else {
            ks.set(key, restored.type(), restored.value(), expireAt);
        }
        ks.restoreAccess(key, idle, (int) freq, now);
        // the client's payload with an absolute time to live (IDLETIME and FREQ only rank it for eviction here)
        ks.changes().propagate(RESTORE, key, RespNumbers.toBytes(ttl), payload, REPLACE, ABSTTL);
        ks.notify(KeyspaceEvents.GENERIC, "restore", key);
        return RespReplies.OK;
    }
}
