package io.percore.demo.feed;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread a reader of the change feed runs on (the append-only file's writer, the replication
 * stream), and the loop they share: the shards' hand-overs and the reader's control tasks come
 * through one queue, taken in turns; each record is put in the shards' serial order
 * ({@link FeedOrder}) and given to the reader's output; a control task runs after what was handed
 * over before it reached the output. Under load the thread naps between turns and takes the next
 * hand-overs in a batch instead of being woken for each (a wake-up is a futex call and a context
 * switch, often on a shard's own CPU); idle, it sleeps until woken or as long as the reader says.
 * What the reader does at the end of each turn, and when it stops or fails, is its {@link Turns}.
 */
public final class FeedReaderThread {

    /** What a reader does in its thread's turns (on that thread). */
    public interface Turns {
        /** A control task is next: what the records before it made goes out first, so the task sees it. */
        void beforeTask();

        /** Record {@code r} was taken from the queue, before it is put in order. */
        default void taken(FeedRecord r) {
        }

        /** The end of the turn that began at {@code turnBegan} (nanos); {@code stopping}: the last one. */
        void endOfTurn(long turnBegan, boolean stopping);

        /** Whether a turn that worked is followed by a nap rather than a wait to be woken. */
        default boolean napsWhenBusy() {
            return true;
        }

        /** How long to sleep when a turn found nothing (nanos; 0 or less: not at all); a hand-over or {@link #wake} ends it. */
        long idleNanos();

        /** The loop ended with {@code e}: the thread stops after {@link #ended}. */
        void failed(Throwable e);

        /** The thread's last act, stopped or failed. */
        default void ended() {
        }
    }

    private static final Object STOP = new Object();

    private final FeedOrder order;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final long napNanos;
    private final FeedOrder.Output output;
    private final Turns turns;
    /** Parked until signalled (a turn found nothing to do); under load the thread naps instead and needs no signal. */
    private volatile boolean sleeping;

    /** Made stopped: {@link #start} once the reader is ready for its first turn. */
    public FeedReaderThread(String name, int shards, long napNanos, FeedOrder.Output output, Turns turns) {
        this.order = new FeedOrder(shards);
        this.napNanos = napNanos;
        this.output = output;
        this.turns = turns;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The shards' serial order, as this reader has put their records in it. */
    public FeedOrder order() {
        return order;
    }

    /** Shard {@code shard} has made {@code seq} changes so far (set on its thread before its replies can leave). */
    public void created(int shard, long seq) {
        order.created(shard, seq);
    }

    /** A shard's turn of records (its thread); {@code wake}: the thread is woken even when napping. */
    public void handOver(List<FeedRecord> records, boolean wake) {
        queue.add(records);
        if (wake || sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs {@code task} on the thread after everything handed over before it reached the output. */
    public void control(Runnable task) {
        queue.add(task);
        LockSupport.unpark(thread);
    }

    /** Ends a sleep or a nap now (the reader has something to do: a force ended, an ack arrived). */
    public void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Stops after a last turn over everything handed over so far; waits at most {@code millis}.
     * @return whether the thread ended
     */
    public boolean stop(long millis) {
        queue.add(STOP);
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private void run() {
        try {
            boolean stop = false;
            while (!stop) {
                boolean worked = false;
                long turnBegan = System.nanoTime();
                for (Object item = queue.poll(); item != null; item = queue.poll()) {
                    worked = true;
                    if (item == STOP) {
                        stop = true;
                    } else {
                        take(item);
                    }
                }
                turns.endOfTurn(turnBegan, stop);
                if (stop) {
                    break;
                }
                if (worked && turns.napsWhenBusy()) {
                    LockSupport.parkNanos(napNanos); // more is likely on its way: take it in a batch
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty()) {
                    LockSupport.parkNanos(turns.idleNanos());
                }
                sleeping = false;
            }
        } catch (RuntimeException | Error e) {
            turns.failed(e);
        } finally {
            turns.ended();
        }
    }

    @SuppressWarnings("unchecked")
    private void take(Object item) {
        if (item instanceof Runnable task) {
            turns.beforeTask();
            task.run();
            return;
        }
        for (FeedRecord r : (List<FeedRecord>) item) {
            turns.taken(r);
            order.add(r, output);
        }
    }
}
