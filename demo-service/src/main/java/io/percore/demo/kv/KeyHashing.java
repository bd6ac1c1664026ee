package io.percore.demo.kv;

/**
 * Maps a key to the shard that owns it. Uses Redis Cluster's hash slot (CRC16 of the key, or of
 * the part inside the first non-empty <code>{...}</code> hash tag, mod 16384) and then
 * {@code slot % shards}, so keys that share a hash tag always live on one shard: multi-key
 * commands over them run on a single shard and are atomic, as in Redis Cluster.
 */
public final class KeyHashing {

    public static final int SLOTS = 16384;

    private static final int[] CRC16_TABLE = new int[256];

    static {
        // CRC16-CCITT (XMODEM), polynomial 0x1021, the variant Redis Cluster uses.
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16_TABLE[i] = crc & 0xFFFF;
        }
    }

    private KeyHashing() {
    }

    /** CRC16/XMODEM of {@code bytes[from, to)}. */
    public static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    /** The Redis Cluster hash slot of {@code key} (honours hash tags). */
    public static int slot(byte[] key) {
        return slot(key, key.length);
    }

    /** {@link #slot(byte[])} of the first {@code length} bytes of {@code key}. */
    public static int slot(byte[] key, int length) {
        int open = -1;
        for (int i = 0; i < length; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int close = open + 1; close < length; close++) {
                if (key[close] == '}') {
                    if (close > open + 1) {
                        return crc16(key, open + 1, close) & (SLOTS - 1);
                    }
                    break;
                }
            }
        }
        return crc16(key, 0, length) & (SLOTS - 1);
    }

    /** The shard owning {@code key} among {@code shards} shards. */
    public static int shardOf(byte[] key, int shards) {
        return shards == 1 ? 0 : slot(key) % shards;
    }

    /** {@link #shardOf(byte[], int)} of the first {@code length} bytes of {@code key}. */
    public static int shardOf(byte[] key, int length, int shards) {
        return shards == 1 ? 0 : slot(key, length) % shards;
    }
}
