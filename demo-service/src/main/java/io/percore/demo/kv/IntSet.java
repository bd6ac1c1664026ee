package io.percore.demo.kv;

/**
 * The layout of a small set of integers (Redis's intset): the values sorted ascending in one array of
 * {@code short}, {@code int} or {@code long}, the narrowest that holds them all (a wider value widens
 * every one, as Redis's intsetUpgradeAndAdd; nothing narrows back). The array's own type says the
 * width, so the set's object needs no field for it beside its one reference (16 bytes, not 24). Nothing
 * per member beyond its bytes, where a table costs an array, a node and a wrapper per member (about 90
 * bytes). A lookup is a binary search; an add or a remove copies the array, O(n) as in Redis, which is
 * why {@link SetValue} keeps only small sets this way. Arrays are exact-size and never shared.
 */
final class IntSet {

    /** An empty intset, of Redis's narrowest encoding (INTSET_ENC_INT16). */
    static final short[] EMPTY = new short[0];

    private IntSet() {
    }

    /** Bytes per value: 2, 4 or 8. */
    static int width(Object d) {
        return d instanceof short[] ? 2 : d instanceof int[] ? 4 : 8;
    }

    static int size(Object d) {
        return d instanceof short[] s ? s.length : d instanceof int[] i ? i.length : ((long[]) d).length;
    }

    static long get(Object d, int i) {
        return d instanceof short[] s ? s[i] : d instanceof int[] n ? n[i] : ((long[]) d)[i];
    }

    /** A copy of {@code d}, as wide. */
    static Object copy(Object d) {
        return d instanceof short[] s ? s.clone() : d instanceof int[] i ? (Object) i.clone() : ((long[]) d).clone();
    }

    private static Object allocate(int width, int n) {
        return width == 2 ? new short[n] : width == 4 ? (Object) new int[n] : new long[n];
    }

    private static void set(Object d, int i, long v) {
        if (d instanceof short[] s) {
            s[i] = (short) v;
        } else if (d instanceof int[] n) {
            n[i] = (int) v;
        } else {
            ((long[]) d)[i] = v;
        }
    }

    /** The narrowest width that holds {@code v}. */
    static int widthFor(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            return 2;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 4 : 8;
    }

    /** The value's position in {@code d}, or {@code -(insertion point) - 1}. */
    static int indexOf(Object d, long v) {
        int n = size(d);
        if (widthFor(v) > width(d)) {
            return v < 0 ? -1 : -n - 1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = get(d, mid);
            if (m < v) {
                lo = mid + 1;
            } else if (m > v) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    /**
     * {@code d} with {@code v} inserted at the insertion point {@code at} that {@link #indexOf} gave, in an array as
     * wide as {@code v} needs if that is wider (which re-encodes every value).
     */
    static Object insert(Object d, int at, long v) {
        int n = size(d);
        int width = width(d);
        int newWidth = Math.max(width, widthFor(v));
        Object out = allocate(newWidth, n + 1);
        if (newWidth == width) {
            System.arraycopy(d, 0, out, 0, at);
            System.arraycopy(d, at, out, at + 1, n - at);
        } else {
            for (int i = 0; i < n; i++) {
                set(out, i < at ? i : i + 1, get(d, i));
            }
        }
        set(out, at, v);
        return out;
    }

    /** {@code d} without the value at position {@code at}, as wide as it was. */
    static Object removeAt(Object d, int at) {
        int n = size(d);
        Object out = allocate(width(d), n - 1);
        System.arraycopy(d, 0, out, 0, at);
        System.arraycopy(d, at + 1, out, at, n - at - 1);
        return out;
    }

    /**
     * True when the member is an integer as Redis's string2ll reads one (optional '-', no leading
     * zero, no '+', no blank, within a long; "0" but not "-0"): what decides whether a member can
     * live in an intset.
     */
    static boolean isInteger(byte[] b) {
        int n = b.length;
        if (n == 0 || n > 20) {
            return false;
        }
        if (n == 1 && b[0] == '0') {
            return true;
        }
        int i = b[0] == '-' ? 1 : 0;
        if (i == n || b[i] < '1' || b[i] > '9') {
            return false;
        }
        long v = 0; // accumulated negatively, so Long.MIN_VALUE fits
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        return b[0] == '-' || v != Long.MIN_VALUE;
    }

    /** The value of a member {@link #isInteger} accepted. */
    static long parse(byte[] b) {
        int i = b[0] == '-' ? 1 : 0;
        long v = 0;
        for (; i < b.length; i++) {
            v = v * 10 - (b[i] - '0');
        }
        return b[0] == '-' ? v : -v;
    }

    static byte[] format(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
