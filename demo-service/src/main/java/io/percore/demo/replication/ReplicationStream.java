package io.percore.demo.replication;

import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.feed.Block;
import io.percore.demo.feed.FeedOrder;
import io.percore.demo.feed.FeedReaderThread;
import io.percore.demo.feed.FeedRecord;
import io.percore.demo.feed.GroupOrder;
import io.percore.demo.feed.RespArgv;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's one replication stream (Redis's {@code replicationFeedSlaves} and the backlog's
 * writer): one thread takes every shard's changes from their {@link ChangeFeed}s, puts them in one
 * serial order ({@link GroupOrder}: a transaction or a command spanning shards becomes one
 * {@code MULTI ... EXEC}, so a replica applies it all or nothing) and appends them to the
 * {@link ReplicationBuffer}, from which every replica is sent what it has not had. Order: a
 * shard's changes keep their order, so every key's do; a group keeps its place on all its shards;
 * changes of different shards outside groups are in the order the thread met them (nothing
 * observable orders them: they touch different keys).
 *
 * <p>It also writes what Redis's primary adds to its stream: {@code SELECT} before the first
 * command after a full sync's point and before a command of another database than the last one's
 * (Redis's {@code slaveseldb}), {@code PING} every {@code repl-ping-replica-period} while replicas are attached, and
 * {@code REPLCONF GETACK *} while a WAIT waits; and it answers, for WAIT, where in the stream
 * every change made before a point is ({@link #offsetAfter}).
 */
final class ReplicationStream implements ChangeFeed.Reader, FeedReaderThread.Turns {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStream.class);
    /** Under load the thread takes the shards' hand-overs once per nap instead of being woken for each. */
    static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GETACK = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where the stream's readers are told that more is there (the replicas' links). */
    interface Readers {
        /** New bytes were appended (stream thread). */
        void appended();

        /** The position the slowest reader still needs, or {@code Long.MAX_VALUE} when none does. */
        long needed();

        /** Whether any replica is attached (PINGs are sent only then). */
        boolean any();
    }

    private final ReplicationBuffer buffer;
    /** The stream's thread and its turns; the shards' order of the records it takes. */
    private final FeedReaderThread reader;
    private final FeedOrder feed;
    private volatile long backlogSize;
    private volatile long pingPeriodNanos;
    private volatile boolean getAckWanted;
    /** A PING and a GETACK asked for: the answer acknowledges the PING, which proves when it was sent ({@link OffsetClock}). */
    private volatile boolean proofWanted;
    private final OffsetClock clock = new OffsetClock();
    /** This server's own stream (a primary): it writes PINGs and GETACKs; a replica's stream is its primary's, byte for byte. */
    private boolean ownStream = true;
    private final Readers readers;

    /** Told, on the stream's thread, that the stream carried every change the shards had made when their clocks read {@code clocks}. */
    @FunctionalInterface
    interface CaughtUp {
        /** {@code offset}: where the stream ends then; {@code db}: the database a replica standing there has selected. */
        void at(long[] clocks, long offset, int db);
    }

    private volatile io.percore.demo.feed.ChangeClocks clocks;
    private volatile CaughtUp caughtUp;
    private long[] caughtUpClocks;

    // the thread's
    private final RespArgv pending = new RespArgv(1 << 16);
    /** The database the stream's commands so far leave selected; -1: the next command selects its own (Redis's {@code slaveseldb}). */
    private int selectedDb = -1;
    private final FeedOrder.Output appender = new Appender();
    private final List<OffsetWait> waits = new ArrayList<>();
    private final Map<Long, CompletableFuture<Long>> marks = new java.util.concurrent.ConcurrentHashMap<>();
    private long lastPingNanos = System.nanoTime();

    /** A WAIT's question: the position after every change counted in {@code target}. */
    private record OffsetWait(long[] target, LongConsumer then) {
    }

    ReplicationStream(ReplicationBuffer buffer, int shards, long backlogSize, long pingPeriodNanos, Readers readers) {
        this.buffer = buffer;
        this.backlogSize = backlogSize;
        this.pingPeriodNanos = pingPeriodNanos;
        this.readers = readers;
        this.reader = new FeedReaderThread("percore-replication-stream", shards, NAP_NANOS, appender, this);
        this.feed = reader.order();
        reader.start();
    }

    // ------------------------------------------------------------------ from the shards

    @Override
    public void created(int shard, long seq) {
        reader.created(shard, seq);
    }

    @Override
    public void offer(List<FeedRecord> records) {
        reader.handOver(records, false);
    }

    /** Every shard's changes so far: what a WAIT issued now depends on. */
    long[] createdNow() {
        return feed.createdNow();
    }

    /** {@code then} gets the stream's end once every change counted in {@code target} is in the stream (on this thread). */
    void offsetAfter(long[] target, LongConsumer then) {
        control(() -> waits.add(new OffsetWait(target, then)));
    }

    /** Completes with the stream position of the full sync point {@code group} once its marks have all arrived. */
    CompletableFuture<Long> markOffset(long group) {
        return marks.computeIfAbsent(group, g -> new CompletableFuture<>()); // the marks cannot be released before the first shard asks
    }

    /** Asks the replicas for their offsets at the next turn (a WAIT waits). */
    void requestAcks() {
        getAckWanted = true;
        reader.wake();
    }

    /**
     * Asks the replicas, at the next turn, for an ack that proves it was sent from now on: a PING and a GETACK, whose
     * answer (the offset before the GETACK, as Redis's) covers the PING.
     */
    void requestProof() {
        proofWanted = true;
        reader.wake();
    }

    /** When the bytes an ack covers were published: the ack was sent after that ({@link OffsetClock#UNKNOWN}: no proof). */
    long sentAfter(long ackOffset) {
        return clock.sentAfter(ackOffset);
    }

    /** Wakes the thread (an ack arrived that a WAIT may wait for). */
    void poke() {
        reader.wake();
    }

    /** Whether the stream is this server's own (a primary's) or a copy of its primary's. On the stream's thread. */
    void ownStream(boolean own) {
        this.ownStream = own;
    }

    void backlogSize(long bytes) {
        this.backlogSize = bytes;
        trimSoon();
    }

    /** From now on {@code then} hears, at the end of each turn that leaves the stream caught up by {@code clocks}, where it stands. */
    void caughtUp(io.percore.demo.feed.ChangeClocks clocks, CaughtUp then) {
        control(() -> {
            this.caughtUpClocks = new long[clocks.shards()];
            this.clocks = clocks;
            this.caughtUp = then;
        });
    }

    void pingPeriodNanos(long nanos) {
        this.pingPeriodNanos = nanos;
    }

    /** Runs {@code task} on the stream's thread after everything handed over before it is in the stream. */
    CompletableFuture<Void> run(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        control(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Appends a primary's stream as it came (this server is a replica: its offsets continue the primary's). */
    void verbatim(byte[] bytes) {
        control(() -> {
            pending.append(bytes);
            selectedDb = -1; // the primary's SELECTs are in there: once promoted, this server's first command selects its own
        });
    }

    private void control(Runnable task) {
        reader.control(task);
    }

    /** Stops after appending what was handed over; waits at most {@code millis}. */
    void close(long millis) {
        reader.stop(millis);
    }

    // ------------------------------------------------------------------ the thread

    @Override
    public void endOfTurn(long turnBegan, boolean stopping) {
        answerWaits(); // before GETACK: a WAIT's question goes out in this turn
        long now = System.nanoTime();
        if (ownStream && readers.any() && now - lastPingNanos >= pingPeriodNanos) {
            lastPingNanos = now;
            pending.append(PING);
        }
        if (proofWanted && ownStream && readers.any()) {
            proofWanted = false;
            getAckWanted = true;
            lastPingNanos = now;
            pending.append(PING);
        }
        if (getAckWanted && ownStream && readers.any()) {
            getAckWanted = false;
            pending.append(GETACK);
        }
        publish();
        CaughtUp then = caughtUp;
        if (then != null && ownStream && feed.caughtUpAt(clocks, caughtUpClocks)) {
            then.at(caughtUpClocks, buffer.end(), Math.max(selectedDb, 0)); // -1: the next command selects its own
        }
    }

    /**
     * A GETACK asked for meanwhile goes out at once; else the next hand-over, task or ping period wakes it. One that
     * cannot go out (no replica attached, or a replica's copy of its primary's stream) waits for the ping period like
     * the rest: taken as urgent, it turned the thread without a pause, a CPU spent on every replica and on a primary
     * whose replicas were gone while min-replicas-to-write asked for proof each second.
     */
    @Override
    public long idleNanos() {
        return (getAckWanted || proofWanted) && ownStream && readers.any() ? 0 : TimeUnit.MILLISECONDS.toNanos(100);
    }

    @Override
    public void failed(Throwable e) {
        LOG.error("The replication stream stopped; replicas will need a full sync", e);
    }

    @Override
    public void beforeTask() {
        publish();
    }

    /** Each unit in the stream's order: changes standing alone, a whole group, or a full sync's point. */
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
            publish();
            CompletableFuture<Long> waiting = marks.remove(group);
            long at = buffer.end();
            selectedDb = -1; // as Redis's primary selects the database again after a full sync's point
            if (waiting != null) {
                waiting.complete(at);
            } else {
                LOG.warn("A full sync's point arrived with nobody waiting for it (group {})", group);
            }
            publish();
        }
    }

    /** Appends what is pending to the buffer, drops what nobody needs, and tells the readers. */
    private void publish() {
        if (pending.length() == 0) {
            return;
        }
        clock.publishing(System.nanoTime(), buffer.end());
        buffer.append(pending.array(), 0, pending.length());
        pending.clear();
        trim();
        readers.appended();
    }

    /** Drops what neither the backlog nor a replica needs (also when a replica left: what it held goes). */
    private void trim() {
        long keepFrom = Math.min(buffer.end() - backlogSize, readers.needed());
        if (keepFrom > buffer.start()) {
            buffer.trim(keepFrom);
        }
    }

    /** A reader left or the backlog shrank: trims at the next turn. */
    void trimSoon() {
        control(this::trim);
    }

    private void answerWaits() {
        if (waits.isEmpty()) {
            return;
        }
        for (Iterator<OffsetWait> it = waits.iterator(); it.hasNext(); ) {
            OffsetWait w = it.next();
            if (feed.released(w.target())) {
                it.remove();
                w.then().accept(buffer.end() + pending.length()); // what is released is in the stream once pending is appended
            }
        }
    }

}
