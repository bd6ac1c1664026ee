package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The layout of a small set of integers (Redis's intset): the values sorted ascending in one byte
 * array, each 2, 4 or 8 bytes wide (little-endian), the narrowest width that holds them all (a wider
 * value widens every one, as Redis's intsetUpgradeAndAdd; nothing narrows back). Nothing per member
 * beyond its bytes, where a table costs an array, a node and a wrapper per member (about 90 bytes). A
 * lookup is a binary search; an add or a remove copies the array, O(n) as in Redis, which is why
 * {@link SetValue} keeps only small sets this way. Arrays are exact-size and never shared.
 */
final class IntSet {

    static final byte[] EMPTY = new byte[0];
    /** The width of an empty intset, Redis's INTSET_ENC_INT16. */
    static final int NARROWEST = 2;
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private IntSet() {
    }

    static long get(byte[] d, int width, int i) {
        return switch (width) {
            case 2 -> (short) SHORTS.get(d, i * 2);
            case 4 -> (int) INTS.get(d, i * 4);
            default -> (long) LONGS.get(d, i * 8);
        };
    }

    private static void set(byte[] d, int width, int i, long v) {
        switch (width) {
            case 2 -> SHORTS.set(d, i * 2, (short) v);
            case 4 -> INTS.set(d, i * 4, (int) v);
            default -> LONGS.set(d, i * 8, v);
        }
    }

    /** The narrowest width that holds {@code v}. */
    static int widthFor(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            return 2;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 4 : 8;
    }

    /** The value's position in {@code d} (values {@code width} bytes wide), or {@code -(insertion point) - 1}. */
    static int indexOf(byte[] d, int width, long v) {
        int n = d.length / width;
        if (widthFor(v) > width) {
            return v < 0 ? -1 : -n - 1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = get(d, width, mid);
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
     * {@code d} with {@code v} inserted at the insertion point {@code at} that {@link #indexOf} gave,
     * every value {@code newWidth} bytes wide ({@code newWidth} ≥ {@code width}; wider re-encodes all).
     */
    static byte[] insert(byte[] d, int width, int at, long v, int newWidth) {
        int n = d.length / width;
        byte[] out = new byte[(n + 1) * newWidth];
        if (newWidth == width) {
            System.arraycopy(d, 0, out, 0, at * width);
            System.arraycopy(d, at * width, out, (at + 1) * width, (n - at) * width);
        } else {
            for (int i = 0; i < n; i++) {
                set(out, newWidth, i < at ? i : i + 1, get(d, width, i));
            }
        }
        set(out, newWidth, at, v);
        return out;
    }

    /** {@code d} without the value at position {@code at}. */
    static byte[] removeAt(byte[] d, int width, int at) {
        if (d.length == width) {
            return EMPTY;
        }
        byte[] out = new byte[d.length - width];
        System.arraycopy(d, 0, out, 0, at * width);
        System.arraycopy(d, (at + 1) * width, out, at * width, d.length - (at + 1) * width);
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
