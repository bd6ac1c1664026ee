package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A small hash's, set's or sorted set's packed encoding as it sits in its key's record ({@link KeyTable}), after the
 * key: a hash's or sorted set's listpack as it is ({@link HashListpack}, {@link ZListpack}), an intset as its width
 * (2, 4 or 8) and its values little-endian (the width Redis's intset header also carries). A key in this form costs
 * one array: its value's object and its key's own array (a 16-byte header each, and padding) are what separated a
 * small aggregate from Redis's figure per key (docs/design/compact-keyspace.md). The objects the commands change are
 * made from a record when a command asks for the value, and packed again after it ({@link KeyTable#settle}).
 */
final class PackedValues {

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private PackedValues() {
    }

    /** Whether a value of {@code type} can be kept packed in its key's record (when its own form is its packed one). */
    static boolean packs(ValueType type) {
        return type == ValueType.HASH || type == ValueType.SET || type == ValueType.ZSET;
    }

    /** The bytes {@code value} of {@code type} takes packed, or -1 when it is not in its packed form (a table, a tree). */
    static int length(ValueType type, Object value) {
        if (type == ValueType.HASH) {
            byte[] lp = ((HashValue) value).listpackOrNull();
            return lp == null ? -1 : lp.length;
        }
        if (type == ValueType.ZSET) {
            byte[] lp = ((ZSetValue) value).listpackOrNull();
            return lp == null ? -1 : lp.length;
        }
        Object ints = type == ValueType.SET ? ((SetValue) value).intsetOrNull() : null;
        return ints == null ? -1 : 1 + IntSet.size(ints) * IntSet.width(ints);
    }

    /** Writes {@code value} of {@code type} packed (its {@link #length} bytes) into {@code out} at {@code at}. */
    static void write(ValueType type, Object value, byte[] out, int at) {
        if (type == ValueType.SET) {
            writeIntset(((SetValue) value).intsetOrNull(), out, at);
            return;
        }
        byte[] lp = type == ValueType.HASH ? ((HashValue) value).listpackOrNull() : ((ZSetValue) value).listpackOrNull();
        System.arraycopy(lp, 0, out, at, lp.length);
    }

    /** The value of {@code type} packed in {@code record} from {@code from} to its end: a new object, sharing nothing with it. */
    static Object read(ValueType type, byte[] record, int from) {
        if (type == ValueType.SET) {
            return SetValue.ofIntset(readIntset(record, from));
        }
        byte[] lp = Arrays.copyOfRange(record, from, record.length);
        return type == ValueType.HASH ? HashValue.ofListpack(lp) : ZSetValue.ofListpack(lp);
    }

    private static void writeIntset(Object ints, byte[] out, int at) {
        int width = IntSet.width(ints);
        out[at++] = (byte) width;
        if (ints instanceof short[] s) {
            for (short v : s) {
                SHORTS.set(out, at, v);
                at += 2;
            }
        } else if (ints instanceof int[] n) {
            for (int v : n) {
                INTS.set(out, at, v);
                at += 4;
            }
        } else {
            for (long v : (long[]) ints) {
                LONGS.set(out, at, v);
                at += 8;
            }
        }
    }

    private static Object readIntset(byte[] record, int from) {
        int width = record[from];
        int at = from + 1;
        int n = (record.length - at) / width;
        if (width == 2) {
            short[] s = new short[n];
            for (int i = 0; i < n; i++, at += 2) {
                s[i] = (short) SHORTS.get(record, at);
            }
            return s;
        }
        if (width == 4) {
            int[] v = new int[n];
            for (int i = 0; i < n; i++, at += 4) {
                v[i] = (int) INTS.get(record, at);
            }
            return v;
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++, at += 8) {
            v[i] = (long) LONGS.get(record, at);
        }
        return v;
    }
}
