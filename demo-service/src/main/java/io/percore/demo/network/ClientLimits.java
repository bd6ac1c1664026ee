package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.RespSession;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;
import io.percore.net.resp.RespCommandDecoder;
import io.percore.net.server.OrderedResponder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one RESP connection holds and the limits on it (Redis's client memory in {@code networking.c}:
 * {@code getClientMemoryUsage}, {@code checkClientOutputBufferLimits}, client eviction): its output not yet written,
 * its requests read and not run (the decoder's buffer, the commands held back, the requests in flight to other
 * shards), its queued MULTI commands. Its figure is kept in the shard's total, which {@code maxmemory-clients} bounds.
 */
final class ClientLimits {

    /** The connection's logger: operators filter client closes by it. */
    private static final Logger LOG = LoggerFactory.getLogger(RespConnection.class);

    private final RespConnection connection;
    private final RespSession session;
    private final OrderedResponder<RedisMessage> responder;
    /** The request decoder in front of the connection: its buffered bytes are query memory. */
    private final RespCommandDecoder decoder;
    private final HeldCommands held;
    private ServerShard server;
    /** What this client holds, for its shard's total and for the shards that make its replies. */
    private final ClientMemory memory = new ClientMemory();
    /** Bytes of the arguments of commands whose reply another shard (or a later step) gives: in flight. */
    private long inFlightBytes;
    /** Closed: what it still has in flight was handed to the shard's total as orphaned. */
    private boolean requestsOrphaned;
    /** The client's memory as last added to its shard's total. */
    private long reportedMemory;
    /** Since when (ms) the output has been above its class's soft limit; 0 when it is not. */
    private long overSoftLimitSince;
    /** Closed for a memory limit: the rest of its pipeline is not run. */
    private boolean closed;
    /** Stopped reading until the shard's requests in flight come down (maxmemory-clients). */
    private boolean waitingForRequests;

    ClientLimits(RespConnection connection, RespSession session, OrderedResponder<RedisMessage> responder,
                 RespCommandDecoder decoder, HeldCommands held) {
        this.connection = connection;
        this.session = session;
        this.responder = responder;
        this.decoder = decoder;
        this.held = held;
    }

    /** The connection's shard is known (the handler was added). */
    void attach(ServerShard server) {
        this.server = server;
    }

    ClientMemory memory() {
        return memory;
    }

    /** Closed for a limit: nothing more of its pipeline runs, nothing more is written to it. */
    boolean closed() {
        return closed;
    }

    long inFlightBytes() {
        return inFlightBytes;
    }

    /** A command's reply is to come from another shard (or a later step): its arguments are in flight until then. */
    void sent(long bytes) {
        inFlightBytes += bytes;
        server.requestSent(bytes); // counted in the shard's total at once, exactly, until answered
    }

    void answered(long bytes) {
        inFlightBytes -= bytes;
        server.requestAnswered(bytes, requestsOrphaned);
    }

    /** Stopped reading (and decoding) until the shard's requests in flight come down. */
    boolean waitingForRequests() {
        return waitingForRequests;
    }

    /**
     * After a command: when this client's shard has more requests in flight to other shards than
     * maxmemory-clients allows, some of them this client's, it decodes and reads nothing more (what
     * it sent stays in the decoder's buffer, counted as its query buffer) until they come down. The
     * other shards answer without the client doing anything, so this wait cannot hang a client that
     * writes everything before it reads.
     */
    void waitForRequestsIfOver() {
        if (inFlightBytes > 0 && !waitingForRequests && server.requestsInFlightOver()) {
            waitingForRequests = true;
            decoder.stop();
            server.waitForRequests(connection);
            responder.checkBackpressure();
        }
    }

    /** The shard's requests in flight came down: it decodes what it had read (which may make it wait again), then reads. */
    void resumeReading(ChannelHandlerContext ctx) {
        if (!waitingForRequests) {
            return;
        }
        waitingForRequests = false;
        if (!ctx.channel().isActive() || closed) {
            return;
        }
        decoder.resume(ctx);
        if (!waitingForRequests) {
            responder.checkBackpressure();
        }
    }

    /** Bytes of output held: encoded, in the channel, or waiting behind an earlier reply (Redis's omem). */
    long outputBytes() {
        return responder.pendingOutboundBytes();
    }

    /** Bytes of requests read and not run: the decoder's buffer, commands held back or in flight. */
    long queryBytes() {
        return decoder.bufferedBytes() + held.bytes() + inFlightBytes;
    }

    private long multiBytes() {
        return session.multi == null ? 0 : session.multi.queuedBytes();
    }

    /** Redis's tot-mem: output, query, MULTI, its own objects (what other shards make for it is counted apart). */
    long totalBytes() {
        return responder.pendingOutboundBytes() + queryBytes() + multiBytes() + ClientMemory.FIXED_BYTES;
    }

    /** Its figure in the shard's total with what it has in flight: what closing it would free, which eviction ranks by. */
    long reportedBytes() {
        return closed ? 0 : reportedMemory + inFlightBytes; // closing: nothing more to free by closing it
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
    void check() {
        if (closed || !connection.counted()) {
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
            close(over);
            return;
        }
        // the shard counts what is in flight itself, exactly; the client's own figure for the other shards has it
        long total = output + decoder.bufferedBytes() + held.bytes() + multiBytes() + ClientMemory.FIXED_BYTES;
        memory.publish(total + inFlightBytes);
        server.clientMemoryChanged(total - reportedMemory);
        reportedMemory = total;
        server.boundClientsMemory();
    }

    /** Closes the connection for a memory limit (Redis's freeClientAsync): logged, nothing more of its pipeline runs. */
    void close(String why) {
        if (closed) {
            return;
        }
        closed = true;
        memory.markClosing();
        LOG.warn("Closing client id={} addr={}: {}", session.id(), connection.remoteAddress(), why);
        left();
        connection.kill();
    }

    /**
     * The client goes (closed for a limit, or its socket closed): what it has not run is dropped, its memory leaves the
     * shard's total with it, and other shards stop making replies nobody will read. What it has in flight stays in the
     * shard's total until answered, but no longer as a client's to evict.
     */
    void left() {
        held.drop();
        server.clientMemoryChanged(-reportedMemory);
        if (!requestsOrphaned) {
            requestsOrphaned = true;
            server.requestsOrphaned(inFlightBytes);
        }
        reportedMemory = 0;
        memory.markClosing();
    }
}
