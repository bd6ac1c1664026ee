package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * The keys of a multi-key command split by owning shard, so each shard gets one message with its
 * keys (in argument order, so duplicate keys behave as in Redis), and the gathering of the
 * per-shard parts into one reply.
 */
public final class KeysByShard {

    private KeysByShard() {
    }

    /** Arg indices of the keys in {@code argv[first], argv[first+step], ...}, grouped by shard (null = no keys there). */
    public static int[][] group(Keyspace keyspace, byte[][] argv, int first, int step) {
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

    /** How many shards have keys. */
    public static int count(int[][] groups) {
        int n = 0;
        for (int[] g : groups) {
            if (g != null) {
                n++;
            }
        }
        return n;
    }

    /** The arguments at {@code indices} (each shifted by {@code offset}: 1 picks the value after a key). */
    public static List<byte[]> pick(byte[][] argv, int[] indices, int offset) {
        List<byte[]> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(argv[i + offset]);
        }
        return out;
    }

    /** Reads one key on its owner's store (on that shard's thread). */
    @FunctionalInterface
    public interface KeyRead {
        Object read(ValueStore store, byte[] key, long now);
    }

    /**
     * Reads the keys {@code argv[from]}..{@code argv[to - 1]} on their shards, one message per shard
     * (the shards one after another), and gives the results in argument order. The first failure
     * (WRONGTYPE) fails the whole. What {@code read} returns crosses to this shard: it must be
     * something the owner will not change afterwards (a copy, or an array it shared).
     */
    public static ShardFuture<Object[]> readEach(Keyspace keyspace, byte[][] argv, int from, int to, KeyRead read) {
        byte[][] keys = java.util.Arrays.copyOfRange(argv, from, to);
        int[][] groups = group(keyspace, keys, 0, 1);
        Object[] out = new Object[keys.length];
        ShardFuture<Object[]> acc = ShardFuture.completed(out);
        for (int s = 0; s < groups.length; s++) {
            int[] indices = groups[s];
            if (indices == null) {
                continue;
            }
            int shard = s;
            acc = acc.flatMap(all -> keyspace.invokeOn(shard, st -> {
                long now = System.currentTimeMillis();
                Object[] part = new Object[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    part[i] = read.read(st.store(), keys[indices[i]], now);
                }
                return part;
            }).map(part -> {
                for (int i = 0; i < indices.length; i++) {
                    all[indices[i]] = part[i];
                }
                return all;
            }));
        }
        return acc;
    }

    /** Collects one result per shard part and fills the reply position once, when the last part arrives. */
    public static final class Gather<P> {
        private final CommandContext.PendingReply slot;
        private final Function<List<P>, RedisMessage> merge;
        private final List<P> parts = new ArrayList<>();
        private int remaining;
        private boolean failed;

        public Gather(CommandContext context, int parts, Function<List<P>, RedisMessage> merge) {
            this.slot = context.reserve();
            this.merge = merge;
            this.remaining = parts;
        }

        public void add(ShardFuture<P> part) {
            part.whenComplete((value, failure) -> {
                if (failed) {
                    return;
                }
                if (failure != null) {
                    failed = true;
                    slot.complete(RespReplies.forFailure(failure));
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
                    slot.complete(reply);
                }
            });
        }
    }
}
