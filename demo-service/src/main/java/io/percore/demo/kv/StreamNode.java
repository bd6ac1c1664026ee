package io.percore.demo.kv;

import java.util.Arrays;

/**
 * One node of a stream: a listpack of entries laid out exactly as Redis lays them out
 * ({@code t_stream.c}, {@code streamAppendItem}), keyed in the stream by its master ID, the ID of the
 * first entry added to it. It opens with the master entry, {@code count | deleted | num-fields |
 * field... | 0}, then the entries, each {@code flags | ms-delta | seq-delta | [num-fields |
 * field...] | value... | lp-count}: IDs are deltas from the master ID, and an entry with the master's
 * fields (flag {@link #SAME_FIELDS}) stores only its values. A deleted entry stays as a tombstone
 * (flag {@link #DELETED}) until its whole node goes. {@code lp-count} lets the entries be walked
 * backwards. Being Redis's own bytes, a node is written to DUMP and RDB as it is, and node
 * boundaries (which approximate trimming works by) fall where redis-server's do.
 *
 * <p>The array may have spare room at its end for appends (Redis pre-allocates too); a node no
 * longer appended to is cut to its size ({@link #shrink}).
 */
final class StreamNode {

    static final int NONE = 0;
    static final int DELETED = 1;
    static final int SAME_FIELDS = 2;

    /** Redis's STREAM_LISTPACK_MAX_PRE_ALLOCATE: a new node's first allocation. */
    static final int MAX_PREALLOCATE = 4096;

    /** The node's listpack; {@link Listpacks#totalBytes} of it is the listpack's length, the rest spare room. */
    byte[] lp;

    StreamNode(byte[] lp) {
        this.lp = lp;
    }

    /**
     * A node whose master entry has the fields of {@code fieldsAndValues[from..]} and whose first entry
     * is them with their values, with ID {@code ms-seq} (the node's master ID: its deltas are 0).
     */
    static StreamNode create(long ms, long seq, byte[][] fieldsAndValues, int from, int numFields, int prealloc) {
        int size = Listpacks.HEADER + 1 + Listpacks.sizeOfInteger(1) + Listpacks.sizeOfInteger(0) + Listpacks.sizeOfInteger(numFields)
                + Listpacks.sizeOfInteger(0);
        for (int i = 0; i < numFields; i++) {
            size += Listpacks.sizeOf(fieldsAndValues[from + 2 * i]);
        }
        size += entrySize(fieldsAndValues, from, numFields, 0, 0, true);
        byte[] lp = Listpacks.empty(Math.max(size, prealloc));
        int p = Listpacks.HEADER;
        p = Listpacks.writeInteger(lp, p, 1); // live entries
        p = Listpacks.writeInteger(lp, p, 0); // deleted entries
        p = Listpacks.writeInteger(lp, p, numFields);
        for (int i = 0; i < numFields; i++) {
            p = Listpacks.write(lp, p, fieldsAndValues[from + 2 * i]);
        }
        p = Listpacks.writeInteger(lp, p, 0); // the master entry's terminator
        int elements = 4 + numFields;
        StreamNode node = new StreamNode(lp);
        elements += node.writeEntry(p, fieldsAndValues, from, numFields, 0, 0, true);
        Listpacks.count(lp, elements);
        return node;
    }

    /** Bytes an entry takes: flags, deltas, [count, fields], values, lp-count. */
    private static int entrySize(byte[][] fv, int from, int numFields, long msDelta, long seqDelta, boolean sameFields) {
        int size = Listpacks.sizeOfInteger(sameFields ? SAME_FIELDS : NONE) + Listpacks.sizeOfInteger(msDelta)
                + Listpacks.sizeOfInteger(seqDelta) + Listpacks.sizeOfInteger(lpCount(numFields, sameFields));
        if (!sameFields) {
            size += Listpacks.sizeOfInteger(numFields);
        }
        for (int i = 0; i < numFields; i++) {
            if (!sameFields) {
                size += Listpacks.sizeOf(fv[from + 2 * i]);
            }
            size += Listpacks.sizeOf(fv[from + 2 * i + 1]);
        }
        return size;
    }

    private static int lpCount(int numFields, boolean sameFields) {
        return sameFields ? numFields + 3 : 2 * numFields + 4;
    }

    /** Writes an entry at {@code p} (room already made); returns how many listpack elements it added. */
    private int writeEntry(int p, byte[][] fv, int from, int numFields, long msDelta, long seqDelta, boolean sameFields) {
        p = Listpacks.writeInteger(lp, p, sameFields ? SAME_FIELDS : NONE);
        p = Listpacks.writeInteger(lp, p, msDelta);
        p = Listpacks.writeInteger(lp, p, seqDelta);
        if (!sameFields) {
            p = Listpacks.writeInteger(lp, p, numFields);
        }
        for (int i = 0; i < numFields; i++) {
            if (!sameFields) {
                p = Listpacks.write(lp, p, fv[from + 2 * i]);
            }
            p = Listpacks.write(lp, p, fv[from + 2 * i + 1]);
        }
        p = Listpacks.writeInteger(lp, p, lpCount(numFields, sameFields));
        lp[p] = (byte) Listpacks.EOF;
        Listpacks.totalBytes(lp, p + 1);
        return lpCount(numFields, sameFields) + 1;
    }

