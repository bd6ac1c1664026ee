package io.percore.demo.persistence;

import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Engine;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only file as a whole (Redis's {@code aof.c}): where it lives ({@code dir/appenddirname}),
 * loading it at start, turning it on and off, the rewrite's two ends (its point on every shard,
 * its manifest when the new base is in place), and what INFO shows. The work is done by each
 * shard's {@link ChangeFeed}, the {@link AofWriter} thread and {@link SnapshotSave} (the base of a
 * rewrite is a snapshot in RDB format, as Redis's {@code aof-use-rdb-preamble yes}).
 */
final class AppendOnlyFile {

    private static final Logger LOG = LoggerFactory.getLogger(AppendOnlyFile.class);

    private final Engine engine;
    private final Keyspace keyspace;
    /** Replacements of the keyspace outside the log so far, and how many of them the running rewrite began after. */
    private volatile long voids;
    private volatile long rewriteCovers;
    private final int shards;
    private final Path dir;
    private final ReplyGate[] gates;
    private volatile AofSettings settings;
    private final Runnable statusChanged;
    private volatile AofWriter writer;
    /** The feeds of the writer: attached to the shards' write paths at load, or at the point of the rewrite that turns the file on. */
    private volatile ChangeFeed[] feeds;

    // the rewrite, Redis's fields
    private volatile long rewriteStartedMillis = -1;
    private volatile boolean rewriteScheduled;
    private volatile long lastRewriteSeconds = -1;
    private volatile boolean lastRewriteOk = true;
    private volatile long rewrites;
    private volatile long consecutiveFailures;

    AppendOnlyFile(Engine engine, Keyspace keyspace, Path persistenceDir, AofSettings settings, Runnable statusChanged) {
        this.engine = engine;
        this.keyspace = keyspace;
        this.shards = keyspace.shardCount();
        this.dir = persistenceDir.resolve(settings.dirname());
        this.settings = settings;
        this.statusChanged = statusChanged;
        this.gates = new ReplyGate[shards];
        for (int i = 0; i < shards; i++) {
            gates[i] = new ReplyGate(i, () -> writer);
        }
    }

    Path dir() {
        return dir;
    }

    AofSettings settings() {
        return settings;
    }

    Path manifestFile() {
        return dir.resolve(AofManifest.manifestName(settings.filename()));
    }

    boolean exists() {
        return Files.isRegularFile(manifestFile());
    }

    /** The writer while the file is on, else null. */
    AofWriter writer() {
        return writer;
    }

    ReplyGate gate(int shard) {
        return gates[shard];
    }

    /** CONFIG SET of appendfsync and the rewrite thresholds (appendonly itself goes through {@link Persistence}). */
    void settings(AofSettings next) {
        this.settings = next;
        AofWriter w = writer;
        if (w != null && w.fsync() != next.fsync()) {
            w.fsync(next.fsync());
        }
    }

    // ------------------------------------------------------------------ start

