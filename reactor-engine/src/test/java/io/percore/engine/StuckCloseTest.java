package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.config.EngineConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StuckCloseTest {

    private static volatile boolean release;

    @ParameterizedTest
    @EnumSource(value = EngineConfig.Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void closeReturnsInTimeAbandonsAStuckShardAndReleasesItsSockets(EngineConfig.Transport transport) throws Exception {
        EngineConfig c = TestEngines.config();
        c.setTransport(transport);
        release = false;
        Engine engine = TestEngines.start(c, 2);
        Shard stuck = engine.shard(1);
        Channel listener = new ServerBootstrap()
                .group(stuck.ioEventLoop(), stuck.ioEventLoop())
                .channel(stuck.transport().serverChannelClass())
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        CountDownLatch entered = new CountDownLatch(1);
        AtomicReference<Thread> shardThread = new AtomicReference<>();
        stuck.execute(() -> {
            shardThread.set(Thread.currentThread());
            entered.countDown();
            // Never returns on its own, and ignores interrupts.
            while (!release) {
                Thread.onSpinWait();
            }
        });
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> queuedBehind = engine.submitTo(1, () -> 1);

        long start = System.nanoTime();
        engine.close(Duration.ofMillis(500));
        long took = System.nanoTime() - start;

        try {
            assertThat(took).as("close duration").isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(shardThread.get().isAlive()).as("stuck thread abandoned, not killed").isTrue();
            assertThat(shardThread.get().isDaemon()).isTrue();
            assertThat(engine.isTerminated()).isFalse();
            assertThat(queuedBehind).isCompletedExceptionally();
            // The listening socket of the stuck shard was closed: the port can be bound again.
            assertThat(rebindable(port)).as("port %d released", port).isTrue();
        } finally {
            release = true;
            shardThread.get().join(5000);
        }
        assertThat(shardThread.get().isAlive()).isFalse();
    }

    private static boolean rebindable(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return true;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(20);
            }
        }
    }
}
