package io.percore.benchmarks.metrics;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ShardRequestMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What recording one request costs the shard that serves it (issue 15): net-pooling's
 * {@link ShardRequestMetrics} (a count by kind and outcome, a latency into fixed buckets, plain
 * stores) against the Micrometer way, a {@code Counter} increment and a {@code Timer} record on
 * a Prometheus registry, with and without the percentile histogram the dashboard's p99 needs.
 * One thread, as on a shard. Score: nanoseconds per request recorded.
 *
 * <pre>java -jar benchmarks/target/percore-benchmarks.jar RequestMetricsBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RequestMetricsBenchmark {

    private ShardRequestMetrics shardMetrics;
    private io.micrometer.core.instrument.Counter counter;
    private Timer timer;
    private Timer timerWithHistogram;
    /** Latencies that vary as real ones do, so no branch is predicted perfectly. */
    private final long[] latencies = new long[1024];
    private int next;

    @Setup
    public void setUp() {
        RequestKinds kinds = RequestKinds.of("family", List.of("string", "generic", "server"), "outcome", List.of("ok", "error"));
        shardMetrics = new ShardRequestMetrics(kinds);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        counter = registry.counter("requests", "family", "string", "outcome", "ok");
        timer = Timer.builder("latency").register(registry);
        timerWithHistogram = Timer.builder("latency.histogram").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = (long) (20_000 * Math.exp(random.nextGaussian()));
        }
    }

    private long latency() {
        return latencies[next++ & (latencies.length - 1)];
    }

    @Benchmark
    public void shardRequestMetrics() {
        shardMetrics.count(0, 0);
        shardMetrics.recordLatency(latency(), 1);
    }

    @Benchmark
    public void micrometerCounterAndTimer() {
        counter.increment();
        timer.record(latency(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void micrometerCounterAndTimerWithHistogram() {
        counter.increment();
        timerWithHistogram.record(latency(), TimeUnit.NANOSECONDS);
    }
}
