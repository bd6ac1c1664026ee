package io.percore.demo.shard;

import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.ClientPause;
import io.percore.demo.resp.ClientRegistry;
import io.percore.demo.resp.CommandStats;
import io.percore.demo.resp.ConfigValues;
import io.percore.demo.resp.MonitorFeed;
import io.percore.demo.resp.SlowLog;
import io.percore.engine.Cancellable;
import io.percore.net.server.ShardServerMetrics;

/**
 * Everything one shard owns for the demo: its value store, its server counters, and what an
 * operator inspects of it (its clients, its command figures and slow log, its copy of the CONFIG
 * values, its part of CLIENT PAUSE and MONITOR); the instance of the {@link Keyspace}'s
 * {@code Sharded} service on that shard. Read and written only on that shard's thread; other
 * shards send it work through {@link Keyspace#invokeOn}.
 */
public final class ShardState implements AutoCloseable {

    /** Bits of {@link #commandHooks}: a CLIENT PAUSE is on; some shard has a MONITOR client. */
    public static final int HOOK_PAUSE = 1;
    public static final int HOOK_MONITOR = 2;

    private final int shardId;
    private final ValueStore store = new ValueStore();
    private final ShardReservation reservation = new ShardReservation();
    private Cancellable cron;
    /** The keys of this shard clients block on (owner side). */
    private final KeyWaiters keyWaiters = new KeyWaiters(store, reservation);
    /** The blocking commands of this shard's connections (home side). */
    private final BlockedClients blockedClients;
    /** The RESP server's counters on this shard: INFO's rejected_connections is the metric's own figure. */
    private ShardServerMetrics respServer;

    private final ClientRegistry clients = new ClientRegistry();
    private final ClientPause pause = new ClientPause(this::updateCommandHooks);
    private final SlowLog slowLog = new SlowLog();
    private final MonitorFeed monitors;
    private CommandStats commandStats = new CommandStats(0);
    private ConfigValues config;

    /**
     * What a command must look at before it runs, in one field: zero on the common path (no pause,
     * no monitor anywhere).
     */
    public int commandHooks;
    /** {@code slowlog-log-slower-than} in nanoseconds; {@link Long#MAX_VALUE} when the slow log is off. */
    public long slowlogThresholdNanos = 10_000_000;

    public long commandsProcessed;
    public long connectionsReceived;
    public long connectedClients;
    /** Connections refused for maxclients by the demo itself (the listener counts those over its own limit). */
    public long rejectedConnections;
    public long protocolErrors;
    public long unexpectedErrors;
    public long crossShardCalls;
    /** EXECs coordinated from this shard: with the shard id, a transaction id unique in the process. */
    public long transactionsStarted;
    /** Subscribers disconnected for exceeding the pub/sub output buffer limit (INFO client_output_buffer_limit_disconnections). */
    public long pubsubClientsDisconnected;
    /** MONITOR clients disconnected for unread output past their limit. */
    public long monitorsDisconnected;
    public long httpRequests;
    /** Clients closed by the {@code timeout} check. */
    public long idleClosed;
    /** The largest {@link ValueStore#usedBytes()} seen by this shard's cron and snapshots. */
    private long peakUsedBytes;
    /** Counters as they were at the last CONFIG RESETSTAT: INFO reports what came after. */
    private Snapshot statsBase;
    private final OpsSampler ops = new OpsSampler();

    ShardState(int shardId, int shards) {
        this.shardId = shardId;
        this.monitors = new MonitorFeed(shardId, shards, this::updateCommandHooks);
        this.blockedClients = new BlockedClients(shardId, shards);
    }

    /** Gives the blocking machinery the way to the other shards, once the keyspace exists. */
    void keyspace(Keyspace keyspace) {
        keyWaiters.keyspace(keyspace);
    }

    public KeyWaiters keyWaiters() {
        return keyWaiters;
    }

    public BlockedClients blockedClients() {
        return blockedClients;
    }

    public int shardId() {
        return shardId;
    }

    public ValueStore store() {
        return store;
    }

    public ClientRegistry clients() {
        return clients;
    }

    public ClientPause pause() {
        return pause;
    }

    public SlowLog slowLog() {
        return slowLog;
    }

    public MonitorFeed monitors() {
        return monitors;
    }

    public CommandStats commandStats() {
        return commandStats;
    }

    /** This shard's copy of the CONFIG values. */
    public ConfigValues config() {
        return config;
    }

    /**
     * Installs {@code next} if it is newer than this shard's copy (see {@link ConfigValues}): the
     * memory budget and the slow log follow it at once; connections read the rest when they need it.
     */
    public void installConfig(ConfigValues next, int shards) {
        if (config != null && next.version() <= config.version()) {
            return;
        }
        ConfigValues previous = config;
        config = next;
        if (previous == null || !previous.memory().equals(next.memory())) {
            store.budget(next.memory().perShard(shards));
        }
        if (previous == null || !previous.zsetLimits().equals(next.zsetLimits())) {
            store.zsetLimits(next.zsetLimits());
        }
        if (previous == null || !previous.hashLimits().equals(next.hashLimits())) {
            store.hashLimits(next.hashLimits());
        }
        if (previous == null || !previous.setLimits().equals(next.setLimits())) {
            store.setLimits(next.setLimits());
        }
        slowlogThresholdNanos = next.slowlogSlowerThan() < 0 ? Long.MAX_VALUE
                : next.slowlogSlowerThan() > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE - 1 : next.slowlogSlowerThan() * 1000;
        slowLog.trim(next.slowlogMaxLen());
    }

