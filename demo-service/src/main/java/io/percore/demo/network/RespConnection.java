package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.Client;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import io.percore.net.resp.RespCommandDecoder;
import io.percore.net.resp.RespProtocolError;
import io.percore.net.server.DrainStarted;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.execution.AcrossShards;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.SharedPush;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.RespReplyWriter;
import io.percore.demo.server.MonitorFeed;
import io.percore.demo.server.RespSettings;
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
        implements CommandContext, Subscriber, ConnectionControl, Client {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    /** The keyspace as the running command sees it: {@link #plainKeyspace}, or a view for a tracking client's command. */
    private Keyspace keyspace;
    private final Keyspace plainKeyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    private final RespSession session;
    private final OrderedResponder<RedisMessage> responder;

    private ChannelHandlerContext ctx;
    private Shard shard;
    private KeyspaceShard local;
    private ServerShard server;

    /** Commands read and held back: behind a barrier, a pause or a reservation of the shard. */
    private final HeldCommands held = new HeldCommands();
    /** What it holds and the limits on that (output, query, MULTI): may close it. */
    private final ClientLimits limits;
    /** Pub/sub messages, invalidations and MONITOR lines: one flush per loop turn. */
    private final PushOutput pushes;
    /** Stopped reading (and decoding) until the shard's requests in flight come down. */
    private boolean waitingForRequests;
    /** The request decoder in front of this handler. */
    private final RespCommandDecoder decoder;
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
    /** CLIENT TRACKING is on: each command is prepared for the shards it reaches, and CLIENT CACHING's flag lasts one command. */
    static final int TRACKING = 128;
    private static final int MUTED = REPLY_OFF | REPLY_SKIP;

    private int modes;
    /** When this connection became a MONITOR: it gets the commands that ran after. */
    private long monitoringSince;
    /** Refused at once for maxclients: never counted as a client. */
    private boolean rejected;
    /** The id of the command running now, or -1; the last one run (CLIENT LIST's cmd). */
    private int command = -1;
    private int lastCommand = -1;
    /** The reply slot the running command reserved for its own reply, if any (a write's reply may gate what follows). */
    private ReplySlot lastSlot;
    /** Cluster mode: the route of the command about to run when some of its keys' slots migrate away (see {@link #redirected}). */
    private Cluster.Route migratingRoute;
    private byte[][] commandArgv;
    /** When the running command started: the previous command's end or the read burst's start. */
    private long commandStart;
    /** The running command's reply has a slot: its time and outcome are taken when the slot completes. */
    private boolean commandDeferred;
    /** How the running command's inline reply went: one of {@link CommandCall}'s outcomes (OOM on its shard: refused). */
    private int commandOutcome;
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
                long now = System.nanoTime();
                finished(command, argv, now - start, CommandCall.outcome(error, message));
            }
            if (muted) {
                ReferenceCountUtil.release(message);
            } else {
                responder.complete(this, message);
            }
            if (gates) {
                gates = false;
                endBarrier();
            }
        }
    }

    /** {@code responder} must stand right before this handler in the pipeline. */
    RespConnection(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands, RespSettings settings, RespSession session,
                   OrderedResponder<RedisMessage> responder, RespCommandDecoder decoder) {
        this.keyspace = keyspace;
        this.plainKeyspace = keyspace;
        this.servers = servers;
        this.pubsub = pubsub;
        this.commands = commands;
        this.settings = settings;
        this.session = session;
        this.responder = responder;
        this.decoder = decoder;
        this.limits = new ClientLimits(this, session, responder, decoder, held);
        this.pushes = new PushOutput(this, responder, session, held, limits);
        responder.countHeldRequests(held::size);
        responder.pauseReadingWhile(() -> waitingForRequests);
        // Reading goes on while the socket is full: the client's memory is bounded by its limits and
        // maxmemory-clients instead, so a client that writes everything before it reads is served.
        responder.readingWhileUnwritable();
        responder.onOutputGrowth(this::checkMemory);
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
    public KeyspaceShard local() {
        return local;
    }

    /**
     * From the start of the command running now, read for its latency anyway; a continuation run
     * after its command returned (a reservation granted later) reads the clock.
     */
    @Override
    public long nowMillis() {
        return command >= 0 ? server.clock.millisAt(commandStart) : System.currentTimeMillis();
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

    // ------------------------------------------------------------------ pub/sub delivery, invalidations (PushOutput)

    /** Writes a message out of band (an invalidation): see {@link PushOutput#push(RedisMessage)}. */
    void push(RedisMessage message) {
        pushes.push(message);
    }

    @Override
    public void push(SharedPush message) {
        pushes.push(message);
    }

    @Override
    public void replyBeforeHeldCommands() {
        pushes.replyBeforeHeldCommands();
    }

    @Override
    public void releasePushFlush() {
        pushes.releaseFlush();
    }

    @Override
    public void flushPushes() {
        pushes.flushNow();
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
        String address = remoteAddress;
        if (address == null) {
            java.net.SocketAddress peer = ctx.channel().remoteAddress();
            address = String.valueOf(peer).replaceFirst("^/", "");
            if (peer != null) {
                remoteAddress = address; // a connection's peer does not change: the slow log and MONITOR ask per command
            }
        }
        return address;
    }

    private String remoteAddress;

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
        limits.attach(server);
        pushes.attach(server, shard);
        this.requestMetrics = ServerChannelContext.of(ctx.channel()).requestMetrics();
        this.tracking = new ConnectionTracking(this, session, commands, plainKeyspace, local, shard.id());
        if (server.persistence() != null) {
            // with the append-only file on, replies wait for what it must hold first (appendfsync always: the disk)
            responder.flushGate(server.persistence().replyGate(shard.id()));
        }
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
        ErrorRedisMessage refused = CommandAdmission.connection(server, keyspace.shardCount(), ctx.channel().remoteAddress());
        if (refused != null) {
            // as in Redis the client is told, not counted as connected, and counted as rejected
            rejected = true;
            server.rejectedConnections++;
            responder.replyAndClose(refused);
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
        if (replicaEvents != null) {
            replicaEvents.closed();
        }
        server.connectedClients--;
        server.clients().remove(this);
        if ((modes & MONITOR) != 0) {
            server.monitors().remove(this);
        }
        if ((modes & PAUSED) != 0) {
            server.pause().forget(this);
        }
        limits.left();
        session.multi = null;
        session.watched.unwatchAll(keyspace);
        PubSubCommands.forgetAll(session, pubsub.local(), this);
        local.blockedClients().disconnected(session.id()); // a blocked command of a closed connection is forgotten
        if (session.tracking != null) {
            tracking.end(true); // and what the shards remember of its reads
            trackingChanged();
        }
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
        if (responder.closing() || (modes & CLOSE_AFTER_REPLY) != 0 || limits.closed()) {
            return;
        }
        if (replicaEvents != null) {
            if (msg instanceof RespProtocolError) {
                ctx.close(); // a replica that sends garbage resyncs
            } else {
                replicaEvents.received((byte[][]) msg);
            }
            return;
        }
        if (msg instanceof RespProtocolError e) {
            if (barrier) {
                // after the commands read before it, as Redis answers them: held in line, not dropped with them
                held.add(new byte[][] {PROTOCOL_ERROR, e.replyText().getBytes(java.nio.charset.StandardCharsets.UTF_8)});
                return;
            }
            protocolError(e.replyText());
            return;
        }
        byte[][] argv = (byte[][]) msg; // RespCommandDecoder emits nothing else
        if (barrier) {
            held.add(argv);
            responder.checkBackpressure();
            return;
        }
        execute(argv);
        if (limits.inFlightBytes() > 0 && server.requestsInFlightOver() && !waitingForRequests) {
            waitForRequests();
        }
    }

    /**
     * This client's shard has more requests in flight to other shards than maxmemory-clients
     * allows, some of them this client's: it decodes and reads nothing more (what it sent stays in
     * the decoder's buffer, counted as its query buffer) until they come down. The other shards
     * answer without the client doing anything, so this wait cannot hang a client that writes
     * everything before it reads.
     */
    private void waitForRequests() {
        waitingForRequests = true;
        decoder.stop();
        server.waitForRequests(this);
        responder.checkBackpressure();
    }

    @Override
    public void resumeReading() {
        if (!waitingForRequests) {
            return;
        }
        waitingForRequests = false;
        if (!ctx.channel().isActive() || limits.closed()) {
            return;
        }
        decoder.resume(ctx); // runs what it had read, which may make it wait again
        if (!waitingForRequests) {
            responder.checkBackpressure();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inBurst = false;
        ctx.fireChannelReadComplete();
        checkMemory(); // once per read burst: what it read, ran and answered
    }

    /** The socket drained (or filled): the client's output changed. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (replicaEvents != null) {
            replicaEvents.writable();
        }
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
        return (modes & NO_EVICT) != 0;
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

    /** Marks a held protocol error (compared by identity: no command's name is this array). */
    private static final byte[] PROTOCOL_ERROR = new byte[0];

    private void protocolError(String text) {
        if (responder.closing()) {
            return;
        }
        server.protocolErrors++;
        held.drop();
        family = commands.protocolFamily();
        replyAndClose(new ErrorRedisMessage(text));
    }

    // ------------------------------------------------------------------ execution

    private void execute(byte[][] argv) {
        if (local.reservation().busy() && (server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            // A transaction spanning shards or a script holds this one, or blocked clients are being served:
            // nothing else may run here until that is done.
            held.addFirst(argv);
            barrier = true;
            heldByReservation = true;
            local.reservation().park(this::resumeAfterHold);
            return;
        }
        int id = commands.lookup(argv);
        RespError refused = CommandCall.refusal(commands, id, argv);
        if (refused != null) {
            family = id >= 0 ? commands.familyOf(id)
                    : id == CommandTable.NO_COMMAND ? commands.unknownFamily() : commands.familyOf(commands.find(argv[0]));
            reject(Math.max(id, -1), refused);
            return;
        }
        CommandSpec spec = commands.spec(id);
        family = commands.familyOf(id);
        refused = CommandAdmission.always(server, session, spec);
        if (refused != null) {
            reject(id, refused);
            return;
        }
        if ((modes | server.commandHooks) != 0 && heldOrRefused(id, argv)) {
            return;
        }
        if (session.multi != null && TransactionCommands.queues(spec)) {
            if ((refused = CommandAdmission.whileQueuing(this, commands, session, id, argv)) != null) {
                reject(id, refused);
                return;
            }
            session.multi.queue(id, spec, argv);
            reply(TransactionCommands.QUEUED);
            return;
        }
        if (session.multi != null && (refused = CommandAdmission.execWhileBusy(server, spec)) != null) {
            reject(id, refused); // EXEC (the other commands not queued are allow_busy)
            return;
        }
        command = id;
        commandArgv = argv;
        commandStart = lastTick;
        commandDeferred = false;
        commandOutcome = CommandCall.SUCCEEDED;
        // a write while clients are blocked somewhere may serve them: what follows on this connection sees what that did
        boolean mayWake = keyspace.anyWaiters() && commands.writes(id);
        lastSlot = null;
        try {
            if (migratingRoute != null) {
                Cluster.Route route = migratingRoute;
                migratingRoute = null; // held with its keys' shards, so no batch moves them meanwhile
                AcrossShards.runAloneUnless(this, spec, argv, AcrossShards.shardsOfKeys(spec, argv, keyspace),
                        bound -> Cluster.refusalWhileMigrating(bound, route, argv));
            } else {
                CommandCall.run(this, commands, id, spec, argv, true);
            }
        } catch (RespError e) {
            reply(e.reply());
        }
        if (mayWake && commandDeferred && !barrier && lastSlot != null && !lastSlot.completed) {
            lastSlot.gates = true;
            barrier = true;
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
            if (session.multi != null && commands.fullName(id).equals("exec")) {
                // Redis's rejectCommand of an EXEC (execCommandAbort): the transaction is discarded, saying why
                session.multi = null;
                session.watched.unwatchAll(keyspace);
                String why = error.getMessage();
                error = new RespError("EXECABORT Transaction discarded because of: " + (why.startsWith("-") ? why.substring(1) : why));
            }
        }
        reply(error.reply());
        lastTick = System.nanoTime();
        if (modes != 0) {
            afterCommand(id);
        }
    }

    /** A command's figures once its reply is known (see {@link CommandCall#report}). */
    private void finished(int id, byte[][] argv, long nanos, int outcome) {
        CommandCall.report(server, local, commands, id, argv, nanos, outcome, this);
    }

    /**
     * The slow path when the connection or the shard has a state that changes how commands run:
     * a MONITOR client may not touch keys (Redis: it is a replica), and a CLIENT PAUSE holds what it
     * covers. @return whether the command was held or refused
     */
    private boolean heldOrRefused(int id, byte[][] argv) {
        RespError refused = CommandAdmission.busyScript(server, commands, id);
        if (refused != null) {
            reject(id, refused);
            return true;
        }
        if ((modes & TRACKING) != 0) {
            keyspace = tracking.keyspaceFor(id, argv);
        }
        if ((modes & MONITOR) != 0) {
            if (commands.touchesKeyspace(id)) {
                reject(id, new RespError("ERR Replica can't interact with the keyspace"));
                return true;
            }
            return false; // monitors, like replicas, are never paused
        }
        if ((server.commandHooks & ServerShard.HOOK_CLUSTER) != 0 && redirected(id, argv)) {
            return true;
        }
        if ((refused = CommandAdmission.dataState(server, commands, session, id)) != null) {
            reject(id, refused);
            return true;
        }
        if ((server.commandHooks & ServerShard.HOOK_PAUSE) != 0
                && server.pause().holds(CommandAdmission.mayWrite(commands, session, id, commands.mayWrite(id)))) {
            held.addFirst(argv);
            barrier = true;
            modes |= PAUSED;
            server.pause().hold(this);
            responder.checkBackpressure();
            return true;
        }
        return false;
    }

    /** Cluster mode: refused or redirected ({@link CommandAdmission#clusterRoute}), else its route kept for {@link #execute}. */
    private boolean redirected(int id, byte[][] argv) {
        Cluster.Route route = CommandAdmission.clusterRoute(server, commands, session, id, argv);
        if (route != null && route.error() != null) {
            migratingRoute = null; // a route set for a command refused after this check is not the next command's
            reject(id, new RespError(route.error()));
            return true;
        }
        migratingRoute = route; // execute() runs it holding its shards, so no batch moves its keys meanwhile
        return false;
    }

    /** A command EXEC ran for this connection: counted, logged and shown to monitors as a command of its own, as in Redis. */
    public void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
        if (id < 0 && (id = commands.idOf(spec)) < 0) {
            return;
        }
        server.commandsProcessed++;
        finished(id, argv, nanos, CommandCall.outcome(reply instanceof ErrorRedisMessage, reply));
    }

    /** Redis's CLIENT REPLY SKIP: it silences the reply of the one command after the CLIENT command. */
    private void afterCommand(int id) {
        if ((modes & TRACKING) != 0) {
            tracking.afterCommand(id);
        }
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
        if (count(family, message) && command >= 0 && commandOutcome == CommandCall.SUCCEEDED) {
            commandOutcome = CommandCall.outcome(true, message);
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
        long inFlight = carries ? MultiState.bytesOf(commandArgv) : 0;
        if (inFlight > 0) {
            limits.sent(inFlight);
        }
        ReplySlot slot = new ReplySlot(carries ? command : -1, commandStart, carries ? commandArgv : null, (modes & MUTED) != 0, inFlight);
        if (carries) {
            lastSlot = slot;
        }
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
            while (!barrier && !responder.closing() && (modes & CLOSE_AFTER_REPLY) == 0 && !limits.closed() && (argv = held.next()) != null) {
                if (argv[0] == PROTOCOL_ERROR) {
                    protocolError(new String(argv[1], java.nio.charset.StandardCharsets.UTF_8));
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

    /** The replica whose link this connection became (PSYNC), else null. */
    private io.percore.demo.replication.ReplicaEvents replicaEvents;

    @Override
    public io.netty.channel.Channel becomeReplica(io.percore.demo.replication.ReplicaEvents events) {
        if (!responder.idle() || replicaEvents != null || (modes & MONITOR) != 0) {
            return null;
        }
        replicaEvents = events;
        return ctx.channel();
    }

    @Override
    public boolean replica() {
        return replicaEvents != null;
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
        if (session.tracking != null) {
            tracking.end(false);
            trackingChanged();
        }
    }

    // ------------------------------------------------------------------ client tracking

    /** This connection as client tracking sees it. */
    private ConnectionTracking tracking;

    @Override
    public void trackingChanged() {
        if (session.tracking != null) {
            modes |= TRACKING;
        } else {
            modes &= ~TRACKING;
            keyspace = plainKeyspace;
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
        return responder.closing() || (modes & CLOSE_AFTER_REPLY) != 0 || limits.closed() || !ctx.channel().isActive();
    }

    /** Whether one of its own commands is running on this shard now. */
    boolean runningCommand() {
        return command >= 0;
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

    @Override
    public void monitorLines(List<MonitorFeed.Line> lines) {
        if ((modes & MONITOR) != 0) {
            pushes.monitorLines(lines, monitoringSince);
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
        return held.size();
    }

    /** Whether the idle timeout may close it: not a monitor, not held by a pause (Redis spares replicas and blocked clients). */
    @Override
    public boolean idleTimeoutApplies() {
        return (modes & (MONITOR | PAUSED)) == 0 && replicaEvents == null && !session.blocked() && !session.subscribed();
    }
}
