package io.percore.demo.server;

import io.percore.demo.acl.AccessControl;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.replication.Replication;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Cancellable;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.net.server.ShardServerMetrics;
import java.time.Duration;

/**
 * What the server keeps on one shard for its operators (the per-shard part of Redis's
 * {@code struct redisServer}): the shard's RESP clients, its part of CLIENT PAUSE and MONITOR, its
 * slow log and command figures, its copy of the CONFIG values and its counters. An instance of the
 * server's own {@code Sharded} service: it lives on its shard's thread next to that shard's
 * {@link KeyspaceShard}, which it may read and configure directly (same thread), while other shards
 * reach it only by message ({@link Sharded#invokeOn}, or through the keyspace where the work must
 * wait for a transaction holding the shard, as CONFIG SET's store settings do).
 */
public final class ServerShard implements AutoCloseable {

    /** Bits of {@link #commandHooks}: a CLIENT PAUSE is on; some shard has a MONITOR client. */
    public static final int HOOK_PAUSE = 1;
    public static final int HOOK_MONITOR = 2;
    /** The keyspace is loading, or writes are refused after a failed save ({@link Persistence#refusing()}). */
    public static final int HOOK_PERSISTENCE = 4;
    /** A read-only replica, or a primary with too few good replicas (min-replicas-to-write): writes may be refused. */
    public static final int HOOK_REPLICATION = 8;
    /** Cluster mode: every command's keys are routed to the node that owns their slots. */
    public static final int HOOK_CLUSTER = 16;
    /** A script runs past busy-reply-threshold on some shard: commands other than allow_busy ones get -BUSY. */
    public static final int HOOK_BUSY_SCRIPT = 32;

    /** How often each shard samples ops/sec and checks idle clients (Redis: hz 10). */
    static final Duration CRON_PERIOD = Duration.ofMillis(100);

    private final int shardId;
    private final int shards;
    /** This shard's part of the keyspace: same thread, so read and configured directly. */
    private final KeyspaceShard data;
    private final Persistence persistence;
    private final Replication replication;
    private final Cluster cluster;
    /** The server's users, ACL LOG and ACL parameters: one for every shard. */
    private final AccessControl acl;
    private final ClientRegistry clients = new ClientRegistry();
    private final ClientPause pause = new ClientPause(this::pauseChanged);
    private final SlowLog slowLog = new SlowLog();
    private final MonitorFeed monitors;
    private CommandStats commandStats = new CommandStats(0);
    private ConfigValues config;
    private Cancellable cron;
    /** The RESP server's counters on this shard: INFO's rejected_connections is the metric's own figure. */
    private ShardServerMetrics respServer;

    /**
     * What a command must look at before it runs, in one field: zero on the common path (no pause,
     * no monitor anywhere).
     */
    public int commandHooks;
    /** {@code slowlog-log-slower-than} in nanoseconds; {@link Long#MAX_VALUE} when the slow log is off. */
    public long slowlogThresholdNanos = 10_000_000;