    // ------------------------------------------------------------------ the master entry

    /** Entries in the node not deleted. */
    long live() {
        return Listpacks.integer(lp, Listpacks.HEADER);
    }

    /** Entries marked deleted. */
    long deleted() {
        return Listpacks.integer(lp, Listpacks.next(lp, Listpacks.HEADER));
    }

    /** Position of the master entry's field count. */
    private int masterFieldCountAt() {
        return Listpacks.next(lp, Listpacks.next(lp, Listpacks.HEADER));
    }

    int masterFieldCount() {
        return (int) Listpacks.integer(lp, masterFieldCountAt());
    }

    /** Position of the master entry's first field (or its terminator when it has none). */
    int masterFieldsStart() {
        return Listpacks.next(lp, masterFieldCountAt());
    }

    /** Position of the first entry's flags, or -1 when the node holds none. */
    int firstEntry() {
        int p = masterFieldsStart();
        for (int i = masterFieldCount(); i > 0; i--) {
            p = Listpacks.next(lp, p);
        }
        return Listpacks.next(lp, p); // past the terminator
    }

    int size() {
        return Listpacks.totalBytes(lp);
    }

    // ------------------------------------------------------------------ changes

    /**
     * Appends an entry of {@code numFields} fields and values with ID {@code ms-seq}, the master ID
     * being {@code masterMs-masterSeq} (Redis's streamAppendItem into an existing node).
     */
    void append(long masterMs, long masterSeq, long ms, long seq, byte[][] fv, int from, int numFields) {
        replaceInteger(Listpacks.HEADER, live() + 1);
        int masterCount = masterFieldCount();
        boolean same = numFields == masterCount;
        if (same) {
            int f = masterFieldsStart();
            for (int i = 0; i < masterCount; i++) {
                if (!Listpacks.equalsBytes(lp, f, fv[from + 2 * i])) {
                    same = false;
                    break;
                }
                f = Listpacks.next(lp, f);
            }
        }
        long msDelta = ms - masterMs;
        long seqDelta = seq - masterSeq;
        int size = size();
        int more = entrySize(fv, from, numFields, msDelta, seqDelta, same);
        ensureCapacity(size + more);
        int added = writeEntry(size - 1, fv, from, numFields, msDelta, seqDelta, same);
        int count = Listpacks.count(lp);
        if (count != Listpacks.COUNT_UNKNOWN) {
            Listpacks.count(lp, Math.min(count + added, Listpacks.COUNT_UNKNOWN));
        }
    }

    /** Marks the entry whose flags are at {@code flagsAt} deleted (Redis's streamIteratorRemoveEntry, the node kept). */
    void markDeleted(int flagsAt) {
        long flags = Listpacks.integer(lp, flagsAt);
        replaceInteger(flagsAt, flags | DELETED); // the same size: flags are 0..3
        long live = live();
        replaceInteger(Listpacks.HEADER, live - 1);
        int deletedAt = Listpacks.next(lp, Listpacks.HEADER);
        replaceInteger(deletedAt, Listpacks.integer(lp, deletedAt) + 1);
    }

    /**
     * Replaces the integer element at {@code p} with {@code v} (lpReplaceInteger), moving what follows
     * when its size changes (a count growing past 127).
     */
    void replaceInteger(int p, long v) {
        int oldSize = Listpacks.elementSize(lp, p);
        int newSize = Listpacks.sizeOfInteger(v);
        int total = size();
        if (newSize != oldSize) {
            ensureCapacity(total - oldSize + newSize);
            System.arraycopy(lp, p + oldSize, lp, p + newSize, total - p - oldSize);
            Listpacks.totalBytes(lp, total - oldSize + newSize);
        }
        Listpacks.writeInteger(lp, p, v);
    }

    private void ensureCapacity(int needed) {
        if (needed > lp.length) {
            lp = Arrays.copyOf(lp, Math.max(needed, Math.min(lp.length * 2, Math.max(needed, MAX_PREALLOCATE))));
        }
    }

    /** Drops the spare room (lpShrinkToFit): the node is full and will not be appended to again. */
    void shrink() {
        if (lp.length > size()) {
            lp = Arrays.copyOf(lp, size());
        }
    }

    /** Heap of this node: the object and its array. */
    long bytes() {
        return 16 + HeapSizes.arrayBytes(lp.length);
    }

    /** A copy sharing nothing (COPY, and a node about to change while someone reads it). */
    StreamNode copy() {
        return new StreamNode(Arrays.copyOf(lp, size()));
    }

    /** The node's listpack, exactly as long as it is (DUMP, RDB). */
    byte[] exactBytes() {
        return lp.length == size() ? lp : Arrays.copyOf(lp, size());
    }

    // ------------------------------------------------------------------ a node from outside (DUMP, RDB)

    /** What {@link #check} found in a node: its entries, and its live ones' IDs in order as {@code ms, seq} pairs. */
    record Checked(long live, long deleted, long[] liveIds) {
    }

