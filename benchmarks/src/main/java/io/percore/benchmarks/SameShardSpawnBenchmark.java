package io.percore.benchmarks;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Spawning a task on the loop you are running on and running it: {@code Shard.execute} from
 * inside the shard against Netty's {@code EventLoop.execute} from inside the loop. Each
 * invocation spawns {@value #TASKS} tasks (the same Runnable, so neither side allocates a task
 * object) from one task and waits until the last has run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class SameShardSpawnBenchmark {

    // Large for the same reason as CrossShardRoundTripBenchmark.ROUND_TRIPS: the JMH thread must sleep
    // while a pinned shard runs the batch, not preempt it hundreds of times a second.
    static final int TASKS = 100_000;

    @State(Scope.Benchmark)
    public static class PercoreState {
        Engine engine;
        Spawner spawner;

        @Setup(Level.Trial)
        public void setUp() {
            engine = Systems.percore();
            Shard shard = engine.shard(0);
            spawner = new Spawner(shard, shard::execute);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }
    }

    @State(Scope.Benchmark)
    public static class NettyState {
        MultiThreadIoEventLoopGroup group;
        Spawner spawner;

        @Setup(Level.Trial)
        public void setUp() {
            group = new MultiThreadIoEventLoopGroup(1, Systems.nettyHandler());
            EventLoop loop = group.next();
            spawner = new Spawner(loop, loop);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    static final class Spawner implements Runnable {
        private final Executor entry;
        private final Executor local;
        private final Runnable unit = this::unit;
        private int remaining;
        private CompletableFuture<Void> done;

        Spawner(Shard shard, Executor local) {
            this.entry = shard::execute;
            this.local = local;
        }

        Spawner(EventLoop loop, Executor local) {
            this.entry = loop;
            this.local = local;
        }

        CompletableFuture<Void> start() {
            remaining = TASKS;
            done = new CompletableFuture<>();
            entry.execute(this);
            return done;
        }

        @Override
        public void run() {
            Executor l = local;
            Runnable u = unit;
            for (int i = 0; i < TASKS; i++) {
                l.execute(u);
            }
        }

        private void unit() {
            if (--remaining == 0) {
                done.complete(null);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void percoreExecute(PercoreState s) {
        s.spawner.start().join();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void nettyExecute(NettyState s) {
        s.spawner.start().join();
    }
}
