package io.percore.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.percore.engine.Engine;
import io.percore.engine.FutureListener;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A round trip from one core to another and back: Percore's {@code submitTo} (completion
 * delivered on the caller's shard), two Netty event loops ping-ponging with {@code execute()},
 * and a ThreadPoolExecutor hand-off with CompletableFuture. Each invocation drives
 * {@value #ROUND_TRIPS} round trips with {@code window} of them outstanding at a time; the
 * driver lives on the first core, so the JMH thread only starts a batch and waits for it.
 *
 * <p>The batch is large on purpose: with pinned, busy-polling shards on a 2-CPU machine, every
 * time the JMH thread wakes up to start the next batch it takes a CPU from a shard. At 20,000 round
 * trips per batch that happened ~750 times a second and the figure became the OS scheduler's (4 M/s
 * in one run, 16 M/s in another); at 200,000 the JMH thread sleeps through ~99 % of the run and two
 * threads share two CPUs, which is what the benchmark means to measure.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class CrossShardRoundTripBenchmark {

    static final int ROUND_TRIPS = 200_000;
    static final Boolean PONG_VALUE = Boolean.TRUE;
    static final Callable<Object> PONG = () -> PONG_VALUE;
    static final Supplier<Object> PONG_SUPPLIER = () -> PONG_VALUE;

    @Param({"1", "64"})
    public int window;

    /**
     * The bookkeeping the three systems share: {@code window} round trips in flight, a new one
     * sent as each reply arrives, all of it on the home thread. Subclasses only send.
     */
    abstract static class WindowedDriver implements Runnable {
        private final Executor home;
        private int window;
        private int remaining;
        private int inflight;
        private CompletableFuture<Void> done;

        WindowedDriver(Executor home) {
            this.home = home;
        }

        /** Sends one ping whose reply ends in {@link #replied()} on the home thread. */
        abstract void sendOne();

        final CompletableFuture<Void> start(int roundTrips, int window) {
            this.remaining = roundTrips;
            this.window = window;
            this.done = new CompletableFuture<>();
            home.execute(this);
            return done;
        }

        @Override
        public final void run() {
            for (int i = Math.min(window, remaining); i > 0; i--) {
                send();
            }
        }

        private void send() {
            remaining--;
            inflight++;
            sendOne();
        }

        final void replied() {
            inflight--;
            if (remaining > 0) {
                send();
            } else if (inflight == 0) {
                done.complete(null);
            }
        }
    }

    // ------------------------------------------------------------ Percore

    @State(Scope.Benchmark)
    public static class PercoreState {
        Engine engine;
        PercoreDriver driver;

        @Setup(Level.Trial)
        public void setUp() {
            engine = Systems.percore();
            driver = new PercoreDriver(engine.shard(0), 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }
    }

    static final class PercoreDriver extends WindowedDriver implements FutureListener<Object> {
        private final Shard home;
        private final int target;

        PercoreDriver(Shard home, int target) {
            super(home::execute);
            this.home = home;
            this.target = target;
        }

        @Override
        void sendOne() {
            home.submitTo(target, PONG).onComplete(this);
        }

        @Override
        public void onComplete(ShardFuture<Object> reply) {
            replied();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void percoreSubmitTo(PercoreState s) {
        s.driver.start(ROUND_TRIPS, window).join();
    }

    // ------------------------------------------------------------ Netty

    @State(Scope.Benchmark)
    public static class NettyState {
        MultiThreadIoEventLoopGroup group;
        NettyDriver driver;

        @Setup(Level.Trial)
        public void setUp() {
            group = new MultiThreadIoEventLoopGroup(2, Systems.nettyHandler());
            EventLoop a = group.next();
            EventLoop b = group.next();
            driver = new NettyDriver(a, b);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    static final class NettyDriver extends WindowedDriver {
        private final EventLoop peer;
        private final Runnable pong;

        NettyDriver(EventLoop home, EventLoop peer) {
            super(home);
            this.peer = peer;
            Runnable reply = this::replied;
            this.pong = () -> home.execute(reply);
        }

        @Override
        void sendOne() {
            peer.execute(pong);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void nettyExecutePingPong(NettyState s) {
        s.driver.start(ROUND_TRIPS, window).join();
    }

    // ------------------------------------------------------------ ThreadPoolExecutor + CompletableFuture

    @State(Scope.Benchmark)
    public static class ExecutorState {
        ThreadPoolExecutor a;
        ThreadPoolExecutor b;
        ExecutorDriver driver;

        @Setup(Level.Trial)
        public void setUp() {
            a = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            b = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            driver = new ExecutorDriver(a, b);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            a.shutdownNow();
            b.shutdownNow();
        }
    }

    static final class ExecutorDriver extends WindowedDriver {
        private final ThreadPoolExecutor home;
        private final ThreadPoolExecutor peer;
        private final Runnable reply = this::replied;

        ExecutorDriver(ThreadPoolExecutor home, ThreadPoolExecutor peer) {
            super(home);
            this.home = home;
            this.peer = peer;
        }

        @Override
        void sendOne() {
            CompletableFuture.supplyAsync(PONG_SUPPLIER, peer).thenRunAsync(reply, home);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void executorCompletableFuture(ExecutorState s) {
        s.driver.start(ROUND_TRIPS, window).join();
    }
}
