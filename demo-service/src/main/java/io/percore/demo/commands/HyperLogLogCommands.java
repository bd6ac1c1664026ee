package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandHandler;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.kv.HllString;
import io.percore.demo.kv.HyperLogLog;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.StringView;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HyperLogLog commands (Redis's {@code hyperloglog.c}) over strings in Redis's HLL format
 * ({@link HyperLogLog}, changed in place by {@link HllString}). PFADD and a single key's PFCOUNT run
 * on the key's shard; PFCOUNT of several keys and PFMERGE read their sources on their shards
 * ({@link HllSources}: at most {@link HllSources#BATCH} keys per message, merged into one register
 * set on the connection's shard, as Redis merges into a temporary one), and PFMERGE writes the
 * result on the destination's shard.
 *
 * <p>A single key's PFCOUNT stores the cardinality it computed in the value's header, as Redis does:
 * a change of the key (WATCH sees it), reported on the write path as the PFCOUNT itself, which
 * computes the same bytes wherever it is replayed. So PFCOUNT runs as a write there although Redis
 * flags it read-only.
 */
public final class HyperLogLogCommands {

    private HyperLogLogCommands() {
    }

    /** The string at {@code key} as an HLL, or null when the key is missing; Redis's WRONGTYPE texts otherwise. */
    static HllString open(ValueStore ks, byte[] key, Object stored, long now) {
        if (stored == null) {
            return null;
        }
        StringView v = StringView.of(stored);
        if (!HyperLogLog.isHll(v.array(), v.length())) {
            throw new RespError(HyperLogLog.NOT_HLL);
        }
        return HllString.of(ks, key, v, now);
    }

    /** PFADD key [element ...]: 1 when a register changed or the key was created. */
    public static RedisMessage pfadd(ValueStore ks, byte[][] argv, long now) {
        byte[] key = argv[1];
        HllString h = open(ks, key, ks.lookupWrite(key, ValueType.STRING, now), now);
        int updated = 0;
        if (h == null) {
            h = HllString.create(ks, key, now);
            updated++;
        }
        for (int j = 2; j < argv.length; j++) {
            int r = h.add(argv[j]);
            if (r < 0) {
                // registers changed before the corrupt part stay changed, as in Redis; a replay of this
                // PFADD on the same bytes changes the same ones
                throw new RespError(HyperLogLog.INVALID_HLL);
            }
            updated += r;
        }
        if (updated > 0) {
            h.invalidateCache();
            ks.modified(key);
            ks.notify(KeyspaceEvents.STRING, "pfadd", key);
        }
        return updated > 0 ? RespReplies.ONE : RespReplies.ZERO;
    }

    /** PFCOUNT: one key on its shard (a write unit, the cache may change), several merged across shards. */
    public static final CommandHandler PFCOUNT = new CommandHandler() {
        private final OnKeyOwner single = new OnKeyOwner(HyperLogLogCommands::pfcountOne);

        @Override
        public void handle(CommandContext c, byte[][] argv) {
            if (argv.length == 2) {
                single.handle(c, argv);
                return;
            }
            c.replyLater(HllSources.read(c.keyspace(), argv, 1)
                    .map(merged -> merged.error != null ? merged.error : integer(HyperLogLog.countRegisters(merged.max))));
        }
    };

    /** PFCOUNT key: the cached cardinality, or the computed one, then cached in the value. */
    static RedisMessage pfcountOne(ValueStore ks, byte[][] argv, long now) {
        Object stored = ks.lookupRead(argv[1], ValueType.STRING, now);
        if (stored == null) {
            return RespReplies.ZERO;
        }
        StringView v = StringView.of(stored);
        if (!HyperLogLog.isHll(v.array(), v.length())) {
            throw new RespError(HyperLogLog.NOT_HLL);
        }
        long card = HyperLogLog.cachedCount(v.array()); // the common case: the header has it
        if (card >= 0) {
            return integer(card);
        }
        HllString h = HllString.of(ks, argv[1], v, now);
        card = h.count();
        if (card < 0) {
            throw new RespError(HyperLogLog.INVALID_HLL);
        }
        h.cacheCount(card);
        return integer(card);
    }

    /**
     * PFMERGE destkey [sourcekey ...]. With few sources, all on the destination's shard, one step
     * there, reported as itself; otherwise the sources are read on their shards in batches and the
     * destination written on its own, reported as its value.
     */
    public static final CommandHandler PFMERGE = new CommandHandler() {
        private final OnKeyOwner local = new OnKeyOwner(HyperLogLogCommands::pfmergeHere).denyingOom();

        @Override
        public void handle(CommandContext c, byte[][] argv) {
            Keyspace keyspace = c.keyspace();
            int owner = keyspace.shardOf(argv[1]);
            boolean oneStep = argv.length - 2 <= HllSources.BATCH;
            for (int i = 2; i < argv.length && oneStep; i++) {
                oneStep = keyspace.shardOf(argv[i]) == owner;
            }
            if (oneStep) {
                local.handle(c, argv);
                return;
            }
            CommandContext.PendingReply slot = c.reserve();
            c.beginBarrier(); // the connection's next command sees the destination written
            keyspace.invokeOn(owner, st -> destinationRefusal(st.store(), argv[1], System.currentTimeMillis()))
                    .flatMap(refusal -> refusal != null ? ShardFuture.completed(refusal) : HllSources.read(keyspace, argv, 2)
                            .flatMap(sources -> keyspace.invokeOn(owner, st -> mergeInto(st.store(), argv[1], sources, true))))
                    .whenComplete((reply, failure) -> {
                        slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                        c.endBarrier();
                    });
        }
    };

    private static RedisMessage pfmergeHere(ValueStore ks, byte[][] argv, long now) {
        RedisMessage refusal = destinationRefusal(ks, argv[1], now);
        if (refusal != null) {
            return refusal;
        }
        HllSources.Merged sources = new HllSources.Merged();
        HllSources.readBatch(ks, argv, java.util.stream.IntStream.range(2, argv.length).toArray(), now).addTo(sources);
        return mergeInto(ks, argv[1], sources, false);
    }

    /**
     * PFMERGE's first read, before any source's, as in Redis: the destination read as a source (its
     * statistics, its {@code keymiss} event) and refused when it holds no HLL (WRONGTYPE's own text for
     * another type, as Redis's checkType), so no source is read.
     */
    private static RedisMessage destinationRefusal(ValueStore ks, byte[] dst, long now) {
        if (!ks.lookupAny(dst, now, true)) {
            return null;
        }
        StringView v = StringView.of(ks.lookupWrite(dst, ValueType.STRING, now)); // throws WRONGTYPE for another type
        return HyperLogLog.isHll(v.array(), v.length()) ? null : RespReplies.error(HyperLogLog.NOT_HLL);
    }

    /**
     * The destination's part of PFMERGE on its shard: it is the first source (its errors come before
     * the others', as in Redis), then the merged registers are raised into it, dense if any source
     * was.
     */
    private static RedisMessage mergeInto(ValueStore ks, byte[] dst, HllSources.Merged sources, boolean reportValue) {
        long now = System.currentTimeMillis();
        if (reportValue && !ks.makeRoom(now)) {
            return RespReplies.OOM_REPLY;
        }
        HllString h = open(ks, dst, ks.lookupWrite(dst, ValueType.STRING, now), now);
        byte[] max = sources.max;
        boolean dense = sources.dense;
        if (h != null) {
            if (!HyperLogLog.mergeInto(max, h.array(), h.length())) {
                return RespReplies.error(HyperLogLog.INVALID_HLL);
            }
            dense |= h.dense();
        }
        if (sources.error != null) {
            return sources.error;
        }
        if (h == null) {
            h = HllString.create(ks, dst, now);
        }
        if (dense && h.toDense() < 0) {
            return RespReplies.error(HyperLogLog.INVALID_HLL);
        }
        for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
            if (max[j] != 0) {
                h.raise(j, max[j]);
            }
        }
        h.invalidateCache();
        ks.modified(dst); // always a change, as Redis's signalModifiedKey and dirty++
        ks.notify(KeyspaceEvents.STRING, "pfadd", dst); // Redis's event for PFMERGE too: a mass add
        if (reportValue) {
            ks.changes().propagateValue(dst); // made from what other shards hold
        }
        return RespReplies.OK;
    }

    // ------------------------------------------------------------------ PFDEBUG, PFSELFTEST

    /** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key, on the key's shard; a conversion to dense is reported as the PFDEBUG itself. */
    public static void pfdebug(CommandContext c, byte[][] argv) {
        byte[] key = argv[2];
        c.replyLater(c.keyspace().invokeOn(c.keyspace().shardOf(key), st -> {
            ValueStore ks = st.store();
            long dirty = st.databases().dirty();
            RedisMessage reply = debug(ks, argv, System.currentTimeMillis());
            if (st.databases().dirty() != dirty) {
                ks.changes().propagate(argv);
            }
            return reply;
        }));
    }

    private static RedisMessage debug(ValueStore ks, byte[][] argv, long now) {
        if (!ks.makeRoom(now)) {
            return RespReplies.OOM_REPLY;
        }
        byte[] key = argv[2];
        HllString h;
        try {
            h = open(ks, key, ks.lookupWrite(key, ValueType.STRING, now), now);
        } catch (RespError e) {
            return e.reply();
        } catch (io.percore.demo.kv.WrongTypeException e) {
            return RespReplies.forFailure(e);
        }
        if (h == null) {
            return RespReplies.error("ERR The specified key does not exist");
        }
        String sub = RespReplies.ascii(argv[1]);
        switch (sub.toLowerCase(Locale.ROOT)) {
            case "getreg" -> {
                if (h.toDense() < 0) {
                    return RespReplies.error(HyperLogLog.INVALID_HLL);
                }
                int[] registers = HyperLogLog.registers(h.array());
                List<RedisMessage> out = new ArrayList<>(registers.length);
                for (int r : registers) {
                    out.add(integer(r));
                }
                return new ArrayRedisMessage(out);
            }
            case "decode" -> {
                if (h.dense()) {
                    return RespReplies.error("ERR HLL encoding is not sparse");
                }
                byte[] text = HyperLogLog.decode(h.array(), h.length());
                return text == null ? RespReplies.error(HyperLogLog.INVALID_HLL) : RespReplies.bulk(text);
            }
            case "encoding" -> {
                return new SimpleStringRedisMessage(h.dense() ? "dense" : "sparse");
            }
            case "todense" -> {
                int converted = h.toDense();
                if (converted < 0) {
                    return RespReplies.error(HyperLogLog.INVALID_HLL);
                }
                return integer(converted);
            }
            default -> {
                return RespReplies.error("ERR Unknown PFDEBUG subcommand '" + RespReplies.sanitize(sub) + "'");
            }
        }
    }

    /** PFSELFTEST: Redis's self test of the registers and the estimator, in slices on the connection's shard. */
    public static void pfselftest(CommandContext c, byte[][] argv) {
        c.replyLater(HllSelfTestRun.start(c.shard(), c.local().store().encodings().hllSparseMaxBytes()));
    }
}
