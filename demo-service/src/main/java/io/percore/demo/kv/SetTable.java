package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.HashMap;

/**
 * A set as a table (Redis's hashtable encoding): an array of members and a member → position map, so
 * adding, removing (the last member fills the hole) and picking a member by position are O(1), as
 * SPOP and SRANDMEMBER need. Members have no order. Keeps its own heap estimate.
 */
final class SetTable {

    static final long MEMBER_OVERHEAD = 56;
    /** This object, its list and map with their arrays, empty. */
    private static final long BASE = 24 + 96;

    private final ArrayList<byte[]> items;
    private final HashMap<ByteString, Integer> positions = new HashMap<>();
    private long bytes = BASE;

    SetTable(int capacity) {
        items = new ArrayList<>(capacity);
    }

    /** The same members (their arrays are never changed in place, so they are shared). */
    SetTable copy() {
        SetTable copy = new SetTable(items.size());
        copy.items.addAll(items);
        copy.positions.putAll(positions);
        copy.bytes = bytes;
        return copy;
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return items.size();
    }

    byte[] get(int i) {
        return items.get(i);
    }

    boolean contains(byte[] member) {
        return positions.containsKey(new ByteString(member));
    }

    boolean add(byte[] member) {
        if (positions.putIfAbsent(new ByteString(member), items.size()) != null) {
            return false;
        }
        items.add(member);
        bytes += memberBytes(member);
        return true;
    }

    boolean remove(byte[] member) {
        Integer at = positions.remove(new ByteString(member));
        if (at == null) {
            return false;
        }
        byte[] last = items.remove(items.size() - 1);
        if (at < items.size()) {
            items.set(at, last);
            positions.put(new ByteString(last), at);
        }
        bytes -= memberBytes(member);
        return true;
    }

    ArrayList<byte[]> members() {
        return new ArrayList<>(items);
    }

    static long memberBytes(byte[] member) {
        return MEMBER_OVERHEAD + ((16L + member.length + 7) & ~7L);
    }
}
