package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.Client;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.ShardState;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import io.percore.net.resp.RespProtocolError;
import io.percore.net.server.DrainStarted;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.percore.demo.admin.ArgvRedaction;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.RespReplyWriter;
import io.percore.demo.server.ClientRegistry;
import io.percore.demo.server.CommandStats;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.MonitorFeed;
import io.percore.demo.server.RespSettings;

/**
 * One RESP client connection, on the shard whose loop owns the channel. Commands are executed
 * in arrival order: those whose keys live here run inline; the others are sent to the owning
 * shard over the mesh. Replies go back strictly in request order through net-pooling's
 * {@link OrderedResponder} (the handler before this one), which batches them ({@link RespReplyWriter} encodes) into one write
 * and flush per read burst and pauses reading past {@code percore.servers.resp.max-pending-replies}.
 *
 * <p>A command that needs more than one round of messages (cross-shard RENAME and MSETNX,
 * RANDOMKEY), or waits for data (BLPOP and the other blocking commands), raises a barrier: later commands of this connection wait until it finishes, so a
 * pipelined client always observes its own writes in order. Commands held by the barrier count
 * toward the same limit. A CLIENT PAUSE holds commands the same way.
 *
 * <p>What an operator sees of the connection (CLIENT LIST, INFO commandstats, the slow log,
 * MONITOR; {@link ClientCommands}) costs a command one clock read when it ends (the start is the
 * previous command's end, or the read burst's start), two array increments and two field checks.
 */
public final class RespConnection extends ChannelInboundHandlerAdapter implements CommandContext, Subscriber, ConnectionControl, Client {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    private final RespSession session;
    private final OrderedResponder<RedisMessage> responder;

    private ChannelHandlerContext ctx;
    private Shard shard;
    private ShardState local;
    private ServerShard server;

    private final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    private boolean barrier;
    /** The server drains: no more reads; a blocked command is answered as timed out. */
    private boolean draining;
    /** Where requests are counted (percore.server.requests); the responder records their latency. */
    private ShardRequestMetrics requestMetrics;
    /** Family of the command being executed, for the replies it makes (see {@link CommandTable#requestKinds()}). */
    private int family;

    // ------------------------------------------------------------------ what an operator sees (CLIENT LIST, stats)

    /** Bits of {@link #modes}: the connection's states that change how its commands run (zero for almost every connection). */
    static final int MONITOR = 1;
    static final int REPLY_OFF = 2;
    static final int REPLY_SKIP_NEXT = 4;
    static final int REPLY_SKIP = 8;
    static final int NO_EVICT = 16;
    static final int CLOSE_AFTER_REPLY = 32;
    static final int PAUSED = 64;
    private static final int MUTED = REPLY_OFF | REPLY_SKIP;

    private static final ErrorRedisMessage MAX_CLIENTS = new ErrorRedisMessage("ERR max number of clients reached");

    private int modes;
    /** When this connection became a MONITOR: it gets the commands that ran after. */
    private long monitoringSince;
    /** Refused at once for maxclients: never counted as a client. */
    private boolean rejected;
    /** The id of the command running now, or -1; the last one run (CLIENT LIST's cmd). */
    private int command = -1;
    private int lastCommand = -1;
    private byte[][] commandArgv;
    /** When the running command started: the previous command's end or the read burst's start. */
    private long commandStart;
    /** The running command's reply has a slot: its time and outcome are taken when the slot completes. */
    private boolean commandDeferred;
    /** How the running command's inline reply went: {@link #SUCCEEDED}, {@link #FAILED} or {@link #REFUSED}. */
    private int commandOutcome;
    private static final int SUCCEEDED = 0;
    private static final int FAILED = 1;
    /** Refused by the owning shard before it ran (OOM): Redis's rejected_calls, as when its processCommand refuses it. */
    private static final int REFUSED = 2;
    /** The clock at the last interaction (a read burst, a command's end). */
    private long lastTick = System.nanoTime();
    private boolean inBurst;

