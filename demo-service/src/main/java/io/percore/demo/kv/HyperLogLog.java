package io.percore.demo.kv;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash2;

/**
 * Redis's HyperLogLog as the string it is stored in ({@code hyperloglog.c}), byte for byte, so that
 * DUMP, RESTORE and RDB files carry it to and from redis-server: a 16-byte header ({@code "HYLL"},
 * the encoding, three unused bytes, the cached cardinality little-endian with its top bit meaning
 * "stale"), then 16,384 six-bit registers either <em>dense</em> (packed, least significant bits
 * first: 12,288 bytes) or <em>sparse</em> (run-length opcodes: {@code 00xxxxxx} a run of up to 64
 * zero registers, {@code 01xxxxxx yyyyyyyy} up to 16,384, {@code 1vvvvvxx} up to 4 registers of value
 * 1..32). Elements are hashed with MurmurHash64A (seed {@code 0xadc83b19}) and counted with Ertl's
 * estimator, as Redis 7 does, so the counts are redis-server's for the same registers.
 *
 * <p>Everything here reads a value of any length a client may have written (SET of a bogus
 * {@code "HYLL..."} string): a walk over the sparse opcodes stops as soon as it has covered more
 * registers than there are, so no sparse string, however long, costs more than 16,384 opcodes to read.
 * Changing a stored value in place is {@link HllString}'s.
 */
public final class HyperLogLog {

    public static final int REGISTERS = 1 << 14;
    static final int INDEX_MASK = REGISTERS - 1;
    static final int BITS = 6;
    static final int REGISTER_MAX = (1 << BITS) - 1;
    public static final int HEADER = 16;
    public static final int DENSE_SIZE = HEADER + (REGISTERS * BITS + 7) / 8;
    public static final int DENSE = 0;
    public static final int SPARSE = 1;
    /** Where the encoding byte is, and the cached cardinality's eight bytes. */
    static final int ENCODING_AT = 4;
    static final int CARD_AT = 8;
    /** The register value past which the sparse opcodes cannot go (1vvvvv: 1..32). */
    static final int SPARSE_VAL_MAX = 32;
    static final int SPARSE_VAL_MAX_RUN = 4;
    static final int SPARSE_ZERO_MAX_RUN = 64;
    static final int SPARSE_XZERO_MAX_RUN = 16384;
    /** The longest sparse value that can be valid: every register its own two-byte opcode. */
    public static final int SPARSE_MAX_VALID = HEADER + 2 * REGISTERS;
    /** Redis's default {@code hll-sparse-max-bytes}. */
    public static final long DEFAULT_SPARSE_MAX_BYTES = 3000;
    private static final int SEED = 0xadc83b19;
    /** Bits of the hash after the index that count the run of zeros (HLL_Q). */
    private static final int Q = 64 - 14;
    private static final double ALPHA_INF = 0.721347520444481703680;

    public static final String INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";
    public static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

    private HyperLogLog() {
    }

    // ------------------------------------------------------------------ the header

    /** Redis's {@code isHLLObjectOrReply}: the magic, a known encoding, and a dense value's exact length. */
    public static boolean isHll(byte[] b, int length) {
        if (length < HEADER || b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L') {
            return false;
        }
        int encoding = b[ENCODING_AT] & 0xff;
        return encoding == SPARSE || (encoding == DENSE && length == DENSE_SIZE);
    }

    public static boolean isDense(byte[] b) {
        return b[ENCODING_AT] == DENSE;
    }

    /** The cached cardinality, or -1 when the cache is stale (its top bit set). */
    public static long cachedCount(byte[] b) {
        if ((b[CARD_AT + 7] & 0x80) != 0) {
            return -1;
        }
        long card = 0;
        for (int i = 7; i >= 0; i--) {
            card = card << 8 | (b[CARD_AT + i] & 0xff);
        }
        return card;
    }

    static void cacheCount(byte[] b, long card) {
        for (int i = 0; i < 8; i++) {
            b[CARD_AT + i] = (byte) (card >>> (8 * i));
        }
    }

    static void invalidateCache(byte[] b) {
        b[CARD_AT + 7] |= (byte) 0x80;
    }

    /** A new HLL as Redis creates one: sparse, all registers zero (one run of 16,384), cache 0. */
    static int writeEmptySparse(byte[] b) {
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[ENCODING_AT] = SPARSE;
        int at = HEADER;
        for (int left = REGISTERS; left > 0; left -= SPARSE_XZERO_MAX_RUN) {
            at = putXZero(b, at, Math.min(left, SPARSE_XZERO_MAX_RUN));
        }
        return at;
    }

    /** The length of {@link #writeEmptySparse}'s value. */
    public static final int EMPTY_SPARSE_SIZE = HEADER + (REGISTERS + SPARSE_XZERO_MAX_RUN - 1) / SPARSE_XZERO_MAX_RUN * 2;

    // ------------------------------------------------------------------ hashing

