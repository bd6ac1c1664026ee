package io.percore.demo.kv;

import java.util.Collection;
import java.util.TreeMap;

/**
 * A consumer group of a stream (Redis's {@code streamCG}): the last ID delivered, its read counter,
 * its pending entries list (PEL: every entry delivered and not acknowledged, by ID) and its consumers
 * by name (in byte order, as Redis's radix tree lists them), each with its own pending entries. The
 * memory it takes is kept in its stream's figure as it changes.
 */
public final class StreamGroup {

    /** Redis's SCG_INVALID_ENTRIES_READ: the read counter is not known. */
    public static final long INVALID_ENTRIES_READ = -1;
    /** Heap of a group besides its name, consumers and pending entries: the object, its indexes' roots, its map entry. */
    static final long BYTES = 160;

    private final StreamValue stream;
    private final byte[] name;
    long lastMs;
    long lastSeq;
    long entriesRead;
    final IdIndex<StreamNack> pending = new IdIndex<>();
    final TreeMap<ByteString, StreamConsumer> consumers = new TreeMap<>();

    StreamGroup(StreamValue stream, byte[] name, long lastMs, long lastSeq, long entriesRead) {
        this.stream = stream;
        this.name = name;
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.entriesRead = entriesRead;
    }

    public byte[] name() {
        return name;
    }

    public StreamId lastId() {
        return new StreamId(lastMs, lastSeq);
    }

