package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.StoredValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardReservation;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.AtomicParts;
import io.percore.demo.command.KeysByShard;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * The commands on keys of any type (Redis's {@code db.c} and {@code expire.c}): DEL, UNLINK,
 * EXISTS, TOUCH, TYPE, the EXPIRE and TTL families, PERSIST, KEYS, SCAN, RENAME, RANDOMKEY,
 * DBSIZE, FLUSHDB/FLUSHALL. They use the store's untyped operations, so they work unchanged for
 * the types to come. Multi-key ones split their keys by shard ({@link KeysByShard}); whole-keyspace
 * ones are one {@code mapReduce} over the shards.
 *
 * <p>Atomicity: keys on one shard are handled in one step there, as in Redis. Across shards,
 * DEL/EXISTS apply per shard (another client may observe one shard's part before another's).
 */
public final class KeyCommands {

    private static final SimpleStringRedisMessage NONE_TYPE = new SimpleStringRedisMessage("none");
    private static final SimpleStringRedisMessage STRING_TYPE = new SimpleStringRedisMessage(ValueType.STRING.name());

    private KeyCommands() {
    }

    // ------------------------------------------------------------------ TYPE

    public static RedisMessage type(ValueStore ks, byte[][] argv, long now) {
        ValueType type = ks.lookupAny(argv[1], now, false) ? ks.typeOf(argv[1], now) : null;
        if (type == null) {
            return NONE_TYPE;
        }
        return type == ValueType.STRING ? STRING_TYPE : new SimpleStringRedisMessage(type.name());
    }

    // ------------------------------------------------------------------ expiry

    public static RedisMessage expire(ValueStore ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, now, true, "expire");
    }

    public static RedisMessage pexpire(ValueStore ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, now, false, "pexpire");
    }

    public static RedisMessage expireat(ValueStore ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, 0, true, "expireat");
    }

    public static RedisMessage pexpireat(ValueStore ks, byte[][] argv, long now) {
        return expireGeneric(ks, argv, now, 0, false, "pexpireat");
    }

    /** EXPIRE-family: key time [NX|XX|GT|LT] (Redis 7 {@code expireGenericCommand}). */
    private static RedisMessage expireGeneric(ValueStore ks, byte[][] argv, long now, long base, boolean seconds, String name) {
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
        boolean persistent = current == ValueStore.NO_EXPIRY;
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
            ks.changes().propagate(Effects.del(argv[1])); // Redis propagates a deletion, not the expiry
            ks.notify(KeyspaceEvents.GENERIC, "del", argv[1]);
            return ONE;
        }
        ks.expire(argv[1], when, now);
        ks.changes().propagate(Effects.pexpireat(argv[1], when)); // every form as its absolute time, as Redis
        ks.notify(KeyspaceEvents.GENERIC, "expire", argv[1]);
        return ONE;
    }

    public static RedisMessage ttl(ValueStore ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, false, false);
    }

    public static RedisMessage pttl(ValueStore ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, true, false);
    }

    public static RedisMessage expiretime(ValueStore ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, false, true);
    }

    public static RedisMessage pexpiretime(ValueStore ks, byte[][] argv, long now) {
        return ttlGeneric(ks, argv[1], now, true, true);
    }

    private static RedisMessage ttlGeneric(ValueStore ks, byte[] key, long now, boolean millis, boolean absolute) {
        long at = ks.lookupAny(key, now, false) ? ks.expireAt(key, now) : Long.MIN_VALUE;
        if (at == Long.MIN_VALUE) {
            return integer(-2);
        }
        if (at == ValueStore.NO_EXPIRY) {
            return integer(-1);
        }
        long t = absolute ? at : Math.max(0, at - now);
        return integer(millis ? t : absolute ? t / 1000 : (t + 500) / 1000);
    }

    public static RedisMessage persist(ValueStore ks, byte[][] argv, long now) {
        long at = ks.expireAt(argv[1], now);
        if (at == Long.MIN_VALUE || at == ValueStore.NO_EXPIRY) {
            return ZERO;
        }
        ks.expire(argv[1], ValueStore.NO_EXPIRY, now);
        ks.notify(KeyspaceEvents.GENERIC, "persist", argv[1]);
        return ONE;
    }

    // ------------------------------------------------------------------ DEL / UNLINK / EXISTS / TOUCH

    /** DEL and UNLINK: each shard deletes its keys and reports {@code DEL} of those it deleted. */
    public static void del(CommandContext c, byte[][] argv) {
        countKeys(c, argv, (ks, key, now) -> {
            if (!ks.delete(key, now)) {
                return false;
            }
            ks.notify(KeyspaceEvents.GENERIC, "del", key);
            return true;
        }, true);
    }

    public static void exists(CommandContext c, byte[][] argv) {
        countKeys(c, argv, (ks, key, now) -> ks.lookupAny(key, now, false), false);
    }

    public static void touch(CommandContext c, byte[][] argv) {
        countKeys(c, argv, (ks, key, now) -> ks.lookupAny(key, now, true), false);
    }

    @FunctionalInterface
    private interface KeyPredicate {
        boolean test(ValueStore store, byte[] key, long now);
    }

    /** DEL, UNLINK, EXISTS, TOUCH: atomic across shards ({@link AtomicParts}), the count summed. */
    private static void countKeys(CommandContext c, byte[][] argv, KeyPredicate op, boolean deletes) {
        int[][] groups = KeysByShard.group(c.keyspace(), argv, 1, 1);
        AtomicParts.run(c, groups, (st, indices) -> {
            long now = System.currentTimeMillis();
            List<byte[]> keys = KeysByShard.pick(argv, indices, 0);
            // DEL reports the keys it deleted, listed only when someone follows the changes
            List<byte[]> hit = deletes && st.store().changes().followed() ? new ArrayList<>(keys.size()) : null;
            long n = 0;
            for (byte[] key : keys) {
                if (op.test(st.store(), key, now)) {
                    n++;
                    if (hit != null) {
                        hit.add(key);
                    }
                }
            }
            if (deletes && n > 0) {
                if (hit != null) {
                    st.store().changes().propagate(Effects.withItems(Effects.DEL, hit.get(0), hit.subList(1, hit.size())));
                } else {
                    st.store().changes().propagated();
                }
            }
            return n;
        }, parts -> integer(parts.stream().mapToLong(Long::longValue).sum()));
    }

    // ------------------------------------------------------------------ whole keyspace

    public static void dbsize(CommandContext c, byte[][] argv) {
        c.replyLater(c.keyspace().mapReduce(st -> (long) st.store().size(), 0L, Long::sum).map(RespReplies::integer));
    }

    public static void flush(CommandContext c, byte[][] argv) {
        if (argv.length > 2) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (argv.length == 2) {
            String mode = RespReplies.ascii(argv[1]);
            if (!mode.equalsIgnoreCase("async") && !mode.equalsIgnoreCase("sync")) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        byte[] name = RespReplies.ascii(argv[0]).equalsIgnoreCase("flushall") ? Effects.FLUSHALL : Effects.FLUSHDB;
        Keyspace keyspace = c.keyspace();
        if (keyspace.transaction() != ShardReservation.FREE) {
            // run by EXEC, whose transaction holds every shard already (a command without keys reserves them all)
            c.replyLater(flushEach(keyspace, name));
            return;
        }
        // Atomic across shards, as Redis's: a transaction of its own holds every shard while each
        // flushes, so no command sees one shard flushed and another not, and the shards' changes
        // make one FLUSHALL in any stream made of them (ChangeMerge), in order with the rest.
        Keyspace bound = keyspace.boundTo(c.local().nextGroupId());
        java.util.BitSet every = new java.util.BitSet();
        every.set(0, keyspace.shardCount());
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        io.percore.demo.persistence.Persistence persistence = c.server().persistence();
        bound.reserveInOrder(every).flatMap(held -> flushEach(bound, name)).whenComplete((reply, failure) -> {
            bound.releaseAll(every);
            if (failure == null && name == Effects.FLUSHALL) {
                // with save rules the empty keyspace is saved before the reply, as Redis's FLUSHALL does
                persistence.saveAfterFlush().whenComplete((v, e) -> {
                    slot.complete(reply);
                    c.endBarrier();
                });
                return;
            }
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
            c.endBarrier();
        });
    }

    /** FLUSHALL: every database of every shard; FLUSHDB: the selected one (the view's), on every shard. */
    private static ShardFuture<RedisMessage> flushEach(Keyspace keyspace, byte[] name) {
        boolean all = name == Effects.FLUSHALL;
        return keyspace.mapReduce(st -> {
            if (all) {
                st.flushAll();
            } else {
                st.flushDb(st.store().id());
            }
            // this shard's keys, reported in the selected database (Redis's forced propagation: also when empty):
            // one group, one FLUSHALL merged
            st.store().changes().propagate(new byte[][] {name});
            return (RedisMessage) OK;
        }, (RedisMessage) OK, (a, b) -> OK);
    }

    public static void keys(CommandContext c, byte[][] argv) {
        byte[] pattern = argv[1];
        c.replyLater(c.keyspace().mapReduce(st -> {
            List<byte[]> out = new ArrayList<>();
            st.store().walks().keys(new GlobPattern(pattern), out, System.currentTimeMillis());
            return out;
        }, new ArrayList<byte[]>(), (all, part) -> {
            all.addAll(part); // folded on the calling shard, in shard order
            return all;
        }).map(RespReplies::bulkArray));
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]. The cursor carries the shard in its low
     * part: {@code cursor = tableCursor * shards + shard}; each call scans one shard, and moving to
     * the next shard restarts its table cursor at 0. Zero only after the last shard is done.
     */
    public static void scan(CommandContext c, byte[][] argv) {
        long cursor = parseCursor(argv[1]);
        byte[] match = null;
        long count = 10;
        String typeName = null;
        for (int j = 2; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]).toLowerCase(java.util.Locale.ROOT);
            boolean hasNext = j + 1 < argv.length;
            if (opt.equals("count") && hasNext) {
                count = RespNumbers.requireLong(argv[++j]);
                if (count < 1) {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
            } else if (opt.equals("match") && hasNext) {
                match = argv[++j];
            } else if (opt.equals("type") && hasNext) {
                typeName = RespReplies.ascii(argv[++j]);
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        int shards = c.keyspace().shardCount();
        int shard = (int) Long.remainderUnsigned(cursor, shards);
        long tableCursor = Long.divideUnsigned(cursor, shards);
        if (tableCursor > 0xFFFF_FFFFL) {
            throw new RespError("ERR invalid cursor");
        }
        GlobPattern pattern = match == null ? null : new GlobPattern(match);
        int batch = (int) Math.min(count, 100_000);
        String type = typeName;
        CommandContext.PendingReply slot = c.reserve();
        c.completeFrom(slot, c.keyspace().invokeOn(shard, st -> {
            List<byte[]> keys = new ArrayList<>();
            long next = st.store().walks().scan(tableCursor, batch, pattern, type, keys, System.currentTimeMillis());
            long nextCursor;
            if (next != 0) {
                nextCursor = next * shards + shard;
            } else {
                nextCursor = shard + 1 < shards ? shard + 1 : 0;
            }
            return new ArrayRedisMessage(List.of(
                    bulk(Long.toUnsignedString(nextCursor).getBytes(StandardCharsets.US_ASCII)),
                    RespReplies.bulkArray(keys)));
        }));
    }

    /**
     * HSCAN/SSCAN's arguments after the key: the cursor (validated as SCAN's) and the options; the
     * MATCH pattern, or null. COUNT is validated and ignored: these return everything at once.
     */
    static GlobPattern elementScanPattern(byte[][] argv) {
        parseCursor(argv[2]);
        GlobPattern pattern = null;
        for (int i = 3; i < argv.length; i += 2) {
            String opt = RespReplies.ascii(argv[i]).toLowerCase(java.util.Locale.ROOT);
            if (i + 1 >= argv.length) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            if (opt.equals("match")) {
                pattern = new GlobPattern(argv[i + 1]);
            } else if (!opt.equals("count") || RespNumbers.requireLong(argv[i + 1]) < 1) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        return pattern;
    }

    static long parseCursor(byte[] arg) {
        try {
            String s = RespReplies.ascii(arg);
            if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(0) == '+') {
                throw new NumberFormatException();
            }
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new RespError("ERR invalid cursor");
        }
    }

    /** RANDOMKEY: asks shards one after another, starting at a random one, until one has a key. */
    public static void randomkey(CommandContext c, byte[][] argv) {
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        int shards = c.keyspace().shardCount();
        int start = ThreadLocalRandom.current().nextInt(shards);
        tryRandom(c, slot, start, 0, shards);
    }

    private static void tryRandom(CommandContext c, CommandContext.PendingReply slot, int start, int attempt, int shards) {
        int shard = (start + attempt) % shards;
        c.keyspace().invokeOn(shard, st -> st.store().walks().randomKey(System.currentTimeMillis()))
                .whenComplete((key, failure) -> {
                    if (failure != null) {
                        slot.complete(RespReplies.forFailure(failure));
                        c.endBarrier();
                    } else if (key != null || attempt + 1 == shards) {
                        slot.complete(bulk(key));
                        c.endBarrier();
                    } else {
                        tryRandom(c, slot, start, attempt + 1, shards);
                    }
                });
    }

    /**
     * RENAME src dst. Same shard: one atomic step. Across shards: the value (with its type and TTL) is
     * taken from the source shard, then stored on the destination shard, behind this
     * connection's barrier; another client may briefly see neither key.
     */
    public static void rename(CommandContext c, byte[][] argv) {
        byte[] src = argv[1];
        byte[] dst = argv[2];
        int srcShard = c.keyspace().shardOf(src);
        int dstShard = c.keyspace().shardOf(dst);
        CommandContext.PendingReply slot = c.reserve();
        if (srcShard == dstShard) {
            c.completeFrom(slot, c.keyspace().invokeOn(srcShard, st -> {
                long now = System.currentTimeMillis();
                ValueStore ks = st.store();
                if (!ks.exists(src, now)) {
                    return RespReplies.error(RespReplies.NO_SUCH_KEY);
                }
                if (java.util.Arrays.equals(src, dst)) {
                    return OK;
                }
                renameHere(ks, src, dst, now);
                return OK;
            }));
            return;
        }
        c.beginBarrier();
        c.keyspace().invokeOn(srcShard, st -> takeReported(st.store(), src))
                .flatMap(moved -> moved == null
                ? ShardFuture.completed((RedisMessage) RespReplies.error(RespReplies.NO_SUCH_KEY))
                : c.keyspace().invokeOn(dstShard, st -> {
                    putReported(st.store(), dst, moved);
                    return (RedisMessage) OK;
                })).whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /**
     * RENAMENX src dst: 1 when renamed, 0 when dst exists; a missing src is an error first, as in
     * Redis. Across shards: dst is reserved on its shard (MSETNX's reservation, so no other client
     * creates it meanwhile), then src is taken and put there, or the reservation released.
     */
    public static void renamenx(CommandContext c, byte[][] argv) {
        byte[] src = argv[1];
        byte[] dst = argv[2];
        int srcShard = c.keyspace().shardOf(src);
        int dstShard = c.keyspace().shardOf(dst);
        CommandContext.PendingReply slot = c.reserve();
        if (srcShard == dstShard) {
            c.completeFrom(slot, c.keyspace().invokeOn(srcShard, st -> {
                long now = System.currentTimeMillis();
                ValueStore ks = st.store();
                if (!ks.exists(src, now)) {
                    return RespReplies.error(RespReplies.NO_SUCH_KEY);
                }
                if (ks.existsOrReserved(dst, now)) {
                    return RespReplies.integer(0);
                }
                renameHere(ks, src, dst, now); // the destination was absent: RENAME does the same
                return RespReplies.integer(1);
            }));
            return;
        }
        long txn = StringCommands.NEXT_TRANSACTION.incrementAndGet();
        List<byte[]> dstKey = List.of(dst);
        c.beginBarrier();
        c.keyspace().invokeOn(srcShard, st -> st.store().exists(src, System.currentTimeMillis()))
                .flatMap(srcExists -> !srcExists
                        ? ShardFuture.completed((RedisMessage) RespReplies.error(RespReplies.NO_SUCH_KEY))
                        : c.keyspace().invokeOn(dstShard, st -> st.store().reservations().reserveIfAbsent(dstKey, txn, System.currentTimeMillis()))
                        .flatMap(reserved -> !reserved
                                ? ShardFuture.completed((RedisMessage) RespReplies.integer(0))
                                : c.keyspace().invokeOn(srcShard, st -> takeReported(st.store(), src))
                                .flatMap(moved -> c.keyspace().invokeOn(dstShard, st -> {
                                    if (moved == null) { // expired or deleted since it was seen
                                        st.store().reservations().release(dstKey, txn);
                                        return (RedisMessage) RespReplies.error(RespReplies.NO_SUCH_KEY);
                                    }
                                    putReported(st.store(), dst, moved);
                                    return (RedisMessage) RespReplies.integer(1);
                                }))))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /**
     * COPY source destination [DB destination-db] [REPLACE]: the value with its type and TTL, deep-copied (a
     * later change to either key does not reach the other), into the selected database or {@code DB}'s.
     * Same shard: one step there. Across shards: the copy is made on the source's shard, then stored on
     * the destination's if it is absent (or with REPLACE), behind this connection's barrier.
     */
    public static void copy(CommandContext c, byte[][] argv) {
        boolean replace = false;
        Keyspace keyspace = c.keyspace();
        int srcDb = keyspace.db();
        int dstDb = srcDb;
        for (int j = 3; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]);
            if (opt.equalsIgnoreCase("replace")) {
                replace = true;
            } else if (opt.equalsIgnoreCase("db") && j + 1 < argv.length) {
                dstDb = DatabaseCommands.existing(keyspace, DatabaseCommands.index(argv[++j]));
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        if ((srcDb != 0 || dstDb != 0) && c.server().cluster().enabled()) {
            throw new RespError("ERR Copying to another database is not allowed in cluster mode");
        }
        byte[] src = argv[1];
        byte[] dst = argv[2];
        if (srcDb == dstDb && java.util.Arrays.equals(src, dst)) {
            throw new RespError(DatabaseCommands.SAME_OBJECT);
        }
        boolean overwrite = replace;
        int toDb = dstDb;
        int srcShard = keyspace.shardOf(src);
        int dstShard = keyspace.shardOf(dst);
        if (srcShard == dstShard) {
            c.replyLater(keyspace.invokeOn(srcShard, st -> {
                long now = System.currentTimeMillis();
                ValueStore ks = st.store();
                ValueStore to = st.store(toDb);
                if (!overwrite && to.existsOrReserved(dst, now)) {
                    ks.lookupAny(src, now, true); // read first, as Redis reads it (its statistics, its keymiss)
                    return ZERO; // the same reply whether the source exists or not: answered before copying
                }
                StoredValue copy = ks.copyOf(src, now);
                return copy == null ? ZERO : storeCopy(to, dst, copy, overwrite, now);
            }));
            return;
        }
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        keyspace.invokeOn(srcShard, st -> st.store().copyOf(src, System.currentTimeMillis()))
                .flatMap(copy -> copy == null
                        ? ShardFuture.completed((RedisMessage) ZERO)
                        : keyspace.invokeOn(dstShard, st -> storeCopy(st.store(toDb), dst, copy, overwrite, System.currentTimeMillis())))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /** COPY's write on the destination's shard: 0 when the key exists (or is reserved) without REPLACE. */
    private static RedisMessage storeCopy(ValueStore ks, byte[] dst, StoredValue copy, boolean replace, long now) {
        if (!ks.makeRoom(now)) {
            return RespReplies.OOM_REPLY; // denyoom, as the single-key writes
        }
        if (!replace && ks.existsOrReserved(dst, now)) {
            return ZERO;
        }
        ks.put(dst, copy); // its size was checked against a shard's budget before it was made (copyOf)
        ks.changes().propagateValue(dst);
        ks.notify(KeyspaceEvents.GENERIC, "copy_to", dst);
        return ONE;
    }

    /** RENAME of two keys of this shard: one step, with Redis's events (the new key, rename_from, rename_to). */
    private static void renameHere(ValueStore ks, byte[] src, byte[] dst, long now) {
        ks.put(dst, ks.take(src, now));
        ks.changes().propagate(RENAME, src, dst);
        ks.notify(KeyspaceEvents.GENERIC, "rename_from", src);
        ks.notify(KeyspaceEvents.GENERIC, "rename_to", dst);
    }

    /** RENAME's first half across shards: the source taken, reported as its deletion here. */
    private static StoredValue takeReported(ValueStore ks, byte[] src) {
        StoredValue taken = ks.take(src, System.currentTimeMillis());
        if (taken != null) {
            ks.changes().propagate(Effects.del(src));
            ks.notify(KeyspaceEvents.GENERIC, "rename_from", src);
        }
        return taken;
    }

    /** RENAME's second half across shards: the value put under its new name, reported as that key's whole value. */
    private static void putReported(ValueStore ks, byte[] dst, StoredValue moved) {
        ks.put(dst, moved);
        ks.changes().propagateValue(dst);
        ks.notify(KeyspaceEvents.GENERIC, "rename_to", dst);
    }

    private static final byte[] RENAME = Effects.ascii("RENAME");

    /** MEMORY USAGE key [SAMPLES count]: the memory budget's estimate of the key in bytes, nil when absent. */
    public static void memoryUsage(CommandContext c, byte[][] argv) {
        if (argv.length != 3 && argv.length != 5) {
            throw RespReplies.wrongArgs("memory|usage");
        }
        if (argv.length == 5) {
            if (!RespReplies.ascii(argv[3]).equalsIgnoreCase("samples")) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            RespNumbers.requireLong(argv[4]);
        }
        byte[] key = argv[2];
        int owner = c.keyspace().shardOf(key);
        c.replyLater(c.keyspace().invokeOn(owner, st -> {
            long bytes = st.store().memoryUsage(key, System.currentTimeMillis());
            return bytes < 0 ? RespReplies.NIL : RespReplies.integer(bytes);
        }));
    }
}
