package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A set's members (Redis's {@code OBJ_SET}). Two representations, as Redis 7.0's two encodings: a
 * set of integers is an {@link IntSet} (sorted, 2, 4 or 8 bytes a member; SMEMBERS lists it
 * ascending, as Redis does) until it gets a member that is not an integer or more than
 * {@code set-max-intset-entries} members, then for good a table: an array of members and a
 * member → position map, so adding, removing (the last member fills the hole) and picking a random
 * member are O(1), as SPOP and SRANDMEMBER need; a table has no order. Mutated in place by its
 * shard's commands, which report the change of {@link #bytes()} to the store
 * ({@link ValueStore#resized}).
 */
public final class SetValue implements MutableValue {

    /** Redis's {@code set-max-intset-entries}: the most members a set of integers may have and stay an intset. */
    public record Limits(long maxIntsetEntries) {
        public static final Limits DEFAULT = new Limits(512);

        /**
         * Past this many members a set is a table whatever the configuration says: an intset's adds
         * and removes copy it, so a huge {@code set-max-intset-entries} would make them linear in
         * the set's size (64 KB at 8 bytes a member).
         */
        public static final int HARD_MAX_ENTRIES = 8192;

        boolean intsetFor(long entries) {
            return entries <= Math.min(maxIntsetEntries, HARD_MAX_ENTRIES);
        }
    }

    /** This object: a header and one reference. */
    private static final long BASE = 16;

    /** The intset's array while the set is one ({@link IntSet}: its type is its width), else the {@link SetTable}. */
    private Object form = IntSet.EMPTY;

    private boolean intset() {
        return !(form instanceof SetTable);
    }

    private SetTable table() {
        return (SetTable) form;
    }

    /** A set of the integers in {@code intset} ({@link IntSet}'s layout: sorted, exact size), which it owns from now on. */
    static SetValue ofIntset(Object intset) {
        SetValue s = new SetValue();
        s.form = intset;
        return s;
    }

    /** The intset's array while the set is one (not a copy: read it, do not change it), else null. */
    Object intsetOrNull() {
        return intset() ? form : null;
    }

    @Override
    public long bytes() {
        return BASE + (intset() ? (16L + (long) IntSet.size(form) * IntSet.width(form) + 7) & ~7L : table().bytes());
    }

    /** Redis's OBJECT ENCODING name of the current representation: {@code intset} or {@code hashtable}. */
    @Override
    public String encoding() {
        return intset() ? "intset" : "hashtable";
    }

    /** The width of each member while the set is an intset (2, 4 or 8 bytes, Redis's {@code encoding}), else 0. */
    public int intsetWidth() {
        return intset() ? IntSet.width(form) : 0;
    }

    /** The same members (their arrays are never changed in place, so they are shared). */
    @Override
    public SetValue copy() {
        SetValue copy = new SetValue();
        copy.form = form instanceof SetTable t ? t.copy() : IntSet.copy(form);
        return copy;
    }

    public int size() {
        return intset() ? IntSet.size(form) : table().size();
    }

    public boolean contains(byte[] member) {
        if (intset()) {
            return IntSet.isInteger(member) && IntSet.indexOf(form, IntSet.parse(member)) >= 0;
        }
        return table().contains(member);
    }

    /**
     * True when {@code member} was not there. An intset that a non-integer member would join, or that
     * would outgrow {@code limits}, becomes a table (Redis's setTypeAdd).
     */
    public boolean add(byte[] member, Limits limits) {
        if (intset()) {
            if (IntSet.isInteger(member)) {
                long v = IntSet.parse(member);
                int at = IntSet.indexOf(form, v);
                if (at >= 0) {
                    return false;
                }
                form = IntSet.insert(form, -at - 1, v);
                if (!limits.intsetFor(size())) {
                    toTable();
                }
                return true;
            }
            toTable();
        }
        return table().add(member);
    }

    /** True when {@code member} was there. */
    public boolean remove(byte[] member) {
        if (intset()) {
            if (!IntSet.isInteger(member)) {
                return false;
            }
            int at = IntSet.indexOf(form, IntSet.parse(member));
            if (at < 0) {
                return false;
            }
            form = IntSet.removeAt(form, at);
            return true;
        }
        return table().remove(member);
    }

    /** Redis's setTypeConvert: the same members, in a table from now on. */
    private void toTable() {
        int n = size();
        SetTable t = new SetTable(n);
        for (int i = 0; i < n; i++) {
            t.add(IntSet.format(IntSet.get(form, i)));
        }
        form = t;
    }

    private byte[] member(int i) {
        return intset() ? IntSet.format(IntSet.get(form, i)) : table().get(i);
    }

    /** The members: ascending for an intset, in no order for a table. */
    public List<byte[]> members() {
        if (!intset()) {
            return table().members();
        }
        int n = size();
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(member(i));
        }
        return out;
    }

    /** A random member; O(1). */
    public byte[] random(SplittableRandom random) {
        return member(random.nextInt(size()));
    }

    /** {@code count} distinct random members (all when count ≥ size): O(count) for few, one shuffle for many. */
    public List<byte[]> randomDistinct(int count, SplittableRandom random) {
        int n = size();
        if (count >= n) {
            return members();
        }
        if ((long) count * 3 < n) {
            Set<Integer> picked = new HashSet<>();
            List<byte[]> out = new ArrayList<>(count);
            while (out.size() < count) {
                int i = random.nextInt(n);
                if (picked.add(i)) {
                    out.add(member(i));
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
}
