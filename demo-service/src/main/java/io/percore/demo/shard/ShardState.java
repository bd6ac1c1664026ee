package io.percore.demo.shard;

import io.percore.demo.kv.ValueStore;
import io.percore.engine.Cancellable;
import io.percore.net.server.ShardServerMetrics;

/**
 * Everything one shard owns for the demo: its value store and its server counters; the instance
 * of the {@link Keyspace}'s {@code Sharded} service on that shard. Read and written only on that
 * shard's thread; other shards send it work through {@link Keyspace#invokeOn}.
 */
public final class ShardState implements AutoCloseable {

    private final int shardId;
    private final ValueStore store = new ValueStore();
    private final ShardReservation reservation = new ShardReservation();
    private Cancellable activeExpiry;
    /** The RESP server's counters on this shard: INFO's rejected_connections is the metric's own figure. */
    private ShardServerMetrics respServer;

    public long commandsProcessed;
    public long connectionsReceived;
    public long connectedClients;
    public long protocolErrors;
    public long unexpectedErrors;
    public long crossShardCalls;
    /** EXECs coordinated from this shard: with the shard id, a transaction id unique in the process. */
    public long transactionsStarted;
    /** Subscribers disconnected for exceeding the pub/sub output buffer limit (INFO client_output_buffer_limit_disconnections). */
    public long pubsubClientsDisconnected;
    public long httpRequests;

    ShardState(int shardId) {
        this.shardId = shardId;
    }

    public int shardId() {
        return shardId;
    }

    public ValueStore store() {
        return store;
    }

    /** Whether a transaction spanning shards holds this shard now (see {@link Keyspace#reserve}). */
    public ShardReservation reservation() {
        return reservation;
    }

    void respServer(ShardServerMetrics metrics) {
        this.respServer = metrics;
    }

    void activeExpiry(Cancellable timer) {
        this.activeExpiry = timer;
    }

    @Override
    public void close() {
        if (activeExpiry != null) {
            activeExpiry.cancel();
        }
    }

    /** A copy of this shard's figures, safe to hand to another shard. */
    public Snapshot snapshot() {
        return new Snapshot(shardId, store.size(), store.volatileCount(), store.keyspaceHits(), store.keyspaceMisses(),
                store.expiredKeys(), commandsProcessed, connectionsReceived, connectedClients,
                respServer == null ? 0 : respServer.connectionsRejected(),
                protocolErrors, unexpectedErrors, crossShardCalls, httpRequests, store.usedBytes(), store.budget().maxBytes(),
                store.evictedKeys());
    }

    public record Snapshot(int shard, long keys, long expires, long hits, long misses, long expired, long commands,
                           long connectionsReceived, long connectedClients, long rejectedConnections, long protocolErrors,
                           long unexpectedErrors, long crossShardCalls, long httpRequests, long usedMemory, long maxMemory,
                           long evicted) {
    }
}
