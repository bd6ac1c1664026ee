package io.percore.demo.shard;

import io.percore.demo.kv.ValueStore;
import io.percore.demo.tracking.TrackingShard;
import io.percore.engine.Cancellable;

/**
 * One shard's part of the keyspace: its value store, the reservation a cross-shard transaction
 * takes on it, the clients blocked on its keys and the blocking commands of its connections; the
 * instance of the {@link Keyspace}'s {@code Sharded} service on that shard. Read and written only on
 * that shard's thread; other shards send it work through {@link Keyspace#invokeOn}. What the server
 * keeps per shard for its operators (clients, CONFIG, slow log, MONITOR) is the server's own
 * service, {@code io.percore.demo.server.ServerShard}, which lives on the same thread.
 */
public final class KeyspaceShard implements AutoCloseable {

    private final int shardId;
    private FunctionLibraryCodes functions = FunctionLibraryCodes.NONE;
    private final ValueStore store = new ValueStore();
    private final ShardReservation reservation = new ShardReservation();
    /** Where every change of this shard's keys is reported (the one write path). */
    private final WritePath writes;
    private Cancellable cron;
    /** The keys of this shard clients block on (owner side). */
    private final KeyWaiters keyWaiters;
    /** The blocking commands of this shard's connections (home side). */
    private final BlockedClients blockedClients;
    /** Client-side caching: the keys tracking clients read here, and this shard's tracking clients. */
    private final TrackingShard tracking;

    /** Calls this shard's commands made to other shards' keyspaces (INFO cross_shard_calls). */
    public long crossShardCalls;
    /** EXECs coordinated from this shard: with the shard id, a transaction id unique in the process. */
    public long transactionsStarted;
    /** The largest {@link io.percore.demo.kv.StoreMemory#usedBytes()} seen by this shard's cron and snapshots. */
    private long peakUsedBytes;
    /** Counters as they were at the last CONFIG RESETSTAT: snapshots report what came after. */
    private Snapshot statsBase;

    KeyspaceShard(int shardId, int shards) {
        this.shardId = shardId;
        this.tracking = new TrackingShard(shardId, shards, store);
        this.writes = new WritePath(shardId, store, reservation, tracking);
        this.keyWaiters = new KeyWaiters(store, reservation, writes);
        this.blockedClients = new BlockedClients(shardId, shards);
        reservation.onRelease(writes::released);
    }

    /** This shard's write path: where its changes are reported and followed (WATCH, MONITOR, listeners). */
    public WritePath writes() {
        return writes;
    }

    /** Gives the blocking machinery the way to the other shards, once the keyspace exists. */
    void keyspace(Keyspace keyspace) {
        keyWaiters.keyspace(keyspace);
        tracking.courier(keyspace::onTrackingOf);
    }

    /** Client tracking on this shard: the tracking table of its keys, its tracking clients. */
    public TrackingShard tracking() {
        return tracking;
    }

    /**
     * What the reply of the unit that just ran here waits for, or null (the common case: two field
     * reads): the invalidations it caused enqueued at tracking clients of other shards
     * ({@link TrackingShard#takeAcks}), and the clients blocked on keys it added served
     * ({@link WritePath#takeWakeups}). Taken once.
     */
    public io.percore.engine.ShardFuture<Void> takeReplyGate() {
        io.percore.engine.ShardFuture<Void> acks = tracking.takeAcks();
        io.percore.engine.ShardFuture<Void> wakeups = writes.takeWakeups();
        if (acks == null) {
            return wakeups;
        }
        return wakeups == null ? acks : acks.flatMap(v -> wakeups);
    }

    public KeyWaiters keyWaiters() {
        return keyWaiters;
    }

    public BlockedClients blockedClients() {
        return blockedClients;
    }

    /** This shard's function libraries as files and replicas see them (scripting installs them at start). */
    public FunctionLibraryCodes functions() {
        return functions;
    }

    public void functions(FunctionLibraryCodes functions) {
        this.functions = functions;
    }

    public int shardId() {
        return shardId;
    }

    public ValueStore store() {
        return store;
    }

    /**
     * A new id for a transaction or a command spanning shards coordinated from this shard: unique in
     * the process (this shard's count, then its id), never 0.
     */
    public long nextGroupId() {
        return (++transactionsStarted << 16) | (shardId + 1);
    }

    /** Whether a transaction spanning shards holds this shard now (see {@link Keyspace#reserve}). */
    public ShardReservation reservation() {
        return reservation;
    }

    void cron(Cancellable timer) {
        this.cron = timer;
    }

    /** The keyspace's part of Redis's serverCron, every {@link Keyspace#CRON_PERIOD}: active expiry and the memory peak. */
    void tick(long nowMillis, long expiryBudgetNanos) {
        if (!reservation.held()) {
            // A transaction holding the shard sees its keys change only by its own commands (Redis
            // runs no expiry cycle inside EXEC); its replay would otherwise see a DEL in its middle.
            store.activeExpireCycle(nowMillis, expiryBudgetNanos);
        }
        tracking.tick();
        peakUsedBytes = Math.max(peakUsedBytes, store.memory().usedBytes());
    }

    @Override
    public void close() {
        if (cron != null) {
            cron.cancel();
        }
    }

    /** CONFIG RESETSTAT on this shard: the keyspace's counters start again from zero, as INFO sees them. */
    public void resetStats() {
        statsBase = null;
        statsBase = snapshot();
    }

    /** A copy of this shard's keyspace figures, safe to hand to another shard. */
    public Snapshot snapshot() {
        peakUsedBytes = Math.max(peakUsedBytes, store.memory().usedBytes());
        Snapshot raw = new Snapshot(shardId, store.size(), store.volatileCount(), store.keyspaceHits(), store.keyspaceMisses(),
                store.expiredKeys(), crossShardCalls, store.memory().usedBytes(), store.budget().maxBytes(), store.memory().evictedKeys(),
                peakUsedBytes, blockedClients.waitingClients(), keyWaiters.waitedKeys(), keyWaiters.putBacks());
        return statsBase == null ? raw : raw.since(statsBase);
    }

    /** One shard's keyspace figures (INFO keyspace, memory and stats; Actuator). */
    public record Snapshot(int shard, long keys, long expires, long hits, long misses, long expired, long crossShardCalls,
                           long usedMemory, long maxMemory, long evicted, long peakMemory, long blockedClients, long waitedKeys,
                           long putBacks) {

        /** The counters less {@code base}'s (gauges such as keys, memory and clients stay as they are). */
        Snapshot since(Snapshot base) {
            return new Snapshot(shard, keys, expires, hits - base.hits, misses - base.misses, expired - base.expired,
                    crossShardCalls - base.crossShardCalls, usedMemory, maxMemory, evicted - base.evicted, peakMemory,
                    blockedClients, waitedKeys, putBacks - base.putBacks);
        }
    }
}
