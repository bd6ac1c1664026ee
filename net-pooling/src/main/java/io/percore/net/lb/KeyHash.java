package io.percore.net.lb;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit hashes for consistent hashing: FNV-1a over the bytes, then the MurmurHash3 finaliser
 * so nearby keys spread over the whole range. Stable across JVMs and shards.
 */
public final class KeyHash {

    private KeyHash() {
    }

    public static long of(CharSequence key) {
        if (key instanceof String) {
            return of(((String) key).getBytes(StandardCharsets.UTF_8), 0x6A09E667F3BCC909L);
        }
        return of(key.toString());
    }

    public static long of(byte[] key) {
        return of(key, 0x6A09E667F3BCC909L);
    }

    static long of(byte[] key, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix(h);
    }

    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
