package io.percore.spring.boot.autoconfigure.net;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.net.client.EndpointMetrics;
import io.percore.net.client.UpstreamClient;
import io.percore.net.client.UpstreamShardMetrics;
import io.percore.net.pool.Endpoint;
import io.percore.net.pool.PoolMetrics;
import io.percore.spring.boot.autoconfigure.metrics.PercoreMeterNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters of every client the {@link UpstreamClientRegistry} builds: per shard (tags
 * {@code upstream}, {@code shard}) requests, failures, retries; per shard and endpoint (plus
 * {@code endpoint}, its {@code ip:port}) load-balancer picks, failures, ejections, availability
 * and the connection pool (active/idle/pending, acquire latency as a function timer).
 *
 * <p>Client meters are bound when the client is built and removed when it closes. Endpoints come
 * and go with discovery, which tells nobody but the shards, so the endpoint meters are
 * reconciled with what every shard knows when a client is built and then every
 * {@code refreshInterval}, on one daemon thread (never on a shard).
 */
public final class UpstreamClientMeters implements MeterBinder, RegistrationListener<UpstreamClient<?, ?>>, AutoCloseable {

    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClientMeters.class);

    /** The metrics object is part of the key: an endpoint that left and came back has new counters. */
    private record EndpointKey(String upstream, int shard, String endpoint, EndpointMetrics metrics) {
    }

    private final UpstreamClientRegistry clients;
    private final Duration refreshInterval;
    private final Map<String, UpstreamClient<?, ?>> known = new ConcurrentHashMap<>();
    private final RuntimeMeters<String> clientMeters = new RuntimeMeters<>();
    private final RuntimeMeters<EndpointKey> endpointMeters = new RuntimeMeters<>();
    private ScheduledExecutorService refresher;

    public UpstreamClientMeters(UpstreamClientRegistry clients, Duration refreshInterval) {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive, got " + refreshInterval);
        }
        this.clients = clients;
        this.refreshInterval = refreshInterval;
        clients.addListener(this);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        clientMeters.bindTo(registry);
        endpointMeters.bindTo(registry);
    }

    @Override
    public void started(String name, UpstreamClient<?, ?> client) {
        known.put(name, client);
        clientMeters.add(name, registry -> bindClient(registry, name, client));
        refreshEndpoints();
        startRefresher();
    }

    @Override
    public void closed(String name, UpstreamClient<?, ?> client) {
        known.remove(name, client);
        clientMeters.remove(name);
        refreshEndpoints();
    }

    /** Binds meters for endpoints discovery added and removes those of endpoints it removed. */
    public synchronized void refreshEndpoints() {
        Set<EndpointKey> wanted = new HashSet<>();
        known.forEach((name, client) -> {
            for (UpstreamShardMetrics shard : client.metrics()) {
                for (Map.Entry<Endpoint, EndpointMetrics> e : shard.endpoints().entrySet()) {
                    wanted.add(new EndpointKey(name, shard.shardId(), e.getKey().id(), e.getValue()));
                }
            }
        });
        for (EndpointKey key : endpointMeters.keys()) {
            if (!wanted.contains(key)) {
                endpointMeters.remove(key);
            }
        }
        Set<EndpointKey> bound = endpointMeters.keys();
        for (EndpointKey key : wanted) {
            if (!bound.contains(key)) {
                endpointMeters.add(key, registry -> bindEndpoint(registry, key));
            }
        }
    }

    private synchronized void startRefresher() {
        if (refresher != null) {
            return;
        }
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "percore-upstream-meters");
            t.setDaemon(true);
            return t;
        });
        long period = refreshInterval.toNanos();
        refresher.scheduleWithFixedDelay(() -> {
            try {
                refreshEndpoints();
            } catch (RuntimeException e) {
                LOG.warn("Refreshing the upstream endpoint meters failed", e);
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void close() {
        clients.removeListener(this);
        if (refresher != null) {
            refresher.shutdownNow();
        }
        known.clear();
        clientMeters.clear();
        endpointMeters.clear();
    }

    private static List<Meter> bindClient(MeterRegistry registry, String name, UpstreamClient<?, ?> client) {
        List<Meter> bound = new ArrayList<>();
        for (UpstreamShardMetrics m : client.metrics()) {
            Tags tags = Tags.of(PercoreMeterNames.UPSTREAM_TAG, name, PercoreMeterNames.SHARD_TAG, Integer.toString(m.shardId()));
            bound.add(counter(registry, PercoreMeterNames.UPSTREAM_REQUESTS, "Requests sent by callers (first attempts)",
                    m, UpstreamShardMetrics::requests, tags));
            bound.add(counter(registry, PercoreMeterNames.UPSTREAM_FAILURES, "Requests whose final outcome was a failure",
                    m, UpstreamShardMetrics::failures, tags));
            bound.add(counter(registry, PercoreMeterNames.UPSTREAM_RETRIES, "Attempts made again on another endpoint",
                    m, UpstreamShardMetrics::retries, tags));
            bound.add(counter(registry, PercoreMeterNames.UPSTREAM_RETRIES_DENIED, "Retries not made because the retry budget was spent",
                    m, UpstreamShardMetrics::retriesDenied, tags));
            bound.add(counter(registry, PercoreMeterNames.UPSTREAM_NO_HEALTHY_ENDPOINT, "Requests failed because no endpoint was available",
                    m, UpstreamShardMetrics::noHealthyEndpoint, tags));
            bound.add(Gauge.builder(PercoreMeterNames.UPSTREAM_ENDPOINTS, m, s -> s.endpoints().size())
                    .description("Endpoints the shard knows from discovery").tags(tags).strongReference(true).register(registry));
        }
        return bound;
    }

    private static List<Meter> bindEndpoint(MeterRegistry registry, EndpointKey key) {
        EndpointMetrics m = key.metrics();
        PoolMetrics pool = m.pool();
        Tags tags = Tags.of(PercoreMeterNames.UPSTREAM_TAG, key.upstream(), PercoreMeterNames.SHARD_TAG, Integer.toString(key.shard()),
                PercoreMeterNames.ENDPOINT_TAG, key.endpoint());
        List<Meter> bound = new ArrayList<>();
        bound.add(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS, "Times the load balancer chose the endpoint (retries included)",
                m, EndpointMetrics::picks, tags));
        bound.add(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_FAILURES, "Failed requests to the endpoint (connect errors, timeouts, lost connections)",
                m, EndpointMetrics::failures, tags));
        bound.add(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_EJECTIONS, "Times outlier ejection took the endpoint out of rotation",
                m, EndpointMetrics::ejections, tags));
        bound.add(gauge(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_AVAILABLE, "1 when the endpoint is healthy and not ejected, else 0",
                m, e -> e.available() ? 1 : 0, tags));
        bound.add(gauge(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_OUTSTANDING, "Requests sent to the endpoint and not yet answered",
                m, EndpointMetrics::outstandingRequests, tags));

        bound.add(gauge(registry, PercoreMeterNames.POOL_CONNECTIONS_ACTIVE, "Pooled connections lent out", pool, PoolMetrics::activeConnections, tags));
        bound.add(gauge(registry, PercoreMeterNames.POOL_CONNECTIONS_IDLE, "Pooled connections open and idle", pool, PoolMetrics::idleConnections, tags));
        bound.add(gauge(registry, PercoreMeterNames.POOL_CONNECTIONS_CONNECTING, "Pooled connections being opened",
                pool, PoolMetrics::connectingConnections, tags));
        bound.add(gauge(registry, PercoreMeterNames.POOL_ACQUISITIONS_PENDING, "Acquisitions waiting for a connection",
                pool, PoolMetrics::pendingAcquisitions, tags));
        bound.add(counter(registry, PercoreMeterNames.POOL_CONNECTIONS_CREATED, "Connections the pool opened", pool, PoolMetrics::connectionsCreated, tags));
        bound.add(counter(registry, PercoreMeterNames.POOL_CONNECTIONS_CLOSED, "Connections the pool closed", pool, PoolMetrics::connectionsClosed, tags));
        bound.add(counter(registry, PercoreMeterNames.POOL_CONNECT_FAILURES, "Connection attempts that failed", pool, PoolMetrics::connectFailures, tags));
        bound.add(counter(registry, PercoreMeterNames.POOL_ACQUIRE_REJECTED, "Acquisitions failed at once (max-pending-acquisitions reached)",
                pool, PoolMetrics::acquireRejected, tags));
        bound.add(counter(registry, PercoreMeterNames.POOL_ACQUIRE_TIMEOUTS, "Acquisitions that timed out", pool, PoolMetrics::acquireTimeouts, tags));
        bound.add(FunctionTimer.builder(PercoreMeterNames.POOL_ACQUIRE, pool, PoolMetrics::acquireCount,
                        PoolMetrics::acquireTimeTotalNanos, TimeUnit.NANOSECONDS)
                .description("Wait for a pooled connection (successful acquisitions)").tags(tags).register(registry));
        bound.add(Gauge.builder(PercoreMeterNames.POOL_ACQUIRE_MAX, pool, p -> p.acquireTimeMaxNanos() / 1e9)
                .description("Longest wait in seconds for a pooled connection since the pool was created").tags(tags)
                .strongReference(true).register(registry));
        return bound;
    }

    private static <T> Meter counter(MeterRegistry registry, String name, String description, T obj, ToDoubleFunction<T> value, Tags tags) {
        return FunctionCounter.builder(name, obj, value).description(description).tags(tags).register(registry);
    }

    private static <T> Meter gauge(MeterRegistry registry, String name, String description, T obj, ToDoubleFunction<T> value, Tags tags) {
        return Gauge.builder(name, obj, value).description(description).tags(tags).strongReference(true).register(registry);
    }
}
