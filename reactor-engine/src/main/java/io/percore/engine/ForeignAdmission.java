package io.percore.engine;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on one shard's foreign queue ({@code percore.engine.foreign-queue-capacity}). The
 * queue itself stays JCTools' unbounded MPSC queue (one XADD per offer, no CAS loop for the
 * consumer); this counts what waits in it. A new submission from outside the engine takes a
 * place with a CAS only while fewer than {@code capacity} wait, so a flood from any number of
 * threads is admitted exactly up to the bound and refused beyond it, before anything is queued.
 * Completions and internal hops (a future completed from outside, whose submission was admitted
 * once already) are counted but never refused: refusing them would lose accepted work. The shard
 * gives places back once per drain, not per entry.
 */
final class ForeignAdmission {

    static final String CAPACITY_KEY = "percore.engine.foreign-queue-capacity";

    private final int shardId;
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();

    ForeignAdmission(int shardId, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("foreign queue capacity must be positive, got " + capacity);
        }
        this.shardId = shardId;
        this.capacity = capacity;
    }

    /** Takes a place for new work; false, taking none, when {@code capacity} entries wait. */
    boolean tryAdmit() {
        for (;;) {
            int n = waiting.get();
            if (n >= capacity) {
                return false;
            }
            if (waiting.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** As {@link #tryAdmit}, throwing {@link #rejection()} when full. */
    void admitOrThrow() {
        if (!tryAdmit()) {
            throw rejection();
        }
    }

    /** Counts an entry that must get through whatever the bound (it may exceed it). */
    void countUnrefusable() {
        waiting.incrementAndGet();
    }

    /** The shard took {@code n} entries out of the queue. */
    void taken(int n) {
        waiting.addAndGet(-n);
    }

    /** Entries waiting now (admitted or not yet given back by a drain). */
    int waiting() {
        return waiting.get();
    }

    RejectedExecutionException rejection() {
        return new RejectedExecutionException("Shard " + shardId + " is not keeping up: its queue for work from outside the"
                + " engine is full (" + capacity + " waiting, " + CAPACITY_KEY + "=" + capacity + "); the submission was refused,"
                + " nothing was queued. Retry later or submit less at once.");
    }
}
