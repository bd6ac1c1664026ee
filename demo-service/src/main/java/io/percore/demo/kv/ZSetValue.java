package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sorted set (Redis's {@code OBJ_ZSET}): members with a double score each, ordered by score and
 * then by member bytes. A small set is a {@link ZListpack} (two sorted arrays, Redis's listpack
 * encoding); past {@code zset-max-listpack-entries} members or with a member longer than
 * {@code zset-max-listpack-value} bytes it becomes a {@link ZTree} (what Redis calls the skiplist
 * encoding, here a B+ tree that counts the entries under each child, plus a member → score map:
 * O(log n) updates, ranks and rank lookups, O(1) scores), and stays one, as in Redis.
 * Mutated in place by its shard's commands, which report the change of {@link #bytes()} to the
 * store ({@link ValueStore#resized}).
 *
 * <p>Ranks are 0-based, in ascending order. Methods that take ranks expect them within the set:
 * clamping a client's indexes is the command's business.
 */
public final class ZSetValue implements MutableValue {

    /** A member and its score. */
    public record Entry(byte[] member, double score) {
    }

    /** Given each entry of a walk, in order. */
    @FunctionalInterface
    public interface Visitor {
        void visit(byte[] member, double score);
    }

    /** A score interval, each end inclusive or exclusive (ZRANGEBYSCORE's {@code (1.5}). */
    public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {
    }

    /**
     * A member interval (ZRANGEBYLEX's {@code [a}, {@code (a}, {@code -}, {@code +}); {@link #MIN} and
     * {@link #MAX}, compared by identity, are below and above every member.
     */
    public record LexRange(byte[] min, boolean minExclusive, byte[] max, boolean maxExclusive) {
        public static final byte[] MIN = new byte[0];
        public static final byte[] MAX = new byte[0];

        static int compare(byte[] value, byte[] bound) {
            if (bound == MIN) {
                return 1;
            }
            if (bound == MAX) {
                return -1;
            }
            return SortedEntries.compare(value, bound);
        }

        boolean aboveMin(byte[] member) {
            int c = compare(member, min);
            return minExclusive ? c > 0 : c >= 0;
        }

        boolean belowMax(byte[] member) {
            int c = compare(member, max);
            return maxExclusive ? c < 0 : c <= 0;
        }
    }

    /**
     * Redis's {@code zset-max-listpack-entries} and {@code zset-max-listpack-value}: the most members,
     * and the longest member in bytes, a set may have and stay compact.
     */
    public record Limits(long maxEntries, long maxValue) {
        public static final Limits DEFAULT = new Limits(128, 64);

        /**
         * Past this many members a set is a tree (skiplist encoding) whatever the configuration says: a compact
         * set's lookups and inserts are linear, so a huge {@code zset-max-listpack-entries} would
         * make every command on a large set linear (in Redis too: its listpacks stop at 1 GB).
         */
        public static final int HARD_MAX_ENTRIES = 1024;
        /** Likewise past this many bytes of listpack: each change of a compact set copies it. */
        public static final int HARD_MAX_BYTES = 64 * 1024;

        boolean compactFor(long entries, long longestMember, long listpackBytes) {
            return entries <= Math.min(maxEntries, HARD_MAX_ENTRIES) && longestMember <= maxValue && listpackBytes <= HARD_MAX_BYTES;
        }
    }

    /** The most bytes an entry of {@code member} takes in a listpack: a length of up to 5 bytes, the member, the score. */
    private static long entryBytes(byte[] member) {
        return 5L + member.length + 8;
    }

    private SortedEntries entries;

    private ZSetValue(SortedEntries entries) {
        this.entries = entries;
    }

    /**
     * An empty set that {@code firstMember} is about to join (ZADD, ZINCRBY): compact unless the
     * limits allow no compact set or that member is too long, as Redis decides on a new key.
     */
    public static ZSetValue create(Limits limits, byte[] firstMember) {
        boolean compact = limits.maxEntries() > 0 && limits.compactFor(1, firstMember.length, entryBytes(firstMember));
        return new ZSetValue(compact ? new ZListpack() : new ZTree());
    }

    /**
     * A set of {@code ascending} (distinct members, in order), compact when it fits the limits, as
     * Redis stores the result of ZUNIONSTORE and its relatives.
     */
    public static ZSetValue of(List<Entry> ascending, Limits limits) {
        long longest = 0;
        long total = 0;
        for (Entry e : ascending) {
            longest = Math.max(longest, e.member().length);
            total += entryBytes(e.member());
        }
        ZSetValue z = new ZSetValue(limits.compactFor(ascending.size(), longest, total) ? new ZListpack() : new ZTree());
        for (Entry e : ascending) {
            z.entries.insert(e.member(), e.score());
        }
        return z;
    }

    /** A compact set of the entries in {@code listpack} ({@link ZListpack}'s layout), which it owns from now on. */
    static ZSetValue ofListpack(byte[] listpack) {
        return new ZSetValue(new ZListpack(listpack));
    }

    /** The listpack while the set is compact (its bytes, not a copy: read them, do not change them), else null. */
    byte[] listpackOrNull() {
        return entries instanceof ZListpack lp ? lp.listpack() : null;
    }

    /** Heap estimate of the sorted set, members included. */
    @Override
    public long bytes() {
        return entries.bytes();
    }

    /**
     * The same entries in the same representation (as Redis's {@code zsetDup}): member arrays are
     * never changed in place, so they are shared.
     */
    @Override
    public ZSetValue copy() {
        int n = entries.size();
        SortedEntries fresh = entries instanceof ZListpack ? new ZListpack() : new ZTree();
        if (n > 0) {
            entries.visit(0, n - 1, false, fresh::insert);
        }
        return new ZSetValue(fresh);
    }

    public int size() {
        return entries.size();
    }

    /** The member's score, or NaN when it is not a member (a stored score is never NaN). */
    public double score(byte[] member) {
        return entries.score(member);
    }

    /** Adds a member that is not there yet; a compact set that would outgrow {@code limits} becomes a tree first. */
    public void insert(byte[] member, double score, Limits limits) {
        if (entries instanceof ZListpack lp && !limits.compactFor(lp.size() + 1L, member.length, lp.payload() + entryBytes(member))) {
            ZTree list = new ZTree();
            entries.visit(0, entries.size() - 1, false, list::insert);
            entries = list;
        }
        entries.insert(member, score);
    }

    /** Changes the score of a member whose current score is {@code oldScore}. */
    public void update(byte[] member, double oldScore, double newScore) {
        if (newScore != oldScore) {
            entries.update(member, oldScore, newScore);
        }
    }

    /** Removes {@code member}; false when it was not there. */
    public boolean remove(byte[] member) {
        return entries.remove(member);
    }

    /** The member's rank, ascending or (reverse) descending; -1 when it is not a member. */
    public int rank(byte[] member, boolean reverse) {
        int r = entries.rank(member);
        return r < 0 || !reverse ? r : entries.size() - 1 - r;
    }

    /** The first rank in {@code range} (the size when none is): how many entries lie below it. */
    public int firstRank(ScoreRange range) {
        double min = range.min();
        return range.minExclusive() ? entries.countWhile((m, s) -> s <= min) : entries.countWhile((m, s) -> s < min);
    }

    /** The last rank in {@code range} (below {@link #firstRank} when none is). */
    public int lastRank(ScoreRange range) {
        double max = range.max();
        return (range.maxExclusive() ? entries.countWhile((m, s) -> s < max) : entries.countWhile((m, s) -> s <= max)) - 1;
    }

    /**
     * The first rank in {@code range} by member. Meaningful when all scores are equal, as Redis
     * documents for the BYLEX commands; otherwise the result is unspecified (in Redis too).
     */
    public int firstRank(LexRange range) {
        return entries.countWhile((m, s) -> !range.aboveMin(m));
    }

    /** The last rank in {@code range} by member (below {@link #firstRank(LexRange)} when none is). */
    public int lastRank(LexRange range) {
        return entries.countWhile((m, s) -> range.belowMax(m)) - 1;
    }

    /** The entries at ranks {@code from..to} (within the set), ascending, or descending from {@code to} when {@code reverse}. */
    public List<Entry> range(int from, int to, boolean reverse) {
        List<Entry> out = new ArrayList<>(Math.max(0, to - from + 1));
        entries.visit(from, to, reverse, (m, s) -> out.add(new Entry(m, s)));
        return out;
    }

    /** Visits ranks {@code from..to} (within the set) in ascending order, without a list of them (GEOSEARCH's boxes). */
    public void visit(int from, int to, Visitor visitor) {
        if (from <= to) {
            entries.visit(from, to, false, visitor);
        }
    }

    /** Visits every entry in ascending order. */
    public void forEach(Visitor visitor) {
        entries.visit(0, entries.size() - 1, false, visitor);
    }

    /** The entry at {@code rank} (within the set): O(log n). */
    public Entry at(int rank) {
        Entry[] found = new Entry[1];
        entries.visit(rank, rank, false, (m, s) -> found[0] = new Entry(m, s));
        return found[0];
    }

    /** Removes ranks {@code from..to} (within the set, or none when {@code from > to}); returns how many. */
    public int removeRange(int from, int to) {
        if (from > to) {
            return 0;
        }
        entries.removeRange(from, to);
        return to - from + 1;
    }

    /**
     * Removes and returns up to {@code count} entries with the lowest scores (ascending) or, with
     * {@code max}, the highest (descending): ZPOPMIN, ZPOPMAX, ZMPOP and the blocking pops.
     */
    public List<Entry> pop(long count, boolean max) {
        int n = (int) Math.min(count, entries.size());
        if (n <= 0) {
            return new ArrayList<>();
        }
        int size = entries.size();
        List<Entry> out = max ? range(size - n, size - 1, true) : range(0, n - 1, false);
        if (max) {
            entries.removeRange(size - n, size - 1);
        } else {
            entries.removeRange(0, n - 1);
        }
        return out;
    }

    /** A uniformly random entry: O(log n). */
    public Entry random(SplittableRandom random) {
        return at(random.nextInt(entries.size()));
    }

    /**
     * {@code count} distinct random entries (all, in descending order as Redis walks them, when
     * count ≥ size): random ranks for a few, one pass and a partial shuffle when the count is a
     * large part of the set.
     */
    public List<Entry> randomDistinct(int count, SplittableRandom random) {
        int n = entries.size();
        if (count >= n) {
            return range(0, n - 1, true);
        }
        if ((long) count * 3 < n) {
            java.util.Set<Integer> picked = new java.util.HashSet<>();
            List<Entry> out = new ArrayList<>(count);
            while (out.size() < count) {
                int r = random.nextInt(n);
                if (picked.add(r)) {
                    out.add(at(r));
                }
            }
            return out;
        }
        List<Entry> all = range(0, n - 1, false);
        for (int i = 0; i < count; i++) { // partial Fisher-Yates
            int j = i + random.nextInt(n - i);
            Entry t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return new ArrayList<>(all.subList(0, count));
    }

    /** Redis's OBJECT ENCODING name of the current representation: {@code listpack} or {@code skiplist}. */
    @Override
    public String encoding() {
        return entries instanceof ZListpack ? "listpack" : "skiplist";
    }
}
