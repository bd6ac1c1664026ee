package io.percore.demo.kv;

import java.util.Arrays;

/**
 * A small sorted set (Redis's listpack encoding): the members and scores in two parallel arrays in
 * sorted order, nothing per entry beyond the member's own bytes. Finding a member is a scan and an
 * insert shifts the arrays, O(n) as in Redis's listpack, which is why {@link ZSetValue} moves a set
 * to a {@link ZTree} past a small size. Like a listpack, it keeps a zero score as 0, never -0
 * (Redis stores an integral score as an integer).
 */
final class ZListpack implements SortedEntries {

    /** This object, its two array headers and the {@link ZSetValue} around it. */
    static final long BASE = 32 + 16 + 2 * 16;

    private byte[][] members;
    private double[] scores;
    private int size;
    private long memberBytes;

    ZListpack(int capacity) {
        members = new byte[Math.max(1, capacity)][];
        scores = new double[Math.max(1, capacity)];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytes() {
        return BASE + align(4L * members.length) + 8L * scores.length + memberBytes;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    private static long arrayBytes(byte[] member) {
        return (16L + member.length + 7) & ~7L;
    }

    private int indexOf(byte[] member) {
        for (int i = 0; i < size; i++) {
            if (Arrays.equals(members[i], member)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public double score(byte[] member) {
        int i = indexOf(member);
        return i < 0 ? Double.NaN : scores[i];
    }

    /** Where (score, member) goes: after every entry that sorts before it. */
    private int insertionPoint(double score, byte[] member) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (scores[mid] < score || (scores[mid] == score && SortedEntries.compare(members[mid], member) < 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public void insert(byte[] member, double score) {
        if (score == 0) {
            score = 0.0; // -0 is stored as the integer 0 in a listpack
        }
        if (size == members.length) {
            int capacity = size + Math.max(4, size >> 1);
            members = Arrays.copyOf(members, capacity);
            scores = Arrays.copyOf(scores, capacity);
        }
        int at = insertionPoint(score, member);
        System.arraycopy(members, at, members, at + 1, size - at);
        System.arraycopy(scores, at, scores, at + 1, size - at);
        members[at] = member;
        scores[at] = score;
        size++;
        memberBytes += arrayBytes(member);
    }

    @Override
    public boolean remove(byte[] member) {
        int i = indexOf(member);
        if (i < 0) {
            return false;
        }
        memberBytes -= arrayBytes(members[i]);
        removeAt(i, 1);
        return true;
    }

    private void removeAt(int from, int count) {
        System.arraycopy(members, from + count, members, from, size - from - count);
        System.arraycopy(scores, from + count, scores, from, size - from - count);
        Arrays.fill(members, size - count, size, null);
        size -= count;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        int i = indexOf(member);
        byte[] stored = members[i];
        memberBytes -= arrayBytes(stored);
        removeAt(i, 1);
        insert(stored, newScore);
    }

    @Override
    public int rank(byte[] member) {
        return indexOf(member);
    }

    /** A scan from the head, as Redis's listpack range lookups do. */
    @Override
    public int countWhile(Prefix test) {
        int n = 0;
        while (n < size && test.holds(members[n], scores[n])) {
            n++;
        }
        return n;
    }

    @Override
    public void visit(int from, int to, boolean reverse, ZSetValue.Visitor visitor) {
        if (reverse) {
            for (int i = to; i >= from; i--) {
                visitor.visit(members[i], scores[i]);
            }
        } else {
            for (int i = from; i <= to; i++) {
                visitor.visit(members[i], scores[i]);
            }
        }
    }

    @Override
    public void removeRange(int from, int to) {
        for (int i = from; i <= to; i++) {
            memberBytes -= arrayBytes(members[i]);
        }
        removeAt(from, to - from + 1);
    }
}
