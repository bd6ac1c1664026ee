package io.percore.demo.persistence;

import io.percore.demo.feed.CommandReplay;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.rdb.RdbFileWriter;
import io.percore.demo.rdb.ReplicationInfo;
import io.percore.demo.resp.RespError;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Cancellable;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyspace on disk, as Redis's {@code rdb.c} and {@code serverCron} keep it: the snapshot file
 * loaded at start, SAVE and BGSAVE ({@link SnapshotSave}: one at a time), the save rules checked ten
 * times a second, the final save at shutdown, and what INFO persistence, LASTSAVE and the
 * {@code -MISCONF}/{@code -LOADING} refusals read. One per service; its small state is read from
 * every shard (volatile fields), the work itself runs on the shards and one writer thread.
 */
public final class Persistence implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Persistence.class);

    /** How often the save rules are checked (Redis's serverCron at hz 10). */
    static final Duration CRON_PERIOD = Duration.ofMillis(100);
    /** After a failed background save, the rules try again only after this long (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
    static final long RETRY_DELAY_SECONDS = 5;

    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist"
            + " to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors"
            + " during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details"
            + " about the RDB error.";
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";

    private final Engine engine;
    private final Keyspace keyspace;
    private volatile PersistenceSettings settings;
    private final ExecutorService writer;
    private final AtomicReference<SnapshotSave> running = new AtomicReference<>();
    private final AppendOnlyFile aof;
    /** Per shard, its store's change count when the last successful save began: INFO's changes since are counted from it. */
    private final AtomicLongArray savedDirty;
    private volatile Runnable stateChanged = () -> { };
    private volatile Cancellable cron;
    private boolean cronBusy; // shard 0's

    private final DataLoad load;

    private volatile boolean bgsaveScheduled;
    private volatile long lastSaveSeconds = System.currentTimeMillis() / 1000;
    private volatile boolean lastBgsaveOk = true;
    private volatile long lastBgsaveTrySeconds;
    private volatile long lastBgsaveSeconds = -1;
    private volatile long lastSaveLongestSliceNanos;
    private volatile long lastSaveLongestSliceCpuNanos;
    private volatile long saves;
    private final java.util.concurrent.atomic.AtomicLong snapshotsBegun = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private volatile SnapshotOrigin origin;
    private final ShutdownCommand shutdown = new ShutdownCommand();

    private Persistence(Engine engine, Keyspace keyspace, PersistenceSettings settings) {
        this.engine = engine;
        this.keyspace = keyspace;
        this.settings = settings;
        this.savedDirty = new AtomicLongArray(keyspace.shardCount());
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "percore-rdb-writer");
            t.setDaemon(true);
            return t;
        });
        this.aof = new AppendOnlyFile(engine, keyspace, settings.dir(), settings.aof(), () -> stateChanged.run());
        this.load = new DataLoad(keyspace, aof, () -> this.settings, why -> engine.submitTo(0, () -> startRewrite(why)).join(),
                () -> closed, () -> stateChanged.run(), this::countFromHere);
    }

    /**
     * Persistence for {@code keyspace} in {@code settings.dir()}, which is created if missing and must be
     * writable; the save rules start being checked at once. If a snapshot file is there, the service
     * is {@link #loading()} until {@link #load} read it.
     *
     * @throws IllegalArgumentException naming {@code percore.demo.persistence.dir} when the directory cannot be used
     */
    public static Persistence start(Engine engine, Keyspace keyspace, PersistenceSettings settings) {
        Path dir = settings.dir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("percore.demo.persistence.dir=" + dir + ": cannot create it (" + e + ")", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("percore.demo.persistence.dir=" + dir.toAbsolutePath()
                    + ": not a directory this process can write to");
        }
        removeStaleTemporaryFiles(settings);
        Persistence p = new Persistence(engine, keyspace, settings);
        if (settings.aof().enabled()) {
            Path aofDir = p.aof.dir();
            try {
                Files.createDirectories(aofDir);
                p.aof.removeLeftovers();
            } catch (IOException e) {
                throw new IllegalArgumentException("percore.demo.persistence.dir=" + dir.toAbsolutePath() + ": cannot use "
                        + aofDir.toAbsolutePath() + " for the append-only file (" + e + ")", e);
            }
        }
        p.cron = engine.submitTo(0, () -> Shard.current().scheduleAtFixedRate(CRON_PERIOD, CRON_PERIOD, p::cron)).join();
        return p;
    }

    /** A process killed while it saved leaves its temporary file behind: removed at the next start. */
    private static void removeStaleTemporaryFiles(PersistenceSettings settings) {
        try {
            RdbFileWriter.removeLeftovers(settings.snapshotFile())
                    .forEach(f -> LOG.info("Removed {}, left by a save that did not finish", f.toAbsolutePath()));
        } catch (IOException e) {
            LOG.warn("Could not look for unfinished saves in {}", settings.dir().toAbsolutePath(), e);
        }
    }

    /** Runs whenever {@link #refusing()} may have changed (the servers recompute their command hooks). */
    public void onStateChange(Runnable listener) {
        this.stateChanged = listener;
    }

    public PersistenceSettings settings() {
        return settings;
    }

    /** CONFIG SET of save or stop-writes-on-bgsave-error. */
    public void settings(PersistenceSettings next) {
        PersistenceSettings before = this.settings;
        this.settings = next;
        aof.settings(next.aof());
        if (next.aof().enabled() && !before.aof().enabled() && aof.writer() == null) {
            // Redis's startAppendOnly: a rewrite makes the base, and logging starts at its point
            if (startRewrite("CONFIG SET appendonly yes") == null) {
                aof.scheduleRewrite();
            }
        } else if (!next.aof().enabled() && before.aof().enabled()) {
            Thread t = new Thread(() -> aof.stop(Duration.ofSeconds(30)), "percore-aof-stop");
            t.setDaemon(true);
            t.start();
        }
        stateChanged.run();
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads what a start loads (blocking; off the shard threads, before the service counts as
     * started): with the append-only file on and present, its base and incremental files (the
     * commands run through {@code replay}); otherwise the snapshot file if there is one, and then,
     * with the append-only file on, its first base is written from what was loaded before anyone
     * writes. Until it returns, commands get {@code -LOADING}: {@code beforeServing} runs last, once
     * the keyspace is there and before any command is answered (the replication's position in the
     * stream, which a replica's PSYNC must find in place).
     *
     * @throws IllegalStateException naming the file, the offset and the reason when a file cannot be loaded
     */
    public void load(ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set, CommandReplay replay, Runnable beforeServing) {
        load.atStart(zset, hash, set, replay, beforeServing);
    }

    /**
     * A replica's full sync (Redis's {@code readSyncBulkPayload}: {@code emptyData}, then
     * {@code rdbLoad}): commands get {@code -LOADING} meanwhile; every shard's store is emptied
     * (watched keys are touched, as FLUSHALL's; nothing is reported to the write path: the
     * emptying and the keys loaded are no client's change, so neither the append-only file nor a
     * stream sees them), then {@code rdb} is loaded, each key to the shard owning it. With the
     * append-only file on, a rewrite starts at once (Redis restarts its AOF after a sync), so its
     * base is the keyspace just loaded. Blocking; off the shard threads.
     *
     * @throws IOException when the file cannot be read or loaded (the keyspace is left empty)
     */
    public void replaceFromSnapshot(Path rdb, ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set) throws IOException {
        load.replaceFromSnapshot(rdb, zset, hash, set);
    }

    /** The gate on shard {@code shard}'s replies while the append-only file is on (see {@link ReplyGate}). */
    public ReplyGate replyGate(int shard) {
        return aof.gate(shard);
    }

    /**
     * Off the shards, before a replica's {@code REPLCONF ACK}: waits, at most {@code bound}, until every change made so far
     * is as safe in the append-only file as a reply's changes are when it leaves (at once without the file). @return
     * whether they are (else the ack waits for a later turn)
     */
    public boolean awaitSafeAsReplies(Duration bound) {
        AofWriter w = aof.writer();
        return w == null || w.awaitSafeAsReplies(bound.toNanos());
    }

    /**
     * As {@link #awaitSafeAsReplies(Duration)} for a replica whose link applied exactly the stream up to {@code at} (it
     * waits meanwhile): the append-only file is told where that is, and with appendfsync always the wait covers its
     * annotation too, so a replica killed after it acknowledged comes back from the file saying where it stands.
     */
    public boolean awaitSafeAsReplies(Duration bound, ReplicationInfo at) {
        AofWriter w = aof.writer();
        if (w == null) {
            return true;
        }
        long[] clocks = new long[keyspace.shardCount()];
        if (at == null || !keyspace.changeClocks().between(clocks)) {
            return w.awaitSafeAsReplies(bound.toNanos());
        }
        ReplicationPoint point = new ReplicationPoint(at, clocks);
        w.position(point);
        return w.awaitSafeAsReplies(bound.toNanos(), point);
    }

    /**
     * The replication stream (a primary's own) carried every change the shards had made when their clocks read
     * {@code point}'s, up to its offset: the append-only file says so once it holds the same ({@link ReplicationAnnotation}).
     * On the stream's thread.
     */
    public void streamCaughtUp(ReplicationPoint point) {
        AofWriter w = aof.writer();
        if (w != null) {
            w.position(point);
        }
    }

    public boolean loading() {
        return load.loading();
    }

    /** What is in the keyspace now counts as saved (after a start's load): INFO's changes since the last save start here. */
    private void countFromHere() {
        for (int i = 0; i < keyspace.shardCount(); i++) {
            int shard = i;
            savedDirty.set(shard, keyspace.beforeServing(shard, st -> st.databases().dirty()).join());
        }
        lastSaveSeconds = System.currentTimeMillis() / 1000;
    }

    /**
     * Where the keyspace loaded at start stood in a replication stream, or null: the snapshot's {@code repl-id} and
     * {@code repl-offset}, or the append-only file's last annotation when no command follows it
     * ({@link ReplicationAnnotation}; Redis 7.0's file does not say).
     */
    public ReplicationInfo loadedReplication() {
        return load.loadedReplication();
    }

    // ------------------------------------------------------------------ saving

    /**
     * BGSAVE [SCHEDULE], on a shard thread: the status reply. Inside a transaction, whose shards it
     * could not hold, the save is scheduled for the next cron tick after it, as Redis schedules a
     * BGSAVE in MULTI. (SCHEDULE matters only beside another background job: there is none here.)
     *
     * @throws RespError when a save is running already
     */
    public String bgsave(boolean inTransaction) {
        SnapshotSave now = running.get();
        if (now != null && now.rewrite()) {
            if (inTransaction) {
                bgsaveScheduled = true;
                return "Background saving scheduled";
            }
            throw new RespError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order"
                    + " to schedule a BGSAVE whenever possible.");
        }
        if (now != null) {
            throw alreadyInProgress();
        }
        if (inTransaction) {
            bgsaveScheduled = true;
            return "Background saving scheduled";
        }
        if (startSave("BGSAVE") == null) {
            throw alreadyInProgress(); // another shard's started first
        }
        return "Background saving started";
    }

    /** SAVE, on a shard thread: completes when the file is in place. @throws RespError when a save is running already */
    public ShardFuture<Void> save() {
        CompletableFuture<SnapshotSave.Result> save = startSave("SAVE");
        if (save == null) {
            throw alreadyInProgress();
        }
        return ShardFuture.fromStage(save).map(r -> (Void) null);
    }

    private static RespError alreadyInProgress() {
        return new RespError("ERR Background save already in progress");
    }

    /** Starts a save on a shard thread; null when one is running already. */
    private CompletableFuture<SnapshotSave.Result> startSave(String why) {
        SnapshotSave save = new SnapshotSave(keyspace, SnapshotSave.Target.file(settings.snapshotFile()), writer);
        if (!running.compareAndSet(null, save)) {
            return null;
        }
        snapshotsBegun.incrementAndGet();
        bgsaveScheduled = false;
        lastBgsaveTrySeconds = System.currentTimeMillis() / 1000;
        LOG.info("Saving the keyspace to {} ({})", settings.snapshotFile().toAbsolutePath(), why);
        // what waits for the save (SAVE's reply, SHUTDOWN, FLUSHALL) waits for its outcome to be in force too:
        // after a failure the shards' -MISCONF hooks are queued before any reply goes back to a shard
        CompletableFuture<SnapshotSave.Result> handled = save.done().whenComplete((result, failure) -> saved(save, result, failure));
        beginAtOrigin(save);
        return handled;
    }

    /**
     * Where this server's snapshots stand in a replication stream, so that a server restarted from
     * one asks its primary to continue rather than to send everything (Redis's
     * {@code rdbPopulateSaveInfo}); set by replication. Without one, saves carry nothing.
     */
    public interface SnapshotOrigin {
        /**
         * Begins a snapshot where the stream stands still: calls {@code start} (from any thread, at once or
         * later), with what to run on every shard at the snapshot's point, and completes with where
         * that point is in the stream, or null when it is in none.
         */
        CompletableFuture<ReplicationInfo> begin(Start start);

        /** Starts a save with {@code atPoint} run on every shard at its point; completes once every shard has its point. */
        @FunctionalInterface
        interface Start {
            CompletableFuture<Void> start(SnapshotPoint atPoint);
        }
    }

    /** Sets where saves stand in a replication stream (null: nowhere). */
    public void origin(SnapshotOrigin origin) {
        this.origin = origin;
    }

    /** Begins {@code save} where the origin says; completes with where that is (null: nowhere). */
    private CompletableFuture<ReplicationInfo> beginAtOrigin(SnapshotSave save) {
        SnapshotOrigin o = origin;
        CompletableFuture<ReplicationInfo> where = new CompletableFuture<>();
        if (o == null) {
            save.begin();
            where.complete(null);
            return where;
        }
        save.replication(where);
        CompletableFuture<ReplicationInfo> asked;
        try {
            asked = o.begin(atPoint -> {
                if (Shard.currentOrNull() != null) {
                    save.begin(atPoint);
                } else {
                    engine.shard(0).execute(() -> save.begin(atPoint));
                }
                return save.began();
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not place the save in the replication stream; it is saved without its offset", e);
            where.complete(null);
            save.begin();
            return where;
        }
        asked.whenComplete((info, failure) -> where.complete(failure == null ? info : null));
        return where;
    }

    /** A replication save begins at {@code point} (a primary's, marked in its stream), or where the origin says (a replica's). */
    private void beginForReplication(SnapshotSave save, SnapshotPoint point, java.util.function.Consumer<ReplicationInfo> where) {
        if (point != null) {
            save.begin();
        } else {
            beginAtOrigin(save).thenAccept(where);
        }
    }

    /** What runs on each shard at a snapshot's point, while its transaction {@code group} holds them all. */
    @FunctionalInterface
    public interface SnapshotPoint {
        void at(io.percore.demo.shard.KeyspaceShard state, long group, java.util.BitSet participants);
    }

    /**
     * A save for replicas (Redis's BGSAVE for SYNC with a disk target): the snapshot file, saved as
     * BGSAVE saves it, with {@code point} run on every shard at the snapshot's point (where the
     * replication stream is marked); without one (a replica's snapshot for a replica of its own), where
     * the origin places it, told to {@code where}. On a shard thread. Completes with the file opened
     * for reading before anything else may replace it; null when a save or a rewrite runs (ask again later).
     */
    public CompletableFuture<java.nio.channels.FileChannel> saveForReplication(SnapshotPoint point,
                                                                              java.util.function.Consumer<ReplicationInfo> where) {
        Path file = settings.snapshotFile();
        SnapshotSave save = new SnapshotSave(keyspace, SnapshotSave.Target.file(file), writer, point, false);
        if (!running.compareAndSet(null, save)) {
            return null;
        }
        snapshotsBegun.incrementAndGet();
        bgsaveScheduled = false;
        lastBgsaveTrySeconds = System.currentTimeMillis() / 1000;
        LOG.info("Starting BGSAVE for SYNC with target: disk ({})", file.toAbsolutePath());
        CompletableFuture<java.nio.channels.FileChannel> opened = new CompletableFuture<>();
        save.done().whenComplete((result, failure) -> {
            if (failure == null) {
                try {
                    opened.complete(java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ));
                } catch (IOException e) {
                    opened.completeExceptionally(e);
                }
            } else {
                opened.completeExceptionally(failure);
            }
            saved(save, result, failure); // frees the slot: only after the file is open, so no later save replaces it first
        });
        beginForReplication(save, point, where);
        return opened;
    }

    /**
     * A diskless full sync's snapshot (Redis's {@code rdbSaveToSlavesSockets}): saved as BGSAVE saves,
     * with {@code point} run on every shard at its point (or, without one, where the origin places it,
     * told to {@code where}), but written to {@code sink} by the save's
     * writer thread (which {@code sink} may keep waiting while its readers catch up) and closed there
     * once whole. It is no save of the keyspace: LASTSAVE, the last save's status and {@code -MISCONF}
     * stay as they were, as with Redis's socket target. On a shard thread. Completes with the bytes
     * written; null when a save or a rewrite runs (ask again later).
     */
    public CompletableFuture<Long> saveToStream(SnapshotPoint point, java.util.function.Consumer<ReplicationInfo> where,
                                                java.io.OutputStream sink) {
        SnapshotSave save = new SnapshotSave(keyspace,
                (created, used, sizes, replication) -> RdbFileWriter.toStream(sink, created, used, sizes, replication),
                writer, point, false);
        if (!running.compareAndSet(null, save)) {
            return null;
        }
        snapshotsBegun.incrementAndGet();
        LOG.info("Starting BGSAVE for SYNC with target: replicas sockets");
        CompletableFuture<Long> sent = save.done().handle((result, failure) -> {
            running.compareAndSet(save, null);
            if (failure != null) {
                throw failure instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(failure);
            }
            return result.bytes();
        });
        beginForReplication(save, point, where);
        return sent;
    }

    // ------------------------------------------------------------------ the append-only file's rewrite

    /**
     * BGREWRITEAOF, on a shard thread: the status reply. Beside a running save (or inside a
     * transaction) it is scheduled for when that is over, as Redis schedules it.
     *
     * @throws RespError when a rewrite is running already
     */
    public String bgrewriteaof(boolean inTransaction) {
        if (aof.rewriting()) {
            throw new RespError("ERR Background append only file rewriting already in progress");
        }
        if (inTransaction || running.get() != null) {
            aof.scheduleRewrite();
            return "Background append only file rewriting scheduled";
        }
        if (startRewrite("BGREWRITEAOF") == null) {
            aof.scheduleRewrite();
            return "Background append only file rewriting scheduled";
        }
        return "Background append only file rewriting started";
    }

    /**
     * Starts a rewrite on a shard thread (Redis's rewriteAppendOnlyFileBackground): a snapshot into
     * the next base file, taken at one point on every shard, where later changes start going to a
     * new incremental file; the manifest names both once the base is in place. Null when a save
     * or a rewrite is running already.
     */
    private CompletableFuture<Long> startRewrite(String why) {
        if (running.get() != null) {
            return null;
        }
        AofManifest.AofFile base;
        try {
            base = aof.nextBase();
        } catch (IOException e) {
            aof.rewriteFailed(e);
            return CompletableFuture.failedFuture(e);
        }
        // the slot is taken before the file is turned on: a writer opened for a rewrite that then did not run would log nothing
        SnapshotPoint[] atBegin = new SnapshotPoint[1];
        SnapshotSave save = new SnapshotSave(keyspace, SnapshotSave.Target.file(aof.dir().resolve(base.name())), writer,
                (state, group, participants) -> atBegin[0].at(state, group, participants));
        if (!running.compareAndSet(null, save)) {
            return null;
        }
        snapshotsBegun.incrementAndGet();
        try {
            atBegin[0] = aof.prepareRewrite();
        } catch (IOException e) {
            running.set(null);
            aof.rewriteFailed(e);
            return CompletableFuture.failedFuture(e);
        }
        LOG.info("Background append only file rewriting started ({}): the base will be {}", why, aof.dir().resolve(base.name()));
        CompletableFuture<Long> done = save.done().thenCompose(r -> aof.finishRewrite(base));
        save.done().whenComplete((r, failure) -> {
            if (failure != null) {
                aof.rewriteFailed(failure);
            }
        });
        CompletableFuture<Long> over = done.whenComplete((size, failure) -> running.compareAndSet(save, null));
        save.begin();
        return over;
    }

    private void saved(SnapshotSave save, SnapshotSave.Result result, Throwable failure) {
        boolean wasOk = lastBgsaveOk;
        if (failure == null) {
            for (int i = 0; i < result.dirtyAtStart().length; i++) {
                savedDirty.set(i, result.dirtyAtStart()[i]);
            }
            lastSaveSeconds = System.currentTimeMillis() / 1000;
            lastBgsaveSeconds = Math.round(result.millis() / 1000.0);
            lastSaveLongestSliceNanos = result.longestSliceNanos();
            lastSaveLongestSliceCpuNanos = result.longestSliceCpuNanos();
            lastBgsaveOk = true;
            saves++;
            LOG.info("Saved {} keys to {} ({} bytes) in {} ms; the longest slice on a shard took {} µs ({} µs of its CPU)",
                    result.keys(), settings.snapshotFile().toAbsolutePath(), result.bytes(), result.millis(),
                    result.longestSliceNanos() / 1000, result.longestSliceCpuNanos() / 1000);
        } else {
            lastBgsaveOk = false;
            lastBgsaveSeconds = (System.currentTimeMillis() - save.startedAtMillis() + 500) / 1000;
            LOG.error("Saving the keyspace to {} failed{}", settings.snapshotFile().toAbsolutePath(),
                    settings.stopWritesOnBgsaveError() && !settings.save().isEmpty()
                            ? ": writes are refused (-MISCONF) until a save succeeds (stop-writes-on-bgsave-error yes)" : "",
                    failure);
        }
        running.set(null);
        if (wasOk != lastBgsaveOk) {
            stateChanged.run();
        }
    }

    /** Shard 0, every {@link #CRON_PERIOD}: a scheduled BGSAVE, or the save rules (Redis's serverCron). */
    private void cron() {
        PersistenceSettings s = settings;
        if (cronBusy || running.get() != null || load.loading() || closed) {
            return;
        }
        if (aof.rewriteScheduled() || aof.autoRewriteDue()) {
            startRewrite(aof.rewriteScheduled() ? "scheduled" : "the file grew past auto-aof-rewrite-percentage");
            return;
        }
        if (!bgsaveScheduled && s.save().isEmpty()) {
            return;
        }
        if (bgsaveScheduled) {
            startSave("scheduled BGSAVE");
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        if (!lastBgsaveOk && now - lastBgsaveTrySeconds <= RETRY_DELAY_SECONDS) {
            return;
        }
        cronBusy = true;
        keyspace.mapReduce(st -> st.databases().dirty() - savedDirty.get(st.shardId()), 0L, Long::sum).whenComplete((changes, err) -> {
            cronBusy = false;
            long elapsed = System.currentTimeMillis() / 1000 - lastSaveSeconds;
            if (err == null && !closed && settings.save().due(changes, elapsed)) {
                startSave(changes + " changes in " + elapsed + " seconds");
            }
        });
    }

    /**
     * After FLUSHALL, with save rules (Redis's flushAllDataAndResetRDB): the empty keyspace is saved
     * at once, after a save running now, so a restart does not bring the flushed keys back. On a
     * shard thread; completes when the file is written or the save failed (FLUSHALL's reply does
     * not depend on it, as Redis's does not).
     */
    public ShardFuture<Void> saveAfterFlush() {
        if (settings.save().isEmpty()) {
            return ShardFuture.completed(null);
        }
        return afterRunningSave().flatMap(v -> {
            CompletableFuture<SnapshotSave.Result> save = startSave("FLUSHALL");
            return save == null ? ShardFuture.completed(null) : ShardFuture.fromStage(save.handle((r, e) -> (Void) null));
        });
    }

    private ShardFuture<Void> afterRunningSave() {
        SnapshotSave before = running.get();
        return before == null ? ShardFuture.completed(null) : ShardFuture.fromStage(before.done().handle((r, e) -> (Void) null));
    }

    /** What SHUTDOWN does once it saved (or was told not to): stops the service, and the process with it where there is one. */
    public void onShutdownCommand(Runnable exit) {
        shutdown.exit(exit);
    }

    /**
     * Snapshots begun in the background since start, of any kind (saves, rewrites' bases, full syncs):
     * INFO's {@code total_forks}, each of them a fork in Redis.
     */
    public long snapshotsBegun() {
        return snapshotsBegun.get();
    }

    /** Sets what a SHUTDOWN does before it saves. */
    public void shutdownPrelude(ShutdownPrelude prelude) {
        shutdown.prelude(prelude);
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE], on a shard thread: holds writes and, unless NOW, waits for
     * the replicas ({@link ShutdownPrelude}); then saves when asked, or when there are save rules and
     * NOSAVE was not given (after a save running now); then stops the service on a thread of its own.
     * Completes with false when the save failed and FORCE was not given, or SHUTDOWN ABORT came while
     * it waited: the service stays up and writes go on, as Redis's.
     */
    public ShardFuture<Boolean> shutdown(boolean save, boolean nosave, boolean force, boolean now) {
        boolean saving = save || (!nosave && !settings.save().isEmpty());
        return ShardFuture.fromStage(shutdown.run(saving, force, now, this::finalSave));
    }

    /** SHUTDOWN ABORT: calls off a SHUTDOWN that waits for its replicas. @return whether one was waiting */
    public boolean abortShutdown() {
        return shutdown.abort();
    }

    /** Off the shards: waits for a save running now, then saves. @return whether the save succeeded */
    private CompletableFuture<Boolean> finalSave() {
        SnapshotSave before = running.get();
        CompletableFuture<Object> free = before == null ? CompletableFuture.completedFuture(null) : before.done().handle((r, e) -> null);
        return free.thenCompose(v -> engine.submitTo(0, () -> startSave("SHUTDOWN")))
                .thenCompose(last -> last == null ? CompletableFuture.completedFuture(false) : last.handle((r, e) -> e == null));
    }

    // ------------------------------------------------------------------ what commands and INFO read

    /** LASTSAVE: when the last successful save ended (or the service started), in Unix seconds. */
    public long lastSaveSeconds() {
        return lastSaveSeconds;
    }

    /** Whether commands are refused now: loading, or writes after a failed save ({@link #refusal}). */
    public boolean refusing() {
        return load.loading() || refusingWrites() || aof.writeError() != null;
    }

    private boolean refusingWrites() {
        PersistenceSettings s = settings;
        return !lastBgsaveOk && s.stopWritesOnBgsaveError() && !s.save().isEmpty();
    }

    /** {@code -LOADING} for a command not allowed while the data is loading, or null. */
    public String loadingRefusal(boolean okWhileLoading) {
        return load.loading() && !okWhileLoading ? LOADING : null;
    }

    /** {@code -MISCONF} for a write (or PING, as Redis) after a failed save or append-only write, or null. */
    public String writeRefusal(boolean writeOrPing) {
        if (writeOrPing && refusingWrites()) {
            return MISCONF;
        }
        String aofError = aof.writeError();
        if (writeOrPing && aofError != null) {
            return "MISCONF Errors writing to the AOF file: " + aofError;
        }
        return null;
    }

    /** {@code rdb_changes_since_last_save}'s part of the shard whose store has changed {@code dirty} times. */
    public long changesSinceSave(int shard, long dirty) {
        return Math.max(0, dirty - savedDirty.get(shard));
    }

    /** INFO persistence, Redis 7.0's fields; {@code changes} is the sum of {@link #changesSinceSave} over the shards. */
    public void info(long changes, InfoLines out) {
        SnapshotSave save = running.get();
        long now = System.currentTimeMillis();
        load.info(out);
        out.line("current_cow_peak", 0);
        out.line("current_cow_size", 0);
        out.line("current_cow_size_age", 0);
        out.line("current_fork_perc", "0.00");
        out.line("current_save_keys_processed", save == null ? 0 : save.keysSaved());
        out.line("current_save_keys_total", 0);
        load.infoWhileLoading(out);
        out.line("rdb_changes_since_last_save", changes);
        out.line("rdb_bgsave_in_progress", save == null ? 0 : 1);
        out.line("rdb_last_save_time", lastSaveSeconds);
        out.line("rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        out.line("rdb_last_bgsave_time_sec", lastBgsaveSeconds);
        out.line("rdb_current_bgsave_time_sec", save == null ? -1 : (now - save.startedAtMillis()) / 1000);
        out.line("rdb_saves", saves);
        out.line("rdb_last_cow_size", 0);
        load.infoLastLoad(out);
        // a shard's longest slice of the last save: wall time (what a client waited), and on the shard's CPU clock
        out.line("rdb_last_save_longest_slice_usec", lastSaveLongestSliceNanos / 1000);
        out.line("rdb_last_save_longest_slice_cpu_usec", lastSaveLongestSliceCpuNanos / 1000);
        aof.info(out);
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Stops the save rules; with {@code finalSave} (SIGTERM with save rules, SHUTDOWN SAVE) waits for
     * a running save and then saves once more, everything acknowledged so far, within {@code bound}.
     * Needs the engine running. Returns false when the final save failed or did not finish in time.
     */
    public boolean close(boolean finalSave, Duration bound) {
        if (closed) {
            return true;
        }
        closed = true;
        long deadline = System.nanoTime() + bound.toNanos();
        boolean ok = true;
        try {
            Cancellable c = cron;
            if (c != null) {
                engine.submitTo(0, () -> {
                    c.cancel();
                    return null;
                }).get(remaining(deadline), TimeUnit.NANOSECONDS);
            }
            SnapshotSave before = running.get();
            if (before != null) {
                before.done().handle((r, e) -> null).get(remaining(deadline), TimeUnit.NANOSECONDS);
            }
            // the servers are closed: every change is made; the log forced to the disk whatever appendfsync says
            if (!aof.stop(Duration.ofNanos(remaining(deadline)))) {
                ok = false;
            }
            if (finalSave && !shutdown.decided()) {
                LOG.info("Saving the final snapshot before shutdown");
                CompletableFuture<SnapshotSave.Result> last = engine.submitTo(0, () -> startSave("shutdown"))
                        .get(remaining(deadline), TimeUnit.NANOSECONDS);
                if (last == null) {
                    ok = false;
                } else {
                    last.get(remaining(deadline), TimeUnit.NANOSECONDS);
                }
            }
        } catch (TimeoutException e) {
            LOG.error("The final save did not finish within {} ms: the last complete snapshot stays in place", bound.toMillis());
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("The final save failed: the last complete snapshot stays in place", e.getCause());
            ok = false;
        } finally {
            writer.shutdown();
        }
        return ok;
    }

    /** Closes without a final save (an abandoned start). */
    @Override
    public void close() {
        close(false, Duration.ofSeconds(10));
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
