package io.percore.demo.resp;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.ShardKeyspace;
import io.percore.demo.resp.RespConnection.ReplySlot;
import io.percore.demo.shard.ShardState;
import io.percore.demo.shard.ShardedKeyspace;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Commands over several keys or the whole keyspace. Keys are split by owning shard, each shard
 * gets one message with its keys (in argument order, so duplicate keys behave as in Redis), and
 * the parts are merged into one reply in the connection's reply order.
 *
 * <p>Atomicity: a multi-key command whose keys live on one shard is atomic, as in Redis. Across
 * shards, MSET/DEL/EXISTS/MGET apply per shard (another client may observe one shard's part
 * before another's); MSETNX uses prepare/commit with key reservations (see {@link #msetnx}).
 */
final class KeyspaceCommands {

    private static final java.util.concurrent.atomic.AtomicLong NEXT_TRANSACTION = new java.util.concurrent.atomic.AtomicLong();

    private KeyspaceCommands() {
    }

    /** Arg indices of the keys in {@code argv[first], argv[first+step], ...}, grouped by shard (null = no keys there). */
    static int[][] groupByShard(ShardedKeyspace keyspace, byte[][] argv, int first, int step) {
        int shards = keyspace.shardCount();
        int keys = (argv.length - first + step - 1) / step;
        if (shards == 1) {
            int[] all = new int[keys];
            for (int k = 0; k < keys; k++) {
                all[k] = first + k * step;
            }
            return new int[][] {all};
        }
        int[] owner = new int[keys];
        int[] counts = new int[shards];
        for (int k = 0; k < keys; k++) {
            owner[k] = keyspace.shardOf(argv[first + k * step]);
            counts[owner[k]]++;
        }
        int[][] groups = new int[shards][];
        int[] fill = new int[shards];
        for (int k = 0; k < keys; k++) {
            int s = owner[k];
            if (groups[s] == null) {
                groups[s] = new int[counts[s]];
            }
            groups[s][fill[s]++] = first + k * step;
        }
        return groups;
    }

    /** Collects one result per shard part and completes the slot once, when the last part arrives. */
    private static final class Gather<P> {
        private final RespConnection connection;
        private final ReplySlot slot;
        private final Function<List<P>, RedisMessage> merge;
        private final List<P> parts = new ArrayList<>();
        private int remaining;
        private boolean failed;

        Gather(RespConnection connection, int parts, Function<List<P>, RedisMessage> merge) {
            this.connection = connection;
            this.slot = connection.reserve();
            this.merge = merge;
            this.remaining = parts;
        }

        void add(ShardFuture<P> part) {
            part.whenComplete((value, failure) -> {
                if (failed) {
                    return;
                }
                if (failure != null) {
                    failed = true;
                    connection.complete(slot, RespConnection.internalError(failure));
                    return;
                }
                parts.add(value);
                if (--remaining == 0) {
                    RedisMessage reply;
                    try {
                        reply = merge.apply(parts);
                    } catch (RespError e) {
                        reply = e.reply();
                    }
                    connection.complete(slot, reply);
                }
            });
        }
    }

    private static int count(int[][] groups) {
        int n = 0;
        for (int[] g : groups) {
            if (g != null) {
                n++;
            }
        }
        return n;
    }

    private static List<byte[]> pick(byte[][] argv, int[] indices, int offset) {
        List<byte[]> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(argv[i + offset]);
        }
        return out;
    }

    // ------------------------------------------------------------------ MGET

    static void mget(RespConnection c, byte[][] argv) {
        int[][] groups = groupByShard(c.keyspace(), argv, 1, 1);
        RedisMessage[] values = new RedisMessage[argv.length - 1];
        Gather<Object> gather = new Gather<>(c, count(groups), parts -> new ArrayRedisMessage(List.of(values)));
        for (int s = 0; s < groups.length; s++) {
            int[] indices = groups[s];
            if (indices == null) {
                continue;
            }
            List<byte[]> keys = pick(argv, indices, 0);
            gather.add(c.keyspace().call(c.shard(), s, st -> {
                long now = System.currentTimeMillis();
                byte[][] found = new byte[keys.size()][];
                for (int i = 0; i < found.length; i++) {
                    found[i] = st.keyspace().read(keys.get(i), now);
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

    static void mset(RespConnection c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("mset");
        }
        int[][] groups = groupByShard(c.keyspace(), argv, 1, 2);
        Gather<Object> gather = new Gather<>(c, count(groups), parts -> OK);
        for (int s = 0; s < groups.length; s++) {
            if (groups[s] == null) {
                continue;
            }
            List<byte[]> keys = pick(argv, groups[s], 0);
            List<byte[]> values = pick(argv, groups[s], 1);
            gather.add(c.keyspace().call(c.shard(), s, st -> {
                for (int i = 0; i < keys.size(); i++) {
                    st.keyspace().set(keys.get(i), values.get(i), ShardKeyspace.NO_EXPIRY);
                }
                return null;
            }));
        }
    }

    /**
     * MSETNX. Keys on one shard: checked and written in one step there (atomic, like Redis).
     * Keys on several shards: two phases. Prepare: every shard checks its keys are absent and not
     * reserved, and reserves them for this transaction (NX writes of other clients see a reserved
     * key as existing). Commit if every shard agreed, else release. A plain write to a reserved key
     * between the phases wins over the commit, which is the outcome of MSETNX-then-write, so the
     * result is still serializable. Readers may see one shard's keys before another's.
     */
    static void msetnx(RespConnection c, byte[][] argv) {
        if ((argv.length - 1) % 2 != 0) {
            throw RespReplies.wrongArgs("msetnx");
        }
        int[][] groups = groupByShard(c.keyspace(), argv, 1, 2);
        if (count(groups) == 1) {
            for (int s = 0; s < groups.length; s++) {
                if (groups[s] != null) {
                    List<byte[]> keys = pick(argv, groups[s], 0);
                    List<byte[]> values = pick(argv, groups[s], 1);
                    c.completeFrom(c.reserve(), c.keyspace().call(c.shard(), s, st -> {
                        long now = System.currentTimeMillis();
                        for (byte[] key : keys) {
                            if (st.keyspace().existsOrReserved(key, now)) {
                                return RespReplies.ZERO;
                            }
                        }
                        for (int i = 0; i < keys.size(); i++) {
                            st.keyspace().set(keys.get(i), values.get(i), ShardKeyspace.NO_EXPIRY);
                        }
                        return RespReplies.ONE;
                    }));
                }
            }
            return;
        }
        long txn = NEXT_TRANSACTION.incrementAndGet();
        ReplySlot slot = c.reserve();
        c.beginBarrier();
        List<Integer> shards = new ArrayList<>();
        List<ShardFuture<Boolean>> votes = new ArrayList<>();
        for (int s = 0; s < groups.length; s++) {
            if (groups[s] == null) {
                continue;
            }
            List<byte[]> keys = pick(argv, groups[s], 0);
            shards.add(s);
            votes.add(c.keyspace().call(c.shard(), s, st -> st.keyspace().reserveIfAbsent(keys, txn, System.currentTimeMillis())));
        }
        ShardFuture<List<Boolean>> allVotes = ShardFuture.completed(new ArrayList<>());
        for (ShardFuture<Boolean> vote : votes) {
            allVotes = allVotes.flatMap(list -> vote.map(v -> {
                list.add(v);
                return list;
            }));
        }
        allVotes.flatMap(results -> {
            boolean commit = !results.contains(Boolean.FALSE);
            ShardFuture<Object> done = ShardFuture.completed(null);
            for (int i = 0; i < shards.size(); i++) {
                int s = shards.get(i);
                if (!commit && !results.get(i)) {
                    continue; // nothing reserved there
                }
                List<byte[]> keys = pick(argv, groups[s], 0);
                List<byte[]> values = pick(argv, groups[s], 1);
                ShardFuture<Object> step = c.keyspace().call(c.shard(), s, st -> {
                    if (commit) {
                        st.keyspace().commitReserved(keys, values, txn);
                    } else {
                        st.keyspace().releaseReserved(keys, txn);
                    }
                    return null;
                });
                done = done.flatMap(x -> step);
            }
            return done.map(x -> commit ? RespReplies.ONE : RespReplies.ZERO);
        }).whenComplete((reply, failure) -> {
            c.complete(slot, failure == null ? reply : RespConnection.internalError(failure));
            c.endBarrier();
        });
    }

    // ------------------------------------------------------------------ DEL / UNLINK / EXISTS / TOUCH

    static void del(RespConnection c, byte[][] argv) {
        countKeys(c, argv, (ks, key, now) -> ks.delete(key, now));
    }

    static void exists(RespConnection c, byte[][] argv) {
        countKeys(c, argv, (ks, key, now) -> ks.exists(key, now));
    }

    @FunctionalInterface
    private interface KeyPredicate {
        boolean test(ShardKeyspace keyspace, byte[] key, long now);
    }

    private static void countKeys(RespConnection c, byte[][] argv, KeyPredicate op) {
        int[][] groups = groupByShard(c.keyspace(), argv, 1, 1);
        Gather<Long> gather = new Gather<>(c, count(groups), parts -> integer(parts.stream().mapToLong(Long::longValue).sum()));
        for (int s = 0; s < groups.length; s++) {
            if (groups[s] == null) {
                continue;
            }
            List<byte[]> keys = pick(argv, groups[s], 0);
            gather.add(c.keyspace().call(c.shard(), s, st -> {
                long now = System.currentTimeMillis();
                long n = 0;
                for (byte[] key : keys) {
                    if (op.test(st.keyspace(), key, now)) {
                        n++;
                    }
                }
                return n;
            }));
        }
    }

    // ------------------------------------------------------------------ whole keyspace

    static void dbsize(RespConnection c, byte[][] argv) {
        onAllShards(c, st -> (long) st.keyspace().size(), parts -> integer(parts.stream().mapToLong(Long::longValue).sum()));
    }

    static void flush(RespConnection c, byte[][] argv) {
        if (argv.length > 2) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (argv.length == 2) {
            String mode = RespReplies.ascii(argv[1]);
            if (!mode.equalsIgnoreCase("async") && !mode.equalsIgnoreCase("sync")) {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        onAllShards(c, st -> {
            st.keyspace().flush();
            return null;
        }, parts -> OK);
    }

    static void keys(RespConnection c, byte[][] argv) {
        byte[] pattern = argv[1];
        onAllShards(c, st -> {
            List<byte[]> out = new ArrayList<>();
            st.keyspace().keys(new GlobPattern(pattern), out, System.currentTimeMillis());
            return out;
        }, parts -> {
            List<byte[]> all = new ArrayList<>();
            parts.forEach(all::addAll);
            return RespReplies.bulkArray(all);
        });
    }

    private static <P> void onAllShards(RespConnection c, Function<ShardState, P> fn, Function<List<P>, RedisMessage> merge) {
        ReplySlot slot = c.reserve();
        ShardFuture<List<P>> all = c.keyspace().callAll(c.shard(), fn);
        c.completeFrom(slot, all.map(merge));
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]. The cursor carries the shard in its low
     * part: {@code cursor = tableCursor * shards + shard}; each call scans one shard, and moving to
     * the next shard restarts its table cursor at 0. Zero only after the last shard is done.
     */
    static void scan(RespConnection c, byte[][] argv) {
        long cursor = parseCursor(argv[1]);
        byte[] match = null;
        long count = 10;
        boolean onlyStrings = true;
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
                onlyStrings = RespReplies.ascii(argv[++j]).equalsIgnoreCase("string");
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
        boolean keep = onlyStrings;
        ReplySlot slot = c.reserve();
        c.completeFrom(slot, c.keyspace().call(c.shard(), shard, st -> {
            List<byte[]> keys = new ArrayList<>();
            long next = st.keyspace().scan(tableCursor, batch, pattern, keys, System.currentTimeMillis());
            long nextCursor;
            if (next != 0) {
                nextCursor = next * shards + shard;
            } else {
                nextCursor = shard + 1 < shards ? shard + 1 : 0;
            }
            return new ArrayRedisMessage(List.of(
                    bulk(Long.toUnsignedString(nextCursor).getBytes(StandardCharsets.US_ASCII)),
                    RespReplies.bulkArray(keep ? keys : List.of())));
        }));
    }

    private static long parseCursor(byte[] arg) {
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
    static void randomkey(RespConnection c, byte[][] argv) {
        ReplySlot slot = c.reserve();
        c.beginBarrier();
        int shards = c.keyspace().shardCount();
        int start = ThreadLocalRandom.current().nextInt(shards);
        tryRandom(c, slot, start, 0, shards);
    }

    private static void tryRandom(RespConnection c, ReplySlot slot, int start, int attempt, int shards) {
        int shard = (start + attempt) % shards;
        c.keyspace().call(c.shard(), shard, st -> st.keyspace().randomKey(System.currentTimeMillis()))
                .whenComplete((key, failure) -> {
                    if (failure != null) {
                        c.complete(slot, RespConnection.internalError(failure));
                        c.endBarrier();
                    } else if (key != null || attempt + 1 == shards) {
                        c.complete(slot, bulk(key));
                        c.endBarrier();
                    } else {
                        tryRandom(c, slot, start, attempt + 1, shards);
                    }
                });
    }

    /** A value and its expiry, moved by a cross-shard RENAME. */
    private record Moved(byte[] value, long expireAt) {
    }

    /**
     * RENAME src dst. Same shard: one atomic step. Across shards: the value (with its TTL) is
     * taken from the source shard, then stored on the destination shard, behind this
     * connection's barrier; another client may briefly see neither key.
     */
    static void rename(RespConnection c, byte[][] argv) {
        byte[] src = argv[1];
        byte[] dst = argv[2];
        int srcShard = c.keyspace().shardOf(src);
        int dstShard = c.keyspace().shardOf(dst);
        ReplySlot slot = c.reserve();
        if (srcShard == dstShard) {
            c.completeFrom(slot, c.keyspace().call(c.shard(), srcShard, st -> {
                long now = System.currentTimeMillis();
                ShardKeyspace ks = st.keyspace();
                long expireAt = ks.expireAt(src, now);
                if (expireAt == Long.MIN_VALUE) {
                    return RespReplies.error(RespReplies.NO_SUCH_KEY);
                }
                if (java.util.Arrays.equals(src, dst)) {
                    return OK;
                }
                byte[] value = ks.peek(src, now);
                ks.delete(src, now);
                ks.set(dst, value, expireAt);
                return OK;
            }));
            return;
        }
        c.beginBarrier();
        c.keyspace().call(c.shard(), srcShard, st -> {
            long now = System.currentTimeMillis();
            ShardKeyspace ks = st.keyspace();
            long expireAt = ks.expireAt(src, now);
            if (expireAt == Long.MIN_VALUE) {
                return null;
            }
            Moved moved = new Moved(ks.peek(src, now), expireAt);
            ks.delete(src, now);
            return moved;
        }).flatMap(moved -> moved == null
                ? ShardFuture.completed((RedisMessage) RespReplies.error(RespReplies.NO_SUCH_KEY))
                : c.keyspace().call(c.shard(), dstShard, st -> {
                    st.keyspace().set(dst, moved.value(), moved.expireAt());
                    return (RedisMessage) OK;
                })).whenComplete((reply, failure) -> {
                    c.complete(slot, failure == null ? reply : RespConnection.internalError(failure));
                    c.endBarrier();
                });
    }
}
