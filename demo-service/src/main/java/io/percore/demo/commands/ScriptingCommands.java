package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.scripting.ScriptShard;
import io.percore.demo.scripting.Scripting;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardReservation;
import io.percore.demo.tracking.ClientTracking;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Scripting's commands (Redis's {@code eval.c}, {@code functions.c}): EVAL, EVALSHA and their
 * {@code _RO} forms run a script on the shard that owns its declared keys (the connection's own
 * when it declares none), whole and alone there; declared keys of several shards are held as a
 * transaction holds them and the script runs on the first one's shard; SCRIPT LOAD/EXISTS/FLUSH/KILL; FUNCTION answers for
 * a function library that is always empty (FLUSH, LIST, STATS, DELETE, KILL), and FUNCTION
 * LOAD/DUMP/RESTORE and FCALL are refused. The rule for keys, and what a script may not do here,
 * are in the demo README's "Scripting".
 */
public final class ScriptingCommands {

    public static final String FUNCTIONS_NOT_SUPPORTED = "ERR functions are not supported by this server yet: use EVAL";
    static final String CROSS_SHARD = "CROSSSLOT Keys in request don't hash to the same slot";

    private final Scripting scripting;

    /** @param scripting the server's scripting; null for a table only read for its metadata */
    public ScriptingCommands(Scripting scripting) {
        this.scripting = scripting;
    }

    // ------------------------------------------------------------------ EVAL, EVALSHA, EVAL_RO, EVALSHA_RO

    public void eval(CommandContext c, byte[][] argv) {
        run(c, argv, false, false);
    }

    public void evalsha(CommandContext c, byte[][] argv) {
        run(c, argv, true, false);
    }

    public void evalRo(CommandContext c, byte[][] argv) {
        run(c, argv, false, true);
    }

    public void evalshaRo(CommandContext c, byte[][] argv) {
        run(c, argv, true, true);
    }

