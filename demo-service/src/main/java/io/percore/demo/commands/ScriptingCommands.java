package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import java.util.List;
import java.util.Locale;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * Scripting (Redis's {@code functions.c}, {@code eval.c}): the demo runs no scripts. FUNCTION
 * answers truthfully for a function library that is always empty (FLUSH, LIST, STATS, DELETE,
 * KILL, as redis-server answers with no library loaded), so clients and Redis's own test harness,
 * which flush functions before each test, work; loading code (FUNCTION LOAD/RESTORE, EVAL,
 * EVALSHA, FCALL, SCRIPT) answers a clear error instead.
 */
public final class ScriptingCommands {

    public static final String NOT_SUPPORTED = "ERR scripting is not supported by this server: it runs no Lua scripts or functions";

    private ScriptingCommands() {
    }

    /** FUNCTION FLUSH [ASYNC|SYNC] | LIST [WITHCODE] [LIBRARYNAME pattern] | STATS | DELETE name | KILL | LOAD | DUMP | RESTORE. */
    public static void function(CommandContext c, byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "flush" -> {
                if (argv.length > 3) {
                    throw RespReplies.wrongArgs("function|flush");
                }
                if (argv.length == 3) {
                    String mode = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
                    if (!mode.equals("sync") && !mode.equals("async")) {
                        throw new RespError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
                    }
                }
                c.reply(OK);
            }
            case "list" -> {
                for (int i = 2; i < argv.length; i++) {
                    String opt = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
                    if (opt.equals("libraryname") && i + 1 < argv.length) {
                        i++;
                    } else if (!opt.equals("withcode")) {
                        throw new RespError("ERR Unknown argument " + RespReplies.sanitize(RespReplies.ascii(argv[i])));
                    }
                }
                c.reply(ArrayRedisMessage.EMPTY_INSTANCE);
            }
            case "stats" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("function|stats");
                }
                c.reply(new Resp3Replies.MapReply(List.of(
                        bulk("running_script"), RespReplies.NIL,
                        bulk("engines"), new Resp3Replies.MapReply(List.of(
                                bulk("LUA"), new Resp3Replies.MapReply(List.of(
                                        bulk("libraries_count"), integer(0), bulk("functions_count"), integer(0))))))));
            }
            case "delete" -> {
                if (argv.length != 3) {
                    throw RespReplies.wrongArgs("function|delete");
                }
                throw new RespError("ERR Library not found");
            }
            case "kill" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("function|kill");
                }
                throw new RespError("NOTBUSY No scripts in execution right now.");
            }
            case "load", "dump", "restore" -> throw new RespError(NOT_SUPPORTED);
            default -> throw RespReplies.unknownSubcommand(argv[1], "function");
        }
    }

    /** EVAL, EVALSHA, their _RO forms, FCALL, FCALL_RO and SCRIPT: nothing to run. */
    public static void notSupported(CommandContext c, byte[][] argv) {
        throw new RespError(NOT_SUPPORTED);
    }
}
