package io.percore.engine;

import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A shard's way out, confirmed by the loop itself (as Netty's event loops complete their own
 * termination future): the closer asks, the loop stops at the end of its turn, shuts its I/O
 * down, fails what outsiders left queued and only then confirms. The closer waits for that
 * confirmation, not for the thread to die.
 */
final class ShardTermination {

    private volatile boolean stopRequested;
    /** Set when no loop will run queued work any more: submitters from outside then reject. */
    private volatile boolean closed;
    private final CountDownLatch confirmed = new CountDownLatch(1);

    /** Asks the loop to stop at the end of its current turn. Any thread. */
    void request() {
        stopRequested = true;
        VarHandle.fullFence(); // pairs with the fence before the loop's sleep: it sees the request or gets a wakeup
    }

    boolean requested() {
        return stopRequested;
    }

    /** From now on queued work is not going to run (the loop's end, or a closer abandoning a stuck loop). */
    void markClosed() {
        closed = true;
        VarHandle.fullFence(); // pairs with the fence of an outside submitter, which then rejects its own entry
    }

    boolean closed() {
        return closed;
    }

    /** The loop's last act: it has stopped and failed what it left queued. Shard thread only. */
    void confirm() {
        closed = true;
        confirmed.countDown();
    }

    boolean isConfirmed() {
        return confirmed.getCount() == 0;
    }

    /** Waits for the loop's confirmation until {@code deadlineNanos} (System.nanoTime); returns whether it came. */
    boolean awaitUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        try {
            return left > 0 ? confirmed.await(left, TimeUnit.NANOSECONDS) : isConfirmed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return isConfirmed();
        }
    }
}
