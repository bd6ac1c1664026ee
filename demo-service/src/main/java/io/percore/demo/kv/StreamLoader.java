package io.percore.demo.kv;

import java.util.function.LongConsumer;

/**
 * Builds a stream from its RDB form (Redis's {@code rdbLoadObject} for RDB_TYPE_STREAM_LISTPACKS and
 * _2), checking what it is given as it goes: each node deeply ({@link StreamNode#check}), node keys
 * unique and live entries ascending across nodes, the length equal to the live entries, the last ID
 * not below them, pending entries unique, each consumer's pending entries in its group's and owned by
 * it alone, and every pending entry owned. What it holds is charged to {@code charge} as it grows,
 * so a payload cannot make it larger than the shard's budget. Any fault is an
 * {@link IllegalArgumentException} naming it.
 */
public final class StreamLoader {

    private final StreamValue stream = new StreamValue();
    private final LongConsumer charge;
    private long charged;
    private long liveEntries;
    private long lastLiveMs;
    private long lastLiveSeq;
    private boolean anyLive;

    public StreamLoader(LongConsumer charge) {
        this.charge = charge;
    }

    private void charge(long bytes) {
        charged += bytes;
        charge.accept(charged);
    }

    /** A node: its 16-byte master ID key and its listpack. */
    public void node(byte[] key, byte[] listpack) {
        if (key.length != 16) {
            throw new IllegalArgumentException("stream node key is not the size of a stream ID");
        }
        long ms = 0;
        long seq = 0;
        for (int b = 0; b < 8; b++) {
            ms = ms << 8 | (key[b] & 0xffL);
            seq = seq << 8 | (key[8 + b] & 0xffL);
        }
        StreamNode.Checked checked = StreamNode.check(listpack, ms, seq);
        long[] ids = checked.liveIds();
        for (int i = 0; i < checked.live(); i++) {
            long idMs = ids[2 * i];
            long idSeq = ids[2 * i + 1];
            if (anyLive && StreamId.compare(lastLiveMs, lastLiveSeq, idMs, idSeq) >= 0) {
                throw new IllegalArgumentException("stream entries out of order across nodes");
            }
            anyLive = true;
            lastLiveMs = idMs;
            lastLiveSeq = idSeq;
        }
        StreamNode node = new StreamNode(listpack);
        charge(node.bytes() + 48);
        if (stream.nodes.put(ms, seq, node) != null) {
            throw new IllegalArgumentException("stream listpack re-added with an existing key");
        }
        stream.addBytes(node.bytes());
        liveEntries += checked.live();
    }

    /**
     * The stream's counters; for the first format ({@code v2} false) only length and last ID are
     * read, the rest derived as Redis derives them.
     */
    public void counters(long length, long lastMs, long lastSeq, long firstMs, long firstSeq, long maxDeletedMs, long maxDeletedSeq,
                         long entriesAdded, boolean v2) {
        if (length != liveEntries) {
            throw new IllegalArgumentException("stream length " + Long.toUnsignedString(length) + " but " + liveEntries + " entries");
        }
        if (anyLive && StreamId.compare(lastMs, lastSeq, lastLiveMs, lastLiveSeq) < 0) {
            throw new IllegalArgumentException("stream's last ID below its entries");
        }
        stream.length = length;
        stream.lastMs = lastMs;
        stream.lastSeq = lastSeq;
        if (v2) {
            stream.firstMs = firstMs;
            stream.firstSeq = firstSeq;
            stream.maxDeletedMs = maxDeletedMs;
            stream.maxDeletedSeq = maxDeletedSeq;
            stream.entriesAdded = entriesAdded;
        } else {
            stream.entriesAdded = length;
            StreamId first = stream.edgeId(true, true);
            stream.firstMs = first.ms();
            stream.firstSeq = first.seq();
        }
    }

    /** A group; {@code entriesRead} null for the first format (estimated from its last ID, as Redis does). */
    public StreamGroup group(byte[] name, long lastMs, long lastSeq, Long entriesRead) {
        long read = entriesRead != null ? entriesRead : stream.estimateDistance(lastMs, lastSeq);
        charge(StreamGroup.BYTES + HeapSizes.arrayBytes(name.length));
        StreamGroup g = stream.createGroup(name, new StreamId(lastMs, lastSeq), read);
        if (g == null) {
            throw new IllegalArgumentException("duplicated consumer group name");
        }
        return g;
    }

    /** A pending entry of the group, its consumer given later. */
    public void pending(StreamGroup g, long ms, long seq, long deliveryTime, long deliveryCount) {
        charge(StreamNack.BYTES + 48);
        if (g.pending.containsKey(ms, seq)) {
            throw new IllegalArgumentException("duplicated global PEL entry loading stream consumer group");
        }
        g.createPending(ms, seq, deliveryTime).deliveryCount = deliveryCount;
    }

    /** A consumer of the group. */
    public StreamConsumer consumer(StreamGroup g, byte[] name, long seenTime) {
        charge(StreamConsumer.BYTES + HeapSizes.arrayBytes(name.length));
        StreamConsumer c = g.createConsumer(name, seenTime);
        if (c == null) {
            throw new IllegalArgumentException("duplicate stream consumer detected");
        }
        return c;
    }

    /** One of the consumer's pending entries: it must be the group's, and no other consumer's. */
    public void consumerPending(StreamGroup g, StreamConsumer c, long ms, long seq) {
        StreamNack nack = g.pendingEntry(ms, seq);
        if (nack == null) {
            throw new IllegalArgumentException("consumer entry not found in group global PEL");
        }
        if (nack.consumer != null) {
            throw new IllegalArgumentException("pending entry owned by two consumers, or listed twice");
        }
        charge(48);
        g.assign(nack, ms, seq, c);
    }

    /** The group is complete: every pending entry has its consumer. */
    public void groupDone(StreamGroup g) {
        for (StreamGroup.PendingCursor p = g.firstPending(); p.valid(); p.next()) {
            if (p.nack().consumer == null) {
                throw new IllegalArgumentException("stream CG PEL entry without consumer");
            }
        }
    }

    public StreamValue finish() {
        return stream;
    }
}
