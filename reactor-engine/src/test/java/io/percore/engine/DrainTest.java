package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A draining engine declares quiescence from what the shards publish about themselves. These
 * tests keep work moving between shards while the engine drains: every moment some shard is
 * asleep and another has just sent it a message, or a message is parked behind a full ring. A
 * drain that believed the shards' idle flags alone would stop the engine with work in flight.
 */
class DrainTest {

    private static final int SHARDS = 3;

    @Test
    void drainWaitsForWorkThatKeepsHoppingAcrossShards() throws Exception {
        int hops = 3000;
        Engine engine = TestEngines.start(SHARDS);
        AtomicInteger ran = new AtomicInteger();
        engine.shard(0).execute(new Hop(engine, ran, hops));
        engine.shutdownGracefully(Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        assertThat(ran.get()).as("hops run before the engine stopped").isEqualTo(hops);
        assertThat(engine.isTerminated()).isTrue();
    }

    @Test
    void drainWaitsForRoundTripsChainedAcrossShards() throws Exception {
        int calls = 2000;
        Engine engine = TestEngines.start(SHARDS);
        AtomicInteger completed = new AtomicInteger();
        engine.shard(0).execute(() -> chain(Shard.current(), 0, calls, completed));
        engine.shutdownGracefully(Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        assertThat(completed.get()).as("round trips completed before the engine stopped").isEqualTo(calls);
    }

    @Test
    void drainWaitsForMessagesParkedBehindAFullRing() throws Exception {
        EngineConfig config = TestEngines.config();
        config.setRingCapacity(16); // the smallest ring the validator allows: most of the 5000 park
        Engine engine = TestEngines.start(config, 2);
        int messages = 5000;
        AtomicInteger received = new AtomicInteger();
        engine.shard(0).execute(() -> {
            Shard target = Shard.current().engine().shard(1);
            for (int i = 0; i < messages; i++) {
                target.execute(() -> {
                    received.incrementAndGet();
                    busyFor(2_000);
                });
            }
        });
        engine.shutdownGracefully(Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        assertThat(received.get()).as("parked messages delivered before the engine stopped").isEqualTo(messages);
    }

    @Test
    void drainWaitsForWorkASocketHandlerMakesWhileTheShardSleeps() throws Exception {
        // The handler runs inside shard 0's I/O poll, after shard 0 has published itself quiet;
        // the engine drains while it runs: the work it queued and sent must still run.
        Engine engine = TestEngines.start(2);
        Shard shard = engine.shard(0);
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch connected = new CountDownLatch(1);
        CountDownLatch handling = new CountDownLatch(1);
        Channel listener = new ServerBootstrap()
                .group(shard.ioEventLoop(), shard.ioEventLoop())
                .channel(shard.transport().serverChannelClass())
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        connected.countDown();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        Shard here = Shard.current();
                        here.engine().shard(1).execute(ran::incrementAndGet);
                        here.execute(ran::incrementAndGet);
                        handling.countDown();
                        busyFor(TimeUnit.MILLISECONDS.toNanos(30));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
            assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
            client.getOutputStream().write(1);
            client.getOutputStream().flush();
            assertThat(handling.await(30, TimeUnit.SECONDS)).isTrue();
            engine.shutdownGracefully(Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        }
        assertThat(ran.get()).as("tasks the handler queued on both shards").isEqualTo(2);
    }

    private static void chain(Shard here, int done, int calls, AtomicInteger completed) {
        if (done == calls) {
            return;
        }
        int target = (here.id() + 1) % SHARDS;
        here.submitTo(target, () -> Shard.current().id()).whenComplete((v, e) -> {
            completed.incrementAndGet();
            // Continue from the shard that just ran the call, so each round trip starts elsewhere.
            here.engine().shard(v).execute(() -> chain(Shard.current(), done + 1, calls, completed));
        });
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** Runs, then sends itself to the next shard until it has run {@code left} times. */
    private static final class Hop implements Runnable {
        private final Engine engine;
        private final AtomicInteger ran;
        private final int total;

        Hop(Engine engine, AtomicInteger ran, int total) {
            this.engine = engine;
            this.ran = ran;
            this.total = total;
        }

        @Override
        public void run() {
            if (ran.incrementAndGet() < total) {
                engine.shard((Shard.current().id() + 1) % SHARDS).execute(this);
            }
        }
    }
}
