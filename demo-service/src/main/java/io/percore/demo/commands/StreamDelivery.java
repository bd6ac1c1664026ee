package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.StreamConsumer;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamIterator;
import io.percore.demo.kv.StreamNack;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.EncodedReply;
import io.percore.demo.resp.RespEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * XREADGROUP's reading of one stream for a consumer (Redis's {@code streamReplyWithRange} with a
 * group, and {@code streamReplyWithRangeFromConsumerPEL} for history), on the key's shard, reporting
 * the changes as Redis propagates them: each entry delivered as an XCLAIM with its absolute delivery
 * time and the group's last ID, the group's new position as XGROUP SETID with its read counter.
 * Where Redis propagates nothing (a consumer made by a read of its empty history, the delivery
 * counts a history read raises, the read counter of a read without NOACK), this reports them too
 * (XGROUP CREATECONSUMER, XCLAIM, XGROUP SETID), so a replica ends equal.
 */
final class StreamDelivery {

    /** What a delivery of new entries did, so it can be taken back when its client had gone (a blocked read crossing a timeout). */
    record Delivered(EncodedReply entries, int count, long fromMs, long fromSeq, long fromEntriesRead, long toMs, long toSeq,
                     long[] ids, long deliveryTime, Reassigned[] reassigned, byte[] consumer, boolean consumerCreated) {
    }

    /** A pending entry a delivery took from another consumer (the group had been moved back), with what it was before. */
    record Reassigned(long ms, long seq, byte[] owner, long deliveryTime, long deliveryCount) {
    }

    private StreamDelivery() {
    }

    /**
     * Delivers the entries after the group's last ID to {@code consumerName} (created when missing),
     * at most {@code count} (0: all). The stream's size change is reported to the store.
     */
    static Delivered deliverNew(ValueStore ks, byte[] key, StreamValue s, StreamGroup g, byte[] consumerName, long count, boolean noack,
                                long now) {
        long before = s.bytes();
        KeyspaceChanges changes = ks.changes();
        StreamConsumer consumer = g.consumer(consumerName, true, now);
        boolean created = consumer == null;
        if (created) {
            consumer = g.createConsumer(consumerName, now);
            StreamEffects.createConsumer(changes, key, g, consumerName);
            ks.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
        }
        long fromMs = g.lastMs();
        long fromSeq = g.lastSeq();
        long fromRead = g.entriesRead();
        StreamId start = g.lastId().next();
        RespEncoder entries = new RespEncoder(256);
        List<long[]> ids = new ArrayList<>();
        List<Reassigned> reassigned = new ArrayList<>();
        boolean advanced = false;
        if (start != null) {
            StreamIterator it = s.iterator(start, null, false);
            while (it.next()) {
                if (!ids.isEmpty() && entries.full()) {
                    break; // a reply may hold no more: the rest is for the next read (COUNT is a most, not a promise)
                }
                long ms = it.idMs();
                long seq = it.idSeq();
                if (StreamId.compare(ms, seq, g.lastMs(), g.lastSeq()) > 0) {
                    s.advance(g, ms, seq);
                    advanced = true;
                }
                StreamReplies.entry(entries, it);
                ids.add(new long[] {ms, seq});
                if (!noack) {
                    StreamNack previous = g.pendingEntry(ms, seq);
                    if (previous != null) {
                        reassigned.add(new Reassigned(ms, seq, previous.consumer() == null ? null : previous.consumer().name(),
                                previous.deliveryTime(), previous.deliveryCount()));
                    }
                    StreamNack nack = g.deliver(ms, seq, consumer, now);
                    StreamEffects.xclaim(changes, key, g, ms, seq, nack);
                }
                if (count != 0 && ids.size() == count) {
                    break;
                }
            }
        }
        if (advanced) {
            // Redis propagates this with NOACK only (its XCLAIMs' LASTID moves a replica's last ID but not its
            // read counter): here always, so a replica's entries-read and lag are the primary's
            StreamEffects.setId(changes, key, g);
        }
        if (created || !ids.isEmpty()) {
            ks.resized(key, s.bytes() - before);
        }
        long[] flat = new long[ids.size() * 2];
        for (int i = 0; i < ids.size(); i++) {
            flat[2 * i] = ids.get(i)[0];
            flat[2 * i + 1] = ids.get(i)[1];
        }
        return new Delivered(entries.array(ids.size()), ids.size(), fromMs, fromSeq, fromRead, g.lastMs(), g.lastSeq(), noack ? new long[0] : flat, now,
                reassigned.toArray(new Reassigned[0]), consumerName, created);
    }

