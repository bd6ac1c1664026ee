package io.percore.demo.shard;

import io.percore.demo.kv.Databases;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.tracking.TrackingShard;
import io.percore.engine.Cancellable;

/**
 * One shard's part of the keyspace: its numbered databases ({@link Databases}), the reservation a cross-shard transaction
 * takes on it, the clients blocked on its keys and the blocking commands of its connections; the
 * instance of the {@link Keyspace}'s {@code Sharded} service on that shard. Read and written only on
 * that shard's thread; other shards send it work through {@link Keyspace#invokeOn}. What the server
 * keeps per shard for its operators (clients, CONFIG, slow log, MONITOR) is the server's own
 * service, {@code io.percore.demo.server.ServerShard}, which lives on the same thread.
 *
 * <p><b>The selected database.</b> A keyspace call runs against the database its caller selected
 * ({@link Keyspace#db()}): the call selects it here for its run ({@link #select}), so {@link #store()}
 * is that database's store, as Redis's commands read {@code c->db}. Outside a call it is database 0.
 */
public final class KeyspaceShard implements AutoCloseable {

    private final int shardId;
    private FunctionLibraryCodes functions = FunctionLibraryCodes.NONE;
    private final Databases databases;
    /** The database the running keyspace call works on (see {@link #select}); database 0 outside calls. */
    private ValueStore selected;
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

    KeyspaceShard(int shardId, int shards, int databases) {
        this(shardId, shards, databases, null);
    }

    KeyspaceShard(int shardId, int shards, int databases, io.percore.demo.feed.ChangeClocks clocks) {
        this.shardId = shardId;
        this.databases = new Databases(databases);
        this.tracking = new TrackingShard(shardId, shards, this.databases.memory());
        this.writes = new WritePath(shardId, this.databases, reservation, tracking, clocks);
        this.keyWaiters = new KeyWaiters(this.databases.memory(), reservation, writes);
        this.selected = this.databases.get(0);
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

    /** The store of the database the running keyspace call selected (database 0 outside calls). */
    public ValueStore store() {
        return selected;
    }

    /** Database {@code db}'s store (made if it was never used). */
    public ValueStore store(int db) {
        return databases.get(db);
    }

    /** Every database of this shard and what they share (memory, counters, settings). */
    public Databases databases() {
        return databases;
    }

    /**
     * Selects database {@code db} for what runs now on this shard and returns the one selected before
     * (a call restores it when it ends: calls nest, a cross-database command's parts select their own).
     */
    int select(int db) {
        int before = selected.id();
        if (before != db) {
            selected = databases.get(db);
        }
        return before;
    }

    /** FLUSHALL on this shard: every database emptied; tracking clients told once. */
    public void flushAll() {
        for (ValueStore store : databases.made()) {
            store.flush();
        }
        writes.flushed();
    }

    /** FLUSHDB of database {@code db} on this shard; tracking clients told once, as by Redis. */
    public void flushDb(int db) {
        databases.get(db).flush();
        writes.flushed();
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
            databases.activeExpireCycle(nowMillis, expiryBudgetNanos);
        }
        tracking.tick();
        peakUsedBytes = Math.max(peakUsedBytes, databases.memory().usedBytes());
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
        peakUsedBytes = Math.max(peakUsedBytes, databases.memory().usedBytes());
        Snapshot raw = new Snapshot(shardId, databases.keys(), databases.volatileKeys(), databases.keyspaceHits(),
                databases.keyspaceMisses(), databases.expiredKeys(), crossShardCalls, databases.memory().usedBytes(),
                databases.budget().maxBytes(), databases.memory().evictedKeys(), peakUsedBytes, blockedClients.waitingClients(),
                keyWaiters.waitedKeys(), keyWaiters.putBacks(), dbFigures());
        return statsBase == null ? raw : raw.since(statsBase);
    }

    /** Each database of this shard with keys: its index, keys, keys with a TTL, and its avg_ttl (INFO keyspace). */
    private long[][] dbFigures() {
        java.util.List<long[]> out = new java.util.ArrayList<>();
        for (ValueStore store : databases.made()) {
            if (store.size() > 0) {
                out.add(new long[] {store.id(), store.size(), store.volatileCount(), store.avgTtl()});
            }
        }
        return out.toArray(new long[0][]);
    }

    /**
     * One shard's keyspace figures (INFO keyspace, memory and stats; Actuator); {@code databases} holds, for
     * each database of the shard with keys, {index, keys, keys with a TTL, Redis's avg_ttl estimate in ms}.
     */
    public record Snapshot(int shard, long keys, long expires, long hits, long misses, long expired, long crossShardCalls,
                           long usedMemory, long maxMemory, long evicted, long peakMemory, long blockedClients, long waitedKeys,
                           long putBacks, long[][] databases) {

        /** The counters less {@code base}'s (gauges such as keys, memory and clients stay as they are). */
        Snapshot since(Snapshot base) {
            return new Snapshot(shard, keys, expires, hits - base.hits, misses - base.misses, expired - base.expired,
                    crossShardCalls - base.crossShardCalls, usedMemory, maxMemory, evicted - base.evicted, peakMemory,
                    blockedClients, waitedKeys, putBacks - base.putBacks, databases);
        }
    }
}