    private void run(CommandContext c, byte[][] argv, boolean bySha, boolean readOnly) {
        BitSet spanned = shardsToHold(c, argv);
        if (spanned != null) {
            // its declared keys span shards: held as a transaction of its own, it runs as inside one (this handler again)
            String busy = c.server().busyScriptNow(); // it would wait behind a busy script's hold: -BUSY, as EXEC
            if (busy != null) {
                throw new RespError(busy);
            }
            TransactionCommands.runAlone(c, c.commands().spec(c.commands().find(argv[0])), argv, spanned);
            return;
        }
        if ((c.server().commandHooks & ServerShard.HOOK_MONITOR) != 0) {
            // Redis's evalCommand feeds monitors itself, first (EVAL is skip_monitor), so the script's commands come after it
            c.local().writes().commandRan(c.remoteAddress(), argv);
        }
        requireScripting();
        long numkeys = RespNumbers.requireLong(argv[2]);
        if (numkeys > argv.length - 3) {
            throw new RespError("ERR Number of keys can't be greater than number of args");
        }
        if (numkeys < 0) {
            throw new RespError("ERR Number of keys can't be negative");
        }
        int n = (int) numkeys;
        byte[][] keys = Arrays.copyOfRange(argv, 3, 3 + n);
        byte[][] args = Arrays.copyOfRange(argv, 3 + n, argv.length);
        byte[] body = null;
        String sha;
        if (bySha) {
            sha = new String(argv[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (sha.length() != 40) {
                c.reply(new ErrorRedisMessage("NOSCRIPT No matching script. Please use EVAL."));
                return;
            }
        } else {
            body = argv[1];
            sha = io.percore.demo.scripting.Scripting.sha1hex(body);
        }
        int target = c.shard().id();
        for (int i = 0; i < keys.length; i++) {
            int owner = c.keyspace().shardOf(keys[i]);
            if (i == 0) {
                target = owner;
            } else if (owner != target && (c.keyspace().transaction() == ShardReservation.FREE || c.server().cluster().enabled())) {
                throw new RespError(CROSS_SHARD); // Redis Cluster's rule in cluster mode (keys of several shards are of several slots)
            }
        }
        TrackedCommand trackedReads = null;
        ClientTracking tracking = c.session().tracking;
        if (tracking != null && tracking.remembersReads() && keys.length > 0) {
            // its declared keys are remembered once the script calls a read command (ScriptRun), on their shard
            int[] owners = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                owners[i] = c.keyspace().shardOf(keys[i]);
            }
            trackedReads = tracking.command(c.session().id(), c.shard().id(), keys, owners);
        }
        ScriptShard.Eval eval = new ScriptShard.Eval(body, sha, keys, args, readOnly, c.keyspace(), c.servers(), c.pubsub(),
                c.settings(), c.commands(), trackedReads);
        Scripting s = scripting;
        // the script runs later, from its shard's queue of scripts: the connection's next commands wait for its reply
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        ShardFuture<ScriptShard.Outcome> ran;
        if (target == c.shard().id()) {
            ran = s.evalHere(eval, c.local());
        } else {
            c.local().crossShardCalls++;
            io.percore.demo.shard.Keyspace keyspace = c.keyspace();
            ran = c.shard().submitToAsync(target, () -> s.evalHere(eval, keyspace.local()));
        }
        byte[] learnedBody = body;
        ShardFuture<RedisMessage> reply = ran.flatMap(outcome -> {
            if (!outcome.learned() || c.keyspace().shardCount() == 1) {
                return ShardFuture.completed(outcome.reply());
            }
            // EVAL taught its shard a new script: the others learn it before the reply, so an EVALSHA anywhere finds it
            return s.loadEverywhere(learnedBody, true).map(ignored -> outcome.reply());
        });
        reply.whenComplete((message, failure) -> {
            slot.complete(failure == null ? message : RespReplies.forFailure(failure));
            c.endBarrier();
        });
    }

    /**
     * The shards an EVAL outside a transaction must hold while its script runs: those of its declared
     * keys when they are several (the script runs on the first key's, and its calls of commands on
     * the others' keys wait for their answers there); null when they are on one shard, in cluster mode
     * (Redis Cluster's -CROSSSLOT), inside a transaction (which holds them already) or when the
     * number of keys is bad (the handler answers its error).
     */
    private static BitSet shardsToHold(CommandContext c, byte[][] argv) {
        Keyspace keyspace = c.keyspace();
        if (keyspace.shardCount() == 1 || keyspace.transaction() != ShardReservation.FREE || c.server().cluster().enabled()) {
            return null;
        }
        long numkeys;
        try {
            numkeys = RespNumbers.requireLong(argv[2]);
        } catch (RespError e) {
            return null;
        }
        if (numkeys < 2 || numkeys > argv.length - 3) {
            return null;
        }
        int first = keyspace.shardOf(argv[3]);
        BitSet shards = null;
        for (int i = 4; i < 3 + numkeys; i++) {
            int s = keyspace.shardOf(argv[i]);
            if (s != first) {
                if (shards == null) {
                    shards = new BitSet();
                    shards.set(first);
                }
                shards.set(s);
            }
        }
        return shards;
    }

    // ------------------------------------------------------------------ SCRIPT

    public void scriptLoad(CommandContext c, byte[][] argv) {
        requireScripting();
        c.replyLater(scripting.loadEverywhere(argv[2], false).map(sha -> sha.startsWith("-")
                ? (RedisMessage) new ErrorRedisMessage(sha.substring(1)) : bulk(sha)));
    }

    public void scriptExists(CommandContext c, byte[][] argv) {
        requireScripting();
        ScriptShard local = scripting.local();
        List<RedisMessage> found = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            String sha = new String(argv[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            found.add(integer(local.exists(sha) ? 1 : 0));
        }
        c.reply(RespReplies.array(found));
    }

    public void scriptFlush(CommandContext c, byte[][] argv) {
        requireScripting();
        if (argv.length > 3) {
            throw new RespError("ERR unknown subcommand or wrong number of arguments for 'flush'. Try SCRIPT HELP.");
        }
        if (argv.length == 3) {
            String mode = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
            if (!mode.equals("sync") && !mode.equals("async")) {
                throw new RespError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            }
        }
        c.replyLater(scripting.flushEverywhere().map(v -> OK));
    }

    public void scriptKill(CommandContext c, byte[][] argv) {
        requireScripting();
        String refusal = scripting.kill(true);
        c.reply(refusal == null ? OK : new ErrorRedisMessage(refusal));
    }

    public void scriptDebug(CommandContext c, byte[][] argv) {
        throw new RespError("ERR SCRIPT DEBUG is not supported by this server");
    }

    public void scriptHelp(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "EVAL <script> <numkeys> [<key> ...] [<arg> ...]",
                "    Execute a Lua script.",
                "EVALSHA <sha1> <numkeys> [<key> ...] [<arg> ...]",
                "    Execute a Lua script by its SHA1 digest.",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it."));
    }

    private void requireScripting() {
        if (scripting == null) {
            throw new RespError("ERR scripting is not available on this server");
        }
    }

    // ------------------------------------------------------------------ FUNCTION (an empty library for now)

    /** FUNCTION FLUSH [ASYNC|SYNC] | LIST [WITHCODE] [LIBRARYNAME pattern] | STATS | DELETE name | KILL | LOAD | DUMP | RESTORE. */
    public void function(CommandContext c, byte[][] argv) {
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
                String refusal = scripting == null ? "NOTBUSY No scripts in execution right now." : scripting.kill(false);
                c.reply(refusal == null ? OK : new ErrorRedisMessage(refusal));
            }
            case "load", "dump", "restore" -> throw new RespError(FUNCTIONS_NOT_SUPPORTED);
            default -> throw RespReplies.unknownSubcommand(argv[1], "function");
        }
    }

    /** FCALL and FCALL_RO: no function library yet. */
    public static void fcall(CommandContext c, byte[][] argv) {
        long numkeys = RespNumbers.requireLong(argv[2]);
        if (numkeys > argv.length - 3) {
            throw new RespError("ERR Number of keys can't be greater than number of args");
        }
        if (numkeys < 0) {
            throw new RespError("ERR Number of keys can't be negative");
        }
        throw new RespError("ERR Function not found");
    }
}