    public long commandsProcessed;
    /** Commands' wall-clock "now" from the start each one already read ({@link WallClock}). */
    public final WallClock clock = new WallClock();
    /** Keys of pipelined batches this shard looked up ahead of their commands (tests; the network layer counts). */
    public long keysLookedAhead;
    public long connectionsReceived;
    public long connectedClients;
    /** Connections refused for maxclients by the demo itself (the listener counts those over its own limit). */
    public long rejectedConnections;
    public long protocolErrors;
    public long unexpectedErrors;
    /** Subscribers disconnected for exceeding the pub/sub output buffer limit (INFO client_output_buffer_limit_disconnections). */
    public long pubsubClientsDisconnected;
    /** MONITOR clients disconnected for unread output past their limit. */
    public long monitorsDisconnected;
    public long httpRequests;
    /** Clients closed by the {@code timeout} check. */
    public long idleClosed;
    /** Normal clients closed for their output buffer limit. */
    public long outputLimitDisconnections;
    /** Clients closed for client-query-buffer-limit. */
    public long queryLimitDisconnections;
    /** Clients closed to bring all clients within maxmemory-clients (Redis's evicted_clients). */
    public long evictedClients;
    /** What this shard's clients hold, their last reported figures added up (INFO mem_clients_normal). */
    private long clientsMemory;
    /** What all shards' clients hold, and the part of it this shard last added ({@link #clientsMemory} as it was then). */
    private final ClientsMemoryPool clientsPool;
    private long clientsPublished;
    /**
     * Bytes of commands this shard's clients sent to other shards that have not answered yet (their
     * arguments live until then), exact at every send and answer, whether or not their client is
     * still there: part of {@link #clientsMemory}, and the gate on reading more ({@link #requestsInFlightOver}).
     */
    private long requestsInFlight;
    /** Of {@link #requestsInFlight}, what closed clients sent: closing more clients would not free it. */
    private long orphanedInFlight;
    /** Clients that stopped reading until this shard's requests in flight come down. */
    private final java.util.ArrayDeque<Client> waitingForRequests = new java.util.ArrayDeque<>();
    private boolean resumeScheduled;
    /** Counters as they were at the last CONFIG RESETSTAT: INFO reports what came after. */
    private Snapshot statsBase;
    private final OpsSampler ops = new OpsSampler();

    private ServerShard(int shardId, int shards, KeyspaceShard data, Persistence persistence, Replication replication, Cluster cluster,
                        AccessControl acl, ClientsMemoryPool clientsPool) {
        this.shardId = shardId;
        this.clientsPool = clientsPool;
        this.acl = acl;
        this.cluster = cluster;
        this.shards = shards;
        this.data = data;
        this.persistence = persistence;
        this.replication = replication;
        this.monitors = new MonitorFeed(shardId, shards, this::updateCommandHooks);
    }

    /**
     * Creates the server's part on every shard of {@code engine} next to {@code keyspace}'s, with
     * {@code initial} CONFIG values and command figures sized for a table of {@code commands} ids
     * (blocks; call off-shard), with {@code acl} the server's users.
     */
    public static Sharded<ServerShard> start(Engine engine, Keyspace keyspace, Persistence persistence, Replication replication,
                                             Cluster cluster, ConfigValues initial, ConfigApplier applier, int commands,
                                             AccessControl acl) {
        int shards = engine.shardCount();
        ClientsMemoryPool clientsPool = new ClientsMemoryPool();
        Sharded<ServerShard> servers = Sharded.start(engine, id -> {
            ServerShard server = new ServerShard(id, shards, keyspace.local(), persistence, replication, cluster, acl, clientsPool);
            // MONITOR hears the commands run on this shard from its write path, as Redis's call() feeds monitors
            server.data.writes().monitor((client, db, argv) -> server.monitors.feed(client, db, argv));
            // client tracking redirects invalidations to any connection of a shard, by id
            server.data.tracking().clientsById(clientId -> {
                Client client = server.clients.find(clientId);
                return client == null ? null : client.trackingReceiver();
            });
            server.applier = applier;
            server.installConfig(initial);
            server.commandStats = new CommandStats(commands);
            server.updateCommandHooks();
            server.cron = Shard.current().scheduleAtFixedRate(CRON_PERIOD, CRON_PERIOD, () -> server.tick(System.currentTimeMillis()));
            return server;
        });
        // MONITOR announcements cross shards through the service, which exists only now.
        servers.fromOutside().invokeOnAll(server -> server.monitors.servers(servers)).join();
        return servers;
    }

    public int shardId() {
        return shardId;
    }

    /** The service's replication: REPLICAOF, ROLE, PSYNC, WAIT and INFO replication. */
    public Replication replication() {
        return replication;
    }

    /** This node in a cluster: CLUSTER's replies and where each command's keys are served (disabled outside cluster mode). */
    public Cluster cluster() {
        return cluster;
    }

    /** The service's snapshots: SAVE, BGSAVE, LASTSAVE and INFO persistence read and start them here. */
    public Persistence persistence() {
        return persistence;
    }

    /** This shard's part of the keyspace (same thread). */
    public KeyspaceShard data() {
        return data;
    }

