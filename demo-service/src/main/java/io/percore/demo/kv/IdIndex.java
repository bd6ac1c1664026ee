package io.percore.demo.kv;

import java.util.Arrays;

/**
 * A sorted map from stream IDs (two unsigned longs) to values, standing where Redis has a radix tree
 * keyed by 128-bit big-endian IDs: a stream's nodes by master ID, a consumer group's pending entries
 * and each consumer's. Entries live in leaves of up to {@value #LEAF_MAX} in parallel arrays (no
 * object per ID), found through a directory of leaves by their first ID: a lookup is two binary
 * searches, an insert or removal moves at most a leaf's entries, and a leaf filled by appends at
 * the end is left full (the common case: IDs grow). Leaves are merged back when removals thin them,
 * so a million pending entries acknowledged in any order give their memory back.
 *
 * <p>A {@link Cursor} walks it in order; any change made meanwhile other than {@link Cursor#set}
 * invalidates cursors (seek again by ID, as Redis re-seeks its rax iterators).
 */
final class IdIndex<V> {

    static final int LEAF_MAX = 64;
    private static final int LEAF_FIRST = 4;

    private static final class Leaf {
        long[] ms;
        long[] seq;
        Object[] values;
        int n;

        Leaf(int capacity) {
            ms = new long[capacity];
            seq = new long[capacity];
            values = new Object[capacity];
        }

        long bytes() {
            return 32 + HeapSizes.arrayBytes(ms.length * 8) * 2 + HeapSizes.arrayBytes(values.length * 4);
        }

        void grow(int capacity) {
            ms = Arrays.copyOf(ms, capacity);
            seq = Arrays.copyOf(seq, capacity);
            values = Arrays.copyOf(values, capacity);
        }

        /** Position of ID in this leaf, or {@code -(insertion point) - 1}. */
        int search(long idMs, long idSeq) {
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = StreamId.compare(ms[mid], seq[mid], idMs, idSeq);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }
    }

    private Leaf[] leaves = new Leaf[1];
    private int leafCount;
    private int size;
    private long bytes = HeapSizes.arrayBytes(4);

    int size() {
        return size;
    }

    /** Heap of the leaves and the directory (not of the values). */
    long bytes() {
        return bytes;
    }

