package io.percore.demo.kv;

/**
 * The keys of each hash slot in one store (Redis Cluster's {@code slots_to_keys} counts: CLUSTER COUNTKEYSINSLOT, and
 * what a migration has left to move): 64 KB and a CRC16 per key added or removed, so kept only in cluster mode;
 * outside it {@link #NONE} counts nothing and every slot reads 0.
 */
public final class SlotCounts {

    /** Outside cluster mode: no array, no CRC16 per change. */
    static final SlotCounts NONE = new SlotCounts(null);

    private final int[] keys;

    private SlotCounts(int[] keys) {
        this.keys = keys;
    }

    /** The counts of what {@code table} holds now. */
    static SlotCounts of(KeyTable table) {
        SlotCounts counts = new SlotCounts(new int[KeyHashing.SLOTS]);
        table.forEach(e -> counts.added(table.key(e)));
        return counts;
    }

    void added(byte[] key) {
        if (keys != null) {
            keys[KeyHashing.slot(key)]++;
        }
    }

    void removed(byte[] key) {
        if (keys != null) {
            keys[KeyHashing.slot(key)]--;
        }
    }

    void clear() {
        if (keys != null) {
            java.util.Arrays.fill(keys, 0);
        }
    }

    /** Keys of {@code slot} here (expired ones not yet deleted included, as Redis's count); 0 outside cluster mode. */
    public int count(int slot) {
        return keys == null ? 0 : keys[slot];
    }

    /** The slots with at least one key here, as {@link #count} counts; none outside cluster mode. */
    public java.util.BitSet held() {
        java.util.BitSet held = new java.util.BitSet(KeyHashing.SLOTS);
        for (int s = 0; keys != null && s < keys.length; s++) {
            if (keys[s] > 0) {
                held.set(s);
            }
        }
        return held;
    }
}
