package io.percore.demo.kv;

/**
 * The keys of each hash slot in one store (Redis Cluster's {@code slots_to_keys} counts: CLUSTER COUNTKEYSINSLOT, and
 * what a migration has left to move): 64 KB and a CRC16 per key added or removed, so kept only in cluster mode.
 */
final class SlotCounts {

    private final int[] keys = new int[KeyHashing.SLOTS];

    /** The counts of what {@code table} holds now. */
    static SlotCounts of(KeyTable table) {
        SlotCounts counts = new SlotCounts();
        table.forEach(e -> counts.added(table.key(e)));
        return counts;
    }

    void added(byte[] key) {
        keys[KeyHashing.slot(key)]++;
    }

    void removed(byte[] key) {
        keys[KeyHashing.slot(key)]--;
    }

    void clear() {
        java.util.Arrays.fill(keys, 0);
    }

    int count(int slot) {
        return keys[slot];
    }

    /** Sets in {@code into} every slot with a key here. */
    void addHeldTo(java.util.BitSet into) {
        for (int s = 0; s < keys.length; s++) {
            if (keys[s] > 0) {
                into.set(s);
            }
        }
    }
}
