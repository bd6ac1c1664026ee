package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * A set as a table (Redis's hashtable encoding): the members in an array, in no order, and an
 * open-addressing index of their positions, so adding, removing (the last member fills the hole)
 * and picking a member by position are O(1), as SPOP and SRANDMEMBER need. Nothing is allocated
 * per member but the member itself: a {@code HashMap<ByteString, Integer>} made three objects a
 * member, and building a 400,000-member union spent most of its time in the collector (Redis's
 * SUNIONSTORE stalls for less). The hash is seeded ({@link SipHash}), so a client cannot choose
 * members that collide. Keeps its own heap estimate.
 */
final class SetTable {

    /**
     * A member's part of the table beyond its array: its reference and hash (4 + 4), its index slot
     * (4, at most half full so 8) and the arrays' spare room.
     */
    static final long MEMBER_OVERHEAD = 24;
    /** This object and its three arrays, empty. */
    private static final long BASE = 32 + 3 * 16;
    private static final int MIN_INDEX = 8;

    private byte[][] items;
    private int[] hashes;
    private int size;
    /** Position + 1 of a member, 0 for a free slot; a power of two long, at most half full (linear probing). */
    private int[] index;
    private long bytes = BASE;

    SetTable(int capacity) {
        items = new byte[Math.max(capacity, 4)][];
        hashes = new int[items.length];
        index = new int[indexLengthFor(capacity)];
    }

    private SetTable(SetTable from) {
        items = Arrays.copyOf(from.items, from.items.length);
        hashes = from.hashes.clone();
        index = from.index.clone();
        size = from.size;
        bytes = from.bytes;
    }

    /** The same members (their arrays are never changed in place, so they are shared). */
    SetTable copy() {
        return new SetTable(this);
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    byte[] get(int i) {
        return items[i];
    }

    boolean contains(byte[] member) {
        return slotOf(member, SipHash.hash32(member)) >= 0;
    }

    boolean add(byte[] member) {
        int hash = SipHash.hash32(member);
        int slot = slotOf(member, hash);
        if (slot >= 0) {
            return false;
        }
        if ((size + 1) * 2 > index.length) {
            rehash(index.length * 2);
            slot = slotOf(member, hash);
        }
        if (size == items.length) {
            int grown = items.length + (items.length >> 1);
            items = Arrays.copyOf(items, grown);
            hashes = Arrays.copyOf(hashes, grown);
        }
        items[size] = member;
        hashes[size] = hash;
        index[-slot - 1] = ++size;
        bytes += memberBytes(member);
        return true;
    }

    boolean remove(byte[] member) {
        int slot = slotOf(member, SipHash.hash32(member));
        if (slot < 0) {
            return false;
        }
        int at = index[slot] - 1;
        freeSlot(slot);
        int last = size - 1;
        if (at != last) {
            // the last member fills the hole: its index slot now points at the hole
            index[slotHolding(last)] = at + 1;
            items[at] = items[last];
            hashes[at] = hashes[last];
        }
        items[last] = null;
        size = last;
        bytes -= memberBytes(member);
        if (index.length > 64 && size * 8 < index.length) {
            shrink(); // as Redis's dict does below a tenth full: a set emptied by SPOP gives its table back
        }
        return true;
    }

    private void shrink() {
        int capacity = Math.max(size + (size >> 1), 4);
        items = Arrays.copyOf(items, capacity);
        hashes = Arrays.copyOf(hashes, capacity);
        rehash(indexLengthFor(size));
    }

    ArrayList<byte[]> members() {
        return new ArrayList<>(Arrays.asList(items).subList(0, size));
    }

    static long memberBytes(byte[] member) {
        return MEMBER_OVERHEAD + ((16L + member.length + 7) & ~7L);
    }

    /** The slot holding {@code member}, or -(free slot) - 1 where it would go. */
    private int slotOf(byte[] member, int hash) {
        int mask = index.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            int p = index[i];
            if (p == 0) {
                return -i - 1;
            }
            if (hashes[p - 1] == hash && Arrays.equals(items[p - 1], member)) {
                return i;
            }
        }
    }

    private int slotHolding(int position) {
        int mask = index.length - 1;
        for (int i = hashes[position] & mask; ; i = (i + 1) & mask) {
            if (index[i] == position + 1) {
                return i;
            }
        }
    }

    /** Empties a slot, moving back the entries after it that probed past it (no tombstones to accumulate). */
    private void freeSlot(int slot) {
        int mask = index.length - 1;
        int hole = slot;
        index[hole] = 0;
        for (int j = (hole + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = hashes[index[j] - 1] & mask;
            // an entry whose home lies cyclically in (hole, j] still finds its place; any other moves to the hole
            boolean reachable = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!reachable) {
                index[hole] = index[j];
                index[j] = 0;
                hole = j;
            }
        }
    }

    private void rehash(int length) {
        int[] grown = new int[length];
        int mask = length - 1;
        for (int p = 0; p < size; p++) {
            int i = hashes[p] & mask;
            while (grown[i] != 0) {
                i = (i + 1) & mask;
            }
            grown[i] = p + 1;
        }
        index = grown;
    }

    private static int indexLengthFor(int capacity) {
        int wanted = Math.max(MIN_INDEX, capacity * 2);
        return Integer.highestOneBit(wanted - 1) << 1;
    }
}
