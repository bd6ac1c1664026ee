package io.percore.demo.scripting;

import io.percore.demo.shard.ShardReservation;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The scripts waiting to run on a shard, run one after another from a task of their own and never
 * inline in the handler that asked for them (a connection's command, a message from another shard,
 * work a transaction parked). So when a script runs past {@code busy-reply-threshold} the shard can
 * poll its sockets from inside the script ({@link io.percore.engine.Shard#pollIoNow}) with no socket
 * handler, decoder or connection of its own on the stack, and answer its clients {@code -BUSY}, as
 * Redis's {@code processEventsWhileBlocked}. Scripts that arrive while one runs are taken by the same
 * task, so a pipeline of scripts costs one hop. A shard may run its tasks inside a long io_uring poll
 * (between two completions, where it cannot poll again): the task found there hands the scripts on to
 * a timer, which runs outside the poll.
 *
 * <p>A script runs when the shard admits its transaction (none for a plain EVAL, EXEC's for one
 * inside MULTI): one that a transaction holding the shard does not admit waits, parked behind it,
 * and those of the holding transaction run meanwhile. Shard thread only.
 */
final class ScriptQueue {

    /** A script to run on this shard for {@code transaction} ({@link ShardReservation#FREE} outside MULTI). */
    interface Job {
        long transaction();

        void run();
    }

    private final KeyspaceShard state;
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private final Runnable drain = this::drain;
    private boolean scheduled;
    private boolean draining;

    ScriptQueue(KeyspaceShard state) {
        this.state = state;
    }

    void add(Job job) {
        waiting.add(job);
        if (!scheduled && !draining) {
            scheduled = true;
            Shard.current().execute(drain);
        }
    }

    private void drain() {
        Shard shard = Shard.current();
        if (shard.inIoPoll()) {
            shard.schedule(Duration.ZERO, drain);
            return;
        }
        scheduled = false;
        draining = true;
        try {
            ShardReservation reservation = state.reservation();
            Job job;
            while ((job = waiting.poll()) != null) {
                if (!reservation.admits(job.transaction())) {
                    Job parked = job;
                    reservation.park(() -> add(parked));
                    continue;
                }
                job.run();
            }
        } finally {
            draining = false;
        }
    }
}