    public long lastMs() {
        return lastMs;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public long entriesRead() {
        return entriesRead;
    }

    /** XGROUP SETID, XCLAIM LASTID, a delivery past the last ID: the group's position (and read counter). */
    public void lastId(long ms, long seq, long entriesRead) {
        this.lastMs = ms;
        this.lastSeq = seq;
        this.entriesRead = entriesRead;
    }

    public int pendingCount() {
        return pending.size();
    }

    public Collection<StreamConsumer> consumers() {
        return consumers.values();
    }

    public int consumerCount() {
        return consumers.size();
    }

    long bytes() {
        long bytes = BYTES + HeapSizes.arrayBytes(name.length) + pending.bytes() + pending.size() * StreamNack.BYTES;
        for (StreamConsumer c : consumers.values()) {
            bytes += c.bytes();
        }
        return bytes;
    }

    // ------------------------------------------------------------------ consumers

    /** The consumer of that name, or null; {@code refresh} records it as seen now (Redis's SLC_DEFAULT). */
    public StreamConsumer consumer(byte[] consumerName, boolean refresh, long now) {
        StreamConsumer c = consumers.get(new ByteString(consumerName));
        if (c != null && refresh) {
            c.seenTime = now;
        }
        return c;
    }

    /** Creates the consumer (seen now); null when it exists already. */
    public StreamConsumer createConsumer(byte[] consumerName, long now) {
        ByteString key = new ByteString(consumerName);
        if (consumers.containsKey(key)) {
            return null;
        }
        StreamConsumer c = new StreamConsumer(consumerName.clone(), now);
        consumers.put(key, c);
        stream.addBytes(c.bytes());
        return c;
    }

    /** The consumer of that name, created (and seen now) when missing. */
    public StreamConsumer consumerOrCreate(byte[] consumerName, long now) {
        StreamConsumer c = consumer(consumerName, true, now);
        return c != null ? c : createConsumer(consumerName, now);
    }

    /** Deletes the consumer and its pending entries from the group (Redis's streamDelConsumer); returns how many it had. */
    public long deleteConsumer(StreamConsumer c) {
        long before = bytes();
        long count = c.pending.size();
        for (IdIndex<StreamNack>.Cursor cur = c.pending.first(); cur.valid(); cur.next()) {
            pending.remove(cur.ms(), cur.seq());
        }
        consumers.remove(new ByteString(c.name()));
        stream.addBytes(bytes() - before);
        return count;
    }

    // ------------------------------------------------------------------ pending entries

    public StreamNack pendingEntry(long ms, long seq) {
        return pending.get(ms, seq);
    }

    /**
     * The entry {@code ms-seq} is delivered to {@code c} now (Redis's streamReplyWithRange with a
     * group): a new pending entry, or, when the ID was pending already (XGROUP SETID moved the group
     * back), the entry given to {@code c} with its count restarted at 1.
     */
    public StreamNack deliver(long ms, long seq, StreamConsumer c, long now) {
        StreamNack nack = pending.get(ms, seq);
        if (nack == null) {
            long before = pending.bytes() + c.pending.bytes();
            nack = new StreamNack(now, 1, c);
            pending.put(ms, seq, nack);
            c.pending.put(ms, seq, nack);
            stream.addBytes(pending.bytes() + c.pending.bytes() - before + StreamNack.BYTES);
            return nack;
        }
        assign(nack, ms, seq, c);
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        return nack;
    }

    /** XCLAIM FORCE of an ID not pending: a pending entry with no consumer yet, which {@link #assign} gives one. */
    public StreamNack createPending(long ms, long seq, long now) {
        long before = pending.bytes();
        StreamNack nack = new StreamNack(now, 1, null);
        pending.put(ms, seq, nack);
        stream.addBytes(pending.bytes() - before + StreamNack.BYTES);
        return nack;
    }

    /** Makes {@code to} the owner of the pending entry {@code ms-seq} (XCLAIM, XAUTOCLAIM). */
    public void assign(StreamNack nack, long ms, long seq, StreamConsumer to) {
        if (nack.consumer == to) {
            return;
        }
        long before = to.pending.bytes() + (nack.consumer != null ? nack.consumer.pending.bytes() : 0);
        StreamConsumer from = nack.consumer;
        if (from != null) {
            from.pending.remove(ms, seq);
        }
        to.pending.put(ms, seq, nack);
        nack.consumer = to;
        stream.addBytes(to.pending.bytes() + (from != null ? from.pending.bytes() : 0) - before);
    }

    /** XREADGROUP's history read: the entry delivered again now. */
    public void redelivered(StreamNack nack, long now) {
        nack.deliveryTime = now;
        nack.deliveryCount++;
    }

    /** XCLAIM: the entry's delivery time and count as the claim sets them. */
    public void redeliveredAs(StreamNack nack, long deliveryTime, long deliveryCount) {
        nack.deliveryTime = deliveryTime;
        nack.deliveryCount = deliveryCount;
    }

    /** Removes the pending entry from the group and its consumer (XACK, or its entry gone); false when it was not pending. */
    public boolean removePending(long ms, long seq) {
        StreamNack nack = pending.get(ms, seq);
        if (nack == null) {
            return false;
        }
        StreamConsumer c = nack.consumer;
        long before = pending.bytes() + (c != null ? c.pending.bytes() : 0);
        pending.remove(ms, seq);
        if (c != null) {
            c.pending.remove(ms, seq);
        }
        stream.addBytes(pending.bytes() + (c != null ? c.pending.bytes() : 0) - before - StreamNack.BYTES);
        return true;
    }

    /** The pending entries from {@code ms-seq} on, in ID order. */
    public PendingCursor pendingFrom(long ms, long seq) {
        return new PendingCursor(pending.ceiling(ms, seq));
    }

    /** A consumer's pending entries from {@code ms-seq} on, in ID order. */
    public static PendingCursor pendingFrom(StreamConsumer c, long ms, long seq) {
        return new PendingCursor(c.pending.ceiling(ms, seq));
    }

    public PendingCursor firstPending() {
        return new PendingCursor(pending.first());
    }

    public PendingCursor lastPending() {
        return new PendingCursor(pending.last());
    }

    /** Walks pending entries in ID order; a change to the index (other than the entries' own fields) ends it: seek again. */
    public static final class PendingCursor {
        private final IdIndex<StreamNack>.Cursor cursor;

        PendingCursor(IdIndex<StreamNack>.Cursor cursor) {
            this.cursor = cursor;
        }

        public boolean valid() {
            return cursor.valid();
        }

        public long ms() {
            return cursor.ms();
        }

        public long seq() {
            return cursor.seq();
        }

        public StreamNack nack() {
            return cursor.value();
        }

        public boolean next() {
            return cursor.next();
        }
    }
}
