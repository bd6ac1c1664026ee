package io.percore.demo.network;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.resp.CountedError;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ShardRequestMetrics;

/**
 * A connection's command running now and the replies it makes: each reply counted
 * ({@code percore.server.requests} by the command's family, INFO errorstats), written in order
 * through the responder or muted, and the command's time and outcome reported once its reply is
 * known ({@link CommandCall#report}): when it returns, or when the slot it reserved completes. What
 * CLIENT LIST reads of it (cmd, the running arguments) is here too. On the connection's shard only.
 */
final class RunningCommand {

    private final RespConnection connection;
    private final OrderedResponder<RedisMessage> responder;
    private final ClientLimits limits;
    private final CommandTable commands;
    private final ServerShard server;
    private final KeyspaceShard local;
    /** Where requests are counted (percore.server.requests); the responder records their latency. */
    private ShardRequestMetrics requestMetrics;

    /** Family of the command being executed, for the replies it makes (see {@link CommandTable#requestKinds()}). */
    int family;
    /** The id of the command running now, or -1; the last one run (CLIENT LIST's cmd). */
    private int id = -1;
    private int last = -1;
    private byte[][] argv;
    /** When the running command started: the previous command's end or the read burst's start. */
    private long start;
    /** The running command's reply has a slot: its time and outcome are taken when the slot completes. */
    private boolean deferred;
    /** How the running command's inline reply went: one of {@link CommandCall}'s outcomes (OOM on its shard: refused). */
    private int outcome;
    /** The reply slot the running command reserved for its own reply, if any (a write's reply may gate what follows). */
    private ReplySlot slot;

    RunningCommand(RespConnection connection, OrderedResponder<RedisMessage> responder, ClientLimits limits, CommandTable commands,
                   ServerShard server, KeyspaceShard local) {
        this.connection = connection;
        this.responder = responder;
        this.limits = limits;
        this.commands = commands;
        this.server = server;
        this.local = local;
    }

    void attach(ShardRequestMetrics requestMetrics) {
        this.requestMetrics = requestMetrics;
    }

    /** A reply position in the connection's output order. */
    final class ReplySlot extends OrderedResponder.Slot implements CommandContext.PendingReply {
        private final int family = RunningCommand.this.family;
        /** The command whose figures this slot carries, or -1. */
        private final int command;
        private final long start;
        private final byte[][] argv;
        /** Written nowhere (CLIENT REPLY OFF/SKIP when it was taken), so it was never queued. */
        private final boolean muted;
        /** The arguments' bytes while the reply is on its way (query memory until it arrives). */
        private final long inFlight;
        /** The connection's next commands wait for this reply (a write that may have served blocked clients). */
        private boolean gates;
        private boolean completed;

        private ReplySlot(int command, long start, byte[][] argv, boolean muted, long inFlight) {
            this.command = command;
            this.start = start;
            this.argv = argv;
            this.muted = muted;
            this.inFlight = inFlight;
        }

        @Override
        public void complete(RedisMessage message) {
            completed = true;
            if (inFlight > 0) {
                limits.answered(inFlight);
            }
            boolean error = count(family, message);
            if (command >= 0) {
                report(command, argv, System.nanoTime() - start, CommandCall.outcome(error, message));
            }
            if (muted) {
                ReferenceCountUtil.release(message);
            } else {
                connection.replyAfterItsRead(); // first: its flush waits for the turn's end
                responder.complete(this, message);
            }
            if (gates) {
                gates = false;
                connection.endBarrier();
            }
        }
    }

    /** Command {@code id} starts at {@code start} (nanos). */
    void begin(int id, byte[][] argv, long start) {
        this.id = id;
        this.argv = argv;
        this.start = start;
        deferred = false;
        outcome = CommandCall.SUCCEEDED;
        slot = null;
    }

    /**
     * Its handler returned at {@code now}: reported now unless a slot carries its reply. {@code gate}: the
     * connection's next commands are to wait for that reply (a write that may have served blocked clients).
     * @return whether they wait
     */
    boolean end(long now, boolean gate) {
        boolean gated = gate && deferred && slot != null && !slot.completed;
        if (gated) {
            slot.gates = true;
        }
        int ran = id;
        id = -1;
        last = ran;
        if (!deferred) {
            report(ran, argv, now - start, outcome);
        }
        return gated;
    }

    /** Command {@code id} (or -1: unknown) was refused before it ran. */
    void refused(int id) {
        if (id >= 0) {
            last = id;
        }
    }

    boolean running() {
        return id >= 0;
    }

    /** When the running command started (nanos); meaningful while {@link #running}. */
    long start() {
        return start;
    }

    /** Redis's cmd field: the full name of the last command run (or being run), or NULL. */
    String lastName() {
        int shown = id >= 0 ? id : last;
        return shown < 0 ? "NULL" : commands.fullName(shown);
    }

    /** The command being run now, or null. */
    byte[][] argv() {
        return id >= 0 ? argv : null;
    }

    /** An inline reply; {@code muted}: CLIENT REPLY OFF/SKIP, counted but not written. */
    void reply(RedisMessage message, boolean muted) {
        if (count(family, message) && id >= 0 && outcome == CommandCall.SUCCEEDED) {
            outcome = CommandCall.outcome(true, message);
        }
        if (muted) {
            ReferenceCountUtil.release(message);
            return;
        }
        responder.reply(message);
    }

    /** The next position in the reply order; the running command's first carries its figures. */
    ReplySlot reserve(boolean muted) {
        boolean carries = id >= 0 && !deferred;
        deferred |= carries;
        long inFlight = carries ? MultiState.bytesOf(argv) : 0;
        if (inFlight > 0) {
            limits.sent(inFlight);
        }
        ReplySlot reserved = new ReplySlot(carries ? id : -1, start, carries ? argv : null, muted, inFlight);
        if (carries) {
            slot = reserved;
        }
        return muted ? reserved : responder.enqueue(reserved);
    }

    /**
     * Counts one reply for percore.server.requests and, when it is an error, for INFO errorstats.
     * @return whether it is an error
     */
    boolean count(int family, RedisMessage reply) {
        boolean error = CountedError.isError(reply);
        requestMetrics.count(family, error ? 1 : 0);
        if (reply instanceof ErrorRedisMessage e) {
            server.commandStats().error(e.content()); // a CountedError was counted where it arose
        }
        return error;
    }

    /** A command EXEC ran for this connection: counted, logged and shown to monitors as a command of its own, as in Redis. */
    void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
        if (id < 0) {
            return;
        }
        server.commandsProcessed++;
        if (reply instanceof ErrorRedisMessage e) {
            server.commandStats().error(e.content()); // counted as Redis's afterErrorReply does, inside EXEC's reply too
        }
        report(id, argv, nanos, CommandCall.outcome(CountedError.isError(reply), reply));
    }

    private void report(int id, byte[][] argv, long nanos, int outcome) {
        CommandCall.report(connection, id, argv, nanos, outcome);
    }
}
