package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.server.Client;
import io.percore.demo.server.ClientAddresses;
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
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.percore.demo.admin.ArgvRedaction;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.SharedPush;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.RespReplyWriter;
import io.percore.demo.server.ClientRegistry;
import io.percore.demo.server.CommandStats;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.MonitorFeed;
import io.percore.demo.server.RespSettings;
import io.percore.demo.tracking.ClientTracking;
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
        implements CommandContext, Subscriber, ConnectionControl, Client, TrackingReceiver {

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

    private final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    /** Bytes of the commands in {@link #deferred}: read, held back, not run yet (query memory). */
    private long deferredBytes;
    /** Bytes of the arguments of commands whose reply another shard (or a later step) gives: in flight. */
    private long inFlightBytes;
    /** Stopped reading (and decoding) until the shard's requests in flight come down. */
    private boolean waitingForRequests;
    /** Closed: what it still has in flight was handed to the shard's total as orphaned. */
    private boolean requestsOrphaned;
    /** What this client holds, for its shard's total and for the shards that make its replies. */
    private final ClientMemory memory = new ClientMemory();
    /** The client's memory as last added to its shard's total. */
    private long reportedMemory;
    /** Since when (ms) the output has been above its class's soft limit; 0 when it is not. */
    private long overSoftLimitSince;
    /** Closed for a memory limit: the rest of its pipeline is not run. */
    private boolean closedForLimits;
    /** The request decoder in front of this handler: its buffered bytes are query memory. */
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

    private static final ErrorRedisMessage MAX_CLIENTS = new ErrorRedisMessage("ERR max number of clients reached");

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
                inFlightBytes -= inFlight;
                server.requestAnswered(inFlight, requestsOrphaned);
            }
            boolean error = count(family, message);
            if (command >= 0) {
                long now = System.nanoTime();
                finished(command, argv, now - start, outcome(error, message));
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
        responder.countHeldRequests(deferred::size);
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

    // ------------------------------------------------------------------ pub/sub delivery

    /** A flush of pushed messages (or of replies given before held commands) is scheduled for the end of this loop turn. */
    private boolean pushFlushScheduled;

    /**
     * Writes a pub/sub message. Messages pushed in one loop turn leave in one flush (as Redis writes
     * a client's buffer once per event loop iteration), and the subscriber's memory is checked then
     * ({@link #checkMemory}): one that cannot keep up is disconnected past Redis's
     * {@code client-output-buffer-limit pubsub} (hard at once, soft held for its seconds), or as the
     * largest client when the shard's clients hold more than their part of maxmemory-clients.
     */
    @Override
    public void push(RedisMessage message) {
        if (!takesPushes()) {
            io.netty.util.ReferenceCountUtil.release(message);
            return;
        }
        holdPushFlush();
        responder.push(message);
        checkPushLimit();
    }

    /**
     * {@link #push(RedisMessage)} for a pub/sub message whose encoding the channel's (or pattern's)
     * other subscribers on this shard share: the connection keeps a reference to its bytes for this
     * session's protocol and writes them without a copy.
     */
    @Override
    public void push(SharedPush message) {
        if (!takesPushes()) {
            return;
        }
        holdPushFlush();
        SharedPush.Encoded bytes = message.encoded(session.resp3);
        responder.pushShared(bytes.chunk(), bytes.index(), bytes.length());
        checkPushLimit();
    }

    private boolean takesPushes() {
        return !responder.closing() && ctx.channel().isActive() && !closedForLimits;
    }

    /** The first push (or reply before held commands) of the loop turn holds the flush to the turn's end, so they leave in one. */
    private void holdPushFlush() {
        if (!pushFlushScheduled && (server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            // (a busy script's shard runs no task until the script ends: there each message is flushed as it comes)
            pushFlushScheduled = true;
            responder.holdFlush();
            shard.execute(this::releasePushFlush);
        }
    }

    private void checkPushLimit() {
        long hard = server.config().outputLimits().pubsub().hardBytes();
        if (hard > 0 && responder.pendingOutboundBytes() > hard) {
            checkMemory(); // past the hard limit: now, not at the end of the turn
        }
    }

    /**
     * A pipeline's next commands wait behind this reply and will answer in this turn too (the next
     * scripts run from the same run of their shard's script queue): the replies leave in one flush at
     * the end of the turn, as messages pushed do, not in one flush each.
     */
    @Override
    public void replyBeforeHeldCommands() {
        if (!deferred.isEmpty()) {
            holdPushFlush();
        }
    }

    /**
     * The end of the turn in which messages were pushed (or replies came before held commands): they
     * leave in one flush. Also run when a script on this shard goes busy, which keeps the turn from
     * ending until the script does, so that neither the messages nor the replies after them wait for it.
     */
    @Override
    public void releasePushFlush() {
        if (pushFlushScheduled) {
            pushFlushScheduled = false;
            responder.releaseFlush();
            checkMemory();
        }
    }

    @Override
    public void flushPushes() {
        if (takesPushes()) {
            responder.flush(); // the turn's held flush (push above) finds nothing left to write
        }
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
        this.requestMetrics = ServerChannelContext.of(ctx.channel()).requestMetrics();
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
        if (server.clients().size() >= ClientRegistry.shardLimit(server.config(), keyspace.shardCount())) {
            // Redis's maxclients (CONFIG SET maxclients), each shard taking its share as with maxmemory;
            // as in Redis the client is told, not counted as connected, and counted as rejected
            rejected = true;
            server.rejectedConnections++;
            responder.replyAndClose(MAX_CLIENTS);
            ctx.fireChannelActive();
            return;
        }
        ConfigValues config = server.config();
        if (config.protectedMode() && config.requirePass() == null && !ClientAddresses.loopback(ctx.channel().remoteAddress())) {
            // Redis's protected mode (clientAcceptHandler): no password, so only the loopback interface is served
            rejected = true;
            server.rejectedConnections++;
            responder.replyAndClose(DENIED);
            ctx.fireChannelActive();
            return;
        }
        server.connectedClients++;
        server.connectionsReceived++;
        server.clients().add(this);
        ctx.fireChannelActive();
    }

    /** Redis 7.0's text for a client refused by protected mode. */
    static final ErrorRedisMessage DENIED = new ErrorRedisMessage("DENIED Redis is running in protected mode because protected mode is"
            + " enabled and no password is set for the default user. In this mode connections are only accepted from the loopback"
            + " interface. If you want to connect from external computers to Redis you may adopt one of the following solutions:"
            + " 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by"
            + " connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from"
            + " internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the"
            + " protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then"
            + " restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode"
            + " no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above"
            + " things in order for the server to start accepting connections from the outside.");

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
        dropHeld();
        server.clientMemoryChanged(-reportedMemory); // its memory leaves the shard's total with it
        orphanRequests();
        reportedMemory = 0;
        memory.markClosing(); // other shards stop making replies nobody will read
        session.multi = null;
        session.watched.unwatchAll(keyspace);
        PubSubCommands.forgetAll(session, pubsub.local(), this);
        local.blockedClients().disconnected(session.id()); // a blocked command of a closed connection is forgotten
        if (session.tracking != null) {
            local.tracking().closed(this, session.tracking); // and what the shards remember of its reads
            session.tracking = null;
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
        if (responder.closing() || (modes & CLOSE_AFTER_REPLY) != 0 || closedForLimits) {
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
                hold(new byte[][] {PROTOCOL_ERROR, e.replyText().getBytes(java.nio.charset.StandardCharsets.UTF_8)});
                return;
            }
            protocolError(e.replyText());
            return;
        }
        byte[][] argv = (byte[][]) msg; // RespCommandDecoder emits nothing else
        if (barrier) {
            hold(argv);
            responder.checkBackpressure();
            return;
        }
        execute(argv);
        if (inFlightBytes > 0 && server.requestsInFlightOver() && !waitingForRequests) {
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
        if (!ctx.channel().isActive() || closedForLimits) {
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

    /** A command read and held back: the end of the line. */
    private void hold(byte[][] argv) {
        deferred.add(argv);
        deferredBytes += MultiState.bytesOf(argv);
    }

    /** A command that must run before those held back: the front of the line. */
    private void holdFirst(byte[][] argv) {
        deferred.addFirst(argv);
        deferredBytes += MultiState.bytesOf(argv);
    }

    private byte[][] nextHeld() {
        byte[][] argv = deferred.poll();
        if (argv != null) {
            deferredBytes -= MultiState.bytesOf(argv);
        }
        return argv;
    }

    private void dropHeld() {
        deferred.clear();
        deferredBytes = 0;
    }

    /** Bytes of output held: encoded, in the channel, or waiting behind an earlier reply (Redis's omem). */
    long outputBytes() {
        return responder.pendingOutboundBytes();
    }

    /** Bytes of requests read and not run: the decoder's buffer, commands held back or in flight. */
    long queryBytes() {
        return decoder.bufferedBytes() + deferredBytes + inFlightBytes;
    }

    /** As {@link #queryBytes()} without what is in flight, which the shard counts itself ({@link ServerShard#requestSent}). */
    private long heldQueryBytes() {
        return decoder.bufferedBytes() + deferredBytes;
    }

    private long multiBytes() {
        return session.multi == null ? 0 : session.multi.queuedBytes();
    }

    /** Redis's tot-mem: output, query, MULTI, its own objects (what other shards make for it is counted apart). */
    @Override
    public long memoryBytes() {
        return responder.pendingOutboundBytes() + queryBytes() + multiBytes() + ClientMemory.FIXED_BYTES;
    }

    /**
     * Redis's client limits, checked after a read burst, when the output grows by a batch, when the
     * socket drains, and by the shard once a second: the output over its class's
     * {@code client-output-buffer-limit} (hard at once, soft held for its seconds), the requests over
     * {@code client-query-buffer-limit}, or another shard asking to stop making its replies, close
     * the client with a logged reason, and what it has not run is dropped; then its figure joins the
     * shard's total, and a shard over its part of {@code maxmemory-clients} closes its largest
     * clients first.
     */
    @Override
    public void checkMemory() {
        if (rejected || !ctx.channel().isActive() || closedForLimits) {
            return;
        }
        ConfigValues config = server.config();
        long output = responder.pendingOutboundBytes();
        long query = queryBytes();
        RespSettings.OutputBufferLimit limit = session.subscribed() ? config.outputLimits().pubsub() : config.outputLimits().normal();
        String over = null;
        if (limit.hardBytes() > 0 && output > limit.hardBytes()) {
            over = "output buffer over its hard limit (" + output + " > " + limit.hardBytes() + " bytes)";
        } else if (limit.softBytes() > 0 && output > limit.softBytes()) {
            long now = System.currentTimeMillis();
            if (overSoftLimitSince == 0) {
                overSoftLimitSince = now;
            } else if (now - overSoftLimitSince > limit.softSeconds() * 1000L) {
                over = "output buffer over its soft limit (" + output + " > " + limit.softBytes() + " bytes) for "
                        + limit.softSeconds() + " s";
            }
        } else {
            overSoftLimitSince = 0;
        }
        if (over == null && query > config.queryBufferLimit()) {
            over = "query buffer over client-query-buffer-limit (" + query + " > " + config.queryBufferLimit() + " bytes)";
            server.queryLimitDisconnections++;
        } else if (over != null) {
            if (session.subscribed()) {
                server.pubsubClientsDisconnected++;
            } else {
                server.outputLimitDisconnections++;
            }
        } else if (memory.closing()) {
            over = "memory over its shard's part of maxmemory-clients while another shard made its replies";
            server.evictedClients++;
        }
        if (over != null) {
            closeForLimits(over);
            return;
        }
        // the shard counts what is in flight itself, exactly; the client's own figure for the other shards has it
        long total = output + heldQueryBytes() + multiBytes() + ClientMemory.FIXED_BYTES;
        memory.publish(total + inFlightBytes);
        server.clientMemoryChanged(total - reportedMemory);
        reportedMemory = total;
        server.boundClientsMemory();
    }

    /** Closes the connection for a memory limit (Redis's freeClientAsync): logged, nothing more of its pipeline runs. */
    @Override
    public void closeForLimits(String why) {
        if (closedForLimits) {
            return;
        }
        closedForLimits = true;
        memory.markClosing();
        LOG.warn("Closing client id={} addr={}: {}", session.id(), remoteAddress(), why);
        dropHeld();
        server.clientMemoryChanged(-reportedMemory); // out of the shard's total now: its buffers go with the close
        orphanRequests();
        reportedMemory = 0;
        ctx.close();
    }

    /** What it has in flight stays in the shard's total until answered, but no longer as a client's to evict. */
    private void orphanRequests() {
        if (!requestsOrphaned) {
            requestsOrphaned = true;
            server.requestsOrphaned(inFlightBytes);
        }
    }

    /** Its figure in the shard's total with what it has in flight: what closing it would free, which eviction ranks by. */
    @Override
    public long reportedMemory() {
        return closedForLimits ? 0 : reportedMemory + inFlightBytes; // closing: nothing more to free by closing it
    }

    @Override
    public boolean noEvict() {
        return (modes & NO_EVICT) != 0;
    }

    @Override
    public ClientMemory memory() {
        return memory;
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
        dropHeld();
        family = commands.protocolFamily();
        replyAndClose(new ErrorRedisMessage(text));
    }

    // ------------------------------------------------------------------ execution

    private void execute(byte[][] argv) {
        if (local.reservation().busy() && (server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            // A transaction spanning shards or a script holds this one, or blocked clients are being served:
            // nothing else may run here until that is done.
            holdFirst(argv);
            barrier = true;
            heldByReservation = true;
            local.reservation().park(this::resumeAfterHold);
            return;
        }
        int id = commands.lookup(argv);
        if (id == CommandTable.NO_COMMAND) {
            family = commands.unknownFamily();
            reject(-1, RespReplies.unknownCommand(argv));
            return;
        }
        if (id == CommandTable.NO_SUBCOMMAND) {
            family = commands.familyOf(commands.find(argv[0]));
            reject(-1, RespReplies.unknownSubcommand(argv[1], RespReplies.ascii(argv[0])));
            return;
        }
        CommandSpec spec = commands.spec(id);
        family = commands.familyOf(id);
        if (!commands.arityFits(id, argv.length)) {
            reject(id, RespReplies.wrongArgs(commands.fullName(id)));
            return;
        }
        RespError refused = CommandAdmission.always(server, session, spec);
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
        commandOutcome = SUCCEEDED;
        // a write while clients are blocked somewhere may serve them: what follows on this connection sees what that did
        boolean mayWake = keyspace.anyWaiters() && commands.writes(id);
        lastSlot = null;
        try {
            java.util.BitSet spanned;
            if (migratingRoute != null) {
                Cluster.Route route = migratingRoute;
                migratingRoute = null;
                TransactionCommands.runAloneUnless(this, spec, argv, TransactionCommands.shardsOfKeys(spec, argv, keyspace),
                        bound -> Cluster.refusalWhileMigrating(bound, route, argv));
            } else if (commands.spansShards(id) && (spanned = TransactionCommands.shardsToHold(spec, argv, keyspace)) != null) {
                String busy = server.busyScriptNow(); // it would wait behind a busy script's hold: -BUSY, as EXEC (below)
                if (busy != null) {
                    throw new RespError(busy);
                }
                TransactionCommands.runAlone(this, spec, argv, spanned); // atomic across its shards, as every Redis command
            } else {
                spec.handler().handle(this, argv);
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
        RespError refused = CommandAdmission.busyScript(server, commands, id);
        if (refused != null) {
            reject(id, refused);
            return true;
        }
        if ((modes & TRACKING) != 0) {
            trackCommand(id, argv);
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
            holdFirst(argv);
            barrier = true;
            modes |= PAUSED;
            server.pause().hold(this);
            responder.checkBackpressure();
            return true;
        }
        return false;
    }

    /**
     * Cluster mode (Redis's getNodeByQuery in processCommand): a command whose keys another node
     * serves is answered {@code -MOVED}/{@code -CROSSSLOT}/{@code -CLUSTERDOWN}; one with keys in
     * slots migrating away runs alone once their presence is known ({@link #migratingRoute}).
     * ASKING lasts one command, outside MULTI. @return whether it was refused
     */
    private boolean redirected(int id, byte[][] argv) {
        migratingRoute = null; // a route set for a command refused or held after this check is not the next command's
        String name = commands.fullName(id);
        boolean asking = session.asking || name.equals("restore-asking");
        if (session.multi == null && !name.equals("asking")) {
            session.asking = false;
        }
        CommandSpec spec = commands.spec(id);
        if (!spec.hasKeys() || name.equals("exec")) {
            return false;
        }
        int[] keys;
        try {
            keys = spec.keyIndices(argv);
        } catch (RespError e) {
            return false; // the command answers its own error
        }
        if (keys.length == 0) {
            return false;
        }
        Cluster.Route route = server.cluster().route(argv, keys, asking, session.readonlyReplicaReads, !commands.writes(id));
        if (route == null) {
            return false;
        }
        if (route.error() != null) {
            reject(id, new RespError(route.error()));
            return true;
        }
        if (session.multi != null) {
            // EXEC could not re-check where the keys are: a transaction waits until the slot has moved
            reject(id, new RespError("TRYAGAIN Multiple keys request during rehashing of slot"));
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
        finished(id, argv, nanos, outcome(reply instanceof ErrorRedisMessage, reply));
    }

    /** Redis's CLIENT REPLY SKIP: it silences the reply of the one command after the CLIENT command. */
    private void afterCommand(int id) {
        if ((modes & TRACKING) != 0) {
            trackingAfterCommand(id);
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
        long inFlight = carries ? MultiState.bytesOf(commandArgv) : 0;
        if (inFlight > 0) {
            inFlightBytes += inFlight;
            server.requestSent(inFlight); // counted in the shard's total at once, exactly, until answered
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
            while (!barrier && !responder.closing() && (modes & CLOSE_AFTER_REPLY) == 0 && !closedForLimits && (argv = nextHeld()) != null) {
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
            local.tracking().disable(this, session.tracking);
            session.tracking = null;
            trackingChanged();
        }
    }

    // ------------------------------------------------------------------ client tracking (TrackingReceiver)

    /** Invalidations this connection's running command caused: written after its reply (Redis's tracking_pending_keys). */
    private List<RedisMessage> afterReply;

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
        return this;
    }

    @Override
    public boolean resp3() {
        return session.resp3;
    }

    @Override
    public ClientTracking tracking() {
        return session.tracking;
    }

    @Override
    public boolean closing() {
        return responder.closing() || (modes & CLOSE_AFTER_REPLY) != 0 || closedForLimits || !ctx.channel().isActive();
    }

    @Override
    public boolean runningCommand() {
        return command >= 0;
    }

    @Override
    public void afterReply(RedisMessage payload) {
        if (afterReply == null) {
            afterReply = new java.util.ArrayList<>(2);
        }
        afterReply.add(payload);
    }

    /**
     * Before a tracking client's command runs: the keyspace it sees carries what the shards it
     * reaches must know (its id under NOLOOP; for a read-only command whose keys are to be
     * remembered, those keys and their shards), or is the plain one when there is nothing.
     */
    private void trackCommand(int id, byte[][] argv) {
        TrackedCommand tracked = trackedCommand(id, argv);
        keyspace = tracked == null ? plainKeyspace : plainKeyspace.trackedBy(tracked);
    }

    @Override
    public TrackedCommand trackedCommand(int id, byte[][] argv) {
        ClientTracking t = session.tracking;
        if (t == null || id < 0) {
            return null;
        }
        byte[][] keys = null;
        int[] owners = null;
        if (commands.readsForTracking(id) && t.remembersReads()) {
            int[] at;
            try {
                at = commands.spec(id).keyIndices(argv);
            } catch (RespError e) {
                at = new int[0]; // a bad key count: the command answers its own error
            }
            if (at.length > 0) {
                keys = new byte[at.length][];
                owners = new int[at.length];
                for (int i = 0; i < at.length; i++) {
                    keys[i] = argv[at[i]];
                    owners[i] = plainKeyspace.shardOf(keys[i]);
                }
            }
        }
        return t.command(session.id(), shard.id(), keys, owners);
    }

    /** After a tracking client's command: its deferred invalidations leave; CLIENT CACHING's flag lasts one command (or one transaction). */
    private void trackingAfterCommand(int id) {
        if (afterReply != null) {
            List<RedisMessage> payloads = afterReply;
            afterReply = null;
            local.tracking().sendDeferred(this, payloads);
        }
        ClientTracking t = session.tracking;
        if (t != null && t.caching() && session.multi == null && (id < 0 || !commands.fullName(id).startsWith("client|"))) {
            t.caching(false);
        }
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
        if ((modes & MONITOR) == 0 || !ctx.channel().isActive() || closedForLimits) {
            return;
        }
        responder.holdFlush();
        try {
            for (MonitorFeed.Line line : lines) {
                if (responder.pendingOutboundBytes() > MonitorFeed.OUTPUT_LIMIT_BYTES) {
                    // checked before every line: a monitor that does not read stops at its limit, not a burst past it
                    server.monitorsDisconnected++;
                    closeForLimits("MONITOR output over " + MonitorFeed.OUTPUT_LIMIT_BYTES + " bytes unread");
                    return;
                }
                if (line.ranAtNanos() - monitoringSince >= 0) {
                    responder.push(new SimpleStringRedisMessage(line.text())); // out of band: no request's latency
                }
            }
        } finally {
            responder.releaseFlush();
        }
        checkMemory();
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
        return (modes & (MONITOR | PAUSED)) == 0 && replicaEvents == null && !session.blocked() && !session.subscribed();
    }
}
