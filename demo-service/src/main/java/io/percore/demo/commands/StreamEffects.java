package io.percore.demo.commands;

import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamNack;
import io.percore.demo.resp.RespNumbers;
import java.nio.charset.StandardCharsets;

/**
 * How consumer-group changes are propagated, as Redis 7.0 propagates them
 * ({@code streamPropagateXCLAIM}, {@code streamPropagateGroupID},
 * {@code streamPropagateConsumerCreation}): a pending entry as an idempotent XCLAIM with its absolute
 * delivery time and count, FORCE and JUSTID, and the group's last ID; a group's new position as
 * XGROUP SETID with its read counter; a consumer as XGROUP CREATECONSUMER. Built only while someone
 * follows the changes.
 */
final class StreamEffects {

    private static final byte[] XCLAIM = ascii("XCLAIM");
    private static final byte[] XGROUP = ascii("XGROUP");
    private static final byte[] XACK = ascii("XACK");
    private static final byte[] SETID = ascii("SETID");
    private static final byte[] CREATECONSUMER = ascii("CREATECONSUMER");
    private static final byte[] ZERO = ascii("0");
    private static final byte[] TIME = ascii("TIME");
    private static final byte[] RETRYCOUNT = ascii("RETRYCOUNT");
    private static final byte[] FORCE = ascii("FORCE");
    private static final byte[] JUSTID = ascii("JUSTID");
    private static final byte[] LASTID = ascii("LASTID");
    private static final byte[] ENTRIESREAD = ascii("ENTRIESREAD");

    private StreamEffects() {
    }

    /** XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID group-last-id: the pending entry as it is. */
    static void xclaim(KeyspaceChanges changes, byte[] key, StreamGroup g, long ms, long seq, StreamNack nack) {
        if (!changes.followed()) {
            changes.propagated();
            return;
        }
        changes.propagate(XCLAIM, key, g.name(), nack.consumer().name(), ZERO, StreamId.format(ms, seq), TIME,
                RespNumbers.toBytes(nack.deliveryTime()), RETRYCOUNT, RespNumbers.toBytes(nack.deliveryCount()), FORCE, JUSTID,
                LASTID, StreamId.format(g.lastMs(), g.lastSeq()));
    }

    /** XGROUP SETID key group last-id ENTRIESREAD n: the group's position. */
    static void setId(KeyspaceChanges changes, byte[] key, StreamGroup g) {
        if (!changes.followed()) {
            changes.propagated();
            return;
        }
        changes.propagate(XGROUP, SETID, key, g.name(), StreamId.format(g.lastMs(), g.lastSeq()), ENTRIESREAD,
                RespNumbers.toBytes(g.entriesRead()));
    }

    /** XGROUP CREATECONSUMER key group consumer. */
    static void createConsumer(KeyspaceChanges changes, byte[] key, StreamGroup g, byte[] consumer) {
        if (!changes.followed()) {
            changes.propagated();
            return;
        }
        changes.propagate(XGROUP, CREATECONSUMER, key, g.name(), consumer);
    }

    /** XACK key group id: a pending entry removed (a delivery taken back). */
    static void ack(KeyspaceChanges changes, byte[] key, StreamGroup g, long ms, long seq) {
        if (!changes.followed()) {
            changes.propagated();
            return;
        }
        changes.propagate(XACK, key, g.name(), StreamId.format(ms, seq));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
