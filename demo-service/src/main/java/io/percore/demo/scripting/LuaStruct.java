package io.percore.demo.scripting;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Redis's {@code struct} (Roberto Ierusalimschy's struct library as Redis builds it on x86-64):
 * {@code pack(fmt, ...)}, {@code unpack(fmt, data [, pos])}, {@code size(fmt)}. Formats: {@code >}
 * big and {@code <} little endian (little by default), {@code !n} alignment, {@code b B h H l L T i
 * I} integers of 1, 2, 8, 8, 8 and {@code in} bytes (4 by default, at most 32), {@code f} {@code d}
 * floats, {@code x} padding, {@code cn} and {@code s} strings, spaces ignored; with the C library's
 * texts and its integer arithmetic (64-bit values, wider ones padded or cut, numbers converted as
 * C casts them).
 */
final class LuaStruct {

    private static final int BIG = 0;
    private static final int LITTLE = 1;
    /** The largest integer size. */
    private static final int MAX_INT_SIZE = 32;
    /** C's alignment of a double next to a char on x86-64, the default for {@code !}. */
    private static final int MAX_ALIGN = 8;

    private final LuaRuntime runtime;

    private LuaStruct(LuaRuntime runtime) {
        this.runtime = runtime;
    }

    static LuaTable table(LuaRuntime runtime) {
        LuaStruct s = new LuaStruct(runtime);
        LuaTable t = new LuaTable();
        t.rawset("pack", s.function(s::pack));
        t.rawset("unpack", s.function(s::unpack));
        t.rawset("size", s.function(s::size));
        return t;
    }

    private VarArgFunction function(CArgs.Body body) {
        return CArgs.function(runtime, body);
    }

    /** The format being read, the options it set so far. */
    private static final class Format {
        final byte[] fmt;
        int pos;
        int endian = LITTLE;
        int align = 1;

        Format(LuaString s) {
            fmt = new byte[s.m_length];
            System.arraycopy(s.m_bytes, s.m_offset, fmt, 0, s.m_length);
        }

        /** C's loop condition {@code *fmt != '\0'}: a NUL ends the format. */
        boolean more() {
            return pos < fmt.length && fmt[pos] != 0;
        }

        int next() {
            return fmt[pos++] & 0xff;
        }

        boolean digitNext() {
            return pos < fmt.length && fmt[pos] >= '0' && fmt[pos] <= '9';
        }

