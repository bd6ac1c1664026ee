package io.percore.engine;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import org.jctools.queues.SpscArrayQueue;

/**
 * A shard's sending side of the mesh. A message goes straight into the ring to its target; if
 * that ring is full it is parked here (shard-local, unbounded) and retried at every flush, in
 * order, so a full ring neither blocks the shard nor loses a message. Sleeping targets are
 * woken once per flush rather than once per message.
 */
final class Outbox {

    private final Shard self;
    private final Shard[] shards;
    private final SpscArrayQueue<Object>[] rings;
    private final ArrayDeque<Object>[] overflow;
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;
    private int overflowing;
    long sent;
    long overflowed;

    @SuppressWarnings("unchecked")
    Outbox(Shard self, Shard[] shards, CrossShardMesh mesh) {
        this.self = self;
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

    void send(int to, Object message) {
        sent++;
        ArrayDeque<Object> parked = overflow[to];
        if ((parked == null || parked.isEmpty()) && rings[to].offer(message)) {
            touch(to);
            return;
        }
        if (parked == null) {
            parked = new ArrayDeque<>();
            overflow[to] = parked;
        }
        if (parked.isEmpty()) {
            overflowing++;
        }
        parked.addLast(message);
        overflowed++;
        touch(to);
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
                moved = true;
            }
            if (parked.isEmpty()) {
                overflowing--;
            }
        }
        return moved;
    }

    int parkedCount() {
        int n = 0;
        for (ArrayDeque<Object> parked : overflow) {
            if (parked != null) {
                n += parked.size();
            }
        }
        return n;
    }
}
