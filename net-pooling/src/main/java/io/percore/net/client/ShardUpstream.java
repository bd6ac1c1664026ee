package io.percore.net.client;

import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import io.percore.net.health.HealthCheck;
import io.percore.net.health.OutlierDetector;
import io.percore.net.health.RetryBudget;
import io.percore.net.lb.LoadBalancer;
import io.percore.net.pool.ConnectionBudget;
import io.percore.net.pool.ConnectionPool;
import io.percore.net.pool.PoolOptions;
import io.percore.net.pool.Endpoint;
import io.percore.net.pool.PoolExhaustedException;
import io.percore.net.pool.PooledConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream as one shard sees it: its own pools, balancer, health and budgets. Only its shard's
 * thread touches it, so nothing here is shared or locked.
 */
final class ShardUpstream<Req, Resp> {

    private static final Logger LOG = LoggerFactory.getLogger(ShardUpstream.class);

    private final Shard shard;
    private final UpstreamOptions options;
    /** The limits new pools get: the options' until {@link #resizePools} (live configuration). */
    private PoolOptions pool;
    private final ClientProtocol<Req, Resp> protocol;
    private final HealthCheck healthCheck;
    private final LoadBalancer balancer;
    private final OutlierDetector outliers;
    private final RetryBudget retryBudget;
    private final ConnectionBudget connectionBudget;
    final UpstreamShardMetrics metrics;
    private final Map<Endpoint, EndpointState> byEndpoint = new HashMap<>();
    /** Sorted by endpoint id, so every shard sees the same order (consistent hashing relies on it). */
    private List<EndpointState> endpoints = List.of();
    private Cancellable healthTimer;
    private boolean closed;

    ShardUpstream(Shard shard, UpstreamOptions options, ClientProtocol<Req, Resp> protocol, HealthCheck healthCheck) {
        this.shard = shard;
        this.options = options;
        this.pool = options.pool();
        this.protocol = protocol;
        this.healthCheck = healthCheck;
        this.balancer = options.loadBalancing().newBalancer(0x5EED0000L + shard.id());
        this.outliers = new OutlierDetector(options.outlierEjection());
        this.retryBudget = new RetryBudget(options.retryBudgetRatio(), options.minRetriesPerSecond(), System::nanoTime);
        this.connectionBudget = new ConnectionBudget(options.maxConnections());
        this.metrics = new UpstreamShardMetrics(shard.id());
        if (healthCheck != null && options.healthCheck().enabled()) {
            healthTimer = shard.scheduleAtFixedRate(options.healthCheck().interval(), options.healthCheck().interval(), this::probeAll);
        }
    }

    // ------------------------------------------------------------------ endpoints

    void setEndpoints(Collection<Endpoint> discovered) {
        if (closed) {
            return;
        }
        TreeSet<Endpoint> wanted = new TreeSet<>(discovered);
        boolean changed = false;
        for (Endpoint e : new ArrayList<>(byEndpoint.keySet())) {
            if (!wanted.contains(e)) {
                EndpointState gone = byEndpoint.remove(e);
                gone.pool.close();
                metrics.endpoints.remove(e);
                changed = true;
            }
        }
        for (Endpoint e : wanted) {
            if (!byEndpoint.containsKey(e)) {
                ConnectionPool pool = new ConnectionPool(shard, e, this.pool, ch -> {
                    protocol.initChannel(ch);
                    ch.pipeline().addLast("percore-response", new ResponseDispatcher<>(protocol, shard, e));
                }, connectionBudget);
                EndpointState s = new EndpointState(e, pool);
                byEndpoint.put(e, s);
                metrics.endpoints.put(e, s.metrics);
                changed = true;
            }
        }
        if (changed) {
            List<EndpointState> sorted = new ArrayList<>(byEndpoint.size());
            for (Endpoint e : wanted) {
                sorted.add(byEndpoint.get(e));
            }
            endpoints = List.copyOf(sorted);
            balancer.endpointsChanged(endpoints);
            LOG.debug("Upstream '{}' on shard {}: endpoints {}", options.name(), shard.id(), wanted);
        }
    }

    /** New pool sizes (live configuration), on this shard: the shard's budget, every pool, and the pools made later. */
    void resizePools(int maxConnections, int maxPendingAcquisitions) {
        pool = pool.toBuilder().maxConnections(maxConnections).maxPendingAcquisitions(maxPendingAcquisitions).build();
        connectionBudget.resize(maxConnections);
        for (EndpointState s : byEndpoint.values()) {
            s.pool.resize(maxConnections, maxPendingAcquisitions);
        }
    }