    /** The leaf that holds, or would hold, the ID: the last one whose first ID is not greater; -1 if before all (or empty). */
    private int leafFor(long idMs, long idSeq) {
        int lo = 0;
        int hi = leafCount - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Leaf l = leaves[mid];
            if (StreamId.compare(l.ms[0], l.seq[0], idMs, idSeq) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    V get(long idMs, long idSeq) {
        int li = leafFor(idMs, idSeq);
        if (li < 0) {
            return null;
        }
        Leaf l = leaves[li];
        int pos = l.search(idMs, idSeq);
        return pos >= 0 ? (V) l.values[pos] : null;
    }

    boolean containsKey(long idMs, long idSeq) {
        int li = leafFor(idMs, idSeq);
        return li >= 0 && leaves[li].search(idMs, idSeq) >= 0;
    }

    /** Maps the ID to {@code value}; returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(long idMs, long idSeq, V value) {
        if (leafCount == 0) {
            Leaf l = new Leaf(LEAF_FIRST);
            insertLeaf(0, l);
            l.ms[0] = idMs;
            l.seq[0] = idSeq;
            l.values[0] = value;
            l.n = 1;
            size = 1;
            return null;
        }
        int li = Math.max(0, leafFor(idMs, idSeq));
        Leaf l = leaves[li];
        int pos = l.search(idMs, idSeq);
        if (pos >= 0) {
            V old = (V) l.values[pos];
            l.values[pos] = value;
            return old;
        }
        pos = -pos - 1;
        if (l.n == LEAF_MAX) {
            if (pos == LEAF_MAX && li == leafCount - 1) {
                // appending past a full last leaf: start the next one, so IDs added in order fill leaves
                Leaf next = new Leaf(LEAF_FIRST);
                insertLeaf(li + 1, next);
                l = next;
                pos = 0;
            } else {
                Leaf right = split(li);
                if (pos > l.n) {
                    pos -= l.n;
                    l = right;
                }
            }
        }
        if (l.n == l.ms.length) {
            long before = l.bytes();
            l.grow(Math.min(LEAF_MAX, l.n * 2));
            bytes += l.bytes() - before;
        }
        System.arraycopy(l.ms, pos, l.ms, pos + 1, l.n - pos);
        System.arraycopy(l.seq, pos, l.seq, pos + 1, l.n - pos);
        System.arraycopy(l.values, pos, l.values, pos + 1, l.n - pos);
        l.ms[pos] = idMs;
        l.seq[pos] = idSeq;
        l.values[pos] = value;
        l.n++;
        size++;
        return null;
    }

    /** Splits the full leaf at {@code li} in two halves; returns the right one (at li + 1). */
    private Leaf split(int li) {
        Leaf l = leaves[li];
        int half = l.n / 2;
        Leaf right = new Leaf(LEAF_MAX);
        int moved = l.n - half;
        System.arraycopy(l.ms, half, right.ms, 0, moved);
        System.arraycopy(l.seq, half, right.seq, 0, moved);
        System.arraycopy(l.values, half, right.values, 0, moved);
        Arrays.fill(l.values, half, l.n, null);
        right.n = moved;
        l.n = half;
        insertLeaf(li + 1, right);
        return right;
    }

    private void insertLeaf(int at, Leaf l) {
        if (leafCount == leaves.length) {
            bytes -= HeapSizes.arrayBytes(leaves.length * 4);
            leaves = Arrays.copyOf(leaves, leaves.length * 2);
            bytes += HeapSizes.arrayBytes(leaves.length * 4);
        }
        System.arraycopy(leaves, at, leaves, at + 1, leafCount - at);
        leaves[at] = l;
        leafCount++;
        bytes += l.bytes();
    }

    private void removeLeaf(int at) {
        bytes -= leaves[at].bytes();
        System.arraycopy(leaves, at + 1, leaves, at, leafCount - at - 1);
        leaves[--leafCount] = null;
        if (leaves.length > 8 && leafCount < leaves.length / 4) {
            bytes -= HeapSizes.arrayBytes(leaves.length * 4);
            leaves = Arrays.copyOf(leaves, leaves.length / 2);
            bytes += HeapSizes.arrayBytes(leaves.length * 4);
        }
    }

    /** Removes the ID; returns its value, or null when it was not there. */
    @SuppressWarnings("unchecked")
    V remove(long idMs, long idSeq) {
        int li = leafFor(idMs, idSeq);
        if (li < 0) {
            return null;
        }
        Leaf l = leaves[li];
        int pos = l.search(idMs, idSeq);
        if (pos < 0) {
            return null;
        }
        V old = (V) l.values[pos];
        removeAt(li, pos);
        return old;
    }

    private void removeAt(int li, int pos) {
        Leaf l = leaves[li];
        System.arraycopy(l.ms, pos + 1, l.ms, pos, l.n - pos - 1);
        System.arraycopy(l.seq, pos + 1, l.seq, pos, l.n - pos - 1);
        System.arraycopy(l.values, pos + 1, l.values, pos, l.n - pos - 1);
        l.values[--l.n] = null;
        size--;
        if (l.n == 0) {
            removeLeaf(li);
            return;
        }
        if (l.n < LEAF_MAX / 4) {
            // thinned out: merge with a neighbour when the two fit in three quarters of a leaf
            if (li + 1 < leafCount && l.n + leaves[li + 1].n <= LEAF_MAX * 3 / 4) {
                merge(li);
            } else if (li > 0 && l.n + leaves[li - 1].n <= LEAF_MAX * 3 / 4) {
                merge(li - 1);
            } else if (l.ms.length > LEAF_FIRST && l.n <= l.ms.length / 4) {
                long before = l.bytes();
                l.grow(Math.max(LEAF_FIRST, l.ms.length / 2));
                bytes += l.bytes() - before;
            }
        }
    }

    /** Moves the leaf after {@code li} into it. */
    private void merge(int li) {
        Leaf l = leaves[li];
        Leaf next = leaves[li + 1];
        int total = l.n + next.n;
        long before = l.bytes();
        if (l.ms.length < total) {
            l.grow(Math.min(LEAF_MAX, Math.max(total, l.ms.length * 2)));
        }
        bytes += l.bytes() - before;
        System.arraycopy(next.ms, 0, l.ms, l.n, next.n);
        System.arraycopy(next.seq, 0, l.seq, l.n, next.n);
        System.arraycopy(next.values, 0, l.values, l.n, next.n);
        l.n = total;
        removeLeaf(li + 1);
    }

    // ------------------------------------------------------------------ cursors

    /** A position in the index; {@link #valid()} is false past either end. */
    final class Cursor {
        private int leaf;
        private int pos;

        private Cursor(int leaf, int pos) {
            this.leaf = leaf;
            this.pos = pos;
        }

        boolean valid() {
            return leaf >= 0 && leaf < leafCount && pos >= 0 && pos < leaves[leaf].n;
        }

        long ms() {
            return leaves[leaf].ms[pos];
        }

        long seq() {
            return leaves[leaf].seq[pos];
        }

        @SuppressWarnings("unchecked")
        V value() {
            return (V) leaves[leaf].values[pos];
        }

        /** Replaces the value here (not a structural change: cursors stay valid). */
        void set(V value) {
            leaves[leaf].values[pos] = value;
        }

        /** Moves to the next ID; false when there is none. */
        boolean next() {
            if (!valid()) {
                return false;
            }
            if (++pos >= leaves[leaf].n) {
                leaf++;
                pos = 0;
            }
            return valid();
        }

        /** Moves to the previous ID; false when there is none. */
        boolean previous() {
            if (!valid()) {
                return false;
            }
            if (--pos < 0) {
                if (--leaf < 0) {
                    return false;
                }
                pos = leaves[leaf].n - 1;
            }
            return valid();
        }

        /** Removes the ID here; the cursor then stands on the ID after it (invalid at the end). */
        void remove() {
            long nextMs = 0;
            long nextSeq = 0;
            Cursor after = new Cursor(leaf, pos);
            boolean hasNext = after.next();
            if (hasNext) {
                nextMs = after.ms();
                nextSeq = after.seq();
            }
            removeAt(leaf, pos);
            if (hasNext) {
                Cursor again = ceiling(nextMs, nextSeq);
                leaf = again.leaf;
                pos = again.pos;
            } else {
                leaf = leafCount;
                pos = 0;
            }
        }
    }

    Cursor first() {
        return new Cursor(0, 0);
    }

    Cursor last() {
        return leafCount == 0 ? new Cursor(-1, 0) : new Cursor(leafCount - 1, leaves[leafCount - 1].n - 1);
    }

    /** The greatest ID not greater than the given one (rax's "<=" seek); invalid when there is none. */
    Cursor floor(long idMs, long idSeq) {
        int li = leafFor(idMs, idSeq);
        if (li < 0) {
            return new Cursor(-1, 0);
        }
        int pos = leaves[li].search(idMs, idSeq);
        return new Cursor(li, pos >= 0 ? pos : -pos - 2);
    }

    /** The least ID not less than the given one (rax's ">=" seek); invalid when there is none. */
    Cursor ceiling(long idMs, long idSeq) {
        int li = Math.max(0, leafFor(idMs, idSeq));
        if (leafCount == 0) {
            return new Cursor(0, 0);
        }
        int pos = leaves[li].search(idMs, idSeq);
        Cursor c = new Cursor(li, pos >= 0 ? pos : -pos - 1);
        if (c.pos >= leaves[li].n) {
            c.leaf++;
            c.pos = 0;
        }
        return c;
    }
}
