package io.percore.demo.resp;

import java.nio.charset.StandardCharsets;

/**
 * The {@code SELECT} of a stream of commands that is replayed rather than served (an append-only file, a primary's
 * replication stream): which database it selects for what follows, checked against this server's {@code databases},
 * and the {@code SELECT} a replay hands its applier first.
 */
public final class SelectedDatabase {

    private static final byte[] SELECT = "select".getBytes(StandardCharsets.US_ASCII);

    private SelectedDatabase() {
    }

    /**
     * The database {@code argv} selects, or -1 when it is another command.
     *
     * @throws IllegalArgumentException for a SELECT of a database this server does not have (nothing is applied), with
     *                                  the reason ({@link #refusal})
     */
    public static int selected(byte[][] argv, int databases) {
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
            throw new IllegalArgumentException(refusal("SELECT of database " + index, databases));
        }
        return (int) db;
    }

    /** {@code SELECT db}, as Redis writes it in its streams and files. */
    public static byte[][] command(int db) {
        return new byte[][] {"SELECT".getBytes(StandardCharsets.US_ASCII), Integer.toString(db).getBytes(StandardCharsets.US_ASCII)};
    }

    /**
     * Why something of a database this server does not have is refused: {@code what} (e.g. "keys of database 20"),
     * then how many it has ("this server has 16 databases, 0 to 15"; with one, "this server has one database, 0").
     */
    public static String refusal(String what, int databases) {
        return what + ": this server has " + (databases == 1 ? "one database, 0" : databases + " databases, 0 to " + (databases - 1));
    }
}
