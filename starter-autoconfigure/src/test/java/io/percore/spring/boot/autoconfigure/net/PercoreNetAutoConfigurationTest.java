package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.engine.Shard;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class PercoreNetAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                    "percore.servers.echo.port=0", "percore.servers.echo.bind-address=127.0.0.1",
                    "spring.lifecycle.timeout-per-shutdown-phase=5s");

    @Test
    void startsAConfiguredServerThatAnswersOnTheShardsAndClosesItWithTheApp() throws Exception {
        int[] port = new int[1];
        runner.run(context -> {
            ShardedServerRegistry servers = context.getBean(ShardedServerRegistry.class);
            assertThat(servers.configuredNames()).containsExactly("echo");
            ShardedServer server = servers.start("echo", new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf in = (ByteBuf) msg;
                            String text = in.toString(StandardCharsets.US_ASCII);
                            in.release();
                            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                                    (Shard.current().name() + ":" + text).getBytes(StandardCharsets.US_ASCII)));
                        }
                    });
                }
            });
            port[0] = server.port();
            assertThat(servers.get("echo")).containsSame(server);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("hi".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[64];
                InputStream in = socket.getInputStream();
                int n = in.read(buf);
                assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).matches("percore-shard-[01]:hi");
            }
            assertThatThrownBy(() -> servers.start("echo", new ChannelInboundHandlerAdapter()))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> servers.start("api", new ChannelInboundHandlerAdapter()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configured: echo");
        });
        // Closed with the application: the port no longer accepts.
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port[0]), 2_000);
            }
        }).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void noRegistryWithoutNetPooling() {
        runner.withClassLoader(new FilteredClassLoader(ShardedServer.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ShardedServerRegistry.class));
    }
}
