package io.percore.demo.rdb;

import io.percore.demo.kv.Listpacks;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads Redis's listpack ({@code listpack.c}), the compact encoding of small hashes, sorted sets and
 * list nodes in DUMP payloads: a 6-byte header (total bytes, element count), entries, and an end
 * byte 0xFF. An entry is an encoding byte (with the length or the integer), its data, and its own
 * size again, written backwards, so a listpack can be walked from either end.
 *
 * <p>Every entry is checked the way Redis's deep sanitization does ({@code lpValidateIntegrity}
 * with {@code deep}): inside the blob, a known encoding, the back length matching, the count in the
 * header right, the end byte last. Any fault is a {@link BadPayloadException}, never an exception of
 * another kind or a read outside the blob.
 */
final class Listpack {

    private static final int HEADER_SIZE = 6;
    private static final int END = 0xFF;
    private static final int COUNT_UNKNOWN = 0xFFFF;

    private Listpack() {
    }

    /**
     * Hands every entry of {@code lp} to {@code sink} in order, integers as their decimal text.
     *
     * @return the number of entries
     * @throws BadPayloadException when {@code lp} is not a valid listpack
     */
    static int forEach(byte[] lp, Consumer<byte[]> sink) {
        int size = lp.length;
        if (size < HEADER_SIZE + 1) {
            throw new BadPayloadException("listpack shorter than its header");
        }
        long total = (lp[0] & 0xffL) | (lp[1] & 0xffL) << 8 | (lp[2] & 0xffL) << 16 | (lp[3] & 0xffL) << 24;
        if (total != size || (lp[size - 1] & 0xff) != END) {
            throw new BadPayloadException("listpack size or end byte wrong");
        }
        int declared = (lp[4] & 0xff) | (lp[5] & 0xff) << 8;
        int last = size - 1; // the end byte: no entry may reach it
        int p = HEADER_SIZE;
        int count = 0;
        while ((lp[p] & 0xff) != END) {
            int b = lp[p] & 0xff;
            int headerBytes = headerBytes(b);
            if (headerBytes == 0 || (long) p + headerBytes > last) {
                throw new BadPayloadException("listpack entry with a bad encoding or past the end");
            }
            long encoded = encodedSize(lp, p, b);
            int backlenBytes = backlenBytes(encoded);
            long next = p + encoded + backlenBytes;
            if (next > last) {
                throw new BadPayloadException("listpack entry past the end");
            }
            if (decodeBacklen(lp, (int) next - 1, p) != encoded) {
                throw new BadPayloadException("listpack entry's back length does not match");
            }
            sink.accept(value(lp, p, b, (int) encoded));
            count++;
            p = (int) next;
        }
        if (p != last) {
            throw new BadPayloadException("listpack end byte before its end");
        }
        if (declared != COUNT_UNKNOWN && declared != count) {
            throw new BadPayloadException("listpack count " + declared + " but " + count + " entries");
        }
        return count;
    }

    /** Bytes of the encoding byte plus the length that follows it; 0 for an unknown encoding. */
    private static int headerBytes(int b) {
        if ((b & 0x80) == 0 || (b & 0xC0) == 0x80 || (b & 0xE0) == 0xC0) {
            return 1; // 7-bit uint, 6-bit string, 13-bit int
        }
        if (b >= 0xF1 && b <= 0xF4) {
            return 1; // 16, 24, 32, 64-bit ints
        }
        if ((b & 0xF0) == 0xE0) {
            return 2; // 12-bit string
        }
        return b == 0xF0 ? 5 : 0; // 32-bit string; the rest are unknown
    }

    /** The entry's size without its back length (lpCurrentEncodedSizeUnsafe); the header bytes are known to be inside. */
    private static long encodedSize(byte[] lp, int p, int b) {
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
                return 5 + ((lp[p + 1] & 0xffL) | (lp[p + 2] & 0xffL) << 8 | (lp[p + 3] & 0xffL) << 16 | (lp[p + 4] & 0xffL) << 24);
            default: // 12-bit string
                return 2 + (((b & 0xF) << 8) | (lp[p + 1] & 0xff));
        }
    }

    /**
     * Bytes {@code s} takes as an entry of a listpack, its back length included, as Redis's {@code lpAppend}
     * stores it: as an integer when it is one in its canonical decimal form ({@code lpStringToInt64}). The rule is the
     * keyspace's own ({@link Listpacks}), which sizes its compact values with it.
     */
    static long entryBytes(byte[] s) {
        return Listpacks.sizeOf(s);
    }

    /** The bytes of an empty listpack: its header and its end byte. */
    static final int EMPTY_BYTES = HEADER_SIZE + 1;

    /** How many bytes the back length of an entry of {@code l} bytes takes (lpEncodeBacklen). */
    private static int backlenBytes(long l) {
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

    /** lpDecodeBacklen from its last byte {@code at} backwards, not before {@code floor}; -1 when malformed. */
    private static long decodeBacklen(byte[] lp, int at, int floor) {
        long val = 0;
        int shift = 0;
        while (true) {
            if (at < floor) {
                return -1;
            }
            int b = lp[at] & 0xff;
            val |= (long) (b & 127) << shift;
            if ((b & 128) == 0) {
                return val;
            }
            shift += 7;
            at--;
            if (shift > 28) {
                return -1;
            }
        }
    }

    private static byte[] value(byte[] lp, int p, int b, int encoded) {
        if ((b & 0x80) == 0) {
            return decimal(b & 0x7F);
        }
        if ((b & 0xC0) == 0x80) {
            return copy(lp, p + 1, b & 0x3F);
        }
        if ((b & 0xE0) == 0xC0) {
            int u = ((b & 0x1F) << 8) | (lp[p + 1] & 0xff);
            return decimal(u >= 1 << 12 ? u - (1 << 13) : u);
        }
        switch (b) {
            case 0xF1:
                return decimal((short) ((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8));
            case 0xF2:
                return decimal(((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16) << 8 >> 8);
            case 0xF3:
                return decimal((lp[p + 1] & 0xff) | (lp[p + 2] & 0xff) << 8 | (lp[p + 3] & 0xff) << 16 | (lp[p + 4] & 0xff) << 24);
            case 0xF4: {
                long v = 0;
                for (int i = 8; i >= 1; i--) {
                    v = v << 8 | (lp[p + i] & 0xffL);
                }
                return decimal(v);
            }
            case 0xF0:
                return copy(lp, p + 5, encoded - 5);
            default:
                return copy(lp, p + 2, encoded - 2);
        }
    }

    private static byte[] copy(byte[] lp, int from, int length) {
        byte[] out = new byte[length];
        System.arraycopy(lp, from, out, 0, length);
        return out;
    }

    static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
