package io.percore.demo.network;

import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ServerShard;

/**
 * Whether a client's command may run now (Redis's {@code processCommand} refusals), each the check
 * of the subsystem that refuses, in Redis's order: authentication, a RESP2 subscriber's context, a
 * busy script, (cluster mode's redirections, the connection's: they leave a route behind), loading
 * and a failed background save, a read-only replica and {@code min-replicas-to-write}, then MULTI's
 * queue. A refusal is the error to answer, or null. The checks of the shard's state run only while
 * its {@link ServerShard#commandHooks} say one of them could refuse; what holds a command instead of
 * refusing it (CLIENT PAUSE, a shard reserved by a transaction or script) and the connection's own
 * modes (MONITOR, tracking) stay with the connection.
 */
final class CommandAdmission {

    private CommandAdmission() {
    }

    /** What every command is checked for: a password not given yet, a RESP2 connection that subscribed. */
    static RespError always(ServerShard server, RespSession session, CommandSpec spec) {
        if (!session.authenticated && !spec.noAuth() && server.config().requirePass() != null) {
            return new RespError(RespReplies.NOAUTH);
        }
        return session.subscriptions == null ? null : PubSubCommands.refusedWhenSubscribed(session, spec);
    }

    /** While a script runs past busy-reply-threshold (Redis's -BUSY): only allow_busy commands (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE). */
    static RespError busyScript(ServerShard server, CommandTable commands, int id) {
        if ((server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            return null;
        }
        String busy = server.busyScript();
        return busy != null && !commands.spec(id).flags().contains("allow_busy") ? new RespError(busy) : null;
    }

    /**
     * An EXEC while a script is busy, which reserves its shards and would otherwise wait behind the
     * busy script's hold until the script ends when sent before this shard's poll heard of it:
     * refused now (Redis's EXECABORT with the -BUSY reason).
     */
    static RespError execWhileBusy(ServerShard server, CommandSpec spec) {
        String busy = server.busyScriptNow();
        return busy == null || spec.flags().contains("allow_busy") ? null : new RespError(busy);
    }

    /**
     * The data's state: {@code -LOADING} before it is there and {@code -MISCONF} for writes (and PING)
     * after a failed save (persistence); {@code -READONLY} on a read-only replica and
     * {@code -NOREPLICAS} below {@code min-replicas-to-write} (replication).
     */
    static RespError dataState(ServerShard server, CommandTable commands, RespSession session, int id) {
        int hooks = server.commandHooks;
        if ((hooks & ServerShard.HOOK_PERSISTENCE) != 0) {
            boolean write = mayWrite(commands, session, id, commands.writes(id)) || commands.fullName(id).equals("ping");
            String refusal = server.persistence().refusal(commands.okWhileLoading(id), write);
            if (refusal != null) {
                return new RespError(refusal);
            }
        }
        if ((hooks & ServerShard.HOOK_REPLICATION) != 0) {
            String refusal = server.replication().refusal(mayWrite(commands, session, id, commands.writes(id)));
            if (refusal != null) {
                return new RespError(refusal);
            }
        }
        return null;
    }

    /** A command queued in MULTI: not one a transaction may hold, nor any while over maxmemory (queuing takes memory). */
    static RespError whileQueuing(CommandContext c, CommandTable commands, RespSession session, int id, byte[][] argv) {
        if (commands.refusedInMulti(id)) {
            return new RespError("ERR Command not allowed inside a transaction");
        }
        return TransactionCommands.refusedWhileQueuing(c, session.multi, argv) ? new RespError(OutOfBudgetException.MESSAGE) : null;
    }

    /**
     * Whether command {@code id} may write ({@code itself}: its own flag, {@code write} or
     * {@code may-replicate}); an EXEC may when a command it would run may (Redis's may-replicate EXEC).
     */
    static boolean mayWrite(CommandTable commands, RespSession session, int id, boolean itself) {
        return itself || (session.multi != null && commands.fullName(id).equals("exec") && session.multi.mayWrite(commands));
    }
}
