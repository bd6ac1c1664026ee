package io.percore.demo.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardState;
import io.percore.engine.Shard;
import io.percore.net.resp.RespProtocolError;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RESP client connection, on the shard whose loop owns the channel. Commands are executed
 * in arrival order: those whose keys live here run inline; the others are sent to the owning
 * shard over the mesh. Replies go back strictly in request order through a queue of reply
 * slots, so pipelining works across shards. Replies are encoded into one buffer per read batch
 * ({@link RespReplyWriter}), written and flushed once at the end of it.
 *
 * <p>A command that needs more than one round of messages (cross-shard RENAME and MSETNX,
 * RANDOMKEY) raises a barrier: later commands of this connection wait until it finishes, so a
 * pipelined client always observes its own writes in order.
 */
public final class RespConnection extends ChannelInboundHandlerAdapter implements CommandContext {

    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    private final Keyspace keyspace;
    private final CommandTable commands;
    private final RespSettings settings;
    private final RespSession session;

    private ChannelHandlerContext ctx;
    private Shard shard;
    private ShardState local;

    private final ArrayDeque<ReplySlot> slots = new ArrayDeque<>();
    private final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    private boolean barrier;
    private boolean closing;
    private boolean inRead;
    private boolean unflushed;
    private boolean readingPaused;
    private boolean inactive;
    /** Replies encoded but not yet handed to the channel; null when there are none. */
    private ByteBuf pending;

    /** A batch larger than this goes to the channel early, so writability (backpressure) sees it. */
    private static final int PENDING_WRITE_THRESHOLD = 64 * 1024;

    /** A reply position in the connection's output order. */
    public final class ReplySlot implements PendingReply {
        RedisMessage reply;
        boolean done;
        boolean closeAfter;

        @Override
        public void complete(RedisMessage message) {
            RespConnection.this.complete(this, message);
        }
    }

    RespConnection(Keyspace keyspace, CommandTable commands, RespSettings settings, RespSession session) {
        this.keyspace = keyspace;
        this.commands = commands;
        this.settings = settings;
        this.session = session;
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
        closing = true;
        inactive = true;
        for (ReplySlot slot : slots) {
            ReferenceCountUtil.release(slot.reply);
        }
        slots.clear();
        deferred.clear();
        if (pending != null) {
            pending.release();
            pending = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (closing) {
            return;
        }
        if (msg instanceof RespProtocolError e) {
            protocolError(e.replyText());
            return;
        }
        byte[][] argv = (byte[][]) msg; // RespCommandDecoder emits nothing else
        if (barrier) {
            deferred.add(argv);
            applyBackpressure();
            return;
        }
        execute(argv);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        flushIfNeeded();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        applyBackpressure();
        ctx.fireChannelWritabilityChanged();
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
        if (closing) {
            return;
        }
        local.protocolErrors++;
        ReplySlot slot = reserve();
        slot.closeAfter = true;
        closing = true;
        deferred.clear();
        ctx.channel().config().setAutoRead(false);
        complete(slot, new ErrorRedisMessage(text));
    }

    // ------------------------------------------------------------------ execution

    private void execute(byte[][] argv) {
        CommandSpec spec = commands.lookup(argv[0]);
        try {
            if (spec == null) {
                throw RespReplies.unknownCommand(argv);
            }
            if (spec.arity() > 0 ? argv.length != spec.arity() : argv.length < -spec.arity()) {
                throw RespReplies.wrongArgs(spec.name());
            }
            if (!session.authenticated && settings.requirePass() != null && !spec.noAuth()) {
                throw new RespError(RespReplies.NOAUTH);
            }
            local.commandsProcessed++;
            spec.handler().handle(this, argv);
        } catch (RespError e) {
            reply(e.reply());
        }
        applyBackpressure();
    }

    // ------------------------------------------------------------------ ordered replies

    @Override
    public void reply(RedisMessage message) {
        if (slots.isEmpty()) {
            emit(message);
        } else {
            ReplySlot slot = reserve();
            slot.reply = message;
            slot.done = true;
        }
    }

    @Override
    public void replyAndClose(RedisMessage message) {
        ReplySlot slot = reserve();
        slot.closeAfter = true;
        closing = true;
        complete(slot, message);
    }

    @Override
    public ReplySlot reserve() {
        ReplySlot slot = new ReplySlot();
        slots.add(slot);
        return slot;
    }

    /** Fills {@code slot}; writes every reply that is now at the head of the order. Shard thread only. */
    void complete(ReplySlot slot, RedisMessage message) {
        slot.reply = message;
        slot.done = true;
        drain();
    }

    private void drain() {
        if (!ctx.channel().isActive()) {
            return; // channelInactive releases what is left
        }
        ReplySlot head;
        while ((head = slots.peek()) != null && head.done) {
            slots.poll();
            emit(head.reply);
            if (head.closeAfter) {
                ByteBuf last = pending != null ? pending : Unpooled.EMPTY_BUFFER;
                pending = null;
                unflushed = false;
                ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        if (!inRead) {
            flushIfNeeded();
        }
        applyBackpressure();
    }

    /** Encodes {@code message} into the batch buffer and releases it (as an encoder would). */
    private void emit(RedisMessage message) {
        if (inactive) {
            ReferenceCountUtil.release(message);
            return;
        }
        ByteBuf out = pending;
        if (out == null) {
            out = pending = ctx.alloc().ioBuffer();
        }
        try {
            RespReplyWriter.write(message, out);
        } finally {
            ReferenceCountUtil.release(message);
        }
        unflushed = true;
        if (out.readableBytes() >= PENDING_WRITE_THRESHOLD) {
            pending = null;
            ctx.write(out, ctx.voidPromise());
        }
    }

    private void flushIfNeeded() {
        if (unflushed) {
            unflushed = false;
            ByteBuf out = pending;
            if (out != null) {
                pending = null;
                ctx.write(out, ctx.voidPromise());
            }
            ctx.flush();
        }
    }

    // ------------------------------------------------------------------ barrier and backpressure

    @Override
    public void beginBarrier() {
        barrier = true;
    }

    @Override
    public void endBarrier() {
        barrier = false;
        boolean wasInRead = inRead;
        inRead = true; // batch the replies of the released commands into one flush
        try {
            byte[][] argv;
            while (!barrier && !closing && (argv = deferred.poll()) != null) {
                execute(argv);
            }
        } finally {
            inRead = wasInRead;
        }
        if (!inRead) {
            flushIfNeeded();
        }
        applyBackpressure();
    }

    /**
     * Stops reading from a client that pipelines faster than it reads replies or than other
     * shards answer, and resumes when the backlog is gone.
     */
    private void applyBackpressure() {
        if (closing) {
            return;
        }
        boolean overloaded = slots.size() >= settings.maxPendingReplies() || deferred.size() >= settings.maxPendingReplies()
                || !ctx.channel().isWritable();
        if (overloaded && !readingPaused) {
            readingPaused = true;
            flushIfNeeded();
            ctx.channel().config().setAutoRead(false);
        } else if (!overloaded && readingPaused) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }
}
