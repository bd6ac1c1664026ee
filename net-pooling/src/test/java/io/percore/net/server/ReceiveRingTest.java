package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.percore.engine.Engine;
import io.percore.net.TestSupport;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shards' receive ring (io_uring): only a server whose initializer takes a read after a pause
 * ({@link ReadsAfterPause}) gets it, in both accept modes, and a paused connection of such a server stops reading after
 * the one receive armed before its pause, however much its client sends.
 */
class ReceiveRingTest {

    private static Engine engine;

    @BeforeAll
    static void startEngine() {
        engine = TestSupport.engine(2);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    /** Records each connection's buffer group (-1: none) and answers every read with one byte. */
    private static class Recording extends ChannelInitializer<SocketChannel> {
        final Queue<Short> groups = new ConcurrentLinkedQueue<>();

        @Override
        protected void initChannel(SocketChannel ch) {
            groups.add(ch.config().getOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('+'));
                }
            });
        }
    }

    private static final class RecordingAfterPause extends Recording implements ReadsAfterPause {
    }

    @Test
    void onlyAServerThatReadsAfterAPauseReceivesIntoTheRingInBothAcceptModes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(engine.shard(0).transport().hasReceiveRing(), "no receive ring here");
        for (boolean reusePort : new boolean[] {true, false}) {
            RecordingAfterPause ring = new RecordingAfterPause();
            Recording plain = new Recording();
            ShardedServer withRing = ShardedServer.start(engine, ServerOptions.builder().port(0).reusePort(reusePort).build(), ring);
            ShardedServer without = ShardedServer.start(engine, ServerOptions.builder().port(0).reusePort(reusePort).build(), plain);
            try {
                assertThat(withRing.acceptMode())
                        .isEqualTo(reusePort ? ShardedServer.AcceptMode.REUSE_PORT : ShardedServer.AcceptMode.SINGLE_ACCEPTOR);
                for (int i = 0; i < 4; i++) {
                    exchange(withRing);
                    exchange(without);
                }
                assertThat(ring.groups).as("accept mode %s", withRing.acceptMode()).hasSize(4).containsOnly((short) 1);
                assertThat(plain.groups).as("accept mode %s", without.acceptMode()).hasSize(4).containsOnly((short) -1);
            } finally {
                withRing.close();
                without.close();
            }
        }
    }

    private static void exchange(ShardedServer server) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read()).isEqualTo('+');
        }
    }

    /**
     * A client that writes without reading (redis-py's million-command pipeline): the connection pauses at its first read.
     * Netty's multishot receive into a ring went on reading it regardless (29.6 MB in 0.4 s, issue 79); one receive at a
     * time stops after the receive already armed. Holds on any transport: without the ring a pause stops reading at once.
     */
    @Test
    void aPausedConnectionStopsReadingAfterOneReceiveWhateverItsClientSends() throws Exception {
        AtomicLong readBeforePause = new AtomicLong();
        AtomicLong readAfterPause = new AtomicLong();
        class PausingAtFirstRead extends ChannelInitializer<SocketChannel> implements ReadsAfterPause {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        (ctx.channel().config().isAutoRead() ? readBeforePause : readAfterPause).addAndGet(b.readableBytes());
                        b.release();
                        ctx.channel().config().setAutoRead(false);
                    }
                });
            }
        }
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).reusePort(false)
                .maxRequestSize(Integer.MAX_VALUE).gracefulShutdownTimeout(Duration.ofMillis(200)).build(), new PausingAtFirstRead());
        long toSend = 64L << 20;
        AtomicLong sent = new AtomicLong();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    while (sent.get() < toSend) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } catch (Exception e) {
                    // the socket closes at the end of the test
                }
            }, "flooding-client");
            writer.setDaemon(true);
            writer.start();
            eventually("the first read", Duration.ofSeconds(10), () -> readBeforePause.get() > 0);
            // The client's writes stop once the socket's buffers are full: the server reads nothing more.
            long last = -1;
            while (sent.get() != last) {
                last = sent.get();
                Thread.sleep(500);
            }
            assertThat(sent.get()).as("bytes the client could write").isLessThan(toSend);
            assertThat(readAfterPause.get()).as("bytes read after the pause").isLessThanOrEqualTo(64 * 1024);
        } finally {
            server.close();
        }
    }
}
