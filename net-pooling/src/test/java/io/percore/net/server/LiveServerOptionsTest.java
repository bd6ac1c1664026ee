package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.config.ServerConfig;
import io.percore.engine.Engine;
import io.percore.net.TestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A running server takes new limits and timeouts (config-schema's x-live) and refuses what needs a restart. */
class LiveServerOptionsTest {

    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = TestSupport.engine(1);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static ServerConfig config(int maxConnections) {
        ServerConfig c = new ServerConfig();
        c.setMaxConnectionsPerShard(maxConnections);
        return c;
    }

    @Test
    void aRaisedConnectionLimitCountsFromTheNextAcceptAndAPortChangeIsRefused() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.from("live", config(2)), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
            }
        });
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(new Socket("127.0.0.1", server.port()));
            }
            eventually("two accepted, one refused", Duration.ofSeconds(10),
                    () -> server.metrics(0).connectionsAccepted() == 2 && server.metrics(0).connectionsRejected() == 1);

            ServerConfig raised = config(4);
            raised.setIdleTimeout(Duration.ofSeconds(5));
            assertThat(server.applyLiveOptions(ServerOptions.from("live", raised)).live())
                    .containsExactly("percore.servers.live.idle-timeout", "percore.servers.live.max-connections-per-shard");
            for (int i = 0; i < 2; i++) {
                open.add(new Socket("127.0.0.1", server.port()));
            }
            eventually("two more accepted under the new limit", Duration.ofSeconds(10), () -> server.metrics(0).connectionsAccepted() == 4);
            assertThat(server.options().idleTimeout()).isEqualTo(Duration.ofSeconds(5));

            ServerConfig moved = config(4);
            moved.setIdleTimeout(Duration.ofSeconds(5));
            moved.setPort(server.port() + 1);
            assertThatThrownBy(() -> server.applyLiveOptions(ServerOptions.from("live", moved)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("These settings of server live need a restart, not a live change: percore.servers.live.port");
            assertThat(server.options().maxConnectionsPerShard()).isEqualTo(4);
        } finally {
            for (Socket s : open) {
                s.close();
            }
            server.close();
        }
    }
}