    /**
     * The consumer's own pending entries from {@code start} on, at most {@code count} (0: all), each
     * counted as delivered again now; an entry no longer in the stream comes as its ID and a null.
     */
    static List<RedisMessage> history(ValueStore ks, byte[] key, StreamValue s, StreamGroup g, byte[] consumerName, StreamId start,
                                      long count, long now) {
        long before = s.bytes();
        KeyspaceChanges changes = ks.changes();
        StreamConsumer consumer = g.consumer(consumerName, true, now);
        boolean changed = false;
        if (consumer == null) {
            consumer = g.createConsumer(consumerName, now);
            StreamEffects.createConsumer(changes, key, g, consumerName);
            ks.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
            changed = true;
        }
        List<RedisMessage> entries = new ArrayList<>();
        long replyBytes = 0;
        for (StreamGroup.PendingCursor p = StreamGroup.pendingFrom(consumer, start.ms(), start.seq());
             p.valid() && (count == 0 || entries.size() < count) && replyBytes < RespEncoder.maxBytes(); p.next()) {
            EncodedReply entry = StreamReplies.single(s, p.ms(), p.seq());
            if (entry == null) {
                entries.add(StreamReplies.missingEntry(p.ms(), p.seq()));
                continue;
            }
            entries.add(entry);
            replyBytes += entry.length();
            StreamNack nack = p.nack();
            g.redelivered(nack, now);
            StreamEffects.xclaim(changes, key, g, p.ms(), p.seq(), nack);
            changed = true;
        }
        if (changed) {
            ks.resized(key, s.bytes() - before);
        }
        return entries;
    }

    /**
     * Takes back a delivery whose client was no longer waiting, when nothing changed the group
     * since: its pending entries go (those it took from another consumer go back to it) and the
     * group returns to where it was. Otherwise the entries stay pending for the consumer, as if
     * its reply had been lost, and XPENDING/XCLAIM find them.
     */
    static void takeBack(ValueStore ks, byte[] key, byte[] groupName, Delivered d, long now) {
        StreamValue s = ks.writeStream(key, now);
        StreamGroup g = s == null ? null : s.group(groupName);
        if (g == null || g.lastMs() != d.toMs() || g.lastSeq() != d.toSeq()) {
            return;
        }
        StreamConsumer consumer = g.consumer(d.consumer(), false, now);
        for (int i = 0; i < d.ids().length; i += 2) {
            StreamNack nack = g.pendingEntry(d.ids()[i], d.ids()[i + 1]);
            if (nack == null || nack.consumer() != consumer || nack.deliveryCount() != 1 || nack.deliveryTime() != d.deliveryTime()) {
                return; // claimed, acknowledged or read again since: leave it pending
            }
        }
        long before = s.bytes();
        KeyspaceChanges changes = ks.changes();
        for (int i = 0; i < d.ids().length; i += 2) {
            g.removePending(d.ids()[i], d.ids()[i + 1]);
            StreamEffects.ack(changes, key, g, d.ids()[i], d.ids()[i + 1]);
        }
        for (Reassigned r : d.reassigned()) {
            if (r.owner() == null) {
                continue;
            }
            StreamConsumer owner = g.consumerOrCreate(r.owner(), now);
            StreamNack nack = g.createPending(r.ms(), r.seq(), r.deliveryTime());
            g.assign(nack, r.ms(), r.seq(), owner);
            g.redeliveredAs(nack, r.deliveryTime(), r.deliveryCount());
            StreamEffects.xclaim(changes, key, g, r.ms(), r.seq(), nack);
        }
        g.lastId(d.fromMs(), d.fromSeq(), d.fromEntriesRead());
        StreamEffects.setId(changes, key, g);
        ks.resized(key, s.bytes() - before);
    }

    /** The consumer of that name, created (seen now, and its keyspace event emitted) when missing: XCLAIM's and XAUTOCLAIM's. */
    static StreamConsumer consumerOrCreate(ValueStore ks, byte[] key, StreamGroup g, byte[] consumerName, long now) {
        StreamConsumer c = g.consumer(consumerName, true, now);
        if (c == null) {
            c = g.createConsumer(consumerName, now);
            ks.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
        }
        return c;
    }
}
