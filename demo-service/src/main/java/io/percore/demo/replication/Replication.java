package io.percore.demo.replication;

import io.netty.channel.Channel;
import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.persistence.CommandReplay;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Cancellable;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
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
    private static final String NO_ID = "0000000000000000000000000000000000000000";
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String READONLY = "READONLY You can't write against a read only replica.";
    public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    /** Redis's {@code client-output-buffer-limit} of the replica class. */
    public record OutputLimit(long hardBytes, long softBytes, long softSeconds) {
    }

    private final Engine engine;
    private final Keyspace keyspace;
    private final Persistence persistence;
    private final Supplier<CommandReplay> applierFactory;
    private final SnapshotLoader loader;
    private final int shards;
    private final ReplicationBuffer buffer;
    private final ReplicationStream stream;
    private final List<ReplicaLink> links = new CopyOnWriteArrayList<>();
    private final ExecutorService control;
    private final Cancellable cron;
    private volatile ReplicationSettings settings;
    private volatile OutputLimit outputLimit = new OutputLimit(256L << 20, 64L << 20, 60);
    private volatile Runnable stateChanged = () -> { };
    private volatile int listeningPort;

    // the role and the ids
    private volatile boolean replica;
    private volatile String replid = newId();
    private volatile String replid2 = NO_ID;
    private volatile long secondReplidOffset = -1;
    /** Every shard's feed into the stream while attached (a primary that had a replica); null before. */
    private volatile ChangeFeed[] feeds;
    private volatile PrimaryLink link;
    private volatile boolean enoughReplicas = true;

    // full syncs
    private final Object syncLock = new Object();
    private FullSync current;
    private final List<ReplicaLink> waitingForSnapshot = new ArrayList<>();
    private final ConcurrentLinkedQueue<Wait> waits = new ConcurrentLinkedQueue<>();
    private volatile long syncFull;
    private volatile long syncPartialOk;
    private volatile long syncPartialErr;

    /** Empties the keyspace and loads a primary's snapshot (blocking, off the shards; clients get -LOADING meanwhile). */
    @FunctionalInterface
    public interface SnapshotLoader {
        void load(Path rdb) throws IOException;
    }

    private Replication(Engine engine, Keyspace keyspace, Persistence persistence, ReplicationSettings settings,
                        Supplier<CommandReplay> applierFactory, SnapshotLoader loader) {
        this.loader = loader;
        this.engine = engine;
        this.keyspace = keyspace;
        this.persistence = persistence;
        this.settings = settings;
        this.applierFactory = applierFactory;
        this.shards = keyspace.shardCount();
        this.buffer = new ReplicationBuffer(0);
        this.stream = new ReplicationStream(buffer, shards, settings.backlogSize(), TimeUnit.SECONDS.toNanos(settings.pingPeriodSeconds()),
                new ReplicationStream.Readers() {
                    @Override
                    public void appended() {
                        for (ReplicaLink l : links) {
                            l.appended();
                        }
                    }

                    @Override
                    public long needed() {
                        long min = Long.MAX_VALUE;
                        for (ReplicaLink l : links) {
                            min = Math.min(min, l.needed());
                        }
                        return min;
                    }

                    @Override
                    public boolean any() {
                        return !links.isEmpty();
                    }
                });
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "percore-replication-control");
            t.setDaemon(true);
            return t;
        });
        this.cron = engine.submitTo(0, () -> Shard.current().scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), this::cron)).join();
    }

    /**
     * Replication for the service; with {@code replicaof} set it starts replicating at once (call
     * after the servers listen, off the shards). {@code applierFactory} makes what applies a
     * primary's stream (the RESP server's {@code StreamReplay}); {@code loader} loads its snapshot.
     */
    public static Replication start(Engine engine, Keyspace keyspace, Persistence persistence, ReplicationSettings settings,
                                    Supplier<CommandReplay> applierFactory, SnapshotLoader loader) {
        return new Replication(engine, keyspace, persistence, settings, applierFactory, loader);
    }

    /** Runs whenever {@link #refusing()} may have changed. */
    public void onStateChange(Runnable listener) {
        this.stateChanged = listener;
    }

    /** The port this server's clients connect to (told to a primary in REPLCONF listening-port). */
    public void listeningPort(int port) {
        this.listeningPort = port;
    }

    /** Starts replicating {@code replicaof} when the settings name one (after the servers listen). */
    public void startLink() {
        ReplicationSettings s = settings;
        if (s.replicaofHost() != null) {
            replicaOf(s.replicaofHost(), s.replicaofPort()).join();
        }
    }

    public ReplicationSettings settings() {
        return settings;
    }

    /** CONFIG SET of a replication setting (not replicaof: that is {@link #replicaOf}). */
    public void settings(ReplicationSettings next) {
        ReplicationSettings now = settings;
        this.settings = next.withReplicaof(now.replicaofHost(), now.replicaofPort()); // REPLICAOF's, not the start's
        stream.backlogSize(next.backlogSize());
        stream.pingPeriodNanos(TimeUnit.SECONDS.toNanos(next.pingPeriodSeconds()));
        recomputeGoodReplicas();
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

    public boolean isReplica() {
        return replica;
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
            boolean wasReplica = replica;
            replica = true;
            settings = settings.withReplicaof(host, port);
            stateChanged.run();
            if (old != null) {
                old.close();
            }
            if (!wasReplica) {
                detachFeeds();
                // from here the stream holds only what the primary sends, so the offsets stay the primary's
                stream.run(() -> stream.ownStream(false)).join();
            }
            dropReplicas("this server became a replica of " + host + ":" + port);
            PrimaryLink made = new PrimaryLink(host, port, this, settings.timeoutSeconds());
            link = made;
            LOG.info("Connecting to MASTER {}:{}", host, port);
            made.start();
        }, control);
    }

    /**
     * REPLICAOF NO ONE: a primary again, with the data it has, its offset continued and the old id
     * kept as the second one, so replicas of the same primary can resync partially with it.
     */
    public CompletableFuture<Void> promote() {
        return CompletableFuture.runAsync(() -> {
            PrimaryLink old = link;
            if (!replica) {
                return;
            }
            if (old != null) {
                old.close(); // joins its thread: what it applied is applied, what it kept is in the stream
                link = null;
            }
            stream.run(() -> {
                replid2 = replid;
                secondReplidOffset = buffer.end() + 1;
                replid = newId();
                stream.ownStream(true);
            }).join();
            settings = settings.withReplicaof(null, 0);
            attachFeeds();
            replica = false;
            recomputeGoodReplicas();
            stateChanged.run();
            LOG.info("MASTER MODE enabled (replid {}, the former {} valid up to offset {})", replid, replid2, secondReplidOffset);
        }, control);
    }

    private void attachFeeds() {
        ChangeFeed[] made = new ChangeFeed[shards];
        for (int i = 0; i < shards; i++) {
            made[i] = new ChangeFeed(i, stream);
        }
        atOnePoint(state -> state.writes().listen(made[state.shardId()]));
        feeds = made;
    }

    private void detachFeeds() {
        ChangeFeed[] attached = feeds;
        if (attached == null) {
            return;
        }
        atOnePoint(state -> {
            state.writes().unlisten(attached[state.shardId()]);
            attached[state.shardId()].handOff();
        });
        feeds = null;
    }

    /**
     * Runs {@code action} on every shard while one transaction of its own holds them all (off the
     * shards; blocks): a feed attached or detached there never sees a part of a transaction
     * without its other parts, which would hold the stream's order for ever.
     */
    private void atOnePoint(java.util.function.Consumer<io.percore.demo.shard.ShardState> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.submitTo(0, () -> {
            long group = keyspace.local().nextGroupId();
            Keyspace bound = keyspace.boundTo(group);
            java.util.BitSet every = new java.util.BitSet();
            every.set(0, shards);
            bound.reserveInOrder(every)
                    .flatMap(held -> bound.mapReduce(state -> {
                        action.accept(state);
                        return 0;
                    }, 0, Integer::sum))
                    .whenComplete((v, failure) -> {
                        bound.releaseAll(every);
                        if (failure != null) {
                            done.completeExceptionally(failure);
                        } else {
                            done.complete(null);
                        }
                    });
            return null;
        });
        done.join();
    }

    private void dropReplicas(String why) {
        for (ReplicaLink l : links) {
            l.closeFromAnyThread(why);
        }
    }

    // ------------------------------------------------------------------ PrimaryLink.Host: this server as a replica

    @Override
    public Path tempDir() {
        return persistence.settings().dir();
    }

    @Override
    public void loadFullSync(Path rdb, String primaryReplid, long offset) throws IOException {
        loader.load(rdb);
        stream.run(() -> {
            buffer.reset(offset);
            replid = primaryReplid;
            replid2 = NO_ID;
            secondReplidOffset = -1;
        }).join();
    }

    @Override
    public CommandReplay applier() {
        return applierFactory.get();
    }

    @Override
    public void streamed(byte[] bytes, int off, int len) {
        stream.verbatim(java.util.Arrays.copyOfRange(bytes, off, off + len));
    }

    @Override
    public void linkUp(String primaryReplid, long offset) {
        if (!primaryReplid.equals(replid)) {
            // +CONTINUE with a new id (the primary was promoted): the old one stays valid up to here
            stream.run(() -> {
                replid2 = replid;
                secondReplidOffset = offset + 1;
                replid = primaryReplid;
            }).join();
        }
        stateChanged.run();
    }

    @Override
    public void linkDown() {
        stateChanged.run();
    }

    @Override
    public int listeningPort() {
        return listeningPort;
    }

    @Override
    public String masterUser() {
        return settings.masterUser();
    }

    @Override
    public String masterAuth() {
        return settings.masterAuth();
    }

    @Override
    public PrimaryLink.Cached cachedPrimary() {
        return new PrimaryLink.Cached(replid, buffer.end());
    }

    // ------------------------------------------------------------------ this server as a primary: PSYNC

    /**
     * PSYNC {@code replid} {@code offset} (or SYNC: {@code "?"}, -1) from a connection, on its shard.
     * {@code takeOver} turns the connection into the replica's link (null when it cannot: replies
     * are still outstanding). @return null when the connection is a replica's link now, else the error to answer
     */
    public String psync(Function<ReplicaEvents, Channel> takeOver, long clientId, String ip, int port, String askedId, long askedOffset) {
        if (replica) {
            return "ERR this server is a replica: a replica of a replica is not supported (connect to the primary)";
        }
        ReplicaLink made = new ReplicaLink(this, buffer, clientId, ip, port);
        Channel channel = takeOver.apply(made);
        if (channel == null) {
            return "ERR PSYNC with replies outstanding on the connection";
        }
        made.channel(channel);
        long from = askedOffset - 1;
        boolean ours = askedId.equals(replid) || (askedId.equals(replid2) && askedOffset <= secondReplidOffset);
        if (feeds != null && ours && buffer.holds(from)) {
            links.add(made);
            syncPartialOk++;
            LOG.info("Partial resynchronization request from {}:{} accepted: sending {} bytes of backlog from offset {}",
                    ip, port, buffer.end() - from, askedOffset);
            made.continueFrom(from, replid);
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
        synchronized (syncLock) {
            if (current != null && !current.fileDone) {
                current.links.add(made);
                if (current.offset >= 0) {
                    made.snapshotPoint(replid, current.offset);
                }
                return null;
            }
            waitingForSnapshot.add(made);
        }
        startFullSync();
        return null;
    }

    /** One snapshot for the replicas waiting for it. */
    private static final class FullSync {
        final List<ReplicaLink> links = new ArrayList<>();
        volatile long offset = -1;
        boolean fileDone;
    }

    /** On a shard thread: a snapshot for the waiting replicas, unless one is made or another save runs (the cron asks again). */
    private void startFullSync() {
        FullSync sync;
        synchronized (syncLock) {
            if (current != null || waitingForSnapshot.isEmpty()) {
                return;
            }
            sync = new FullSync();
            sync.links.addAll(waitingForSnapshot);
            waitingForSnapshot.clear();
            current = sync;
        }
        ChangeFeed[] attached = feeds != null ? feeds : new ChangeFeed[shards];
        boolean attaching = feeds == null;
        CompletableFuture<FileChannel> file = persistence.saveForReplication((state, group, participants) -> {
            ChangeFeed feed = attached[state.shardId()];
            if (feed == null) {
                feed = new ChangeFeed(state.shardId(), stream);
                attached[state.shardId()] = feed;
                state.writes().listen(feed);
            }
            if (state.shardId() == participants.nextSetBit(0)) {
                stream.markOffset(group).thenAccept(offset -> pointReached(sync, offset));
            }
            feed.mark(group, participants);
        });
        if (file == null) {
            synchronized (syncLock) {
                waitingForSnapshot.addAll(0, sync.links);
                current = null;
            }
            return;
        }
        if (attaching) {
            feeds = attached; // every shard attaches at the point; the array is complete once the save's begin is done
        }
        file.whenComplete((opened, failure) -> snapshotDone(sync, opened, failure));
    }

    private void pointReached(FullSync sync, long offset) {
        List<ReplicaLink> told;
        synchronized (syncLock) {
            sync.offset = offset;
            told = new ArrayList<>(sync.links);
        }
        for (ReplicaLink l : told) {
            l.snapshotPoint(replid, offset);
        }
    }

    private void snapshotDone(FullSync sync, FileChannel opened, Throwable failure) {
        List<ReplicaLink> sent;
        synchronized (syncLock) {
            sync.fileDone = true;
            current = null;
            sent = new ArrayList<>(sync.links);
        }
        if (failure != null) {
            LOG.error("The snapshot for {} replicas failed", sent.size(), failure);
            sent.forEach(l -> l.snapshotFailed(failure));
        } else {
            SharedFile shared = new SharedFile(opened, sent.size());
            sent.forEach(l -> l.snapshotReady(shared));
        }
        engine.shard(0).execute(this::startFullSync); // replicas that came meanwhile
    }

    /** The snapshot's file, read by each replica at its own position, closed when the last is done. */
    static final class SharedFile {
        final FileChannel channel;
        private final java.util.concurrent.atomic.AtomicInteger readers;

        SharedFile(FileChannel channel, int readers) {
            this.channel = channel;
            this.readers = new java.util.concurrent.atomic.AtomicInteger(readers);
            if (readers == 0) {
                release(0);
            }
        }

        void release() {
            release(readers.decrementAndGet());
        }

        private void release(int left) {
            if (left == 0) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }

    /** A replica's link closed (its shard). */
    void removed(ReplicaLink l) {
        links.remove(l);
        stream.trimSoon();
        synchronized (syncLock) {
            waitingForSnapshot.remove(l);
        }
        recomputeGoodReplicas();
        answerWaits();
    }

    // ------------------------------------------------------------------ WAIT and min-replicas

    private static final class Wait {
        final Shard shard;
        final ShardPromise<Long> promise;
        final int wanted;
        volatile long offset = -1;
        final AtomicBoolean done = new AtomicBoolean();

        Wait(Shard shard, int wanted) {
            this.shard = shard;
            this.promise = new ShardPromise<>(shard);
            this.wanted = wanted;
        }
    }

    /**
     * WAIT {@code numReplicas} {@code timeoutMillis} on a shard thread: how many replicas applied
     * every change made on any shard before it, once {@code numReplicas} have or the time is up
     * (0: no time limit).
     */
    public ShardFuture<Long> waitForReplicas(int numReplicas, long timeoutMillis) {
        Wait w = new Wait(Shard.current(), numReplicas);
        if (feeds == null) {
            // no replica ever: nothing to wait for but the time
            if (numReplicas <= 0) {
                return ShardFuture.completed(0L);
            }
            w.offset = Long.MAX_VALUE;
        } else {
            stream.offsetAfter(stream.createdNow(), offset -> {
                w.offset = offset;
                stream.requestAcks();
                check(w);
            });
        }
        waits.add(w);
        if (timeoutMillis > 0) {
            w.shard.schedule(Duration.ofMillis(timeoutMillis), () -> finish(w));
        }
        return w.promise;
    }

    /** An ack arrived (a shard thread). */
    void acked() {
        answerWaits();
    }

    private void answerWaits() {
        for (Wait w : waits) {
            check(w);
        }
    }

    private void check(Wait w) {
        if (w.offset >= 0 && acknowledged(w.offset) >= w.wanted) {
            finish(w);
        }
    }

    private void finish(Wait w) {
        if (w.done.compareAndSet(false, true)) {
            waits.remove(w);
            long count = w.offset < 0 ? 0 : acknowledged(w.offset);
            w.shard.execute(() -> w.promise.complete(count));
        }
    }

    private long acknowledged(long offset) {
        long n = 0;
        for (ReplicaLink l : links) {
            if (l.state() == ReplicaLink.State.ONLINE && l.ackOffset() >= offset) {
                n++;
            }
        }
        return n;
    }

    private int goodReplicas() {
        long now = System.currentTimeMillis();
        long maxLag = settings.minReplicasMaxLag() * 1000L;
        int n = 0;
        for (ReplicaLink l : links) {
            if (l.state() == ReplicaLink.State.ONLINE && now - l.ackMillis() <= maxLag) {
                n++;
            }
        }
        return n;
    }

    private void recomputeGoodReplicas() {
        ReplicationSettings s = settings;
        boolean enough = s.minReplicasToWrite() == 0 || goodReplicas() >= s.minReplicasToWrite();
        if (enough != enoughReplicas) {
            enoughReplicas = enough;
            stateChanged.run();
        }
    }

    /** Shard 0, once a second: the replicas' keep-alives, limits and timeouts; min-replicas; full syncs that waited. */
    private void cron() {
        long timeout = settings.timeoutSeconds() * 1000L;
        for (ReplicaLink l : links) {
            l.tickFromAnyThread(timeout);
        }
        recomputeGoodReplicas();
        startFullSync();
    }

    // ------------------------------------------------------------------ what commands and INFO read

    /** Whether commands may be refused now ({@link #refusal}): a read-only replica, or too few good replicas. */
    public boolean refusing() {
        return (replica && settings.replicaReadOnly()) || (!replica && !enoughReplicas);
    }

    /** The refusal of a write from a client, or null. */
    public String refusal(boolean write) {
        if (!write) {
            return null;
        }
        if (replica && settings.replicaReadOnly()) {
            return READONLY;
        }
        if (!replica && !enoughReplicas) {
            return NOREPLICAS;
        }
        return null;
    }

    /** INFO replication's fields, as Redis 7.0 writes them. */
    public void info(Persistence.InfoLines out) {
        PrimaryLink l = link;
        ReplicationSettings s = settings;
        out.line("role", replica ? "slave" : "master");
        if (replica) {
            out.line("master_host", s.replicaofHost());
            out.line("master_port", s.replicaofPort());
            if (l != null) {
                l.info(out);
            } else {
                out.line("master_link_status", "down");
            }
            out.line("slave_priority", 100);
            out.line("slave_read_only", s.replicaReadOnly() ? 1 : 0);
            out.line("replica_announced", 1);
        }
        List<ReplicaLink> now = new ArrayList<>(links);
        out.line("connected_slaves", now.size());
        if (!replica && s.minReplicasToWrite() > 0) {
            out.line("min_slaves_good_slaves", goodReplicas());
        }
        long nowMillis = System.currentTimeMillis();
        for (int i = 0; i < now.size(); i++) {
            ReplicaLink r = now.get(i);
            out.line("slave" + i, "ip=" + r.ip() + ",port=" + r.listeningPort() + ",state=" + r.state().text + ",offset="
                    + Math.max(0, r.ackOffset()) + ",lag=" + (nowMillis - r.ackMillis()) / 1000);
        }
        out.line("master_failover_state", "no-failover");
        out.line("master_replid", replid);
        out.line("master_replid2", replid2);
        out.line("master_repl_offset", replica && l != null ? l.offset() : buffer.end());
        out.line("second_repl_offset", secondReplidOffset);
        boolean active = feeds != null || replica;
        long end = buffer.end();
        long histlen = Math.min(end - buffer.start(), s.backlogSize()); // the rest is held for replicas behind it, as Redis's buffers
        out.line("repl_backlog_active", active ? 1 : 0);
        out.line("repl_backlog_size", s.backlogSize());
        out.line("repl_backlog_first_byte_offset", active ? end - histlen + 1 : 0);
        out.line("repl_backlog_histlen", active ? histlen : 0);
    }

    /** INFO stats' replication counters: sync_full, sync_partial_ok, sync_partial_err. */
    public long[] syncCounters() {
        return new long[] {syncFull, syncPartialOk, syncPartialErr};
    }

    /** ROLE's reply, as plain values (the command encodes them). */
    public List<Object> role() {
        List<Object> out = new ArrayList<>();
        if (replica) {
            PrimaryLink l = link;
            out.add("slave");
            out.add(settings.replicaofHost());
            out.add((long) settings.replicaofPort());
            out.add(l != null ? l.roleState() : "connect");
            out.add(l != null ? l.offset() : -1L);
            return out;
        }
        out.add("master");
        out.add(buffer.end());
        List<Object> replicas = new ArrayList<>();
        for (ReplicaLink r : links) {
            replicas.add(List.of(r.ip(), Long.toString(r.listeningPort()), Long.toString(Math.max(0, r.ackOffset()))));
        }
        out.add(replicas);
        return out;
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
        return replid;
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        cron.cancel();
        PrimaryLink l = link;
        if (l != null) {
            l.close();
        }
        for (ReplicaLink r : links) {
            r.closeFromAnyThread("the server is shutting down");
        }
        stream.close(2000);
        control.shutdownNow();
    }

    private static String newId() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
