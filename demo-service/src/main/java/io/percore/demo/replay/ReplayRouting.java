package io.percore.demo.replay;

import io.percore.demo.resp.AsciiCase;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.command.CommandTable;
import io.percore.demo.shard.Keyspace;
import java.nio.charset.StandardCharsets;

/**
 * Where a replayed command runs, for both replays (the append-only file's and a primary's stream):
 * on the one shard owning every key it names, or alone when it has none, spans shards or reads keys
 * it does not name.
 */
final class ReplayRouting {

    private static final byte[] SELECT = "select".getBytes(StandardCharsets.US_ASCII);

    private ReplayRouting() {
    }

    /**
     * The command's table entry.
     *
     * @throws IllegalArgumentException naming the command when this server does not know it
     */
    static CommandSpec known(CommandTable commands, byte[][] argv) {
        CommandSpec spec = CommandCall.lookup(commands, argv);
        if (spec == null) {
            throw new IllegalArgumentException("Unknown command '" + new String(argv[0], StandardCharsets.UTF_8) + "'");
        }
        return spec;
    }

    /**
     * The database a {@code SELECT} of the feed selects, or -1 when {@code argv} is no SELECT.
     *
     * @throws IllegalArgumentException for a SELECT of a database this server does not have (nothing is applied)
     */
    static int selected(byte[][] argv, int databases) {
        if (!AsciiCase.equalsIgnoreCase(argv[0], SELECT)) {
            return -1;
        }
        String index = argv.length == 2 ? new String(argv[1], StandardCharsets.US_ASCII) : "?";
        long db;
        try {
            db = argv.length == 2 ? Long.parseLong(index) : -1;
        } catch (NumberFormatException e) {
            db = -1;
        }
        if (db < 0 || db >= databases) {
            throw new IllegalArgumentException(io.percore.demo.rdb.RdbFileReader.databasesRefusal("SELECT of database " + index, databases));
        }
        return (int) db;
    }

    /** The feed's {@code SELECT db}, as a client sends it. */
    static byte[][] select(int db) {
        return new byte[][] {SELECT.clone(), Integer.toString(db).getBytes(StandardCharsets.US_ASCII)};
    }

    /** The one shard owning every key of the call, or -1 (no keys, keys on several shards, keys not found from the arguments). */
    static int owner(Keyspace keyspace, CommandSpec spec, byte[][] argv) {
        if (!spec.hasKeys()) {
            return -1;
        }
        if (spec.keyFinder() != null && spec.keyFinder().readsUnnamedKeys(argv)) {
            return -1;
        }
        int[] positions;
        try {
            positions = spec.keyIndices(argv);
        } catch (RuntimeException e) {
            return -1; // the command answers its own error where it runs
        }
        int owner = -1;
        for (int p : positions) {
            if (p >= argv.length) {
                return -1;
            }
            int s = keyspace.shardOf(argv[p]);
            if (owner >= 0 && s != owner) {
                return -1;
            }
            owner = s;
        }
        return owner;
    }
}
