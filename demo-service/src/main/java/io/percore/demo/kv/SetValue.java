package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A set's members (Redis's {@code OBJ_SET}): an array of members and a member → position map, so
 * adding, removing (the last member fills the hole) and picking a random member are O(1), as SPOP
 * and SRANDMEMBER need. Members have no order. Mutated in place by its shard's commands, which
 * report the change of {@link #bytes()} to the store ({@link ValueStore#resized}).
 */
public final class SetValue implements MutableValue {

    static final long MEMBER_OVERHEAD = 56;
    private static final long BASE = 96;

    private final ArrayList<byte[]> items = new ArrayList<>();
    private final HashMap<ByteString, Integer> positions = new HashMap<>();
    private long bytes = BASE;

    @Override
    public long bytes() {
        return bytes;
    }

    /** The same members (their arrays are never changed in place, so they are shared). */
    @Override
    public SetValue copy() {
        SetValue copy = new SetValue();
        copy.items.addAll(items);
        copy.positions.putAll(positions);
        copy.bytes = bytes;
        return copy;
    }

    /** A hash table of members: never Redis's intset (members are kept as strings whatever they hold). */
    @Override
    public String encoding() {
        return "hashtable";
    }

    public int size() {
        return items.size();
    }

    public boolean contains(byte[] member) {
        return positions.containsKey(new ByteString(member));
    }

    /** True when {@code member} was not there. */
    public boolean add(byte[] member) {
        if (positions.putIfAbsent(new ByteString(member), items.size()) != null) {
            return false;
        }
        items.add(member);
        bytes += memberBytes(member);
        return true;
    }

    /** True when {@code member} was there. */
    public boolean remove(byte[] member) {
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

    public List<byte[]> members() {
        return new ArrayList<>(items);
    }

    /** A random member; O(1). */
    public byte[] random(SplittableRandom random) {
        return items.get(random.nextInt(items.size()));
    }

    /** {@code count} distinct random members (all when count ≥ size): O(count) for few, one shuffle for many. */
    public List<byte[]> randomDistinct(int count, SplittableRandom random) {
        int n = items.size();
        if (count >= n) {
            return members();
        }
        if ((long) count * 3 < n) {
            Set<Integer> picked = new HashSet<>();
            List<byte[]> out = new ArrayList<>(count);
            while (out.size() < count) {
                int i = random.nextInt(n);
                if (picked.add(i)) {
                    out.add(items.get(i));
                }
            }
            return out;
        }
        List<byte[]> all = members();
        for (int i = 0; i < count; i++) { // partial Fisher-Yates
            int j = i + random.nextInt(n - i);
            byte[] t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return new ArrayList<>(all.subList(0, count));
    }

    static long memberBytes(byte[] member) {
        return MEMBER_OVERHEAD + ((16L + member.length + 7) & ~7L);
    }
}
