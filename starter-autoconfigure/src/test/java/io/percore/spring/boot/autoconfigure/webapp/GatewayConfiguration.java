package io.percore.spring.boot.autoconfigure.webapp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.net.LineProtocol;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import io.percore.spring.boot.autoconfigure.net.UpstreamClientRegistry;
import java.nio.charset.StandardCharsets;
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

    @Bean
    ShardedServer gateway(ShardedServerRegistry servers, UpstreamClient<String, String> backend) {
        return servers.start("gateway", new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(),
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
                                backend.send(line.toString(StandardCharsets.UTF_8)).whenComplete((reply, error) -> {
                                    String answer = error == null ? reply : "error:" + error;
                                    ctx.writeAndFlush(Unpooled.copiedBuffer(answer + "\n", StandardCharsets.UTF_8));
                                });
                            }
                        });
            }
        });
    }
}
