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

    /** {@code found}: the id the node gave, or the error it answered. */
    record Verdict(Kind kind, String found) {
    }

    private PrimaryIdentity() {
    }

    /**
     * {@code reply}: the id {@code CLUSTER MYID} answered, or its error line ({@code -ERR ...}).
     * {@code -ERR} is the reply of a node without cluster mode ("cluster support disabled") or
     * without the command: not the layout's node. Other error codes say nothing of who it is.
     */
    static Verdict judge(String expectedId, String reply) {
        if (reply.startsWith("-")) {
            return new Verdict(reply.startsWith("-ERR") ? Kind.OTHER : Kind.NOT_NOW, reply.substring(1));
        }
        return new Verdict(reply.equalsIgnoreCase(expectedId) ? Kind.SAME : Kind.OTHER, reply);
    }

    /** Why the link does not sync, for the log. */
    static String refusal(String address, String expectedId, Verdict v) {
        String now = v.found().startsWith("ERR") ? "answers CLUSTER MYID with '" + v.found() + "'" : "is now node " + v.found();
        return "primary at " + address + " " + now + ", the layout's primary is " + expectedId + ": waiting for the control plane"
                + " (a newer layout or REPLICAOF); not syncing, this replica keeps its data";
    }
}
