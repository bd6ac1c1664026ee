package io.percore.demo.shard;

import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * One shard's reservation for a transaction that spans shards (MULTI/EXEC): while a transaction
 * holds it, the shard runs only that transaction's work on its keyspace; every other piece of
 * keyspace work that reaches the shard (a connection's next command, a call from another shard) is
 * parked in arrival order and runs when the transaction releases the shard. Reservations waiting
 * for the shard queue in the same line, so neither overtakes the other.
 *
 * <p>Transactions reserve their shards in ascending shard order and never wait for a lower shard
 * while holding a higher one, so no cycle of waits can form (see docs/design/demo-service.md, "Transactions").
 * Owned by its shard's thread; nothing here is synchronized.
 */
public final class ShardReservation {

    /** No transaction holds the shard. */
    public static final long FREE = 0;
    /**
     * The work of a blocking command's try ({@link KeyWaiters#attempt}): admitted while clients
     * blocked on keys are being served, so that it takes its turn among them.
     */
    public static final long WAITER = -1;

    /** The transaction holding the shard, or {@link #FREE}: a plain field, the hot path's one check. */
    private long holder = FREE;
    /**
     * Clients blocked on keys are being served ({@link KeyWaiters}): work parks as behind a
     * transaction, but blocking commands' tries ({@link #WAITER}) are let in.
     */
    private boolean serving;
    /** Parked work ({@link Runnable}) and waiting reservations ({@link Waiting}), in arrival order. */
    private final ArrayDeque<Object> line = new ArrayDeque<>();
    private long parkedTotal;
    /** Runs when a transaction releases the shard, before the work parked behind it. */
    private ReleaseHook onRelease = (tx, participants) -> { };

    /** What runs when a transaction is over on this shard (its changes reported, blocked clients served). */
    @FunctionalInterface
    interface ReleaseHook {
        void released(long transaction, BitSet participants);
    }

    private record Waiting(long transaction, ShardPromise<Void> granted) {
    }

    /** Whether work of {@code transaction} ({@link #FREE} for work outside any) may run on this shard now. */
    public boolean admits(long transaction) {
        if (serving) {
            return transaction == WAITER;
        }
        return holder == FREE || holder == transaction;
    }

    /** True while a transaction holds this shard. */
    public boolean held() {
        return holder != FREE;
    }

    /** True while a transaction holds this shard or blocked clients are being served: a connection's next command waits. */
    public boolean busy() {
        return holder != FREE || serving;
    }

    /** Whether clients blocked on keys are being served now (blocking commands' tries queue in their turn meanwhile). */
    public boolean serving() {
        return serving;
    }

    /** Clients blocked on keys start being served (the shard is free): work parks until {@link #stopServing}. */
    void startServing() {
        if (holder != FREE || serving) {
            throw new IllegalStateException("serving blocked clients needs a free shard");
        }
        serving = true;
    }

    /** The serving is over: what parked meanwhile runs, in order (until a waiting transaction takes the shard). */
    void stopServing() {
        serving = false;
        drain();
    }

    public long holder() {
        return holder;
    }

    /**
     * What must run as soon as a transaction is over on this shard, before anything parked behind
     * it: clients blocked on keys the transaction added are served then, as Redis serves them right
     * after EXEC.
     */
    void onRelease(ReleaseHook hook) {
        this.onRelease = hook;
    }

    /** Runs {@code work} when the shard is released (in arrival order); call only when {@link #admits} said no. */
    public void park(Runnable work) {
        parkedTotal++;
        line.add(work);
    }

    /** Pieces of work parked since start (INFO, tests). */
    public long parkedTotal() {
        return parkedTotal;
    }

    /** Work and reservations waiting now. */
    public int waiting() {
        return line.size();
    }

    /**
     * Reserves the shard for {@code transaction}: the future completes (on this shard) at once when
     * the shard is free and nobody is waiting, otherwise when everything queued before it is done.
     */
    public ShardFuture<Void> reserve(long transaction) {
        if (transaction == FREE) {
            throw new IllegalArgumentException("transaction id 0 is reserved for 'no transaction'");
        }
        if (holder == transaction) {
            return ShardFuture.completed(null);
        }
        if (holder == FREE && !serving && line.isEmpty()) {
            holder = transaction;
            return ShardFuture.completed(null);
        }
        ShardPromise<Void> granted = new ShardPromise<>();
        line.add(new Waiting(transaction, granted));
        return granted;
    }

    /**
     * Releases the shard held by {@code transaction}, one of {@code participants} (the shards it
     * held, for the write path's report of its part), and runs what waited, in order, until the next
     * waiting reservation takes the shard (or the line is empty). A release by a transaction that
     * does not hold the shard changes nothing (its reservation may have failed half way).
     */
    public void release(long transaction, BitSet participants) {
        if (holder != transaction) {
            line.removeIf(o -> o instanceof Waiting w && w.transaction == transaction);
            return;
        }
        holder = FREE;
        onRelease.released(transaction, participants);
        drain();
    }

    /** Runs what waited, in order, until a waiting reservation takes the shard (or the line is empty). */
    private void drain() {
        Object next;
        // Parked work may itself start a transaction that reserves this shard, or a serving: stop as soon as one holds it.
        while (holder == FREE && !serving && (next = line.poll()) != null) {
            if (next instanceof Waiting w) {
                holder = w.transaction;
                w.granted.complete(null);
            } else {
                try {
                    ((Runnable) next).run();
                } catch (RuntimeException e) {
                    // one piece of parked work must not strand the rest of the line
                    org.slf4j.LoggerFactory.getLogger(ShardReservation.class).warn("Parked work failed", e);
                }
            }
        }
    }
}
