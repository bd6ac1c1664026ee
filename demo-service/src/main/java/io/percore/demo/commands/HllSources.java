package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.KeysByShard;
import io.percore.demo.kv.HyperLogLog;
import io.percore.demo.kv.StringView;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.Arrays;

/**
 * The sources of PFCOUNT (several keys) and PFMERGE, read where they live and merged into one set of
 * 16,384 byte registers on the connection's shard (Redis merges into such a temporary set too). Each
 * shard is sent its keys {@link #BATCH} at a time, the next batch once the last one answered, so a
 * PFMERGE of 100,000 keys holds no shard for more than one batch's merge (about a millisecond) and
 * keeps no more than one 16 KB register set per shard in flight; the shards work in parallel. Errors
 * are Redis's, the first in argument order winning, as Redis checks keys one after the other; a shard
 * stops at its first error (its later keys cannot come first).
 */
final class HllSources {

    /** Keys per message: the merge of a dense HLL reads 16,384 registers, some 20-40 µs here. */
    static final int BATCH = 32;

    private HllSources() {
    }

    /** The registers merged so far, whether any source was dense, and the first error by argument position. */
    static final class Merged {
        final byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean dense;
        int errorAt = Integer.MAX_VALUE;
        RedisMessage error;
    }

    /** What one batch found on its shard: its keys' registers merged (null when none exists), or its first error. */
    record Batch(byte[] max, boolean dense, int errorAt, RedisMessage error) {

        void addTo(Merged merged) {
            if (max != null) {
                for (int i = 0; i < max.length; i++) {
                    if (max[i] > merged.max[i]) {
                        merged.max[i] = max[i];
                    }
                }
            }
            merged.dense |= dense;
            if (error != null && errorAt < merged.errorAt) {
                merged.errorAt = errorAt;
                merged.error = error;
            }
        }
    }

    /** The keys {@code argv[from..]}, each read on its shard. */
    static ShardFuture<Merged> read(Keyspace keyspace, byte[][] argv, int from) {
        Merged merged = new Merged();
        int[][] groups = KeysByShard.group(keyspace, argv, from, 1);
        ShardFuture<Merged> all = ShardFuture.completed(merged);
        for (int shard = 0; shard < groups.length; shard++) {
            if (groups[shard] != null) {
                int target = groups.length == 1 ? keyspace.shardOf(argv[from]) : shard;
                ShardPromise<Void> part = new ShardPromise<>();
                readOn(keyspace, target, argv, groups[shard], 0, merged, part);
                all = all.flatMap(m -> part.map(done -> m));
            }
        }
        return all;
    }

    /**
     * One batch of a shard's keys, then the next as a task of its own on the connection's shard: a
     * batch on the connection's own shard runs inline, and a chain of them must not become one long
     * step there.
     */
    private static void readOn(Keyspace keyspace, int shard, byte[][] argv, int[] indices, int offset, Merged into,
                               ShardPromise<Void> done) {
        int to = Math.min(indices.length, offset + BATCH);
        int[] batch = Arrays.copyOfRange(indices, offset, to);
        keyspace.invokeOn(shard, st -> readBatch(st.store(), argv, batch, System.currentTimeMillis())).whenComplete((b, failure) -> {
            if (failure != null) {
                done.fail(failure);
                return;
            }
            b.addTo(into);
            if (b.error() != null || to == indices.length) {
                done.complete(null);
            } else {
                Shard.current().execute(() -> readOn(keyspace, shard, argv, indices, to, into, done));
            }
        });
    }

    /** Reads and merges the HLLs at {@code argv[indices]} on their shard (Redis's loop over the keys, isHLLObjectOrReply and hllMerge). */
    static Batch readBatch(ValueStore ks, byte[][] argv, int[] indices, long now) {
        byte[] max = null;
        boolean dense = false;
        for (int index : indices) {
            Object stored;
            try {
                stored = ks.lookupRead(argv[index], ValueType.STRING, now);
            } catch (WrongTypeException e) {
                return new Batch(max, dense, index, RespReplies.forFailure(e));
            }
            if (stored == null) {
                continue;
            }
            StringView v = StringView.of(stored);
            if (!HyperLogLog.isHll(v.array(), v.length())) {
                return new Batch(max, dense, index, RespReplies.error(HyperLogLog.NOT_HLL));
            }
            if (max == null) {
                max = new byte[HyperLogLog.REGISTERS];
            }
            dense |= HyperLogLog.isDense(v.array());
            if (!HyperLogLog.mergeInto(max, v.array(), v.length())) {
                return new Batch(max, dense, index, RespReplies.error(HyperLogLog.INVALID_HLL));
            }
        }
        return new Batch(max, dense, -1, null);
    }
}
