package io.percore.demo.execution;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.command.RespSession;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.CommandStats;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.FatalErrorHandler;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Redis's {@code call()} with the part of {@code processCommand} that applies to each caller: the one way
 * into the command table. A client's connection, a script's {@code redis.call}, EXEC's queue and a
 * replayed feed each hand it the command with their {@link CallPolicy}; here the command is looked up
 * (the only lookup of a call in the server), refused by the lookup or by the checks the policy applies,
 * counted when refused, kept by the caller or run (on its shard, or holding every shard its keys are on),
 * and once its reply is known reported to INFO's command figures, MONITOR and the slow log
 * ({@link #report}). What differs between callers is their policy, nothing else.
 */
public final class CommandCall {

    /** How a command ended, for its figures: it ran and answered, it answered an error, it was refused (OOM: rejected_calls). */
    public static final int SUCCEEDED = 0;
    public static final int FAILED = 1;
    public static final int REFUSED = 2;

    private CommandCall() {
    }

    /**
     * Looks command {@code argv} up, refuses it when {@code policy} says so, and runs it unless the caller
     * keeps it for later.
     *
     * @return the command's id when it ran or was kept, or -1 when it was refused
     */
    public static int call(CallPolicy policy, CommandContext c, byte[][] argv) {
        return call(policy, c, c.commands().lookup(argv), argv);
    }

    /**
     * {@link #call} of a command the caller found in the registry where it read it ({@link CommandTable#lookup(byte[][])}'s
     * answer {@code lookedUp}, an id or a negative refusal): a replayed feed, which places a command on its keys' shard
     * by that lookup before the call.
     */
    public static int call(CallPolicy policy, CommandContext c, int lookedUp, byte[][] argv) {
        CommandTable commands = c.commands();
        int id = lookedUp;
        if (id < 0 || !commands.arityFits(id, argv.length)) {
            refuse(policy, c, id, argv, policy.lookupRefusal(commands, id, argv));
            return -1;
        }
        return callLookedUp(policy, c, id, commands.spec(id), argv);
    }

    /**
     * {@link #call} for command {@code id} the same caller looked up through {@link #call} before (a command
     * queued in MULTI, run at EXEC): the policy's checks, then the command.
     *
     * @return {@code id} when it ran or was kept, -1 when it was refused
     */
    public static int callLookedUp(CallPolicy policy, CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        RespError refused = policy.refusal(c, id, spec, argv);
        if (refused != null) {
            refuse(policy, c, id, argv, refused);
            return -1;
        }
        if (policy.keeps(c, id, spec, argv)) {
            return id;
        }
        policy.begin(c, id, argv);
        try {
            run(c, id, spec, argv, policy.run());
        } catch (RespError e) {
            c.reply(e.reply());
        }
        policy.ran(c, id, argv);
        return id;
    }

    /** The end of {@link #callEachOnItsShard}: every command's reply in order, and which of them were refusals. */
    @FunctionalInterface
    public interface EachAnswered {
        /**
         * @param refused   which commands the policy refused (their reply is the refusal's error); null when none was
         * @param nanosEach each run command's share of the run's time
         */
        void answered(RedisMessage[] replies, boolean[] refused, long nanosEach);
    }

    /**
     * {@link #callLookedUp} for a run of single-key commands ({@link OnKeyOwner}) a caller holding every shard runs
     * together (EXEC's queue): each is admitted by {@code policy.refusal} as one call is, a refusal counted as the policy
     * says and answered in its place among the replies (the caller reports it with the others, in order, instead of
     * {@link CallPolicy#refused}); the admitted ones run on their keys' shards in their order, each shard's in one message
     * and this shard's at once, so a 200,000-command transaction costs one round trip per shard, not one per command.
     * Commands on different shards touch different keys: running each shard's in order is running them all in order. They
     * share the caller's step ({@code bound}'s) and database; {@code tracked} is what each tells the shards it reaches for
     * client tracking (null: the client does not track). {@code done} runs on this shard once every shard answered.
     */
    public static void callEachOnItsShard(CallPolicy policy, CommandContext c, Keyspace bound, List<MultiState.Queued> run,
            TrackedCommand[] tracked, EachAnswered done) {
        int n = run.size();
        int step = bound.step();
        int db = bound.db();
        long startedAt = System.nanoTime();
        RedisMessage[] replies = new RedisMessage[n];
        boolean[] refused = null;
        List<List<Integer>> byShard = new ArrayList<>(bound.shardCount());
        for (int s = 0; s < bound.shardCount(); s++) {
            byShard.add(null);
        }
        for (int i = 0; i < n; i++) {
            MultiState.Queued q = run.get(i);
            RespError refusal = policy.refusal(c, q.id(), q.spec(), q.argv());
            if (refusal != null) {
                countRefusal(policy, c, q.id());
                refused = refused == null ? new boolean[n] : refused;
                refused[i] = true;
                replies[i] = refusal.reply();
                continue;
            }
            int owner = bound.shardOf(((OnKeyOwner) q.spec().handler()).key(q.argv()));
            if (byShard.get(owner) == null) {
                byShard.set(owner, new ArrayList<>());
            }
            byShard.get(owner).add(i);
        }
        int here = c.shard().id();
        boolean obeys = c.obeysWithoutLimits();
        int[] remaining = {0};
        for (int s = 0; s < byShard.size(); s++) {
            if (byShard.get(s) != null && s != here) {
                remaining[0]++;
            }
        }
        boolean[] notRun = refused;
        Runnable whenAllAnswered = () -> done.answered(replies, notRun, (System.nanoTime() - startedAt) / n);
        for (int s = 0; s < byShard.size(); s++) {
            List<Integer> mine = byShard.get(s);
            if (mine == null || s == here) {
                continue;
            }
            byte[][][] argvs = new byte[mine.size()][][];
            OnKeyOwner[] handlers = new OnKeyOwner[mine.size()];
            TrackedCommand[] trackedThere = new TrackedCommand[mine.size()];
            for (int k = 0; k < argvs.length; k++) {
                MultiState.Queued q = run.get(mine.get(k));
                argvs[k] = q.argv();
                handlers[k] = (OnKeyOwner) q.spec().handler();
                trackedThere[k] = tracked == null ? null : tracked[mine.get(k)];
            }
            bound.invokeOn(s, state -> {
                RedisMessage[] out = new RedisMessage[argvs.length];
                for (int k = 0; k < argvs.length; k++) {
                    out[k] = handlers[k].runHere(state, db, argvs[k], step, trackedThere[k], obeys);
                }
                return out;
            }).whenComplete((answers, failure) -> {
                for (int k = 0; k < mine.size(); k++) {
                    replies[mine.get(k)] = failure == null ? answers[k] : RespReplies.forFailure(failure);
                }
                if (--remaining[0] == 0) {
                    whenAllAnswered.run();
                }
            });
        }
        List<Integer> local = byShard.get(here);
        if (local != null) {
            for (int i : local) {
                MultiState.Queued q = run.get(i);
                try {
                    replies[i] = ((OnKeyOwner) q.spec().handler()).runHere(c.local(), db, q.argv(), step,
                            tracked == null ? null : tracked[i], obeys);
                } catch (RuntimeException | Error e) {
                    if (FatalErrorHandler.isFatal(e)) {
                        throw e; // the JVM itself is in trouble: the engine halts the process
                    }
                    // its reply, as the other shards' failures are theirs: thrown on, it would leave the caller (EXEC,
                    // holding the shards) before the other shards' answers continue it, and the shards held for ever
                    replies[i] = RespReplies.forFailure(e);
                }
            }
        }
        if (remaining[0] == 0) {
            whenAllAnswered.run();
        }
    }

    private static void refuse(CallPolicy policy, CommandContext c, int id, byte[][] argv, RespError error) {
        countRefusal(policy, c, id);
        policy.refused(c, id, argv, error);
    }

    /** A refused command's count in INFO commandstats' {@code rejected_calls}, where the caller's policy counts one. */
    private static void countRefusal(CallPolicy policy, CommandContext c, int id) {
        if (id >= 0 && policy.countsRejected()) {
            c.server().commandStats().rejected(id);
        }
    }

    /**
     * Redis's refusals of the lookup ({@code commandCheckExistence}, {@code commandCheckArity}): an unknown
     * command or subcommand, or the wrong number of arguments for {@code id}; null when {@code id} fits.
     */
    public static RespError lookupRefusal(CommandTable commands, int id, byte[][] argv) {
        if (id >= 0) {
            return commands.arityFits(id, argv.length) ? null : RespReplies.wrongArgs(commands.fullName(id));
        }
        return id == CommandTable.NO_SUBCOMMAND ? RespReplies.unknownSubcommand(argv[1], RespReplies.ascii(argv[0]))
                : RespReplies.unknownCommand(argv);
    }

    /**
     * Runs command {@code id} for {@code c} as {@code how} says: through its handler, or, when its keys lie on
     * several shards ({@link CommandTable#spansShards}) and the caller does not hold them already, as a
     * transaction of its own holding them all ({@link AcrossShards#runAlone}), atomic as every Redis command.
     * A client's command whose keys' slots are migrating (cluster admission left the route in its session)
     * runs holding its keys' shards, so that no slot batch moves them meanwhile. A {@link RespError} thrown is
     * the command's error reply.
     */
    private static void run(CommandContext c, int id, CommandSpec spec, byte[][] argv, CallPolicy.Run how) {
        if (how == CallPolicy.Run.HELD) {
            spec.handler().handle(c, argv);
            return;
        }
        if (how == CallPolicy.Run.ALONE_UNLESS_BUSY) {
            RespSession session = c.session();
            Cluster.Route route = session.migratingRoute;
            if (route != null) {
                session.migratingRoute = null;
                AcrossShards.runAloneUnless(c, spec.name(), AcrossShards.shardsOfKeys(c.commands(), id, argv, c.keyspace()),
                        bound -> Cluster.refusalWhileMigrating(bound, route, argv), held -> spec.handler().handle(held, argv));
                return;
            }
        }
        BitSet spanned;
        if (c.commands().spansShards(id) && (spanned = AcrossShards.shardsToHold(c.commands(), id, argv, c.keyspace())) != null) {
            String busy = how == CallPolicy.Run.ALONE_UNLESS_BUSY ? c.server().busyScriptNow() : null;
            if (busy != null) {
                throw new RespError(busy); // it would wait behind the script's hold: -BUSY, as EXEC
            }
            AcrossShards.runAlone(c, spec.name(), spanned, held -> spec.handler().handle(held, argv));
        } else {
            spec.handler().handle(c, argv);
        }
    }

    /** How a command with {@code reply} ended: an error reply failed it, unless it was the OOM refusal (rejected). */
    public static int outcome(boolean error, RedisMessage reply) {
        return !error ? SUCCEEDED : reply == RespReplies.OOM_REPLY ? REFUSED : FAILED;
    }

    /**
     * A command once its reply is known ({@code nanos} after it began): INFO commandstats and errorstats'
     * part, MONITOR, and the slow log when it took long enough; arguments that must stay secret are
     * redacted for both ({@link CommandTable#redacted}). As in Redis, a command is shown once it ran: EXEC
     * after the commands it ran, a script's commands before its EVAL's reply. {@code client} is who MONITOR
     * and the slow log name (a script's commands: the script's client, {@code lua} to monitors and
     * {@code ?:0} to the slow log, as Redis shows its script client); its address and name are asked for
     * only when one of them shows it.
     */
    public static void report(CommandContext client, int id, byte[][] argv, long nanos, int outcome) {
        ServerShard server = client.server();
        if (!count(server, id, nanos, outcome)) {
            return;
        }
        CommandTable commands = client.commands();
        if ((server.commandHooks & ServerShard.HOOK_MONITOR) != 0 && !commands.skipsMonitor(id)) {
            monitor(client.local(), commands, id, argv, client.remoteAddress(), client.keyspace().db());
        }
        if (nanos >= server.slowlogThresholdNanos && !commands.skipsSlowlog(id)) {
            ConfigValues config = server.config();
            server.slowLog().push(commands.redacted(id, argv), nanos / 1000, config.slowlogSlowerThan(),
                    config.slowlogMaxLen(), client.caller().slowlogAddress(), client.session().name);
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
