package io.percore.demo.kv;

/**
 * The strings of one store changed in place (APPEND, SETRANGE, SETBIT, BITFIELD, a HyperLogLog's registers): Redis's
 * {@code dbUnshareStringValue} and an sds grown with {@code sdsgrowzero}. A plain string is never changed in place (a
 * reply or another shard may hold it): it becomes a {@link GrowableString} first, whose first change copies.
 */
public final class StringsInPlace {

    private final ValueStore store;
    private boolean lastCounted;

    StringsInPlace(ValueStore store) {
        this.store = store;
    }

    /**
     * The string at {@code key} ready to be changed in place up to {@code newLength} bytes: created
     * empty when missing, a plain string turned into a {@link GrowableString} (without a copy: its
     * first change copies), lengthened with zeros, its array the store's own until it is next shared.
     * A length past the shard's whole budget is refused before anything is allocated; the growth is
     * counted in the budget. Creating or lengthening the string counts as a change for WATCH (Redis's
     * "dirty"); a change of bytes within it is the caller's to report ({@link ValueStore#modified}), as
     * SETBIT reports only a bit that changed.
     *
     * @throws WrongTypeException when the key holds another type
     * @throws OutOfBudgetException when {@code newLength} is larger than the shard's budget
     */
    public GrowableString writable(byte[] key, int newLength, long now) {
        Object stored = store.lookupWrite(key, ValueType.STRING, now);
        StoreMemory memory = store.memory();
        memory.requireFits(newLength);
        GrowableString string;
        boolean created = stored == null;
        if (stored instanceof GrowableString g) {
            string = g;
        } else if (created) {
            string = GrowableString.empty();
            store.set(key, ValueType.STRING, string, ValueStore.NO_EXPIRY); // one change, as Redis's dirty counts a key created by SETBIT
        } else {
            string = GrowableString.adopt((byte[]) stored);
            store.replaceValue(key, string); // the same string in another form: not a change
        }
        long before = string.bytes();
        int lengthBefore = string.length();
        long max = memory.budget().maxBytes();
        string.ensureLength(newLength, max > 0 ? max : Long.MAX_VALUE);
        memory.add(string.bytes() - before);
        lastCounted = created || string.length() != lengthBefore;
        if (string.length() != lengthBefore && !created) {
            store.modified(key);
        }
        return string;
    }

    /**
     * Whether the last {@link #writable} counted as a change already (it created or lengthened the
     * string): a command that then changes bytes in it does not count again (Redis's SETBIT and BITFIELD
     * add one to {@code dirty} for a created or grown string whose bits also changed).
     */
    public boolean lastCounted() {
        return lastCounted;
    }

    /**
     * Replaces the string of a live key by {@code value}, keeping its TTL (a HyperLogLog turned
     * dense): counted in the budget and as a change of the key.
     */
    void replace(byte[] key, GrowableString value) {
        store.replaceValue(key, value);
        store.modified(key);
    }
}
