package io.percore.demo.resp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardState;
import io.percore.engine.Shard;
import io.percore.net.resp.RespProtocolError;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RESP client connection, on the shard whose loop owns the channel. Commands are executed
 * in arrival order: those whose keys live here run inline; the others are sent to the owning
 * shard over the mesh. Replies go back strictly in request order through net-pooling's
 * {@link OrderedResponder} (the handler before this one), which batches them ({@link RespReplyWriter} encodes) into one write
 * and flush per read burst and pauses reading past {@code percore.servers.resp.max-pending-replies}.
 *
 * <p>A command that needs more than one round of messages (cross-shard RENAME and MSETNX,
 * RANDOMKEY) raises a barrier: later commands of this connection wait until it finishes, so a
 * pipelined client always observes its own writes in order. Commands held by the barrier count
 * toward the same limit.
 */
public final class RespConnection extends ChannelInboundHandlerAdapter implements CommandContext, Subscriber {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    private final Keyspace keyspace;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    private final RespSession session;
    private final OrderedResponder<RedisMessage> responder;

    private ChannelHandlerContext ctx;
    private Shard shard;
    private ShardState local;

    private final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    private boolean barrier;
    /** Where requests are counted (percore.server.requests); the responder records their latency. */
    private ShardRequestMetrics requestMetrics;
    /** Family of the command being executed, for the replies it makes (see {@link CommandTable#requestKinds()}). */
    private int family;

    /** A reply position in the connection's output order. */
    public final class ReplySlot extends OrderedResponder.Slot implements PendingReply {
        private final int family = RespConnection.this.family;

        @Override
        public void complete(RedisMessage message) {
            count(family, message);
            responder.complete(this, message);
        }
    }

    /** {@code responder} must stand right before this handler in the pipeline. */
    RespConnection(Keyspace keyspace, PubSub pubsub, CommandTable commands, RespSettings settings, RespSession session,
                   OrderedResponder<RedisMessage> responder) {
        this.keyspace = keyspace;
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
            local.pubsubClientsDisconnected++;
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
        RespSettings.OutputBufferLimit limit = settings.pubsubLimit();
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

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.shard = Shard.current();
        this.local = keyspace.local();
        this.requestMetrics = ServerChannelContext.of(ctx.channel()).requestMetrics();
    }

    private void count(int family, RedisMessage reply) {
        requestMetrics.count(family, reply instanceof ErrorRedisMessage ? 1 : 0);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        local.connectedClients++;
        local.connectionsReceived++;
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        local.connectedClients--;
        deferred.clear();
        session.multi = null;
        session.watched.unwatchAll(keyspace);
        PubSubCommands.forgetAll(session, pubsub.local(), this);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (responder.closing()) {
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof RespProtocolError e) {
            protocolError(e.replyText());
        } else if (cause instanceof IOException || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
            // the peer went away, possibly in the middle of a command: nothing to answer
            ctx.close();
        } else {
            local.unexpectedErrors++;
            LOG.warn("Closing RESP connection {} after an unexpected error", ctx.channel(), cause);
            ctx.close();
        }
    }

    private void protocolError(String text) {
        if (responder.closing()) {
            return;
        }
        local.protocolErrors++;
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
        CommandSpec spec = commands.lookup(argv[0]);
        family = spec == null ? commands.unknownFamily() : commands.familyOf(spec);
        try {
            if (spec == null) {
                rejectInMulti();
                throw RespReplies.unknownCommand(argv);
            }
            if (spec.arity() > 0 ? argv.length != spec.arity() : argv.length < -spec.arity()) {
                rejectInMulti();
                throw RespReplies.wrongArgs(spec.name());
            }
            if (!session.authenticated && settings.requirePass() != null && !spec.noAuth()) {
                rejectInMulti();
                throw new RespError(RespReplies.NOAUTH);
            }
            if (session.subscriptions != null) {
                RespError refused = PubSubCommands.refusedWhenSubscribed(session, spec);
                if (refused != null) {
                    throw refused;
                }
            }
            local.commandsProcessed++;
            if (session.multi != null && TransactionCommands.queues(spec)) {
                if (TransactionCommands.refusedWhileQueuing(this, session.multi, argv)) {
                    rejectInMulti();
                    throw new RespError(io.percore.demo.kv.OutOfBudgetException.MESSAGE);
                }
                session.multi.queue(spec, argv);
                reply(TransactionCommands.QUEUED);
                return;
            }
            spec.handler().handle(this, argv);
        } catch (RespError e) {
            reply(e.reply());
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
        count(family, message);
        responder.reply(message);
    }

    @Override
    public void replyAndClose(RedisMessage message) {
        count(family, message);
        responder.replyAndClose(message);
    }

    @Override
    public ReplySlot reserve() {
        return responder.enqueue(new ReplySlot());
    }

    // ------------------------------------------------------------------ barrier

    @Override
    public void beginBarrier() {
        barrier = true;
    }

    /** Releases the barrier and runs the commands that waited, in order, their replies in one flush. */
    @Override
    public void endBarrier() {
        barrier = false;
        responder.holdFlush();
        try {
            byte[][] argv;
            while (!barrier && !responder.closing() && (argv = deferred.poll()) != null) {
                execute(argv);
            }
        } finally {
            responder.releaseFlush();
        }
        responder.checkBackpressure();
    }
}
