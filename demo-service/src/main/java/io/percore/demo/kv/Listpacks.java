package io.percore.demo.kv;

import java.nio.charset.StandardCharsets;

/**
 * Redis's listpack ({@code listpack.c}) on a Java byte array, as streams keep their entries: a
 * 6-byte header (total bytes, little-endian 32 bits; element count, 16 bits, 65535 when unknown),
 * elements, and an end byte 0xFF. An element is an encoding byte (with a string's length or the
 * integer), its data, and its own encoded size again written backwards (the back length), so a
 * listpack can be walked from either end. Strings that are canonical 64-bit integers are stored as
 * integers, as {@code lpAppend} does, so the bytes are the ones redis-server would hold.
 *
 * <p>Positions are offsets into the array; an array may be longer than the listpack (spare room
 * for appends), whose length is its header's total. Reading assumes a listpack that was built here
 * or checked by {@link StreamNode#validate}: nothing here re-checks bounds.
 */
public final class Listpacks {

    static final int HEADER = 6;
    static final int EOF = 0xFF;
    static final int COUNT_UNKNOWN = 0xFFFF;
    /** Redis's LONG_STR_SIZE: a string this long or longer is never an integer. */
    private static final int LONG_STR_SIZE = 21;

    private Listpacks() {
    }

    // ------------------------------------------------------------------ header

    static int totalBytes(byte[] lp) {
        return (lp[0] & 0xff) | (lp[1] & 0xff) << 8 | (lp[2] & 0xff) << 16 | (lp[3] & 0xff) << 24;
    }

    static void totalBytes(byte[] lp, int total) {
        lp[0] = (byte) total;
        lp[1] = (byte) (total >>> 8);
        lp[2] = (byte) (total >>> 16);
        lp[3] = (byte) (total >>> 24);
    }

    static int count(byte[] lp) {
        return (lp[4] & 0xff) | (lp[5] & 0xff) << 8;
    }

    static void count(byte[] lp, int count) {
        int c = Math.min(count, COUNT_UNKNOWN);
        lp[4] = (byte) c;
        lp[5] = (byte) (c >>> 8);
    }

    /** A new empty listpack of {@code capacity} bytes at least. */
    static byte[] empty(int capacity) {
        byte[] lp = new byte[Math.max(capacity, HEADER + 1)];
        totalBytes(lp, HEADER + 1);
        lp[HEADER] = (byte) EOF;
        return lp;
    }

    // ------------------------------------------------------------------ walking

    /** The first element, or -1 when there is none. */
    static int first(byte[] lp) {
        return (lp[HEADER] & 0xff) == EOF ? -1 : HEADER;
    }

    /** The element after {@code p}, or -1 at the end. */
    static int next(byte[] lp, int p) {
        int n = p + elementSize(lp, p);
        return (lp[n] & 0xff) == EOF ? -1 : n;
    }

    /** The element before {@code p} (which may be the end byte), or -1 before the first. */
    static int previous(byte[] lp, int p) {
        if (p <= HEADER) {
            return -1;
        }
        long encoded = backlen(lp, p - 1);
        return p - (int) encoded - backlenBytes(encoded);
    }

    /** The last element, or -1 when there is none. */
    static int last(byte[] lp) {
        return previous(lp, totalBytes(lp) - 1);
    }

    /** An element's size without its back length (lpCurrentEncodedSizeUnsafe). */
    static int encodedSize(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) {
            return 1;
        }
        if ((b & 0xC0) == 0x80) {
            return 1 + (b & 0x3F);
        }
        if ((b & 0xE0) == 0xC0) {
            return 2;
        }
        switch (b) {
            case 0xF1:
                return 3;
            case 0xF2:
                return 4;
            case 0xF3:
                return 5;
            case 0xF4:
                return 9;
            case 0xF0:
                return 5 + ((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16 | (lp[p + 4] & 0xff) << 24);
            default: // 12-bit string
                return 2 + (((b & 0xF) << 8) | (lp[p + 1] & 0xff));
        }
    }