    /** The server's users, the ACL LOG and the permission check (the same instance on every shard). */
    public AccessControl acl() {
        return acl;
    }

    public ClientRegistry clients() {
        return clients;
    }

    /** A client connected and was accepted: counted (INFO connected_clients, total_connections_received) and listed. */
    public void connected(Client client) {
        connectedClients++;
        connectionsReceived++;
        clients.add(client);
    }

    /** An accepted client went away. */
    public void disconnected(Client client) {
        connectedClients--;
        clients.remove(client);
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

    /** What the CONFIG table's rows do when this shard takes new values. */
    private ConfigApplier applier;

    /**
     * Installs {@code next} if it is newer than this shard's copy (see {@link ConfigValues}), then runs the apply
     * functions of the parameters it changes ({@link ConfigApplier}): the store's budget and encodings, the slow log,
     * ... follow at once; connections read the rest when they need it.
     */
    public void installConfig(ConfigValues next) {
        if (config != null && next.version() <= config.version()) {
            return;
        }
        ConfigValues previous = config;
        config = next;
        applier.apply(this, previous, next);
    }

    /** The shard count the service runs on: each shard's part of maxmemory and maxmemory-clients is this share. */
    public int shardCount() {
        return shards;
    }

    /** Redis's slowlog-log-slower-than (microseconds; negative: off) and slowlog-max-len on this shard. */
    public void slowLog(long slowerThanMicros, long maxLen) {
        slowlogThresholdNanos = slowerThanMicros < 0 ? Long.MAX_VALUE
                : slowerThanMicros > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE - 1 : slowerThanMicros * 1000;
        slowLog.trim(maxLen);
    }

    /** A pause began or ended: commands look at it, and keys neither expire nor are evicted while it lasts (Redis 7). */
    private void pauseChanged() {
        updateCommandHooks();
        boolean paused = pause.mode() != ClientPause.OFF;
        data.databases().pauseExpiry(paused);
        if (!paused && !data.reservation().held()) {
            data.store(0).makeRoom(System.currentTimeMillis()); // what the pause kept from being evicted goes now (from any database)
        }
    }

    /** Recomputes {@link #commandHooks} after a pause or a monitor came or went. */
    public void updateCommandHooks() {
        commandHooks = (pause.mode() != ClientPause.OFF ? HOOK_PAUSE : 0) | (monitors.active() ? HOOK_MONITOR : 0)
                | (persistence.refusing() ? HOOK_PERSISTENCE : 0) | (replication.refusing() ? HOOK_REPLICATION : 0)
                | (cluster.enabled() ? HOOK_CLUSTER : 0)
                | (busyScript != null ? HOOK_BUSY_SCRIPT : 0);
    }

    /** The -BUSY error while a script runs past busy-reply-threshold on some shard, else null. */
    private String busyScript;

    public String busyScript() {
        return busyScript;
    }

    /** Where {@link #busyScriptNow} reads whether a script is busy anywhere at this moment (the scripting's shared flags). */
    private java.util.function.Supplier<String> busyScriptSource = () -> null;

    public void busyScriptSource(java.util.function.Supplier<String> source) {
        this.busyScriptSource = source;
    }

    /**
     * The -BUSY error if a script is busy on any shard at this moment, else null: for a command about
     * to wait for other shards' holds (EXEC, a command spanning shards), which would otherwise wait
     * behind a busy script's hold until it ends when sent before the busy shard's message reached this one.
     */
    public String busyScriptNow() {
        if (busyScript != null) {
            return busyScript;
        }
        String error = busyScriptSource.get();
        if (error != null) {
            busyScript(error); // heard now rather than when the busy shard's message arrives
        }
        return error;
    }

    /** The busy shard's message on this shard: a script became busy somewhere ({@code error}), or none is now (null). */
    public void busyScript(String error) {
        if (!java.util.Objects.equals(error, busyScript)) {
            boolean became = busyScript == null;
            busyScript = error;
            updateCommandHooks();
            if (became && error != null) {
                clients.resumeHeldCommands(); // those parked behind the busy script's hold on this shard (its keys span shards) get -BUSY
            }
        }
    }

    /**
     * A script on this shard ran past busy-reply-threshold ({@code error} is its -BUSY): this shard's
     * clients are refused from now on, while the script lets the shard read their sockets, and the
     * commands that waited behind the script's hold on the shard are run now, so refused too.
     */
    public void busyScriptHere(String error) {
        busyScript(error);
        clients.releasePushFlushes(); // their flush was a task for the end of the turn, which the script keeps from ending
        clients.resumeHeldCommands();
    }

    /** A client's memory figure changed by {@code delta} bytes. */
    public void clientMemoryChanged(long delta) {
        clientsMemory += delta;
        publishClientsMemory();
    }

    /** Tells the other shards (the pool) once this shard's figure has moved by a step since it last did. */
    private void publishClientsMemory() {
        long moved = clientsMemory - clientsPublished;
        if (moved >= ClientsMemoryPool.STEP || moved <= -ClientsMemoryPool.STEP) {
            clientsPool.add(moved);
            clientsPublished = clientsMemory;
        }
    }

    /** What this shard's clients hold now, as last reported. */
    public long clientsMemory() {
        return clientsMemory;
    }

    /**
     * Redis 7's client eviction: while all clients together hold more than maxmemory-clients, a shard
     * whose own clients hold more than their even part closes its largest ones, down to what the
     * other shards leave (never below its even part: a shard over its part closes its own, so the
     * clients closed are the largest, wherever they are). One compare while this shard's clients are
     * within their even part; the others' figures as they last published them (within a step each).
     * What closed clients still have in flight does not count: closing more clients would not free it sooner.
     */
    public void boundClientsMemory() {
        long budget = config.clientsBytes();
        long held = clientsMemory - orphanedInFlight;
        long evenPart = budget / shards;
        if (budget > 0 && held > evenPart) {
            long elsewhere = clientsPool.total() - clientsPublished;
            if (held + elsewhere > budget) {
                evictedClients += clients.evictLargest(held, Math.max(evenPart, budget - elsewhere), budget, elsewhere);
            }
        }
    }

    /** A client sent a command of {@code bytes} to another shard. */
    public void requestSent(long bytes) {
        requestsInFlight += bytes;
        clientsMemory += bytes;
        publishClientsMemory();
    }

    /**
     * A command sent to another shard was answered ({@code orphaned}: for a client closed since).
     * Once the shard's requests in flight are down to half their limit, the clients waiting on them
     * read again, at the end of this loop turn.
     */
    public void requestAnswered(long bytes, boolean orphaned) {
        requestsInFlight -= bytes;
        clientsMemory -= bytes;
        publishClientsMemory();
        if (orphaned) {
            orphanedInFlight -= bytes;
        }
        if (!waitingForRequests.isEmpty() && !resumeScheduled && requestsInFlight <= requestsInFlightLimit() / 2) {
            resumeScheduled = true;
            io.percore.engine.Shard.current().execute(this::resumeWaitingForRequests);
        }
    }

    /** A client closed with {@code bytes} of requests still in flight: they stay counted until answered. */
    public void requestsOrphaned(long bytes) {
        orphanedInFlight += bytes;
    }

    /**
     * Whether this shard's clients have more in flight to other shards than they may: half the
     * shard's part of maxmemory-clients (or of its default when that is 0). A client that sends
     * more stops reading until they come down ({@link #waitForRequests}); the other shards always
     * answer, so the wait ends without the client doing anything.
     */
    public boolean requestsInFlightOver() {
        return requestsInFlight > requestsInFlightLimit();
    }

    private long requestsInFlightLimit() {
        long budget = config.clientsBytesPerShard(shards);
        return (budget > 0 ? budget : Math.max(1, JvmMemory.defaultMaxmemoryClients() / shards)) / 2;
    }

    /** {@code client} stopped reading until the shard's requests in flight come down. */
    public void waitForRequests(Client client) {
        waitingForRequests.add(client);
    }

    private void resumeWaitingForRequests() {
        resumeScheduled = false;
        for (int n = waitingForRequests.size(); n > 0 && !requestsInFlightOver(); n--) {
            waitingForRequests.poll().resumeReading(); // one that sends too much again waits again, at the back
        }
    }

    /** The RESP server's counters on this shard (INFO's rejected_connections, total_net_*_bytes). */
    public void respServer(ShardServerMetrics metrics) {
        this.respServer = metrics;
    }

    /**
     * The server's part of Redis's serverCron, every {@link #CRON_PERIOD}: the instantaneous ops/sec
     * sample and (once a second) closing clients idle past {@code timeout}.
     */
    private void tick(long nowMillis) {
        if (cluster.enabled()) {
            cluster.beat();
        }
        ops.sample(commandsProcessed, nowMillis);
        if (ops.secondElapsed()) {
            // first: output that drained since the last look is an interaction the idle timeout must see
            clients.checkMemory(); // output that drained, soft limits that expired, clients that grew quietly
        }
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

    /** CONFIG RESETSTAT on this shard: counters start again from zero, as INFO sees them (the keyspace's too). */
    public void resetStats() {
        data.resetStats();
        statsBase = null;
        statsBase = snapshot();
        commandStats.reset();
    }

    /** A copy of this shard's figures, the keyspace's with the server's, safe to hand to another shard. */
    public Snapshot snapshot() {
        KeyspaceShard.Snapshot keys = data.snapshot();
        Snapshot raw = new Snapshot(shardId, keys.keys(), keys.expires(), keys.hits(), keys.misses(), keys.expired(),
                commandsProcessed, connectionsReceived, connectedClients,
                rejectedConnections + (respServer == null ? 0 : respServer.connectionsRejected()),
                protocolErrors, unexpectedErrors, keys.crossShardCalls(), httpRequests, keys.usedMemory(), keys.maxMemory(),
                keys.evicted(), keys.peakMemory(), respServer == null ? 0 : respServer.bytesIn(),
                respServer == null ? 0 : respServer.bytesOut(), respServer == null ? 0 : respServer.reads(),
                respServer == null ? 0 : respServer.flushes(), ops.perSecond(),
                pause.heldConnections() + keys.blockedClients(), idleClosed,
                pubsubClientsDisconnected + monitorsDisconnected + outputLimitDisconnections, keys.waitedKeys(), keys.putBacks(),
                clientsMemory, evictedClients, queryLimitDisconnections, keys.databases());
        return statsBase == null ? raw : raw.since(statsBase);
    }

    /** One shard's figures for INFO, Actuator and tests: the keyspace's (already net of RESETSTAT) and the server's. */
    public record Snapshot(int shard, long keys, long expires, long hits, long misses, long expired, long commands,
                           long connectionsReceived, long connectedClients, long rejectedConnections, long protocolErrors,
                           long unexpectedErrors, long crossShardCalls, long httpRequests, long usedMemory, long maxMemory,
                           long evicted, long peakMemory, long netInputBytes, long netOutputBytes, long netReads,
                           long netWrites, long opsPerSecond,
                           long blockedClients, long idleClosed, long outputLimitDisconnections, long waitedKeys,
                           long putBacks, long clientsMemory, long evictedClients, long queryLimitDisconnections,
                           long[][] databases) {

        /** The server's counters less {@code base}'s (the keyspace's figures come already net of theirs). */
        Snapshot since(Snapshot base) {
            return new Snapshot(shard, keys, expires, hits, misses, expired,
                    commands - base.commands, connectionsReceived - base.connectionsReceived, connectedClients,
                    rejectedConnections - base.rejectedConnections, protocolErrors - base.protocolErrors,
                    unexpectedErrors - base.unexpectedErrors, crossShardCalls,
                    httpRequests - base.httpRequests, usedMemory, maxMemory, evicted, peakMemory,
                    netInputBytes - base.netInputBytes, netOutputBytes - base.netOutputBytes, netReads - base.netReads,
                    netWrites - base.netWrites, opsPerSecond, blockedClients,
                    idleClosed - base.idleClosed, outputLimitDisconnections - base.outputLimitDisconnections, waitedKeys,
                    putBacks, clientsMemory, evictedClients - base.evictedClients,
                    queryLimitDisconnections - base.queryLimitDisconnections, databases);
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
