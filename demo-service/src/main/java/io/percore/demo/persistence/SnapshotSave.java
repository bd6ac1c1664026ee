package io.percore.demo.persistence;

import io.percore.demo.kv.StoreSnapshot;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.rdb.RdbEntries;
import io.percore.demo.rdb.RdbFileWriter;
import io.percore.demo.rdb.ReplicationInfo;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One snapshot of the whole keyspace into one RDB file (Redis's {@code rdbSaveBackground}, without
 * the fork). It begins on every shard at one point: a transaction of its own holds every shard (in
 * ascending order, as EXEC does) while each starts its {@link StoreSnapshot}, so no transaction is
 * half in the file. Then each shard hands its keys over in slices of {@link #SLICE_NANOS} between
 * its other work, encoding them ({@link RdbEntries}) on its own thread, and one writer thread
 * appends the chunks to the file, so a shard never waits for the disk. Each chunk holds keys of one
 * database; the writer puts {@code SELECTDB} (and that database's {@code RESIZEDB}, its keys over every
 * shard) before a chunk of another database than the last one's, as Redis's file selects each database
 * before its keys (a shard goes through its databases in order, so a database's keys mostly follow each
 * other; a key changed meanwhile in another database is a chunk of that database). While more than
 * {@link #MAX_QUEUED_BYTES} wait for the writer, the shards pause their slices (a key changed
 * meanwhile is still encoded first: that is bounded by the write rate). When every shard is done
 * the writer ends the file, fsyncs and renames it ({@link RdbFileWriter#finish}). The same save can go
 * to a stream instead of a file ({@link Target}: a diskless full sync), and can carry where it stands
 * in a replication stream ({@link #replication}), written in the header once known.
 */
final class SnapshotSave {

    /** The longest a shard spends in one slice of the snapshot before it serves anything else. */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Keys are handed to the writer in chunks of about this many bytes. */
    static final int CHUNK_BYTES = 64 << 10;
    /** Encoded bytes waiting for the writer past which slices pause: the snapshot's extra heap, for all shards together. */
    static final long MAX_QUEUED_BYTES = 16L << 20;
    private static final Duration PAUSE = Duration.ofMillis(1);

    /** Where a save's bytes go: a file put in place at the end, or a stream (a diskless full sync's sockets). */
    @FunctionalInterface
    interface Target {
        RdbFileWriter open(long createdAtSeconds, long usedMemory, RdbFileWriter.Sizes sizes, ReplicationInfo replication)
                throws IOException;

        static Target file(Path path) {
            return (created, used, sizes, replication) -> RdbFileWriter.create(path, created, used, sizes, replication);
        }
    }

    /** What a finished save reports. */
    record Result(long bytes, long keys, long millis, long longestSliceNanos, long longestSliceCpuNanos, long[] dirtyAtStart) {
    }

    private final Keyspace keyspace;
    private final Target target;
    private final Executor writer;
    private final Persistence.SnapshotPoint atBegin;
    private final boolean rewrite;
    private final int shards;
    private final long startedAtMillis = System.currentTimeMillis();
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final CompletableFuture<Void> began = new CompletableFuture<>();
    private volatile CompletableFuture<ReplicationInfo> replication = CompletableFuture.completedFuture(null);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong keysSaved = new AtomicLong();
    private final AtomicLong longestSlice = new AtomicLong();
    /** The same on the shard's CPU clock: a GC pause or another thread on the CPU inside a slice is not the slice's own work. */
    private final AtomicLong longestSliceCpu = new AtomicLong();
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private final AtomicLongArray dirtyAtStart;
    private volatile Throwable failure;
    /** Shard 0's function libraries at the point (it orders every change of them). */
    private volatile List<byte[]> functions = List.of();

    // the writer thread's
    private RdbFileWriter file;
    private final List<Chunk> early = new ArrayList<>();

    /** Whole keys of database {@code db}, encoded by a shard. */
    private record Chunk(int db, byte[] bytes) {
    }
    private int shardsDone;

    SnapshotSave(Keyspace keyspace, Target target, Executor writer) {
        this(keyspace, target, writer, null, false);
    }

    /** A save that also runs {@code atBegin} on each shard at its point (an append-only file's rewrite). */
    SnapshotSave(Keyspace keyspace, Target target, Executor writer, Persistence.SnapshotPoint atBegin) {
        this(keyspace, target, writer, atBegin, true);
    }

    /** ... {@code rewrite} saying whether it is an append-only file's rewrite (else a snapshot file a replica is sent). */
    SnapshotSave(Keyspace keyspace, Target target, Executor writer, Persistence.SnapshotPoint atBegin, boolean rewrite) {
        this.rewrite = rewrite;
        this.keyspace = keyspace;
        this.target = target;
        this.writer = writer;
        this.atBegin = atBegin;
        this.shards = keyspace.shardCount();
        this.dirtyAtStart = new AtomicLongArray(shards);
    }

    /** Completes when the file is in place (or the save failed). */
    CompletableFuture<Result> done() {
        return done;
    }

    /** Whether this save is an append-only file's rewrite. */
    boolean rewrite() {
        return rewrite;
    }

    long startedAtMillis() {
        return startedAtMillis;
    }

    long keysSaved() {
        return keysSaved.get();
    }

    /** Completes once every shard has its point (the snapshot's contents are fixed from there). */
    CompletableFuture<Void> began() {
        return began;
    }

    /** Where the snapshot stands in a replication stream, once known (before {@link #begin}); the header waits for it. */
    void replication(CompletableFuture<ReplicationInfo> where) {
        this.replication = where;
    }

    /** Begins the snapshot on every shard; call on a shard thread, outside any transaction. */
    void begin() {
        begin(null);
    }

    /** ... also running {@code more} on every shard at its point (after the save's own). */
    void begin(Persistence.SnapshotPoint more) {
        Persistence.SnapshotPoint own = atBegin;
        Persistence.SnapshotPoint each = more == null ? own : own == null ? more : (state, group, participants) -> {
            own.at(state, group, participants);
            more.at(state, group, participants);
        };
        long group = keyspace.local().nextGroupId();
        Keyspace bound = keyspace.boundTo(group);
        BitSet every = new BitSet();
        every.set(0, shards);
        ShardFuture<Sizes> sizes = bound.reserveInOrder(every)
                .flatMap(held -> bound.<Sizes>mapReduce(state -> beginOn(state, group, every, each), new Sizes(), Sizes::plus));
        sizes.whenComplete((total, err) -> {
            bound.releaseAll(every);
            if (err != null) {
                fail(err);
                began.completeExceptionally(err);
                writer.execute(() -> done.completeExceptionally(err)); // no shard began
                return;
            }
            began.complete(null);
            long now = System.currentTimeMillis();
            // a stream's offset at the point is known a little later (its thread reaches the point): the header waits for it
            replication.handle((where, e) -> e == null ? where : null)
                    .thenAccept(where -> writer.execute(() -> create(total.byDb, total.usedMemory, now / 1000, where)));
        });
    }

    /** The shards' keys and keys with a TTL per database at the point, and their memory (the header's); folded on one shard. */
    private static final class Sizes {
        final RdbFileWriter.Sizes byDb = new RdbFileWriter.Sizes();
        long usedMemory;

        Sizes plus(Sizes other) {
            byDb.add(other.byDb);
            usedMemory += other.usedMemory;
            return this;
        }
    }

    /** On each shard while the save's transaction holds them all: the snapshot starts here, its slices follow. */
    private Sizes beginOn(KeyspaceShard state, long group, BitSet every, Persistence.SnapshotPoint each) {
        if (each != null) {
            each.at(state, group, every); // before the first slice is queued: what it hands over leaves first
        }
        if (state.shardId() == 0) {
            functions = state.functions().codes();
        }
        Part part = new Part(state.shardId());
        Sizes sizes = new Sizes();
        long now = System.currentTimeMillis();
        List<StoreSnapshot> snapshots = new ArrayList<>();
        for (ValueStore store : state.databases().made()) {
            if (store.size() == 0) {
                continue; // nothing of it can be in the snapshot (Redis's file leaves empty databases out)
            }
            int db = store.id();
            snapshots.add(store.snapshot((key, type, value, expireAt) -> part.entry(db, key, type, value, expireAt), now));
            sizes.byDb.add(db, store.size(), store.volatileCount());
        }
        part.snapshots = snapshots.toArray(new StoreSnapshot[0]);
        dirtyAtStart.set(state.shardId(), state.databases().dirty());
        Shard.current().execute(part::slice);
        sizes.usedMemory = state.databases().memory().usedBytes();
        return sizes;
    }

    /** One shard's side: its databases' snapshots, its encoder, driven by slices on its thread. */
    private final class Part {
        private final int shard;
        private final RdbEntries entries = new RdbEntries();
        /** The database of the keys in {@link #entries}. */
        private int entriesDb;
        /** Its databases' snapshots, in index order; the slices step them one after the other. */
        StoreSnapshot[] snapshots;
        private int stepping;

        Part(int shard) {
            this.shard = shard;
        }

        /** A key of database {@code db} handed over by a slice or by a change about to be made: encoded now, never failing the change. */
        void entry(int db, byte[] key, ValueType type, Object value, long expireAt) {
            if (failure != null) {
                return;
            }
            if (db != entriesDb) {
                handOver(); // a chunk holds one database's keys
                entriesDb = db;
            }
            try {
                entries.entry(key, type, value, expireAt);
            } catch (RuntimeException e) {
                fail(new IOException("encoding key of " + key.length + " bytes on shard " + shard + ": " + e, e));
                return;
            }
            if (entries.size() >= CHUNK_BYTES) {
                handOver();
            }
        }

        void slice() {
            if (failure != null) {
                for (StoreSnapshot snapshot : snapshots) {
                    snapshot.abort();
                }
                finished();
                return;
            }
            if (queued.get() > MAX_QUEUED_BYTES) {
                Shard.current().schedule(PAUSE, this::slice); // the disk is behind: let it catch up
                return;
            }
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long deadline = start + SLICE_NANOS;
            while (stepping < snapshots.length && snapshots[stepping].step(Math.max(0, deadline - System.nanoTime()))) {
                stepping++;
            }
            boolean over = stepping == snapshots.length;
            handOver();
            longestSlice.accumulateAndGet(System.nanoTime() - start, Math::max);
            longestSliceCpu.accumulateAndGet(THREADS.getCurrentThreadCpuTime() - cpuStart, Math::max);
            if (over) {
                finished();
            } else {
                Shard.current().execute(this::slice);
            }
        }

        private void handOver() {
            if (entries.size() == 0) {
                return;
            }
            Chunk chunk = new Chunk(entriesDb, entries.take());
            queued.addAndGet(chunk.bytes().length);
            writer.execute(() -> write(chunk));
        }

        private void finished() {
            handOver();
            for (StoreSnapshot snapshot : snapshots) {
                keysSaved.addAndGet(snapshot.keys());
            }
            writer.execute(SnapshotSave.this::shardDone);
        }
    }

    // ------------------------------------------------------------------ the writer thread

    private void create(RdbFileWriter.Sizes sizes, long usedMemory, long nowSeconds, ReplicationInfo where) {
        if (failure != null) {
            closeFile();
            return;
        }
        try {
            file = target.open(nowSeconds, usedMemory, sizes, where);
            file.functions(functions);
            for (Chunk chunk : early) {
                file.write(chunk.db(), chunk.bytes(), 0, chunk.bytes().length);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            closeFile();
            return;
        } finally {
            early.clear();
        }
        finishIfDone();
    }

    private void write(Chunk chunk) {
        queued.addAndGet(-chunk.bytes().length);
        if (failure != null) {
            return;
        }
        if (file == null) {
            early.add(chunk); // a shard began before the file: it comes first when it does
            return;
        }
        try {
            file.write(chunk.db(), chunk.bytes(), 0, chunk.bytes().length);
        } catch (IOException | RuntimeException e) {
            fail(e);
            closeFile();
        }
    }

    private void shardDone() {
        shardsDone++;
        finishIfDone();
    }

    private void finishIfDone() {
        if (shardsDone < shards || file == null) {
            if (shardsDone == shards && failure != null) {
                done.completeExceptionally(failure);
            }
            return;
        }
        if (failure != null) {
            closeFile();
            done.completeExceptionally(failure);
            return;
        }
        try {
            long bytes = file.finish();
            long[] dirty = new long[shards];
            for (int i = 0; i < shards; i++) {
                dirty[i] = dirtyAtStart.get(i);
            }
            done.complete(new Result(bytes, keysSaved.get(), System.currentTimeMillis() - startedAtMillis, longestSlice.get(),
                    longestSliceCpu.get(), dirty));
        } catch (IOException | RuntimeException e) {
            fail(e);
            closeFile();
            done.completeExceptionally(e);
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the temporary file may stay; the target was never touched
            }
        }
        if (shardsDone == shards && failure != null) {
            done.completeExceptionally(failure);
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }
}