    /**
     * The register {@code element} falls in (low 14 bits) and its value (the position of the first
     * set bit of the rest, counting from 1, at most 51): Redis's {@code hllPatLen}, packed as
     * {@code index << 8 | count}.
     */
    static int registerAndCount(byte[] element) {
        long hash = MurmurHash2.hash64(element, element.length, SEED);
        int index = (int) (hash & INDEX_MASK);
        long rest = (hash >>> 14) | (1L << Q);
        int count = Long.numberOfTrailingZeros(rest) + 1;
        return index << 8 | count;
    }

    // ------------------------------------------------------------------ dense registers

    static int denseGet(byte[] b, int register) {
        int at = HEADER + register * BITS / 8;
        int shift = register * BITS & 7;
        int b0 = b[at] & 0xff;
        int b1 = at + 1 < DENSE_SIZE ? b[at + 1] & 0xff : 0; // the last register's second byte is past the end: C reads the NUL there
        return ((b0 >>> shift) | (b1 << (8 - shift))) & REGISTER_MAX;
    }

    static void denseSet(byte[] b, int register, int value) {
        int at = HEADER + register * BITS / 8;
        int shift = register * BITS & 7;
        b[at] = (byte) ((b[at] & ~(REGISTER_MAX << shift)) | (value << shift));
        if (at + 1 < DENSE_SIZE) {
            int high = 8 - shift;
            b[at + 1] = (byte) ((b[at + 1] & ~(REGISTER_MAX >>> high)) | (value >>> high));
        }
    }

