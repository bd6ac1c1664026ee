package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * A list's elements (Redis's {@code OBJ_LIST}) in a growable ring buffer: O(1) pushes and pops at
 * both ends, O(1) index reads, O(n) inserts in the middle (LINSERT) and one-pass removals (LREM), as
 * Redis's quicklist. Mutated in place by its shard's commands, which report the change of
 * {@link #bytes()} to the store ({@link ValueStore#resized}).
 */
public final class ListValue implements MutableValue {

    static final long ELEMENT_OVERHEAD = 8;
    private static final long BASE = 64;

    private byte[][] ring = new byte[8][];
    private int head;
    private int size;
    private long bytes = BASE + 8L * 8;

    @Override
    public long bytes() {
        return bytes;
    }

    /** The same elements in order (their arrays are never changed in place, so they are shared). */
    @Override
    public ListValue copy() {
        ListValue copy = new ListValue();
        copy.ring = new byte[ring.length][];
        for (int i = 0; i < size; i++) {
            copy.ring[i] = get(i);
        }
        copy.size = size;
        copy.bytes = bytes;
        return copy;
    }

    /** Redis 7.0's one list representation. */
    @Override
    public String encoding() {
        return "quicklist";
    }

    public int size() {
        return size;
    }

    private int slot(int index) {
        return (head + index) & (ring.length - 1);
    }

    private void grow() {
        if (size < ring.length) {
            return;
        }
        byte[][] bigger = new byte[ring.length * 2][];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[slot(i)];
        }
        bytes += 8L * ring.length;
        ring = bigger;
        head = 0;
    }

    public void addFirst(byte[] element) {
        grow();
        head = (head - 1) & (ring.length - 1);
        ring[head] = element;
        size++;
        bytes += elementBytes(element);
    }

    public void addLast(byte[] element) {
        grow();
        ring[slot(size)] = element;
        size++;
        bytes += elementBytes(element);
    }

    public byte[] removeFirst() {
        byte[] e = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        bytes -= elementBytes(e);
        return e;
    }

    public byte[] removeLast() {
        int s = slot(size - 1);
        byte[] e = ring[s];
        ring[s] = null;
        size--;
        bytes -= elementBytes(e);
        return e;
    }

    public byte[] get(int index) {
        return ring[slot(index)];
    }

    public void set(int index, byte[] element) {
        int s = slot(index);
        bytes += elementBytes(element) - elementBytes(ring[s]);
        ring[s] = element;
    }

    /** Inserts {@code element} so that it is at {@code index} afterwards (0..size). */
    public void insert(int index, byte[] element) {
        grow();
        for (int i = size; i > index; i--) {
            ring[slot(i)] = ring[slot(i - 1)];
        }
        ring[slot(index)] = element;
        size++;
        bytes += elementBytes(element);
    }


    /**
     * Removes the elements equal to {@code element}, at most {@code limit} of them (0: all), from the
     * head ({@code fromTail} false) or the tail; returns how many. One pass whatever the matches,
     * so LREM on a long list of equal elements is O(n), not O(n²).
     */
    public int removeMatching(byte[] element, long limit, boolean fromTail) {
        int removed = 0;
        int kept = 0;
        byte[][] keep = new byte[size][];
        for (int step = 0; step < size; step++) {
            int i = fromTail ? size - 1 - step : step;
            byte[] e = get(i);
            if ((limit == 0 || removed < limit) && java.util.Arrays.equals(e, element)) {
                removed++;
                bytes -= elementBytes(e);
            } else {
                keep[kept++] = e;
            }
        }
        int oldSize = size;
        for (int i = 0; i < oldSize; i++) {
            ring[slot(i)] = null;
        }
        size = kept;
        for (int i = 0; i < kept; i++) {
            ring[slot(i)] = fromTail ? keep[kept - 1 - i] : keep[i];
        }
        return removed;
    }

    /** Elements {@code from}..{@code to} inclusive (already clamped to the list). */
    public List<byte[]> range(int from, int to) {
        List<byte[]> out = new ArrayList<>(Math.max(0, to - from + 1));
        for (int i = from; i <= to; i++) {
            out.add(get(i));
        }
        return out;
    }

    /** Keeps elements {@code from}..{@code to} inclusive (clamped), drops the rest. */
    public void trim(int from, int to) {
        int keepFrom = Math.max(0, from);
        int keepTo = Math.min(size - 1, to);
        if (keepFrom > keepTo) {
            while (size > 0) {
                removeLast();
            }
            return;
        }
        while (size - 1 > keepTo) {
            removeLast();
        }
        for (int i = 0; i < keepFrom; i++) {
            removeFirst();
        }
    }

    static long elementBytes(byte[] element) {
        return ELEMENT_OVERHEAD + ((16L + element.length + 7) & ~7L);
    }
}
