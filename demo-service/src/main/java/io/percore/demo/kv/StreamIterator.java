package io.percore.demo.kv;

/**
 * Walks a stream's entries between two IDs, forwards or backwards, as Redis's
 * {@code streamIterator} does: it seeks the node whose master ID is the greatest not past the start
 * (the end, backwards), then steps through each node's listpack, skipping tombstones, until an
 * entry is past the range. Between {@link #next} and the next call, {@link #id()},
 * {@link #fieldCount()} and {@link #fieldsAndValues()} describe the entry.
 *
 * <p>Any change to the stream other than {@link #removeCurrent} invalidates it.
 */
public final class StreamIterator {

    private final StreamValue stream;
    private long startMs;
    private long startSeq;
    private long endMs;
    private long endSeq;
    private final boolean rev;
    /** Redis's skip_tombstones: deleted entries are not returned (the default). */
    boolean skipTombstones = true;

    private IdIndex<StreamNode>.Cursor cursor;
    /** The seek's node has not been entered yet (a rax iterator's first step returns the sought element). */
    private boolean sought;
    private StreamNode node;
    private long masterMs;
    private long masterSeq;
    /** Redis's lp_ele; -1 when it is NULL. */
    private int ele = -1;
    private long masterFieldCount;
    private int masterFieldsStart;

    // the entry returned last
    private long idMs;
    private long idSeq;
    private long fieldCount;
    private long flags;
    private int flagsAt;
    private int valuesStart;
    /** The entry's lp-count element: where the walk goes on from, whatever was read of the entry. */
    private int lpCountAt;

    StreamIterator(StreamValue stream, StreamId start, StreamId end, boolean rev) {
        this.stream = stream;
        this.rev = rev;
        seek(start, end);
    }

    private void seek(StreamId start, StreamId end) {
        startMs = start != null ? start.ms() : 0;
        startSeq = start != null ? start.seq() : 0;
        endMs = end != null ? end.ms() : -1L;
        endSeq = end != null ? end.seq() : -1L;
        IdIndex<StreamNode> nodes = stream.nodes;
        if (!rev) {
            if (start != null && !start.isZero()) {
                cursor = nodes.floor(startMs, startSeq);
                if (!cursor.valid()) {
                    cursor = nodes.first();
                }
            } else {
                cursor = nodes.first();
            }
        } else {
            if (end != null && !end.isZero()) {
                cursor = nodes.floor(endMs, endSeq);
                if (!cursor.valid()) {
                    cursor = nodes.last();
                }
            } else {
                cursor = nodes.last();
            }
        }
        sought = true;
        node = null;
        ele = -1;
    }

    private boolean nextNode() {
        if (sought) {
            sought = false;
            return cursor.valid();
        }
        return rev ? cursor.previous() : cursor.next();
    }

    /** Moves to the next entry in range; false when there is none (streamIteratorGetID). */
    public boolean next() {
        if (exhausted) {
            return false;
        }
        if (node != null && ele >= 0) {
            ele = lpCountAt; // the last entry's end, however much of it was read
        }
        while (true) {
            if (node == null || ele < 0) {
                if (!nextNode()) {
                    return false;
                }
                node = cursor.value();
                masterMs = cursor.ms();
                masterSeq = cursor.seq();
                byte[] lp = node.lp;
                ele = Listpacks.next(lp, Listpacks.next(lp, Listpacks.HEADER)); // count, deleted: now the field count
                masterFieldCount = Listpacks.integer(lp, ele);
                ele = Listpacks.next(lp, ele);
                masterFieldsStart = ele;
                if (!rev) {
                    for (long i = 0; i < masterFieldCount; i++) {
                        ele = Listpacks.next(lp, ele);
                    }
                } else {
                    ele = Listpacks.last(lp);
                }
            } else if (rev) {
                byte[] lp = node.lp;
                for (long i = Listpacks.integer(lp, ele); i > 0; i--) {
                    ele = Listpacks.previous(lp, ele);
                }
                ele = Listpacks.previous(lp, ele);
            }
            byte[] lp = node.lp;
            while (true) {
                if (!rev) {
                    ele = Listpacks.next(lp, ele);
                    if (ele < 0) {
                        break;
                    }
                } else {
                    long lpCount = Listpacks.integer(lp, ele);
                    if (lpCount == 0) { // the master entry: this node is done
                        node = null;
                        ele = -1;
                        break;
                    }
                    for (long i = lpCount; i > 0; i--) {
                        ele = Listpacks.previous(lp, ele);
                    }
                }
                flagsAt = ele;
                flags = Listpacks.integer(lp, ele);
                ele = Listpacks.next(lp, ele);
                idMs = masterMs + Listpacks.integer(lp, ele);
                ele = Listpacks.next(lp, ele);
                idSeq = masterSeq + Listpacks.integer(lp, ele);
                ele = Listpacks.next(lp, ele);
                boolean same = (flags & StreamNode.SAME_FIELDS) != 0;
                if (same) {
                    fieldCount = masterFieldCount;
                } else {
                    fieldCount = Listpacks.integer(lp, ele);
                    ele = Listpacks.next(lp, ele);
                }
                valuesStart = ele;
                boolean live = !skipTombstones || (flags & StreamNode.DELETED) == 0;
                if (!rev) {
                    if (StreamId.compare(idMs, idSeq, startMs, startSeq) >= 0 && live) {
                        if (StreamId.compare(idMs, idSeq, endMs, endSeq) > 0) {
                            node = null; // out of range: later calls answer false again
                            ele = -1;
                            exhausted = true;
                            return false;
                        }
                        lpCountAt = skip(lp, ele, same ? fieldCount : fieldCount * 2);
                        return true;
                    }
                    ele = skip(lp, ele, same ? fieldCount : fieldCount * 2);
                } else {
                    if (StreamId.compare(idMs, idSeq, endMs, endSeq) <= 0 && live) {
                        if (StreamId.compare(idMs, idSeq, startMs, startSeq) < 0) {
                            node = null;
                            ele = -1;
                            exhausted = true;
                            return false;
                        }
                        lpCountAt = skip(lp, ele, same ? fieldCount : fieldCount * 2);
                        return true;
                    }
                    int back = same ? 4 : 5;
                    while (back-- > 0) {
                        ele = Listpacks.previous(lp, ele);
                    }
                }
            }
        }
    }

