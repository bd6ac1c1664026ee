package io.percore.demo.server;

import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard's part of CLIENT PAUSE (Redis's {@code pauseClients}): while a pause is on, its
 * connections hold the commands it covers (all of them, or in WRITE mode those that may change
 * data) and every command after them, in order; when it ends they run. CLIENT PAUSE and UNPAUSE
 * reach every shard's part through the keyspace, and each shard ends its pause with its own timer.
 * As in Redis, a second pause keeps the later end and the stricter mode.
 */
public final class ClientPause {

    public static final int OFF = 0;
    public static final int WRITE = 1;
    public static final int ALL = 2;
    /** A pause this long has no timer (a timer's nanoseconds would overflow): it lasts until unpaused. */
    static final long FOR_EVER_MILLIS = java.util.concurrent.TimeUnit.DAYS.toMillis(365L * 100);

    private final Runnable onChange;
    private int mode = OFF;
    private long endMillis;
    private Cancellable timer;
    /** Connections holding commands, in the order they were held. */
    private final java.util.LinkedHashSet<Client> held = new java.util.LinkedHashSet<>();

    /** {@code onChange} runs whenever the mode changes (the shard's command hooks follow it). */
    public ClientPause(Runnable onChange) {
        this.onChange = onChange;
    }

    /** {@link #OFF}, {@link #WRITE} or {@link #ALL}. */
    public int mode() {
        return mode;
    }

    /** Pauses until {@code endMillis} (wall clock) in {@code newMode}, or longer/stricter if a pause is already on. */
    public void pause(int newMode, long endMillis, Shard shard) {
        long now = System.currentTimeMillis();
        if (mode == OFF) {
            this.endMillis = endMillis;
        } else {
            this.endMillis = Math.max(this.endMillis, endMillis);
        }
        mode = Math.max(mode, newMode);
        onChange.run();
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        long delay = Math.max(0, this.endMillis - now);
        if (delay < FOR_EVER_MILLIS) {
            timer = shard.schedule(Duration.ofMillis(delay), this::unpause);
        } // else until UNPAUSE (a shutdown's hold, or a timeout past any timer's reach)
    }

    /** Ends the pause: the held connections run their commands, in the order they were held. */
    public void unpause() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        mode = OFF;
        onChange.run();
        List<Client> release = new ArrayList<>(held);
        held.clear();
        for (Client connection : release) {
            connection.resumeAfterPause();
        }
    }

    /** Whether a command with these flags must wait (WRITE mode holds writes and what Redis calls may-replicate). */
    public boolean holds(boolean mayWrite) {
        return mode == ALL || (mode == WRITE && mayWrite);
    }

    public void hold(Client connection) {
        held.add(connection);
    }

    public void forget(Client connection) {
        held.remove(connection);
    }

    /** Connections holding commands now (INFO blocked_clients). */
    public int heldConnections() {
        return held.size();
    }
}
