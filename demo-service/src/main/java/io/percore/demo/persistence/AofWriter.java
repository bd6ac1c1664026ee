package io.percore.demo.persistence;

import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.feed.Block;
import io.percore.demo.feed.FeedOrder;
import io.percore.demo.feed.FeedReaderThread;
import io.percore.demo.feed.FeedRecord;
import io.percore.demo.feed.GroupOrder;
import io.percore.demo.feed.RespArgv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only file's one writer thread (Redis's {@code flushAppendOnlyFile} and its fsync
 * thread): takes every shard's records ({@link ChangeFeed}), puts them in one serial order
 * ({@link GroupOrder}: a transaction's parts from several shards become one MULTI ... EXEC, so it
 * replays all or nothing), appends them to the last incremental file and forces them to the disk
 * as {@code appendfsync} says. With {@code always} it forces after every batch it wrote (a group
 * commit: one fsync for all the writes that arrived meanwhile) and only then publishes, per shard,
 * how far the file is durable ({@link #reached}); the replies to those writes wait for that
 * ({@link ReplyGate}). With {@code everysec} the force runs on its own thread ({@link BackgroundFsync},
 * one at a time) while the writer goes on writing, and makes durable only what was written before it
 * began. A rotation (a rewrite began) closes the incremental file and opens the next
 * one, and the manifest says so before anything is written there.
 *
 * <p>A failed write is cut back off the file (no half command stays in it) and kept, and tried
 * again every second; meanwhile writes are refused with {@code -MISCONF} ({@link #writeError}).
 * With {@code always} a failed write or fsync ends the process instead, as Redis's does.
 */
final class AofWriter implements ChangeFeed.Reader, FeedReaderThread.Turns {

    private static final Logger LOG = LoggerFactory.getLogger(AofWriter.class);
    /** An fsync this long or longer is logged: a disk that slow is what a client waiting on a write should find there. */
    static final Duration SLOW_FSYNC = Duration.ofSeconds(1);
    /** Bytes waiting for the writer past which replies are held (every shard's), so a slow disk slows clients instead of filling the heap. */
    static final long MAX_QUEUED_BYTES = 64L << 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long the shards' records may wait for the writer before replies are held (every shard's).
     * Redis writes the log before the replies leave, so a SIGKILL loses no acknowledged write; here
     * the writer runs beside the shards, and a writer starved of CPU or stuck in write(2) on a busy
     * disk would let them acknowledge seconds of writes a kill then loses. Held at half a second,
     * a kill costs at most about that much (everysec's contract is a second).
     */
    static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * Under load with everysec or no, the writer takes the shards' hand-overs once per nap instead of
     * being woken for each (a wake-up is a futex call and a context switch, often on the shard's own CPU).
     */
    static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);
    /** Queued bytes past which a hand-over wakes a napping writer. */
    private static final long WAKE_AT_BYTES = 1L << 20;

    private final Path dir;
    private final String filename;
    private final int shards;
    /** The writer's thread and its turns; the shards' order of the records it takes. */
    private final FeedReaderThread reader;
    private final FeedOrder feed;
    private final AtomicLongArray durable;
    private final AtomicIntegerArray wakeRequested;
    /** Threads off the shards waiting for the end of a turn ({@link #awaitSafeAsReplies}): notified on it. */
    private final Object turnEnded = new Object();
    private final AtomicInteger waitingOffShards = new AtomicInteger();
    private final IntConsumer wake;
    private final Runnable statusChanged;
    private final AtomicLong queued = new AtomicLong();
    /** When {@link #queued} last went up from zero: the oldest record waiting is no older (set by the shards). */
    private volatile long queuedSince = System.nanoTime();
    /** Every record offered before this instant is written to the file (set by the writer after each turn's write). */
    private volatile long writtenAsOf = System.nanoTime();
    private volatile AofSettings.Fsync fsync;
    private final ChannelForce forcer;
    private final BackgroundFsync background;

    // the writer thread's
    private FileChannel incr;
    private long incrSize;
    private long closedIncrsSize;
    private long baseSize;
    /** The database the file's commands so far leave selected; -1 at a new file (Redis's {@code aof_selected_db}). */
    private int selectedDb = -1;
    private final RespArgv pending = new RespArgv(1 << 16);
    private final ByteBuffer io = ByteBuffer.allocateDirect(256 << 10);
    private final FeedOrder.Output appender = new Appender();
    private final long[] written;
    /** Something was written since the last force began. */
    private boolean unsynced;
    /** When the last force began (everysec forces once a second, and retries a failed one a second later). */
    private long lastFsyncNanos = System.nanoTime();
    /** When a write last failed (0: the last one worked): the next try is a second later, not a busy loop on a full disk. */
    private long writeFailedAt;
    /** The everysec force on the fsync thread, null when none is. */
    private CompletableFuture<Void> inFlight;
    /** What was written when {@link #inFlight} began: all it makes durable. */
    private final long[] inFlightCovers;
    /** The incremental file opened by the last rotation (a rewrite's snapshot point); -1 when none or it failed. */
    private long rotatedTo = -1;
    /** The shards' change clocks, where this file and the replication stream compare what they hold; null: no annotations. */
    private volatile io.percore.demo.feed.ChangeClocks clocks;
    private long[] caughtUp;
    /** Where the stream stood last (set by replication): written as an annotation once this file holds exactly that much. */
    private volatile ReplicationPoint latest;
    /**
     * The keyspace was replaced outside the log (a full sync loaded): the file's commands are not what it holds until the
     * rewrite that began after that ends, and no annotation may say they are meanwhile.
     */
    private volatile boolean positionsVoid;
    /** The last annotation written; the last one on the disk (forced); the last point that cannot be written (passed). */
    private ReplicationPoint annotated;
    private volatile ReplicationPoint annotatedDurable;
    private volatile ReplicationPoint passed;

    // read by INFO and the cron
    private volatile AofManifest manifest;
    private volatile long currentSize;
    private volatile long rewriteBaseSize;
    private volatile String writeError;
    private volatile boolean fsyncPending;

    private AofWriter(Path dir, String filename, AofManifest manifest, AofSettings.Fsync fsync, int shards, IntConsumer wake,
                      Runnable statusChanged, ChannelForce forcer) {
        this.dir = dir;
        this.filename = filename;
        this.manifest = manifest;
        this.fsync = fsync;
        this.shards = shards;
        this.reader = new FeedReaderThread("percore-aof-writer", shards, NAP_NANOS, appender, this);
        this.feed = reader.order();
        this.durable = new AtomicLongArray(shards);
        this.wakeRequested = new AtomicIntegerArray(shards);
        this.written = new long[shards];
        this.inFlightCovers = new long[shards];
        this.wake = wake;
        this.statusChanged = statusChanged;
        this.forcer = ChannelForce.reportingSlow(forcer, SLOW_FSYNC, this::slowFsync);
        this.background = new BackgroundFsync(this.forcer, reader::wake);
    }

    /**
     * Opens the log of {@code manifest} in {@code dir} and starts the thread. Appends to its last
     * incremental file, or, when {@code fresh} (the file is being turned on: a rewrite follows that
     * makes the base), to a new incremental file that only the rewrite's end names in the manifest;
     * a log without incremental files gets its first one, named in the manifest at once.
     */
    static AofWriter open(Path dir, String filename, AofManifest manifest, AofSettings.Fsync fsync, int shards, IntConsumer wake,
                          Runnable statusChanged, boolean fresh) throws IOException {
        return open(dir, filename, manifest, fsync, shards, wake, statusChanged, fresh, ChannelForce.DISK);
    }

    /** As {@link #open(Path, String, AofManifest, AofSettings.Fsync, int, IntConsumer, Runnable, boolean)}, forcing the file with {@code forcer}. */
    static AofWriter open(Path dir, String filename, AofManifest manifest, AofSettings.Fsync fsync, int shards, IntConsumer wake,
                          Runnable statusChanged, boolean fresh, ChannelForce forcer) throws IOException {
        Files.createDirectories(dir);
        long rotatedTo = -1;
        if (fresh || manifest.lastIncr() == null) {
            manifest = manifest.withNewIncr(filename);
            FileChannel.open(dir.resolve(manifest.lastIncr().name()), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING).close();
            if (fresh) {
                rotatedTo = manifest.lastIncr().seq();
            } else {
                manifest.write(dir, filename);
            }
        }
        AofWriter w = new AofWriter(dir, filename, manifest, fsync, shards, wake, statusChanged, forcer);
        w.rotatedTo = rotatedTo;
        w.incr = FileChannel.open(dir.resolve(manifest.lastIncr().name()), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        w.incrSize = w.incr.size();
        w.baseSize = manifest.base() == null || fresh ? 0 : sizeOf(dir.resolve(manifest.base().name()));
        for (AofManifest.AofFile f : manifest.incrs()) {
            if (f != manifest.lastIncr() && !fresh) {
                w.closedIncrsSize += sizeOf(dir.resolve(f.name()));
            }
        }
        w.currentSize = w.baseSize + w.closedIncrsSize + w.incrSize;
        w.rewriteBaseSize = w.currentSize;
        w.reader.start();
        return w;
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Compares what the file holds with where the replication stream stands by {@code clocks}: annotations are written from now on. */
    AofWriter annotating(io.percore.demo.feed.ChangeClocks clocks) {
        this.caughtUp = new long[clocks.shards()];
        this.clocks = clocks;
        return this;
    }

    // ------------------------------------------------------------------ where the replication stream stands (any thread)

    /** The stream stood at {@code point}: the file says so once it holds exactly the changes its clocks count. */
    void position(ReplicationPoint point) {
        latest = point;
        reader.wake();
    }

    /**
     * The keyspace is being replaced outside the log (a full sync loads): no annotation until a rewrite that begins after
     * this has ended ({@link #positionsValidAgain}); the one written before stays true of the file's commands, which a start
     * loads, until then.
     */
    void voidPositions() {
        positionsVoid = true;
        latest = null;
    }

    /** A rewrite that began after {@link #voidPositions} ended: its base holds the keyspace again. */
    void positionsValidAgain() {
        positionsVoid = false;
    }

    /** Whether {@code point} is as safe in the file as a reply's changes with appendfsync always, or will never be written. */
    private boolean annotationSettled(ReplicationPoint point) {
        return point == null || fsync != AofSettings.Fsync.ALWAYS || clocks == null || positionsVoid || writeError != null
                || annotatedDurable == point || passed == point;
    }

    // ------------------------------------------------------------------ from the shards (any thread)

    /** Shard {@code shard} has made {@code seq} changes so far (set on its thread before its replies can leave). */
    @Override
    public void created(int shard, long seq) {
        reader.created(shard, seq);
    }

    @Override
    public void offer(List<FeedRecord> records) {
        long bytes = 0;
        for (FeedRecord r : records) {
            if (r instanceof FeedRecord.Encoded e) {
                bytes += e.bytes().length;
            }
        }
        long now = queued.addAndGet(bytes);
        if (now == bytes && bytes > 0) {
            queuedSince = System.nanoTime();
        }
        reader.handOver(records, fsync == AofSettings.Fsync.ALWAYS || now > WAKE_AT_BYTES);
    }

    /** Runs {@code task} on the writer thread after everything offered before it was written. */
    void control(Runnable task) {
        reader.control(task);
    }

    /** Every shard's changes so far: what a reply leaving now depends on. */
    long[] createdNow() {
        return feed.createdNow();
    }

    /** Whether every change counted in {@code target} is on the disk (fsynced). */
    boolean reached(long[] target) {
        for (int i = 0; i < target.length; i++) {
            if (durable.get(i) < target[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the shards' records waiting for the writer are past {@link #MAX_QUEUED_BYTES}, or have
     * waited longer than {@link #MAX_LAG_NANOS}.
     */
    boolean behind() {
        long q = queued.get();
        if (q > MAX_QUEUED_BYTES) {
            return true;
        }
        return q > 0 && System.nanoTime() - Math.max(queuedSince, writtenAsOf) > MAX_LAG_NANOS;
    }

    /**
     * Shard {@code shard} has replies waiting: it is woken (on its thread) after the writer's next
     * turn (an fsync, or having caught up). The caller checks {@link #reached} again after this, so
     * a turn that ended in between is not missed.
     */
    void wakeMe(int shard) {
        wakeRequested.set(shard, 1);
    }

    /**
     * Off the shards: waits, at most {@code boundNanos}, until every change any shard has made so far is as safe in the
     * file as the changes behind a reply leaving now ({@link ReplyGate}'s rule: durable with {@code always}; else the
     * writer not behind). A replica's {@code REPLCONF ACK} is such a reply, to its primary: Redis writes (and with
     * {@code always} forces) its log before the ack leaves, so a write that {@code WAIT} counted survives every process
     * killed at once in the files of the replica that acknowledged it. A writer whose writes fail ({@code -MISCONF}, with
     * everysec or no) does not hold it: Redis's replica acks then too. @return whether they are
     */
    boolean awaitSafeAsReplies(long boundNanos) {
        return awaitSafeAsReplies(boundNanos, null);
    }

    /**
     * As {@link #awaitSafeAsReplies(long)}, and with appendfsync always also until the annotation of {@code point} (just
     * given to {@link #position}) is on the disk, so the acknowledgement that follows is in a file that says where it
     * stands; at the bound, what the changes alone say (an annotation never holds an ack back longer).
     */
    boolean awaitSafeAsReplies(long boundNanos, ReplicationPoint point) {
        long[] target = fsync == AofSettings.Fsync.ALWAYS ? createdNow() : null;
        long deadline = System.nanoTime() + boundNanos;
        waitingOffShards.incrementAndGet();
        try {
            synchronized (turnEnded) {
                while (!safeAsReplies(target) || !annotationSettled(point)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return safeAsReplies(target);
                    }
                    // notified at each turn's end; the cap only bounds a notify that raced this thread's first look
                    turnEnded.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 10)));
                }
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waitingOffShards.decrementAndGet();
        }
    }

    private boolean safeAsReplies(long[] target) {
        return target != null ? reached(target) : !behind() || writeError != null;
    }

    void fsync(AofSettings.Fsync policy) {
        this.fsync = policy;
        reader.wake();
    }

    AofSettings.Fsync fsync() {
        return fsync;
    }

    AofManifest manifest() {
        return manifest;
    }

    long currentSize() {
        return currentSize;
    }

    long rewriteBaseSize() {
        return rewriteBaseSize;
    }

    long bufferLength() {
        return queued.get();
    }

    /** Whether an everysec force is running on the fsync thread (INFO's {@code aof_pending_bio_fsync}). */
    boolean fsyncPending() {
        return fsyncPending;
    }

    /** The last write's or fsync's error, null while they succeed. */
    String writeError() {
        return writeError;
    }

    /**
     * Stops after writing and forcing everything offered so far, whatever the fsync policy (the
     * shards must have handed their last records over first); waits at most {@code bound}.
     * @return whether everything is on the disk
     */
    boolean close(Duration bound) {
        return reader.stop(bound.toMillis()) && writeError == null && pending.length() == 0;
    }

    // ------------------------------------------------------------------ the thread

    @Override
    public void endOfTurn(long turnBegan, boolean stopping) {
        if (stopping || writeFailedAt == 0 || turnBegan - writeFailedAt >= SECOND) {
            writeOut();
            annotate();
        }
        if (writeError == null) {
            writtenAsOf = turnBegan;
        }
        collectFsync();
        if (unsynced && (stopping || fsync == AofSettings.Fsync.ALWAYS)) {
            force();
        } else if (unsynced && fsync == AofSettings.Fsync.EVERYSEC && inFlight == null
                && System.nanoTime() - lastFsyncNanos >= SECOND) {
            startFsync();
        }
        wakeWaiting();
    }

    /** With appendfsync always every hand-over wakes the writer: no nap between turns. */
    @Override
    public boolean napsWhenBusy() {
        return fsync != AofSettings.Fsync.ALWAYS;
    }

    @Override
    public void failed(Throwable e) {
        fail("the append-only file's writer stopped", e);
    }

    @Override
    public void ended() {
        awaitFsync();
        background.close();
        try {
            incr.close();
        } catch (IOException ignored) {
            // closing after a force: nothing more to lose
        }
    }

    @Override
    public long idleNanos() {
        return waitNanos();
    }

    private long waitNanos() {
        if (inFlight != null) {
            return SECOND; // its end wakes the writer
        }
        if (writeFailedAt != 0) {
            return Math.max(1, writeFailedAt + SECOND - System.nanoTime()); // the write's retry
        }
        if (writeError != null || (unsynced && fsync == AofSettings.Fsync.EVERYSEC)) {
            return Math.max(1, lastFsyncNanos + SECOND - System.nanoTime());
        }
        return SECOND;
    }

    @Override
    public void beforeTask() {
        writeOut();
    }

    @Override
    public void taken(FeedRecord r) {
        if (r instanceof FeedRecord.Encoded e) {
            queued.addAndGet(-e.bytes().length);
        }
    }

    /** Each unit in the file's order: changes standing alone, a whole group, or a rotation. */
    private final class Appender implements FeedOrder.Output {
        @Override
        public void encoded(byte[] commands, int firstDb, int lastDb) {
            if (selectedDb != firstDb) {
                pending.select(firstDb);
            }
            pending.append(commands);
            selectedDb = lastDb;
        }

        @Override
        public void block(Block commands) {
            selectedDb = pending.block(commands.commands(), commands.dbs(), selectedDb);
        }

        @Override
        public void mark(long group) {
            writeOut();
            rotate();
        }
    }


    /**
     * Writes where the stream stands when the file holds exactly what it held there (both caught up at the same clocks),
     * unless the last annotation already says so; a point the file went past is given up (a later one comes).
     */
    private void annotate() {
        ReplicationPoint p = latest;
        io.percore.demo.feed.ChangeClocks c = clocks;
        if (p == null || p == annotated || p == passed || c == null || positionsVoid || writeError != null || pending.length() != 0) {
            return;
        }
        if (!feed.caughtUpAt(c, caughtUp)) {
            return;
        }
        if (!java.util.Arrays.equals(caughtUp, p.clocks())) {
            passed = p; // the clocks only go on: this file holds more than the point
            return;
        }
        if (annotated != null && p.at().replid().equals(annotated.at().replid()) && java.util.Arrays.equals(p.clocks(), annotated.clocks())) {
            // nothing logged since the last one, in the same history: it stays true (the stream moved by PINGs and GETACKs
            // only), and an idle server's file does not grow by a line a second
            annotated = p;
            if (!unsynced) {
                annotatedDurable = p;
            }
            return;
        }
        pending.append(ReplicationAnnotation.line(p.at()));
        writeOut();
        if (pending.length() == 0) {
            annotated = p;
        }
    }

    /** Appends what is pending; on a failure cuts the file back to where it was and keeps it all for the next try. */
    private void writeOut() {
        int length = pending.length();
        if (length == 0) {
            // units that wrote nothing (a group's empty parts, a rotation) are as good as written,
            // and as durable as what was written before them
            feed.releasedInto(written);
            if (!unsynced && inFlight == null && writeError == null) {
                publishDurable(written);
            }
            return;
        }
        long before = incrSize;
        try {
            byte[] bytes = pending.array();
            for (int off = 0; off < length; ) {
                int n = Math.min(io.capacity(), length - off);
                io.clear();
                io.put(bytes, off, n).flip();
                while (io.hasRemaining()) {
                    incr.write(io);
                }
                off += n;
            }
            incrSize += length;
            currentSize = baseSize + closedIncrsSize + incrSize;
            pending.clear();
            feed.releasedInto(written);
            unsynced = true;
            writeFailedAt = 0;
            recovered();
        } catch (IOException e) {
            writeFailedAt = System.nanoTime() | 1; // never 0
            try {
                incr.truncate(before);
                incr.position(before);
            } catch (IOException again) {
                LOG.error("Could not cut {} back to {} bytes after a failed write", manifest.lastIncr().name(), before, again);
            }
            if (fsync == AofSettings.Fsync.ALWAYS) {
                exit("Can't recover from AOF write error when the AOF fsync policy is 'always'", e);
            }
            fail("writing " + length + " bytes to " + dir.resolve(manifest.lastIncr().name()).toAbsolutePath(), e);
        }
    }

    /**
     * As Redis does with {@code appendfsync always} ({@code flushAppendOnlyFile}): a write or fsync of the file that
     * fails ends the process at once (no shutdown hooks: a stop would save or hand over through the same full disk).
     * Staying up would hold every reply behind writes that cannot become durable, the server answering nothing and
     * still Ready, a primary stuck until someone frees the disk; gone, its replicas take over (the operator promotes
     * one at once, as for any crash) and the pod restarts once there is room. The writes whose replies were held were
     * never acknowledged. With everysec or no the file is tried again every second and writes are refused with
     * {@code -MISCONF} meanwhile, as Redis does.
     */
    private static void exit(String why, Throwable e) {
        try {
            LOG.error("{}: {}. Exiting...", why, e.toString());
        } finally {
            Runtime.getRuntime().halt(1);
        }
    }

    /** Forces the file on this thread (after the force in flight, if any): everything written is durable after it. */
    private void force() {
        awaitFsync();
        try {
            forcer.force(incr);
            unsynced = false;
            lastFsyncNanos = System.nanoTime();
            publishDurable(written);
            annotatedDurable = annotated;
            recovered();
        } catch (IOException e) {
            failedToForce(e);
        }
    }

    /** Hands a force of what is written so far to the fsync thread and goes on writing. */
    private void startFsync() {
        System.arraycopy(written, 0, inFlightCovers, 0, shards);
        unsynced = false;
        lastFsyncNanos = System.nanoTime();
        fsyncPending = true;
        inFlight = background.force(incr);
    }

    /** A force took {@link #SLOW_FSYNC} or longer (the writer's or the fsync thread). */
    private void slowFsync(long millis) {
        if (fsync == AofSettings.Fsync.ALWAYS) {
            LOG.warn("Fsync of the append-only file took {} ms (disk is busy?): with appendfsync always, the replies to the writes it covers waited as long",
                    millis);
        } else {
            LOG.warn("Fsync of the append-only file took {} ms (disk is busy?): the writes went on meanwhile (appendfsync {})", millis,
                    fsync.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Takes the in-flight force's outcome if it has ended: publishes what was written before it began, or its error. */
    private void collectFsync() {
        if (inFlight == null || !inFlight.isDone()) {
            return;
        }
        Throwable failure = BackgroundFsync.failureOf(inFlight);
        inFlight = null;
        fsyncPending = false;
        if (failure == null) {
            // nothing written since it began: what came since wrote nothing and is as durable
            publishDurable(unsynced ? inFlightCovers : written);
            recovered();
        } else {
            unsynced = true; // not durable: the next force (a second later) covers it again
            failedToForce(failure);
        }
    }

    /** Waits for the force in flight, if any, and takes its outcome (it must not outlive the file it forces). */
    private void awaitFsync() {
        if (inFlight == null) {
            return;
        }
        boolean interrupted = false;
        while (!inFlight.isDone()) {
            try {
                inFlight.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // its error is taken below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        collectFsync();
    }

    private void failedToForce(Throwable e) {
        if (fsync == AofSettings.Fsync.ALWAYS) {
            exit("Can't persist AOF for fsync error when the AOF fsync policy is 'always'", e);
        }
        fail("forcing " + dir.resolve(manifest.lastIncr().name()).toAbsolutePath() + " to the disk", e);
    }

    private void publishDurable(long[] upTo) {
        for (int i = 0; i < shards; i++) {
            if (durable.get(i) < upTo[i]) {
                durable.set(i, upTo[i]);
            }
        }
    }

    private void wakeWaiting() {
        if (waitingOffShards.get() > 0) {
            synchronized (turnEnded) {
                turnEnded.notifyAll();
            }
        }
        boolean caughtUp = !behind();
        for (int i = 0; i < shards; i++) {
            if (wakeRequested.get(i) != 0 && (caughtUp || fsync == AofSettings.Fsync.ALWAYS) && wakeRequested.getAndSet(i, 0) != 0) {
                wake.accept(i);
            }
        }
    }

    /** Closes the incremental file (forced) and opens the next one, named in the manifest before anything goes there. */
    private void rotate() {
        rotatedTo = -1;
        if (writeError != null) {
            return; // the rewrite that asked fails: its snapshot point is not a file boundary
        }
        try {
            force();
            AofManifest next = manifest.withNewIncr(filename);
            FileChannel opened = FileChannel.open(dir.resolve(next.lastIncr().name()), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            try {
                next.write(dir, filename);
            } catch (IOException e) {
                opened.close();
                throw e;
            }
            incr.close();
            closedIncrsSize += incrSize;
            incr = opened;
            incrSize = 0;
            selectedDb = -1; // a file's commands begin with SELECT, as Redis writes them (its loader needs no state from an earlier file)
            annotated = null; // the last line is in the file closed, which the rewrite deletes: the next one says it again
            manifest = next;
            rotatedTo = next.lastIncr().seq();
        } catch (IOException e) {
            LOG.error("Could not open the next incremental file of the append-only file; the rewrite that began fails", e);
        }
    }

    /**
     * On the writer thread, after a rewrite's snapshot is in place as {@code base}: the manifest
     * names it and the incremental files since its rotation; the older files are deleted.
     */
    void finishRewrite(AofManifest.AofFile base, CompletableFuture<Long> done) {
        if (rotatedTo < 0) {
            deleteQuietly(dir.resolve(base.name()));
            done.completeExceptionally(new IOException("the rewrite's snapshot point is not the start of an incremental file"));
            return;
        }
        AofManifest next = manifest.rewritten(base, rotatedTo);
        try {
            next.withoutHistory().write(dir, filename);
        } catch (IOException e) {
            deleteQuietly(dir.resolve(base.name()));
            done.completeExceptionally(e);
            return;
        }
        manifest = next.withoutHistory();
        rotatedTo = -1;
        for (AofManifest.AofFile old : next.history()) {
            deleteQuietly(dir.resolve(old.name()));
        }
        baseSize = sizeOf(dir.resolve(base.name()));
        closedIncrsSize = 0;
        for (AofManifest.AofFile f : manifest.incrs()) {
            if (f != manifest.lastIncr()) {
                closedIncrsSize += sizeOf(dir.resolve(f.name()));
            }
        }
        currentSize = baseSize + closedIncrsSize + incrSize;
        rewriteBaseSize = currentSize;
        done.complete(currentSize);
    }

    static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.warn("Could not delete {}", f.toAbsolutePath(), e);
        }
    }

    private void fail(String what, Throwable e) {
        String message = what + ": " + e;
        if (writeError == null) {
            LOG.error("The append-only file failed {}; writes are refused (-MISCONF) until it works again", what, e);
            writeError = e.getMessage() != null ? e.getMessage() : e.toString();
            statusChanged.run();
        } else {
            LOG.debug(message);
        }
    }

    private void recovered() {
        if (writeError != null) {
            LOG.warn("The append-only file is written again");
            writeError = null;
            statusChanged.run();
        }
    }
}
