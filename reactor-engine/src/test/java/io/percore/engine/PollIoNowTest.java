package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.config.EngineConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Shard#pollIoNow}: a task that runs long (a script past its time limit) lets its shard
 * answer its sockets meanwhile, on every transport; from inside a socket handler (the I/O poll
 * itself) it refuses, since Netty's handler may not be entered again.
 */
class PollIoNowTest {

    @ParameterizedTest
    @EnumSource(value = EngineConfig.Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aLongTaskLetsItsShardAnswerItsSockets(EngineConfig.Transport transport) throws Exception {
        EngineConfig c = TestEngines.config();
        c.setTransport(transport);
        try (Engine engine = TestEngines.start(c, 1)) {
            Shard shard = engine.shard(0);
            AtomicInteger pollResultInHandler = new AtomicInteger(Integer.MIN_VALUE);
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf in = (ByteBuf) msg;
                    pollResultInHandler.set(shard.pollIoNow()); // inside the poll: refused
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) (in.readByte() + 1)}));
                    in.release();
                }
            });
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            AtomicBoolean answered = new AtomicBoolean();
            CompletableFuture<Integer> polls = new CompletableFuture<>();
            try (Socket first = new Socket("127.0.0.1", port)) {
                // the listener accepts once its loop ran the task that binding left it (Netty's channelActive)
                first.setSoTimeout(30_000);
                first.getOutputStream().write(1);
                assertThat(first.getInputStream().read()).isEqualTo(2);
            }
            CompletableFuture<Void> started = new CompletableFuture<>();
            shard.execute(() -> {
                // a task that spins until its socket was answered, polling as a busy script does
                started.complete(null);
                int n = 0;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!answered.get() && System.nanoTime() - deadline < 0) {
                    shard.pollIoNow();

                    n++;
                }
                polls.complete(n);
            });
            await(started);
            // connected while the task runs: accepted, registered and answered from inside it
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write(41);
                out.flush();
                assertThat(in.read()).isEqualTo(42);
                assertThat(polls).as("answered while the task still runs").isNotDone();
                answered.set(true);
            }
            assertThat(await(polls)).isPositive();
            assertThat(pollResultInHandler.get()).isEqualTo(-1);
            assertThat(CompletableFuture.supplyAsync(shard::pollIoNow).get()).as("off the shard's thread").isEqualTo(-1);
            server.close().sync();
        }
    }
}
