package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Netty's io_uring handler reaps and submits for up to 128 rounds in one poll while completions keep
 * coming, so a shard whose sockets always have data to read would hold messages from other shards
 * until its poll ends. Here shard 0's connections always have data (clients write without waiting)
 * and each read costs 50 µs: a call from shard 1 is run inside shard 0's poll, between two
 * completions, once the poll has handled completions for a task quota. Before, a call ran only in a
 * turn's task step, never inside the poll. A task that must not run there (one that polls the
 * sockets itself, as a busy script does) hands on to a timer, which runs outside the poll.
 */
class TurnInsidePollTest {

    private static final int CONNECTIONS = 4;

    @Test
    void aCallFromAnotherShardRunsInsideALongIoPoll() throws Exception {
        try (Engine engine = TestEngines.startOnIoUring(2)) {
            Shard shard0 = engine.shard(0);
            Channel server = TestEngines.serveOn(shard0, SlowReader::new);
            AtomicBoolean stop = new AtomicBoolean();
            List<Socket> clients = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket client = new Socket("127.0.0.1", port);
                    clients.add(client);
                    Thread writer = new Thread(() -> writeUntil(stop, client), "writer-" + i);
                    writer.setDaemon(true);
                    writer.start();
                    writers.add(writer);
                }
                int insidePoll = 0;
                int refusedNestedPoll = 0;
                List<CompletableFuture<Boolean>> timersInPoll = new ArrayList<>();
                long worstMicros = 0;
                // Calls one after another from shard 1 for at most 20 s, until five ran inside the poll.
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (insidePoll < 5 && System.nanoTime() - deadline < 0) {
                    long start = System.nanoTime();
                    CompletableFuture<Boolean> timerInPoll = new CompletableFuture<>();
                    int[] seen = await(engine.submitTo(1, () -> Shard.current().submitTo(0, () -> {
                        Shard here = Shard.current();
                        boolean inside = here.inIoPoll();
                        if (inside) {
                            here.schedule(Duration.ZERO, () -> timerInPoll.complete(Shard.current().inIoPoll()));
                        }
                        return new int[] {inside ? 1 : 0, here.pollIoNow()};
                    })).thenCompose(ShardFuture::toCompletableFuture));
                    worstMicros = Math.max(worstMicros, (System.nanoTime() - start) / 1000);
                    if (seen[0] == 1) {
                        insidePoll++;
                        if (seen[1] == -1) {
                            refusedNestedPoll++;
                        }
                        timersInPoll.add(timerInPoll);
                    }
                    Thread.sleep(5);
                }
                System.out.printf("calls run inside shard 0's poll: %d, turns inside its polls: %d, slowest call %d µs%n",
                        insidePoll, shard0.stats().turnsInsidePoll(), worstMicros);
                assertThat(insidePoll).as("calls from shard 1 run inside shard 0's long poll").isEqualTo(5);
                assertThat(refusedNestedPoll).as("a task run inside the poll cannot poll again").isEqualTo(5);
                assertThat(shard0.stats().turnsInsidePoll()).isGreaterThanOrEqualTo(5);
                for (CompletableFuture<Boolean> timer : timersInPoll) {
                    assertThat(await(timer)).as("a timer set inside the poll runs outside it").isFalse();
                }
            } finally {
                stop.set(true);
                for (Socket client : clients) {
                    client.close();
                }
                for (Thread writer : writers) {
                    writer.join(10_000);
                }
                server.close().sync();
            }
        }
    }

    /** Reads 256 bytes at a time and spends 50 µs of CPU on each read. */
    private static final class SlowReader extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(256));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            long until = System.nanoTime() + 50_000;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void writeUntil(AtomicBoolean stop, Socket client) {
        byte[] chunk = new byte[16 * 1024];
        try {
            OutputStream out = client.getOutputStream();
            while (!stop.get()) {
                out.write(chunk);
            }
        } catch (IOException closed) {
            // the test closed the socket
        }
    }
}
