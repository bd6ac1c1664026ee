package io.percore.demo.network;

/**
 * A connection's states that change how its commands run, as Redis's {@code c->flags}: {@code CLIENT_MONITOR},
 * {@code CLIENT_REPLY_OFF}, {@code CLIENT_REPLY_SKIP_NEXT} and {@code CLIENT_REPLY_SKIP}, {@code CLIENT_NO_EVICT},
 * {@code CLIENT_CLOSE_AFTER_REPLY}, a CLIENT PAUSE holding it and {@code CLIENT_TRACKING}. One int, zero for almost every
 * connection: a command's end asks {@link #any} and reads nothing else. Shard thread only.
 */
final class ClientFlags {

    private static final int MONITOR = 1;
    private static final int REPLY_OFF = 2;
    private static final int REPLY_SKIP_NEXT = 4;
    private static final int REPLY_SKIP = 8;
    private static final int NO_EVICT = 16;
    private static final int CLOSE_AFTER_REPLY = 32;
    private static final int PAUSED = 64;
    /** CLIENT TRACKING is on: each command is prepared for the shards it reaches, and CLIENT CACHING's flag lasts one command. */
    private static final int TRACKING = 128;
    private static final int MUTED = REPLY_OFF | REPLY_SKIP;

    private int bits;
    /** When the connection became a MONITOR: it gets the commands that ran after. */
    private long monitoringSince;

    /** Whether any flag is set: the one test of a command's end on almost every connection. */
    boolean any() {
        return bits != 0;
    }

    boolean monitoring() {
        return (bits & MONITOR) != 0;
    }

    /** Becomes a MONITOR, from {@code nowNanos} on; false if it was one already. */
    boolean startMonitoring(long nowNanos) {
        if (monitoring()) {
            return false;
        }
        bits |= MONITOR;
        monitoringSince = nowNanos;
        return true;
    }

    long monitoringSince() {
        return monitoringSince;
    }

    /** Its replies are dropped: CLIENT REPLY OFF, or SKIP for the command running now. */
    boolean muted() {
        return (bits & MUTED) != 0;
    }

    /** CLIENT REPLY {@code mode} (on, off or skip): OFF mutes every reply until ON; SKIP the reply of the command after it. */
    void replyMode(String mode) {
        bits = switch (mode) {
            case "on" -> bits & ~(REPLY_OFF | REPLY_SKIP | REPLY_SKIP_NEXT);
            case "off" -> bits | REPLY_OFF;
            case "skip" -> (bits & REPLY_OFF) == 0 ? bits | REPLY_SKIP_NEXT : bits;
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** A CLIENT REPLY SKIP is pending or in force: {@link #afterCommand} has to run. */
    boolean skipping() {
        return (bits & (REPLY_SKIP | REPLY_SKIP_NEXT)) != 0;
    }

    /** A command ended ({@code clientCommand}: one of CLIENT's, which does not use up a SKIP set before it). */
    void afterCommand(boolean clientCommand) {
        if (!clientCommand) {
            bits &= ~REPLY_SKIP;
        }
        if ((bits & REPLY_SKIP_NEXT) != 0) {
            bits = (bits | REPLY_SKIP) & ~REPLY_SKIP_NEXT;
        }
    }

    boolean noEvict() {
        return (bits & NO_EVICT) != 0;
    }

    void noEvict(boolean on) {
        set(NO_EVICT, on);
    }

    /** CLIENT KILL matched it from its own connection: it closes once the replies before that point are written. */
    boolean closeAfterReply() {
        return (bits & CLOSE_AFTER_REPLY) != 0;
    }

    void closeAfterReply(boolean on) {
        set(CLOSE_AFTER_REPLY, on);
    }

    /** A CLIENT PAUSE holds its commands. */
    boolean paused() {
        return (bits & PAUSED) != 0;
    }

    void paused(boolean on) {
        set(PAUSED, on);
    }

    boolean tracking() {
        return (bits & TRACKING) != 0;
    }

    void tracking(boolean on) {
        set(TRACKING, on);
    }

    private void set(int flag, boolean on) {
        bits = on ? bits | flag : bits & ~flag;
    }

    /** RESET: no longer a monitor, replies on, evictable (as Redis's {@code clearClientConnectionState}). */
    void reset() {
        bits &= ~(MONITOR | REPLY_OFF | REPLY_SKIP | REPLY_SKIP_NEXT | NO_EVICT);
    }
}
