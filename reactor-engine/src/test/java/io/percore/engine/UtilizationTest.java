package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: utilization is the share of time the loop is not idle, I/O handling included. A shard
 * that sleeps between requests runs their handlers inside the blocking poll (Netty handles what
 * woke it there); that work used to count as idle, so a shard busy ~40 % of the time read ~0.
 */
class UtilizationTest {

    private static final long HANDLER_MILLIS = 4;
    private static final long PAUSE_MILLIS = 6;

    @Test
    void ioHandledInsideTheBlockingPollCountsAsBusy() throws Exception {
        try (Engine engine = TestEngines.start(TestEngines.config(), 2)) {
            Shard shard = engine.shard(0);
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ReferenceCountUtil.release(msg);
                                    burnCpu(HANDLER_MILLIS); // the request's work, on the shard, in the handler
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                                }
                            });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                exchange(out, in, 20); // warm up: JIT, the connection
                ShardStats stats = shard.stats();
                long busyBefore = stats.busyNanos();
                long idleBefore = stats.idleNanos();
                long start = System.nanoTime();
                int requests = exchange(out, in, 150);
                long wall = System.nanoTime() - start;
                Thread.sleep(150); // one more utilization window, so the last requests are counted
                double busyShare = (double) (stats.busyNanos() - busyBefore) / wall;
                // Each request burns 4 ms of CPU on the shard, then the client pauses 6 ms: ~40 % busy
                // (less where the machine is shared: the handler's CPU is what counts).
                assertThat(requests).isEqualTo(150);
                assertThat(busyShare).as("busy share of the wall time").isBetween(0.25, 1.0);
                assertThat(stats.idleNanos() - idleBefore).as("idle time still grows").isPositive();
                assertThat(stats.busyNanos() + stats.idleNanos()).as("busy + idle stays the loop's time")
                        .isLessThanOrEqualTo(System.nanoTime() - start + busyBefore + idleBefore + TimeUnit.SECONDS.toNanos(1));
            } finally {
                server.close().sync();
            }
        }
    }

    private static int exchange(OutputStream out, InputStream in, int count) throws Exception {
        int done = 0;
        for (int i = 0; i < count; i++) {
            out.write(1);
            out.flush();
            assertThat(in.read()).isEqualTo(1);
            done++;
            Thread.sleep(PAUSE_MILLIS);
        }
        return done;
    }

    private static void burnCpu(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        if (spins == 42) {
            throw new AssertionError(); // keeps the loop from being optimized away
        }
    }
}