    /** An element's whole size, back length included. */
    static int elementSize(byte[] lp, int p) {
        int encoded = encodedSize(lp, p);
        return encoded + backlenBytes(encoded);
    }

    /** How many bytes the back length of an element of {@code l} bytes takes (lpEncodeBacklen). */
    static int backlenBytes(long l) {
        if (l <= 127) {
            return 1;
        }
        if (l < 16383) {
            return 2;
        }
        if (l < 2097151) {
            return 3;
        }
        return l < 268435455 ? 4 : 5;
    }

    /** lpDecodeBacklen from its last byte {@code at} backwards. */
    private static long backlen(byte[] lp, int at) {
        long val = 0;
        int shift = 0;
        while (true) {
            int b = lp[at] & 0xff;
            val |= (long) (b & 127) << shift;
            if ((b & 128) == 0) {
                return val;
            }
            shift += 7;
            at--;
        }
    }

    // ------------------------------------------------------------------ checking a listpack from outside (a DUMP payload, an RDB file)

    /**
     * Checks {@code lp} as Redis checks a stream's listpack ({@code lpValidateIntegrity} of the header,
     * then {@code lpValidateNext} over every element): its header's length is the array's, it ends
     * with the end byte, every element has a known encoding, lies inside, and has the right back
     * length. The header's element count is not checked, as Redis does not for streams (nothing here
     * reads it). Returns the number of elements, or -1 when anything is wrong; reading a listpack that
     * passed cannot leave the array.
     */
    static int validate(byte[] lp) {
        int size = lp.length;
        if (size < HEADER + 1 || totalBytes(lp) != size || (lp[size - 1] & 0xff) != EOF) {
            return -1;
        }
        int last = size - 1;
        int p = HEADER;
        int count = 0;
        while (p < last) {
            int b = lp[p] & 0xff;
            int lengthBytes = (b & 0x80) == 0 || (b & 0xC0) == 0x80 || (b & 0xE0) == 0xC0 || (b >= 0xF1 && b <= 0xF4) ? 1
                    : (b & 0xF0) == 0xE0 ? 2 : b == 0xF0 ? 5 : 0;
            if (lengthBytes == 0 || (long) p + lengthBytes > last) {
                return -1;
            }
            long encoded = b == 0xF0
                    ? 5 + ((lp[p + 1] & 0xffL) | (lp[p + 2] & 0xffL) << 8 | (lp[p + 3] & 0xffL) << 16 | (lp[p + 4] & 0xffL) << 24)
                    : encodedSize(lp, p);
            long next = p + encoded + backlenBytes(encoded);
            if (next > last) {
                return -1;
            }
            long back = 0;
            int shift = 0;
            for (int at = (int) next - 1; ; at--) {
                if (at < p || shift > 28) {
                    return -1;
                }
                int x = lp[at] & 0xff;
                back |= (long) (x & 127) << shift;
                if ((x & 128) == 0) {
                    break;
                }
                shift += 7;
            }
            if (back != encoded) {
                return -1;
            }
            count++;
            p = (int) next;
        }
        return p == last ? count : -1;
    }

    // ------------------------------------------------------------------ values

    /** Whether the element at {@code p} is integer-encoded. */
    static boolean isInteger(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        return (b & 0x80) == 0 || (b & 0xE0) == 0xC0 || (b >= 0xF1 && b <= 0xF4);
    }

