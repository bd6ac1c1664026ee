package io.percore.demo.persistence;

import io.percore.demo.feed.CommandReplay;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.rdb.ReplicationInfo;
import io.percore.demo.shard.Keyspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyspace read in (Redis's {@code loadDataFromDisk}: {@code loadAppendOnlyFiles} or
 * {@code rdbLoad}; and a replica's {@code readSyncBulkPayload}): at start from the append-only file
 * or the snapshot, and from a primary's snapshot in a full sync. While it runs, commands get
 * {@code -LOADING} ({@link #loading()}) and INFO persistence's loading fields say what it reads.
 */
final class DataLoad {

    private static final Logger LOG = LoggerFactory.getLogger(Persistence.class); // the lines a load logs keep their logger

    private final Keyspace keyspace;
    private final AppendOnlyFile aof;
    private final Supplier<PersistenceSettings> settings;
    /** Starts a rewrite of the append-only file on shard 0 and waits until it began; null when a save is running. */
    private final Function<String, CompletableFuture<Long>> rewrite;
    private final BooleanSupplier closed;
    private final Runnable stateChanged;
    /** What a start's load did counts as saved: INFO's changes since the last save start from here. */
    private final Runnable loaded;

    private volatile boolean loading;
    private volatile long loadingStartSeconds;
    private volatile long loadingTotalBytes;
    private volatile long lastLoadKeys;
    private volatile long lastLoadExpired;
    /** Where the snapshot or the append-only file loaded at start stood in a replication stream, or null. */
    private volatile ReplicationInfo loadedReplication;
    /** What the start's load held at least (INFO's {@code loaded_repl_*}): its files' last position, whatever followed it; null: none. */
    private volatile ReplicationInfo loadedHeldUpTo;

    DataLoad(Keyspace keyspace, AppendOnlyFile aof, Supplier<PersistenceSettings> settings,
             Function<String, CompletableFuture<Long>> rewrite, BooleanSupplier closed, Runnable stateChanged, Runnable loaded) {
        this.keyspace = keyspace;
        this.aof = aof;
        this.settings = settings;
        this.rewrite = rewrite;
        this.closed = closed;
        this.stateChanged = stateChanged;
        this.loaded = loaded;
        // with the append-only file on and there, it is what a start loads; else the snapshot (and a first base is made of it)
        this.loading = Files.exists(settings.get().snapshotFile()) || settings.get().aof().enabled();
    }

    /** {@link Persistence#load}: the append-only file's files, or the snapshot (then the file's first base). */
    void atStart(ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set, CommandReplay replay, Runnable beforeServing) {
        boolean fromAof = settings.get().aof().enabled() && aof.exists();
        Path file = fromAof ? aof.manifestFile() : settings.get().snapshotFile();
        if (!fromAof && !Files.exists(file) && !settings.get().aof().enabled()) {
            beforeServing.run();
            loading = false;
            stateChanged.run();
            return;
        }
        loading = true;
        loadingStartSeconds = System.currentTimeMillis() / 1000;
        stateChanged.run();
        long start = System.nanoTime();
        try {
            if (fromAof) {
                loadingTotalBytes = folderSize(aof.dir());
                AofLoad.Result r = aof.load(replay, zset, hash, set);
                long keys = 0;
                for (int i = 0; i < keyspace.shardCount(); i++) {
                    keys += keyspace.beforeServing(i, st -> st.databases().keys()).join();
                }
                lastLoadKeys = keys;
                loadedReplication = r.replication();
                loadedHeldUpTo = r.heldUpTo();
                LOG.info("Loaded the append-only file {} ({} keys from its base, {} commands{}{}{}) into {} shards in {} ms; "
                        + "every change is logged from now on (appendfsync {})", file.toAbsolutePath(), r.keysFromBase(), r.commands(),
                        r.errors() > 0 ? ", " + r.errors() + " of them answered with an error" : "",
                        r.truncatedBytes() > 0 ? ", a torn last command of " + r.truncatedBytes() + " bytes cut off" : "",
                        r.replication() == null ? "" : ", replication id " + r.replication().replid() + " at offset " + r.replication().offset(),
                        keyspace.shardCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), settings.get().aof().fsync().text());
            } else {
                if (Files.exists(file)) {
                    loadingTotalBytes = Files.size(file);
                    SnapshotLoad.Result r = SnapshotLoad.load(keyspace, file, zset, hash, set);
                    lastLoadKeys = r.loaded();
                    lastLoadExpired = r.expired();
                    loadedReplication = r.replication();
                    loadedHeldUpTo = r.replication();
                    LOG.info("Loaded {} ({} keys, {} expired keys left out, RDB version {}{}) into {} shards in {} ms", file.toAbsolutePath(),
                            r.loaded(), r.expired(), r.version(), r.replication() == null ? ""
                                    : ", replication id " + r.replication().replid() + " at offset " + r.replication().offset(),
                            keyspace.shardCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                if (settings.get().aof().enabled()) {
                    LOG.info("Creating the append-only file in {} from the keyspace loaded ({} keys)", aof.dir().toAbsolutePath(), lastLoadKeys);
                    CompletableFuture<Long> first = rewrite.apply("the append-only file turned on at start");
                    if (first == null) {
                        throw new IOException("a save was running at start");
                    }
                    first.get();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot load " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Cannot create the append-only file in " + aof.dir().toAbsolutePath() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while loading " + file.toAbsolutePath(), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot load " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        loaded.run();
        beforeServing.run(); // still -LOADING: nothing is answered before it is done
        loading = false;
        stateChanged.run();
    }

    /**
     * {@link Persistence#replaceFromSnapshot}: every shard's store emptied (watched keys touched, as
     * FLUSHALL's; nothing reported to the write path: neither the emptying nor the keys loaded are a
     * client's change), then {@code rdb} loaded, each key to its owner; with the append-only file on,
     * a rewrite at once (Redis restarts its AOF after a sync), so its base is what was loaded.
     */
    void replaceFromSnapshot(Path rdb, ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set) throws IOException {
        loading = true;
        loadingStartSeconds = System.currentTimeMillis() / 1000;
        loadingTotalBytes = Files.exists(rdb) ? Files.size(rdb) : 0;
        stateChanged.run();
        long start = System.nanoTime();
        aof.voidPositions(); // the file's commands are not what the keyspace holds until its next rewrite
        loadedHeldUpTo = null; // nor is what the start loaded
        try {
            emptyEveryShard();
            SnapshotLoad.Result r;
            try {
                r = SnapshotLoad.load(keyspace, rdb, zset, hash, set);
            } catch (IOException | RuntimeException e) {
                emptyEveryShard(); // half a snapshot is no state the primary was in
                throw e;
            }
            lastLoadKeys = r.loaded();
            lastLoadExpired = r.expired();
            LOG.info("MASTER <-> REPLICA sync: loaded {} keys ({} expired left out, RDB version {}) into {} shards in {} ms",
                    r.loaded(), r.expired(), r.version(), keyspace.shardCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            if (settings.get().aof().enabled() && !closed.getAsBoolean()) {
                if (rewrite.apply("a full sync from the primary") == null) {
                    aof.scheduleRewrite(); // after the save running now
                }
            }
        } finally {
            loading = false;
            stateChanged.run();
        }
    }

    /** Empties every shard's store, outside the write path (see {@link #replaceFromSnapshot}). */
    private void emptyEveryShard() {
        for (int i = 0; i < keyspace.shardCount(); i++) {
            keyspace.beforeServing(i, st -> {
                st.flushAll();
                return null;
            }).join();
        }
    }

    private static long folderSize(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    boolean loading() {
        return loading;
    }

    ReplicationInfo loadedReplication() {
        return loadedReplication;
    }

    /** INFO persistence's fields of loading. */
    void info(InfoLines out) {
        out.line("loading", loading ? 1 : 0);
        out.line("async_loading", 0);
    }

    /** The fields Redis adds while it loads. */
    void infoWhileLoading(InfoLines out) {
        if (loading) {
            out.line("loading_start_time", loadingStartSeconds);
            out.line("loading_total_bytes", loadingTotalBytes);
            out.line("loading_rdb_used_mem", 0);
            out.line("loading_loaded_bytes", 0);
            out.line("loading_loaded_perc", "0.00");
            out.line("loading_eta_seconds", 1);
        }
    }

    /**
     * The last load's figures, and (not in Redis) the replication position the start's files named last, until a full
     * sync replaces what they loaded: they held their history's stream up to that offset at least. A file killed in the
     * middle of writes ends in commands after its last annotation and makes the server say offset 0; this still tells an
     * operator choosing whom to promote a fact about its data, where it otherwise ranks the pod by where it last saw it.
     */
    void infoLastLoad(InfoLines out) {
        out.line("rdb_last_load_keys_expired", lastLoadExpired);
        out.line("rdb_last_load_keys_loaded", lastLoadKeys);
        ReplicationInfo held = loadedHeldUpTo;
        if (held != null) {
            out.line("loaded_repl_id", held.replid());
            out.line("loaded_repl_offset_at_least", held.offset());
        }
    }
}
