package io.percore.net.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import io.percore.engine.ShardPromise;
import io.percore.net.pool.Endpoint;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Last handler of a pooled connection: matches the one response to the one request in flight.
 * A late, unexpected or undecodable message makes the connection unusable (it is closed).
 */
final class ResponseDispatcher<Resp> extends ChannelInboundHandlerAdapter {

    private final ClientProtocol<?, Resp> protocol;
    private final Shard shard;
    private final Endpoint endpoint;
    private Channel channel;
    private ShardPromise<Resp> current;
    private Cancellable timer;
    private Duration timeout;
    private final Runnable onTimeout = this::timedOut;

    ResponseDispatcher(ClientProtocol<?, Resp> protocol, Shard shard, Endpoint endpoint) {
        this.protocol = protocol;
        this.shard = shard;
        this.endpoint = endpoint;
    }

    void send(Channel ch, Object request, ShardPromise<Resp> promise, Duration requestTimeout) {
        if (current != null) {
            promise.fail(new IllegalStateException("Connection " + ch + " already has a request in flight"));
            return;
        }
        channel = ch;
        current = promise;
        timeout = requestTimeout;
        timer = shard.schedule(requestTimeout, onTimeout);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new UpstreamException("Cannot send request to " + endpoint + ": " + f.cause().getMessage(), f.cause()));
                ch.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ShardPromise<Resp> p = current;
            if (p == null) {
                // Nobody asked: the stream is out of step, so this connection can never be trusted again.
                ctx.close();
                return;
            }
            Resp response;
            try {
                response = protocol.toResponse(msg);
            } catch (Exception e) {
                fail(new UpstreamException("Cannot decode response from " + endpoint + ": " + e.getMessage(), e));
                ctx.close();
                return;
            }
            clear();
            p.complete(response);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(new UpstreamException("Connection to " + endpoint + " closed while a request was in flight", null));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(new UpstreamException("Connection to " + endpoint + " failed: " + cause.getMessage(), cause));
        ctx.close();
    }

    private void timedOut() {
        ShardPromise<Resp> p = current;
        if (p == null) {
            return;
        }
        timer = null;
        fail(new TimeoutException("No response from " + endpoint + " within " + timeout));
        // The response may still come; it must not be taken for the next request's.
        channel.close();
    }

    private void fail(Throwable cause) {
        ShardPromise<Resp> p = current;
        if (p != null) {
            clear();
            p.fail(cause);
        }
    }

    private void clear() {
        current = null;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
