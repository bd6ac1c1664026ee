package io.percore.demo.kv;

/**
 * Told by a {@link ValueStore} that a key was added (created, or replaced with a value of another
 * type) while some client blocks on keys of that store: Redis's {@code signalKeyAsReady}, which
 * {@code dbAdd} calls. A blocked list pop waits on a key that holds no list, so the list it waits
 * for always arrives this way: LPUSH or LMOVE creating it, RENAME or a put-back moving it in.
 */
public interface KeyAddedSignal {

    /** Runs on the store's shard, inside the write; must only note the key (serving comes after the command). */
    void keyAdded(byte[] key, ValueType type);

    /**
     * The command that wrote is over: serve the clients waiting on the keys it added, now, before
     * the shard runs anything else (Redis's handleClientsBlockedOnKeys after each command).
     */
    void commandDone();
}
