package io.percore.net.client;

import io.percore.net.ShardCounter;
import io.percore.net.pool.Endpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One shard's view of an upstream. Counters readable from any thread. */
public final class UpstreamShardMetrics {

    private final int shardId;
    final ShardCounter requests = new ShardCounter();
    final ShardCounter failures = new ShardCounter();
    final ShardCounter retries = new ShardCounter();
    final ShardCounter retriesDenied = new ShardCounter();
    final ShardCounter noHealthyEndpoint = new ShardCounter();
    /** Replaced entries only when discovery changes the endpoint set (rare), hence a concurrent map. */
    final Map<Endpoint, EndpointMetrics> endpoints = new ConcurrentHashMap<>();

    UpstreamShardMetrics(int shardId) {
        this.shardId = shardId;
    }

    public int shardId() {
        return shardId;
    }

    /** Requests sent by callers (first attempts). */
    public long requests() {
        return requests.get();
    }

    /** Requests whose final outcome was a failure. */
    public long failures() {
        return failures.get();
    }

    public long retries() {
        return retries.get();
    }

    /** Retries not made because the retry budget was spent. */
    public long retriesDenied() {
        return retriesDenied.get();
    }

    /** Requests failed with {@link NoHealthyEndpointException}. */
    public long noHealthyEndpoint() {
        return noHealthyEndpoint.get();
    }

    /** Current endpoints and their counters. */
    public Map<Endpoint, EndpointMetrics> endpoints() {
        return java.util.Collections.unmodifiableMap(endpoints);
    }

    public EndpointMetrics endpoint(Endpoint e) {
        return endpoints.get(e);
    }

    @Override
    public String toString() {
        return "shard " + shardId + ": requests=" + requests + " failures=" + failures + " retries=" + retries
                + " retriesDenied=" + retriesDenied + " noHealthy=" + noHealthyEndpoint + " endpoints=" + endpoints.values();
    }
}
