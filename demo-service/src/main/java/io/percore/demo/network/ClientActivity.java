package io.percore.demo.network;

/**
 * When a connection last interacted (Redis's {@code c->lastinteraction}): a read burst, a command's end, held commands let
 * go, a replica's ack, or the socket taking some of its unsent output. CLIENT LIST's {@code idle=} and the {@code timeout}
 * check read it; the command starting now takes it as its start, so a command costs one clock read, at its end. Shard
 * thread only.
 */
final class ClientActivity {

    private long lastTick = System.nanoTime();
    /** When the socket was last seen taking some of its unsent output (at a memory check), and how much was unsent then. */
    private long outputMovedAt = lastTick;
    private long unsentAtLastCheck;
    private boolean inBurst;

    /** A read: the first of a burst reads the clock (its first command's start), the others do not. */
    void read() {
        if (!inBurst) {
            inBurst = true;
            lastTick = System.nanoTime();
        }
    }

    /** The read burst is over. */
    void readComplete() {
        inBurst = false;
    }

    /** An interaction at {@code nowNanos}. */
    void at(long nowNanos) {
        lastTick = nowNanos;
    }

    /** An interaction now. */
    void now() {
        lastTick = System.nanoTime();
    }

    /** The last interaction ({@link System#nanoTime}): the start of the command that runs next. */
    long last() {
        return lastTick;
    }

    /** {@code unsent} bytes of output wait now: less than at the last check means the socket took some, an interaction. */
    void unsentOutput(long unsent) {
        if (unsent < unsentAtLastCheck) {
            outputMovedAt = System.nanoTime(); // as Redis's writes to the socket are
        }
        unsentAtLastCheck = unsent;
    }

    /** Nanoseconds from the last interaction to {@code nowNanos}. */
    long idleNanos(long nowNanos) {
        return nowNanos - Math.max(lastTick, outputMovedAt);
    }
}