    /** Removes what a crash can leave: temporary files, and files of the log that the manifest no longer names. */
    void removeLeftovers() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> named = new HashSet<>();
        named.add(AofManifest.manifestName(settings.filename()));
        if (exists()) {
            AofManifest m = AofManifest.read(manifestFile());
            if (m.base() != null) {
                named.add(m.base().name());
            }
            m.incrs().forEach(f -> named.add(f.name()));
        }
        String prefix = settings.filename() + ".";
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("temp-") || (name.startsWith(prefix) && !named.contains(name))) {
                    Files.deleteIfExists(f);
                    LOG.info("Removed {}, left by a rewrite or a save that did not finish", f.toAbsolutePath());
                }
            }
        }
    }

    /** Loads the log named by the manifest (off the shards, before anyone is served), then logs every change from now on. */
    AofLoad.Result load(CommandReplay replay, ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set) throws IOException {
        AofManifest manifest = AofManifest.read(manifestFile());
        AofLoad.Result r = AofLoad.load(dir, manifest, settings.loadTruncated(), keyspace, replay, zset, hash, set);
        writer = AofWriter.open(dir, settings.filename(), manifest, settings.fsync(), shards, this::wake, statusChanged, false)
                .annotating(keyspace.changeClocks());
        ChangeFeed[] made = feedsOf(writer);
        keyspace.listen(shard -> made[shard]);
        feeds = made;
        statusChanged.run();
        return r;
    }

    private ChangeFeed[] feedsOf(AofWriter w) {
        ChangeFeed[] made = new ChangeFeed[shards];
        for (int i = 0; i < shards; i++) {
            made[i] = new ChangeFeed(i, w);
        }
        return made;
    }

    private void wake(int shard) {
        ReplyGate gate = gates[shard];
        engine.shard(shard).execute(gate::wake);
    }

    // ------------------------------------------------------------------ turning on, rewriting

    /**
     * Before a rewrite's snapshot begins (on a shard thread): what each shard does at its point.
     * With the file on, later changes go to the next incremental file; turning it on, a writer on
     * a fresh incremental file (named in the manifest only when the rewrite ends) and every shard's
     * feed attached there; with the file off (BGREWRITEAOF), nothing: only the files are made.
     */
    Persistence.SnapshotPoint prepareRewrite() throws IOException {
        Files.createDirectories(dir);
        Persistence.SnapshotPoint atBegin;
        AofWriter w = writer;
        if (w == null && settings.enabled()) {
            AofManifest onDisk = exists() ? AofManifest.read(manifestFile()) : AofManifest.EMPTY;
            w = AofWriter.open(dir, settings.filename(), onDisk, settings.fsync(), shards, this::wake, statusChanged, true)
                    .annotating(keyspace.changeClocks());
            ChangeFeed[] made = feedsOf(w);
            writer = w;
            feeds = made;
            atBegin = (state, group, participants) -> state.writes().listen(made[state.shardId()]);
        } else if (w == null) {
            atBegin = (state, group, participants) -> { };
        } else {
            ChangeFeed[] attached = feeds;
            atBegin = (state, group, participants) -> attached[state.shardId()].mark(group, participants);
        }
        rewriteStartedMillis = System.currentTimeMillis();
        rewriteScheduled = false;
        rewriteCovers = voids;
        return atBegin;
    }

    /** The next base's name: after the one the writer's manifest (or the one on disk) names. */
    AofManifest.AofFile nextBase() throws IOException {
        AofWriter w = writer;
        AofManifest m = w != null ? w.manifest() : exists() ? AofManifest.read(manifestFile()) : AofManifest.EMPTY;
        return m.nextBase(settings.filename());
    }

    /**
     * The rewrite's snapshot is in place as {@code base} (any thread): the manifest names it and the
     * incremental files since its point, the older files go. Without a writer (BGREWRITEAOF with the
     * file off) an empty incremental file goes with it, as Redis makes.
     */
    CompletableFuture<Long> finishRewrite(AofManifest.AofFile base) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        AofWriter w = writer;
        if (w != null) {
            w.control(() -> w.finishRewrite(base, done));
        } else {
            try {
                AofManifest onDisk = exists() ? AofManifest.read(manifestFile()) : AofManifest.EMPTY;
                AofManifest next = onDisk.withNewIncr(settings.filename());
                FileChannel.open(dir.resolve(next.lastIncr().name()), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING).close();
                AofManifest rewritten = next.rewritten(base, next.lastIncr().seq());
                rewritten.withoutHistory().write(dir, settings.filename());
                rewritten.history().forEach(f -> AofWriter.deleteQuietly(dir.resolve(f.name())));
                done.complete(Files.size(dir.resolve(base.name())));
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }
        long covers = rewriteCovers;
        return done.whenComplete((size, failure) -> {
            if (failure == null && w != null && covers == voids) {
                w.positionsValidAgain();
            }
            rewriteEnded(failure);
        });
    }

    /**
     * The keyspace is being replaced outside the log (a full sync loads): the file says no replication position until
     * a rewrite that begins after this has ended ({@link AofWriter#voidPositions}).
     */
    void voidPositions() {
        voids++;
        AofWriter w = writer;
        if (w != null) {
            w.voidPositions();
        }
    }

    /** A rewrite failed before its base was in place; turning the file on, it is tried again (Redis's AOF_WAIT_REWRITE). */
    void rewriteFailed(Throwable failure) {
        rewriteEnded(failure);
        if (writer != null && !exists()) {
            rewriteScheduled = true;
        }
    }

    private void rewriteEnded(Throwable failure) {
        long started = rewriteStartedMillis;
        lastRewriteSeconds = started < 0 ? 0 : (System.currentTimeMillis() - started + 500) / 1000;
        rewriteStartedMillis = -1;
        if (failure == null) {
            lastRewriteOk = true;
            consecutiveFailures = 0;
            rewrites++;
            LOG.info("Background AOF rewrite finished successfully ({})", manifestFile().toAbsolutePath());
        } else {
            lastRewriteOk = false;
            consecutiveFailures++;
            LOG.error("Background AOF rewrite failed", failure);
        }
    }

    boolean rewriting() {
        return rewriteStartedMillis >= 0;
    }

    void scheduleRewrite() {
        rewriteScheduled = true;
    }

    boolean rewriteScheduled() {
        return rewriteScheduled;
    }

    /** Whether the file grew past the automatic rewrite's thresholds (Redis's serverCron check). */
    boolean autoRewriteDue() {
        AofWriter w = writer;
        AofSettings s = settings;
        if (w == null || s.autoRewritePercentage() == 0) {
            return false;
        }
        long size = w.currentSize();
        long base = Math.max(1, w.rewriteBaseSize());
        return size > s.autoRewriteMinSize() && (size - base) * 100 / base >= s.autoRewritePercentage();
    }

    // ------------------------------------------------------------------ turning off, closing

    /**
     * Stops logging (off the shards): every shard's feed detached and handed over, the writer
     * forced and closed within {@code bound}. Replies waiting for the file go out.
     * @return whether everything logged is on the disk
     */
    boolean stop(Duration bound) {
        AofWriter w = writer;
        if (w == null) {
            return true;
        }
        ChangeFeed[] attached = feeds;
        long deadline = System.nanoTime() + bound.toNanos();
        for (int i = 0; i < shards; i++) {
            int shard = i;
            try {
                keyspace.beforeServing(shard, st -> {
                    ChangeFeed feed = attached != null ? attached[shard] : null;
                    if (feed != null) {
                        st.writes().unlisten(feed);
                        feed.handOff();
                    }
                    return null;
                }).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.warn("Shard {} did not hand over its last changes to the append-only file in time", shard, e);
            }
        }
        boolean ok = w.close(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        writer = null;
        feeds = null;
        for (int i = 0; i < shards; i++) {
            wake(i);
        }
        statusChanged.run();
        if (!ok) {
            LOG.error("The append-only file could not be forced to the disk before it closed: {}", w.writeError());
        }
        return ok;
    }

    // ------------------------------------------------------------------ what INFO and the refusals read

    /** The last write's or fsync's error while the file is on, else null. */
    String writeError() {
        AofWriter w = writer;
        return w == null ? null : w.writeError();
    }

    void info(InfoLines out) {
        AofWriter w = writer;
        long now = System.currentTimeMillis();
        long started = rewriteStartedMillis;
        out.line("aof_enabled", w != null ? 1 : 0);
        out.line("aof_rewrite_in_progress", started >= 0 ? 1 : 0);
        out.line("aof_rewrite_scheduled", rewriteScheduled ? 1 : 0);
        out.line("aof_last_rewrite_time_sec", lastRewriteSeconds);
        out.line("aof_current_rewrite_time_sec", started >= 0 ? (now - started) / 1000 : -1);
        out.line("aof_last_bgrewrite_status", lastRewriteOk ? "ok" : "err");
        out.line("aof_rewrites", rewrites);
        out.line("aof_rewrites_consecutive_failures", consecutiveFailures);
        out.line("aof_last_write_status", w == null || w.writeError() == null ? "ok" : "err");
        out.line("aof_last_cow_size", 0);
        out.line("module_fork_in_progress", 0);
        out.line("module_fork_last_cow_size", 0);
        if (w != null) {
            out.line("aof_current_size", w.currentSize());
            out.line("aof_base_size", w.rewriteBaseSize());
            out.line("aof_pending_rewrite", rewriteScheduled ? 1 : 0);
            out.line("aof_buffer_length", w.bufferLength());
            out.line("aof_pending_bio_fsync", w.fsyncPending() ? 1 : 0);
            out.line("aof_delayed_fsync", 0);
        }
    }
}