    /**
     * The element at {@code p} as an integer (lpGetInteger): its integer, or a string's decimal
     * value; a string that is no integer is the caller's bug ({@link #isIntegerValued} first).
     */
    static long integer(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) {
            return b;
        }
        if ((b & 0xE0) == 0xC0) {
            int v = ((b & 0x1F) << 8) | (lp[p + 1] & 0xff);
            return v >= 1 << 12 ? v - (1 << 13) : v;
        }
        switch (b) {
            case 0xF1:
                return (short) ((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8);
            case 0xF2: {
                int v = (lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16;
                return v >= 1 << 23 ? v - (1 << 24) : v;
            }
            case 0xF3:
                return (lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16 | (lp[p + 4] & 0xff) << 24;
            case 0xF4: {
                long v = 0;
                for (int i = 8; i >= 1; i--) {
                    v = v << 8 | (lp[p + i] & 0xffL);
                }
                return v;
            }
            default: {
                int header = stringHeader(lp, p);
                int len = encodedSize(lp, p) - header;
                if (!isCanonicalLong(lp, p + header, len)) {
                    throw new IllegalStateException("listpack element is not an integer");
                }
                return parseCanonicalLong(lp, p + header, len);
            }
        }
    }

    /** Whether the element reads as an integer (lpGetIntegerIfValid's valid flag): integer-encoded, or a string that is one. */
    static boolean isIntegerValued(byte[] lp, int p) {
        if (isInteger(lp, p)) {
            return true;
        }
        int header = stringHeader(lp, p);
        return isCanonicalLong(lp, p + header, encodedSize(lp, p) - header);
    }

    /** Bytes before a string element's data: 1, 2 or 5. */
    static int stringHeader(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0xC0) == 0x80) {
            return 1;
        }
        return b == 0xF0 ? 5 : 2;
    }

    /** The element's bytes: a string's data, or an integer's decimal text (lpGet). */
    static byte[] bytes(byte[] lp, int p) {
        if (isInteger(lp, p)) {
            return Long.toString(integer(lp, p)).getBytes(StandardCharsets.US_ASCII);
        }
        int header = stringHeader(lp, p);
        int len = encodedSize(lp, p) - header;
        byte[] out = new byte[len];
        System.arraycopy(lp, p + header, out, 0, len);
        return out;
    }

    /** Whether the element at {@code p} holds exactly {@code s} (as lpGet would give it back). */
    static boolean equalsBytes(byte[] lp, int p, byte[] s) {
        if (isInteger(lp, p)) {
            return isCanonicalLong(s, 0, s.length) && parseCanonicalLong(s, 0, s.length) == integer(lp, p);
        }
        int header = stringHeader(lp, p);
        int len = encodedSize(lp, p) - header;
        return len == s.length && java.util.Arrays.equals(lp, p + header, p + header + len, s, 0, len);
    }

    // ------------------------------------------------------------------ writing

    /** Bytes {@code s} takes as an element, back length included (lpEncodeGetType). */
    public static int sizeOf(byte[] s) {
        if (isCanonicalLong(s, 0, s.length)) {
            return sizeOfInteger(parseCanonicalLong(s, 0, s.length));
        }
        int encoded = s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + s.length;
        return encoded + backlenBytes(encoded);
    }

    /** Bytes the integer {@code v} takes as an element, back length included. */
    public static int sizeOfInteger(long v) {
        int encoded;
        if (v >= 0 && v <= 127) {
            encoded = 1;
        } else if (v >= -4096 && v <= 4095) {
            encoded = 2;
        } else if (v >= -32768 && v <= 32767) {
            encoded = 3;
        } else if (v >= -8388608 && v <= 8388607) {
            encoded = 4;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            encoded = 5;
        } else {
            encoded = 9;
        }
        return encoded + 1;
    }

    /** Writes {@code s} at {@code at} (stored as an integer when it is a canonical one); returns the position after it. */
    static int write(byte[] lp, int at, byte[] s) {
        if (isCanonicalLong(s, 0, s.length)) {
            return writeInteger(lp, at, parseCanonicalLong(s, 0, s.length));
        }
        int len = s.length;
        int p = at;
        if (len < 64) {
            lp[p++] = (byte) (len | 0x80);
        } else if (len < 4096) {
            lp[p++] = (byte) ((len >>> 8) | 0xE0);
            lp[p++] = (byte) len;
        } else {
            lp[p++] = (byte) 0xF0;
            lp[p++] = (byte) len;
            lp[p++] = (byte) (len >>> 8);
            lp[p++] = (byte) (len >>> 16);
            lp[p++] = (byte) (len >>> 24);
        }
        System.arraycopy(s, 0, lp, p, len);
        p += len;
        return writeBacklen(lp, p, p - at);
    }

