package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.config.EngineConfig;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
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
        Channel listener = bindOutsideEphemeralRange(stuck);
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
            // The listening socket of the stuck shard was closed before close() returned: the port
            // can be bound again at once, no retry. (Closing a listener releases its port
            // synchronously on every transport; a listener has no connections, so no TIME_WAIT.)
            assertThat(bindError(port)).as("port %d released by close()", port).isNull();
        } finally {
            release = true;
            shardThread.get().join(5000);
        }
        assertThat(shardThread.get().isAlive()).isFalse();
    }

    /**
     * Binds a listener on the stuck shard to a free port OUTSIDE the kernel's ephemeral range.
     * A port from bind(0) is ephemeral: once released, any process on this (shared, busy) host
     * may get it for an outgoing connection, whose ESTABLISHED or TIME_WAIT socket then blocks
     * our rebind for up to a minute, which is how this test used to fail under parallel builds.
     * Outside the range only an explicit bind can take it. An explicit port is also what servers
     * use, and the harder case: such a socket keeps its port until it is really closed.
     */
    private static Channel bindOutsideEphemeralRange(Shard shard) throws Exception {
        int[] range = ephemeralRange();
        int lo = 10_000;
        int hi = range[0] - 1;
        if (hi - lo < 1000) {
            lo = range[1] + 1;
            hi = 65_535;
        }
        Exception last = null;
        for (int attempt = 0; attempt < 50 && hi - lo >= 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(lo, hi + 1);
            try {
                return bind(shard, port);
            } catch (Exception e) {
                last = e; // in use by someone else: try another one
            }
        }
        if (last != null) {
            throw last;
        }
        return bind(shard, 0); // no room outside the range on this host: take the risk
    }

    private static Channel bind(Shard shard, int port) throws Exception {
        return new ServerBootstrap()
                .group(shard.ioEventLoop(), shard.ioEventLoop())
                .channel(shard.transport().serverChannelClass())
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    private static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999}; // Linux default
        }
    }

    /** Null if {@code port} can be bound on loopback right now, else why not (with who holds it). */
    private static String bindError(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return null;
        } catch (IOException e) {
            return e + "; sockets on that port: " + socketsOnPort(port);
        }
    }

    /** The kernel's table rows for local {@code port} (state 0A = LISTEN, 06 = TIME_WAIT), to tell who holds it. */
    private static List<String> socketsOnPort(int port) {
        String hex = String.format(":%04X ", port);
        List<String> rows = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(hex)) {
                        rows.add(line.trim());
                    }
                }
            } catch (IOException e) {
                rows.add(table + ": " + e);
            }
        }
        return rows;
    }
}
