package io.percore.demo.feed;

import java.util.List;

/**
 * Commands that replay together, in order (one command as it is, several as MULTI ... EXEC), each in
 * its database: what a stream made of the shards' changes hands its writer ({@link ChangeMerge}).
 *
 * @param commands what to replay, in order (each an argv: name first)
 * @param dbs      per command, the database it runs in; null when every command runs in database 0
 */
public record Block(List<byte[][]> commands, int[] dbs) {

    /** The database command {@code i} runs in. */
    public int db(int i) {
        return dbs == null ? 0 : dbs[i];
    }
}
