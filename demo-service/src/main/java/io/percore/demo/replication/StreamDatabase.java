package io.percore.demo.replication;

import io.percore.demo.resp.CommandStreamParser;
import io.percore.demo.resp.SelectedDatabase;

/**
 * The database a primary's stream has selected, as a replica reads it ({@link SelectedDatabase}): a {@code SELECT} of a
 * database this server does not have is a stream it cannot apply, which drops the link with the reason and the remedy.
 */
final class StreamDatabase {

    private StreamDatabase() {
    }

    /** The database {@code argv} selects for what follows, or -1 when it is another command. */
    static int selected(byte[][] argv, int databases) throws CommandStreamParser.Corrupt {
        try {
            return SelectedDatabase.selected(argv, databases);
        } catch (IllegalArgumentException e) {
            throw new CommandStreamParser.Corrupt("the primary's " + e.getMessage() + " (start it with percore.demo.resp.databases above "
                    + (argv.length == 2 ? new String(argv[1], java.nio.charset.StandardCharsets.ISO_8859_1) : "the one it selects") + ")");
        }
    }
}
