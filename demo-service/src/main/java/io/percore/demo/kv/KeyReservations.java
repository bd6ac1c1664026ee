package io.percore.demo.kv;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys of one store held for a cross-shard write between its prepare and its commit (RENAMENX to a key of another
 * shard): an NX write respects a reserved key as it respects an existing one ({@link ValueStore#existsOrReserved}),
 * and any write of the key ends its reservation, that write being ordered after the reserving command.
 */
public final class KeyReservations {

    private final ValueStore store;
    /** Key -> the id of the transaction that reserved it. */
    private final Map<ByteString, Long> byKey = new HashMap<>();

    KeyReservations(ValueStore store) {
        this.store = store;
    }

    /**
     * Prepare step: if none of {@code keys} exists or is reserved, reserves them all for {@code txn}
     * and returns true; otherwise changes nothing.
     */
    public boolean reserveIfAbsent(List<byte[]> keys, long txn, long now) {
        for (byte[] key : keys) {
            if (store.existsOrReserved(key, now)) {
                return false;
            }
        }
        for (byte[] key : keys) {
            byKey.put(new ByteString(key), txn);
        }
        return true;
    }

    /**
     * Commit step of strings: writes each key still reserved by {@code txn}, and returns their positions in
     * {@code keys}. A key written by someone else since the prepare lost its reservation; that write
     * is ordered after this command, so its value stands (the same outcome as the command, then the write).
     */
    public List<Integer> commit(List<byte[]> keys, List<byte[]> values, long txn) {
        List<Integer> written = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            if (heldBy(keys.get(i), txn)) {
                store.setString(keys.get(i), values.get(i), ValueStore.NO_EXPIRY); // ends the reservation
                store.notify(KeyspaceEvents.STRING, "set", keys.get(i)); // MSETNX's event, after each key as Redis
                written.add(i);
            }
        }
        return written;
    }

    /** Abort step: drops the reservations {@code txn} still holds. */
    public void release(List<byte[]> keys, long txn) {
        for (byte[] key : keys) {
            if (heldBy(key, txn)) {
                byKey.remove(new ByteString(key));
            }
        }
    }

    public int count() {
        return byKey.size();
    }

    private boolean heldBy(byte[] key, long txn) {
        Long owner = byKey.get(new ByteString(key));
        return owner != null && owner == txn;
    }

    boolean holds(byte[] key) {
        return !byKey.isEmpty() && byKey.containsKey(new ByteString(key));
    }

    /** {@code key} was written or deleted: whoever reserved it no longer does. */
    void end(byte[] key) {
        if (!byKey.isEmpty()) {
            byKey.remove(new ByteString(key));
        }
    }
}
