package io.percore.net.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * Requests of one server on one shard: how many, by the protocol's {@link RequestKinds}, and how
 * long each took from the read burst that carried it to the flush that sent its reply (the
 * server-side latency a client sees, less the network). Written only by the shard's thread with
 * plain reads and release stores, so recording takes no CAS, no lock and no allocation; readable
 * from any thread (Micrometer reads it when scraped).
 *
 * <p>Latencies go into fixed buckets ({@link #BUCKET_BOUNDS_NANOS}) rather than a Micrometer
 * {@code Timer}: the Timer's record (adders, a time-window max that reads the wall clock, a
 * histogram of atomics) costs several times this per request, which the one-CPU RESP benchmark
 * shows (benchmarks/results/early.md, "Request metrics and utilization").
 */
public final class ShardRequestMetrics {

    /** Upper bounds of the latency buckets, in nanoseconds; one more bucket holds everything above. */
    static final long[] BUCKET_BOUNDS_NANOS = {
            10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
            100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000L, 5_000_000_000L, 10_000_000_000L};

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int COUNT = BUCKET_BOUNDS_NANOS.length + 1;
    private static final int SUM = COUNT + 1;

    private final RequestKinds kinds;
    private final int outcomes;
    /** counts[kind * outcomes + outcome] */
    private final long[] counts;
    /** Per-bucket counts (not cumulative), then the total count and the sum of nanoseconds. */
    private final long[] latency = new long[SUM + 1];

    /** A server makes one per shard ({@link ShardServerMetrics#requests()}); {@code kinds} null when the protocol counts nothing. */
    public ShardRequestMetrics(RequestKinds kinds) {
        this.kinds = kinds;
        this.outcomes = kinds == null ? 0 : kinds.outcomes().size();
        this.counts = new long[kinds == null ? 0 : kinds.kinds().size() * outcomes];
    }

    /** The labels the protocol counts its requests with, or null when it does not count them. */
    public RequestKinds kinds() {
        return kinds;
    }

    /** Counts one request of {@code kind} that ended with {@code outcome} (indexes into {@link #kinds()}). Shard thread only. */
    public void count(int kind, int outcome) {
        add(counts, kind * outcomes + outcome, 1);
    }

    /**
     * Records {@code requests} requests that each took {@code nanos}. Shard thread only. An
     * {@link OrderedResponder} calls it for every reply it flushes; a protocol that writes its
     * replies itself calls it when a reply leaves.
     */
    public void recordLatency(long nanos, long requests) {
        if (nanos < 0) {
            nanos = 0;
        }
        int b = 0;
        while (b < BUCKET_BOUNDS_NANOS.length && nanos > BUCKET_BOUNDS_NANOS[b]) {
            b++;
        }
        add(latency, b, requests);
        add(latency, COUNT, requests);
        add(latency, SUM, nanos * requests);
    }

    private static void add(long[] array, int i, long delta) {
        LONGS.setRelease(array, i, (long) LONGS.getOpaque(array, i) + delta);
    }

    private static long read(long[] array, int i) {
        return (long) LONGS.getAcquire(array, i);
    }

    /** Requests of {@code kind} that ended with {@code outcome}, since start. */
    public long requests(int kind, int outcome) {
        return read(counts, kind * outcomes + outcome);
    }

    /** Requests whose latency was recorded (every reply an {@link OrderedResponder} wrote), since start. */
    public long latencyCount() {
        return read(latency, COUNT);
    }

    /** Sum of the recorded latencies. */
    public double latencyTotal(TimeUnit unit) {
        return (double) read(latency, SUM) / unit.toNanos(1);
    }

    /** Number of latency buckets, the last one unbounded. */
    public static int latencyBuckets() {
        return COUNT;
    }

    /** Upper bound of bucket {@code i} in seconds; {@link Double#POSITIVE_INFINITY} for the last. */
    public static double latencyBucketBoundSeconds(int i) {
        return i < BUCKET_BOUNDS_NANOS.length ? BUCKET_BOUNDS_NANOS[i] / 1e9 : Double.POSITIVE_INFINITY;
    }

    /** Requests that took at most bucket {@code i}'s bound (cumulative, as a Prometheus histogram's {@code le}). */
    public long latencyAtMost(int i) {
        long sum = 0;
        for (int b = 0; b <= i; b++) {
            sum += read(latency, b);
        }
        return sum;
    }
}