    /**
     * Checks a node read from a payload as Redis's deep {@code streamValidateListpackIntegrity} does
     * (a valid listpack; the master entry; every entry's flags, ID deltas, field count, fields,
     * values and lp-count, nothing after the last), and further what this server's reading relies
     * on: counts not negative, the master's counts equal to the entries' flags, at least one entry,
     * and live entries in ascending ID order.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Checked check(byte[] lp, long masterMs, long masterSeq) {
        int elements = Listpacks.validate(lp);
        if (elements < 0) {
            throw new IllegalArgumentException("stream node is no valid listpack");
        }
        if (elements < 4) {
            throw new IllegalArgumentException("stream node without its master entry");
        }
        int p = Listpacks.HEADER;
        long live = intElement(lp, p, "entry count");
        p = Listpacks.next(lp, p);
        long deleted = intElement(lp, p, "deleted count");
        p = Listpacks.next(lp, p);
        long masterFields = intElement(lp, p, "master field count");
        if (live < 0 || deleted < 0 || masterFields < 0 || masterFields > elements || live + deleted > elements) {
            throw new IllegalArgumentException("stream node with counts out of range");
        }
        p = Listpacks.next(lp, p);
        for (long j = 0; j < masterFields; j++) {
            p = advance(lp, p);
        }
        if (intElement(lp, p, "master terminator") != 0) {
            throw new IllegalArgumentException("stream node's master entry not terminated by 0");
        }
        if (live + deleted == 0) {
            throw new IllegalArgumentException("stream node without entries");
        }
        long seenLive = 0;
        long seenDeleted = 0;
        long[] ids = new long[(int) Math.min(live * 2, elements * 2L)];
        for (long e = 0; e < live + deleted; e++) {
            p = advance(lp, p);
            long flags = intElement(lp, p, "entry flags");
            p = advance(lp, p);
            long ms = masterMs + intElement(lp, p, "entry ID");
            p = advance(lp, p);
            long seq = masterSeq + intElement(lp, p, "entry ID");
            long fields = masterFields;
            long extra = 3;
            if ((flags & SAME_FIELDS) == 0) {
                p = advance(lp, p);
                fields = intElement(lp, p, "entry field count");
                if (fields < 0 || fields > elements) {
                    throw new IllegalArgumentException("stream entry with a field count out of range");
                }
                for (long j = 0; j < fields; j++) {
                    p = advance(lp, p);
                }
                extra += fields + 1;
            }
            for (long j = 0; j < fields; j++) {
                p = advance(lp, p);
            }
            p = advance(lp, p);
            if (intElement(lp, p, "entry lp-count") != fields + extra) {
                throw new IllegalArgumentException("stream entry's lp-count does not match its fields");
            }
            if ((flags & DELETED) != 0) {
                seenDeleted++;
                continue;
            }
            if (seenLive == live) {
                throw new IllegalArgumentException("stream node with more live entries than its count");
            }
            if (seenLive > 0 && StreamId.compare(ids[(int) (2 * seenLive - 2)], ids[(int) (2 * seenLive - 1)], ms, seq) >= 0) {
                throw new IllegalArgumentException("stream entries out of order");
            }
            ids[(int) (2 * seenLive)] = ms;
            ids[(int) (2 * seenLive + 1)] = seq;
            seenLive++;
        }
        if (Listpacks.next(lp, p) != -1) {
            throw new IllegalArgumentException("stream node with elements after its last entry");
        }
        if (seenLive != live || seenDeleted != deleted) {
            throw new IllegalArgumentException("stream node's counts do not match its entries' flags");
        }
        return new Checked(live, deleted, ids);
    }

    /** The element after {@code p}, which must exist. */
    private static int advance(byte[] lp, int p) {
        int next = Listpacks.next(lp, p);
        if (next < 0) {
            throw new IllegalArgumentException("stream node ends inside an entry");
        }
        return next;
    }

    private static long intElement(byte[] lp, int p, String what) {
        if (!Listpacks.isIntegerValued(lp, p)) {
            throw new IllegalArgumentException("stream node's " + what + " is not an integer");
        }
        return Listpacks.integer(lp, p);
    }

    // ------------------------------------------------------------------ the edges (lpGetEdgeStreamID)

    /**
     * The ID of the node's first or last entry (tombstones included) as {@code [ms, seq]}; null when
     * the node holds no entry.
     */
    long[] edgeId(boolean first, long masterMs, long masterSeq) {
        int p;
        if (first) {
            p = firstEntry();
            if (p < 0) {
                return null;
            }
        } else {
            p = Listpacks.last(lp);
            long lpCount = Listpacks.integer(lp, p);
            if (lpCount == 0) {
                return null; // the master entry's terminator: no entries
            }
            for (long i = lpCount; i > 0; i--) {
                p = Listpacks.previous(lp, p);
            }
        }
        p = Listpacks.next(lp, p); // past the flags
        long ms = masterMs + Listpacks.integer(lp, p);
        p = Listpacks.next(lp, p);
        long seq = masterSeq + Listpacks.integer(lp, p);
        return new long[] {ms, seq};
    }
}
