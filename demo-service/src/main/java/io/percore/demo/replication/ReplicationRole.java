package io.percore.demo.replication;

import java.time.Duration;

/**
 * This server's role in replication (Redis's {@code masterhost}/{@code masterport}): a primary, or a replica of the
 * primary at {@code primaryHost}:{@code primaryPort}, with the moment a primary was made one (an operator's switchover
 * demotes it: a stopping pod hands its clients over while that is recent). One immutable value: {@link Replication}
 * holds the current one, changed only on its control thread, and every shard, INFO, ROLE, CONFIG GET replicaof and
 * the service's hand-over read it. Where a replica's link stands (connecting, syncing, streaming) is its
 * {@link PrimaryLink}'s.
 *
 * <p>The transitions are these and no others: REPLICAOF host port ({@link #replicaOf}: a primary is demoted, a replica
 * follows another primary and keeps when it was demoted) and REPLICAOF NO ONE ({@link #PRIMARY}).
 *
 * @param primaryHost   the primary replicated, null for a primary
 * @param primaryPort   its port (0 for a primary)
 * @param demotedAtNanos when a primary became this replica ({@link System#nanoTime}); {@link #NOT_DEMOTED} for a primary
 *                      and for a server that started as a replica
 */
public record ReplicationRole(String primaryHost, int primaryPort, long demotedAtNanos) {

    static final long NOT_DEMOTED = Long.MIN_VALUE;

    /** A primary. */
    public static final ReplicationRole PRIMARY = new ReplicationRole(null, 0, NOT_DEMOTED);

    public ReplicationRole {
        if (primaryHost == null ? primaryPort != 0 || demotedAtNanos != NOT_DEMOTED : primaryPort < 1 || primaryPort > 65535) {
            throw new IllegalArgumentException("not a role: " + primaryHost + ":" + primaryPort);
        }
    }

    /** The role a server starts in: a replica of {@code host}:{@code port} (never demoted), or a primary when host is null. */
    static ReplicationRole atStart(String host, int port) {
        return host == null ? PRIMARY : new ReplicationRole(host, port, NOT_DEMOTED);
    }

    public boolean replica() {
        return primaryHost != null;
    }

    /**
     * REPLICAOF {@code host} {@code port} at {@code nowNanos}: a primary is demoted then; a replica follows the other
     * primary and keeps when it was demoted.
     */
    ReplicationRole replicaOf(String host, int port, long nowNanos) {
        return new ReplicationRole(host, port, replica() ? demotedAtNanos : nowNanos);
    }

    /** Whether this replicates {@code host}:{@code port} already (REPLICAOF then changes nothing, as Redis). */
    public boolean follows(String host, int port) {
        return replica() && primaryHost.equalsIgnoreCase(host) && primaryPort == port;
    }

    /** Whether a primary was made this replica less than {@code within} before {@code nowNanos}. */
    boolean demotedWithin(Duration within, long nowNanos) {
        return demotedAtNanos != NOT_DEMOTED && nowNanos - demotedAtNanos < within.toNanos();
    }

    /** CONFIG GET replicaof: {@code "host port"}, or empty for a primary. */
    String replicaofText() {
        return replica() ? primaryHost + " " + primaryPort : "";
    }
}
