package io.percore.engine;

import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * How work from threads that are not this engine's shards reaches a shard: admission against
 * the bound ({@link ForeignAdmission}), the queue, the wakeup, and what happens to an entry that
 * arrives after the loop has gone. The producers' side only: the loop drains {@link #queue}
 * itself, like its rings, without going through this class.
 */
final class ForeignQueue {

    /** Drained by the loop, its only consumer (until the loop has gone, see {@link #rejectQueued}). */
    final MpscUnboundedXaddArrayQueue<Object> queue = new MpscUnboundedXaddArrayQueue<>(1024);
    private final Shard shard;
    private final ForeignAdmission admission;

    ForeignQueue(Shard shard, int capacity) {
        this.shard = shard;
        this.admission = new ForeignAdmission(shard.id(), capacity);
    }

    /**
     * Takes a place for new work against {@code foreign-queue-capacity}; false, having taken
     * none, when the queue is full. Admitted work then goes in through {@link #offer}.
     */
    boolean tryAdmit() {
        return admission.tryAdmit();
    }

    /** The error a refused submission gets. */
    RejectedExecutionException rejection() {
        return admission.rejection();
    }

    /** Queues new work, or throws {@link #rejection()} with nothing queued. */
    void offerOrThrow(Object entry) {
        admission.admitOrThrow();
        offer(entry);
    }

    /**
     * Queues a completion or an internal hop: work already accepted once, so it is counted but
     * never refused (refusing it would lose that work). After close nobody would run it.
     */
    void offerUnrefusable(Runnable task) {
        if (shard.isTerminated()) {
            Shard.LOG.debug("Dropping a completion for terminated shard {}", shard.id());
            return;
        }
        admission.countUnrefusable();
        offer(task);
    }

    /** Queues an admitted entry and wakes the shard if it sleeps. */
    void offer(Object entry) {
        queue.offer(entry);
        VarHandle.fullFence(); // pairs with the loop's fence before sleeping, and with markClosed()
        shard.wakeIfSleeping();
        if (shard.isTerminated()) {
            // The loop has gone; nobody will run this (it rejected what it found queued).
            RejectedExecutionException e = Engine.closedException();
            if (entry instanceof ForeignCall) {
                ((ForeignCall<?>) entry).reject(e);
                return;
            }
            throw e;
        }
    }

    /** The loop took {@code n} entries: their places go back to new work. */
    void taken(int n) {
        admission.taken(n);
    }

    /** Entries ever offered (the producers' counter, readable from any thread). */
    long arrivals() {
        return queue.currentProducerIndex();
    }

    /**
     * Fails the calls from outside the engine still queued. Only once no loop drains the queue:
     * the loop at its end, or the closer of a loop stuck in a task.
     */
    void rejectQueued(RejectedExecutionException e) {
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof ForeignCall) {
                ((ForeignCall<?>) o).reject(e);
            }
        }
    }
}
