package io.percore.demo.replication;

import java.time.Duration;

/**
 * This server's role in replication (Redis's {@code masterhost}/{@code masterport} and {@code repl_state}): a primary,
 * or a replica of the primary at {@code primaryHost}:{@code primaryPort} whose link stands at {@code link}, with the
 * moment a primary was made one (an operator's switchover demotes it: a stopping pod hands its clients over while that
 * is recent). One immutable value: {@link Replication} holds the current one, and every shard, INFO, ROLE, readiness,
 * CONFIG GET replicaof and the service's hand-over read it; no other place keeps a role or a link's phase.
 *
 * <p>The transitions are these and no others: REPLICAOF host port ({@link #replicaOf}: a primary is demoted, a replica
 * follows another primary and keeps when it was demoted; either way a new link, not connected), REPLICAOF NO ONE
 * ({@link #promoted}), and the link's own progress ({@link #linked}), which counts only for the link of the role's
 * {@code generation}: each REPLICAOF and each promotion is a new generation, so a link being replaced cannot write its
 * phase over its successor's or over a primary.
 *
 * @param primaryHost    the primary replicated, null for a primary
 * @param primaryPort    its port (0 for a primary)
 * @param demotedAtNanos when a primary became this replica ({@link System#nanoTime}); {@link #NOT_DEMOTED} for a primary
 *                       and for a server that started as a replica
 * @param generation     which REPLICAOF or promotion made this role (its link's key)
 * @param link           where the replica's link stands; null for a primary
 */
public record ReplicationRole(String primaryHost, int primaryPort, long demotedAtNanos, long generation, LinkPhase link) {

    static final long NOT_DEMOTED = Long.MIN_VALUE;

    /** A primary (as it starts). */
    public static final ReplicationRole PRIMARY = new ReplicationRole(null, 0, NOT_DEMOTED, 0, null);

    public ReplicationRole {
        if (primaryHost == null ? primaryPort != 0 || demotedAtNanos != NOT_DEMOTED || link != null
                : primaryPort < 1 || primaryPort > 65535 || link == null) {
            throw new IllegalArgumentException("not a role: " + primaryHost + ":" + primaryPort + " " + link);
        }
    }

    /** The role a server starts in: a replica of {@code host}:{@code port} (never demoted), or a primary when host is null. */
    static ReplicationRole atStart(String host, int port) {
        return host == null ? PRIMARY : new ReplicationRole(host, port, NOT_DEMOTED, 1, LinkPhase.CONNECT);
    }

    public boolean replica() {
        return primaryHost != null;
    }

    /**
     * REPLICAOF {@code host} {@code port} at {@code nowNanos}: a primary is demoted then; a replica follows the other
     * primary and keeps when it was demoted. Its link is a new one, not yet connected.
     */
    ReplicationRole replicaOf(String host, int port, long nowNanos) {
        return new ReplicationRole(host, port, replica() ? demotedAtNanos : nowNanos, generation + 1, LinkPhase.CONNECT);
    }

    /** REPLICAOF NO ONE: a primary, whose former link (if it still runs a moment) changes nothing. */
    ReplicationRole promoted() {
        return new ReplicationRole(null, 0, NOT_DEMOTED, generation + 1, null);
    }

    /** The link of generation {@code of} moved to {@code now}: this role with it, or this role when that link is not its own. */
    ReplicationRole linked(long of, LinkPhase now) {
        return of != generation || !replica() || link == now ? this : new ReplicationRole(primaryHost, primaryPort, demotedAtNanos, generation, now);
    }

    /** A replica whose link streams (Redis's {@code master_link_status:up}). */
    public boolean streaming() {
        return link == LinkPhase.CONNECTED;
    }

    /** A replica receiving or loading a full sync ({@code master_sync_in_progress:1}). */
    public boolean syncing() {
        return link == LinkPhase.SYNC;
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
