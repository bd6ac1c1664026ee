package io.percore.demo.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * SipHash-c-d (Aumasson and Bernstein) of a byte string under a 128-bit key. Redis hashes its
 * dictionaries' keys with SipHash-1-2 under a random seed so that a client cannot pick keys, fields
 * or members that all fall into one bucket and turn every lookup into a scan; the key table and
 * {@link ByteString} (the maps' keys for fields and members) do the same, with a seed drawn once
 * per process.
 */
public final class SipHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long K0;
    private static final long K1;

    static {
        SecureRandom random = new SecureRandom();
        K0 = random.nextLong();
        K1 = random.nextLong();
    }

    private SipHash() {
    }

    /** SipHash-1-2 of {@code data} under the process's seed, folded to 32 bits. */
    public static int hash32(byte[] data) {
        return hash32(data, data.length);
    }

    /** {@link #hash32(byte[])} of the first {@code length} bytes of {@code data}. */
    public static int hash32(byte[] data, int length) {
        long h = hash(K0, K1, data, length, 1, 2);
        return (int) (h ^ (h >>> 32));
    }

    /** SipHash with {@code c} compression and {@code d} finalization rounds of {@code data} under key (k0, k1). */
    static long hash(long k0, long k1, byte[] data, int c, int d) {
        return hash(k0, k1, data, data.length, c, d);
    }

    private static long hash(long k0, long k1, byte[] data, int n, int c, int d) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int whole = n & ~7;
        for (int i = 0; i < whole; i += 8) {
            long m = (long) LONGS.get(data, i);
            v3 ^= m;
            for (int r = 0; r < c; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        long last = ((long) n) << 56;
        for (int i = n - 1; i >= whole; i--) {
            last |= (data[i] & 0xFFL) << (8 * (i - whole));
        }
        v3 ^= last;
        for (int r = 0; r < c; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int r = 0; r < d; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
