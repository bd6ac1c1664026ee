package io.percore.demo.shard;

import io.percore.demo.feed.Change;
import io.percore.demo.feed.ChangeListener;
import io.percore.demo.kv.KeyHashing;
import io.percore.demo.kv.MemoryFigures;
import io.percore.demo.tracking.TrackingShard;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import io.percore.engine.Sharded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The demo's keyspace: a {@link Sharded} service with one {@link KeyspaceShard} (value store and
 * counters) per shard, and the rule that maps a key to its shard ({@link KeyHashing}). It is the
 * one way the demo crosses shards: {@link #invokeOn} and {@link #mapReduce} hand a function to
 * {@link Sharded#invokeOn}/{@link Sharded#mapReduce}, which run it on the owning shard and complete
 * on the calling one; no method returns another shard's state. A call to the calling shard runs
 * inline, and calls between one pair of shards are delivered in order (the mesh's rings are FIFO),
 * which keeps a pipelined connection's writes and reads of a key in order.
 *
 * <p><b>Databases.</b> A view is bound to one numbered database ({@link #database}, {@link #db()}): every
 * call it makes selects that database on the shard it runs on for the call's run
 * ({@link KeyspaceShard#select}), so a function reads {@link KeyspaceShard#store()} and gets the
 * caller's database, as a Redis command reads {@code c->db}. A connection keeps the view of the database
 * it selected, so database 0, and any other, costs a call one int carried and compared.
 */
public final class Keyspace implements AutoCloseable {

    /**
     * How often each shard runs the keyspace's cron ({@link KeyspaceShard}: active expiry, the memory
     * peak), and active expiry's time budget per run (Redis: hz 10, ~25% of a tick at most).
     */
    static final Duration CRON_PERIOD = Duration.ofMillis(100);
    static final long ACTIVE_EXPIRY_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Sharded<KeyspaceShard> states;
    private final int shardCount;
    /** How many databases every shard has (Redis's {@code databases}). */
    private final int databases;
    /** The database this view's calls run against. */
    private final int db;
    /** Shards with clients blocked on their keys now, shared by every view (read by every write a connection sends). */
    private final java.util.concurrent.atomic.AtomicInteger shardsWithWaiters;
    /** Blocking commands whose first try has begun and not ended, on any shard (shared by every view). */
    private final BlockingTries blockingTries;
    /** The transaction this view works for ({@link ShardReservation#FREE}: none), see {@link #boundTo}. */
    private final long transaction;
    /** The bound transaction's step ({@link #step(int)}); set and read on its coordinating shard only. */
    private int step;
    /** The tracking client's command this view runs for ({@link #trackedBy}), or null. */
    private final TrackedCommand tracked;
    /** For a view whose calls to other shards wait for their answer ({@link #waiting}): what runs meanwhile; else null. */
    private final Runnable whileWaiting;
    /** Each shard's count of the changes its listeners heard ({@link ChangeClocks}). */
    private final io.percore.demo.feed.ChangeClocks clocks;

    private Keyspace(Sharded<KeyspaceShard> states, io.percore.demo.feed.ChangeClocks clocks, int databases) {
        this(states, clocks, databases, 0, ShardReservation.FREE, new java.util.concurrent.atomic.AtomicInteger(),
                new BlockingTries(states.shardCount()), null, null);
    }

    private Keyspace(Sharded<KeyspaceShard> states, io.percore.demo.feed.ChangeClocks clocks, int databases, int db, long transaction,
                     java.util.concurrent.atomic.AtomicInteger shardsWithWaiters, BlockingTries blockingTries, TrackedCommand tracked,
                     Runnable whileWaiting) {
        this.states = states;
        this.clocks = clocks;
        this.shardCount = states.shardCount();
        this.databases = databases;
        this.db = db;
        this.transaction = transaction;
        this.shardsWithWaiters = shardsWithWaiters;
        this.blockingTries = blockingTries;
        this.tracked = tracked;
        this.whileWaiting = whileWaiting;
    }

    /**
     * This keyspace as seen by a tracking client's command: on every shard it reaches, its steps
     * count as that client's changes (NOLOOP) and the keys it read there are remembered for the
     * client in the same step as the read (see {@link TrackingShard#begin}).
     */
    public Keyspace trackedBy(TrackedCommand command) {
        Keyspace view = new Keyspace(states, clocks, databases, db, transaction, shardsWithWaiters, blockingTries, command, whileWaiting);
        view.step = step;
        return view;
    }

    /**
     * This transaction's keyspace for a task that cannot wait for an answer in its loop (a Lua
     * script whose keys span the shards its transaction holds): each {@link #invokeOn} another shard
     * waits for the answer in the calling task ({@link Shard#callAndWait}) and returns a completed
     * future, so a command run against this view answers at once. {@code whileWaiting} runs every few
     * microseconds meanwhile (the script's watchdog: busy, kill, shutdown). The target must be held
     * by the transaction: work it would park is refused instead (it could run only after the
     * caller ended). What the call's unit makes other shards wait for (invalidations for tracking
     * clients, blocked clients to serve) is left for the transaction's release, whose reply waits for it.
     */
    public Keyspace waiting(Runnable whileWaiting) {
        requireTransaction();
        Keyspace view = new Keyspace(states, clocks, databases, db, transaction, shardsWithWaiters, blockingTries, tracked, whileWaiting);
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
        return new Keyspace(states, clocks, databases, db, transaction, shardsWithWaiters, blockingTries, tracked, null);
    }

    /**
     * This view for database {@code db} (SELECT): the same transaction, tracking and waiting, its calls
     * run against that database. This view itself when it is already that database's.
     *
     * @throws IllegalArgumentException for an index outside 0..{@link #databases()}-1 (callers answer Redis's error first)
     */
    public Keyspace database(int db) {
        if (db == this.db) {
            return this;
        }
        if (db < 0 || db >= databases) {
            throw new IllegalArgumentException("database " + db + " of " + databases);
        }
        Keyspace view = new Keyspace(states, clocks, databases, db, transaction, shardsWithWaiters, blockingTries, tracked, whileWaiting);
        view.step = step;
        return view;
    }

    /** The database this view's calls run against (Redis's {@code c->db->id}). */
    public int db() {
        return db;
    }

    /** How many databases there are (Redis's {@code databases}). */
    public int databases() {
        return databases;
    }

    /**
     * This keyspace for a blocking command's tries: let in while a shard serves blocked clients, so
     * that the command takes its turn among them (see {@link KeyWaiters}).
     */
    public Keyspace forWaiters() {
        return transaction == ShardReservation.FREE
                ? new Keyspace(states, clocks, databases, db, ShardReservation.WAITER, shardsWithWaiters, blockingTries, tracked, null) : this;
    }

    /**
     * Whether clients are blocked on keys of any shard now: a write may then serve them, and its
     * connection's next commands wait for its reply, which waits for what the serving did (a
     * volatile read that changes only when a shard's first waiter comes or its last one goes).
     */
    public boolean anyWaiters() {
        return shardsWithWaiters.get() != 0 || blockingTries.any();
    }

    /**
     * Whether a blocking command's first try is on its way to some shard now: a key added meanwhile
     * may be what it waits for, and the write that added it is answered only once it had its turn.
     */
    public boolean blockingTriesInFlight() {
        return blockingTries.any();
    }

    /** The blocking commands' tries under way, shared by every view. */
    BlockingTries blockingTries() {
        return blockingTries;
    }

    /** A shard got its first waiter ({@code +1}) or lost its last one ({@code -1}). */
    void waitersOnShard(int delta) {
        shardsWithWaiters.addAndGet(delta);
    }

    /** The transaction this view is bound to, or {@link ShardReservation#FREE}. */
    public long transaction() {
        return transaction;
    }

    /** Creates a {@link KeyspaceShard} of 16 databases on every shard of {@code engine} (blocks; call off-shard). */
    public static Keyspace start(Engine engine) {
        return start(engine, DEFAULT_DATABASES);
    }

    /** Redis's default {@code databases}. */
    private static final int DEFAULT_DATABASES = 16;

    /** Creates a {@link KeyspaceShard} of {@code databases} databases on every shard of {@code engine} (blocks; call off-shard). */
    public static Keyspace start(Engine engine, int databases) {
        int shards = engine.shardCount();
        io.percore.demo.feed.ChangeClocks clocks = new io.percore.demo.feed.ChangeClocks(shards);
        Keyspace keyspace = new Keyspace(Sharded.start(engine, id -> {
            KeyspaceShard state = new KeyspaceShard(id, shards, databases, clocks);
            state.cron(Shard.current().scheduleAtFixedRate(CRON_PERIOD, CRON_PERIOD,
                    () -> state.tick(System.currentTimeMillis(), ACTIVE_EXPIRY_BUDGET_NANOS)));
            return state;
        }), clocks, databases);
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

    /** {@link #shardOf(byte[])} of a key held in the first {@code length} bytes of {@code key}. */
    public int shardOf(byte[] key, int length) {
        return KeyHashing.shardOf(key, length, shardCount);
    }

    /** The calling shard's state. @throws IllegalStateException off a shard thread */
    public KeyspaceShard local() {
        return states.local();
    }

    /**
     * Runs {@code fn} on shard {@code target}'s state; the future completes on the calling shard
     * (inline when the caller is {@code target}). Counts the calls that cross to another shard.
     */
    public <R> ShardFuture<R> invokeOn(int target, Function<KeyspaceShard, R> fn) {
        KeyspaceShard caller = states.local();
        if (caller.shardId() == target) {
            return onReserved(caller, fn, transaction, step, tracked, db);
        }
        caller.crossShardCalls++;
        long tx = transaction;
        int atStep = step;
        TrackedCommand command = tracked;
        int inDb = db;
        if (whileWaiting != null) {
            return waitFor(target, fn, tx, atStep, command, inDb);
        }
        return Shard.current().submitToAsync(target, () -> onReserved(states.local(), fn, tx, atStep, command, inDb));
    }

    /** {@link #invokeOn} for a {@link #waiting} view: the answer, here and now. */
    private <R> ShardFuture<R> waitFor(int target, Function<KeyspaceShard, R> fn, long tx, int step, TrackedCommand tracked, int db) {
        // what whileWaiting throws (a script killed meanwhile) goes up through the command to the script
        return Shard.current().callAndWait(target, () -> {
            KeyspaceShard state = states.local();
            if (!state.reservation().admits(tx)) {
                return ShardFuture.failed(new IllegalStateException("shard " + target + " is not held by transaction " + tx));
            }
            return ShardFuture.completed(inUnit(state, fn, step, tracked, db)); // its reply gate is the release's
        }, whileWaiting);
    }

    /**
     * Runs {@code fn} on {@code state}'s shard now, or, while a transaction other than {@code tx}
     * holds that shard, when it releases it (calls parked in arrival order keep their order).
     */
    private static <R> ShardFuture<R> onReserved(KeyspaceShard state, Function<KeyspaceShard, R> fn, long tx, int step, TrackedCommand tracked,
                                                 int db) {
        ShardReservation reservation = state.reservation();
        if (reservation.admits(tx)) {
            try {
                return afterReplyGate(state, inUnit(state, fn, step, tracked, db));
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            }
        }
        ShardPromise<R> later = new ShardPromise<>();
        reservation.park(() -> {
            try {
                afterReplyGate(state, inUnit(state, fn, step, tracked, db)).whenComplete((r, failure) -> {
                    if (failure != null) {
                        later.fail(failure);
                    } else {
                        later.complete(r);
                    }
                });
            } catch (RuntimeException e) {
                later.fail(e);
            }
        });
        return later;
    }

    /** {@code result}, once what its unit's reply waits for is done ({@link KeyspaceShard#takeReplyGate}). */
    private static <R> ShardFuture<R> afterReplyGate(KeyspaceShard state, R result) {
        ShardFuture<Void> w = state.takeReplyGate();
        return w == null ? ShardFuture.completed(result) : w.map(v -> result);
    }

    /**
     * {@link #invokeOn} for answering a blocked client on its shard, with a result that comes later
     * (a BLMOVE still pushing onto its destination). Parked behind a transaction holding that shard
     * as any keyspace call, but run outside a unit of the write path: the answer changes no key
     * itself (a BLMOVE's push is a call of its own), and it runs the commands the client sent after
     * the blocking one, each its own unit. Inside one unit, a transaction among them would report
     * its part at its release, before the unit reported the commands that ran before it.
     */
    public <R> ShardFuture<R> invokeOnAsync(int target, Function<KeyspaceShard, ShardFuture<R>> fn) {
        KeyspaceShard caller = states.local();
        if (caller.shardId() == target) {
            return onReservedAsync(caller, fn, transaction, db);
        }
        caller.crossShardCalls++;
        long tx = transaction;
        int inDb = db;
        // the future fn makes is the target's: it completes there, and comes back as this call's result
        return Shard.current().submitToAsync(target, () -> onReservedAsync(states.local(), fn, tx, inDb));
    }

    private static <R> ShardFuture<R> onReservedAsync(KeyspaceShard state, Function<KeyspaceShard, ShardFuture<R>> fn, long tx, int db) {
        ShardReservation reservation = state.reservation();
        if (reservation.admits(tx)) {
            int before = state.select(db);
            try {
                return fn.apply(state);
            } catch (RuntimeException e) {
                return ShardFuture.failed(e);
            } finally {
                state.select(before);
            }
        }
        ShardPromise<R> later = new ShardPromise<>();
        reservation.park(() -> onReservedAsync(state, fn, tx, db).whenComplete((r, failure) -> {
            if (failure != null) {
                later.fail(failure);
            } else {
                later.complete(r);
            }
        }));
        return later;
    }

    /**
     * Completes once every shard has sent here whatever it read from its sockets before this call:
     * two hops to each other shard, the second reaching it after it polled its sockets again (calls
     * between two shards arrive in order, so whatever it sent before answering is here first). What
     * waits on it is ordered after every command any shard read before it (serving blocked clients
     * in the order they blocked).
     */
    public ShardFuture<Void> barrier() {
        int here = states.local().shardId();
        ShardFuture<Void> all = ShardFuture.completed(null);
        for (int s = 0; s < shardCount; s++) {
            if (s == here) {
                continue;
            }
            int shard = s;
            // raw hops: no unit, never parked (two shards serving at once, or a transaction waiting for
            // this shard, must not wait for each other)
            ShardFuture<Object> twice = states.invokeOn(shard, st -> null).flatMap(v -> states.invokeOn(shard, st -> null));
            all = all.flatMap(v -> twice.map(x -> null));
        }
        return all;
    }

    private static <R> R inUnit(KeyspaceShard state, Function<KeyspaceShard, R> fn, int step, TrackedCommand tracked, int db) {
        int before = state.select(db);
        try {
            return tracked == null ? inUnit(state, fn, step) : state.tracking().run(tracked, () -> inUnit(state, fn, step));
        } finally {
            state.select(before);
        }
    }

    /**
     * Runs {@code fn} as a unit of the shard's write path: what it changes there is reported once,
     * by the effect it reports itself ({@link io.percore.demo.kv.KeyspaceChanges#propagate}); a
     * function that changes the store must report it (there are no arguments to stand for it).
     */
    private static <R> R inUnit(KeyspaceShard state, Function<KeyspaceShard, R> fn, int step) {
        WritePath writes = state.writes();
        writes.begin(step);
        try {
            return fn.apply(state);
        } finally {
            writes.end();
        }
    }

    /**
     * Runs {@code fn} on shard {@code target}'s client tracking now, whatever transaction holds that
     * shard: delivering invalidations reads and changes no key, and a transaction's own step may be
     * waiting for it.
     */
    public <R> ShardFuture<R> onTrackingOf(int target, Function<TrackingShard, ShardFuture<R>> fn) {
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
    public <R> ShardFuture<R> mapReduce(Function<KeyspaceShard, R> mapper, R identity, BinaryOperator<R> reducer) {
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

    /**
     * Releases every shard of {@code shards} from this view's transaction ({@link #release}); completes
     * once the clients blocked on keys it added are served (a reply that waits for it shows the whole effect).
     */
    public ShardFuture<Void> releaseAll(BitSet shards) {
        ShardFuture<Void> all = ShardFuture.completed(null);
        for (int s = shards.nextSetBit(0); s >= 0; s = shards.nextSetBit(s + 1)) {
            ShardFuture<Void> one = release(s, shards);
            all = all.flatMap(v -> one);
        }
        return all;
    }

    /**
     * Reserves shard {@code target} for this view's transaction and runs {@code fn} there as soon as
     * the transaction holds it (one message for both); with {@code releaseAfter} the shard is
     * released in the same step (the transaction's last shard: its part is reported, the clients
     * blocked on keys it added served, and the future waits for that). Reserve shards in ascending
     * order, as {@link #reserve}.
     */
    public <R> ShardFuture<R> reserveAndRun(int target, BitSet participants, boolean releaseAfter, Function<KeyspaceShard, R> fn) {
        requireTransaction();
        long tx = transaction;
        int atStep = step;
        TrackedCommand command = tracked;
        int inDb = db;
        BitSet all = (BitSet) participants.clone(); // crosses shards: a copy nobody changes
        java.util.function.Supplier<ShardFuture<R>> here = () -> {
            KeyspaceShard state = states.local();
            return state.reservation().reserve(tx).flatMap(granted -> {
                R result;
                try {
                    result = inUnit(state, fn, atStep, command, inDb);
                } catch (RuntimeException e) {
                    if (releaseAfter) {
                        state.reservation().release(tx, all);
                    }
                    return ShardFuture.failed(e);
                }
                if (!releaseAfter) {
                    // its invalidations for other shards' tracking clients (blocked clients are served at the release)
                    ShardFuture<Void> acks = state.tracking().takeAcks();
                    return acks == null ? ShardFuture.completed(result) : acks.map(v -> result);
                }
                state.reservation().release(tx, all);
                return afterReplyGate(state, result);
            });
        };
        if (states.local().shardId() == target) {
            return here.get();
        }
        states.local().crossShardCalls++;
        return Shard.current().submitToAsync(target, here);
    }

    /**
     * Releases shard {@code target} from this view's transaction, one of the {@code participants} it
     * held (so the shard's write path reports the transaction's part there), running what was parked.
     */
    public ShardFuture<Void> release(int target, BitSet participants) {
        requireTransaction();
        long tx = transaction;
        BitSet all = (BitSet) participants.clone(); // crosses shards: a copy nobody changes
        java.util.function.Supplier<ShardFuture<Void>> releaseHere = () -> {
            KeyspaceShard state = states.local();
            state.reservation().release(tx, all);
            ShardFuture<Void> w = state.takeReplyGate(); // clients blocked on keys it added, served
            return w == null ? ShardFuture.<Void>completed(null) : w;
        };
        if (states.local().shardId() == target) {
            return releaseHere.get();
        }
        return Shard.current().submitToAsync(target, releaseHere);
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
    public void listen(IntFunction<ChangeListener> listenerOf) {
        states.fromOutside().invokeOnAll(state -> state.writes().listen(listenerOf.apply(state.shardId()))).join();
    }

    /** Each shard's count of the changes its listeners heard: where the feed's readers compare what they hold. */
    public io.percore.demo.feed.ChangeClocks changeClocks() {
        return clocks;
    }

    /** From a thread that is not a shard, before anyone is served: runs {@code action} on every shard's state (blocks). */
    public void forEachShardBeforeServing(java.util.function.Consumer<KeyspaceShard> action) {
        states.fromOutside().invokeOnAll(action).join();
    }

    /**
     * From a thread that is not a shard: runs {@code fn} on shard {@code shard}'s state, outside any
     * unit of the write path and whatever transaction holds the shard: for loading a file at start,
     * before anyone else writes, whose keys are no command's change and are reported to nobody.
     */
    public <R> java.util.concurrent.CompletableFuture<R> beforeServing(int shard, Function<KeyspaceShard, R> fn) {
        return states.fromOutside().invokeOn(shard, fn);
    }

    private void requireTransaction() {
        if (transaction == ShardReservation.FREE) {
            throw new IllegalStateException("reserve/release need a keyspace bound to a transaction (boundTo)");
        }
    }

    /** From a thread that is not a shard: every shard's figures (for Actuator and tests). */
    public List<KeyspaceShard.Snapshot> snapshots() {
        return snapshotsAsync().join();
    }

    /**
     * From a thread that is not a shard, waiting at most {@code timeout}: a shard stuck in a long
     * command must not hang the caller (a health probe holds a server thread while it waits).
     *
     * @throws java.util.concurrent.CompletionException wrapping a TimeoutException when a shard does not answer in time
     */
    public List<KeyspaceShard.Snapshot> snapshots(java.time.Duration timeout) {
        return snapshotsAsync().orTimeout(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS).join();
    }

    private java.util.concurrent.CompletableFuture<List<KeyspaceShard.Snapshot>> snapshotsAsync() {
        return states.fromOutside().mapEach(KeyspaceShard::snapshot);
    }

    /** From a thread that is not a shard: each shard's memory figures, readable from any thread (for meters). */
    public List<MemoryFigures> memoryFigures() {
        return states.fromOutside().mapEach(state -> state.store().memory().figures()).join();
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
