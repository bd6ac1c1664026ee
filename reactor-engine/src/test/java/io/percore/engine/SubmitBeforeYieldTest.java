package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Overprovisioned mode on io_uring: a reply a task wrote (as a WebFlux reply completed by a
 * cross-shard answer is) is only queued for submission, and the shard's idle step submits it
 * before it yields the CPU ({@link YieldingIdle}); it used to wait for the poll after the yield,
 * a whole time slice of other processes on a loaded host. The task below keeps the shard's thread
 * after running the idle step, so nothing else of the loop can have sent the reply.
 */
class SubmitBeforeYieldTest {

    @Test
    void aReplyATaskWroteLeavesInTheIdleStepBeforeTheYield() throws Exception {
        try (Engine engine = TestEngines.startOnIoUring(1)) {
            Shard shard = engine.shard(0);
            CompletableFuture<ChannelHandlerContext> connected = new CompletableFuture<>();
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    connected.complete(ctx);
                }
            });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                ChannelHandlerContext ctx = await(connected);
                InputStream in = client.getInputStream();
                CompletableFuture<Boolean> queuedOnly = new CompletableFuture<>();
                CompletableFuture<Boolean> sentByIdleStep = new CompletableFuture<>();
                shard.execute(() -> {
                    try {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
                        queuedOnly.complete(!arrives(in, 200));
                        shard.idleStrategy().beforeSleep(shard, System.nanoTime());
                        sentByIdleStep.complete(arrives(in, 10_000));
                    } catch (IOException e) {
                        sentByIdleStep.completeExceptionally(e);
                    }
                });
                assertThat(await(queuedOnly)).as("written from a task, the reply waits for a poll").isTrue();
                assertThat(await(sentByIdleStep)).as("the idle step submitted the reply").isTrue();
                assertThat(in.read()).isEqualTo(42);
            }
            server.close().sync();
        }
    }

    /** Whether the client has bytes to read within {@code millis}, checked from the shard's thread. */
    private static boolean arrives(InputStream in, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (in.available() == 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
