package io.percore.demo.rdb;

/**
 * The CRC-64 of Redis's DUMP payloads (Redis's {@code crc64.c}: the "Jones" polynomial
 * {@code 0xad93d23594c935a9}, bits reflected, initial value 0, no final xor). Eight bytes per step
 * (slicing-by-8), so a payload of the maximum bulk size is checked in a fraction of a second.
 */
public final class Crc64 {

    /** The polynomial with its bits reversed, for the reflected (least significant bit first) form. */
    private static final long REFLECTED_POLY = Long.reverse(0xad93d23594c935a9L);
    private static final long[][] TABLES = new long[8][256];

    static {
        for (int b = 0; b < 256; b++) {
            long crc = b;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ REFLECTED_POLY : crc >>> 1;
            }
            TABLES[0][b] = crc;
        }
        for (int b = 0; b < 256; b++) {
            for (int t = 1; t < 8; t++) {
                long prev = TABLES[t - 1][b];
                TABLES[t][b] = TABLES[0][(int) (prev & 0xff)] ^ (prev >>> 8);
            }
        }
    }

    private Crc64() {
    }

    /** The CRC of {@code data[from, from + length)} continued from {@code crc} (0 to start). */
    public static long update(long crc, byte[] data, int from, int length) {
        int i = from;
        int end = from + length;
        long[] t0 = TABLES[0];
        for (; i + 8 <= end; i += 8) {
            crc ^= (data[i] & 0xffL) | (data[i + 1] & 0xffL) << 8 | (data[i + 2] & 0xffL) << 16 | (data[i + 3] & 0xffL) << 24
                    | (data[i + 4] & 0xffL) << 32 | (data[i + 5] & 0xffL) << 40 | (data[i + 6] & 0xffL) << 48 | (data[i + 7] & 0xffL) << 56;
            crc = TABLES[7][(int) (crc & 0xff)] ^ TABLES[6][(int) (crc >>> 8 & 0xff)] ^ TABLES[5][(int) (crc >>> 16 & 0xff)]
                    ^ TABLES[4][(int) (crc >>> 24 & 0xff)] ^ TABLES[3][(int) (crc >>> 32 & 0xff)] ^ TABLES[2][(int) (crc >>> 40 & 0xff)]
                    ^ TABLES[1][(int) (crc >>> 48 & 0xff)] ^ t0[(int) (crc >>> 56)];
        }
        for (; i < end; i++) {
            crc = t0[(int) ((crc ^ data[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }

    /** The CRC of all of {@code data}. */
    public static long of(byte[] data) {
        return update(0, data, 0, data.length);
    }
}
