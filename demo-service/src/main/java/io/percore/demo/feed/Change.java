package io.percore.demo.feed;

import java.util.BitSet;
import java.util.List;

/**
 * One report of a shard's write path ({@code shard.WritePath}, through a {@link ChangeListener}): a
 * change of that shard's keys, as the commands that, replayed in order against the same keys, make the
 * same change (Redis's propagated commands), and the keys it touched. Every command it holds names only keys of {@link #shard}; FLUSHALL and FLUSHDB
 * stand for "every key of this shard". A change is atomic: replay all of its commands or none.
 *
 * <p>A change may be one part of a group ({@link #group} not 0): a transaction (MULTI/EXEC) or a
 * command that spans shards, whose parts the {@link #participants} each report on their own.
 * The group is atomic as a whole, and {@link #steps} orders its commands across the parts: the
 * transaction's commands ran in step order, and commands of one step on different shards touch
 * different keys (so their relative order does not matter), except FLUSHALL/FLUSHDB, which each
 * participant reports for its own keys. {@link ChangeMerge} makes one stream from the shards'.
 * A participant whose part changed nothing reports an empty part, so that a reader of all the
 * shards' changes can tell when it has every part.
 *
 * @param shard        the shard whose keys changed
 * @param group        0 when this change stands alone; else the transaction or command it is a part of
 * @param participants the shards reporting a part of {@link #group} (null when it is 0)
 * @param commands     what to replay, in order (each an argv: name first)
 * @param steps        per command, its step in the group (null when {@link #group} is 0)
 * @param dbs          per command, the database it runs in (Redis's {@code SELECT}ed one); null when every command
 *                     runs in database 0, the common case, which costs no array
 * @param keys         the keys the change touched, in the order they changed (repeats possible)
 * @param cause        what made it: the lower-case name of the command that ran, {@code expired} or {@code evicted}
 */
public record Change(int shard, long group, BitSet participants, List<byte[][]> commands, int[] steps, int[] dbs,
                     List<byte[]> keys, String cause) implements GroupOrder.Part {

    /** The database command {@code i} runs in. */
    public int db(int i) {
        return dbs == null ? 0 : dbs[i];
    }

    /** Whether this is a part of a group (a transaction or a command spanning shards). */
    public boolean grouped() {
        return group != 0;
    }

    /**
     * This change with its own copies of every argument: what a reader on another thread keeps
     * (the store may change the arrays of a change in place after it was reported).
     */
    public Change copy() {
        List<byte[][]> own = new java.util.ArrayList<>(commands.size());
        for (byte[][] argv : commands) {
            byte[][] c = new byte[argv.length][];
            for (int i = 0; i < argv.length; i++) {
                c[i] = argv[i].clone();
            }
            own.add(c);
        }
        return new Change(shard, group, participants, own, steps, dbs, List.of(), cause);
    }
}
