package io.percore.engine;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.jctools.queues.SpscArrayQueue;

/**
 * A shard's sending side of the mesh. A message goes straight into the ring to its target; if
 * that ring is full it is parked here (shard-local) and retried at every flush, in order, so a
 * full ring neither blocks the shard nor loses a message. Sleeping targets are woken once per
 * flush rather than once per message.
 *
 * <p>Parking is bounded ({@code percore.engine.cross-shard-overflow-capacity}, all targets
 * together) for new work only: {@link #sendRequest} refuses a call or task that would have to
 * park beyond the bound, before anything is sent. Replies and completions ({@link #send}) always
 * park: each answers work that was accepted, so they are bounded by it, and refusing one would
 * lose that work. The bound costs nothing while rings have room: it is read only on the way to
 * parking.
 */
final class Outbox {

    private final Shard self;
    private final Shard[] shards;
    private final SpscArrayQueue<Object>[] rings;
    private final ArrayDeque<Object>[] overflow;
    private final int overflowCapacity;
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;
    private int overflowing;
    /** Messages parked now, all targets together. */
    private int parked;
    long sent;
    long overflowed;

    @SuppressWarnings("unchecked")
    Outbox(Shard self, Shard[] shards, CrossShardMesh mesh, int overflowCapacity) {
        this.self = self;
        this.overflowCapacity = overflowCapacity;
        this.shards = shards;
        int n = shards.length;
        this.rings = new SpscArrayQueue[n];
        this.overflow = new ArrayDeque[n];
        for (int to = 0; to < n; to++) {
            if (to != self.id()) {
                rings[to] = mesh.ring(self.id(), to);
            }
        }
        this.touched = new boolean[n];
        this.touchedList = new int[n];
    }

    /** Sends a message that must get through (a reply, a completion): parks it whatever the bound. */
    void send(int to, Object message) {
        sent++;
        ArrayDeque<Object> queue = overflow[to];
        if ((queue == null || queue.isEmpty()) && rings[to].offer(message)) {
            touch(to);
            return;
        }
        park(to, message);
    }

    /**
     * Sends new work; false, having sent nothing, when it would have to park and
     * {@code overflowCapacity} messages are parked already.
     */
    boolean sendRequest(int to, Object message) {
        ArrayDeque<Object> queue = overflow[to];
        if ((queue == null || queue.isEmpty()) && rings[to].offer(message)) {
            sent++;
            touch(to);
            return true;
        }
        if (parked >= overflowCapacity) {
            return false;
        }
        sent++;
        park(to, message);
        return true;
    }

    private void park(int to, Object message) {
        ArrayDeque<Object> queue = overflow[to];
        if (queue == null) {
            queue = new ArrayDeque<>();
            overflow[to] = queue;
        }
        if (queue.isEmpty()) {
            overflowing++;
        }
        queue.addLast(message);
        parked++;
        overflowed++;
        touch(to);
    }

    /** The error new work gets when {@link #sendRequest} refuses it. */
    RejectedExecutionException overflowRejection(int to) {
        return new RejectedExecutionException("Shard " + to + " is not keeping up with shard " + self.id()
                + ": its ring is full and shard " + self.id() + " already holds " + parked
                + " parked messages (percore.engine.cross-shard-overflow-capacity=" + overflowCapacity
                + "); the call was refused, nothing was sent. Retry later or send less at once.");
    }

    private void touch(int to) {
        if (!touched[to]) {
            touched[to] = true;
            touchedList[touchedCount++] = to;
        }
    }

    /** Whether messages are parked waiting for room in a ring. */
    boolean hasOverflow() {
        return overflowing > 0;
    }

    /**
     * Retries parked messages and wakes the targets that got messages and are asleep. Returns
     * whether parked messages moved into a ring (so retrying again soon is worthwhile).
     */
    boolean flush() {
        if (touchedCount == 0) {
            return false;
        }
        boolean moved = overflowing > 0 && retryOverflow();
        // Pairs with the volatile store of `sleeping` in Shard.idle(): either we see the target
        // asleep or it sees our message before it blocks.
        VarHandle.fullFence();
        int kept = 0;
        for (int i = 0; i < touchedCount; i++) {
            int to = touchedList[i];
            shards[to].wakeIfSleeping();
            ArrayDeque<Object> parked = overflow[to];
            if (parked != null && !parked.isEmpty()) {
                touchedList[kept++] = to;
            } else {
                touched[to] = false;
            }
        }
        touchedCount = kept;
        return moved;
    }

    private boolean retryOverflow() {
        boolean moved = false;
        for (int i = 0; i < touchedCount; i++) {
            int to = touchedList[i];
            ArrayDeque<Object> parked = overflow[to];
            if (parked == null || parked.isEmpty()) {
                continue;
            }
            SpscArrayQueue<Object> ring = rings[to];
            Object next;
            while ((next = parked.peekFirst()) != null && ring.offer(next)) {
                parked.pollFirst();
                this.parked--;
                moved = true;
            }
            if (parked.isEmpty()) {
                overflowing--;
            }
        }
        return moved;
    }

    int parkedCount() {
        return parked;
    }
}
