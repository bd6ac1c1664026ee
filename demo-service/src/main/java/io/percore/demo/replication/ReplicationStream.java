package io.percore.demo.replication;

import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.feed.FeedOrder;
import io.percore.demo.feed.FeedRecord;
import io.percore.demo.feed.GroupOrder;
import io.percore.demo.feed.RespArgv;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * <p>It also writes what Redis's primary adds to its stream: {@code SELECT 0} where a full sync
 * begins, {@code PING} every {@code repl-ping-replica-period} while replicas are attached, and
 * {@code REPLCONF GETACK *} while a WAIT waits; and it answers, for WAIT, where in the stream
 * every change made before a point is ({@link #offsetAfter}).
 */
final class ReplicationStream implements ChangeFeed.Reader {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStream.class);
    /** Under load the thread takes the shards' hand-overs once per nap instead of being woken for each. */
    static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final byte[] SELECT_0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GETACK = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Object STOP = new Object();

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
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final FeedOrder feed;
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile long backlogSize;
    private volatile long pingPeriodNanos;
    private volatile boolean getAckWanted;
    /** This server's own stream (a primary): it writes PINGs and GETACKs; a replica's stream is its primary's, byte for byte. */
    private boolean ownStream = true;
    private final Readers readers;

    // the thread's
    private final RespArgv pending = new RespArgv(1 << 16);
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
        this.feed = new FeedOrder(shards);
        this.thread = new Thread(this::run, "percore-replication-stream");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    // ------------------------------------------------------------------ from the shards

    @Override
    public void created(int shard, long seq) {
        feed.created(shard, seq);
    }

    @Override
    public void offer(List<FeedRecord> records) {
        queue.add(records);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
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
        LockSupport.unpark(thread);
    }

    /** Wakes the thread (an ack arrived that a WAIT may wait for). */
    void poke() {
        LockSupport.unpark(thread);
    }

    /** Whether the stream is this server's own (a primary's) or a copy of its primary's. Stream thread (in {@link #run}). */
    void ownStream(boolean own) {
        this.ownStream = own;
    }

    void backlogSize(long bytes) {
        this.backlogSize = bytes;
        trimSoon();
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
        control(() -> pending.append(bytes));
    }

    private void control(Runnable task) {
        queue.add(task);
        LockSupport.unpark(thread);
    }

    /** Stops after appending what was handed over; waits at most {@code millis}. */
    void close(long millis) {
        queue.add(STOP);
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the thread

    private void run() {
        try {
            boolean stop = false;
            while (!stop) {
                boolean worked = false;
                for (Object item = queue.poll(); item != null; item = queue.poll()) {
                    worked = true;
                    if (item == STOP) {
                        stop = true;
                    } else {
                        handle(item);
                    }
                }
                answerWaits(); // before GETACK: a WAIT's question goes out in this turn
                long now = System.nanoTime();
                if (ownStream && readers.any() && now - lastPingNanos >= pingPeriodNanos) {
                    lastPingNanos = now;
                    pending.append(PING);
                }
                if (getAckWanted && ownStream && readers.any()) {
                    getAckWanted = false;
                    pending.append(GETACK);
                }
                publish();
                if (stop) {
                    break;
                }
                if (worked) {
                    LockSupport.parkNanos(NAP_NANOS); // more is likely on its way: take it in a batch
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty() && !getAckWanted) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                sleeping = false;
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The replication stream stopped; replicas will need a full sync", e);
        }
    }

    @SuppressWarnings("unchecked")
    private void handle(Object item) {
        if (item instanceof Runnable task) {
            publish();
            task.run();
            return;
        }
        for (FeedRecord r : (List<FeedRecord>) item) {
            feed.add(r, appender);
        }
    }

    /** Each unit in the stream's order: changes standing alone, a whole group, or a full sync's point. */
    private final class Appender implements FeedOrder.Output {
        @Override
        public void encoded(byte[] commands) {
            pending.append(commands);
        }

        @Override
        public void block(List<byte[][]> commands) {
            pending.block(commands);
        }

        @Override
        public void mark(long group) {
            publish();
            CompletableFuture<Long> waiting = marks.remove(group);
            long at = buffer.end();
            pending.append(SELECT_0); // as Redis's primary selects the database again after a full sync's point
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
