package io.percore.demo.replication;

import io.netty.channel.Channel;
import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.persistence.InfoLines;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.rdb.ReplicationInfo;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Cancellable;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication as a whole (Redis's {@code replication.c}): the role (primary or replica), the
 * replication ids and offsets, the primary's stream and its replicas, the link to a primary, and
 * what INFO replication, ROLE, WAIT and the {@code -READONLY}/{@code -NOREPLICAS} refusals read.
 *
 * <p><b>As a primary</b>, every shard's changes become one stream ({@link ReplicationStream}) from
 * the first replica on (before that, nothing is encoded); a replica is sent a snapshot taken at one
 * point on every shard and the stream from that point, or, when the backlog still holds its offset
 * under this id, the stream from there ({@link ReplicaLink}). <b>As a replica</b>, the
 * {@link PrimaryLink} loads the primary's snapshot and applies its stream on the owning shards,
 * and its bytes are kept as they came, so that the offsets continue the primary's and a replica
 * promoted by {@code REPLICAOF NO ONE} is a primary its former peers can resync with partially
 * (Redis's PSYNC2: the old id becomes {@code master_replid2}).
 *
 * <p>One per service; small state read from every shard (volatile), changed on one control thread.
 */
public final class Replication implements AutoCloseable, PrimaryLink.Host {

    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    public static final String READONLY = "READONLY You can't write against a read only replica.";
    public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
    public static final String MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

    /** Redis's {@code client-output-buffer-limit} of the replica class. */
    public record OutputLimit(long hardBytes, long softBytes, long softSeconds) {
    }

    private final Engine engine;
    private final Keyspace keyspace;
    private final Persistence persistence;
    private final Function<String, CommandReplay> applierFactory;
    private final SnapshotLoader loader;
    private final int shards;
    private final ReplicationBuffer buffer;
    private final ReplicationStream stream;
    private final ReplicaLinks links = new ReplicaLinks();
    private final ReplicaAcks acks;
    private final ExecutorService control;
    private final Cancellable cron;
    private volatile ReplicationSettings settings;
    private volatile OutputLimit outputLimit = new OutputLimit(256L << 20, 64L << 20, 60);
    private volatile Runnable stateChanged = () -> { };
    private volatile int listeningPort;

    // the role and the ids
    /** The role, and a replica's link's phase: changed by REPLICAOF on the control thread and by that link's thread. */
    private final AtomicReference<ReplicationRole> role;
    /** Notified after every change of the role: what waits for one ({@link #awaitRole}). */
    private final Object roleChanged = new Object();
    private volatile ReplicationIds ids = ReplicationIds.fresh();
    /** Every shard's feed into the stream while attached (a primary that had a replica); null before. */
    private volatile ChangeFeed[] feeds;
    private volatile PrimaryLink link;
    private volatile LayoutPrimary layoutPrimary = (host, port) -> null;

    // full syncs
    private final ReplicaSnapshots snapshots;
    private volatile long syncFull;
    private volatile long syncPartialOk;
    private volatile long syncPartialErr;

    /** Empties the keyspace and loads a primary's snapshot (blocking, off the shards; clients get -LOADING meanwhile). */
    @FunctionalInterface
    public interface SnapshotLoader {
        void load(Path rdb) throws IOException;
    }

    private Replication(Engine engine, Keyspace keyspace, Persistence persistence, ReplicationSettings settings,
                        Function<String, CommandReplay> applierFactory, SnapshotLoader loader) {
        this.loader = loader;
        this.engine = engine;
        this.keyspace = keyspace;
        this.persistence = persistence;
        this.settings = settings.withReplicaof(null, 0); // the start's replicaof is the role's, and REPLICAOF changes only that
        this.role = new AtomicReference<>(ReplicationRole.atStart(settings.replicaofHost(), settings.replicaofPort()));
        this.applierFactory = applierFactory;
        this.shards = keyspace.shardCount();
        this.buffer = new ReplicationBuffer(0);
        this.stream = new ReplicationStream(buffer, shards, settings.backlogSize(), TimeUnit.SECONDS.toNanos(settings.pingPeriodSeconds()), links);
        this.snapshots = new ReplicaSnapshots(engine, persistence, stream, shards, () -> this.settings, new ReplicaSnapshots.Source() {
            @Override
            public boolean chained() {
                return role().replica();
            }

            @Override
            public ChangeFeed[] feeds() {
                return feeds;
            }

            @Override
            public void attached(ChangeFeed[] attached) {
                feeds = attached;
            }

            @Override
            public String replid() {
                return ids.replid();
            }
        });
        this.acks = new ReplicaAcks(links, stream, () -> feeds != null, () -> this.settings);
        stream.caughtUp(keyspace.changeClocks(), new OwnStreamPoints(() -> feeds != null, () -> ids.replid(), persistence));
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "percore-replication-control");
            t.setDaemon(true);
            return t;
        });
        this.cron = engine.submitTo(0, () -> Shard.current().scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), this::cron)).join();
        persistence.origin(this::snapshotAt);
        if (role().replica()) {
            // a replica from its first command, as Redis with replicaof in its configuration: the shards' command hooks
            // are made from this role when the servers start (ServerShard.start), whereas startLink's change reaches
            // them a moment later (a GET answered by a replica with replica-serve-stale-data no failed a CI run)
            stream.run(() -> stream.ownStream(false)).join();
        }
    }

    /**
     * Replication for the service; with {@code replicaof} set it starts replicating at once (call
     * after the servers listen, off the shards). {@code applierFactory} makes what applies a
     * primary's stream (the RESP server's {@code StreamReplay}); {@code loader} loads its snapshot.
     */
    public static Replication start(Engine engine, Keyspace keyspace, Persistence persistence, ReplicationSettings settings,
                                    Function<String, CommandReplay> applierFactory, SnapshotLoader loader) {
        return new Replication(engine, keyspace, persistence, settings, applierFactory, loader);
    }

    /** In cluster mode: the id of the node the layout names this server's primary at an address, or null. */
    @FunctionalInterface
    public interface LayoutPrimary {
        String at(String host, int port);
    }

    /** In cluster mode, where the layout has this server's primary ({@link PrimaryLink.Host#layoutPrimaryAt}). */
    public void layoutPrimary(LayoutPrimary lookup) {
        this.layoutPrimary = lookup;
    }

    /** Runs whenever {@link #refusing()} may have changed. */
    public void onStateChange(Runnable listener) {
        this.stateChanged = listener;
    }

    /** The port this server's clients connect to (told to a primary in REPLCONF listening-port). */
    public void listeningPort(int port) {
        this.listeningPort = port;
    }

    /**
     * Takes up where the snapshot (or the append-only file, {@link io.percore.demo.persistence.Persistence#loadedReplication})
     * loaded at start stood in a stream (Redis's {@code loadDataFromDisk}): a replica's link will ask its primary to
     * continue after that offset; a primary keeps
     * the snapshot's id as its second one, valid up to that offset, and keeps a backlog from there, so
     * its replicas continue (after a clean restart: they had everything). Runs while the load still
     * answers {@code -LOADING} ({@link Persistence#load}'s {@code beforeServing}), as Redis restores it
     * before it answers anything: a replica's PSYNC answered before this ran would be told
     * {@code +FULLRESYNC} (no stream yet, nor the former id), and drop everything it had for a full sync.
     */
    public void takeUpLoadedPosition() {
        ReplicationInfo loaded = persistence.loadedReplication();
        if (loaded == null) {
            return;
        }
        if (role().replica()) {
            loadedStreamDb = loaded.streamDb();
            stream.run(() -> {
                ids = ReplicationIds.following(loaded.replid());
                buffer.reset(loaded.offset());
            }).join();
            LOG.info("The keyspace loaded stands at offset {} of {}: the link asks to continue from there",
                    loaded.offset(), loaded.replid());
        } else {
            stream.run(() -> {
                ids = new ReplicationIds(ids.replid(), loaded.replid(), loaded.offset() + 1);
                buffer.reset(loaded.offset());
            }).join();
            attachFeeds();
            LOG.info("The keyspace loaded stands at offset {} of {}: replicas of it may continue (replid2), new replid {}",
                    loaded.offset(), loaded.replid(), ids.replid());
        }
    }

    /**
     * Starts replicating {@code replicaof} when the settings name one (after the servers listen, the
     * keyspace is loaded and {@link #takeUpLoadedPosition} placed it in the stream). Such a server is a
     * replica from its start (its link down until then).
     */
    public void startLink() {
        ReplicationRole r = role.get();
        if (r.replica()) {
            replicaOf(r.primaryHost(), r.primaryPort()).join();
        }
    }

    // ------------------------------------------------------------------ where a snapshot stands in the stream

    /**
     * Persistence's {@link Persistence.SnapshotOrigin}: a replica's snapshot is taken between two
     * commands of the primary's stream, everything before applied and nothing after (the link waits
     * meanwhile), and stands at the link's offset; a primary's is marked in its own stream as a full
     * sync's is, and stands where the mark lands. A primary without a stream (no replica ever)
     * stands nowhere, as Redis's without a backlog.
     */
    private CompletableFuture<ReplicationInfo> snapshotAt(Persistence.SnapshotOrigin.Start start) {
        CompletableFuture<ReplicationInfo> where = new CompletableFuture<>();
        PrimaryLink l = link;
        boolean replica = role().replica();
        if (replica && l != null) {
            // off the shards: the link's thread, or this one while the link applies nothing, waits for the point
            Thread t = new Thread(() -> l.atPoint(at -> {
                try {
                    start.start(null).join();
                    where.complete(at == null ? null : new ReplicationInfo(at.replid(), at.offset(), at.db()));
                } catch (RuntimeException e) {
                    where.complete(null);
                }
            }), "percore-snapshot-point");
            t.setDaemon(true);
            t.start();
            return where;
        }
        ChangeFeed[] attached = feeds;
        if (replica || attached == null) {
            start.start(null);
            where.complete(null);
            return where;
        }
        // feeds are let go (detachFeeds) only while every shard is held, as they are here: one decision for all shards
        java.util.concurrent.atomic.AtomicInteger marking = new java.util.concurrent.atomic.AtomicInteger();
        start.start((state, group, participants) -> {
            marking.compareAndSet(0, feeds == attached ? 1 : 2);
            if (marking.get() != 1) {
                where.complete(null);
                return;
            }
            if (state.shardId() == participants.nextSetBit(0)) {
                // completed on the stream's thread, where the ids change: the id read is the mark's
                stream.markOffset(group).thenAccept(at -> where.complete(new ReplicationInfo(ids.replid(), at)));
            }
            attached[state.shardId()].mark(group, participants);
        }).whenComplete((v, failure) -> {
            if (failure != null) {
                where.complete(null);
            }
        });
        return where.completeOnTimeout(null, 10, TimeUnit.SECONDS);
    }

    public ReplicationSettings settings() {
        return settings;
    }

    /** CONFIG SET of a replication setting (not replicaof: that is {@link #replicaOf}). */
    public void settings(ReplicationSettings next) {
        this.settings = next.withReplicaof(null, 0); // the primary replicated is the role's
        stream.backlogSize(next.backlogSize());
        stream.pingPeriodNanos(TimeUnit.SECONDS.toNanos(next.pingPeriodSeconds()));
        acks.recompute();
        stateChanged.run();
    }

    /** CONFIG SET client-output-buffer-limit's replica class. */
    public void outputLimit(OutputLimit limit) {
        this.outputLimit = limit;
    }

    OutputLimit outputLimit() {
        return outputLimit;
    }

    // ------------------------------------------------------------------ the role

    /** This server's role now: a primary, or a replica of which primary since when. */
    public ReplicationRole role() {
        return role.get();
    }

    public boolean isReplica() {
        return role().replica();
    }

    /**
     * Whether a primary was made a replica by REPLICAOF (an operator's switchover) less than {@code within} ago; a server
     * that started as one, or was promoted since, was not.
     */
    public boolean demotedWithin(java.time.Duration within) {
        return role().demotedWithin(within, System.nanoTime());
    }

    /**
     * REPLICAOF host port: from now on a replica of that primary (writes refused while
     * {@code replica-read-only}); this server's replicas are let go (they resync with it later).
     * Completes once the link is started (not synced: INFO says when).
     */
    public CompletableFuture<Void> replicaOf(String host, int port) {
        return CompletableFuture.runAsync(() -> {
            PrimaryLink old = link;
            if (old != null && old.host().equals(host) && old.port() == port) {
                return; // as Redis: already connected to it
            }
            boolean wasReplica = role().replica();
            ReplicationRole next = changeRole(r -> r.replicaOf(host, port, System.nanoTime()));
            stateChanged.run();
            if (old != null) {
                old.close();
            }
            if (!wasReplica) {
                detachFeeds();
                // from here the stream holds only what the primary sends, so the offsets stay the primary's
                stream.run(() -> stream.ownStream(false)).join();
            }
            links.closeAll("this server became a replica of " + host + ":" + port);
            PrimaryLink made = new PrimaryLink(host, port, this, settings.timeoutSeconds(), phasesOf(next.generation()));
            link = made;
            LOG.info("Connecting to MASTER {}:{}", host, port);
            made.start();
        }, control);
    }

    private ReplicationRole changeRole(java.util.function.UnaryOperator<ReplicationRole> change) {
        ReplicationRole next = role.updateAndGet(change);
        synchronized (roleChanged) {
            roleChanged.notifyAll();
        }
        return next;
    }

    /**
     * Waits until the role is one {@code wanted} accepts, at most until {@code deadlineNanos} ({@link System#nanoTime}): a
     * stopping primary waiting for the operator's REPLICAOF. Off the shards. @return that role, or null at the deadline
     */
    public ReplicationRole awaitRole(java.util.function.Predicate<ReplicationRole> wanted, long deadlineNanos) throws InterruptedException {
        synchronized (roleChanged) {
            ReplicationRole now;
            while (!wanted.test(now = role.get())) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(roleChanged, left);
            }
            return now;
        }
    }

    /**
     * Where the link made for the role of {@code generation} keeps its phase: in the role while it is that link's, and
     * nowhere once a later REPLICAOF or a promotion replaced it (it reads as not connected then).
     */
    private LinkPhases phasesOf(long generation) {
        return new LinkPhases() {
            @Override
            public LinkPhase get() {
                ReplicationRole r = role.get();
                return r.generation() == generation && r.replica() ? r.link() : LinkPhase.CONNECT;
            }

            @Override
            public void set(LinkPhase now) {
                changeRole(r -> r.linked(generation, now));
            }
        };
    }

    /**
     * REPLICAOF NO ONE: a primary again, with the data it has, its offset continued and the old id
     * kept as the second one, so replicas of the same primary can resync partially with it.
     */
    public CompletableFuture<Void> promote() {
        return CompletableFuture.runAsync(() -> {
            PrimaryLink old = link;
            if (!role().replica()) {
                return;
            }
            if (old != null) {
                old.close(); // joins its thread: what it applied is applied, what it kept is in the stream
                link = null;
            }
            // as Redis: its replicas go before the id shifts, so none is sent a byte of the new id's stream as the old's;
            // they continue at once with a partial resync under the new id
            links.closeAllAndWait("this replica became a primary");
            stream.run(() -> {
                ids = ids.shiftedTo(ReplicationIds.newId(), buffer.end() + 1);
                stream.ownStream(true);
            }).join();
            attachFeeds();
            changeRole(ReplicationRole::promoted);
            acks.recompute();
            stateChanged.run();
            ReplicationIds now = ids;
            LOG.info("MASTER MODE enabled (replid {}, the former {} valid up to offset {})", now.replid(), now.replid2(),
                    now.secondReplidOffset());
        }, control);
    }

    private void attachFeeds() {
        ChangeFeed[] made = new ChangeFeed[shards];
        for (int i = 0; i < shards; i++) {
            made[i] = new ChangeFeed(i, stream);
        }
        EveryShard.atOnePoint(engine, keyspace, state -> state.writes().listen(made[state.shardId()]));
        feeds = made;
    }

    private void detachFeeds() {
        ChangeFeed[] attached = feeds;
        if (attached == null) {
            return;
        }
        feeds = null; // before the point: a snapshot beginning meanwhile marks no feed that is being let go
        EveryShard.atOnePoint(engine, keyspace, state -> {
            state.writes().unlisten(attached[state.shardId()]);
            attached[state.shardId()].handOff();
        });
    }

    // ------------------------------------------------------------------ PrimaryLink.Host: this server as a replica

    @Override
    public Path tempDir() {
        return persistence.settings().dir();
    }

    @Override
    public void loadFullSync(Path rdb, String primaryReplid, long offset) throws IOException {
        links.closeAll("this replica is loading a full sync from its primary"); // as Redis: they resync with the new data
        loader.load(rdb);
        stream.run(() -> {
            buffer.reset(offset);
            ids = ReplicationIds.following(primaryReplid);
        }).join();
    }

    /** At most a tick of the link's (it reads the stream again between tries): a slow disk delays acks, not the stream. */
    private static final Duration ACK_LOG_WAIT = Duration.ofMillis(PrimaryLink.TICK_MILLIS);

    @Override
    public boolean appliedIsLogged(PrimaryLink.Cached at) {
        return persistence.awaitSafeAsReplies(ACK_LOG_WAIT, at == null ? null : new ReplicationInfo(at.replid(), at.offset(), at.db()));
    }

    @Override
    public CommandReplay applier(String primaryPeer) {
        return applierFactory.apply(primaryPeer);
    }

    @Override
    public void streamed(byte[] bytes, int off, int len) {
        stream.verbatim(java.util.Arrays.copyOfRange(bytes, off, off + len));
    }

    @Override
    public void linkUp(String primaryReplid, long offset) {
        if (!primaryReplid.equals(ids.replid())) {
            // as Redis: this server's replicas learn the new id with a (partial) resync; they go before any byte under it
            links.closeAllAndWait("the primary's replication id changed");
            // +CONTINUE with a new id (the primary was promoted): the old one stays valid up to here
            stream.run(() -> ids = ids.shiftedTo(primaryReplid, offset + 1)).join();
        }
        stateChanged.run();
    }

    @Override
    public void linkDown() {
        stateChanged.run();
    }

    @Override
    public int databases() {
        return keyspace.databases();
    }

    @Override
    public int listeningPort() {
        return listeningPort;
    }

    @Override
    public String masterUser() {
        return settings.masterUser();
    }

    /** CONFIG GET replicaof: the primary this server replicates, {@code "host port"}, or empty for a primary. */
    public String primaryAddress() {
        return role().replicaofText();
    }

    @Override
    public String masterAuth() {
        return settings.masterAuth();
    }

    @Override
    public String layoutPrimaryAt(String host, int port) {
        return layoutPrimary.at(host, port);
    }

    @Override
    public PrimaryLink.Cached cachedPrimary() {
        return new PrimaryLink.Cached(ids.replid(), buffer.end(), loadedStreamDb);
    }

    /** The database the stream had selected where the snapshot loaded at start stands (its {@code repl-stream-db}). */
    private volatile int loadedStreamDb;

    // ------------------------------------------------------------------ this server as a primary: PSYNC

    /**
     * PSYNC {@code replid} {@code offset} (or SYNC: {@code "?"}, -1) from a connection, on its shard.
     * {@code takeOver} turns the connection into the replica's link (null when it cannot: replies
     * are still outstanding). @return null when the connection is a replica's link now, else the error to answer
     */
    public String psync(Function<ReplicaEvents, Channel> takeOver, SyncRequest asked, String askedId, long askedOffset) {
        ReplicationRole now = role();
        if (now.replica() && !now.streaming()) {
            return "NOMASTERLINK Can't SYNC while not connected with my master";
        }
        ReplicaLink made = new ReplicaLink(this, buffer, asked);
        String ip = asked.ip();
        int port = asked.listeningPort();
        Channel channel = takeOver.apply(made);
        if (channel == null) {
            return "ERR PSYNC with replies outstanding on the connection";
        }
        made.channel(channel);
        long from = askedOffset - 1;
        ReplicationIds history = ids;
        boolean ours = history.continues(askedId, askedOffset);
        // a replica's stream is its primary's, byte for byte: its own replicas continue in it as in the primary's
        if ((feeds != null || role().replica()) && ours && buffer.holds(from)) {
            links.add(made);
            syncPartialOk++;
            LOG.info("Partial resynchronization request from {}:{} accepted: sending {} bytes of backlog from offset {}",
                    ip, port, buffer.end() - from, askedOffset);
            made.continueFrom(from, history.replid());
            return null;
        }
        if (!"?".equals(askedId)) {
            syncPartialErr++;
        }
        syncFull++;
        LOG.info("Replica {}:{} asks for synchronization: full resync ({})", ip, port,
                "?".equals(askedId) ? "it has no data" : ours ? "its offset " + askedOffset + " is not in the backlog"
                        : "replication id " + askedId + " is not this server's");
        made.awaitSnapshot(buffer.end());
        links.add(made);
        snapshots.request(made);
        return null;
    }

    /** A replica's link closed (its shard). */
    void removed(ReplicaLink l) {
        links.remove(l);
        stream.trimSoon();
        snapshots.removed(l);
        acks.recompute();
        acks.answerWaits();
    }

    // ------------------------------------------------------------------ WAIT and min-replicas

    /**
     * WAIT {@code numReplicas} {@code timeoutMillis} on a shard thread: how many replicas applied
     * every change made on any shard before it, once {@code numReplicas} have or the time is up
     * (0: no time limit).
     */
    public ShardFuture<Long> waitForReplicas(int numReplicas, long timeoutMillis) {
        return acks.waitFor(numReplicas, timeoutMillis);
    }

    /**
     * The server stops (its drain began): every WAIT is answered now with what the replicas acknowledged, as at its timeout,
     * and a WAIT run from now on does not wait. Any thread; once.
     */
    public void answerWaitsNow() {
        acks.answerAllNow();
    }

    /** An ack arrived (a shard thread). */
    void acked() {
        acks.acked();
    }

    /** Shard 0, once a second: the replicas' keep-alives, limits and timeouts; min-replicas; full syncs that waited. */
    private void cron() {
        long timeout = settings.timeoutSeconds() * 1000L;
        links.tick(timeout);
        acks.cron();
        snapshots.start();
    }

    // ------------------------------------------------------------------ what commands and INFO read

    /**
     * Whether commands may be refused now ({@link #refusal}): a read-only replica, a replica whose link is not up
     * while {@code replica-serve-stale-data} is no, or a primary with {@code min-replicas-to-write}: its good
     * replicas expire by the clock, so every write asks ({@link ReplicaAcks#enough}), not a flag set once a second.
     */
    public boolean refusing() {
        boolean replica = role().replica();
        return (replica && (settings.replicaReadOnly() || (!settings.serveStaleData() && !linkUp())))
                || (!replica && settings.minReplicasToWrite() > 0);
    }

    /**
     * The refusal of a command from a client, or null: {@code write} whether it may write, {@code staleOk} whether a
     * replica without its link answers it all the same (Redis's {@code stale} flag). In Redis's order: -NOREPLICAS,
     * -READONLY, then -MASTERDOWN.
     */
    public String refusal(boolean write, boolean staleOk) {
        String refused = writeRefusal(write);
        return refused != null ? refused : staleRefusal(staleOk);
    }

    /** {@code -NOREPLICAS} for a write below min-replicas-to-write, {@code -READONLY} for one on a read-only replica, or null. */
    public String writeRefusal(boolean write) {
        if (!write) {
            return null;
        }
        if (!role().replica()) {
            return acks.enough() ? null : NOREPLICAS;
        }
        return settings.replicaReadOnly() ? READONLY : null;
    }

    /** {@code -MASTERDOWN} on a replica whose link is not up, with replica-serve-stale-data no, for a command not {@code staleOk}; or null. */
    public String staleRefusal(boolean staleOk) {
        return !staleOk && role().replica() && !settings.serveStaleData() && !linkUp() ? MASTERDOWN : null;
    }

    /** The refusal of a write from a client, or null (a caller that runs only keyspace commands: scripts). */
    public String refusal(boolean write) {
        return refusal(write, true);
    }

    /**
     * Why this server should not be sent reads now, or null when it may: a replica whose link to its primary is not up
     * holds the data of some past moment (none at all before its first sync), so the Services that spread reads leave
     * it out until its link streams again (the readiness a kubelet asks; INFO replication's link fields say the same:
     * {@link ReplicationReport}).
     */
    public String unservedBecause() {
        return role().replica() ? ReplicationReport.unservedBecause(moment()) : null;
    }

    /** Whether this server, a replica, streams from its primary now. */
    private boolean linkUp() {
        return role().streaming();
    }

    /** INFO replication's fields, as Redis 7.0 writes them ({@link ReplicationReport}). */
    public void info(InfoLines out) {
        ReplicationReport.info(moment(), out);
    }

    /** The state INFO and ROLE report, read once. */
    private ReplicationReport.Moment moment() {
        ReplicationRole r = role.get();
        ReplicationSettings s = settings;
        // the good replicas are counted only where INFO shows them, as before (a clock read per online replica)
        int good = !r.replica() && s.minReplicasToWrite() > 0 ? acks.good() : 0;
        return new ReplicationReport.Moment(r, s, link, links.now(), good, ids, feeds != null || r.replica(),
                buffer.start(), buffer.end());
    }

    /** INFO stats' replication counters: sync_full, sync_partial_ok, sync_partial_err. */
    public long[] syncCounters() {
        return new long[] {syncFull, syncPartialOk, syncPartialErr};
    }

    /** ROLE's reply, as plain values (the command encodes them; {@link ReplicationReport}). */
    public List<Object> roleReply() {
        return ReplicationReport.role(moment());
    }

    /** How many replicas are connected ({@code connected_slaves}). */
    public int replicaCount() {
        return links.size();
    }

    /** INFO memory's {@code mem_total_replication_buffers}: the stream's bytes held for the backlog and the replicas. */
    public long bufferBytes() {
        return buffer.held();
    }

    /** The stream's end, this server's {@code master_repl_offset}. */
    public long offset() {
        return buffer.end();
    }

    public String replid() {
        return ids.replid();
    }

    // ------------------------------------------------------------------ closing

    /** Replicas that are sent the stream now (not those waiting for or loading a full sync). */
    public int onlineReplicas() {
        return acks.online();
    }

    /** Whether a shutdown would wait for replicas: a primary with replicas online and a shutdown-timeout. */
    public boolean shutdownWaitsForReplicas() {
        return !role().replica() && feeds != null && settings.shutdownTimeoutSeconds() > 0 && onlineReplicas() > 0;
    }

    /**
     * Redis 7's {@code shutdown-timeout}: a primary about to stop (its clients' writes held by the
     * caller) waits, at most that long, until every replica online has acknowledged every change
     * made on any shard, so a replica promoted once it is gone has every acknowledged write. A
     * replica, a primary without replicas online, or a timeout of 0 waits for nothing. Off the
     * shards. @return whether every replica caught up (a lagging one is logged)
     */
    public boolean awaitReplicasBeforeShutdown(java.util.function.BooleanSupplier aborted) {
        int seconds = settings.shutdownTimeoutSeconds();
        int online = onlineReplicas();
        if (role().replica() || feeds == null || online == 0 || seconds == 0) {
            return true;
        }
        LOG.info("Waiting for {} replicas before shutting down (shutdown-timeout {} s)", online, seconds);
        return acks.awaitBeforeShutdown(engine, online, seconds, aborted, buffer::end);
    }

    /**
     * A replica stops applying its primary's stream (the first step of a shutdown): the final save
     * then holds exactly what it acknowledged, and stands at that offset, and the append-only file's
     * last line says so ({@link PrimaryLink#closeSayingWhereItStops}). Off the shards.
     */
    public void closeLink() {
        PrimaryLink l = link;
        if (l != null) {
            l.closeSayingWhereItStops();
        }
    }

    @Override
    public void close() {
        cron.cancel();
        PrimaryLink l = link;
        if (l != null) {
            l.close();
        }
        links.closeAll("the server is shutting down");
        stream.close(2000);
        control.shutdownNow();
    }
}
