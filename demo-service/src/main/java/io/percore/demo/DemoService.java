package io.percore.demo;

import io.netty.channel.ChannelHandler;
import io.percore.demo.http.HttpServerInitializer;
import io.percore.demo.acl.AccessControl;
import io.percore.demo.command.CommandMetadata;
import io.percore.demo.command.CommandTable;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.replay.FileReplay;
import io.percore.demo.replay.StreamReplay;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.replication.HandoverRelay;
import io.percore.demo.replication.Replication;
import io.percore.demo.table.RespCommands;
import io.percore.demo.network.RespServerInitializer;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.persistence.ShutdownPrelude;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.ClientAddresses;
import io.percore.demo.scripting.Scripting;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Engine;
import io.percore.demo.admin.ConfigCommands;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.util.Map;
import java.util.List;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ShardedServer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo as a plain object on an {@link Engine}: the sharded keyspace, the RESP server and the
 * HTTP server, each server with one listener per shard ({@link ShardedServer}). The Spring Boot
 * application starts it on the starter's engine and server registry; tests start it directly.
 */
public final class DemoService implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DemoService.class);

    private final Keyspace keyspace;
    private final Persistence persistence;
    private final Replication replication;
    private final Cluster cluster;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final Scripting scripting;
    private final ShardedServer resp;
    private final ShardedServer http;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Writes are held for a shutdown (SHUTDOWN, or SIGTERM with replicas to wait for). */
    private final AtomicBoolean writesHeld = new AtomicBoolean();

    private DemoService(Keyspace keyspace, Persistence persistence, Replication replication, Cluster cluster, Sharded<ServerShard> servers,
                        PubSub pubsub, Scripting scripting, ShardedServer resp, ShardedServer http) {
        this.scripting = scripting;
        this.keyspace = keyspace;
        this.persistence = persistence;
        this.replication = replication;
        this.cluster = cluster;
        this.servers = servers;
        this.pubsub = pubsub;
        this.resp = resp;
        this.http = http;
    }

    /** How long closing stops the server's per-shard state for (as the keyspace's close): a stuck shard must not hang it. */
    private static final java.time.Duration SERVER_STATE_CLOSE_TIMEOUT = java.time.Duration.ofSeconds(10);

    /** Name of the RESP server ({@code percore.servers.resp} in the Spring app). */
    public static final String RESP_SERVER = "resp";
    /** Name of the HTTP server ({@code percore.servers.http} in the Spring app). */
    public static final String HTTP_SERVER = "http";

    /**
     * Starts one of the demo's servers: {@code name} is {@link #RESP_SERVER} or {@link #HTTP_SERVER},
     * {@code initializer} sets up each accepted connection on its shard. The Spring app passes the
     * starter's {@code ShardedServerRegistry::start}, which takes the listener's options from
     * {@code percore.servers.<name>}, meters the server and drains it on shutdown.
     */
    @FunctionalInterface
    public interface ServerLauncher {
        ShardedServer start(String name, ChannelHandler initializer, RequestKinds requestKinds);
    }

    /**
     * Starts both servers on {@code engine} with the addresses, ports and limits of {@code settings}
     * (blocks until bound; call off the shard threads). Closing the service closes them.
     */
    public static DemoService start(Engine engine, DemoSettings settings) {
        return start(engine, settings, (name, initializer, kinds) -> ShardedServer.start(engine, options(name, settings), initializer, kinds));
    }

    /**
     * Starts the keyspace on {@code engine} and both servers through {@code servers}, which decides
     * where they listen; {@code settings} supplies the RESP and HTTP limits and the port that
     * {@code CONFIG GET port} and {@code INFO} report. If the data directory holds a snapshot, it is
     * loaded while the servers already answer ({@code -LOADING}, as Redis). Blocks until bound and
     * loaded; call off the shard threads.
     */
    public static DemoService start(Engine engine, DemoSettings settings, ServerLauncher launcher) {
        Keyspace keyspace = Keyspace.start(engine, settings.config().databases());
        PubSub pubsub = PubSub.start(engine, keyspace);
        Persistence persistence = null;
        Replication replication = null;
        Cluster cluster = null;
        Sharded<ServerShard> servers = null;
        Scripting scripting = null;
        ShardedServer resp = null;
        ShardedServer http = null;
        try {
            // CONFIG GET port / INFO report the configured port; with port 0 (tests) the chosen one is not known yet.
            ConfigValues initial = startValues(settings, engine.shardCount());
            persistence = Persistence.start(engine, keyspace, initial.persistence());
            scripting = Scripting.start(engine, keyspace);
            CommandTable commands = RespCommands.table(settings.respPort(), scripting);
            AccessControl acl = accessControl(initial, commands, settings);
            String unfit = initial.jvmFit();
            if (unfit != null) {
                // a budget this JVM cannot hold would end in OutOfMemoryError under load: refuse it now, naming it
                throw new IllegalArgumentException("percore.demo.maxmemory=" + initial.memory().maxmemory()
                        + ", percore.demo.maxmemory-clients=" + initial.clientsBytes() + ": " + unfit);
            }
            if (initial.protectedMode() && initial.requirePass() == null && !ClientAddresses.loopbackOnly(settings.respBindAddress())) {
                org.slf4j.LoggerFactory.getLogger(DemoService.class).warn("Protected mode: the RESP server listens on {} but no password"
                        + " is set (percore.demo.resp.requirepass), so only loopback clients are served; others get -DENIED, and the"
                        + " HTTP /kv API answers them 403. Set a password, or percore.demo.protected-mode=false.",
                        settings.respBindAddress());
            }
            @SuppressWarnings("unchecked")
            Sharded<ServerShard>[] serversLater = new Sharded[1]; // the stream's applier needs the servers, made after replication
            ConfigValues limits = initial;
            Persistence persisted = persistence;
            replication = Replication.start(engine, keyspace, persistence, initial.replication(),
                    primaryPeer -> new StreamReplay(keyspace, serversLater[0], pubsub, commands, settings.resp(), primaryPeer),
                    rdb -> persisted.replaceFromSnapshot(rdb, limits.zsetLimits(), limits.hashLimits(), limits.setLimits()));
            Replication replicated = replication;
            cluster = settings.cluster().enabled()
                    ? Cluster.start(settings.cluster(), initial.persistence().dir(), settings.respBindAddress(), settings.respPort(),
                            keyspace, engine, () -> replicated.settings().masterAuth())
                    : Cluster.disabled();
            replication.layoutPrimary(cluster::layoutPrimaryAt); // a replica syncs only from the node the layout names there
            servers = ServerShard.start(engine, keyspace, persistence, replication, cluster, initial, ConfigCommands.applier(),
                    commands.size(), acl);
            serversLater[0] = servers;
            Sharded<ServerShard> serverShards = servers;
            Runnable hooksChanged = () -> {
                // -LOADING and -MISCONF are checked only while a shard's command hooks say so
                for (int shard = 0; shard < engine.shardCount(); shard++) {
                    engine.submitTo(shard, () -> {
                        serverShards.local().updateCommandHooks();
                        return null;
                    });
                }
            };
            persistence.onStateChange(hooksChanged);
            replication.onStateChange(hooksChanged);
            resp = launcher.start(RESP_SERVER, new RespServerInitializer(keyspace, servers, pubsub, commands, settings.resp()),
                    commands.requestKinds());
            ShardedServer respServer = resp;
            servers.fromOutside().invokeOnAll(server -> server.respServer(respServer.metrics(server.shardId()))).join();
            http = launcher.start(HTTP_SERVER, new HttpServerInitializer(keyspace, servers, settings.http()),
                    HttpServerInitializer.requestKinds());
            ConfigValues start = initial;
            persistence.load(start.zsetLimits(), start.hashLimits(), start.setLimits(),
                    new FileReplay(keyspace, servers, pubsub, commands, settings.resp()), replication::takeUpLoadedPosition);
            Scripting scripts = scripting;
            // A shard busy in Lua tells the others by message the moment its script passes busy-reply-threshold and
            // again when it ends (then -BUSY, as Redis), waking those asleep at once; a command that would wait for
            // other shards' holds also looks first (ServerShard.busyScriptNow). Each shard used to look every 10 ms
            // instead: most of an idle node's wakeups (benchmarks README, "Redis Cluster").
            servers.fromOutside().invokeOnAll(server -> server.busyScriptSource(scripts::busyError)).join();
            if (engine.shardCount() > 1) {
                Sharded<ServerShard> everyServer = servers;
                scripts.onBusyChange(() -> tellBusyChange(everyServer, scripts));
            }
            replication.listeningPort(resp.port());
            replication.startLink();
            cluster.startMigrations(resp.port()); // after the load: a slot counted empty before it would be finalized too soon
            DemoService service = new DemoService(keyspace, persistence, replication, cluster, servers, pubsub, scripting, resp, http);
            persistence.onShutdownCommand(service::close); // the Spring app exits the process instead (onShutdownCommand)
            persistence.shutdownPrelude(new ShutdownPrelude() {
                @Override
                public void before(boolean now, java.util.function.BooleanSupplier aborted) {
                    service.holdWrites(!now, aborted);
                }

                @Override
                public void abandoned() {
                    service.resumeWrites();
                }
            });
            return service;
        } catch (RuntimeException e) {
            if (http != null) {
                http.close();
            }
            if (resp != null) {
                resp.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (replication != null) {
                replication.close();
            }
            if (persistence != null) {
                persistence.close();
            }
            if (servers != null) {
                stopWithin(servers, SERVER_STATE_CLOSE_TIMEOUT);
            }
            if (scripting != null) {
                stopWithin(scripting.shards(), SERVER_STATE_CLOSE_TIMEOUT);
            }
            pubsub.close();
            keyspace.close();
            throw e;
        }
    }

    /**
     * On the busy script's shard: every shard's server takes the busy state as it is when the message
     * runs there (so a late "busy" after the script ended still leaves it not busy). Shards full of
     * messages refuse it: they then learn at their next command that waits for other shards' holds.
     */
    private static void tellBusyChange(Sharded<ServerShard> everyServer, Scripting scripts) {
        try {
            everyServer.invokeOnAll(server -> server.busyScript(scripts.busyError()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            org.slf4j.LoggerFactory.getLogger(DemoService.class).warn("A script's busy state could not be sent to every shard: {}", e.getMessage());
        }
        io.percore.engine.Shard here = io.percore.engine.Shard.currentOrNull();
        if (here != null) {
            here.wakeTargetsNow();
        }
    }

    /**
     * The ACLs a server starts with (Redis's {@code ACLLoadUsersAtStartup}): over Redis 7.0.15's commands
     * and this table's, the CONFIG values' ACL parameters, {@code requirepass} as the default user's password,
     * then the users declared in the configuration or the ACL file's.
     *
     * @throws IllegalArgumentException with Redis's text when a declaration or the file is refused
     */
    private static AccessControl accessControl(ConfigValues initial, CommandTable commands, DemoSettings settings) {
        AccessControl acl = new AccessControl(commands,
                String.valueOf(initial.value(AccessControl.ACLFILE)), initial.persistence().dir());
        acl.configure(initial::value);
        acl.users().defaultPassword(initial.requirePass());
        acl.loadAtStart(settings.users());
        return acl;
    }

    /**
     * The CONFIG values the shards start with: those of {@code settings}, read once, on its listeners ({@code shards}
     * of them take maxclients' ceiling). A maxclients above that ceiling is lowered to it, as Redis lowers it to what
     * its file descriptors allow, and said.
     */
    private static ConfigValues startValues(DemoSettings settings, int shards) {
        long listenersTake = (long) settings.maxConnectionsPerShard() * shards;
        ConfigValues configured = settings.config();
        if (configured.maxClients() != ConfigValues.MAX_CLIENTS && configured.maxClients() > listenersTake) {
            org.slf4j.LoggerFactory.getLogger(DemoService.class).warn("maxclients {} is more than the RESP listeners take"
                    + " (percore.servers.resp.max-connections-per-shard {} x {} shards): lowered to {}", configured.maxClients(),
                    settings.maxConnectionsPerShard(), shards, listenersTake);
        }
        return configured.listening(settings.respPort(), settings.respBindAddress(), listenersTake);
    }

    /** Stops {@code service} on every shard, waiting at most {@code timeout} (a stuck shard must not hang the stop). */
    private static void stopWithin(Sharded<?> service, java.time.Duration timeout) {
        try {
            service.stop().orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
        } catch (java.util.concurrent.CompletionException e) {
            org.slf4j.LoggerFactory.getLogger(DemoService.class).warn("The server's per-shard state did not close on every shard"
                    + " within {} ms; going on", timeout.toMillis(), e.getCause());
        }
    }

    private static ServerOptions options(String name, DemoSettings settings) {
        boolean isResp = RESP_SERVER.equals(name);
        ServerOptions.Builder options = ServerOptions.builder()
                .bindAddress(isResp ? settings.respBindAddress() : settings.httpBindAddress())
                .port(isResp ? settings.respPort() : settings.httpPort())
                .maxConnectionsPerShard(settings.maxConnectionsPerShard())
                .idleTimeout(isResp ? settings.respIdleTimeout() : settings.httpIdleTimeout());
        return options.build();
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    /** The server's per-shard state (clients, CONFIG values, slow log, counters). */
    public Sharded<ServerShard> servers() {
        return servers;
    }

    /** From a thread that is not a shard: every shard's figures, the keyspace's with the server's (tests, INFO's source). */
    public List<ServerShard.Snapshot> snapshots() {
        return servers.fromOutside().mapEach(ServerShard::snapshot).join();
    }

    public ShardedServer respServer() {
        return resp;
    }

    public ShardedServer httpServer() {
        return http;
    }

    public int respPort() {
        return resp.port();
    }

    public int httpPort() {
        return http.port();
    }

    /** Where the RESP server speaks TLS (Redis's tls-port; {@link #respPort()} itself when it speaks TLS only), or -1 without TLS. */
    public int respTlsPort() {
        return resp.tlsPort();
    }

    /**
     * What the SHUTDOWN command does after its save: by default the service closes; the Spring app
     * closes its context and exits the process (which closes the service).
     */
    public void onShutdownCommand(Runnable exit) {
        persistence.onShutdownCommand(exit);
    }

    /**
     * Redis CONFIG parameters from the application's configuration, changed while the service runs
     * (the Spring app's {@code percore.demo.*}): CONFIG SET's refusal of them as redis-server words
     * it, or null. Off the shards.
     */
    public String checkConfig(Map<String, String> parameters) {
        return servers.fromOutside().invokeOn(0, server -> ConfigCommands.check(server, parameters)).join();
    }

    /** Sets {@code parameters} as CONFIG SET does, on every shard; returns when every shard has them. Off the shards. */
    public void setConfig(Map<String, String> parameters) {
        Sharded<ServerShard> all = servers;
        all.fromOutside().invokeOn(0, server -> ConfigCommands.set(keyspace, all, parameters))
                .thenCompose(ShardFuture::toCompletableFuture).orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** The service's replication (its role, its replicas, the link to its primary). */
    public Replication replication() {
        return replication;
    }

    /** The service's snapshots (SAVE, BGSAVE, the save rules, the final save). */
    public Persistence persistence() {
        return persistence;
    }

    /**
     * The first step of a shutdown (SIGTERM before the servers stop, SHUTDOWN before its save), as
     * Redis 7 does it: every client's writes are held (a CLIENT PAUSE WRITE on every shard), so
     * nothing is acknowledged that the final save or the replicas miss; then, with
     * {@code waitForReplicas}, a primary waits for its replicas to acknowledge everything, at most
     * {@code shutdown-timeout}. Writes stay held until the service closes or {@link #resumeWrites}.
     * Off the shards. @return whether every replica caught up (true when there was none to wait for)
     */
    public boolean holdWrites(boolean waitForReplicas, java.util.function.BooleanSupplier aborted) {
        writesHeld.set(true);
        servers.fromOutside().invokeOnAll(server -> server.pause().pause(io.percore.demo.server.ClientPause.WRITE, Long.MAX_VALUE,
                io.percore.engine.Shard.current())).join();
        return !waitForReplicas || replication.awaitReplicasBeforeShutdown(aborted);
    }

    /**
     * SIGTERM's first step, before the servers stop: a primary with replicas online holds writes and
     * waits for them ({@link #holdWrites}); the writes held are never run (their connections close
     * with the servers, unanswered, as Redis's). Without replicas to wait for, nothing is held: the
     * servers' drain answers what they read, and the final save holds it. Off the shards.
     */
    public void handOffToReplicas() {
        if (!closed.get() && !writesHeld.get() && replication.shutdownWaitsForReplicas()) {
            holdWrites(true, () -> false);
        }
    }

    /**
     * How long a primary demoted during its stop's handover relays its RESP port to the new primary after it closes, at
     * least: past kube-proxy's next turn (at most two changes a second), after which the Service routes to the new primary
     * itself; then for as long as clients still use the relay, until they leave it unused for as long again.
     */
    public static final java.time.Duration HANDOVER_RELAY = java.time.Duration.ofSeconds(2);
    /**
     * The longest a stopping primary relays: kube-proxy on a loaded node moved the primary Service 16 s after the
     * switchover (CI, 2026-11-30: clients refused by the old pod's closed port from the relay's 2 s end until then).
     */
    public static final java.time.Duration HANDOVER_RELAY_MAX = java.time.Duration.ofSeconds(15);

    /**
     * SIGTERM's second step, after {@link #handOffToReplicas}, for a primary whose writes it held: waits, at most {@code
     * bound}, for an operator to promote a replica and demote this one ({@code REPLICAOF}, which closes its clients), so
     * that the handover happens while it still answers the operator. Once demoted its RESP listeners close and, while its
     * servers drain, the rest of {@link #close()} runs (the final save) and for at least {@link #HANDOVER_RELAY}, it relays
     * its RESP port to its new primary ({@link HandoverRelay}): a client that the Service still routes here until
     * kube-proxy's next update reaches the new primary instead of a refused port or an address about to vanish. A primary
     * demoted less than {@code bound} before this step (the operator was quicker than the SIGTERM) relays the same way.
     * Off the shards.
     *
     * @return whether it was demoted within the bound
     */
    public boolean awaitHandover(java.time.Duration bound) {
        // demoted before its stop held the writes: the operator can act on the pod's deletion before the kubelet's SIGTERM
        // reaches this step, and the Service still routes here for a moment all the same
        if (bound.isZero() || closed.get() || !(writesHeld.get() || replication.demotedWithin(bound))) {
            return false;
        }
        try {
            io.percore.demo.replication.ReplicationRole now = replication.awaitRole(io.percore.demo.replication.ReplicationRole::replica,
                    System.nanoTime() + bound.toNanos());
            if (now == null) {
                return false;
            }
            int port = respPort();
            long relayFrom = System.nanoTime();
            // the port free for the relay at once: not after the servers' drain (a slow reader holds it up to the
            // graceful-shutdown-timeout) nor the final save (close's next steps), during which it would refuse
            stopListening();
            HandoverRelay relay = null;
            try {
                relay = HandoverRelay.open(port, now.primaryHost(), now.primaryPort());
            } catch (java.io.IOException e) {
                LOG.warn("Not relaying port {} to the new primary {}:{}: {}", port, now.primaryHost(), now.primaryPort(), e.toString());
            }
            try {
                closeServers();
                close();
                if (relay != null) {
                    // at least HANDOVER_RELAY from its opening (it counts as used then), longer while clients use it
                    relay.awaitUnused(HANDOVER_RELAY, relayFrom + HANDOVER_RELAY_MAX.toNanos());
                }
            } finally {
                if (relay != null) {
                    relay.close();
                    LOG.info("Handed over to {}:{}: {} connection(s) relayed there while the Service still routed here",
                            now.primaryHost(), now.primaryPort(), relay.relayed());
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return replication.isReplica();
        }
    }

    /** The RESP server's listeners closed (its port free), its connections left to {@link #closeServers}'s drain. Bounded. */
    private void stopListening() {
        try {
            resp.stopListening().get(LISTENERS_CLOSE_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("The RESP listeners did not close within {}: {}", LISTENERS_CLOSE_BOUND, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.time.Duration LISTENERS_CLOSE_BOUND = java.time.Duration.ofSeconds(5);

    /** {@link #close}'s first step, also the handover's: nothing listens any more. Later calls do nothing. */
    private void closeServers() {
        scripting.killAll(); // a script running now ends at its next check, so no shard holds the stop
        try {
            http.close();
        } finally {
            resp.close();
        }
    }

    /** A shutdown called off: the writes {@link #holdWrites} held run. */
    public void resumeWrites() {
        writesHeld.set(false);
        servers.fromOutside().invokeOnAll(server -> server.pause().unpause()).join();
    }

    /**
     * Closes the servers; then, with save rules (Redis's SIGTERM), saves everything acknowledged
     * within the final save's bound; then the keyspace. Later calls do nothing. Needs the engine
     * still running.
     */
    @Override
    public void close() {
        close(!persistence.settings().save().isEmpty());
    }

    /** {@link #close()}, saving a final snapshot or not whatever the save rules say (SHUTDOWN SAVE|NOSAVE). */
    public void close(boolean finalSave) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeServers();
        } finally {
            try {
                cluster.close(); // no batch of keys half moved: a held batch ends (moved or not) before the shards stop
                replication.closeLink(); // a replica's final save holds what it acknowledged, and says where that is
                persistence.close(finalSave, persistence.settings().finalSaveTimeout());
                replication.close();
                stopWithin(servers, SERVER_STATE_CLOSE_TIMEOUT);
                stopWithin(scripting.shards(), SERVER_STATE_CLOSE_TIMEOUT);
                pubsub.close();
            } finally {
                keyspace.close();
            }
        }
    }
}