    /** A reply position in the connection's output order. */
    public final class ReplySlot extends OrderedResponder.Slot implements PendingReply {
        private final int family = RespConnection.this.family;
        /** The command whose figures this slot carries, or -1. */
        private final int command;
        private final long start;
        private final byte[][] argv;
        /** Written nowhere (CLIENT REPLY OFF/SKIP when it was taken), so it was never queued. */
        private final boolean muted;

        private ReplySlot(int command, long start, byte[][] argv, boolean muted) {
            this.command = command;
            this.start = start;
            this.argv = argv;
            this.muted = muted;
        }

        @Override
        public void complete(RedisMessage message) {
            boolean error = count(family, message);
            if (command >= 0) {
                long now = System.nanoTime();
                finished(command, argv, now - start, outcome(error, message));
            }
            if (muted) {
                ReferenceCountUtil.release(message);
                return;
            }
            responder.complete(this, message);
        }
    }

    /** {@code responder} must stand right before this handler in the pipeline. */
    RespConnection(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands, RespSettings settings, RespSession session,
                   OrderedResponder<RedisMessage> responder) {
        this.keyspace = keyspace;
        this.servers = servers;
        this.pubsub = pubsub;
        this.commands = commands;
        this.settings = settings;
        this.session = session;
        this.responder = responder;
        responder.countHeldRequests(deferred::size);
    }

    /**
     * The responder for a RESP connection: replies are encoded by {@link RespReplyWriter} in the
     * protocol the session speaks when each reply is written (HELLO switches it for the replies
     * that follow, its own included).
     */
    static OrderedResponder<RedisMessage> responder(int maxPendingReplies, RespSession session) {
        return new OrderedResponder<>(maxPendingReplies, (reply, out) -> RespReplyWriter.write(reply, out, session.resp3));
    }

    // ------------------------------------------------------------------ CommandContext

    @Override
    public Shard shard() {
        return shard;
    }

    @Override
    public Keyspace keyspace() {
        return keyspace;
    }

    @Override
    public ShardState local() {
        return local;
    }

    @Override
    public ServerShard server() {
        return server;
    }

    @Override
    public Sharded<ServerShard> servers() {
        return servers;
    }

    @Override
    public PubSub pubsub() {
        return pubsub;
    }

    @Override
    public Subscriber subscriber() {
        return this;
    }

    // ------------------------------------------------------------------ pub/sub delivery

    /** A flush of pushed messages is scheduled for the end of this loop turn. */
    private boolean pushFlushScheduled;
    /** Since when (ms) the unsent output has been above the soft limit; 0 when it is not. */
    private long overSoftLimitSince;

    /**
     * Writes a pub/sub message. Messages pushed in one loop turn leave in one flush (as Redis writes
     * a client's buffer once per event loop iteration). A subscriber that cannot keep up is
     * disconnected past Redis's {@code client-output-buffer-limit pubsub} (hard limit, or soft
     * limit held for its seconds), so a slow reader cannot grow memory without bound.
     */
    @Override
    public void push(RedisMessage message) {
        if (responder.closing() || !ctx.channel().isActive()) {
            return;
        }
        if (overOutputLimit()) {
            LOG.info("Closing subscriber {}: its unsent output is over the pub/sub output buffer limit", ctx.channel());
            server.pubsubClientsDisconnected++;
            ctx.close();
            return;
        }
        if (!pushFlushScheduled) {
            pushFlushScheduled = true;
            responder.holdFlush();
            shard.execute(() -> {
                pushFlushScheduled = false;
                responder.releaseFlush();
            });
        }
        responder.push(message);
    }

    private boolean overOutputLimit() {
        RespSettings.OutputBufferLimit limit = server.config().outputLimits().pubsub();
        long pending = responder.pendingOutboundBytes();
        if (limit.hardBytes() > 0 && pending > limit.hardBytes()) {
            return true;
        }
        if (limit.softBytes() > 0 && pending > limit.softBytes()) {
            long now = System.currentTimeMillis();
            if (overSoftLimitSince == 0) {
                overSoftLimitSince = now;
            }
            return now - overSoftLimitSince > limit.softSeconds() * 1000L;
        }
        overSoftLimitSince = 0;
        return false;
    }

    @Override
    public RespSession session() {
        return session;
    }

    @Override
    public RespSettings settings() {
        return settings;
    }