    /** Raises a dense register to {@code count} if it is lower; true when it changed. */
    static boolean denseRaise(byte[] b, int register, int count) {
        if (count > denseGet(b, register)) {
            denseSet(b, register, count);
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ sparse opcodes

    static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    static boolean isXZero(int op) {
        return (op & 0xc0) == 0x40;
    }

    static boolean isVal(int op) {
        return (op & 0x80) != 0;
    }

    static int zeroRun(int op) {
        return (op & 0x3f) + 1;
    }

    /** An XZERO's run; its second byte is read as 0 past the value's end (C reads the string's NUL there). */
    static int xzeroRun(byte[] b, int at, int length) {
        return xzeroRun(b, at, length, 0);
    }

    /**
     * An XZERO's run, its second byte read as {@code pastEnd} past the value's end: the byte C finds
     * there, the string's NUL, or within one PFADD the last byte of an edit that wrote past the
     * value's new end ({@link HllString}).
     */
    static int xzeroRun(byte[] b, int at, int length, int pastEnd) {
        int low = at + 1 < length ? b[at + 1] & 0xff : pastEnd;
        return ((b[at] & 0x3f) << 8 | low) + 1;
    }

    static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    static int valRun(int op) {
        return (op & 0x3) + 1;
    }

    static byte val(int value, int run) {
        return (byte) (((value - 1) << 2 | (run - 1)) | 0x80);
    }

    static int putZeroRun(byte[] b, int at, int run) {
        if (run > SPARSE_ZERO_MAX_RUN) {
            return putXZero(b, at, run);
        }
        b[at] = (byte) (run - 1);
        return at + 1;
    }

    static int putXZero(byte[] b, int at, int run) {
        int l = run - 1;
        b[at] = (byte) ((l >>> 8) | 0x40);
        b[at + 1] = (byte) l;
        return at + 2;
    }

    /**
     * Calls {@code each} for every run of registers a sparse value describes, in order, and returns
     * how many registers that was; stops early (returning more than {@link #REGISTERS}) once the runs
     * pass the last register, so a value longer than any valid one costs no more than a valid one.
     * A value run that would pass the last register stops the walk too (Redis's "overflow" check).
     */
    private static long walkSparse(byte[] b, int length, RunVisitor each) {
        return walkSparse(b, length, 0, each);
    }

    private static long walkSparse(byte[] b, int length, int pastEnd, RunVisitor each) {
        long index = 0;
        int at = HEADER;
        while (at < length && index <= REGISTERS) {
            int op = b[at] & 0xff;
            if (isZero(op)) {
                index += zeroRun(op);
                at++;
            } else if (isXZero(op)) {
                index += xzeroRun(b, at, length, pastEnd);
                at += 2;
            } else {
                int run = valRun(op);
                if (index + run > REGISTERS) {
                    return -1;
                }
                each.run((int) index, run, valValue(op));
                index += run;
                at++;
            }
        }
        return index;
    }

    @FunctionalInterface
    private interface RunVisitor {
        void run(int first, int run, int value);
    }

    /** The dense form of a sparse value (header copied, encoding dense), or null when the sparse value is corrupt. */
    static byte[] sparseToDense(byte[] sparse, int length) {
        return sparseToDense(sparse, length, 0);
    }

    /** {@link #sparseToDense(byte[], int)} with the byte past the value's end read as {@code pastEnd} ({@link #xzeroRun}). */
    static byte[] sparseToDense(byte[] sparse, int length, int pastEnd) {
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(sparse, 0, dense, 0, HEADER);
        dense[ENCODING_AT] = DENSE;
        long registers = walkSparse(sparse, length, pastEnd, (first, run, value) -> {
            for (int i = 0; i < run; i++) {
                denseSet(dense, first + i, value);
            }
        });
        return registers == REGISTERS ? dense : null;
    }

    /**
     * Raises {@code max[i]} to every register of the value (Redis's {@code hllMerge}); false when a
     * sparse value is corrupt.
     */
    public static boolean mergeInto(byte[] max, byte[] b, int length) {
        if (isDense(b)) {
            // three bytes hold four registers exactly: 4,096 groups, no register straddles two groups
            for (int i = 0, at = HEADER; i < REGISTERS; i += 4, at += 3) {
                int b0 = b[at] & 0xff;
                int b1 = b[at + 1] & 0xff;
                int b2 = b[at + 2] & 0xff;
                raise(max, i, b0 & REGISTER_MAX);
                raise(max, i + 1, (b0 >>> 6 | b1 << 2) & REGISTER_MAX);
                raise(max, i + 2, (b1 >>> 4 | b2 << 4) & REGISTER_MAX);
                raise(max, i + 3, b2 >>> 2);
            }
            return true;
        }
        return walkSparse(b, length, (first, run, value) -> {
            for (int i = first; i < first + run; i++) {
                if (value > max[i]) {
                    max[i] = (byte) value;
                }
            }
        }) == REGISTERS;
    }

    private static void raise(byte[] max, int i, int value) {
        if (value > max[i]) {
            max[i] = (byte) value;
        }
    }

    // ------------------------------------------------------------------ counting

    /** The estimated cardinality of a value's registers, or -1 when a sparse value is corrupt (Redis's {@code hllCount}). */
    static long count(byte[] b, int length) {
        int[] histogram = new int[64];
        if (isDense(b)) {
            for (int at = HEADER; at < DENSE_SIZE; at += 3) {
                int b0 = b[at] & 0xff;
                int b1 = b[at + 1] & 0xff;
                int b2 = b[at + 2] & 0xff;
                histogram[b0 & REGISTER_MAX]++;
                histogram[(b0 >>> 6 | b1 << 2) & REGISTER_MAX]++;
                histogram[(b1 >>> 4 | b2 << 4) & REGISTER_MAX]++;
                histogram[b2 >>> 2]++;
            }
        } else {
            long registers = walkSparse(b, length, (first, run, value) -> histogram[value] += run);
            // runs of zeros: whatever the value runs did not cover (a valid value covers exactly REGISTERS)
            if (registers != REGISTERS) {
                return -1;
            }
            int nonZero = 0;
            for (int v = 1; v < histogram.length; v++) {
                nonZero += histogram[v];
            }
            histogram[0] = REGISTERS - nonZero;
        }
        return estimate(histogram);
    }

    /** The estimated cardinality of 16,384 byte registers (PFCOUNT of several keys, merged on the caller). */
    public static long countRegisters(byte[] registers) {
        int[] histogram = new int[64];
        for (byte r : registers) {
            histogram[r]++;
        }
        return estimate(histogram);
    }

    /** Ertl's estimator over the register histogram ("New cardinality estimation algorithms for HyperLogLog sketches"). */
    private static long estimate(int[] histogram) {
        double m = REGISTERS;
        double z = m * tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * sigma(histogram[0] / m);
        double e = ALPHA_INF * m * m / z;
        long rounded = (long) Math.floor(e);
        return e - rounded >= 0.5 ? rounded + 1 : rounded; // llroundl: halves away from zero
    }

    private static double sigma(double x) {
        if (x == 1.) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0. || x == 1.) {
            return 0.;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y;
        } while (zPrime != z);
        return z / 3;
    }

    // ------------------------------------------------------------------ PFDEBUG

    /** The 16,384 register values of a dense value (PFDEBUG GETREG). */
    public static int[] registers(byte[] dense) {
        int[] out = new int[REGISTERS];
        for (int i = 0; i < REGISTERS; i++) {
            out[i] = denseGet(dense, i);
        }
        return out;
    }

    /**
     * A sparse value's opcodes as PFDEBUG DECODE writes them ({@code z:run}, {@code Z:run},
     * {@code v:value,run}, blank-separated); null for a value longer than any valid sparse one
     * (whose text Redis would make without a bound).
     */
    public static byte[] decode(byte[] b, int length) {
        if (length > SPARSE_MAX_VALID) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int at = HEADER;
        while (at < length) {
            int op = b[at] & 0xff;
            if (out.length() > 0) {
                out.append(' ');
            }
            if (isZero(op)) {
                out.append("z:").append(zeroRun(op));
                at++;
            } else if (isXZero(op)) {
                out.append("Z:").append(xzeroRun(b, at, length));
                at += 2;
            } else {
                out.append("v:").append(valValue(op)).append(',').append(valRun(op));
                at++;
            }
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