    List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>(endpoints.size());
        for (EndpointState s : endpoints) {
            list.add(s.endpoint);
        }
        return list;
    }

    // ------------------------------------------------------------------ requests

    ShardFuture<Resp> send(Req request, long keyHash) {
        ShardPromise<Resp> result = new ShardPromise<>(shard);
        metrics.requests.increment();
        retryBudget.onRequest();
        attempt(request, keyHash, result, 0, null, null);
        return result;
    }

    private void attempt(Req request, long keyHash, ShardPromise<Resp> result, int attempt, EndpointState previous,
                         Throwable lastFailure) {
        EndpointState ep = closed ? null : balancer.pick(endpoints, keyHash, previous);
        if (ep == null && previous != null && previous.isAvailable()) {
            // The only endpoint left is the one that just failed: try it again rather than give up.
            ep = previous;
        }
        if (ep == null) {
            metrics.noHealthyEndpoint.increment();
            metrics.failures.increment();
            result.fail(new NoHealthyEndpointException(describeNoEndpoint(), lastFailure));
            return;
        }
        EndpointState chosen = ep;
        chosen.metrics.picks.increment();
        chosen.outstanding++;
        chosen.metrics.outstanding.set(chosen.outstanding);
        long start = System.nanoTime();
        chosen.pool.acquire().whenComplete((conn, acquireError) -> {
            if (acquireError != null) {
                // Nothing was sent: always safe to retry elsewhere.
                boolean endpointFault = !(acquireError instanceof PoolExhaustedException);
                finish(request, keyHash, result, attempt, chosen, start, null, acquireError, endpointFault, true);
                return;
            }
            exchange(request, keyHash, result, attempt, chosen, start, conn);
        });
    }

    @SuppressWarnings("unchecked")
    private void exchange(Req request, long keyHash, ShardPromise<Resp> result, int attempt, EndpointState chosen,
                          long start, PooledConnection conn) {
        ResponseDispatcher<Resp> dispatcher = (ResponseDispatcher<Resp>) conn.channel().pipeline().get("percore-response");
        ShardPromise<Resp> response = new ShardPromise<>(shard);
        dispatcher.send(conn.channel(), request, response, options.requestTimeout());
        response.whenComplete((resp, error) -> {
            if (error == null) {
                conn.release();
            } else {
                conn.discard();
            }
            finish(request, keyHash, result, attempt, chosen, start, resp, error, true, protocol.isIdempotent(request));
        });
    }

    private void finish(Req request, long keyHash, ShardPromise<Resp> result, int attempt, EndpointState chosen,
                        long start, Resp response, Throwable error, boolean endpointFault, boolean retryable) {
        long now = System.nanoTime();
        chosen.outstanding--;
        chosen.metrics.outstanding.set(chosen.outstanding);
        if (error == null) {
            chosen.latency.observe(now - start, now);
            outliers.onSuccess(chosen);
            result.complete(response);
            return;
        }
        chosen.metrics.failures.increment();
        if (endpointFault && byEndpoint.get(chosen.endpoint) == chosen && outliers.onFailure(chosen, endpoints, now)) {
            chosen.metrics.ejections.increment();
            chosen.metrics.available.set(0);
            LOG.warn("Upstream '{}' on shard {}: ejected {} for {} after consecutive failures (last: {})", options.name(),
                    shard.id(), chosen.endpoint, options.outlierEjection().baseEjectionTime().multipliedBy(chosen.ejections()),
                    error.toString());
        }
        if (retryable && attempt < options.maxRetries() && !closed) {
            if (retryBudget.tryRetry()) {
                metrics.retries.increment();
                attempt(request, keyHash, result, attempt + 1, chosen, error);
                return;
            }
            metrics.retriesDenied.increment();
        }
        metrics.failures.increment();
        result.fail(error);
    }

    private String describeNoEndpoint() {
        if (endpoints.isEmpty()) {
            return "Upstream '" + options.name() + "' has no endpoints on shard " + shard.id()
                    + (closed ? " (client closed)" : " (discovery has found none)");
        }
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder("No healthy endpoint for upstream '").append(options.name())
                .append("' on shard ").append(shard.id()).append(": ");
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointState s = endpoints.get(i);
            sb.append(i == 0 ? "" : ", ").append(s.endpoint).append(' ').append(s.describe(now));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ active health

    private void probeAll() {
        for (EndpointState s : endpoints) {
            if (s.probing) {
                continue;
            }
            s.probing = true;
            ShardFuture<Void> probe;
            try {
                probe = shard.timeout(healthCheck.probe(shard, s.endpoint, options.healthCheck().timeout()),
                        options.healthCheck().timeout());
            } catch (RuntimeException e) {
                probe = ShardFuture.failed(e);
            }
            probe.whenComplete((v, e) -> {
                s.probing = false;
                if (byEndpoint.get(s.endpoint) != s) {
                    return;
                }
                boolean wasHealthy = s.isActiveHealthy();
                if (s.recordProbe(e == null, options.healthCheck())) {
                    LOG.info("Upstream '{}' on shard {}: {} is now {}{}", options.name(), shard.id(), s.endpoint,
                            wasHealthy ? "unhealthy" : "healthy", e == null ? "" : " (" + e.getMessage() + ")");
                }
                s.isAvailable();
            });
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (healthTimer != null) {
            healthTimer.cancel();
        }
        for (EndpointState s : endpoints) {
            s.pool.close();
        }
    }
}
