package io.percore.operator.backup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The CRC-64 that ends an RDB file (Redis's {@code crc64.c}: Jones' polynomial {@code 0xad93d23594c935a9}, reflected
 * in and out, starting from 0, nothing xored out), eight bytes at a time: a backup of a gigabyte runs every byte
 * through it, and one table lookup per byte was a third of the check's time.
 */
final class Crc64 {

    /** The polynomial with its bits reversed, as a reflected CRC uses it. */
    private static final long POLY_REFLECTED = 0x95ac9329ac4bc9b5L;
    private static final long[][] TABLES = tables();
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Crc64() {
    }

    /** The CRC of {@code crc}'s bytes followed by {@code len} bytes of {@code data} from {@code off}. */
    static long update(long crc, byte[] data, int off, int len) {
        long[] t0 = TABLES[0];
        long[] t1 = TABLES[1];
        long[] t2 = TABLES[2];
        long[] t3 = TABLES[3];
        long[] t4 = TABLES[4];
        long[] t5 = TABLES[5];
        long[] t6 = TABLES[6];
        long[] t7 = TABLES[7];
        int i = off;
        int end = off + len;
        for (; end - i >= 8; i += 8) {
            crc ^= (long) LONG_LE.get(data, i);
            crc = t7[(int) crc & 0xff] ^ t6[(int) (crc >>> 8) & 0xff] ^ t5[(int) (crc >>> 16) & 0xff] ^ t4[(int) (crc >>> 24) & 0xff]
                    ^ t3[(int) (crc >>> 32) & 0xff] ^ t2[(int) (crc >>> 40) & 0xff] ^ t1[(int) (crc >>> 48) & 0xff] ^ t0[(int) (crc >>> 56)];
        }
        for (; i < end; i++) {
            crc = t0[(int) (crc ^ data[i]) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }

    private static long[][] tables() {
        long[][] t = new long[8][256];
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[0][n] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int n = 0; n < 256; n++) {
                long prev = t[k - 1][n];
                t[k][n] = (prev >>> 8) ^ t[0][(int) prev & 0xff];
            }
        }
        return t;
    }
}
