package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.Client;
import io.percore.demo.server.ClientAddresses;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.net.resp.RespCommandDecoder;
import io.percore.net.resp.RespProtocolError;
import io.percore.net.server.DrainStarted;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ServerChannelContext;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.ShardServices;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.execution.Admission;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.RespReplyWriter;
import io.percore.demo.server.MonitorFeed;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.demo.tracking.TrackingReceiver;

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
public final class RespConnection extends ChannelInboundHandlerAdapter
        implements CommandContext, Caller, ConnectionControl, Client {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    /** The database it selected, as its running command sees it. */
    private final ClientKeyspace keyspace;
    private final ShardServices services;
    /** The services' shard, its part of the keyspace, its server state and the command table: read by every command. */
    private final Shard shard;
    private final KeyspaceShard local;
    private final ServerShard server;
    private final CommandTable commands;
    private final RespSession session;
    private final OrderedResponder<RedisMessage> responder;

    private ChannelHandlerContext ctx;
    /** The client's address, once known: the slow log and MONITOR ask for it per command. */
    private String remoteAddress;

    /** Commands read and held back: behind a barrier, a pause or a reservation of the shard. */
    private final HeldCommands held = new HeldCommands();
    /** What it holds and the limits on that (output, query, MULTI): may close it. */
    private final ClientLimits limits;
    /** Pub/sub messages, invalidations and MONITOR lines: one flush per loop turn. */
    private final PushOutput pushes;
    /** The request decoder in front of this handler. */
    private final RespCommandDecoder decoder;
    /** The server drains: no more reads; a blocked command is answered as timed out. */
    private boolean draining;
    /** The command running now and the replies it makes. */
    private final RunningCommand running;

    // ------------------------------------------------------------------ what an operator sees (CLIENT LIST, stats)

    /** Its monitor, reply, eviction, pause and tracking states (Redis's client flags): zero for almost every connection. */
    private final ClientFlags flags = new ClientFlags();
    /** Refused at once for maxclients: never counted as a client. */
    private boolean rejected;
    /** In the shard's clients (CLIENT LIST, INFO's connected_clients): from its start until it is killed or closes. */
    private boolean listed;
    /** When it last interacted: CLIENT LIST's idle, the timeout, the next command's start. */
    private final ClientActivity activity = new ClientActivity();

    /** {@code responder} must stand right before this handler in the pipeline; {@code services} are this shard's. */
    RespConnection(ShardServices services, Admission admission, RespSession session, OrderedResponder<RedisMessage> responder,
                   RespCommandDecoder decoder) {
        this.services = services;
        this.keyspace = new ClientKeyspace(services.keyspace());
        this.shard = services.shard();
        this.local = services.local();
        this.server = services.server();
        this.commands = services.commands();
        this.session = session;
        this.responder = responder;
        this.decoder = decoder;
        this.limits = new ClientLimits(this, session, responder, decoder, held);
        this.pushes = new PushOutput(this, responder, session, held, limits);
        this.running = new RunningCommand(this, responder, limits, commands, server, local);
        this.policy = new ClientCallPolicy(this, server, commands, admission, session, flags, activity, running, held, keyspace, responder);
        responder.countHeldRequests(held::size);
        responder.pauseReadingWhile(limits::waitingForRequests);
        // Reading goes on while the socket is full: the client's memory is bounded by its limits and
        // maxmemory-clients instead, so a client that writes everything before it reads is served.
        responder.readingWhileUnwritable();
        responder.onOutputGrowth(this::checkMemory);
    }

    // ------------------------------------------------------------------ CommandContext, Caller

    @Override
    public ShardServices services() {
        return services;
    }

    /** Who its commands run for: itself. */
    @Override
    public Caller caller() {
        return this;
    }

    @Override
    public Keyspace keyspace() {
        return keyspace.seen();
    }

    @Override
    public void select(int db) {
        session.db = db;
        keyspace.select(db);
    }

    /** From the start of the command running now (read for its latency anyway); a continuation after it returned reads the clock. */
    @Override
    public long nowMillis() {
        return running.running() ? server.clock.millisAt(running.start()) : System.currentTimeMillis();
    }

    /** Its pub/sub messages are pushed to it, in order with its replies. */
    @Override
    public Subscriber subscriber() {
        return pushes;
    }

    // ------------------------------------------------------------------ pub/sub delivery, invalidations (PushOutput)

    /** Writes a message out of band (an invalidation): see {@link PushOutput#push(RedisMessage)}. */
    void push(RedisMessage message) {
        pushes.push(message);
    }

    @Override
    public void replyBeforeHeldCommands() {
        pushes.replyBeforeHeldCommands();
    }

    /** A reply made after its command's read (another shard's, a later step's): it leaves at the end of the turn. */
    void replyAfterItsRead() {
        pushes.replyAfterItsRead();
    }

    @Override
    public void releasePushFlush() {
        pushes.releaseFlush();
    }

    @Override
    public RespSession session() {
        return session;
    }

    @Override
    public String remoteAddress() {
        if (remoteAddress == null && ctx.channel().remoteAddress() != null) {
            remoteAddress = ClientAddresses.text(ctx.channel().remoteAddress()); // a connection's peer does not change
        }
        return remoteAddress != null ? remoteAddress : ClientAddresses.text(null);
    }

    @Override
    public String localAddress() {
        return ClientAddresses.text(ctx.channel().localAddress());
    }

    @Override
    public ConnectionControl connection() {
        return this;
    }

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        limits.attach(server);
        pushes.attach(server, shard);
        running.attach(ServerChannelContext.of(ctx.channel()).requestMetrics());
        this.tracking = new ConnectionTracking(this, session, commands, services.keyspace(), local, shard.id());
        policy.tracking(tracking);
        if (server.persistence() != null) {
            // with the append-only file on, replies wait for what it must hold first (appendfsync always: the disk)
            responder.flushGate(server.persistence().replyGate(shard.id()));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ErrorRedisMessage refused = ConnectionAdmission.connection(server, services.keyspace().shardCount(), ctx.channel().remoteAddress());
        if (refused != null) {
            // as in Redis the client is told, not counted as connected, and counted as rejected
            rejected = true;
            server.rejectedConnections++;
            responder.replyAndClose(refused);
            ctx.fireChannelActive();
            return;
        }
        server.connected(this);
        listed = true;
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (rejected) {
            ctx.fireChannelInactive();
            return;
        }
        unlist();
        if (flags.monitoring()) {
            server.monitors().remove(this);
        }
        if (flags.paused()) {
            server.pause().forget(this);
        }
        limits.left();
        local.blockedClients().disconnected(session.id()); // a blocked command of a closed connection is forgotten
        forgetSessionState(true);
        ctx.fireChannelInactive();
    }

    /**
     * The server begins its graceful drain: a command blocked on keys is answered now, as timed out, and so is a WAIT (what
     * the replicas acknowledged so far). Commands a pause holds never run (the shutdown's hold, or a CLIENT PAUSE that
     * outlasts the server): as Redis's exit does, the connection closes once the replies owed before them have left, not
     * at the end of the drain's timeout.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DrainStarted.INSTANCE) {
            draining = true;
            local.blockedClients().expireNow(session.id());
            server.replication().answerWaitsNow();
            if (flags.paused() && !responder.closing()) {
                held.drop();
                responder.replyAndClose(RespReplies.NOTHING);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        activity.read();
        if (responder.closing() || flags.closeAfterReply() || limits.closed() || responder.stoppedReading()) {
            return;
        }
        if (msg instanceof RespProtocolError e) {
            if (held.barrier()) {
                // after the commands read before it, as Redis answers them: held in line, not dropped with them
                held.addProtocolError(e.replyText());
                return;
            }
            protocolError(e.replyText());
            return;
        }
        byte[][] argv = (byte[][]) msg; // RespCommandDecoder emits nothing else
        if (held.barrier()) {
            held.add(argv);
            responder.checkBackpressure();
            return;
        }
        execute(argv);
        limits.waitForRequestsIfOver();
    }

    @Override
    public void resumeReading() {
        limits.resumeReading(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        activity.readComplete();
        ctx.fireChannelReadComplete();
        checkMemory(); // once per read burst: what it read, ran and answered
    }

    /** The socket drained (or filled): the client's output changed. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        checkMemory();
        ctx.fireChannelWritabilityChanged();
    }

    // ------------------------------------------------------------------ what the client holds (Redis's client memory)

    /** What it holds and the limits on it, for {@link ClientInfo}. */
    ClientLimits limits() {
        return limits;
    }

    /** Accepted and still connected: its memory counts in the shard's total. */
    boolean counted() {
        return !rejected && ctx.channel().isActive();
    }

    /** The socket is open. */
    boolean active() {
        return ctx.channel().isActive();
    }

    @Override
    public long memoryBytes() {
        return limits.totalBytes();
    }

    @Override
    public void checkMemory() {
        activity.unsentOutput(limits.outputBytes());
        limits.check();
    }

    @Override
    public void closeForLimits(String why) {
        limits.close(why);
    }

    @Override
    public long reportedMemory() {
        return limits.reportedBytes();
    }

    @Override
    public boolean noEvict() {
        return flags.noEvict();
    }

    @Override
    public ClientMemory memory() {
        return limits.memory();
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
        held.drop();
        running.family = commands.protocolFamily();
        replyAndClose(new ErrorRedisMessage(text));
    }

    // ------------------------------------------------------------------ execution

    private void execute(byte[][] argv) {
        if (local.reservation().busy() && (server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            // A transaction spanning shards or a script holds this one, or blocked clients are being served:
            // nothing else may run here until that is done.
            held.addFirst(argv);
            held.raiseBarrier();
            heldByReservation = true;
            local.reservation().park(this::resumeAfterHold);
            return;
        }
        CommandCall.call(policy, this, argv);
    }

    /** This connection's way through {@link CommandCall}: a client's checks, its pause, MULTI's queue, its replies' order. */
    private final ClientCallPolicy policy;

    @Override
    public void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
        running.ranInTransaction(id, spec, argv, nanos, reply);
    }

    @Override
    public void refusedInTransaction(RedisMessage error) {
        if (error instanceof ErrorRedisMessage e) {
            server.commandStats().error(e.content());
        }
    }

    /** Waiting for the shard's reservation to end (see {@link #execute}); also ended early by a busy script. */
    private boolean heldByReservation;

    @Override
    public void resumeAfterHold() {
        if (heldByReservation) {
            heldByReservation = false;
            endBarrier();
        }
    }

    /** The pause is over: the held command and those after it run, in order. */
    @Override
    public void resumeAfterPause() {
        flags.paused(false);
        if (ctx.channel().isActive()) {
            activity.now();
            endBarrier();
        }
    }

    // ------------------------------------------------------------------ ordered replies (see OrderedResponder)

    @Override
    public void reply(RedisMessage message) {
        running.reply(message, flags.muted());
    }

    @Override
    public void replyPushing(RedisMessage message) {
        running.count(running.family, message);
        responder.reply(message);
    }

    @Override
    public void replyAndClose(RedisMessage message) {
        running.count(running.family, message);
        responder.replyAndClose(flags.muted() ? RespReplies.NOTHING : message);
    }

    @Override
    public PendingReply reserve() {
        return running.reserve(flags.muted());
    }

    @Override
    public boolean draining() {
        return draining;
    }

    // ------------------------------------------------------------------ barrier

    @Override
    public void beginBarrier() {
        held.raiseBarrier();
    }

    /** Releases the barrier and runs the commands that waited, in order, their replies in one flush. */
    @Override
    public void endBarrier() {
        if (flags.paused()) {
            return; // a pause holds the commands after it; it releases them when it ends
        }
        held.lowerBarrier();
        activity.now(); // the held commands start now, not when they were read
        responder.holdFlush();
        try {
            byte[][] argv;
            while (!held.barrier() && !responder.closing() && !flags.closeAfterReply() && !limits.closed() && (argv = held.next()) != null) {
                String error = HeldCommands.protocolError(argv);
                if (error != null) {
                    protocolError(error);
                    break;
                }
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
    public io.percore.demo.acl.UserIdentity user() {
        return session.user;
    }

    @Override
    public io.percore.demo.pubsub.Subscriptions subscriptions() {
        return session.subscriptions;
    }

    @Override
    public void replyMode(String mode) {
        flags.replyMode(mode);
    }

    @Override
    public void noEvict(boolean on) {
        flags.noEvict(on);
    }

    /** It became a replica's link (PSYNC): a {@link ReplicaLinkHandler} before it takes what the replica sends. */
    @Override
    public io.netty.channel.Channel becomeReplica(io.percore.demo.replication.ReplicaEvents events) {
        if (!responder.idle() || replica() || flags.monitoring()) {
            return null;
        }
        ctx.pipeline().addBefore(ctx.name(), ReplicaLinkHandler.NAME, new ReplicaLinkHandler(events, activity::now));
        return ctx.channel();
    }

    @Override
    public boolean replica() {
        return ctx.pipeline().get(ReplicaLinkHandler.NAME) != null;
    }

    @Override
    public ShardFuture<Void> monitor() {
        return flags.startMonitoring(System.nanoTime()) ? server.monitors().add(this) : null;
    }

    @Override
    public void reset() {
        if (flags.monitoring()) {
            server.monitors().remove(this);
        }
        flags.reset();
        session.reset(server.config().requirePass() == null);
        forgetSessionState(false);
        select(0); // as Redis's RESET: database 0 again
    }

    /** Its transaction, watched keys, subscriptions and tracking end ({@code closed}: it went away, RESET otherwise). */
    private void forgetSessionState(boolean closed) {
        session.multi = null;
        session.watched.unwatchAll(keyspace.seen());
        PubSubCommands.forgetAll(session, services.pubsub().local(), pushes);
        if (session.tracking != null) {
            tracking.end(closed); // and what the shards remember of its reads
            trackingChanged();
        }
    }

    // ------------------------------------------------------------------ client tracking

    /** This connection as client tracking sees it. */
    private ConnectionTracking tracking;

    @Override
    public void trackingChanged() {
        if (session.tracking != null) {
            flags.tracking(true);
        } else {
            flags.tracking(false);
            keyspace.untracked();
        }
    }

    @Override
    public TrackingReceiver trackingReceiver() {
        return tracking;
    }

    @Override
    public TrackedCommand trackedCommand(int id, byte[][] argv) {
        return tracking.trackedCommand(id, argv);
    }

    /** Going: QUIT, CLIENT KILL, a limit, the socket closed. */
    boolean closing() {
        return responder.closing() || flags.closeAfterReply() || limits.closed() || !ctx.channel().isActive();
    }

    /**
     * Closes the connection now (CLIENT KILL from another connection, the idle timeout), and leaves the shard's clients at
     * once, as Redis's freeClient does: Netty fires the close's inactive event as a task of its own, which a CLIENT LIST
     * in the same turn (the next command of the killer's batch) or a loop turning inside its I/O poll runs before.
     */
    @Override
    public void kill() {
        unlist();
        ctx.close();
    }

    private void unlist() {
        if (listed) {
            listed = false;
            server.disconnected(this);
        }
    }

    /** This connection sent the CLIENT KILL that matched it: it closes once that reply is written. */
    @Override
    public void killAfterReply() {
        flags.closeAfterReply(true);
    }

    @Override
    public void monitorLines(List<MonitorFeed.Line> lines) {
        if (flags.monitoring()) {
            pushes.monitorLines(lines, flags.monitoringSince());
        }
    }

    // ------------------------------------------------------------------ read by ClientInfo and ClientRegistry

    ChannelHandlerContext channelContext() {
        return ctx;
    }

    ClientFlags flags() {
        return flags;
    }

    /** Nanoseconds since the last interaction (a read, a command's end, output taken by the socket). */
    @Override
    public long idleNanos(long now) {
        return running.running() ? 0 : activity.idleNanos(now);
    }

    /** The command running now, and the last one run (CLIENT LIST's cmd). */
    RunningCommand running() {
        return running;
    }

    /** Replies with a position not yet written. */
    int pendingReplies() {
        return responder.pendingReplies();
    }

    /** Whether the idle timeout may close it: not a monitor, not held by a pause (Redis spares replicas and blocked clients). */
    @Override
    public boolean idleTimeoutApplies() {
        return !flags.monitoring() && !flags.paused() && !replica() && !session.blocked() && !session.subscribed();
    }
}