    /** Sizes the per-command figures for the server's command table (once, at start). */
    public void commandTableSize(int commands) {
        commandStats = new CommandStats(commands);
    }

    /** Recomputes {@link #commandHooks} after a pause or a monitor came or went. */
    public void updateCommandHooks() {
        commandHooks = (pause.mode() != ClientPause.OFF ? HOOK_PAUSE : 0) | (monitors.active() ? HOOK_MONITOR : 0);
    }

    /** Whether a transaction spanning shards holds this shard now (see {@link Keyspace#reserve}). */
    public ShardReservation reservation() {
        return reservation;
    }

    void respServer(ShardServerMetrics metrics) {
        this.respServer = metrics;
    }

    void cron(Cancellable timer) {
        this.cron = timer;
    }

    /**
     * Redis's serverCron for this shard, every {@link Keyspace#CRON_PERIOD}: active expiry, the
     * instantaneous ops/sec sample, the memory peak, and (once a second) closing clients idle past
     * {@code timeout}.
     */
    void tick(long nowMillis, long expiryBudgetNanos) {
        store.activeExpireCycle(nowMillis, expiryBudgetNanos);
        ops.sample(commandsProcessed, nowMillis);
        peakUsedBytes = Math.max(peakUsedBytes, store.usedBytes());
        if (config != null && config.timeout() > 0 && ops.secondElapsed()) {
            idleClosed += clients.closeIdle(config.timeout() * 1_000_000_000L, System.nanoTime());
        }
    }

    @Override
    public void close() {
        if (cron != null) {
            cron.cancel();
        }
        pause.unpause();
    }

    /** CONFIG RESETSTAT on this shard: counters start again from zero, as INFO sees them. */
    public void resetStats() {
        statsBase = null;
        statsBase = snapshot();
        commandStats.reset();
    }

    /** A copy of this shard's figures, safe to hand to another shard. */
    public Snapshot snapshot() {
        peakUsedBytes = Math.max(peakUsedBytes, store.usedBytes());
        Snapshot raw = new Snapshot(shardId, store.size(), store.volatileCount(), store.keyspaceHits(), store.keyspaceMisses(),
                store.expiredKeys(), commandsProcessed, connectionsReceived, connectedClients,
                rejectedConnections + (respServer == null ? 0 : respServer.connectionsRejected()),
                protocolErrors, unexpectedErrors, crossShardCalls, httpRequests, store.usedBytes(), store.budget().maxBytes(),
                store.evictedKeys(), peakUsedBytes, respServer == null ? 0 : respServer.bytesIn(),
                respServer == null ? 0 : respServer.bytesOut(), ops.perSecond(),
                pause.heldConnections() + blockedClients.waitingClients(), idleClosed,
                pubsubClientsDisconnected + monitorsDisconnected, keyWaiters.waitedKeys(), keyWaiters.putBacks());
        return statsBase == null ? raw : raw.since(statsBase);
    }

    public record Snapshot(int shard, long keys, long expires, long hits, long misses, long expired, long commands,
                           long connectionsReceived, long connectedClients, long rejectedConnections, long protocolErrors,
                           long unexpectedErrors, long crossShardCalls, long httpRequests, long usedMemory, long maxMemory,
                           long evicted, long peakMemory, long netInputBytes, long netOutputBytes, long opsPerSecond,
                           long blockedClients, long idleClosed, long outputLimitDisconnections, long waitedKeys,
                           long putBacks) {

        /** The counters less {@code base}'s (gauges such as keys, memory and clients stay as they are). */
        Snapshot since(Snapshot base) {
            return new Snapshot(shard, keys, expires, hits - base.hits, misses - base.misses, expired - base.expired,
                    commands - base.commands, connectionsReceived - base.connectionsReceived, connectedClients,
                    rejectedConnections - base.rejectedConnections, protocolErrors - base.protocolErrors,
                    unexpectedErrors - base.unexpectedErrors, crossShardCalls - base.crossShardCalls,
                    httpRequests - base.httpRequests, usedMemory, maxMemory, evicted - base.evicted, peakMemory,
                    netInputBytes - base.netInputBytes, netOutputBytes - base.netOutputBytes, opsPerSecond, blockedClients,
                    idleClosed - base.idleClosed, outputLimitDisconnections - base.outputLimitDisconnections, waitedKeys,
                    putBacks - base.putBacks);
        }
    }

    /** Redis's instantaneous_ops_per_sec: the mean rate over the last 16 samples, one per cron tick. */
    private static final class OpsSampler {
        private final long[] rates = new long[16];
        private int next;
        private long lastCount;
        private long lastMillis;
        private long lastSecond;
        private boolean secondElapsed;

        void sample(long count, long nowMillis) {
            if (lastMillis != 0 && nowMillis > lastMillis) {
                rates[next] = (count - lastCount) * 1000 / (nowMillis - lastMillis);
                next = (next + 1) % rates.length;
            }
            lastCount = count;
            lastMillis = nowMillis;
            secondElapsed = nowMillis / 1000 != lastSecond;
            lastSecond = nowMillis / 1000;
        }

        boolean secondElapsed() {
            return secondElapsed;
        }

        long perSecond() {
            long sum = 0;
            for (long r : rates) {
                sum += r;
            }
            return sum / rates.length;
        }
    }
}
