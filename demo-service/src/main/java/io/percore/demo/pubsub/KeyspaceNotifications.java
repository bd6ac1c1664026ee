package io.percore.demo.pubsub;

import io.percore.demo.kv.KeyspaceEvents;
import io.percore.engine.Sharded;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's publisher of keyspace events (Redis's {@code notifyKeyspaceEvent} after its class
 * check): the shard's write path hands it each event whose class is on, on the key's shard, in the
 * order they happen there. It delivers to this shard's subscribers at once, and hands the event to
 * every other shard where a subscription could get it ({@link KeyspaceInterest}) in one mesh message
 * each, which delivers it to its own.
 *
 * <p><b>Order.</b> The mesh is FIFO per pair of shards, so every subscriber gets one shard's events
 * in the order they happened there. A subscriber on the key's shard has the message written to its
 * socket before the command that caused it finishes there, so before its reply leaves; a subscriber
 * on the writer's own shard too, because the event's message travels in the same ring as the
 * command's answer, ahead of it, and is written out when it arrives. A subscriber on a third shard
 * gets it within one ring hop, possibly after the writer read its reply.
 */
final class KeyspaceNotifications implements KeyspaceEvents.Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(KeyspaceNotifications.class);

    private final int shardId;
    private final Sharded<PubSubShard> tables;
    private final PubSubShard local;
    private final KeyspaceInterest interest;
    /** Events another shard's ring refused (its overflow full): counted, logged on powers of two. */
    private long lost;

    KeyspaceNotifications(int shardId, Sharded<PubSubShard> tables, PubSubShard local, KeyspaceInterest interest) {
        this.shardId = shardId;
        this.tables = tables;
        this.local = local;
        this.interest = interest;
    }

    @Override
    public void publish(int kinds, String event, byte[] key, int db) {
        byte[] name = event.getBytes(StandardCharsets.US_ASCII);
        local.deliverKeyspaceEvent(kinds, name, key, db);
        for (int shard = 0; shard < tables.shardCount(); shard++) {
            if (shard != shardId && interest.listens(shard)) {
                tables.invokeOn(shard, t -> {
                    t.deliverKeyspaceEvent(kinds, name, key, db);
                    return null;
                }).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        lost(failure);
                    }
                });
            }
        }
    }

    private void lost(Throwable failure) {
        lost++;
        if (Long.bitCount(lost) == 1) {
            LOG.warn("{} keyspace event(s) from shard {} not delivered to another shard so far: {}", lost, shardId, failure.toString());
        }
    }
}
