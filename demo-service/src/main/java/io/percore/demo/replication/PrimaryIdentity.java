package io.percore.demo.replication;

/**
 * Whether the node at a replica's link address is the primary its cluster layout names there, from
 * that node's reply to {@code CLUSTER MYID} on the link's connection (before PSYNC). A primary
 * restarted in place without its data comes back empty under a new id: following it would load its
 * empty snapshot and drop every key, before the control plane promoted this replica. Redis's
 * "Safety of replication when master has persistence turned off"; here the layout tells.
 */
final class PrimaryIdentity {

    /** What the reply says. */
    enum Kind {
        /** The layout's primary: sync as always (a restart with its data keeps its id). */
        SAME,
        /** Another node, or one that cannot say its id (not in cluster mode): no sync, wait for the control plane. */
        OTHER,
        /** It cannot answer now (-LOADING, -BUSY, -NOAUTH ...): a failed handshake, tried again as any. */
        NOT_NOW
    }

    /** Longest error text kept from the peer's reply (a line may be 64 KB): for the log. */
    static final int MAX_SHOWN = 200;

    /** {@code found}: the id the node gave (a node id: 40 hex digits, else {@code invalid}), or the error it answered (cut). */
    record Verdict(Kind kind, String found) {
    }

    private PrimaryIdentity() {
    }

    /**
     * {@code reply}: the id {@code CLUSTER MYID} answered, or its error line ({@code -ERR ...}).
     * {@code -ERR} is the reply of a node without cluster mode ("cluster support disabled") or
     * without the command: not the layout's node. Other error codes (and an older server's
     * {@code -ERR operation not permitted}, its {@code -NOAUTH}) say nothing of who it is.
     */
    static Verdict judge(String expectedId, String reply) {
        if (reply.startsWith("-")) {
            String error = reply.substring(1, Math.min(reply.length(), 1 + MAX_SHOWN));
            // "-ERR operation not permitted": an older server's -NOAUTH (the handshake's PING takes it so too)
            boolean other = reply.startsWith("-ERR") && !reply.startsWith("-ERR operation not permitted");
            return new Verdict(other ? Kind.OTHER : Kind.NOT_NOW, error);
        }
        if (reply.equalsIgnoreCase(expectedId)) {
            return new Verdict(Kind.SAME, reply);
        }
        // what a peer sends goes to INFO and the log only as a node id
        return new Verdict(Kind.OTHER, isNodeId(reply) ? reply : "invalid");
    }

    private static boolean isNodeId(String s) {
        if (s.length() != 40) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Why the link does not sync, for the log. */
    static String refusal(String address, String expectedId, Verdict v) {
        String now = v.found().startsWith("ERR") ? "answers CLUSTER MYID with '" + v.found() + "'" : "is now node " + v.found();
        return "primary at " + address + " " + now + ", the layout's primary is " + expectedId + ": waiting for the control plane"
                + " (a newer layout or REPLICAOF); this replica keeps its data meanwhile";
    }
}
