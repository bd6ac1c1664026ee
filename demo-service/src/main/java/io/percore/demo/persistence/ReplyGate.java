package io.percore.demo.persistence;

import io.percore.engine.Shard;
import io.percore.net.server.OrderedResponder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * One shard's gate on its connections' replies while the append-only file is on (Redis writes
 * the log before it writes replies, in {@code beforeSleep}). With {@code appendfsync always} a
 * connection's replies leave only once every change any shard had made when they were ready is
 * fsynced: the reply to a write never reaches a client before the write is on the disk, and
 * neither does a read of it, wherever its key lives. With any policy, replies wait while the
 * writer is more than {@link AofWriter#MAX_QUEUED_BYTES} behind, so a slow disk slows the clients
 * down instead of filling the heap. Without the file, or with everysec/no and a writer keeping up,
 * a flush costs one volatile read.
 *
 * <p>Touched only by its shard's thread, except {@link #wake} which the writer schedules there.
 */
public final class ReplyGate implements OrderedResponder.FlushGate {

    private record Waiting(Runnable reopen, long[] target) {
    }

    private final int shard;
    private final Supplier<AofWriter> writer;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    ReplyGate(int shard, Supplier<AofWriter> writer) {
        this.shard = shard;
        this.writer = writer;
    }

    @Override
    public boolean open(Runnable reopen) {
        AofWriter w = writer.get();
        if (w == null) {
            return true;
        }
        boolean always = w.fsync() == AofSettings.Fsync.ALWAYS;
        if (!always && !w.behind()) {
            return true;
        }
        long[] target = always ? w.createdNow() : null;
        if (passes(w, target)) {
            return true;
        }
        waiting.add(new Waiting(reopen, target));
        askToWake(w);
        return false;
    }

    /** On the shard: lets out the connections whose changes are durable now (all of them when the file was turned off). */
    void wake() {
        AofWriter w = writer.get();
        List<Runnable> open = new ArrayList<>();
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting next = it.next();
            if (w == null || passes(w, next.target())) {
                it.remove();
                open.add(next.reopen());
            }
        }
        open.forEach(Runnable::run); // after the walk: a reopened connection may wait here again at once
        if (!waiting.isEmpty() && w != null) {
            askToWake(w);
        }
    }

    /** Asks the writer to wake this shard, then looks again: a writer's turn that ended in between is not missed. */
    private void askToWake(AofWriter w) {
        w.wakeMe(shard);
        Waiting first = waiting.peek();
        if (first != null && passes(w, first.target())) {
            Shard.current().execute(this::wake);
        }
    }

    private static boolean passes(AofWriter w, long[] target) {
        return !w.behind() && (target == null || w.reached(target));
    }
}
