package io.percore.net.lb;

/** What a {@link LoadBalancer} knows about an endpoint. Read on the picking shard only. */
public interface LbEndpoint {

    /** Stable name (the endpoint's {@code ip:port}); consistent hashing places it by this. */
    String id();

    /** Healthy and not ejected: may receive traffic. */
    boolean isAvailable();

    /** Requests sent to it from this shard and not yet answered. */
    int outstanding();

    /** Peak-EWMA latency estimate in nanoseconds (0 before the first response). */
    double latencyEstimateNanos(long nowNanos);
}
