package io.percore.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Latency of one outstanding round trip. JMH samples the time of each invocation (a batch of
 * {@value #BATCH} sequential round trips driven on the first core) and divides by the batch,
 * so the percentiles are of the per-round-trip time averaged over a batch.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CrossShardLatencyBenchmark {

    static final int BATCH = 100;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void percoreSubmitTo(CrossShardRoundTripBenchmark.PercoreState s) {
        s.driver.start(BATCH, 1).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nettyExecutePingPong(CrossShardRoundTripBenchmark.NettyState s) {
        s.driver.start(BATCH, 1).join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void executorCompletableFuture(CrossShardRoundTripBenchmark.ExecutorState s) {
        s.driver.start(BATCH, 1).join();
    }
}