    /** Writes the integer {@code v} at {@code at} (lpEncodeIntegerGetType); returns the position after it. */
    static int writeInteger(byte[] lp, int at, long v) {
        int p = at;
        if (v >= 0 && v <= 127) {
            lp[p++] = (byte) v;
        } else if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1L << 13) + v : v;
            lp[p++] = (byte) ((u >>> 8) | 0xC0);
            lp[p++] = (byte) u;
        } else if (v >= -32768 && v <= 32767) {
            lp[p++] = (byte) 0xF1;
            lp[p++] = (byte) v;
            lp[p++] = (byte) (v >>> 8);
        } else if (v >= -8388608 && v <= 8388607) {
            lp[p++] = (byte) 0xF2;
            lp[p++] = (byte) v;
            lp[p++] = (byte) (v >>> 8);
            lp[p++] = (byte) (v >>> 16);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            lp[p++] = (byte) 0xF3;
            lp[p++] = (byte) v;
            lp[p++] = (byte) (v >>> 8);
            lp[p++] = (byte) (v >>> 16);
            lp[p++] = (byte) (v >>> 24);
        } else {
            lp[p++] = (byte) 0xF4;
            for (int i = 0; i < 8; i++) {
                lp[p++] = (byte) (v >>> (8 * i));
            }
        }
        return writeBacklen(lp, p, p - at);
    }

    private static int writeBacklen(byte[] lp, int p, int l) {
        if (l <= 127) {
            lp[p++] = (byte) l;
        } else if (l < 16383) {
            lp[p++] = (byte) (l >>> 7);
            lp[p++] = (byte) ((l & 127) | 128);
        } else if (l < 2097151) {
            lp[p++] = (byte) (l >>> 14);
            lp[p++] = (byte) (((l >>> 7) & 127) | 128);
            lp[p++] = (byte) ((l & 127) | 128);
        } else if (l < 268435455) {
            lp[p++] = (byte) (l >>> 21);
            lp[p++] = (byte) (((l >>> 14) & 127) | 128);
            lp[p++] = (byte) (((l >>> 7) & 127) | 128);
            lp[p++] = (byte) ((l & 127) | 128);
        } else {
            lp[p++] = (byte) (l >>> 28);
            lp[p++] = (byte) (((l >>> 21) & 127) | 128);
            lp[p++] = (byte) (((l >>> 14) & 127) | 128);
            lp[p++] = (byte) (((l >>> 7) & 127) | 128);
            lp[p++] = (byte) ((l & 127) | 128);
        }
        return p;
    }

    // ------------------------------------------------------------------ integers as text (lpStringToInt64)

    private static final byte[] MAX_DIGITS = "9223372036854775807".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIN_DIGITS = "9223372036854775808".getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether the {@code len} bytes at {@code from} are an integer as listpack's lpStringToInt64
     * reads one: decimal digits, an optional '-', no leading zero (but "0" itself), within 64 bits.
     */
    static boolean isCanonicalLong(byte[] s, int from, int len) {
        if (len == 0 || len >= LONG_STR_SIZE) {
            return false;
        }
        int p = from;
        int end = from + len;
        if (len == 1 && s[p] == '0') {
            return true;
        }
        boolean negative = s[p] == '-';
        if (negative && ++p == end) {
            return false;
        }
        if (s[p] < '1' || s[p] > '9') {
            return false;
        }
        for (int i = p + 1; i < end; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return false;
            }
        }
        int digits = end - p;
        if (digits != 19) {
            return digits < 19;
        }
        return java.util.Arrays.compareUnsigned(s, p, end, negative ? MIN_DIGITS : MAX_DIGITS, 0, 19) <= 0;
    }

    /** The value of bytes {@link #isCanonicalLong} accepted. */
    static long parseCanonicalLong(byte[] s, int from, int len) {
        int p = from;
        int end = from + len;
        boolean negative = s[p] == '-';
        if (negative) {
            p++;
        }
        long v = 0; // accumulated negatively, so Long.MIN_VALUE fits
        for (; p < end; p++) {
            v = v * 10 - (s[p] - '0');
        }
        return negative ? v : -v;
    }
}
