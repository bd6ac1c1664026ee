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
 * Whether a client's command may run now (Redis's {@code processCommand} refusals): the checks the
 * subsystems that refuse register, each at its {@link Stage}, asked in the stages' order; the first
 * refusal is the command's answer. A stage of the shard's state (a busy script, cluster mode, a
 * failed save, a read-only replica) is asked only while the {@link ServerShard#commandHooks} bit it
 * names is set, so a command on a server in none of those states is asked the always-asked stages
 * only. What holds a command instead of refusing it (CLIENT PAUSE, a shard reserved by a transaction
 * or script) and the connection's own modes (MONITOR, tracking) stay with the connection; the
 * command table's own refusals (unknown command, arity) are {@link CommandCall#lookupRefusal}'s.
 */
public final class Admission {

    /** One subsystem's refusal of command {@code id} from caller {@code c}: the error to answer, or null. */
    @FunctionalInterface
    public interface Check {
        RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv);
    }

    /** Where a check stands, in the order they are asked, and the hook bit that arms it (0: every command). */
    public enum Stage {
        /** A protected command (DEBUG) the configuration does not allow this client, asked before authentication as Redis's. */
        PROTECTED(0, false),
        /** {@code -NOAUTH} before the password (authentication). */
        AUTHENTICATION(0, false),
        /** {@code -NOPERM} for a command, key or channel the client's user may not use (ACL). */
        ACL(0, false),
        /** A RESP2 connection that subscribed runs only the pub/sub commands (pub/sub). */
        SUBSCRIBED(0, false),
        /** {@code -BUSY} while a script runs past busy-reply-threshold (scripting). */
        BUSY_SCRIPT(ServerShard.HOOK_BUSY_SCRIPT, false),
        /** {@code -MOVED}, {@code -ASK}, {@code -CROSSSLOT}, {@code -CLUSTERDOWN}, {@code -TRYAGAIN} (cluster mode). */
        CLUSTER(ServerShard.HOOK_CLUSTER, false),
        /** {@code -LOADING} before the data is there, {@code -MISCONF} after a failed save (persistence). */
        DATA(ServerShard.HOOK_PERSISTENCE, false),
        /** {@code -READONLY} on a read-only replica, {@code -NOREPLICAS} below min-replicas-to-write (replication). */
        REPLICA(ServerShard.HOOK_REPLICATION, false),
        /** A command about to be queued in MULTI: one a transaction may not hold, or any over maxmemory (transactions). */
        QUEUING(0, true),
        /** A command in MULTI that is not queued (EXEC): while a script is busy (scripting). */
        IN_TRANSACTION(0, true);

        final int hooks;
        /** Asked by {@link #inTransaction} rather than by {@link #refusal}. */
        final boolean transaction;

        Stage(int hooks, boolean transaction) {
            this.hooks = hooks;
            this.transaction = transaction;
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
    /** The checks before a command runs or is queued, and the hook bits of each: parallel arrays, no iterator per command. */
    private final Check[] before;
    private final int[] beforeHooks;
    private final Check[] queuing;
    private final Check[] inTransaction;

    private Admission(Map<Stage, List<Check>> checks) {
        this.registered = new EnumMap<>(Stage.class);
        checks.forEach((stage, list) -> registered.put(stage, List.copyOf(list)));
        List<Check> b = new ArrayList<>();
        List<Integer> hooks = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            if (!stage.transaction) {
                for (Check check : checks.getOrDefault(stage, List.of())) {
                    b.add(check);
                    hooks.add(stage.hooks);
                }
            }
        }
        this.before = b.toArray(Check[]::new);
        this.beforeHooks = hooks.stream().mapToInt(Integer::intValue).toArray();
        this.queuing = checks.getOrDefault(Stage.QUEUING, List.of()).toArray(Check[]::new);
        this.inTransaction = checks.getOrDefault(Stage.IN_TRANSACTION, List.of()).toArray(Check[]::new);
    }

    /**
     * The first refusal of command {@code id} by the stages before it runs or is queued, asking those
     * of the shard's state only where {@code hooks} (the shard's {@link ServerShard#commandHooks}, or
     * fewer) has their bit; null: it may go on.
     */
    public RespError refusal(CommandContext c, int hooks, int id, CommandSpec spec, byte[][] argv) {
        for (int i = 0; i < before.length; i++) {
            int armedBy = beforeHooks[i];
            if (armedBy == 0 || (hooks & armedBy) != 0) {
                RespError refused = before[i].refusal(c, id, spec, argv);
                if (refused != null) {
                    return refused;
                }
            }
        }
        return null;
    }

    /**
     * In MULTI: the refusal of a command about to be queued ({@code queued}) or of one that runs now
     * (EXEC and the others MULTI does not queue), or null.
     */
    public RespError inTransaction(CommandContext c, boolean queued, int id, CommandSpec spec, byte[][] argv) {
        for (Check check : queued ? queuing : inTransaction) {
            RespError refused = check.refusal(c, id, spec, argv);
            if (refused != null) {
                return refused;
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
