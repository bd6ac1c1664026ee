package io.percore.demo.shard;

import io.percore.demo.kv.KeyHashing;
import io.percore.demo.tracking.ShardTracking;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import io.percore.engine.Sharded;
import java.time.Duration;
import io.percore.demo.kv.MemoryFigures;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The demo's keyspace: a {@link Sharded} service with one {@link ShardState} (value store and
 * counters) per shard, and the rule that maps a key to its shard ({@link KeyHashing}). It is the
 * one way the demo crosses shards: {@link #invokeOn} and {@link #mapReduce} hand a function to
 * {@link Sharded#invokeOn}/{@link Sharded#mapReduce}, which run it on the owning shard and complete
 * on the calling one; no method returns another shard's state. A call to the calling shard runs
 * inline, and calls between one pair of shards are delivered in order (the mesh's rings are FIFO),
 * which keeps a pipelined connection's writes and reads of a key in order.
 */
public final class Keyspace implements AutoCloseable {

    /**
     * How often each shard runs the keyspace's cron ({@link ShardState}: active expiry, the memory
     * peak), and active expiry's time budget per run (Redis: hz 10, ~25% of a tick at most).
     */
    static final Duration CRON_PERIOD = Duration.ofMillis(100);
    static final long ACTIVE_EXPIRY_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Sharded<ShardState> states;
    private final int shardCount;
    /** The transaction this view works for ({@link ShardReservation#FREE}: none), see {@link #boundTo}. */
    private final long transaction;
    /** The bound transaction's step ({@link #step(int)}); set and read on its coordinating shard only. */
    private int step;
    /** The tracking client's command this view runs for ({@link #trackedBy}), or null. */
    private final TrackedCommand tracked;

    private Keyspace(Sharded<ShardState> states) {
        this(states, ShardReservation.FREE, null);
    }

    private Keyspace(Sharded<ShardState> states, long transaction, TrackedCommand tracked) {
        this.states = states;
        this.shardCount = states.shardCount();
        this.transaction = transaction;
        this.tracked = tracked;
    }

    /**
     * This keyspace as seen by a tracking client's command: on every shard it reaches, its steps
     * count as that client's changes (NOLOOP) and the keys it read there are remembered for the
     * client in the same step as the read (see {@link ShardTracking#begin}).
     */
    public Keyspace trackedBy(TrackedCommand command) {
        Keyspace view = new Keyspace(states, transaction, command);
        view.step = step;
        return view;
    }

    /** The tracking client's command this view runs for, or null. */
    public TrackedCommand tracked() {
        return tracked;
    }

    /**
     * This keyspace as seen by {@code transaction}: its calls run on the shards the transaction
     * holds ({@link #reserve}) instead of being parked there. The queued commands of an EXEC run
     * against this view.
     */
    public Keyspace boundTo(long transaction) {
        return new Keyspace(states, transaction, tracked);
    }

    /** The transaction this view is bound to, or {@link ShardReservation#FREE}. */
    public long transaction() {
        return transaction;
    }

    /** Creates a {@link ShardState} on every shard of {@code engine} (blocks; call off-shard). */
    public static Keyspace start(Engine engine) {
        int shards = engine.shardCount();
        Keyspace keyspace = new Keyspace(Sharded.start(engine, id -> {
            ShardState state = new ShardState(id, shards);
            state.cron(Shard.current().scheduleAtFixedRate(CRON_PERIOD, CRON_PERIOD,
                    () -> state.tick(System.currentTimeMillis(), ACTIVE_EXPIRY_BUDGET_NANOS)));
            return state;
        }));
        // Blocked clients cross shards through the keyspace, which exists only now.
        keyspace.states.fromOutside().invokeOnAll(state -> state.keyspace(keyspace)).join();
        return keyspace;
    }

    public int shardCount() {
        return shardCount;
    }

    public int shardOf(byte[] key) {
        return KeyHashing.shardOf(key, shardCount);
    }

    /** The calling shard's state. @throws IllegalStateException off a shard thread */
    public ShardState local() {
        return states.local();
    }

    /**
     * Runs {@code fn} on shard {@code target}'s state; the future completes on the calling shard
     * (inline when the caller is {@code target}). Counts the calls that cross to another shard.
     */
    public <R> ShardFuture<R> invokeOn(int target, Function<ShardState, R> fn) {
        ShardState caller = states.local();
        if (caller.shardId() == target) {
            return onReserved(caller, fn, transaction, step, tracked);
        }
        caller.crossShardCalls++;
        long tx = transaction;
        int atStep = step;
        TrackedCommand command = tracked;
        return Shard.current().submitToAsync(target, () -> onReserved(states.local(), fn, tx, atStep, command));
    }

    /**
     * Runs {@code fn} on {@code state}'s shard now, or, while a transaction other than {@code tx}
     * holds that shard, when it releases it (calls parked in arrival order keep their order).
     */
    private static <R> ShardFuture<R> onReserved(ShardState state, Function<ShardState, R> fn, long tx, int step, TrackedCommand tracked) {
        ShardReservation reservation = state.reservation();
        if (reservation.admits(tx)) {
            try {
                return afterInvalidations(state, inUnit(state, fn, step, tracked));
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            }
        }
        ShardPromise<R> later = new ShardPromise<>();
        reservation.park(() -> {
            try {
                R result = inUnit(state, fn, step, tracked);
                ShardFuture<Void> acks = state.tracking().takeAcks();
                if (acks == null) {
                    later.complete(result);
                } else {
                    acks.whenComplete((v, e) -> later.complete(result));
                }
            } catch (RuntimeException e) {
                later.fail(e);
            }
        });
        return later;
    }

    /**
     * {@code result} once the invalidations its step caused are enqueued at their clients on other
     * shards (client tracking's order: see {@link ShardTracking}); at once when it caused none.
     */
    private static <R> ShardFuture<R> afterInvalidations(ShardState state, R result) {
        ShardFuture<Void> acks = state.tracking().takeAcks();
        return acks == null ? ShardFuture.completed(result) : acks.map(v -> result);
    }

    private static <R> R inUnit(ShardState state, Function<ShardState, R> fn, int step, TrackedCommand tracked) {
        return tracked == null ? inUnit(state, fn, step) : state.tracking().run(tracked, () -> inUnit(state, fn, step));
    }

    /**
     * Runs {@code fn} as a unit of the shard's write path: what it changes there is reported once,
     * by the effect it reports itself ({@link io.percore.demo.kv.KeyspaceChanges#propagate}); a
     * function that changes the store must report it (there are no arguments to stand for it).
     */
    private static <R> R inUnit(ShardState state, Function<ShardState, R> fn, int step) {
        WritePath writes = state.writes();
        writes.begin(step);
        try {
            return fn.apply(state);
        } finally {
            writes.end(null);
        }
    }

    /**
     * Runs {@code fn} on shard {@code target}'s client tracking now, whatever transaction holds that
     * shard: delivering invalidations reads and changes no key, and a transaction's own step may be
     * waiting for it.
     */
    public <R> ShardFuture<R> onTrackingOf(int target, Function<ShardTracking, ShardFuture<R>> fn) {
        if (states.local().shardId() == target) {
            try {
                return fn.apply(states.local().tracking());
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            }
        }
        return Shard.current().submitToAsync(target, () -> fn.apply(states.local().tracking()));
    }

    /** Maps every shard's state on its shard, then folds the results on the calling shard in shard order. */
    public <R> ShardFuture<R> mapReduce(Function<ShardState, R> mapper, R identity, BinaryOperator<R> reducer) {
        List<ShardFuture<R>> parts = new ArrayList<>(shardCount);
        for (int i = 0; i < shardCount; i++) {
            parts.add(invokeOn(i, mapper)); // all sent before any is awaited
        }
        ShardFuture<R> acc = ShardFuture.completed(identity);
        for (ShardFuture<R> part : parts) {
            acc = acc.flatMap(sofar -> part.map(r -> reducer.apply(sofar, r)));
        }
        return acc;
    }

    /**
     * Reserves shard {@code target} for this view's transaction (see {@link ShardReservation}); the
     * future completes on the calling shard once the transaction holds it. Reserve in ascending
     * shard order, one at a time: that order is what keeps transactions from deadlocking.
     */
    public ShardFuture<Void> reserve(int target) {
        requireTransaction();
        long tx = transaction;
        if (states.local().shardId() == target) {
            return states.local().reservation().reserve(tx);
        }
        return Shard.current().submitToAsync(target, () -> states.local().reservation().reserve(tx));
    }

    /**
     * Reserves every shard of {@code shards} for this view's transaction, one at a time in
     * ascending order ({@link #reserve}); completes on the calling shard once it holds them all.
     */
    public ShardFuture<Void> reserveInOrder(BitSet shards) {
        return reserveFrom(shards, shards.nextSetBit(0));
    }

    private ShardFuture<Void> reserveFrom(BitSet shards, int from) {
        if (from < 0) {
            return ShardFuture.completed(null);
        }
        return reserve(from).flatMap(v -> reserveFrom(shards, shards.nextSetBit(from + 1)));
    }

    /** Releases every shard of {@code shards} from this view's transaction ({@link #release}). */
    public void releaseAll(BitSet shards) {
        for (int s = shards.nextSetBit(0); s >= 0; s = shards.nextSetBit(s + 1)) {
            release(s, shards);
        }
    }

    /**
     * Releases shard {@code target} from this view's transaction, one of the {@code participants} it
     * held (so the shard's write path reports the transaction's part there), running what was parked.
     */
    public ShardFuture<Void> release(int target, BitSet participants) {
        requireTransaction();
        long tx = transaction;
        BitSet all = (BitSet) participants.clone(); // crosses shards: a copy nobody changes
        return states.invokeOn(target, state -> {
            state.reservation().release(tx, all);
            return null;
        });
    }

    /**
     * The step the bound transaction is at (the index of its command running now): every change
     * its work makes on a shard carries it, so the parts of the transaction's changes on different
     * shards can be put back in order ({@link Change#steps}). Set by the transaction's runner on its
     * connection's shard before each command; 0 outside transactions.
     */
    public void step(int step) {
        requireTransaction();
        this.step = step;
    }

    /** The step set by {@link #step(int)} (0 for a view bound to no transaction). */
    public int step() {
        return step;
    }

    /**
     * From a thread that is not a shard: makes {@code listenerOf.apply(shard)} hear every change of
     * that shard's keys from now on, on that shard's thread (see {@link WritePath#listen}).
     */
    public void listen(IntFunction<WritePath.ChangeListener> listenerOf) {
        states.fromOutside().invokeOnAll(state -> state.writes().listen(listenerOf.apply(state.shardId()))).join();
    }

    /**
     * From a thread that is not a shard: runs {@code fn} on shard {@code shard}'s state, outside any
     * unit of the write path and whatever transaction holds the shard: for loading a file at start,
     * before anyone else writes, whose keys are no command's change and are reported to nobody.
     */
    public <R> java.util.concurrent.CompletableFuture<R> beforeServing(int shard, Function<ShardState, R> fn) {
        return states.fromOutside().invokeOn(shard, fn);
    }

    private void requireTransaction() {
        if (transaction == ShardReservation.FREE) {
            throw new IllegalStateException("reserve/release need a keyspace bound to a transaction (boundTo)");
        }
    }

    /** From a thread that is not a shard: every shard's figures (for Actuator and tests). */
    public List<ShardState.Snapshot> snapshots() {
        return snapshotsAsync().join();
    }

    /**
     * From a thread that is not a shard, waiting at most {@code timeout}: a shard stuck in a long
     * command must not hang the caller (a health probe holds a server thread while it waits).
     *
     * @throws java.util.concurrent.CompletionException wrapping a TimeoutException when a shard does not answer in time
     */
    public List<ShardState.Snapshot> snapshots(java.time.Duration timeout) {
        return snapshotsAsync().orTimeout(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS).join();
    }

    private java.util.concurrent.CompletableFuture<List<ShardState.Snapshot>> snapshotsAsync() {
        return states.fromOutside().mapEach(ShardState::snapshot);
    }

    /** From a thread that is not a shard: each shard's memory figures, readable from any thread (for meters). */
    public List<MemoryFigures> memoryFigures() {
        return states.fromOutside().mapEach(state -> state.store().memoryFigures()).join();
    }

    /** How long {@link #close()} waits for every shard to close its part. */
    static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(10);

    /**
     * Closes every shard's part on its shard, waiting at most {@link #CLOSE_TIMEOUT}: a shard stuck
     * in a long command never runs its close, and shutdown must go on without it (the engine then
     * abandons the stuck thread).
     */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /** {@link #close()} with another bound. */
    public void close(java.time.Duration timeout) {
        try {
            states.stop().orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
        } catch (java.util.concurrent.CompletionException e) {
            org.slf4j.LoggerFactory.getLogger(Keyspace.class).warn("The keyspace did not close on every shard within {} ms; going on",
                    timeout.toMillis(), e.getCause());
        }
    }
}
