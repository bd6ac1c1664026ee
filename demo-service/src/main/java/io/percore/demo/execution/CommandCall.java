package io.percore.demo.execution;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.CommandStats;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.KeyspaceShard;
import java.util.BitSet;

/**
 * Redis's {@code call()}: the steps every way into the command table takes the same way. A client's
 * connection, the append-only file and a primary's stream replayed, a script's {@code redis.call} and
 * EXEC's queue each look a command up and check its arguments ({@link #refusal}), run it on its
 * shard or holding every shard its keys are on ({@link #run}), and report it once its reply is known
 * to INFO's command figures, MONITOR and the slow log ({@link #report}). What differs stays with the
 * caller: a connection's admission checks and reply order, a replay's missing replies, a script's
 * Lua errors, EXEC's steps.
 */
public final class CommandCall {

    /** How a command ended, for its figures: it ran and answered, it answered an error, it was refused (OOM: rejected_calls). */
    public static final int SUCCEEDED = 0;
    public static final int FAILED = 1;
    public static final int REFUSED = 2;

    private CommandCall() {
    }

    /**
     * What {@code processCommand} answers before anything else: an unknown command or subcommand, or the
     * wrong number of arguments; null when {@code id} ({@link CommandTable#lookup} of {@code argv}) may run.
     */
    public static RespError refusal(CommandTable commands, int id, byte[][] argv) {
        if (id >= 0) {
            return commands.arityFits(id, argv.length) ? null : RespReplies.wrongArgs(commands.fullName(id));
        }
        return id == CommandTable.NO_SUBCOMMAND ? RespReplies.unknownSubcommand(argv[1], RespReplies.ascii(argv[0]))
                : RespReplies.unknownCommand(argv);
    }

    /**
     * Runs command {@code id} for {@code c}: on this shard through its handler, or, when its keys lie on
     * several shards ({@link CommandTable#spansShards}), as a transaction of its own holding them all
     * ({@link AcrossShards#runAlone}), atomic as every Redis command. A client's such command is refused
     * {@code -BUSY} while a script is busy ({@code busyRefuses}), as EXEC is: it would wait behind the
     * script's hold; a replayed one waits. A {@link RespError} thrown is the command's error reply.
     */
    public static void run(CommandContext c, CommandTable commands, int id, CommandSpec spec, byte[][] argv, boolean busyRefuses) {
        BitSet spanned;
        if (commands.spansShards(id) && (spanned = AcrossShards.shardsToHold(spec, argv, c.keyspace())) != null) {
            String busy = busyRefuses ? c.server().busyScriptNow() : null;
            if (busy != null) {
                throw new RespError(busy);
            }
            AcrossShards.runAlone(c, spec, argv, spanned);
        } else {
            spec.handler().handle(c, argv);
        }
    }

    /** How a command with {@code reply} ended: an error reply failed it, unless it was the OOM refusal (rejected). */
    public static int outcome(boolean error, RedisMessage reply) {
        return !error ? SUCCEEDED : reply == RespReplies.OOM_REPLY ? REFUSED : FAILED;
    }

    /**
     * A client's command once its reply is known ({@code nanos} after it began): INFO commandstats and
     * errorstats' part, MONITOR, and the slow log when it took long enough; arguments that must stay secret
     * are redacted for both ({@link CommandTable#redacted}). As in Redis, a command is shown once it ran: EXEC
     * after the commands it ran. The client's address and name are asked for only when MONITOR or the slow log
     * shows them.
     */
    public static void report(ServerShard server, KeyspaceShard local, CommandTable commands, int id, byte[][] argv, long nanos,
                              int outcome, CommandContext client) {
        if (!count(server, id, nanos, outcome)) {
            return;
        }
        if ((server.commandHooks & ServerShard.HOOK_MONITOR) != 0 && !commands.skipsMonitor(id)) {
            monitor(local, commands, id, argv, client.remoteAddress(), client.keyspace().db());
        }
        if (nanos >= server.slowlogThresholdNanos && !commands.skipsSlowlog(id)) {
            ConfigValues config = server.config();
            server.slowLog().push(commands.redacted(id, argv), nanos / 1000, config.slowlogSlowerThan(),
                    config.slowlogMaxLen(), client.remoteAddress(), client.session().name);
        }
    }

    /**
     * A command a script called, once it answered: INFO commandstats and MONITOR, shown from the script's
     * client {@code lua}. Not the slow log, which has the script's own command.
     */
    public static void reportFromScript(ServerShard server, KeyspaceShard local, CommandTable commands, int id, byte[][] argv,
                                        long nanos, boolean failed, int db) {
        count(server, id, nanos, failed ? FAILED : SUCCEEDED);
        if ((server.commandHooks & ServerShard.HOOK_MONITOR) != 0 && !commands.skipsMonitor(id)) {
            monitor(local, commands, id, argv, "lua", db);
        }
    }

    /** @return whether the command ran (a refused one counts as rejected only) */
    private static boolean count(ServerShard server, int id, long nanos, int outcome) {
        CommandStats stats = server.commandStats();
        if (outcome == REFUSED) {
            stats.rejected(id);
            return false;
        }
        stats.called(id, nanos);
        if (outcome == FAILED) {
            stats.failed(id);
        }
        return true;
    }

    private static void monitor(KeyspaceShard local, CommandTable commands, int id, byte[][] argv, String client, int db) {
        local.writes().commandRan(client, db, commands.redacted(id, argv)); // the write path feeds MONITOR
    }
}
