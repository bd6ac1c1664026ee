package io.percore.demo.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.demo.replication.ReplicaEvents;
import io.percore.net.resp.RespProtocolError;
import io.percore.net.server.DrainStarted;

/**
 * The handler a connection puts before itself when it becomes a replica's link (PSYNC): what the
 * replica sends from then on (REPLCONF ACK) goes to the replication, not to the command table; the
 * socket draining, the server's stop and the close are told to the replication too, then passed on to the connection.
 */
final class ReplicaLinkHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "replica-link";

    private final ReplicaEvents events;
    /** The connection heard from its peer (CLIENT LIST's idle). */
    private final Runnable heard;

    ReplicaLinkHandler(ReplicaEvents events, Runnable heard) {
        this.events = events;
        this.heard = heard;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        heard.run();
        if (msg instanceof RespProtocolError) {
            ctx.close(); // a replica that sends garbage resyncs
        } else {
            events.received((byte[][]) msg); // RespCommandDecoder emits nothing else
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        events.writable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DrainStarted.INSTANCE) {
            events.serverStopping();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        events.closed();
        ctx.fireChannelInactive();
    }
}
