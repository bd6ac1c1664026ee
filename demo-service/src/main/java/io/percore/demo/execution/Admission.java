package io.percore.demo.execution;

import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.resp.RespError;
import io.percore.demo.server.ServerShard;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a client's command may run now (Redis 7.0's {@code processCommand} refusals): the checks the
 * subsystems that refuse register, each at its {@link Stage}, asked in the stages' order, which is
 * {@code processCommand}'s, so that where two refusals apply at once the answer is redis-server's; the
 * first refusal is the command's answer. A stage of the shard's state (a busy script, cluster mode, a
 * failed save, a replica) is asked only while the {@link ServerShard#commandHooks} bit it names is set,
 * so a command on a server in none of those states is asked the always-asked stages only; a stage of
 * MULTI only in the transaction it applies to ({@link #NOT_IN_MULTI}, {@link #QUEUED},
 * {@link #RUN_IN_MULTI}). What holds a command instead of refusing it (CLIENT PAUSE, a shard reserved by
 * a transaction or script) and the connection's own modes (MONITOR, tracking) stay with the connection;
 * the command table's own refusals (unknown command, arity) are {@link CommandCall#lookupRefusal}'s.
 */
public final class Admission {

    /** A command outside MULTI. */
    public static final int NOT_IN_MULTI = 1;
    /** A command MULTI queues. */
    public static final int QUEUED = 2;
    /** A command in MULTI that runs at once (EXEC, DISCARD, WATCH, MULTI, QUIT, RESET). */
    public static final int RUN_IN_MULTI = 4;
    private static final int ALWAYS = NOT_IN_MULTI | QUEUED | RUN_IN_MULTI;
    private static final int IN_MULTI = QUEUED | RUN_IN_MULTI;

    /** One subsystem's refusal of command {@code id} from caller {@code c}: the error to answer, or null. */
    @FunctionalInterface
    public interface Check {
        RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv);
    }

    /**
     * Where a check stands, in the order they are asked ({@code processCommand}'s), the hook bit that arms it
     * (0: every command) and the commands of a transaction it is asked for.
     */
    public enum Stage {
        /** A protected command (DEBUG) the configuration does not allow this client, asked before authentication as Redis's. */
        PROTECTED(0, ALWAYS),
        /** {@code -NOAUTH} before the password (authentication). */
        AUTHENTICATION(0, ALWAYS),
        /** A command a transaction may not hold, in MULTI, before the ACL as Redis's (transactions). */
        NO_MULTI(0, IN_MULTI),
        /** {@code -NOPERM} for a command, key or channel the client's user may not use (ACL). */
        ACL(0, ALWAYS),
        /** {@code -MOVED}, {@code -ASK}, {@code -CROSSSLOT}, {@code -CLUSTERDOWN}, {@code -TRYAGAIN} (cluster mode). */
        CLUSTER(ServerShard.HOOK_CLUSTER, ALWAYS),
        /**
         * {@code -OOM} for a command MULTI would queue over maxmemory (transactions), where Redis asks maxmemory; a command
         * that runs now is refused by its handler on its keys' shard, whose memory it is.
         */
        QUEUED_OVER_MEMORY(0, QUEUED),
        /** {@code -MISCONF} for a write (or PING) after a failed save or append-only write (persistence). */
        WRITE_ERRORS(ServerShard.HOOK_PERSISTENCE, ALWAYS),
        /** {@code -NOREPLICAS} below min-replicas-to-write, {@code -READONLY} on a read-only replica (replication). */
        REPLICA_WRITES(ServerShard.HOOK_REPLICATION, ALWAYS),
        /** A RESP2 connection that subscribed runs only the pub/sub commands (pub/sub). */
        SUBSCRIBED(0, ALWAYS),
        /** {@code -MASTERDOWN} on a replica whose link is down, with replica-serve-stale-data no (replication). */
        STALE(ServerShard.HOOK_REPLICATION, ALWAYS),
        /** {@code -LOADING} before the data is there (persistence). */
        LOADING(ServerShard.HOOK_PERSISTENCE, ALWAYS),
        /** {@code -BUSY} while a script runs past busy-reply-threshold (scripting). */
        BUSY_SCRIPT(ServerShard.HOOK_BUSY_SCRIPT, ALWAYS),
        /** An EXEC while a script is busy, asked of every shard's state now: the hook may not have reached this one yet (scripting). */
        EXEC_WHILE_BUSY(0, RUN_IN_MULTI);

        final int hooks;
        /** The commands it is asked for: {@link #NOT_IN_MULTI}, {@link #QUEUED}, {@link #RUN_IN_MULTI} or several. */
        final int commands;

        Stage(int hooks, int commands) {
            this.hooks = hooks;
            this.commands = commands;
        }
    }

    /** Registers the subsystems' checks; several at one stage are asked in the order given. */
    public static final class Builder {
        private final Map<Stage, List<Check>> checks = new EnumMap<>(Stage.class);

        public Builder check(Stage stage, Check check) {
            checks.computeIfAbsent(stage, s -> new ArrayList<>()).add(check);
            return this;
        }

        public Admission build() {
            return new Admission(checks);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private final Map<Stage, List<Check>> registered;
    /** Every check in the order asked, with the hook bits and the transaction's commands of each: parallel arrays, no iterator per command. */
    private final Check[] checks;
    private final int[] hooks;
    private final int[] commands;

    private Admission(Map<Stage, List<Check>> checks) {
        this.registered = new EnumMap<>(Stage.class);
        checks.forEach((stage, list) -> registered.put(stage, List.copyOf(list)));
        List<Check> all = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            for (Check check : checks.getOrDefault(stage, List.of())) {
                all.add(check);
                stages.add(stage);
            }
        }
        this.checks = all.toArray(Check[]::new);
        this.hooks = stages.stream().mapToInt(s -> s.hooks).toArray();
        this.commands = stages.stream().mapToInt(s -> s.commands).toArray();
    }

    /**
     * The first refusal of command {@code id}, asking the stages of the shard's state only where {@code hooks} (the
     * shard's {@link ServerShard#commandHooks}, or fewer) has their bit and those of a transaction only for
     * {@code multi}'s commands ({@link #NOT_IN_MULTI}, {@link #QUEUED} or {@link #RUN_IN_MULTI}); null: it may go on.
     */
    public RespError refusal(CommandContext c, int hooks, int multi, int id, CommandSpec spec, byte[][] argv) {
        for (int i = 0; i < checks.length; i++) {
            int armedBy = this.hooks[i];
            if ((commands[i] & multi) != 0 && (armedBy == 0 || (hooks & armedBy) != 0)) {
                RespError refused = checks[i].refusal(c, id, spec, argv);
                if (refused != null) {
                    return refused;
                }
            }
        }
        return null;
    }

    /** How many checks are registered at {@code stage}. */
    public int checksAt(Stage stage) {
        return registered.getOrDefault(stage, List.of()).size();
    }

    /**
     * Whether command {@code id} may write ({@code itself}: its own flag, {@code write} or
     * {@code may-replicate}); an EXEC may when a command it would run may (Redis's may-replicate EXEC).
     */
    public static boolean mayWrite(CommandTable commands, RespSession session, int id, boolean itself) {
        return itself || (session.multi != null && commands.fullName(id).equals("exec") && session.multi.mayWrite());
    }
}
