package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A multi-key command's parts, one per shard owning some of its keys, run so that no other command
 * sees some parts done and others not, as in Redis, where every command is atomic. Keys of one shard
 * need nothing more than that shard's one step. Across shards it is two-phase locking over the
 * shards' reservations ({@link io.percore.demo.shard.ShardReservation}), taken in ascending shard
 * order as transactions take them (so no cycle of waits can form): each shard in turn is reserved
 * and runs its part in the same message ({@link Keyspace#reserveAndRun}), and stays held until the
 * last one ran; the last is reserved, runs and is released in one message; then the others are
 * released. So a command over two shards, one of them the connection's own, costs one round trip,
 * as a plain fan-out does, plus one message to release.
 *
 * <p>Order on the connection: when the chain could not send every hop at once (a shard before the
 * last one answers later), the connection's later commands wait for it (a barrier), so none of them
 * overtakes a part still to come; otherwise they reach each shard behind this command's own hop and
 * the connection's shard, held by it, parks them. The parts are reported to the write path as one
 * transaction's parts: the append-only file and replicas see the command as one MULTI ... EXEC.
 */
public final class AtomicParts {

    private AtomicParts() {
    }

    /**
     * Runs {@code part(state, indices)} on each shard of {@code groups} (see {@link KeysByShard#group}),
     * atomically across them, and replies {@code merge} of the parts' results in shard order (a part's
     * failure, or a {@link RespError} from {@code merge}, is the reply instead).
     */
    public static <P> void run(CommandContext c, int[][] groups, BiFunction<KeyspaceShard, int[], P> part,
                               Function<List<P>, RedisMessage> merge) {
        CommandContext.PendingReply slot = c.reserve();
        Chain<P> chain = new Chain<>(c.keyspace(), groups, part);
        ShardFuture<List<P>> parts = chain.start();
        boolean barrier = !chain.allSent;
        if (barrier) {
            c.beginBarrier();
        }
        parts.whenComplete((results, failure) -> {
            RedisMessage reply;
            if (failure != null) {
                reply = RespReplies.forFailure(failure);
            } else {
                try {
                    reply = merge.apply(results);
                } catch (RespError e) {
                    reply = e.reply();
                }
            }
            slot.complete(reply);
            if (barrier) {
                c.endBarrier();
            }
        });
    }

    /** The parts' results in shard order (the shards with keys only); atomic across them as {@link #run} says. */
    public static <P> ShardFuture<List<P>> parts(Keyspace keyspace, int[][] groups, BiFunction<KeyspaceShard, int[], P> part) {
        return new Chain<>(keyspace, groups, part).start();
    }

    private record PartFailed(RuntimeException cause) {
    }

    private static final class Chain<P> {
        private final Keyspace keyspace;
        private final int[][] groups;
        private final BiFunction<KeyspaceShard, int[], P> part;
        private final BitSet shards = new BitSet();
        private final List<P> results = new ArrayList<>();
        /** Shards reserved and not yet released by their own hop. */
        private final BitSet held = new BitSet();
        /** The first part that failed: the chain still goes through every shard, so the transaction's parts are whole. */
        private RuntimeException failed;
        private Keyspace bound;
        /** Every hop was sent (or run) before {@link #start} returned. */
        boolean allSent;

        Chain(Keyspace keyspace, int[][] groups, BiFunction<KeyspaceShard, int[], P> part) {
            this.keyspace = keyspace;
            this.groups = groups;
            this.part = part;
            for (int s = 0; s < groups.length; s++) {
                if (groups[s] != null) {
                    shards.set(s);
                }
            }
        }

        ShardFuture<List<P>> start() {
            int first = shards.nextSetBit(0);
            if (shards.cardinality() <= 1 || keyspace.transaction() != io.percore.demo.shard.ShardReservation.FREE) {
                // one shard, or inside a transaction that holds them all already: plain calls
                allSent = true;
                return fanOut();
            }
            bound = keyspace.boundTo(keyspace.local().nextGroupId());
            bound.step(1);
            ShardFuture<Void> done = hop(first);
            return done.handle((v, failure) -> failure).flatMap(failure -> {
                ShardFuture<Void> released = ShardFuture.completed(null);
                for (int s = held.nextSetBit(0); s >= 0; s = held.nextSetBit(s + 1)) {
                    ShardFuture<Void> one = bound.release(s, shards);
                    released = released.flatMap(x -> one);
                }
                Throwable cause = failure != null ? failure : failed;
                return released.flatMap(x -> cause == null ? ShardFuture.completed(results) : ShardFuture.<List<P>>failed(cause));
            });
        }

        private ShardFuture<Void> hop(int s) {
            int next = shards.nextSetBit(s + 1);
            boolean last = next < 0;
            if (last) {
                allSent = true;
            }
            int[] indices = groups[s];
            if (!last) {
                held.set(s);
            }
            ShardFuture<Object> here = bound.reserveAndRun(s, shards, last, st -> {
                try {
                    return part.apply(st, indices);
                } catch (RuntimeException e) {
                    return new PartFailed(e); // the others still run: their parts and this one's make the whole transaction
                }
            });
            return here.flatMap(r -> {
                if (r instanceof PartFailed f) {
                    if (failed == null) {
                        failed = f.cause();
                    }
                    results.add(null);
                } else {
                    @SuppressWarnings("unchecked")
                    P p = (P) r;
                    results.add(p);
                }
                return last ? ShardFuture.completed(null) : hop(next);
            });
        }

        private ShardFuture<List<P>> fanOut() {
            List<ShardFuture<P>> calls = new ArrayList<>();
            for (int s = shards.nextSetBit(0); s >= 0; s = shards.nextSetBit(s + 1)) {
                int[] indices = groups[s];
                calls.add(keyspace.invokeOn(s, st -> part.apply(st, indices)));
            }
            ShardFuture<List<P>> all = ShardFuture.completed(results);
            for (ShardFuture<P> call : calls) {
                all = all.flatMap(sofar -> call.map(r -> {
                    sofar.add(r);
                    return sofar;
                }));
            }
            return all;
        }
    }
}
