package io.percore.engine.topology;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * An immutable, sorted set of CPU ids, read and written in the Linux CPU list form used by
 * {@code /sys}, {@code /proc} and cgroups ({@code 0-3,8,10-11}).
 */
public final class CpuSet {

    /**
     * Largest CPU id accepted. Linux kernels are built with at most 8192 CPUs (NR_CPUS); the
     * margin keeps real lists working while a typo such as {@code 0-4000000000} fails fast
     * instead of allocating a huge set.
     */
    public static final int MAX_CPU_ID = 65_535;

    private static final CpuSet EMPTY = new CpuSet(new int[0]);

    private final int[] ids;

    private CpuSet(int[] sortedDistinctIds) {
        this.ids = sortedDistinctIds;
    }

    /** The empty set. */
    public static CpuSet empty() {
        return EMPTY;
    }

    /**
     * Parses a Linux CPU list such as {@code 0-3,8,10-11}. Whitespace and newlines around
     * numbers are ignored, so the raw content of a sysfs file can be passed; an empty or
     * blank string is the empty set (an unset {@code cpuset.cpus} file is empty).
     *
     * @throws IllegalArgumentException naming the bad text when the list is malformed
     */
    public static CpuSet parse(String linuxCpuList) {
        if (linuxCpuList == null) {
            throw new IllegalArgumentException("CPU list is null");
        }
        String text = linuxCpuList.strip();
        if (text.isEmpty()) {
            return EMPTY;
        }
        BitSet bits = new BitSet();
        for (String rawPart : text.split(",", -1)) {
            String part = rawPart.strip();
            if (part.isEmpty()) {
                throw bad(linuxCpuList, "empty entry between commas");
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                int cpu = parseId(linuxCpuList, part);
                bits.set(cpu);
            } else {
                int from = parseId(linuxCpuList, part.substring(0, dash).strip());
                int to = parseId(linuxCpuList, part.substring(dash + 1).strip());
                if (to < from) {
                    throw bad(linuxCpuList, "range '" + part + "' ends before it starts");
                }
                bits.set(from, to + 1);
            }
        }
        return fromBitSet(bits);
    }

    private static int parseId(String list, String token) {
        if (token.isEmpty()) {
            throw bad(list, "missing CPU number");
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                throw bad(list, "'" + token + "' is not a CPU number");
            }
        }
        if (token.length() > 6 || Integer.parseInt(token) > MAX_CPU_ID) {
            throw bad(list, "CPU " + token + " is above the maximum CPU id " + MAX_CPU_ID);
        }
        return Integer.parseInt(token);
    }

    private static IllegalArgumentException bad(String list, String why) {
        return new IllegalArgumentException(
                "invalid CPU list '" + list.strip() + "': " + why + " (expected a Linux CPU list such as 0-3,8,10-11)");
    }

    /** A set of the given CPU ids (duplicates are ignored). */
    public static CpuSet of(int... cpus) {
        if (cpus.length == 0) {
            return EMPTY;
        }
        int[] copy = cpus.clone();
        for (int cpu : copy) {
            checkId(cpu);
        }
        return new CpuSet(IntStream.of(copy).sorted().distinct().toArray());
    }

    /** The CPUs whose bits are set. */
    public static CpuSet fromBitSet(BitSet bits) {
        if (bits.length() > MAX_CPU_ID + 1) {
            throw new IllegalArgumentException("CPU " + (bits.length() - 1) + " is above the maximum CPU id " + MAX_CPU_ID);
        }
        return bits.isEmpty() ? EMPTY : new CpuSet(bits.stream().toArray());
    }

    private static void checkId(int cpu) {
        if (cpu < 0 || cpu > MAX_CPU_ID) {
            throw new IllegalArgumentException("CPU id " + cpu + " is outside 0.." + MAX_CPU_ID);
        }
    }

    public boolean contains(int cpu) {
        return Arrays.binarySearch(ids, cpu) >= 0;
    }

    /** True when every CPU of {@code other} is in this set. */
    public boolean containsAll(CpuSet other) {
        return other.minus(this).isEmpty();
    }

    public int size() {
        return ids.length;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** Lowest CPU id; the set must not be empty. */
    public int first() {
        if (ids.length == 0) {
            throw new IllegalStateException("empty CPU set has no first CPU");
        }
        return ids[0];
    }

    /** CPU ids in ascending order. */
    public IntStream stream() {
        return IntStream.of(ids);
    }

    /** CPU ids in ascending order (a copy). */
    public int[] toArray() {
        return ids.clone();
    }

    public CpuSet intersect(CpuSet other) {
        return fromBitSet(and(toBitSet(), other.toBitSet()));
    }

    public CpuSet minus(CpuSet other) {
        BitSet bits = toBitSet();
        bits.andNot(other.toBitSet());
        return fromBitSet(bits);
    }

    public CpuSet union(CpuSet other) {
        BitSet bits = toBitSet();
        bits.or(other.toBitSet());
        return fromBitSet(bits);
    }

    private static BitSet and(BitSet a, BitSet b) {
        a.and(b);
        return a;
    }

    /** A new mutable bit set with one bit per CPU, the form OpenHFT Affinity takes. */
    public BitSet toBitSet() {
        BitSet bits = new BitSet(ids.length == 0 ? 0 : ids[ids.length - 1] + 1);
        for (int id : ids) {
            bits.set(id);
        }
        return bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    /** Compact Linux list form, e.g. {@code 0-3,8}; the empty set is the empty string. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < ids.length) {
            int j = i;
            while (j + 1 < ids.length && ids[j + 1] == ids[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(ids[i]);
            if (j > i) {
                out.append('-').append(ids[j]);
            }
            i = j + 1;
        }
        return out.toString();
    }
}
