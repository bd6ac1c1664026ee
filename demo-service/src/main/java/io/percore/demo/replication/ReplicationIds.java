package io.percore.demo.replication;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Which history this server's stream is (Redis's PSYNC2 ids): {@code replid}, the stream's id, and {@code replid2}, the
 * id it continued, valid up to {@code secondReplidOffset}, so that replicas of the former primary continue after a
 * promotion. Changed only on the stream's thread, as one value: a PSYNC or INFO on another thread reads the three of
 * one moment, never a new id with the former's bound.
 */
record ReplicationIds(String replid, String replid2, long secondReplidOffset) {

    static final String NO_ID = "0000000000000000000000000000000000000000";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A history of its own, continuing none (a new server, Redis's {@code changeReplicationId}). */
    static ReplicationIds fresh() {
        return new ReplicationIds(newId(), NO_ID, -1);
    }

    /** The stream of {@code primaryReplid}, continuing none: a full sync's (Redis's {@code clearReplicationId2}). */
    static ReplicationIds following(String primaryReplid) {
        return new ReplicationIds(primaryReplid, NO_ID, -1);
    }

    /**
     * The stream goes on as {@code next} from {@code nextOffset}: this id stays valid up to it (Redis's
     * {@code shiftReplicationId}, at a promotion with a new id; a replica whose primary was promoted, with its id).
     */
    ReplicationIds shiftedTo(String next, long nextOffset) {
        return new ReplicationIds(next, replid, nextOffset);
    }

    /** Whether a PSYNC of {@code askedId} from {@code askedOffset} continues this history (the backlog aside). */
    boolean continues(String askedId, long askedOffset) {
        return askedId.equals(replid) || (askedId.equals(replid2) && askedOffset <= secondReplidOffset);
    }

    static String newId() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