    @Override
    public CommandTable commands() {
        return commands;
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
    }

    @Override
    public String localAddress() {
        return String.valueOf(ctx.channel().localAddress()).replaceFirst("^/", "");
    }

    @Override
    public ConnectionControl connection() {
        return this;
    }

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.shard = Shard.current();
        this.local = keyspace.local();
        this.server = servers.local();
        this.requestMetrics = ServerChannelContext.of(ctx.channel()).requestMetrics();
    }

    /**
     * Counts one reply for percore.server.requests and, when it is an error, for INFO errorstats.
     * @return whether it is an error
     */
    private boolean count(int family, RedisMessage reply) {
        boolean error = reply instanceof ErrorRedisMessage;
        requestMetrics.count(family, error ? 1 : 0);
        if (error) {
            server.commandStats().error(((ErrorRedisMessage) reply).content());
        }
        return error;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (server.clients().size() >= ClientRegistry.shardLimit(server.config(), keyspace.shardCount())) {
            // Redis's maxclients (CONFIG SET maxclients), each shard taking its share as with maxmemory;
            // as in Redis the client is told, not counted as connected, and counted as rejected
            rejected = true;
            server.rejectedConnections++;
            responder.replyAndClose(MAX_CLIENTS);
            ctx.fireChannelActive();
            return;
        }
        server.connectedClients++;
        server.connectionsReceived++;
        server.clients().add(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (rejected) {
            ctx.fireChannelInactive();
            return;
        }
        server.connectedClients--;
        server.clients().remove(this);
        if ((modes & MONITOR) != 0) {
            server.monitors().remove(this);
        }
        if ((modes & PAUSED) != 0) {
            server.pause().forget(this);
        }
        deferred.clear();
        session.multi = null;
        session.watched.unwatchAll(keyspace);
        PubSubCommands.forgetAll(session, pubsub.local(), this);
        local.blockedClients().disconnected(session.id()); // a blocked command of a closed connection is forgotten
        ctx.fireChannelInactive();
    }

    /** The server begins its graceful drain: a command blocked on keys is answered now, as timed out. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DrainStarted.INSTANCE) {
            draining = true;
            local.blockedClients().expireNow(session.id());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inBurst) {
            inBurst = true;
            lastTick = System.nanoTime(); // one clock read per burst: the first command's start
        }
        if (responder.closing() || (modes & CLOSE_AFTER_REPLY) != 0) {
            return;
        }
        if (msg instanceof RespProtocolError e) {
            protocolError(e.replyText());
            return;
        }
        byte[][] argv = (byte[][]) msg; // RespCommandDecoder emits nothing else
        if (barrier) {
            deferred.add(argv);
            responder.checkBackpressure();
            return;
        }
        execute(argv);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inBurst = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof RespProtocolError e) {
            protocolError(e.replyText());
        } else if (cause instanceof IOException || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
            // the peer went away, possibly in the middle of a command: nothing to answer
            ctx.close();
        } else {
            server.unexpectedErrors++;
            LOG.warn("Closing RESP connection {} after an unexpected error", ctx.channel(), cause);
            ctx.close();
        }
    }

    private void protocolError(String text) {
        if (responder.closing()) {
            return;
        }
        server.protocolErrors++;
        deferred.clear();
        family = commands.protocolFamily();
        replyAndClose(new ErrorRedisMessage(text));
    }

    // ------------------------------------------------------------------ execution

    private void execute(byte[][] argv) {
        if (local.reservation().held()) {
            // A transaction spanning shards holds this one: nothing else may run here until it is done.
            deferred.addFirst(argv);
            barrier = true;
            local.reservation().park(this::endBarrier);
            return;
        }
        int id = commands.find(argv[0]);
        if (id < 0) {
            family = commands.unknownFamily();
            reject(-1, RespReplies.unknownCommand(argv));
            return;
        }
        if (argv.length > 1 && commands.hasSubcommands(id)) {
            int sub = commands.findSubcommand(id, argv[1]);
            if (sub < 0) {
                family = commands.familyOf(id);
                reject(-1, RespReplies.unknownSubcommand(argv[1], RespReplies.ascii(argv[0])));
                return;
            }
            id = sub;
        }
        CommandSpec spec = commands.spec(id);
        family = commands.familyOf(id);
        if (spec.arity() > 0 ? argv.length != spec.arity() : argv.length < -spec.arity()) {
            reject(id, RespReplies.wrongArgs(commands.fullName(id)));
            return;
        }
        if (!session.authenticated && server.config().requirePass() != null && !spec.noAuth()) {
            reject(id, new RespError(RespReplies.NOAUTH));
            return;
        }
        if (session.subscriptions != null) {
            RespError refused = PubSubCommands.refusedWhenSubscribed(session, spec);
            if (refused != null) {
                reject(id, refused);
                return;
            }
        }
        if ((modes | server.commandHooks) != 0 && heldOrRefused(id, argv)) {
            return;
        }
        if (session.multi != null && TransactionCommands.queues(spec)) {
            if (TransactionCommands.refusedWhileQueuing(this, session.multi, argv)) {
                reject(id, new RespError(io.percore.demo.kv.OutOfBudgetException.MESSAGE));
                return;
            }
            session.multi.queue(id, spec, argv);
            reply(TransactionCommands.QUEUED);
            return;
        }
        command = id;
        commandArgv = argv;
        commandStart = lastTick;
        commandDeferred = false;
        commandOutcome = SUCCEEDED;
        try {
            spec.handler().handle(this, argv);
        } catch (RespError e) {
            reply(e.reply());
        }
        server.commandsProcessed++; // after it ran, so INFO does not count itself (as Redis's call())
        long now = System.nanoTime();
        lastTick = now;
        command = -1;
        lastCommand = id;
        if (!commandDeferred) {
            finished(id, argv, now - commandStart, commandOutcome);
        }
        if (modes != 0) {
            afterCommand(id);
            if ((modes & CLOSE_AFTER_REPLY) != 0 && !responder.closing()) {
                // CLIENT KILL matched this connection: it closes once every reply before this point is written
                responder.replyAndClose(RespReplies.NOTHING);
            }
        }
    }

    /** A command refused before it ran: Redis's rejected_calls (and the error in errorstats); an open MULTI will abort. */
    private void reject(int id, RespError error) {
        rejectInMulti();
        if (id >= 0) {
            server.commandStats().rejected(id);
            lastCommand = id;
        }
        reply(error.reply());
        lastTick = System.nanoTime();
        if (modes != 0) {
            afterCommand(id);
        }
    }

    private static int outcome(boolean error, RedisMessage reply) {
        return !error ? SUCCEEDED : reply == RespReplies.OOM_REPLY ? REFUSED : FAILED;
    }

    /**
     * A command's figures once its reply is known: commandstats, the slow log when it took long
     * enough, and MONITOR (as Redis, a command is shown once it ran: EXEC after the commands it ran).
     */
    private void finished(int id, byte[][] argv, long nanos, int outcome) {
        CommandStats stats = server.commandStats();
        if (outcome == REFUSED) {
            stats.rejected(id);
            return;
        }
        stats.called(id, nanos);
        if (outcome == FAILED) {
            stats.failed(id);
        }
        if ((server.commandHooks & ServerShard.HOOK_MONITOR) != 0 && !commands.skipsMonitor(id)) {
            local.writes().commandRan(remoteAddress(), ArgvRedaction.redacted(commands, id, argv)); // the write path feeds MONITOR
        }
        if (nanos >= server.slowlogThresholdNanos && !commands.skipsSlowlog(id)) {
            ConfigValues config = server.config();
            server.slowLog().push(ArgvRedaction.redacted(commands, id, argv), nanos / 1000, config.slowlogSlowerThan(),
                    config.slowlogMaxLen(), remoteAddress(), session.name);
        }
    }

    /**
     * The slow path when the connection or the shard has a state that changes how commands run:
     * a MONITOR client may not touch keys (Redis: it is a replica), and a CLIENT PAUSE holds what it
     * covers. @return whether the command was held or refused
     */
    private boolean heldOrRefused(int id, byte[][] argv) {
        if ((modes & MONITOR) != 0) {
            if (commands.touchesKeyspace(id)) {
                reject(id, new RespError("ERR Replica can't interact with the keyspace"));
                return true;
            }
            return false; // monitors, like replicas, are never paused
        }
        if ((server.commandHooks & ServerShard.HOOK_PAUSE) != 0 && server.pause().holds(mayWrite(id))) {
            deferred.addFirst(argv);
            barrier = true;
            modes |= PAUSED;
            server.pause().hold(this);
            responder.checkBackpressure();
            return true;
        }
        return false;
    }

    /** Whether command {@code id} may write; an EXEC may if a command it would run may (Redis's may-replicate EXEC). */
    private boolean mayWrite(int id) {
        return commands.mayWrite(id) || (session.multi != null && commands.fullName(id).equals("exec") && session.multi.mayWrite(commands));
    }

    /** A command EXEC ran for this connection: counted, logged and shown to monitors as a command of its own, as in Redis. */
    public void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
        if (id < 0 && (id = commands.idOf(spec)) < 0) {
            return;
        }
        server.commandsProcessed++;
        finished(id, argv, nanos, outcome(reply instanceof ErrorRedisMessage, reply));
    }

    /** Redis's CLIENT REPLY SKIP: it silences the reply of the one command after the CLIENT command. */
    private void afterCommand(int id) {
        if ((modes & (REPLY_SKIP | REPLY_SKIP_NEXT)) == 0) {
            return;
        }
        if (id < 0 || !commands.fullName(id).startsWith("client")) {
            modes &= ~REPLY_SKIP;
        }
        if ((modes & REPLY_SKIP_NEXT) != 0) {
            modes = (modes | REPLY_SKIP) & ~REPLY_SKIP_NEXT;
        }
    }

    /** The pause is over: the held command and those after it run, in order. */
    @Override
    public void resumeAfterPause() {
        modes &= ~PAUSED;
        if (ctx.channel().isActive()) {
            lastTick = System.nanoTime();
            endBarrier();
        }
    }

    /** Redis's flagTransaction: a command refused while queuing makes the EXEC that follows abort. */
    private void rejectInMulti() {
        if (session.multi != null) {
            session.multi.rejectOne();
        }
    }

    // ------------------------------------------------------------------ ordered replies (see OrderedResponder)

    @Override
    public void reply(RedisMessage message) {
        if (count(family, message) && command >= 0 && commandOutcome == SUCCEEDED) {
            commandOutcome = outcome(true, message);
        }
        if ((modes & MUTED) != 0) {
            ReferenceCountUtil.release(message);
            return;
        }
        responder.reply(message);
    }

    @Override
    public void replyPushing(RedisMessage message) {
        count(family, message);
        responder.reply(message);
    }

    @Override
    public void replyAndClose(RedisMessage message) {
        count(family, message);
        responder.replyAndClose((modes & MUTED) != 0 ? RespReplies.NOTHING : message);
    }

    @Override
    public ReplySlot reserve() {
        boolean carries = command >= 0 && !commandDeferred;
        commandDeferred |= carries;
        ReplySlot slot = new ReplySlot(carries ? command : -1, commandStart, carries ? commandArgv : null, (modes & MUTED) != 0);
        return slot.muted ? slot : responder.enqueue(slot);
    }

    @Override
    public boolean draining() {
        return draining;
    }

    // ------------------------------------------------------------------ barrier

    @Override
    public void beginBarrier() {
        barrier = true;
    }

    /** Releases the barrier and runs the commands that waited, in order, their replies in one flush. */
    @Override
    public void endBarrier() {
        if ((modes & PAUSED) != 0) {
            return; // a pause holds the commands after it; it releases them when it ends
        }
        barrier = false;
        lastTick = System.nanoTime(); // the held commands start now, not when they were read
        responder.holdFlush();
        try {
            byte[][] argv;
            while (!barrier && !responder.closing() && (modes & CLOSE_AFTER_REPLY) == 0 && (argv = deferred.poll()) != null) {
                execute(argv);
            }
        } finally {
            responder.releaseFlush();
        }
        responder.checkBackpressure();
    }

    // ------------------------------------------------------------------ ConnectionControl (CLIENT, MONITOR, RESET)

    @Override
    public long id() {
        return session.id();
    }

    @Override
    public String info() {
        return ClientInfo.line(this, System.nanoTime());
    }

    @Override
    public String info(long nowNanos) {
        return ClientInfo.line(this, nowNanos);
    }

    @Override
    public long createdNanos() {
        return session.createdNanos();
    }

    @Override
    public boolean subscribed() {
        return session.subscribed();
    }

    @Override
    public void replyMode(String mode) {
        switch (mode) {
            case "on" -> modes &= ~(REPLY_OFF | REPLY_SKIP | REPLY_SKIP_NEXT);
            case "off" -> modes |= REPLY_OFF;
            case "skip" -> {
                if ((modes & REPLY_OFF) == 0) {
                    modes |= REPLY_SKIP_NEXT;
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    @Override
    public void noEvict(boolean on) {
        modes = on ? modes | NO_EVICT : modes & ~NO_EVICT;
    }

    @Override
    public ShardFuture<Void> monitor() {
        if ((modes & MONITOR) != 0) {
            return null;
        }
        modes |= MONITOR;
        monitoringSince = System.nanoTime();
        return server.monitors().add(this);
    }

    @Override
    public void reset() {
        if ((modes & MONITOR) != 0) {
            server.monitors().remove(this);
        }
        modes &= ~(MONITOR | REPLY_OFF | REPLY_SKIP | REPLY_SKIP_NEXT | NO_EVICT);
        session.reset(server.config().requirePass() == null);
        session.multi = null;
        session.watched.unwatchAll(keyspace);
        PubSubCommands.forgetAll(session, pubsub.local(), this);
    }

    /** Closes the connection now (CLIENT KILL from another connection, the idle timeout). */
    @Override
    public void kill() {
        ctx.close();
    }

    /** This connection sent the CLIENT KILL that matched it: it closes once that reply is written. */
    @Override
    public void killAfterReply() {
        modes |= CLOSE_AFTER_REPLY;
    }

    /** Writes MONITOR lines; a monitor past {@link MonitorFeed#OUTPUT_LIMIT_BYTES} of unwritten output is closed. */
    @Override
    public void monitorLines(List<MonitorFeed.Line> lines) {
        if ((modes & MONITOR) == 0 || !ctx.channel().isActive()) {
            return;
        }
        if (responder.pendingOutboundBytes() > MonitorFeed.OUTPUT_LIMIT_BYTES) {
            LOG.warn("Closing MONITOR client {}: more than {} bytes of its output unread", remoteAddress(),
                    MonitorFeed.OUTPUT_LIMIT_BYTES);
            server.monitorsDisconnected++;
            ctx.close();
            return;
        }
        responder.holdFlush();
        try {
            for (MonitorFeed.Line line : lines) {
                if (line.ranAtNanos() - monitoringSince >= 0) {
                    responder.push(new SimpleStringRedisMessage(line.text())); // out of band: no request's latency
                }
            }
        } finally {
            responder.releaseFlush();
        }
    }

    // ------------------------------------------------------------------ read by ClientInfo and ClientRegistry

    ChannelHandlerContext channelContext() {
        return ctx;
    }

    int modes() {
        return modes;
    }

    /** Nanoseconds since the last interaction (a read, a command's end). */
    @Override
    public long idleNanos(long now) {
        return command >= 0 ? 0 : now - lastTick;
    }

    /** Redis's cmd field: the full name of the last command run (or being run), or NULL. */
    String lastCommandName() {
        int id = command >= 0 ? command : lastCommand;
        return id < 0 ? "NULL" : commands.fullName(id);
    }

    /** The command being run now, or null. */
    byte[][] runningArgv() {
        return command >= 0 ? commandArgv : null;
    }

    /** Replies with a position not yet written. */
    int pendingReplies() {
        return responder.pendingReplies();
    }

    /** Commands read and held back (by a barrier or a pause). */
    int heldCommands() {
        return deferred.size();
    }

    /** Whether the idle timeout may close it: not a monitor, not held by a pause (Redis spares replicas and blocked clients). */
    @Override
    public boolean idleTimeoutApplies() {
        return (modes & (MONITOR | PAUSED)) == 0 && !session.blocked() && !session.subscribed();
    }
}
