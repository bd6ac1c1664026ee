package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A set's members (Redis's {@code OBJ_SET}), kept in insertion order so replies are deterministic.
 * Mutated in place by its shard's commands, which report the change of {@link #bytes()} to the
 * store ({@link ValueStore#resized}).
 */
public final class SetValue {

    static final long MEMBER_OVERHEAD = 48;
    private static final long BASE = 96;

    private final LinkedHashSet<ByteString> members = new LinkedHashSet<>();
    private long bytes = BASE;

    public long bytes() {
        return bytes;
    }

    public int size() {
        return members.size();
    }

    public boolean contains(byte[] member) {
        return members.contains(new ByteString(member));
    }

    /** True when {@code member} was not there. */
    public boolean add(byte[] member) {
        if (members.add(new ByteString(member))) {
            bytes += memberBytes(member);
            return true;
        }
        return false;
    }

    /** True when {@code member} was there. */
    public boolean remove(byte[] member) {
        if (members.remove(new ByteString(member))) {
            bytes -= memberBytes(member);
            return true;
        }
        return false;
    }

    public List<byte[]> members() {
        List<byte[]> out = new ArrayList<>(members.size());
        for (ByteString m : members) {
            out.add(m.bytes());
        }
        return out;
    }

    /** {@code count} distinct random members (all when count ≥ size). */
    public List<byte[]> randomDistinct(int count, SplittableRandom random) {
        List<byte[]> all = members();
        if (count >= all.size()) {
            return all;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.size() - i);
            byte[] t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return new ArrayList<>(all.subList(0, count));
    }

    /** The member at {@code index} in order; O(index). */
    public byte[] at(int index) {
        int i = 0;
        for (ByteString m : members) {
            if (i++ == index) {
                return m.bytes();
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    static long memberBytes(byte[] member) {
        return MEMBER_OVERHEAD + ((16L + member.length + 7) & ~7L);
    }

}
