package io.percore.demo.network;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.execution.Admission;
import io.percore.demo.execution.CallPolicy;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.Client;
import io.percore.demo.server.ServerShard;
import io.percore.net.server.OrderedResponder;

/**
 * A client connection's way through {@link io.percore.demo.execution.CommandCall} (Redis's {@code processCommand} for a
 * client, then {@code call()}'s accounting): the subsystems' admission with MONITOR's and MULTI's rules, a CLIENT PAUSE
 * holding what it covers, MULTI queueing what it does not run, the command's figures and the client's flags after it.
 * What it changes is the client's (its session, flags, activity, the command running, the line of held commands); the
 * connection only reads the commands and hands each to the door with this policy.
 */
final class ClientCallPolicy implements CallPolicy {

    private final Client client;
    private final ServerShard server;
    private final CommandTable commands;
    private final Admission admission;
    private final RespSession session;
    private final ClientFlags flags;
    private final ClientActivity activity;
    private final RunningCommand running;
    private final HeldCommands held;
    private final ClientKeyspace keyspace;
    private final OrderedResponder<RedisMessage> responder;
    /** The client's tracking (made once the connection is in its pipeline). */
    private ConnectionTracking tracking;
    /** The running command is a write while clients are blocked somewhere: it may serve them, and what follows waits for its reply. */
    private boolean mayWake;

    ClientCallPolicy(Client client, ServerShard server, CommandTable commands, Admission admission, RespSession session,
                     ClientFlags flags, ClientActivity activity, RunningCommand running, HeldCommands held, ClientKeyspace keyspace,
                     OrderedResponder<RedisMessage> responder) {
        this.client = client;
        this.server = server;
        this.commands = commands;
        this.admission = admission;
        this.session = session;
        this.flags = flags;
        this.activity = activity;
        this.running = running;
        this.held = held;
        this.keyspace = keyspace;
        this.responder = responder;
    }

    void tracking(ConnectionTracking tracking) {
        this.tracking = tracking;
    }

    /** processCommand's checks for a client: the subsystems' admission, MONITOR's rule, MULTI's. */
    @Override
    public RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        running.family = commands.familyOf(id);
        int hooks = server.commandHooks;
        int multi = session.multi == null ? Admission.NOT_IN_MULTI : TransactionCommands.queues(spec) ? Admission.QUEUED
                : Admission.RUN_IN_MULTI;
        // a MONITOR client is refused the keyspace, and is never redirected, refused for the data's state or paused
        RespError refused = admission.refusal(c, !flags.monitoring() ? hooks : hooks & ServerShard.HOOK_BUSY_SCRIPT, multi, id,
                spec, argv);
        if (refused == null && flags.monitoring() && commands.touchesKeyspace(id)) {
            refused = new RespError("ERR Replica can't interact with the keyspace"); // Redis: a monitor is a replica
        }
        return refused;
    }

    @Override
    public void refused(CommandContext c, int id, byte[][] argv, RespError error) {
        running.family = commands.familyOfCall(id, argv);
        reject(id, error);
    }

    /** A CLIENT PAUSE holds what it covers (never a monitor's); MULTI queues what it does not run at once. */
    @Override
    public boolean keeps(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        if (flags.tracking()) {
            keyspace.seenThrough(tracking, id, argv);
        }
        if ((server.commandHooks & ServerShard.HOOK_PAUSE) != 0 && !flags.monitoring()
                && server.pause().holds(Admission.mayWrite(commands, session, id, commands.mayWrite(id, c, argv)))) {
            held.addFirst(argv);
            held.raiseBarrier();
            flags.paused(true);
            server.pause().hold(client);
            responder.checkBackpressure();
            return true;
        }
        if (session.multi != null && TransactionCommands.queues(spec)) {
            session.multi.queue(id, spec, argv, commands.mayWrite(id, c, argv));
            running.reply(TransactionCommands.QUEUED, flags.muted());
            return true;
        }
        return false;
    }

    @Override
    public Run run() {
        return Run.ALONE_UNLESS_BUSY;
    }

    @Override
    public void begin(CommandContext c, int id, byte[][] argv) {
        running.begin(id, argv, activity.last());
        mayWake = keyspace.seen().anyWaiters() && commands.writes(id);
    }

    @Override
    public void ran(CommandContext c, int id, byte[][] argv) {
        server.commandsProcessed++; // after it ran, so INFO does not count itself (as Redis's call())
        long now = System.nanoTime();
        activity.at(now);
        if (running.end(now, mayWake && !held.barrier())) {
            held.raiseBarrier();
        }
        if (flags.any()) {
            afterCommand(id);
            if (flags.closeAfterReply() && !responder.closing()) {
                // CLIENT KILL matched this connection: it closes once every reply before this point is written
                responder.replyAndClose(RespReplies.NOTHING);
            }
        }
    }

    /** A command refused before it ran (counted as rejected already); an open MULTI will abort, a refused EXEC discards it. */
    private void reject(int id, RespError error) {
        session.migratingRoute = null; // a route left by cluster admission for a command refused after it is not the next command's
        if (session.multi != null) {
            session.multi.rejectOne(); // Redis's flagTransaction: the EXEC that follows aborts
        }
        if (id >= 0) {
            running.refused(id);
            if (session.multi != null && commands.fullName(id).equals("exec")) {
                // Redis's rejectCommand of an EXEC (execCommandAbort): the transaction is discarded, saying why
                session.multi = null;
                session.watched.unwatchAll(keyspace.seen());
                String why = error.getMessage();
                error = new RespError("EXECABORT Transaction discarded because of: " + (why.startsWith("-") ? why.substring(1) : why));
            }
        }
        running.reply(error.reply(), flags.muted());
        activity.now();
        if (flags.any()) {
            afterCommand(id);
        }
    }

    /** Tracking's CLIENT CACHING flag and CLIENT REPLY SKIP last one command. */
    private void afterCommand(int id) {
        if (flags.tracking()) {
            tracking.afterCommand(id);
        }
        if (flags.skipping()) {
            flags.afterCommand(id >= 0 && commands.fullName(id).startsWith("client"));
        }
    }
}