    /** An entry past the range was met: the walk is over. */
    private boolean exhausted;

    private static int skip(byte[] lp, int p, long elements) {
        for (long i = 0; i < elements; i++) {
            p = Listpacks.next(lp, p);
        }
        return p;
    }

    public StreamId id() {
        return new StreamId(idMs, idSeq);
    }

    public long idMs() {
        return idMs;
    }

    public long idSeq() {
        return idSeq;
    }

    public long fieldCount() {
        return fieldCount;
    }

    /** The entry's fields and values, alternating, as new arrays (the stream may change after). */
    public byte[][] fieldsAndValues() {
        byte[] lp = node.lp;
        int n = (int) fieldCount;
        byte[][] out = new byte[2 * n][];
        boolean same = (flags & StreamNode.SAME_FIELDS) != 0;
        int field = masterFieldsStart;
        int p = valuesStart;
        for (int i = 0; i < n; i++) {
            if (same) {
                out[2 * i] = Listpacks.bytes(lp, field);
                field = Listpacks.next(lp, field);
            } else {
                out[2 * i] = Listpacks.bytes(lp, p);
                p = Listpacks.next(lp, p);
            }
            out[2 * i + 1] = Listpacks.bytes(lp, p);
            p = Listpacks.next(lp, p);
        }
        return out;
    }

    /** Receives an entry's fields and values straight from its node's bytes, in order, alternating. */
    public interface ElementSink {
        /** A string element: {@code length} bytes of {@code array} from {@code from}; read them now, the node changes later. */
        void string(byte[] array, int from, int length);

        /** An element stored as an integer (its decimal text is what it holds). */
        void integer(long value);
    }

    /** Hands the entry's fields and values to {@code sink} without copying them out. */
    public void emitFieldsAndValues(ElementSink sink) {
        byte[] lp = node.lp;
        boolean same = (flags & StreamNode.SAME_FIELDS) != 0;
        int field = masterFieldsStart;
        int p = valuesStart;
        for (long i = 0; i < fieldCount; i++) {
            if (same) {
                emit(lp, field, sink);
                field = Listpacks.next(lp, field);
            } else {
                emit(lp, p, sink);
                p = Listpacks.next(lp, p);
            }
            emit(lp, p, sink);
            p = Listpacks.next(lp, p);
        }
    }

    private static void emit(byte[] lp, int p, ElementSink sink) {
        if (Listpacks.isInteger(lp, p)) {
            sink.integer(Listpacks.integer(lp, p));
        } else {
            int header = Listpacks.stringHeader(lp, p);
            sink.string(lp, p + header, Listpacks.encodedSize(lp, p) - header);
        }
    }

    /**
     * Deletes the entry just returned (streamIteratorRemoveEntry) and seeks again from it, so
     * {@link #next} goes on with the entries after it.
     */
    public void removeCurrent() {
        StreamId current = id();
        stream.removeEntry(cursor, flagsAt);
        if (rev) {
            seek(new StreamId(startMs, startSeq), current);
        } else {
            seek(current, new StreamId(endMs, endSeq));
        }
        exhausted = false;
    }
}
