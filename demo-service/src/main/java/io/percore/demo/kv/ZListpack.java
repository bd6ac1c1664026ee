package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A small sorted set (Redis's listpack encoding): every entry in one byte array in sorted order, each
 * its member's length (as {@link HashListpack} writes lengths, times two, plus one when the score is wide),
 * the member's bytes and the score: 4 bytes (a {@code float}) when the score is one exactly, as most
 * scores people give are (integers to 2^24, halves, quarters), else 8 (Redis's listpack likewise stores
 * "1.5" in a few bytes, not a double's 8). Nothing per entry beyond that, where an array per member and two parallel arrays with spare
 * capacity cost about 30 bytes more each. Finding a member, an insert and a rank are scans, and a
 * change copies the array, O(n) as in Redis's listpack, which is why {@link ZSetValue} moves a set to
 * a {@link ZTree} past a small size. Members given to visitors are copies. Like a listpack, it keeps
 * a zero score as 0, never -0 (Redis stores an integral score as an integer).
 */
final class ZListpack implements SortedEntries {

    /**
     * The {@link ZSetValue} and this object (a header and one reference: the entries are counted by a scan, at most
     * {@link ZSetValue.Limits#HARD_MAX_ENTRIES} of them, rather than in a field that would make it 24 bytes).
     */
    static final long BASE = 16 + 16;

    private static final byte[] EMPTY = new byte[0];
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] lp;

    ZListpack() {
        this(EMPTY);
    }

    /** The entries of {@code lp}, in this class's layout, which this object owns from now on. */
    ZListpack(byte[] lp) {
        this.lp = lp;
    }

    /** The listpack itself (not a copy). */
    byte[] listpack() {
        return lp;
    }

    @Override
    public int size() {
        int n = 0;
        for (int at = 0; at < lp.length; at = next(at)) {
            n++;
        }
        return n;
    }

    /** The listpack's own bytes. */
    long payload() {
        return lp.length;
    }

    @Override
    public long bytes() {
        return BASE + ((16L + lp.length + 7) & ~7L);
    }

    private int memberAt(int at) {
        return HashListpack.data(lp, at);
    }

    private int memberLength(int at) {
        return HashListpack.length(lp, at) >>> 1;
    }

    /** 8 when the score at {@code at} is a {@code double}, 4 when a {@code float}. */
    private int scoreWidth(int at) {
        return (HashListpack.length(lp, at) & 1) != 0 ? 8 : 4;
    }

    private double scoreAt(int at) {
        int score = memberAt(at) + memberLength(at);
        return scoreWidth(at) == 8 ? (double) DOUBLES.get(lp, score) : (float) FLOATS.get(lp, score);
    }

    private int next(int at) {
        return memberAt(at) + memberLength(at) + scoreWidth(at);
    }

    /** Whether {@code score} takes 8 bytes, not being a {@code float} exactly. */
    private static boolean wide(double score) {
        return (double) (float) score != score;
    }

    private byte[] member(int at) {
        int from = memberAt(at);
        return Arrays.copyOfRange(lp, from, from + memberLength(at));
    }

    private boolean isMember(int at, byte[] member) {
        int from = memberAt(at);
        int n = memberLength(at);
        return n == member.length && Arrays.equals(lp, from, from + n, member, 0, n);
    }

    /** Where the entry of {@code member} starts, or -1. */
    private int find(byte[] member) {
        for (int at = 0; at < lp.length; at = next(at)) {
            if (isMember(at, member)) {
                return at;
            }
        }
        return -1;
    }

    /** Where the entry at 0-based {@code index} starts ({@code lp.length} for {@code size}). */
    private int offsetOf(int index) {
        int at = 0;
        for (int i = 0; i < index; i++) {
            at = next(at);
        }
        return at;
    }

    @Override
    public double score(byte[] member) {
        int at = find(member);
        return at < 0 ? Double.NaN : scoreAt(at);
    }

    @Override
    public void insert(byte[] member, double score) {
        if (score == 0) {
            score = 0.0; // -0 is stored as the integer 0 in a listpack
        }
        // after every entry that sorts before (score, member)
        int at = 0;
        while (at < lp.length) {
            double s = scoreAt(at);
            int from = memberAt(at);
            if (s < score || (s == score
                    && Arrays.compareUnsigned(lp, from, from + memberLength(at), member, 0, member.length) < 0)) {
                at = next(at);
            } else {
                break;
            }
        }
        boolean wide = wide(score);
        int length = member.length << 1 | (wide ? 1 : 0);
        int entry = HashListpack.lengthBytes(length) + member.length + (wide ? 8 : 4);
        byte[] out = new byte[lp.length + entry];
        System.arraycopy(lp, 0, out, 0, at);
        System.arraycopy(lp, at, out, at + entry, lp.length - at);
        int data = HashListpack.writeLength(out, at, length);
        System.arraycopy(member, 0, out, data, member.length);
        if (wide) {
            DOUBLES.set(out, data + member.length, score);
        } else {
            FLOATS.set(out, data + member.length, (float) score);
        }
        lp = out;
    }

    /** Cuts the bytes {@code from..to} (entry boundaries). */
    private void cut(int from, int to) {
        if (to - from == lp.length) {
            lp = EMPTY;
        } else {
            byte[] out = new byte[lp.length - (to - from)];
            System.arraycopy(lp, 0, out, 0, from);
            System.arraycopy(lp, to, out, from, lp.length - to);
            lp = out;
        }
    }

    @Override
    public boolean remove(byte[] member) {
        int at = find(member);
        if (at < 0) {
            return false;
        }
        cut(at, next(at));
        return true;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        int at = find(member);
        cut(at, next(at));
        insert(member, newScore);
    }

    @Override
    public int rank(byte[] member) {
        int i = 0;
        for (int at = 0; at < lp.length; at = next(at), i++) {
            if (isMember(at, member)) {
                return i;
            }
        }
        return -1;
    }

    /** A scan from the head, as Redis's listpack range lookups do. */
    @Override
    public int countWhile(Prefix test) {
        int n = 0;
        for (int at = 0; at < lp.length && test.holds(member(at), scoreAt(at)); at = next(at)) {
            n++;
        }
        return n;
    }

    @Override
    public void visit(int from, int to, boolean reverse, ZSetValue.Visitor visitor) {
        if (from > to) {
            return;
        }
        int[] offsets = new int[to - from + 1];
        int at = offsetOf(from);
        for (int i = 0; i < offsets.length; i++, at = next(at)) {
            offsets[i] = at;
        }
        if (reverse) {
            for (int i = offsets.length - 1; i >= 0; i--) {
                visitor.visit(member(offsets[i]), scoreAt(offsets[i]));
            }
        } else {
            for (int offset : offsets) {
                visitor.visit(member(offset), scoreAt(offset));
            }
        }
    }

    @Override
    public void removeRange(int from, int to) {
        int start = offsetOf(from);
        int end = start;
        for (int i = from; i <= to; i++) {
            end = next(end);
        }
        cut(start, end);
    }
}