        int number(int otherwise) {
            if (!digitNext()) {
                return otherwise;
            }
            long a = 0;
            do {
                int d = fmt[pos++] - '0';
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) {
                    throw new LuaError("integral size overflow");
                }
                a = a * 10 + d;
            } while (digitNext());
            return (int) a;
        }
    }

    private static int optionSize(int opt, Format f) {
        switch (opt) {
            case 'B', 'b':
                return 1;
            case 'H', 'h':
                return 2;
            case 'L', 'l', 'T':
                return 8;
            case 'f':
                return 4;
            case 'd':
                return 8;
            case 'x':
                return 1;
            case 'c':
                return f.number(1);
            case 'i', 'I': {
                int size = f.number(4);
                if (size > MAX_INT_SIZE) {
                    throw new LuaError("integral size " + size + " is larger than limit of " + MAX_INT_SIZE);
                }
                return size;
            }
            default:
                return 0;
        }
    }

    private static int toAlign(long length, Format f, int opt, int size) {
        if (size == 0 || opt == 'c') {
            return 0;
        }
        if (size > f.align) {
            size = f.align;
        }
        return (int) ((size - (length & (size - 1))) & (size - 1));
    }

    private static void controlOption(CArgs a, int opt, Format f) {
        switch (opt) {
            case ' ':
                return;
            case '>':
                f.endian = BIG;
                return;
            case '<':
                f.endian = LITTLE;
                return;
            case '!': {
                int n = f.number(MAX_ALIGN);
                if (n <= 0 || (n & (n - 1)) != 0) {
                    throw new LuaError("alignment " + n + " is not a power of 2");
                }
                f.align = n;
                return;
            }
            default:
                throw a.error(1, "invalid format option '" + (char) opt + "'");
        }
    }

    private Varargs pack(CArgs a) {
        Format f = new Format(a.string(1));
        int arg = 2;
        long total = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (f.more()) {
            int opt = f.next();
            int size = optionSize(opt, f);
            int pad = toAlign(total, f, opt, size);
            total += pad;
            for (int i = 0; i < pad; i++) {
                out.write(0);
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> putInteger(packNumber(a, arg++), f.endian, size, out);
                case 'x' -> out.write(0);
                case 'f' -> putBits(Float.floatToRawIntBits((float) packNumber(a, arg++)) & 0xFFFFFFFFL, f.endian, 4, out);
                case 'd' -> putBits(Double.doubleToRawLongBits(packNumber(a, arg++)), f.endian, 8, out);
                case 'c', 's' -> {
                    if (arg == a.count() + 1) {
                        throw a.error(arg, "string expected, got nil");
                    }
                    LuaString s = a.string(arg++);
                    if (size == 0) {
                        size = s.m_length;
                    }
                    if (s.m_length < size) {
                        throw a.error(arg, "string too short");
                    }
                    LuaMemory.checkAllocationHere(out.size() + (long) size);
                    out.write(s.m_bytes, s.m_offset, size);
                    if (opt == 's') {
                        out.write(0);
                        size++;
                    }
                }
                default -> controlOption(a, opt, f);
            }
            total += size;
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    /**
     * pack's {@code luaL_checknumber}: the C function pushed a nil after its arguments before it
     * reads them, so the first missing one is a nil ({@code got nil}), later ones no value.
     */
    private static double packNumber(CArgs a, int arg) {
        if (arg == a.count() + 1) {
            throw a.error(arg, "number expected, got nil");
        }
        return a.number(arg);
    }

    /** C's {@code (unsigned long)} of a Lua number (through {@code long} when negative), as x86-64 converts out-of-range values. */
    private static long unsignedOf(double n) {
        if (n < 0) {
            return n < -0x1p63 || Double.isNaN(n) ? Long.MIN_VALUE : (long) n;
        }
        if (Double.isNaN(n)) {
            return Long.MIN_VALUE; // cvttsd2si's integer indefinite
        }
        if (n >= 0x1p63) {
            // gcc converts through n - 2^63; past 2^64 that is the integer indefinite, which the xor makes 0
            return (n >= 0x1p64 ? Long.MIN_VALUE : (long) (n - 0x1p63)) ^ Long.MIN_VALUE;
        }
        return (long) n;
    }

    private static void putInteger(double n, int endian, int size, ByteArrayOutputStream out) {
        putBits(unsignedOf(n), endian, size, out);
    }

    /** {@code size} bytes of {@code value} in {@code endian} order; bytes past the 8th are zero (the value shifted out). */
    private static void putBits(long value, int endian, int size, ByteArrayOutputStream out) {
        byte[] b = new byte[size];
        long v = value;
        if (endian == LITTLE) {
            for (int i = 0; i < size; i++) {
                b[i] = (byte) v;
                v >>>= 8;
            }
        } else {
            for (int i = size - 1; i >= 0; i--) {
                b[i] = (byte) v;
                v >>>= 8;
            }
        }
        out.write(b, 0, size);
    }

    private static long getBits(byte[] data, int at, int endian, int size) {
        long l = 0;
        if (endian == BIG) {
            for (int i = 0; i < size; i++) {
                l = (l << 8) | (data[at + i] & 0xff);
            }
        } else {
            for (int i = size - 1; i >= 0; i--) {
                l = (l << 8) | (data[at + i] & 0xff);
            }
        }
        return l;
    }

    private static double getInteger(byte[] data, int at, int endian, boolean signed, int size) {
        long l = getBits(data, at, endian, size);
        if (!signed) {
            return l >= 0 ? l : new java.math.BigInteger(Long.toUnsignedString(l)).doubleValue();
        }
        long mask = -1L << ((size * 8 - 1) & 63); // x86 masks a shift count to 6 bits
        if ((l & mask) != 0) {
            l |= mask;
        }
        return l;
    }

    private Varargs unpack(CArgs a) {
        Format f = new Format(a.string(1));
        LuaString d = a.string(2);
        byte[] data = new byte[d.m_length];
        System.arraycopy(d.m_bytes, d.m_offset, data, 0, d.m_length);
        long ld = data.length;
        long pos = a.optInteger(3, 1);
        if (pos <= 0) {
            throw a.error(3, "offset must be 1 or greater");
        }
        pos--;
        java.util.List<LuaValue> results = new java.util.ArrayList<>();
        while (f.more()) {
            int opt = f.next();
            long size = optionSize(opt, f);
            pos += toAlign(pos, f, opt, (int) size);
            if (!(size <= ld && pos <= ld - size)) {
                throw a.error(2, "data string too short");
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' ->
                        results.add(LuaValue.valueOf(getInteger(data, (int) pos, f.endian, Character.isLowerCase(opt), (int) size)));
                case 'x' -> {
                }
                case 'f' -> results.add(LuaValue.valueOf((double) Float.intBitsToFloat((int) getBits(data, (int) pos, f.endian, 4))));
                case 'd' -> results.add(LuaValue.valueOf(Double.longBitsToDouble(getBits(data, (int) pos, f.endian, 8))));
                case 'c' -> {
                    if (size == 0) {
                        Double previous = results.isEmpty() ? null : CArgs.toNumber(results.get(results.size() - 1));
                        if (previous == null) {
                            throw new LuaError("format 'c0' needs a previous size");
                        }
                        size = (long) previous.doubleValue();
                        results.remove(results.size() - 1);
                        if (!(size <= ld && pos <= ld - size)) {
                            throw a.error(2, "data string too short");
                        }
                    }
                    results.add(LuaString.valueOf(data, (int) pos, (int) size));
                }
                case 's' -> {
                    int end = (int) pos;
                    while (end < ld && data[end] != 0) {
                        end++;
                    }
                    if (end == ld) {
                        throw new LuaError("unfinished string in data");
                    }
                    size = end - pos + 1;
                    results.add(LuaString.valueOf(data, (int) pos, (int) size - 1));
                }
                default -> controlOption(a, opt, f);
            }
            pos += size;
        }
        results.add(LuaValue.valueOf(pos + 1));
        return LuaValue.varargsOf(results.toArray(new LuaValue[0]));
    }

    private Varargs size(CArgs a) {
        Format f = new Format(a.string(1));
        long pos = 0;
        while (f.more()) {
            int opt = f.next();
            int size = optionSize(opt, f);
            pos += toAlign(pos, f, opt, size);
            if (opt == 's') {
                throw a.error(1, "option 's' has no fixed size");
            } else if (opt == 'c' && size == 0) {
                throw a.error(1, "option 'c0' has no fixed size");
            }
            if (!Character.isLetterOrDigit(opt)) {
                controlOption(a, opt, f);
            }
            pos += size;
        }
        return LuaValue.valueOf(pos);
    }
}
