package io.percore.demo.replay;

import io.percore.demo.command.CommandTable;
import io.percore.demo.shard.Keyspace;
import java.nio.charset.StandardCharsets;

/**
 * Where a replayed command runs, for both replays (the append-only file's and a primary's stream):
 * on the one shard owning every key it names, or alone when it has none, spans shards or reads keys
 * it does not name.
 */
final class ReplayRouting {

    private ReplayRouting() {
    }

    /**
     * The command as the registry finds it: the one lookup of a replayed command.
     *
     * @throws IllegalArgumentException naming the command when this server does not know it
     */
    static Replayed known(CommandTable commands, byte[][] argv) {
        int id = commands.lookup(argv);
        if (id == CommandTable.NO_COMMAND) {
            throw new IllegalArgumentException("Unknown command '" + new String(argv[0], StandardCharsets.UTF_8) + "'");
        }
        return new Replayed(id, argv);
    }

    /**
     * The one shard owning every key of the call, or -1 (no keys, keys on several shards, keys not found from the
     * arguments). An unknown subcommand is placed by its container's row: it is refused where it runs.
     */
    static int owner(Keyspace keyspace, CommandTable commands, Replayed command) {
        byte[][] argv = command.argv();
        int id = command.id() >= 0 ? command.id() : commands.find(argv[0]);
        if (!commands.namesKeys(id) || commands.reachesUnnamedKeys(id, argv)) {
            return -1;
        }
        int[] positions = commands.keyPositions(id, argv); // none for a bad key count: it answers its own error where it runs
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
