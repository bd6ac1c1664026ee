package io.percore.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a shard publishes about its own quiescence, for a draining engine: "since turn T I have
 * had no task queued, no message parked, and these message counts". Only the shard writes it,
 * from its own thread (when it is about to sleep with nothing to do, and again when it wakes),
 * so nobody reads its queues from another thread.
 *
 * <p>A reader on another thread gets a consistent view with a sequence-lock: the turn is
 * written last (release) when the shard goes quiet and reset to -1 before the counts change,
 * and the reader accepts the counts only if it reads the same turn before and after them. Turns
 * only grow, so an equal turn means nothing changed in between.
 */
final class QuiescenceSignal {

    private static final long BUSY = -1;
    private static final VarHandle QUIET_SINCE_TURN;
    private static final VarHandle SENT;
    private static final VarHandle RECEIVED;
    private static final VarHandle FOREIGN_TAKEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            QUIET_SINCE_TURN = l.findVarHandle(QuiescenceSignal.class, "quietSinceTurn", long.class);
            SENT = l.findVarHandle(QuiescenceSignal.class, "sent", long.class);
            RECEIVED = l.findVarHandle(QuiescenceSignal.class, "received", long.class);
            FOREIGN_TAKEN = l.findVarHandle(QuiescenceSignal.class, "foreignTaken", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through QUIET_SINCE_TURN
    private long quietSinceTurn = BUSY;
    @SuppressWarnings("unused")
    private long sent;
    @SuppressWarnings("unused")
    private long received;
    @SuppressWarnings("unused")
    private long foreignTaken;
    /** Shard-thread only: whether quiet is published now, so waking costs a store only once. */
    private boolean published;

    /**
     * The shard is quiet as of {@code turn}: it has sent {@code sent} messages into the mesh,
     * taken {@code received} out of it and {@code foreignTaken} entries from its foreign queue.
     */
    void publishQuiet(long turn, long sent, long received, long foreignTaken) {
        SENT.setOpaque(this, sent);
        RECEIVED.setOpaque(this, received);
        FOREIGN_TAKEN.setOpaque(this, foreignTaken);
        QUIET_SINCE_TURN.setRelease(this, turn);
        published = true;
    }

    /**
     * The shard makes work or is about to run some: its published counts are stale. Called when
     * it wakes and whenever it queues a task or sends a message (socket handlers run inside the
     * I/O poll, while the shard has published itself quiet). Costs a plain read of a shard-local
     * flag unless quiet was published.
     */
    void publishBusy() {
        if (published) {
            published = false;
            QUIET_SINCE_TURN.setRelease(this, BUSY);
            VarHandle.storeStoreFence(); // the reset is visible before the counts of the next quiet turn
        }
    }

    /**
     * Copies the published state into {@code into} (slot {@code i}); false if the shard is busy
     * or was changing it meanwhile. Any thread.
     */
    boolean readInto(Snapshot into, int i) {
        long turn = (long) QUIET_SINCE_TURN.getAcquire(this);
        if (turn == BUSY) {
            return false;
        }
        into.turn[i] = turn;
        into.sent[i] = (long) SENT.getOpaque(this);
        into.received[i] = (long) RECEIVED.getOpaque(this);
        into.foreignTaken[i] = (long) FOREIGN_TAKEN.getOpaque(this);
        VarHandle.loadLoadFence();
        return (long) QUIET_SINCE_TURN.getAcquire(this) == turn;
    }

    /** One look at every shard's published state, taken by the draining thread. */
    static final class Snapshot {
        final long[] turn;
        final long[] sent;
        final long[] received;
        final long[] foreignTaken;

        Snapshot(int shards) {
            turn = new long[shards];
            sent = new long[shards];
            received = new long[shards];
            foreignTaken = new long[shards];
        }

        /** Whether every message sent into the mesh has been taken out of it. */
        boolean meshEmpty() {
            long s = 0;
            long r = 0;
            for (int i = 0; i < turn.length; i++) {
                s += sent[i];
                r += received[i];
            }
            return s == r;
        }

        /** Whether no shard ran a turn between {@code earlier} and this snapshot. */
        boolean sameTurns(Snapshot earlier) {
            return java.util.Arrays.equals(turn, earlier.turn);
        }
    }
}
