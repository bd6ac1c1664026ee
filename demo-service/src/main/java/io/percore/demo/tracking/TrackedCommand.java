package io.percore.demo.tracking;

/**
 * A command of a tracking client as the shards it reaches see it: who runs it (for NOLOOP, which
 * keeps a client's own changes from being sent back to it) and, for a read whose keys are to be
 * remembered (Redis's {@code trackingRememberKeys} after a read-only command), those keys and
 * their owners. Each owner remembers its own keys in the same step as the read, so no change can
 * slip between the read and the remembering. Immutable: it crosses shards with the command.
 *
 * @param client the client's id
 * @param home   the shard its connection lives on
 * @param keys   the keys to remember once read (the command's own argument arrays, never changed), or null
 * @param owners the shard owning each of {@code keys}
 */
public record TrackedCommand(long client, int home, byte[][] keys, int[] owners) {

    long reader() {
        return Reader.of(client, home);
    }
}
