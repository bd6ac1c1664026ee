package io.percore.demo.replication;

import io.percore.demo.resp.AsciiCase;
import io.percore.demo.resp.CommandStreamParser;
import java.nio.charset.StandardCharsets;

/**
 * The database a primary's stream has selected, as a replica reads it: a {@code SELECT} of the stream, checked against
 * this server's {@code databases}, and the {@code SELECT} a partial resync hands its applier first (Redis's
 * {@code slaveseldb}).
 */
final class StreamDatabase {

    private static final byte[] SELECT = "select".getBytes(StandardCharsets.US_ASCII);

    private StreamDatabase() {
    }

    /**
     * The database {@code argv} selects for what follows, or -1 when it is another command; one past {@code databases}
     * is a stream this server cannot apply, refused with the reason.
     */
    static int selected(byte[][] argv, int databases) throws CommandStreamParser.Corrupt {
        if (!AsciiCase.equalsIgnoreCase(argv[0], SELECT)) {
            return -1;
        }
        String index = argv.length == 2 ? new String(argv[1], StandardCharsets.ISO_8859_1) : "?";
        long db;
        try {
            db = argv.length == 2 ? Long.parseLong(index) : -1;
        } catch (NumberFormatException e) {
            db = -1;
        }
        if (db < 0 || db >= databases) {
            throw new CommandStreamParser.Corrupt("the primary selected database " + index + ": this server has "
                    + (databases == 1 ? "only database 0" : databases + " databases, 0 to " + (databases - 1))
                    + " (start it with percore.demo.resp.databases above " + index + ")");
        }
        return (int) db;
    }

    /** {@code SELECT db}, as the applier takes it. */
    static byte[][] select(int db) {
        return new byte[][] {"SELECT".getBytes(StandardCharsets.US_ASCII), Integer.toString(db).getBytes(StandardCharsets.US_ASCII)};
    }
}
