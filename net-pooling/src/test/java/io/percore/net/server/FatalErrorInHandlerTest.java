package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.engine.Engine;
import io.percore.net.TestSupport;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An OutOfMemoryError thrown by a connection's handler is caught by Netty and reaches the
 * pipeline's tail, never the engine's loop: the server hands it to the engine, whose fatal-error
 * handler then ends the process (here: records it), instead of serving on with a broken JVM.
 */
class FatalErrorInHandlerTest {

    @Test
    void anErrorInAHandlerReachesTheEnginesFatalErrorHandler() throws Exception {
        Engine engine = TestSupport.engine(1);
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        engine.onFatalError((shard, error) -> fatal.complete(error));
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().build(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                        throw new OutOfMemoryError("test: a handler ran out of memory");
                    }
                });
            }
        });
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(1);
            s.getOutputStream().flush();
            assertThat(fatal.get(10, TimeUnit.SECONDS)).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("test:");
            assertThat(engine.fatalError()).isPresent();
        } finally {
            // The shard's loop has stopped: do not wait for its drain, close the engine (bounded).
            server.shutdownGracefully(java.time.Duration.ZERO);
            engine.close();
        }
    }
}
