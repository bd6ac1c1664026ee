package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * A stream (Redis's {@code stream}, {@code t_stream.c}): entries in {@link StreamNode}s, Redis's own
 * listpacks with delta-encoded IDs and master entries, indexed by master ID ({@link IdIndex}, where
 * Redis has a radix tree), plus the stream's counters (length, last ID, first ID, the greatest
 * deleted ID, entries ever added) and its consumer groups by name. Appending, iterating, deleting
 * and trimming follow Redis's algorithms step for step, so node boundaries, approximate trims and
 * DUMP payloads come out as redis-server's.
 *
 * <p>Memory: an entry costs what it costs in Redis's listpack (a few bytes besides its values when
 * its fields are the node's master fields), plus its node's share of the node object, array header
 * and index slot (about 80 bytes per node of up to 100 entries). The figure {@link #bytes()} is kept
 * up to date as the stream changes, so a command reads it in O(1).
 */
public final class StreamValue implements MutableValue {

    /** Redis 7.0's limits on a node (stream-node-max-entries, stream-node-max-bytes): 0 means none. */
    public record Limits(long nodeMaxEntries, long nodeMaxBytes) {
        public static final Limits DEFAULT = new Limits(100, 4096);
    }

    /** Redis's STREAM_LISTPACK_MAX_SIZE: no node grows past 1 GB whatever the limits say. */
    public static final long NODE_MAX_SIZE = 1L << 30;
    /** Heap of an empty stream: the object, its index and counters. */
    static final long BASE_BYTES = 120;

    final IdIndex<StreamNode> nodes = new IdIndex<>();
    long length;
    long lastMs;
    long lastSeq;
    long firstMs;
    long firstSeq;
    long maxDeletedMs;
    long maxDeletedSeq;
    long entriesAdded;
    /** Created with the first group (most streams have none). */
    TreeMap<ByteString, StreamGroup> groups;
    /** Heap of the nodes themselves and of the groups (the node index's own heap is read from it). */
    private long contentBytes;
    /** The radix tree's node count as redis-server would have it, computed when asked and kept until the nodes change. */
    private long radixNodes = -1;

    // ------------------------------------------------------------------ the counters

    public long length() {
        return length;
    }

    public StreamId lastId() {
        return new StreamId(lastMs, lastSeq);
    }

    public StreamId firstId() {
        return new StreamId(firstMs, firstSeq);
    }

    public StreamId maxDeletedId() {
        return new StreamId(maxDeletedMs, maxDeletedSeq);
    }

    public long entriesAdded() {
        return entriesAdded;
    }

    /** XSETID: the last ID, and when given the entries-added counter (-1: unchanged) and greatest deleted ID (null: unchanged). */
    public void setId(StreamId last, long entriesAdded, StreamId maxDeleted) {
        lastMs = last.ms();
        lastSeq = last.seq();
        if (entriesAdded != -1) {
            this.entriesAdded = entriesAdded;
        }
        if (maxDeleted != null && !maxDeleted.isZero()) {
            maxDeletedMs = maxDeleted.ms();
            maxDeletedSeq = maxDeleted.seq();
        }
    }

    /** Listpacks in the stream (XINFO STREAM's radix-tree-keys). */
    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public long bytes() {
        return BASE_BYTES + nodes.bytes() + contentBytes;
    }

    void addBytes(long delta) {
        contentBytes += delta;
    }

    @Override
    public String encoding() {
        return "stream";
    }

    // ------------------------------------------------------------------ appending (streamAppendItem)

    /** What {@link #append} answers when the ID is not greater than the stream's last one (Redis's EDOM). */
    public static final StreamId NOT_GREATER = new StreamId(0, 0);

    /**
     * Appends an entry of {@code numFields} pairs from {@code fieldsAndValues[from..]}. With
     * {@code requested} null the ID is made from {@code now} (Redis's streamNextID); otherwise it is
     * {@code requested}, its sequence made from the last ID when {@code seqGiven} is false
     * ({@code <ms>-*}). Returns the ID added, or {@link #NOT_GREATER} (compared by identity) when
     * it would not be greater than the last ID. The caller has checked the elements' total size
     * against {@link #NODE_MAX_SIZE}.
     */
    public StreamId append(StreamId requested, boolean seqGiven, byte[][] fieldsAndValues, int from, int numFields, Limits limits,
                           long now) {
        long ms;
        long seq;
        if (requested == null) {
            if (Long.compareUnsigned(now, lastMs) > 0) {
                ms = now;
                seq = 0;
            } else {
                StreamId next = new StreamId(lastMs, lastSeq).next();
                if (next == null) {
                    return NOT_GREATER;
                }
                ms = next.ms();
                seq = next.seq();
            }
        } else if (!seqGiven && lastMs == requested.ms()) {
            if (lastSeq == -1L) {
                return NOT_GREATER;
            }
            ms = lastMs;
            seq = lastSeq + 1;
        } else {
            ms = requested.ms();
            seq = requested.seq();
        }
        if (StreamId.compare(ms, seq, lastMs, lastSeq) <= 0) {
            return NOT_GREATER;
        }
        long totalLength = 0;
        for (int i = 0; i < numFields * 2; i++) {
            totalLength += fieldsAndValues[from + i].length;
        }
        IdIndex<StreamNode>.Cursor tail = nodes.last();
        StreamNode node = tail.valid() ? tail.value() : null;
        long masterMs = 0;
        long masterSeq = 0;
        if (node != null) {
            long maxBytes = limits.nodeMaxBytes() == 0 || limits.nodeMaxBytes() > NODE_MAX_SIZE ? NODE_MAX_SIZE : limits.nodeMaxBytes();
            boolean full = node.size() + totalLength >= maxBytes
                    || limits.nodeMaxEntries() != 0 && node.live() + node.deleted() >= limits.nodeMaxEntries();
            if (full) {
                long before = node.bytes();
                node.shrink();
                contentBytes += node.bytes() - before;
                node = null;
            } else {
                masterMs = tail.ms();
                masterSeq = tail.seq();
            }
        }
        if (node == null) {
            int prealloc = StreamNode.MAX_PREALLOCATE;
            if (limits.nodeMaxBytes() > 0 && limits.nodeMaxBytes() < prealloc) {
                prealloc = (int) limits.nodeMaxBytes();
            }
            node = StreamNode.create(ms, seq, fieldsAndValues, from, numFields, prealloc);
            nodes.put(ms, seq, node);
            contentBytes += node.bytes();
            radixNodes = -1;
        } else {
            long before = node.bytes();
            node.append(masterMs, masterSeq, ms, seq, fieldsAndValues, from, numFields);
            contentBytes += node.bytes() - before;
        }
        length++;
        entriesAdded++;
        lastMs = ms;
        lastSeq = seq;
        if (length == 1) {
            firstMs = ms;
            firstSeq = seq;
        }
        return new StreamId(ms, seq);
    }

    // ------------------------------------------------------------------ reading

    /**
     * An iterator over the entries from {@code start} to {@code end} (inclusive; null for the
     * stream's ends), backwards when {@code rev}, tombstones skipped (Redis's streamIteratorStart).
     */
    public StreamIterator iterator(StreamId start, StreamId end, boolean rev) {
        return new StreamIterator(this, start, end, rev);
    }

    /** Whether a live entry with this ID is in the stream (streamEntryExists). */
    public boolean contains(long ms, long seq) {
        StreamId id = new StreamId(ms, seq);
        return iterator(id, id, false).next();
    }

    /** The last live entry's ID (streamLastValidID); 0-0 when there is none. */
    public StreamId lastValidId() {
        StreamIterator it = iterator(null, null, true);
        return it.next() ? it.id() : StreamId.MIN;
    }

    /**
     * The first or last entry's ID, tombstones included unless {@code skipTombstones}
     * (streamGetEdgeID): when there is none, the greatest ID for the first, 0-0 for the last.
     */
    public StreamId edgeId(boolean first, boolean skipTombstones) {
        StreamIterator it = iterator(null, null, !first);
        it.skipTombstones = skipTombstones;
        if (it.next()) {
            return it.id();
        }
        return first ? StreamId.MAX : StreamId.MIN;
    }

    // ------------------------------------------------------------------ deleting (streamDeleteItem)

    /** Deletes the live entry with this ID; false when there is none. Updates the first and greatest deleted IDs as XDEL does. */
    public boolean delete(long ms, long seq) {
        StreamId id = new StreamId(ms, seq);
        StreamIterator it = iterator(id, id, false);
        if (!it.next()) {
            return false;
        }
        it.removeCurrent();
        if (StreamId.compare(ms, seq, maxDeletedMs, maxDeletedSeq) > 0) {
            maxDeletedMs = ms;
            maxDeletedSeq = seq;
        }
        return true;
    }

    /** After XDEL deleted entries: the first ID as Redis keeps it ({@code firstWasDeleted}: the first entry was among them). */
    public void afterDeletes(boolean firstWasDeleted) {
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (firstWasDeleted) {
            StreamId first = edgeId(true, true);
            firstMs = first.ms();
            firstSeq = first.seq();
        }
    }

    /** Marks the entry at {@code flagsAt} of the node at {@code cursor} deleted; the node goes with its last live entry. */
    void removeEntry(IdIndex<StreamNode>.Cursor cursor, int flagsAt) {
        StreamNode node = cursor.value();
        if (node.live() == 1) {
            contentBytes -= node.bytes();
            nodes.remove(cursor.ms(), cursor.seq());
            radixNodes = -1;
        } else {
            long before = node.bytes();
            node.markDeleted(flagsAt);
            contentBytes += node.bytes() - before;
        }
        length--;
    }

    // ------------------------------------------------------------------ trimming (streamTrim)

    public enum TrimStrategy { NONE, MAXLEN, MINID }

    /**
     * Trims from the oldest entries (Redis's streamTrim): to {@code maxlen} entries, or below
     * {@code minId}; when {@code approx}, only whole nodes go; {@code limit} (0: none) caps the
     * entries deleted. Returns how many were.
     */
    public long trim(TrimStrategy strategy, long maxlen, StreamId minId, boolean approx, long limit) {
        if (strategy == TrimStrategy.NONE) {
            return 0;
        }
        long deleted = 0;
        IdIndex<StreamNode>.Cursor cursor = nodes.first();
        while (cursor.valid()) {
            if (strategy == TrimStrategy.MAXLEN && Long.compareUnsigned(length, maxlen) <= 0) {
                break;
            }
            StreamNode node = cursor.value();
            long entries = node.live();
            if (limit != 0 && deleted + entries > limit) {
                break;
            }
            long masterMs = cursor.ms();
            long masterSeq = cursor.seq();
            boolean removeNode;
            if (strategy == TrimStrategy.MAXLEN) {
                removeNode = Long.compareUnsigned(length - entries, maxlen) >= 0;
            } else {
                long[] last = node.edgeId(false, masterMs, masterSeq);
                removeNode = last != null && StreamId.compare(last[0], last[1], minId.ms(), minId.seq()) < 0;
            }
            if (removeNode) {
                contentBytes -= node.bytes();
                nodes.remove(masterMs, masterSeq);
                radixNodes = -1;
                length -= entries;
                deleted += entries;
                cursor = nodes.ceiling(masterMs, masterSeq);
                continue;
            }
            if (approx) {
                break;
            }
            long before = node.bytes();
            deleted += trimWithin(node, masterMs, masterSeq, strategy, maxlen, minId);
            contentBytes += node.bytes() - before;
            break; // there was enough to delete in this node
        }
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (deleted != 0) {
            StreamId first = edgeId(true, true);
            firstMs = first.ms();
            firstSeq = first.seq();
        }
        return deleted;
    }

    /** Marks the node's entries deleted from its start until the trim's goal is met; returns how many. */
    private long trimWithin(StreamNode node, long masterMs, long masterSeq, TrimStrategy strategy, long maxlen, StreamId minId) {
        long deletedHere = 0;
        int masterFields = node.masterFieldCount();
        int p = node.firstEntry();
        while (p >= 0) {
            byte[] lp = node.lp;
            int flagsAt = p;
            long flags = Listpacks.integer(lp, p);
            p = Listpacks.next(lp, p);
            long msDelta = Listpacks.integer(lp, p);
            p = Listpacks.next(lp, p);
            long seqDelta = Listpacks.integer(lp, p);
            p = Listpacks.next(lp, p);
            boolean stop = strategy == TrimStrategy.MAXLEN
                    ? Long.compareUnsigned(length, maxlen) <= 0
                    : StreamId.compare(masterMs + msDelta, masterSeq + seqDelta, minId.ms(), minId.seq()) >= 0;
            if (stop) {
                break;
            }
            long skip;
            if ((flags & StreamNode.SAME_FIELDS) != 0) {
                skip = masterFields;
            } else {
                skip = Listpacks.integer(lp, p) * 2;
                p = Listpacks.next(lp, p);
            }
            for (long i = 0; i < skip; i++) {
                p = Listpacks.next(lp, p);
            }
            p = Listpacks.next(lp, p); // past lp-count
            if ((flags & StreamNode.DELETED) == 0) {
                node.replaceInteger(flagsAt, flags | StreamNode.DELETED); // the same size: the positions hold
                deletedHere++;
                length--;
            }
        }
        long live = node.live();
        node.replaceInteger(Listpacks.HEADER, live - deletedHere);
        int deletedAt = Listpacks.next(node.lp, Listpacks.HEADER);
        node.replaceInteger(deletedAt, Listpacks.integer(node.lp, deletedAt) + deletedHere);
        return deletedHere;
    }

    // ------------------------------------------------------------------ the read counter (lag)

    /** Whether an entry between {@code start} and {@code end} (null: the ends) was deleted (streamRangeHasTombstones). */
    public boolean rangeHasTombstones(StreamId start, StreamId end) {
        if (length == 0 || (maxDeletedMs == 0 && maxDeletedSeq == 0)) {
            return false;
        }
        if (StreamId.compare(firstMs, firstSeq, maxDeletedMs, maxDeletedSeq) > 0) {
            return false;
        }
        StreamId s = start != null ? start : StreamId.MIN;
        StreamId e = end != null ? end : StreamId.MAX;
        return StreamId.compare(s.ms(), s.seq(), maxDeletedMs, maxDeletedSeq) <= 0
                && StreamId.compare(maxDeletedMs, maxDeletedSeq, e.ms(), e.seq()) <= 0;
    }

    /**
     * The number of entries from the first ever added up to {@code id} when it can be known, else
     * {@link StreamGroup#INVALID_ENTRIES_READ} (streamEstimateDistanceFromFirstEverEntry).
     */
    public long estimateDistance(long ms, long seq) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (length == 0 && StreamId.compare(ms, seq, lastMs, lastSeq) < 1) {
            return entriesAdded;
        }
        int cmpLast = StreamId.compare(ms, seq, lastMs, lastSeq);
        if (cmpLast == 0) {
            return entriesAdded;
        } else if (cmpLast > 0) {
            return StreamGroup.INVALID_ENTRIES_READ;
        }
        int cmpFirst = StreamId.compare(ms, seq, firstMs, firstSeq);
        int cmpDeletedFirst = StreamId.compare(maxDeletedMs, maxDeletedSeq, firstMs, firstSeq);
        if ((maxDeletedMs == 0 && maxDeletedSeq == 0) || cmpDeletedFirst < 0) {
            if (cmpFirst < 0) {
                return entriesAdded - length;
            } else if (cmpFirst == 0) {
                return entriesAdded - length + 1;
            }
        }
        return StreamGroup.INVALID_ENTRIES_READ;
    }

    /** What {@link #lag} answers when the lag cannot be known (a null reply); no lag can be this low. */
    public static final long UNKNOWN_LAG = Long.MIN_VALUE;

    /** A group's lag (streamReplyWithCGLag): entries not yet delivered to it, or {@link #UNKNOWN_LAG}. */
    public long lag(StreamGroup g) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (g.entriesRead != StreamGroup.INVALID_ENTRIES_READ && !rangeHasTombstones(g.lastId(), null)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistance(g.lastMs, g.lastSeq);
        return read != StreamGroup.INVALID_ENTRIES_READ ? entriesAdded - read : UNKNOWN_LAG;
    }

    /**
     * A group reads past its last ID up to {@code ms-seq} (streamReplyWithRange with a group):
     * its read counter follows when it can, and its last ID moves there.
     */
    public void advance(StreamGroup g, long ms, long seq) {
        if (g.entriesRead != StreamGroup.INVALID_ENTRIES_READ && !rangeHasTombstones(new StreamId(ms, seq), null)) {
            g.entriesRead++;
        } else if (entriesAdded != 0) {
            g.entriesRead = estimateDistance(ms, seq);
        }
        g.lastMs = ms;
        g.lastSeq = seq;
    }

    // ------------------------------------------------------------------ consumer groups

    public StreamGroup group(byte[] name) {
        return groups == null ? null : groups.get(new ByteString(name));
    }

    public Collection<StreamGroup> groups() {
        return groups == null ? List.of() : groups.values();
    }

    public int groupCount() {
        return groups == null ? 0 : groups.size();
    }

    /** Creates a group at {@code last} with that read counter; null when one of that name exists. */
    public StreamGroup createGroup(byte[] name, StreamId last, long entriesRead) {
        if (groups == null) {
            groups = new TreeMap<>();
        }
        ByteString key = new ByteString(name);
        if (groups.containsKey(key)) {
            return null;
        }
        StreamGroup g = new StreamGroup(this, name.clone(), last.ms(), last.seq(), entriesRead);
        groups.put(key, g);
        contentBytes += g.bytes();
        return g;
    }

    /** Removes the group; false when there is none of that name. */
    public boolean destroyGroup(byte[] name) {
        StreamGroup g = group(name);
        if (g == null) {
            return false;
        }
        contentBytes -= g.bytes();
        groups.remove(new ByteString(name));
        return true;
    }

    // ------------------------------------------------------------------ copies and the radix tree's shape

    @Override
    public StreamValue copy() {
        StreamValue c = new StreamValue();
        for (IdIndex<StreamNode>.Cursor cur = nodes.first(); cur.valid(); cur.next()) {
            StreamNode node = cur.value().copy();
            c.nodes.put(cur.ms(), cur.seq(), node);
            c.contentBytes += node.bytes();
        }
        c.length = length;
        c.lastMs = lastMs;
        c.lastSeq = lastSeq;
        c.firstMs = firstMs;
        c.firstSeq = firstSeq;
        c.maxDeletedMs = maxDeletedMs;
        c.maxDeletedSeq = maxDeletedSeq;
        c.entriesAdded = entriesAdded;
        for (StreamGroup g : groups()) {
            StreamGroup cg = c.createGroup(g.name(), g.lastId(), g.entriesRead);
            for (IdIndex<StreamNack>.Cursor p = g.pending.first(); p.valid(); p.next()) {
                cg.createPending(p.ms(), p.seq(), 0);
            }
            for (StreamConsumer consumer : g.consumers()) {
                StreamConsumer cc = cg.createConsumer(consumer.name(), consumer.seenTime);
                for (IdIndex<StreamNack>.Cursor p = consumer.pending.first(); p.valid(); p.next()) {
                    StreamNack copy = cg.pendingEntry(p.ms(), p.seq());
                    cg.assign(copy, p.ms(), p.seq(), cc);
                }
            }
            for (IdIndex<StreamNack>.Cursor p = g.pending.first(); p.valid(); p.next()) {
                StreamNack copy = cg.pendingEntry(p.ms(), p.seq());
                copy.deliveryTime = p.value().deliveryTime;
                copy.deliveryCount = p.value().deliveryCount;
            }
        }
        return c;
    }

    /**
     * How many nodes redis-server's radix tree of these master IDs has (XINFO STREAM's
     * radix-tree-nodes): a compressed trie of the 16-byte big-endian keys, where a run of bytes with
     * one child is one node, a branching point one node, and each key ends in a leaf node. Computed
     * in O(nodes) and kept until the nodes change.
     */
    public long radixTreeNodes() {
        if (radixNodes >= 0) {
            return radixNodes;
        }
        int n = nodes.size();
        if (n == 0) {
            return radixNodes = 1;
        }
        byte[][] keys = new byte[n][];
        int i = 0;
        for (IdIndex<StreamNode>.Cursor cur = nodes.first(); cur.valid(); cur.next()) {
            keys[i++] = key(cur.ms(), cur.seq());
        }
        int[] lcp = new int[n];
        for (i = 1; i < n; i++) {
            int l = 0;
            while (l < 16 && keys[i - 1][l] == keys[i][l]) {
                l++;
            }
            lcp[i] = l;
        }
        return radixNodes = subtrie(lcp, 0, n - 1, 0);
    }

    /** Nodes of the subtrie of keys lo..hi, which share their first {@code depth} bytes, from the node at that depth down. */
    private static long subtrie(int[] lcp, int lo, int hi, int depth) {
        int common = 16;
        for (int i = lo + 1; i <= hi; i++) {
            common = Math.min(common, lcp[i]);
        }
        long count = 1; // the node at this depth: compressed up to the common prefix, or the branching/leaf node itself
        if (common > depth) {
            count++; // the node where the common prefix ends
        }
        if (common == 16) {
            return count;
        }
        int start = lo;
        for (int i = lo + 1; i <= hi + 1; i++) {
            if (i > hi || lcp[i] == common) {
                count += subtrie(lcp, start, i - 1, common + 1);
                start = i;
            }
        }
        return count;
    }

    /** An ID as the 16-byte big-endian key of Redis's radix trees (streamEncodeID). */
    static byte[] key(long ms, long seq) {
        byte[] k = new byte[16];
        for (int b = 0; b < 8; b++) {
            k[b] = (byte) (ms >>> (56 - 8 * b));
            k[8 + b] = (byte) (seq >>> (56 - 8 * b));
        }
        return k;
    }

    // ------------------------------------------------------------------ the nodes as DUMP and RDB hold them

    /** A node's master ID and its listpack bytes, exactly as long as they are. */
    public record NodeBytes(long ms, long seq, byte[] listpack) {
    }

    /** The nodes in ID order (rdbSaveObject writes them as they are). */
    public List<NodeBytes> nodeBytes() {
        List<NodeBytes> out = new ArrayList<>(nodes.size());
        for (IdIndex<StreamNode>.Cursor cur = nodes.first(); cur.valid(); cur.next()) {
            out.add(new NodeBytes(cur.ms(), cur.seq(), cur.value().exactBytes()));
        }
        return out;
    }
}
