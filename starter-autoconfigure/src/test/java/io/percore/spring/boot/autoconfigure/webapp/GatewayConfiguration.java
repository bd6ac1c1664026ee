package io.percore.spring.boot.autoconfigure.webapp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.net.LineProtocol;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import io.percore.spring.boot.autoconfigure.net.UpstreamClientRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.context.annotation.Bean;

/**
 * What a user writes for a proxy on the shards: server {@code gateway} (percore.servers.gateway)
 * forwards each line through upstream client {@code backend} (percore.clients.backend) from the
 * connection's own shard and writes the answer back. Listed in the test's classes, not scanned.
 */
public class GatewayConfiguration {

    @Bean
    UpstreamClient<String, String> backend(UpstreamClientRegistry clients) {
        return clients.client("backend", new LineProtocol());
    }

    /** What the gateway counts (percore.server.requests): forwarded lines, answered or failed. */
    static final RequestKinds REQUESTS = RequestKinds.of("operation", List.of("forward"), "outcome", List.of("ok", "error"));

    @Bean
    ShardedServer gateway(ShardedServerRegistry servers, UpstreamClient<String, String> backend) {
        return servers.start("gateway", new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ShardRequestMetrics requests = sc.requestMetrics();
                // Answers leave in request order, batched per read, and each is timed (percore.server.request.duration).
                OrderedResponder<String> responder = new OrderedResponder<>(sc.options().maxPendingReplies(),
                        (answer, out) -> out.writeCharSequence(answer, StandardCharsets.UTF_8));
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), responder,
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
                                OrderedResponder.Slot slot = responder.reserve();
                                backend.send(line.toString(StandardCharsets.UTF_8)).whenComplete((reply, error) -> {
                                    requests.count(0, error == null ? 0 : 1);
                                    responder.complete(slot, (error == null ? reply : "error:" + error) + "\n");
                                });
                            }
                        });
            }
        }, REQUESTS);
    }
}
