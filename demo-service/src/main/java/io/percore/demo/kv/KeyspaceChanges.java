package io.percore.demo.kv;

/**
 * Where a shard's {@link ValueStore} and the commands running on it report what they change: the
 * store reports every change of a key as it makes it (Redis's {@code signalModifiedKey},
 * {@code signalKeyAsReady}, and the deletion of an expired or evicted key), a command reports its
 * effect as the command to replay elsewhere when its own arguments are not that ({@link #propagate},
 * Redis's {@code rewriteClientCommandVector}/{@code alsoPropagate}). The shard's write path
 * ({@code io.percore.demo.shard.WritePath}) implements it; a store on its own reports to
 * {@link #NONE}.
 *
 * <p>Called on the store's shard only, from inside the change: implementations must not change the
 * store.
 */
public interface KeyspaceChanges {

    /** A key's value, type or expiry changed, or it was deleted (WATCH, client tracking). */
    void modified(byte[] key);

    /** {@code key} was given a whole value of {@code type}, new or replacing another (clients blocked on it). */
    void valueSet(byte[] key, ValueType type);

    /**
     * {@code key} may serve or fail clients blocked on it although it was given no whole value
     * (Redis's {@code signalKeyAsReady} from XADD, XGROUP DESTROY, and the deletion of a stream,
     * which fails the XREADGROUP clients waiting on it).
     */
    default void keyReady(byte[] key) {
    }

    /** {@code key} was deleted because its time to live had passed (lazily on access, or by the expiry cycle). */
    void expired(byte[] key);

    /** {@code key} was deleted to bring the shard back within its memory budget. */
    void evicted(byte[] key);

    /** Every key of the store is about to be deleted (FLUSHALL, FLUSHDB): the store still holds them. */
    void flushing();

    /**
     * The running command's effect on this shard, as a command that replayed elsewhere makes the
     * same change (deterministic: absolute expiries, the members a random pop took). Called instead
     * of, not as well as, letting the command's own arguments stand for it; several calls make an
     * effect of several commands, applied together.
     */
    void propagate(byte[]... command);

    /**
     * The running command's effect on {@code key} is the key as it is now: its whole value, type and
     * expiry (replayed as {@code RESTORE key <absolute ttl> <payload> REPLACE ABSTTL}), or its
     * absence ({@code DEL key}). For a command that made the value from what other shards hold
     * (SUNIONSTORE, ZUNIONSTORE, SORT ... STORE, BITOP) or moved it from another shard (RENAME,
     * COPY), whose own arguments would not make the same change here. Counts as
     * {@link #propagate}; the payload is made only when someone follows the changes.
     */
    void propagateValue(byte[] key);

    /**
     * Whether anyone follows the changes now. A command whose effect must be spelled out builds it
     * only then ({@link #propagate}); otherwise it says only that it reported one ({@link #propagated}),
     * so the hot path allocates nothing for nobody.
     */
    boolean followed();

    /** The running command reported its effect, which nobody follows now: counts as {@link #propagate} without its commands. */
    void propagated();

    /**
     * A keyspace event of class {@code type} ({@link KeyspaceEvents}) named {@code event} happened
     * to {@code key}: called where Redis calls {@code notifyKeyspaceEvent}, in the same order, on the
     * key's shard. Costs one field check while the class is off; {@code event} is a constant.
     */
    void notify(int type, String event, byte[] key);

    /** Reports to nobody: a store used on its own (tests, a DUMP payload decoded into a scratch store). */
    KeyspaceChanges NONE = new KeyspaceChanges() {
        @Override
        public void modified(byte[] key) {
        }

        @Override
        public void valueSet(byte[] key, ValueType type) {
        }

        @Override
        public void expired(byte[] key) {
        }

        @Override
        public void evicted(byte[] key) {
        }

        @Override
        public void flushing() {
        }

        @Override
        public void propagate(byte[]... command) {
        }

        @Override
        public void propagateValue(byte[] key) {
        }

        @Override
        public boolean followed() {
            return false;
        }

        @Override
        public void propagated() {
        }

        @Override
        public void notify(int type, String event, byte[] key) {
        }
    };
}
