package io.percore.demo.shard;

import io.percore.demo.kv.KeyHashing;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The keyspace spread over the engine's shards: key → shard by {@link KeyHashing}, one
 * {@link ShardState} per shard, and cross-shard calls over the engine's mesh. Calls made on the
 * owning shard run inline; others go through {@link Shard#submitTo} and complete back on the
 * calling shard. Calls between one pair of shards are delivered in order (the mesh's rings are
 * FIFO), which is what keeps a pipelined connection's writes and reads of a key in order.
 */
public final class ShardedKeyspace implements AutoCloseable {

    /** How often each shard runs active expiry, and its time budget per run (Redis: hz 10, ~25% of a tick at most). */
    static final Duration ACTIVE_EXPIRY_PERIOD = Duration.ofMillis(100);
    static final long ACTIVE_EXPIRY_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Engine engine;
    private final int shardCount;
    private final ShardState[] states;
    private final Sharded<ShardState> sharded;

    private ShardedKeyspace(Engine engine) {
        this.engine = engine;
        this.shardCount = engine.shardCount();
        this.states = new ShardState[shardCount];
        this.sharded = Sharded.start(engine, id -> {
            ShardState state = new ShardState(id);
            Shard shard = Shard.current();
            state.activeExpiry(shard.scheduleAtFixedRate(ACTIVE_EXPIRY_PERIOD, ACTIVE_EXPIRY_PERIOD,
                    () -> state.keyspace().activeExpireCycle(System.currentTimeMillis(), ACTIVE_EXPIRY_BUDGET_NANOS)));
            states[id] = state;
            return state;
        });
    }

    /** Creates a keyspace part on every shard of {@code engine} (blocks; call off-shard). */
    public static ShardedKeyspace start(Engine engine) {
        return new ShardedKeyspace(engine);
    }

    public Engine engine() {
        return engine;
    }

    public int shardCount() {
        return shardCount;
    }

    public int shardOf(byte[] key) {
        return KeyHashing.shardOf(key, shardCount);
    }

    /**
     * The state of shard {@code id}. Only that shard's thread may use it; the array slot was
     * published to other threads by {@link Sharded#start}'s completion.
     */
    public ShardState state(int id) {
        return states[id];
    }

    /** The state of the calling shard. */
    public ShardState local() {
        return states[Shard.current().id()];
    }

    /**
     * Runs {@code fn} on shard {@code target}'s state; the future completes on the calling shard.
     * Inline (no message) when the caller is that shard.
     */
    public <R> ShardFuture<R> call(Shard caller, int target, Function<ShardState, R> fn) {
        if (caller.id() == target) {
            try {
                return ShardFuture.completed(fn.apply(states[target]));
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            }
        }
        states[caller.id()].crossShardCalls++;
        return caller.submitTo(target, () -> fn.apply(states[target]));
    }

    /** Runs {@code fn} on every shard; the list (in shard order) completes on the calling shard. */
    public <R> ShardFuture<List<R>> callAll(Shard caller, Function<ShardState, R> fn) {
        List<ShardFuture<R>> parts = new ArrayList<>(shardCount);
        for (int i = 0; i < shardCount; i++) {
            parts.add(call(caller, i, fn));
        }
        ShardFuture<List<R>> all = ShardFuture.completed(new ArrayList<>(shardCount));
        for (ShardFuture<R> part : parts) {
            all = all.flatMap(list -> part.map(r -> {
                list.add(r);
                return list;
            }));
        }
        return all;
    }

    /** From any non-shard thread: every shard's figures (for Actuator and tests). */
    public List<ShardState.Snapshot> snapshots() {
        List<ShardState.Snapshot> out = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            int id = i;
            out.add(engine.submitTo(id, () -> states[id].snapshot()).join());
        }
        return out;
    }

    @Override
    public void close() {
        sharded.stop().join();
    }
}
