package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.execution.AclChecks;
import io.percore.demo.execution.AcrossShards;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.rdb.BadPayloadException;
import io.percore.demo.rdb.FunctionPayload;
import io.percore.demo.scripting.FunctionLibraries;
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
 * {@code _RO} forms, and FCALL/FCALL_RO, run a script on the shard that owns its declared keys (the
 * connection's own when it declares none), whole and alone there; declared keys of several shards
 * are held as a transaction holds them and the script runs on the first one's shard; a script that
 * touches another shard's key before any effect runs again holding every shard. SCRIPT
 * LOAD/EXISTS/FLUSH/KILL and FUNCTION's subcommands. The rule for keys, and what a script may not
 * do here, are in docs/reference/service-scripting.md.
 */
public final class ScriptingCommands {

    static final String CROSS_SHARD = "CROSSSLOT Keys in request don't hash to the same slot";

    private final Scripting scripting;

    /** @param scripting the server's scripting; null for a table only read for its metadata */
    public ScriptingCommands(Scripting scripting) {
        this.scripting = scripting;
    }

    // ------------------------------------------------------------------ EVAL, EVALSHA, EVAL_RO, EVALSHA_RO

    public void eval(CommandContext c, byte[][] argv) {
        eval(c, argv, false, false, null, false);
    }

    public void evalsha(CommandContext c, byte[][] argv) {
        eval(c, argv, true, false, null, false);
    }

    public void evalRo(CommandContext c, byte[][] argv) {
        eval(c, argv, false, true, null, false);
    }

    public void evalshaRo(CommandContext c, byte[][] argv) {
        eval(c, argv, true, true, null, false);
    }

    /**
     * @param held  the shards the script's own transaction holds for it ({@link #holdAndRun}), or null
     * @param shown whether monitors saw this call already: a run again after one that widened ({@link MonitorLine})
     */
    private void eval(CommandContext c, byte[][] argv, boolean bySha, boolean readOnly, BitSet held, boolean shown) {
        Rerun again = (ctx, a, shards, seen) -> eval(ctx, a, bySha, readOnly, shards, seen);
        if (held == null && ranAloneAcrossShards(c, argv, again)) {
            return;
        }
        MonitorLine line = shown ? null : monitorLine(c, argv);
        try {
            requireScripting();
            long numkeys = RespNumbers.requireLong(argv[2]);
            run(c, argv, bySha, false, readOnly, numkeys, held, again, line);
        } finally {
            feedIfNoScriptRan(line, c);
        }
    }

    /** Whether this EVAL may write (Redis's {@code evalGetCommandFlags}): see {@link Scripting#evalMayWrite}. */
    public boolean evalMayWrite(CommandContext c, byte[][] argv) {
        return scripting == null || scripting.evalMayWrite(argv[1], null); // its shebang says what the cached copy would
    }

    /** Whether this EVALSHA may write: its cached script's flags, or EVAL's own when it is not cached. */
    public boolean evalshaMayWrite(CommandContext c, byte[][] argv) {
        return scripting == null || scripting.evalMayWrite(null, new String(argv[1], StandardCharsets.ISO_8859_1));
    }

    /** Whether this FCALL may write (Redis's {@code fcallGetCommandFlags}): unless its function is {@code no-writes}. */
    public boolean fcallMayWrite(CommandContext c, byte[][] argv) {
        if (scripting == null) {
            return true;
        }
        String name = new String(argv[1], StandardCharsets.ISO_8859_1);
        FunctionLibraries.Function function = scripting.readFunctions(f -> f.function(name));
        return function == null || function.mayWrite();
    }

    /** FCALL and FCALL_RO: the function is looked up first (Redis's fcallCommandGeneric), then its keys. */
    private void fcall(CommandContext c, byte[][] argv, boolean readOnly, BitSet held, boolean shown) {
        Rerun again = (ctx, a, shards, seen) -> fcall(ctx, a, readOnly, shards, seen);
        if (held == null && ranAloneAcrossShards(c, argv, again)) {
            return;
        }
        MonitorLine line = shown ? null : monitorLine(c, argv);
        try {
            fcall(c, argv, readOnly, held, again, line);
        } finally {
            feedIfNoScriptRan(line, c);
        }
    }

    private void fcall(CommandContext c, byte[][] argv, boolean readOnly, BitSet held, Rerun again, MonitorLine line) {
        requireScripting();
        String name = new String(argv[1], StandardCharsets.ISO_8859_1);
        FunctionLibraries.Function function = scripting.readFunctions(f -> f.function(name));
        if (function == null) {
            throw new RespError("ERR Function not found");
        }
        io.percore.demo.replication.Replication replication = c.server().replication();
        if (function.mayWrite() && !c.obeysWithoutLimits() && replication != null
                && io.percore.demo.replication.Replication.READONLY.equals(replication.refusal(true))) {
            throw new RespError("READONLY Can not run script with write flag on readonly replica"); // Redis's scriptPrepareForRun
        }
        if (!RespNumbers.isLong(argv[2])) {
            throw new RespError("ERR Bad number of keys provided");
        }
        run(c, argv, false, true, readOnly, RespNumbers.parseLong(argv[2]), held, again, line);
    }

    public void fcall(CommandContext c, byte[][] argv) {
        fcall(c, argv, false, null, false);
    }

    public void fcallRo(CommandContext c, byte[][] argv) {
        fcall(c, argv, true, null, false);
    }

    /**
     * The line monitors see for an EVAL or FCALL before its script's commands (Redis's evalCommand and
     * fcallCommandGeneric feed it themselves, first; both are skip_monitor). It is fed on the shard the script runs
     * on, where the script's commands are fed after it, so that every monitor, on whichever shard, gets the two in
     * that order: fed on the caller's shard, it reached a monitor on the script's shard by a message that could come
     * after the script's own lines, fed there at once (FunctionParityTest, a flaky report's run at load 5). A call
     * that ends before any script runs (an error) is fed on the caller's shard.
     */
    private static final class MonitorLine {
        private final String client;
        private final byte[][] argv;
        /** The client's database when it sent the script. */
        private final int db;
        private boolean fed;

        MonitorLine(String client, int db, byte[][] argv) {
            this.client = client;
            this.db = db;
            this.argv = argv;
        }

        /** Feeds it from {@code shard}, the calling thread's, unless it was fed or handed over already. */
        void feed(io.percore.demo.shard.KeyspaceShard shard) {
            if (!fed) {
                fed = true;
                shard.writes().commandRan(client, db, argv);
            }
        }

        /** The line for the shard the script is handed to, which feeds it there; this one feeds nothing more. */
        MonitorLine handOver() {
            fed = true;
            return new MonitorLine(client, db, argv);
        }
    }

    /** Null while no shard has a monitor: a call then pays one field read. */
    private static MonitorLine monitorLine(CommandContext c, byte[][] argv) {
        return (c.server().commandHooks & ServerShard.HOOK_MONITOR) != 0 ? new MonitorLine(c.remoteAddress(), c.keyspace().db(), argv)
                : null;
    }

    private static void feedIfNoScriptRan(MonitorLine line, CommandContext c) {
        if (line != null) {
            line.feed(c.local());
        }
    }

    /**
     * The same EVAL or FCALL run again with {@code held} held for it (by {@link #holdAndRun}); {@code shown}: its line was
     * fed to monitors by a run that widened (it ended before any effect, its script having started), so not again.
     */
    private interface Rerun {
        void run(CommandContext c, byte[][] argv, BitSet held, boolean shown);
    }

    private void run(CommandContext c, byte[][] argv, boolean bySha, boolean function, boolean readOnly, long numkeys,
                     BitSet held, Rerun again, MonitorLine line) {
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
        if (function) {
            sha = new String(argv[1], StandardCharsets.ISO_8859_1);
        } else if (bySha) {
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
        // outside an EXEC, a script that touches a key of a shard it does not hold before any effect runs again holding them all
        boolean free = held != null || c.keyspace().transaction() == ShardReservation.FREE;
        int shardCount = c.keyspace().shardCount();
        boolean mayWiden = free && shardCount > 1 && !c.server().cluster().enabled() && (held == null || held.cardinality() < shardCount);
        ScriptShard.Eval eval = new ScriptShard.Eval(body, sha, function, keys, args, readOnly, argv, c.keyspace(), c.services(),
                trackedReads, new ScriptShard.Hold(held, mayWiden), AclChecks.ScriptCaller.of(c));
        Scripting s = scripting;
        // the script runs later, from its shard's queue of scripts: the connection's next commands wait for its reply
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        ShardFuture<ScriptShard.Outcome> ran;
        if (target == c.shard().id()) {
            feedIfNoScriptRan(line, c);
            ran = s.evalHere(eval, c.local());
        } else {
            c.local().crossShardCalls++;
            io.percore.demo.shard.Keyspace keyspace = c.keyspace();
            MonitorLine there = line == null ? null : line.handOver();
            ran = c.shard().submitToAsync(target, () -> {
                if (there == null) {
                    return s.evalHere(eval, keyspace.local());
                }
                there.feed(keyspace.local());
                // the script's lines leave for the caller's shard as they are made, before its reply (MonitorFeed)
                return s.evalHere(eval, keyspace.local());
            });
        }
        byte[] learnedBody = body;
        ShardFuture<RedisMessage> reply = ran.flatMap(outcome -> {
            if (!outcome.learned() || c.keyspace().shardCount() == 1) {
                return ShardFuture.completed(outcome.reply());
            }
            // EVAL taught its shard a new script: the others learn it before the reply, so an EVALSHA anywhere finds it
            return s.loadEverywhere(learnedBody, true).map(ignored -> outcome.reply());
        });
        String widenedAs = Scripting.widenedName(function, sha);
        reply.whenComplete((message, failure) -> {
            if (failure == null && message == ScriptShard.WIDEN && held == null) {
                s.widened(widenedAs);
                holdAndRun(c, argv, everyShard(shardCount), slot, again, true);
                return;
            }
            c.replyBeforeHeldCommands();
            slot.complete(failure == null ? message : RespReplies.forFailure(failure)); // WIDEN under a hold: its holder runs it again
            c.endBarrier();
        });
    }


    /** Admission while a script runs past busy-reply-threshold (Redis's {@code -BUSY}): only {@code allow_busy} commands (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE). */
    public static RespError refusedWhileBusy(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        String busy = c.server().busyScript();
        return busy != null && !spec.flags().contains("allow_busy") ? new RespError(busy) : null;
    }

    /**
     * Admission of an EXEC while a script is busy, which reserves its shards and would otherwise
     * wait behind the busy script's hold until the script ends when sent before this shard's poll
     * heard of it: refused now (Redis's EXECABORT with the -BUSY reason). The other commands MULTI
     * does not queue are {@code allow_busy}.
     */
    public static RespError execWhileBusy(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        if (spec.flags().contains("allow_busy")) {
            return null;
        }
        String busy = c.server().busyScriptNow();
        return busy == null ? null : new RespError(busy);
    }
    /**
     * An EVAL or FCALL (same arguments: name or script, numkeys, keys) whose declared keys span
     * shards, or a script that once touched keys of shards it did not declare: held as a
     * transaction of its own, it runs as inside one. False when it runs as it is.
     */
    private boolean ranAloneAcrossShards(CommandContext c, byte[][] argv, Rerun again) {
        BitSet spanned = shardsToHold(c, argv);
        if (spanned == null) {
            return false;
        }
        String busy = c.server().busyScriptNow(); // it would wait behind a busy script's hold: -BUSY, as EXEC
        if (busy != null) {
            throw new RespError(busy);
        }
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        holdAndRun(c, argv, spanned, slot, again, false);
        return true;
    }

    /**
     * Runs the script holding {@code shards} (reserved in ascending order, as EXEC does; its
     * effects are one MULTI ... EXEC for the AOF and replicas) into {@code slot}, ending the
     * connection's barrier when answered. A run that ended with {@link ScriptShard#WIDEN} (a key
     * on a shard not held, before any effect) runs again holding every shard.
     */
    private void holdAndRun(CommandContext c, byte[][] argv, BitSet shards, CommandContext.PendingReply slot, Rerun again, boolean shown) {
        AcrossShards.runAloneThen(c, "a script", shards, held -> again.run(held, argv, shards, shown), reply -> {
            int shardCount = c.keyspace().shardCount();
            if (reply == ScriptShard.WIDEN && shards.cardinality() < shardCount) {
                scripting.widened(widenedName(c, argv));
                holdAndRun(c, argv, everyShard(shardCount), slot, again, true);
                return;
            }
            slot.complete(reply);
            c.endBarrier();
        });
    }

    private static BitSet everyShard(int shardCount) {
        BitSet all = new BitSet(shardCount);
        all.set(0, shardCount);
        return all;
    }

    private static String widenedName(CommandContext c, byte[][] argv) {
        String name = new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        if (name.startsWith("fcall")) {
            return Scripting.widenedName(true, new String(argv[1], StandardCharsets.ISO_8859_1));
        }
        return name.startsWith("evalsha") ? new String(argv[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT)
                : io.percore.demo.scripting.Scripting.sha1hex(argv[1]);
    }

    /**
     * The shards an EVAL or FCALL outside a transaction must hold while its script runs: every
     * shard for a script that touched keys of shards it did not declare before; else those of its
     * declared keys when they are several (the script runs on the first key's, and its calls of
     * commands on the others' keys wait for their answers there); null when they are on one
     * shard, in cluster mode (Redis Cluster's -CROSSSLOT), inside a transaction (which holds them
     * already) or when the number of keys is bad (the handler answers its error).
     */
    private BitSet shardsToHold(CommandContext c, byte[][] argv) {
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
        if (numkeys < 0 || numkeys > argv.length - 3) {
            return null;
        }
        if (scripting != null && scripting.anyWidened() && scripting.isWidened(widenedName(c, argv))) {
            return everyShard(keyspace.shardCount());
        }
        if (numkeys < 2) {
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

    // ------------------------------------------------------------------ FUNCTION

    /** FUNCTION LOAD [REPLACE] code. */
    public void functionLoad(CommandContext c, byte[][] argv) {
        requireScripting();
        boolean replace = false;
        int at = 2;
        while (at < argv.length - 1) {
            String option = RespReplies.ascii(argv[at++]);
            if (option.equalsIgnoreCase("replace")) {
                replace = true;
                continue;
            }
            throw new RespError("ERR Unknown option given: " + option);
        }
        if (at >= argv.length) {
            throw new RespError("ERR Function code is missing");
        }
        byte[] code = argv[at];
        boolean replacing = replace;
        // a replayed load (the append-only file, a primary's stream) runs however long it takes, as Redis's
        long timeout = c.obeysWithoutLimits() ? 0 : FunctionLibraries.LOAD_TIMEOUT_MILLIS;
        change(c, argv, true, f -> bulk(f.load(code, replacing, timeout)));
    }

    /** FUNCTION DELETE library. */
    public void functionDelete(CommandContext c, byte[][] argv) {
        requireScripting();
        String name = new String(argv[2], StandardCharsets.ISO_8859_1);
        change(c, argv, false, f -> {
            f.delete(name);
            return OK;
        });
    }

    /** FUNCTION FLUSH [ASYNC|SYNC]. */
    public void functionFlush(CommandContext c, byte[][] argv) {
        requireScripting();
        if (argv.length > 3) {
            throw functionSyntaxError(argv);
        }
        if (argv.length == 3) {
            String mode = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
            if (!mode.equals("sync") && !mode.equals("async")) {
                throw new RespError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            }
        }
        change(c, argv, false, f -> {
            f.flush();
            return OK;
        });
    }

    /** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]. */
    public void functionRestore(CommandContext c, byte[][] argv) {
        requireScripting();
        if (argv.length > 4) {
            throw functionSyntaxError(argv);
        }
        FunctionLibraries.RestorePolicy policy = FunctionLibraries.RestorePolicy.APPEND;
        if (argv.length == 4) {
            try {
                policy = FunctionLibraries.RestorePolicy.valueOf(RespReplies.ascii(argv[3]).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new RespError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            }
        }
        List<byte[]> codes;
        try {
            codes = FunctionPayload.parse(argv[2], FunctionLibraries.MAX_CODE_BYTES);
        } catch (BadPayloadException e) {
            throw new RespError("ERR " + e.getMessage());
        }
        FunctionLibraries.RestorePolicy restore = policy;
        change(c, argv, true, f -> {
            f.restore(codes, restore);
            return OK;
        });
    }

    /** Redis's {@code addReplySubcommandSyntaxError}. */
    private static RespError functionSyntaxError(byte[][] argv) {
        return new RespError("ERR unknown subcommand or wrong number of arguments for '" + RespReplies.ascii(argv[1])
                + "'. Try FUNCTION HELP.");
    }

    /**
     * A change of the libraries, made on every shard (shard 0 first) and propagated as the command
     * itself; {@code denyOom} (LOAD, RESTORE): refused when shard 0 is over its budget, as Redis's
     * {@code denyoom} commands, but not when replayed.
     */
    private void change(CommandContext c, byte[][] argv, boolean denyOom, java.util.function.Function<FunctionLibraries, RedisMessage> change) {
        c.replyLater(scripting.changeFunctions(c.keyspace(), change, argv, denyOom && !c.obeysWithoutLimits()));
    }

    /** FUNCTION DUMP: the libraries as Redis's payload (RDB entries, version, CRC-64). */
    public void functionDump(CommandContext c, byte[][] argv) {
        requireScripting();
        List<byte[]> codes = scripting.readFunctions(f -> f.libraries().stream().map(FunctionLibraries.Library::code).toList());
        c.reply(bulk(FunctionPayload.dump(codes)));
    }

    /** FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]. */
    public void functionList(CommandContext c, byte[][] argv) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < argv.length; i++) {
            String option = RespReplies.ascii(argv[i]);
            if (!withCode && option.equalsIgnoreCase("withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && option.equalsIgnoreCase("libraryname")) {
                if (i >= argv.length - 1) {
                    throw new RespError("ERR library name argument was not given");
                }
                pattern = argv[++i];
                continue;
            }
            throw new RespError("ERR Unknown argument " + option);
        }
        List<FunctionLibraries.Library> libraries = scripting == null ? List.of() : scripting.readFunctions(FunctionLibraries::libraries);
        List<RedisMessage> out = new ArrayList<>();
        // Redis matches library names without case: both sides lower-cased
        GlobPattern glob = pattern == null ? null : new GlobPattern(RespReplies.ascii(pattern).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
        for (FunctionLibraries.Library library : libraries) {
            if (glob != null && !glob.matches(library.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1))) {
                continue;
            }
            List<RedisMessage> functions = new ArrayList<>();
            for (FunctionLibraries.Function f : library.functions().values()) {
                List<RedisMessage> flags = new ArrayList<>();
                for (int bit = 0; bit < io.percore.demo.scripting.Scripting.FLAG_NAMES.size(); bit++) {
                    if ((f.flags() & (1 << bit)) != 0) {
                        flags.add(new SimpleStringRedisMessage(io.percore.demo.scripting.Scripting.FLAG_NAMES.get(bit)));
                    }
                }
                functions.add(new Resp3Replies.MapReply(List.of(bulk("name"), bulk(f.name()), bulk("description"),
                        f.description() == null ? RespReplies.NIL : bulk(f.description()), bulk("flags"), new Resp3Replies.SetReply(flags))));
            }
            List<RedisMessage> fields = new ArrayList<>(List.of(bulk("library_name"), bulk(library.name()), bulk("engine"), bulk("LUA"),
                    bulk("functions"), RespReplies.array(functions)));
            if (withCode) {
                fields.add(bulk("library_code"));
                fields.add(bulk(library.code()));
            }
            out.add(new Resp3Replies.MapReply(fields));
        }
        c.reply(RespReplies.array(out));
    }

    /** FUNCTION STATS: the function running past the busy threshold, and the libraries' counts. */
    public void functionStats(CommandContext c, byte[][] argv) {
        if (scripting != null && scripting.busyEval()) {
            throw new RespError("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        }
        io.percore.demo.scripting.Scripting.RunningFunction running = scripting == null ? null : scripting.busyFunction();
        RedisMessage runningScript = RespReplies.NIL;
        if (running != null) {
            List<RedisMessage> command = new ArrayList<>();
            for (byte[] arg : running.command()) {
                command.add(bulk(arg));
            }
            runningScript = new Resp3Replies.MapReply(List.of(bulk("name"), bulk(running.name()), bulk("command"),
                    RespReplies.array(command), bulk("duration_ms"), integer(running.millis())));
        }
        int libraries = scripting == null ? 0 : scripting.readFunctions(FunctionLibraries::libraryCount);
        int functions = scripting == null ? 0 : scripting.readFunctions(FunctionLibraries::registeredCount);
        c.reply(new Resp3Replies.MapReply(List.of(
                bulk("running_script"), runningScript,
                bulk("engines"), new Resp3Replies.MapReply(List.of(
                        bulk("LUA"), new Resp3Replies.MapReply(List.of(
                                bulk("libraries_count"), integer(libraries), bulk("functions_count"), integer(functions))))))));
    }

    /** FUNCTION KILL. */
    public void functionKill(CommandContext c, byte[][] argv) {
        String refusal = scripting == null ? "NOTBUSY No scripts in execution right now." : scripting.kill(false);
        c.reply(refusal == null ? OK : new ErrorRedisMessage(refusal));
    }

    public void functionHelp(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library)."));
    }
}
