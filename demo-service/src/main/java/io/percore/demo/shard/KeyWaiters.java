package io.percore.demo.shard;

import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.HeapSizes;
import io.percore.demo.kv.StoredValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.WrongTypeException;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The owner side of blocking (Redis's {@code db->blocking_keys} and {@code ready_keys}): on the
 * shard owning some keys, the clients waiting for each key of each database, first blocked first served, wherever
 * those clients are connected. Their own shards keep the rest ({@link BlockedClients}).
 *
 * <p><b>No lost wakeup.</b> A step of a client's first try ({@link #attempt}) checks its keys here
 * and queues the client on the empty ones in one go: no write can run between the check and the
 * queueing. <b>Serving.</b> A key given a value while clients wait here is signalled by the
 * shard's {@link WritePath} (one field compare for a shard without waiters); when the command is
 * over ({@link #commandDone}: the end of its unit of the write path, before the shard runs anything
 * else, with a queued task as a fallback) each signalled key is served: while it has data, it takes for the
 * first waiter, drops that client's other waiters on this shard and sends what it took to the
 * client's shard. If that client was no longer waiting (served by another key, timed out,
 * disconnected: messages cross), what was taken comes back and is put back where it was taken
 * from, and the next waiter is served: nothing is lost or given twice. A put-back can reorder the
 * value against a push that came in between, which Redis (one thread) never does.
 *
 * <p><b>Cost.</b> What waiters take is counted in the store's memory estimate
 * ({@link io.percore.demo.kv.StoreMemory#blockingBytes}): a key waited on costs {@link #QUEUE_BYTES} plus its bytes, each
 * client waiting on it {@link #WAITER_BYTES}, and each client with waiters here {@link #CLIENT_BYTES}
 * (heap measured on JDK 17 with compressed references: 141 bytes per key for one client blocked on a
 * million ten-byte keys, 112 per client for a million clients on one key). One command's keys are
 * bounded by its argument count (the decoder's max-array-length). Withdrawing a client is O(its keys).
 *
 * <p>Touched only by its shard's thread.
 */
public final class KeyWaiters {

    /** Heap of a {@link Waiter}: header, id, home, five references. */
    static final long WAITER_BYTES = 48;
    /** Heap of a waited key besides its bytes: its {@link WaitQueue}, the map key and the map's entry. */
    static final long QUEUE_BYTES = 96;
    /** Heap of a client's entry in {@link #byClient}: the map's entry, the boxed id and its share of the table. */
    static final long CLIENT_BYTES = 64;

    /** One client waiting for one key: a node of that key's queue and of the client's waiters here. */
    private static final class Waiter {
        final long blockedId;
        final int home;
        final BlockingPop pop;
        final WaitQueue queue;
        /** When its command was read on its own shard ({@link System#nanoTime()}, one clock for every shard): its place in the queue. */
        final long since;
        Waiter prev;
        Waiter next;
        /** The same client's waiter for another key of this shard. */
        Waiter sibling;

        Waiter(long blockedId, int home, BlockingPop pop, WaitQueue queue, long since) {
            this.blockedId = blockedId;
            this.home = home;
            this.pop = pop;
            this.queue = queue;
            this.since = since;
        }

        /** Whether it blocked before {@code other} (its command was read first; the ids break a tie). */
        boolean before(Waiter other) {
            return since != other.since ? since - other.since < 0 : blockedId < other.blockedId;
        }
    }

    /** A waited key: the database it is in and its name. */
    private record WaitKey(int db, ByteString key) {
    }

    /** The clients waiting for one key of one database, oldest first. */
    private static final class WaitQueue {
        final WaitKey id;
        final ByteString key;
        /** The database the key is in. */
        final ValueStore store;
        Waiter head;
        Waiter tail;
        /** Signalled and not served yet (Redis's db->ready_keys: a key is queued once). */
        boolean ready;
        /** Waiters offered the key even when it is gone ({@link BlockingPop#wakesOnDeletion}): while 0, a missing key serves nobody. */
        int wakeOnDeletion;

        WaitQueue(WaitKey id, ValueStore store) {
            this.id = id;
            this.key = id.key();
            this.store = store;
        }
    }

    /** What one step of a client's first try found on this shard. */
    public record Outcome(byte[] key, Object taken, int candidate) {
        /** Every key scanned was empty: the client waits for each of them (unless it may not block). */
        static final Outcome WAITING = new Outcome(null, null, -1);

        public boolean tookSomething() {
            return key != null;
        }

        /**
         * The argument index of the first key here, at or past the step's limit, that has data or
         * another type (not taken, not waited on: an earlier key on another shard may come first);
         * -1 when there is none.
         */
        public int candidate() {
            return candidate;
        }
    }

    /** Something taken for a client from {@code store}'s {@code key}, on its way to the client's shard. */
    private record Delivery(Waiter waiter, ValueStore store, byte[] key, Object taken, WrongTypeException refused) {
    }

    /** The shard's memory: what waiters take is counted in it. */
    private final io.percore.demo.kv.StoreMemory memory;
    /** Tells the write path how many keys are waited on (its one compare per value set) and runs pops as units of it. */
    private final WritePath writes;
    /** While a transaction holds the shard, serving waits for its end (Redis serves after EXEC). */
    private final ShardReservation reservation;
    private final HashMap<WaitKey, WaitQueue> byKey = new HashMap<>();
    /** Each waiting client's first waiter here (the rest by {@link Waiter#sibling}), by blocked id. */
    private final HashMap<Long, Waiter> byClient = new HashMap<>();
    private final ArrayDeque<WaitQueue> ready = new ArrayDeque<>();
    /** A serving task is queued on the shard. */
    private boolean servingQueued;
    /** Walking the ready keys' queues: nothing may serve meanwhile. */
    private boolean serving;
    /**
     * Servings in progress on this thread. Answering a client on this shard runs the commands it
     * held back, whose writes serve again (a BLMOVE chain, a consumer that pushes): a chain is
     * served at once up to {@link #MAX_NESTING} deep, and from the queued task beyond, so a long
     * chain cannot exhaust the stack.
     */
    private int nesting;
    private static final int MAX_NESTING = 16;
    /** Values put back because the client they were taken for no longer waited (or BLMOVE could not push). */
    private long putBacks;
    /** Rounds of serving that waited for a barrier (INFO, tests). */
    private long rounds;
    private Keyspace keyspace;
    /** Whether this shard counts itself among the keyspace's shards with waiters. */
    private boolean anyWaited;

    KeyWaiters(io.percore.demo.kv.StoreMemory memory, ShardReservation reservation, WritePath writes) {
        this.memory = memory;
        this.reservation = reservation;
        this.writes = writes;
        writes.waiters(this);
    }

    /** Set once the keyspace exists (it is built from the shards' states). */
    void keyspace(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    private void waitedKeysChanged() {
        int n = byKey.size();
        writes.waitedKeys(n);
        if ((n != 0) != anyWaited) {
            anyWaited = n != 0;
            keyspace.waitersOnShard(anyWaited ? 1 : -1);
        }
    }

    /** Values put back since start (see {@link #putBack}). */
    public long putBacks() {
        return putBacks;
    }

    /** Rounds of serving since start that waited for the other shards first (see {@link #serveReadyKeys}). */
    public long servingRounds() {
        return rounds;
    }

    /** Keys clients wait for here. */
    public int waitedKeys() {
        return byKey.size();
    }

    /**
     * One step of a client's first try on this shard. Scans {@code keys} from position
     * {@code from} in argument order ({@code indexes} are their positions among the command's
     * keys): an empty key gets the client queued on it (if {@code mayBlock}); the first key with
     * data or of another type ends the step. If its index is below {@code limit} (no key before it
     * can still have data) it decides: the pop takes from it, or WRONGTYPE; the client's waiters
     * here are then dropped. Otherwise its index is returned as a candidate for the client's shard
     * to weigh against the other shards' keys. Checking and queueing are one step on this shard's
     * thread: no write can come between them, so no wakeup is lost.
     *
     * @throws WrongTypeException when the deciding key (or BLMOVE's destination here) holds another type
     */
    public Outcome attempt(ValueStore store, long blockedId, int home, long since, List<byte[]> keys, int[] indexes, int from,
                           int limit, BlockingPop pop, boolean mayBlock) {
        long now = System.currentTimeMillis();
        for (int i = from; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            ValueType type = store.typeOf(key, now);
            if (!pop.ready(store, key, type, now)) {
                if (mayBlock) {
                    enqueue(store, blockedId, home, pop, key, since);
                }
                continue;
            }
            if (mayBlock && type == pop.type() && (reservation.serving() || awaitsServing(store, key, pop.type()))) {
                // clients are being served here, or wait for this data: it is served in the order they blocked,
                // and this client takes its place among them rather than overtaking them
                enqueue(store, blockedId, home, pop, key, since);
                markReady(byKey.get(idOf(store, key)));
                continue;
            }
            if (indexes[i] >= limit) {
                return new Outcome(null, null, indexes[i]);
            }
            withdraw(blockedId); // decided: whatever it waits on here is no longer wanted
            // take's typed lookup answers WRONGTYPE for a key of another type (the store's one type check)
            return new Outcome(key, pop.take(store, key, now), -1);
        }
        return Outcome.WAITING;
    }

    /** Whether {@code key} has clients waiting for data of {@code type} here (then data there is theirs first). */
    private boolean awaitsServing(ValueStore store, byte[] key, ValueType type) {
        WaitQueue q = byKey.get(idOf(store, key));
        if (q == null) {
            return false;
        }
        for (Waiter w = q.head; w != null; w = w.next) {
            if (w.pop.type() == type) {
                markReady(q);
                return true;
            }
        }
        return false;
    }

    private static WaitKey idOf(ValueStore store, byte[] key) {
        return new WaitKey(store.id(), new ByteString(key));
    }

    private void enqueue(ValueStore store, long blockedId, int home, BlockingPop pop, byte[] key, long since) {
        WaitKey k = idOf(store, key);
        WaitQueue queue = byKey.get(k);
        long bytes = WAITER_BYTES;
        if (queue == null) {
            queue = new WaitQueue(k, store);
            byKey.put(k, queue);
            waitedKeysChanged();
            bytes += QUEUE_BYTES + HeapSizes.arrayBytes(key.length);
        }
        Waiter w = new Waiter(blockedId, home, pop, queue, since);
        if (pop.wakesOnDeletion()) {
            queue.wakeOnDeletion++;
        }
        // in the order the clients blocked, whichever shard read their commands: a command read earlier
        // on another shard can arrive here later (its hop took longer); usually it goes last
        Waiter after = queue.tail;
        while (after != null && w.before(after)) {
            after = after.prev;
        }
        w.prev = after;
        w.next = after == null ? queue.head : after.next;
        if (after == null) {
            queue.head = w;
        } else {
            after.next = w;
        }
        if (w.next == null) {
            queue.tail = w;
        } else {
            w.next.prev = w;
        }
        w.sibling = byClient.put(blockedId, w);
        if (w.sibling == null) {
            bytes += CLIENT_BYTES;
        }
        memory.blockingBytes(bytes);
    }

    /** The client no longer waits (served elsewhere, timed out, gone): forgets its waiters here. */
    public void withdraw(long blockedId) {
        Waiter w = byClient.remove(blockedId);
        if (w == null) {
            return;
        }
        long bytes = CLIENT_BYTES;
        for (; w != null; w = w.sibling) {
            bytes += WAITER_BYTES;
            if (unlink(w)) {
                bytes += QUEUE_BYTES + HeapSizes.arrayBytes(w.queue.key.bytes().length);
            }
        }
        memory.blockingBytes(-bytes);
    }

    /** Takes {@code w} out of its key's queue; true when that was the key's last waiter (its queue is gone). */
    private boolean unlink(Waiter w) {
        WaitQueue q = w.queue;
        if (w.prev == null) {
            q.head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            q.tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        if (w.pop.wakesOnDeletion()) {
            q.wakeOnDeletion--;
        }
        if (q.head == null) {
            byKey.remove(q.id);
            waitedKeysChanged();
            return true;
        }
        return false;
    }

    /** From the write path, inside a write: {@code key} was given a value. Serving waits until the command is over. */
    void keyAdded(ValueStore store, byte[] key, ValueType type) {
        WaitQueue q = byKey.get(idOf(store, key));
        if (q != null) {
            markReady(q);
        }
    }

    private void markReady(WaitQueue q) {
        if (q.ready) {
            return;
        }
        q.ready = true;
        ready.add(q);
        if (!servingQueued) {
            // Commands that write call commandDone, which serves at once; this task is for writes that
            // do not (a set's STORE, MSET over a waited key) and finds nothing left otherwise.
            servingQueued = true;
            Shard.current().execute(() -> {
                servingQueued = false;
                commandDone();
            });
        }
    }

    /**
     * A command is over (the end of a unit of the write path, a transaction's release): serves what
     * it added. {@code addedWhileTrying}: it added a key while a blocking command's first try was on
     * its way to some shard (see {@link #serveReadyKeys}). @return what the serving still does (the
     * served clients answered, a BLMOVE's push made), for the command's reply to wait for; null when
     * it serves nobody
     */
    ShardFuture<Void> commandDone(boolean addedWhileTrying) {
        if ((!ready.isEmpty() || addedWhileTrying) && !serving && nesting < MAX_NESTING && !reservation.busy()) {
            return serveReadyKeys();
        }
        return null;
    }

    ShardFuture<Void> commandDone() {
        return commandDone(false);
    }

    /** Whether a blocking command's first try is on its way somewhere (a key added now may be what it is after). */
    boolean triesInFlight() {
        return keyspace != null && keyspace.blockingTriesInFlight();
    }

    /**
     * Serves every signalled key in signal order (Redis's handleClientsBlockedOnKeys), then sends
     * what was taken to the clients' shards. Sending comes last because a client on this shard is
     * answered inline and may run its next commands at once: they must not find a queue being walked.
     *
     * <p>With several shards, the shard first waits for a barrier ({@link Keyspace#barrier}), repeated
     * while a blocking command's try that began before it is under way ({@link #afterTriesBefore}),
     * and runs nothing else meanwhile ({@link ShardReservation#startServing}), as Redis serves before its next
     * command: a blocking command another shard read before this write may still be on its way here,
     * and its client must be served first, as Redis serves clients in the order they blocked, and
     * before this write is answered. Blocking commands' tries are let in meanwhile and queue in their
     * turn, even on a key with data ({@link #attempt}); the keys ready once the barrier is passed are
     * served.
     */
    private ShardFuture<Void> serveReadyKeys() {
        if (keyspace.shardCount() == 1) {
            return deliverAll(takeFor(drainReady()));
        }
        rounds++;
        long before = keyspace.blockingTries().issued();
        reservation.startServing();
        ShardPromise<Void> served = new ShardPromise<>();
        afterTriesBefore(before, MAX_TRY_ROUNDS).whenComplete((v, failure) -> {
            List<Delivery> deliveries;
            try {
                deliveries = takeFor(drainReady());
            } finally {
                reservation.stopServing(); // what parked meanwhile runs now, seeing what the waiters took
            }
            ShardFuture<Void> delivered = deliverAll(deliveries);
            if (delivered == null) {
                served.complete(null);
            } else {
                delivered.whenComplete((x, f) -> served.complete(null));
            }
            if (!ready.isEmpty()) {
                commandDone(); // keys that became ready since: a round of their own
            }
        });
        return served;
    }

    /**
     * A {@link Keyspace#barrier}, again while a blocking command's try that began before this serving
     * ({@code ticket} or older) is still under way: a try can take several hops before it reaches
     * this shard (BLMOVE's admission, one step per shard of a multi-key BLPOP), more than one barrier
     * covers. Tries are let in while this shard serves, so each ends within a few rounds; one parked
     * behind a transaction on another shard may not, and after {@code rounds} this serving goes on
     * without it (it then takes its turn after this write, as a command read later would).
     */
    private ShardFuture<Void> afterTriesBefore(long ticket, int rounds) {
        return keyspace.barrier().flatMap(v -> rounds > 1 && keyspace.blockingTries().oldest() <= ticket
                ? afterTriesBefore(ticket, rounds - 1)
                : ShardFuture.<Void>completed(null));
    }

    /** Barriers a serving waits at most for earlier tries (see {@link #afterTriesBefore}). */
    static final int MAX_TRY_ROUNDS = 64;

    private List<WaitQueue> drainReady() {
        List<WaitQueue> round = new ArrayList<>(ready.size());
        for (WaitQueue q; (q = ready.poll()) != null; ) {
            q.ready = false;
            round.add(q);
        }
        return round;
    }

    /** Takes for the waiters of {@code round}'s keys, oldest first. */
    private List<Delivery> takeFor(List<WaitQueue> round) {
        List<Delivery> deliveries = new ArrayList<>();
        long now = System.currentTimeMillis();
        serving = true;
        try {
            for (WaitQueue q : round) {
                if (byKey.get(q.id) == q) {
                    serve(q, now, deliveries);
                }
            }
        } finally {
            serving = false;
        }
        return deliveries;
    }

    /** Sends what was taken to the clients' shards; completes once all are answered (null: nothing to send). */
    private ShardFuture<Void> deliverAll(List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return null;
        }
        ShardFuture<Void> all = ShardFuture.completed(null);
        nesting++;
        try {
            for (Delivery d : deliveries) {
                ShardFuture<Void> one = deliver(d);
                all = all.flatMap(v -> one);
            }
        } finally {
            nesting--;
        }
        return all;
    }

    /** While the key has data of a waiter's type, takes for the oldest such waiter. */
    private void serve(WaitQueue q, long now, List<Delivery> deliveries) {
        byte[] key = q.key.bytes();
        ValueStore store = q.store;
        Waiter w = q.head;
        while (w != null) {
            Waiter next = w.next;
            ValueType type = store.typeOf(key, now);
            if (type == null && q.wakeOnDeletion == 0) {
                return; // deleted (or expired) before its turn: wait for the next arrival
            }
            if (w.pop.wakes(type)) {
                Object taken;
                writes.begin(0); // a pop is a change of its own, as Redis propagates a served BLPOP as the pop
                try {
                    taken = w.pop.take(store, key, now);
                } catch (WrongTypeException refused) {
                    // Redis answers WRONGTYPE to this client (BLMOVE's destination here holds
                    // another type), takes nothing and serves the next one.
                    withdraw(w.blockedId);
                    deliveries.add(new Delivery(w, store, key, null, refused));
                    w = next;
                    continue;
                } finally {
                    writes.end(); // the pop reported its effect (BlockingPop.take)
                }
                if (taken != null) {
                    withdraw(w.blockedId); // a client is served once: its other keys here stop waiting now
                    deliveries.add(new Delivery(w, store, key, taken, null));
                } // nothing for this one (a list gone: the next turn returns; a stream read past the end keeps waiting)
            }
            w = next; // waiters of another type (a zset pop on a key now holding a list) keep waiting
        }
    }

    /**
     * From the write path: every key of the store is about to go (FLUSHALL). The streams clients wait
     * on are signalled, so their XREADGROUP clients fail once the flush is over (Redis's
     * scanDatabaseForDeletedStreams); nothing else wakes.
     */
    void flushing(ValueStore store) {
        long now = System.currentTimeMillis();
        for (WaitQueue q : byKey.values()) {
            if (q.store != store) {
                continue;
            }
            StoredValue v = store.stored(q.key.bytes(), now);
            if (v != null && v.type() == ValueType.STREAM && q.wakeOnDeletion > 0) {
                markReady(q);
            }
        }
    }

    /**
     * From the write path: SWAPDB gave {@code store} another database's keys (Redis's
     * {@code scanDatabaseForReadyKeys} and {@code scanDatabaseForDeletedStreams}): each key clients wait on
     * in it that now holds a value is served, and the XREADGROUP clients of a stream that went fail.
     */
    void swapped(ValueStore store) {
        long now = System.currentTimeMillis();
        for (WaitQueue q : new ArrayList<>(byKey.values())) {
            if (q.store == store && (q.wakeOnDeletion > 0 || store.typeOf(q.key.bytes(), now) != null)) {
                markReady(q);
            }
        }
    }

    /** Sends {@code d} to its client's shard; completes once that client is answered (or what it took is back). */
    private ShardFuture<Void> deliver(Delivery d) {
        Waiter w = d.waiter;
        long blockedId = w.blockedId;
        if (d.refused != null) {
            WrongTypeException refused = d.refused;
            try {
                return keyspace.invokeOnAsync(w.home, st -> {
                    st.blockedClients().refuse(blockedId, refused);
                    return ShardFuture.<Void>completed(null);
                });
            } catch (RuntimeException closing) {
                return ShardFuture.completed(null); // the keyspace is stopping: nobody left to answer
            }
        }
        byte[] key = d.key;
        Object taken = d.taken;
        BlockingPop pop = w.pop;
        ValueStore store = d.store;
        try {
            ShardFuture<Boolean> served = keyspace.invokeOnAsync(w.home, st -> st.blockedClients().serve(blockedId, key, taken));
            return served.handle((accepted, failure) -> {
                if (failure != null || !accepted) {
                    putBackOutsideTransactions(store, key, pop, taken);
                }
                return null;
            });
        } catch (RuntimeException closing) {
            putBack(store, key, pop, taken); // the keyspace is stopping: nobody to give it to
            return ShardFuture.completed(null);
        }
    }

    /**
     * {@link #putBack} from the answer of a client's shard, which is no keyspace call: while a
     * transaction holds this shard it waits for the transaction's end, which sees its keys change
     * only by its own commands.
     */
    private void putBackOutsideTransactions(ValueStore store, byte[] key, BlockingPop pop, Object taken) {
        if (reservation.busy()) {
            reservation.park(() -> putBack(store, key, pop, taken));
        } else {
            putBack(store, key, pop, taken);
        }
    }

    /**
     * Puts back what was taken for a client that was no longer waiting (or whose BLMOVE could not
     * push), and serves the next waiter of that key.
     */
    public void putBack(ValueStore store, byte[] key, BlockingPop pop, Object taken) {
        putBacks++;
        writes.begin(0); // a change of its own, reported by the pop (BlockingPop.putBack)
        try {
            pop.putBack(store, key, taken, System.currentTimeMillis());
            if (store.typeOf(key, System.currentTimeMillis()) == pop.type()) {
                keyAdded(store, key, pop.type()); // a put-back into an existing key is no "add": signal it here
            }
        } finally {
            writes.end(); // serves the next waiter, as after any write
        }
    }
}
