package io.percore.demo.network;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ClientAddresses;
import io.percore.demo.server.ClientRegistry;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;

/**
 * Whether a client may connect (Redis's {@code clientAcceptHandler}) and whether its command may run now (Redis's
 * {@code processCommand} refusals), each the check
 * of the subsystem that refuses, in Redis's order: authentication, a RESP2 subscriber's context, a
 * busy script, (cluster mode's redirections, the connection's: they leave a route behind), loading
 * and a failed background save, a read-only replica and {@code min-replicas-to-write}, then MULTI's
 * queue. A refusal is the error to answer, or null. The checks of the shard's state run only while
 * its {@link ServerShard#commandHooks} say one of them could refuse; what holds a command instead of
 * refusing it (CLIENT PAUSE, a shard reserved by a transaction or script) and the connection's own
 * modes (MONITOR, tracking) stay with the connection.
 */
final class CommandAdmission {

    private static final ErrorRedisMessage MAX_CLIENTS = new ErrorRedisMessage("ERR max number of clients reached");

    /** Redis 7.0's text for a client refused by protected mode. */
    private static final ErrorRedisMessage DENIED = new ErrorRedisMessage("DENIED Redis is running in protected mode because protected mode is"
            + " enabled and no password is set for the default user. In this mode connections are only accepted from the loopback"
            + " interface. If you want to connect from external computers to Redis you may adopt one of the following solutions:"
            + " 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by"
            + " connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from"
            + " internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the"
            + " protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then"
            + " restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode"
            + " no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above"
            + " things in order for the server to start accepting connections from the outside.");

    private CommandAdmission() {
    }

    /**
     * Whether a new connection may stay (Redis's {@code clientAcceptHandler}): the error it is told before it is
     * closed, or null. Redis's maxclients (CONFIG SET maxclients), each shard taking its share as with maxmemory;
     * protected mode: no password, so only the loopback interface is served.
     */
    static ErrorRedisMessage connection(ServerShard server, int shards, java.net.SocketAddress peer) {
        if (server.clients().size() >= ClientRegistry.shardLimit(server.config(), shards)) {
            return MAX_CLIENTS;
        }
        ConfigValues config = server.config();
        if (config.protectedMode() && config.requirePass() == null && !ClientAddresses.loopback(peer)) {
            return DENIED;
        }
        return null;
    }

    /** A transaction's command with keys in a slot moving away: EXEC could not re-check where the keys are. */
    private static final Cluster.Route TRY_AGAIN_IN_MULTI = new Cluster.Route("TRYAGAIN Multiple keys request during rehashing of slot",
            null, -1, null);

    /**
     * Cluster mode (Redis's getNodeByQuery in processCommand): null when the command's keys are served here (or it
     * has none); a route with an error when another node serves them ({@code -MOVED}, {@code -CROSSSLOT},
     * {@code -CLUSTERDOWN}, or {@code -TRYAGAIN} in a transaction, which waits until the slot has moved); else the
     * route of keys in slots migrating away, whose presence is known once the command holds its shards. ASKING lasts
     * one command, outside MULTI.
     */
    static Cluster.Route clusterRoute(ServerShard server, CommandTable commands, RespSession session, int id, byte[][] argv) {
        String name = commands.fullName(id);
        boolean asking = session.asking || name.equals("restore-asking");
        if (session.multi == null && !name.equals("asking")) {
            session.asking = false;
        }
        CommandSpec spec = commands.spec(id);
        if (!spec.hasKeys() || name.equals("exec")) {
            return null;
        }
        int[] keys;
        try {
            keys = spec.keyIndices(argv);
        } catch (RespError e) {
            return null; // the command answers its own error
        }
        if (keys.length == 0) {
            return null;
        }
        Cluster.Route route = server.cluster().route(argv, keys, asking, session.readonlyReplicaReads, !commands.writes(id));
        return route != null && route.error() == null && session.multi != null ? TRY_AGAIN_IN_MULTI : route;
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
