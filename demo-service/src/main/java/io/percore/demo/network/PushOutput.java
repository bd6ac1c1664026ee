package io.percore.demo.network;

import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.command.RespSession;
import io.percore.demo.pubsub.SharedPush;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.server.MonitorFeed;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Shard;
import io.percore.net.server.OrderedResponder;
import java.util.List;

/**
 * What a connection writes out of band, in order with its replies but answering no request: pub/sub messages,
 * client tracking's invalidations, MONITOR lines. Those of one loop turn leave in one flush (as Redis writes a
 * client's buffer once per event loop iteration), and the client's limits are checked then.
 */
final class PushOutput implements Subscriber {

    private final RespConnection connection;
    private final OrderedResponder<RedisMessage> responder;
    private final RespSession session;
    private final HeldCommands held;
    private final ClientLimits limits;
    private ServerShard server;
    private Shard shard;
    /** A flush of pushed messages (or of replies given before held commands) is scheduled for the end of this loop turn. */
    private boolean flushScheduled;
    /** The turn's end, made once: a reply from another shard schedules it on the hot path, once a turn. */
    private final Runnable releaseAtTurnEnd = this::releaseFlush;

    PushOutput(RespConnection connection, OrderedResponder<RedisMessage> responder, RespSession session, HeldCommands held,
               ClientLimits limits) {
        this.connection = connection;
        this.responder = responder;
        this.session = session;
        this.held = held;
        this.limits = limits;
    }

    /** The connection's shard is known (the handler was added). */
    void attach(ServerShard server, Shard shard) {
        this.server = server;
        this.shard = shard;
    }

    /**
     * Writes a pub/sub message (or an invalidation). The subscriber's memory is checked at the end
     * of the turn ({@link ClientLimits#check}): one that cannot keep up is disconnected past Redis's
     * {@code client-output-buffer-limit pubsub} (hard at once, soft held for its seconds), or as the
     * largest client when the shard's clients hold more than their part of maxmemory-clients.
     */
    void push(RedisMessage message) {
        if (!takesPushes()) {
            ReferenceCountUtil.release(message);
            return;
        }
        holdFlush();
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
        holdFlush();
        SharedPush.Encoded bytes = message.encoded(session.resp3);
        responder.pushShared(bytes.chunk(), bytes.index(), bytes.length());
        checkPushLimit();
    }

    private boolean takesPushes() {
        return !responder.closing() && connection.active() && !limits.closed();
    }

    /** The first push (or reply before held commands) of the loop turn holds the flush to the turn's end, so they leave in one. */
    private void holdFlush() {
        if (!flushScheduled && (server.commandHooks & ServerShard.HOOK_BUSY_SCRIPT) == 0) {
            // (a busy script's shard runs no task until the script ends: there each message is flushed as it comes)
            flushScheduled = true;
            responder.holdFlush();
            shard.execute(releaseAtTurnEnd);
        }
    }

    private void checkPushLimit() {
        long hard = server.config().outputLimits().pubsub().hardBytes();
        if (hard > 0 && responder.pendingOutboundBytes() > hard) {
            limits.check(); // past the hard limit: now, not at the end of the turn
        }
    }

    /**
     * A pipeline's next commands wait behind this reply and will answer in this turn too (the next
     * scripts run from the same run of their shard's script queue): the replies leave in one flush at
     * the end of the turn, as messages pushed do, not in one flush each.
     */
    void replyBeforeHeldCommands() {
        if (!held.isEmpty()) {
            holdFlush();
        }
    }

    /**
     * A reply made after its command's read (another shard's, a later step's): it leaves with the turn's other
     * replies in one flush at the end of the turn, not in a write of its own. A pipeline's replies from another shard
     * arrive a batch at a time; flushed one batch after another they reached the client as many small segments, and a
     * client that sends everything before it reads (a bulk loader, redis-py's pipeline) filled its receive buffer
     * with them before the window it had advertised: its kernel dropped a segment inside that window, then every
     * later one from the server (out of its window, now zero), acknowledgements included, while the server, which had
     * read everything, waited for data the client could not send (BulkClientParityTest stuck for good, seen in CI
     * and reproduced; docs/test-times.md). Redis writes a client's replies once per event-loop turn too
     * ({@code handleClientsWithPendingWrites}).
     */
    void replyAfterItsRead() {
        holdFlush();
    }

    /**
     * The end of the turn in which messages were pushed (or replies came before held commands): they
     * leave in one flush. Also run when a script on this shard goes busy, which keeps the turn from
     * ending until the script does, so that neither the messages nor the replies after them wait for it.
     */
    void releaseFlush() {
        if (flushScheduled) {
            flushScheduled = false;
            responder.releaseFlush();
            limits.check();
        }
    }

    /** Writes what was pushed now (a shard where the messages' turn would end late). */
    @Override
    public void flushPushes() {
        if (takesPushes()) {
            responder.flush(); // the turn's held flush (push above) finds nothing left to write
        }
    }

    /**
     * Writes the MONITOR lines of commands run since {@code monitoringSince}; a monitor past
     * {@link MonitorFeed#OUTPUT_LIMIT_BYTES} of unwritten output is closed.
     */
    void monitorLines(List<MonitorFeed.Line> lines, long monitoringSince) {
        if (!connection.active() || limits.closed()) {
            return;
        }
        responder.holdFlush();
        try {
            for (MonitorFeed.Line line : lines) {
                if (responder.pendingOutboundBytes() > MonitorFeed.OUTPUT_LIMIT_BYTES) {
                    // checked before every line: a monitor that does not read stops at its limit, not a burst past it
                    server.monitorsDisconnected++;
                    limits.close("MONITOR output over " + MonitorFeed.OUTPUT_LIMIT_BYTES + " bytes unread");
                    return;
                }
                if (line.ranAtNanos() - monitoringSince >= 0) {
                    responder.push(new SimpleStringRedisMessage(line.text())); // out of band: no request's latency
                }
            }
        } finally {
            responder.releaseFlush();
        }
        limits.check();
    }
}
