package io.percore.net.client;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.net.discovery.EndpointDiscovery;
import io.percore.net.health.HealthCheck;
import io.percore.net.health.TcpConnectHealthCheck;
import io.percore.net.lb.KeyHash;
import io.percore.net.pool.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of one upstream service, usable from a handler on any shard: each shard has its own
 * pools, load balancer, health state and budgets ({@code ShardUpstream}), so a request never
 * leaves the calling shard and never takes a lock. Discovery updates are fanned out to every
 * shard.
 *
 * <pre>{@code
 * UpstreamClient<RedisCommand, RedisReply> redis = UpstreamClient.builder(engine, new RedisProtocol())
 *         .options(UpstreamOptions.builder("cache").loadBalancing(LoadBalancing.CONSISTENT_HASH).build())
 *         .discovery(StaticDiscovery.of("10.0.0.1:6379", "10.0.0.2:6379"))
 *         .healthCheck(new RedisPingHealthCheck())
 *         .build();
 * // in a handler, on a shard:
 * redis.send(RedisCommand.of("GET", key), key).whenComplete((reply, error) -> ...);
 * }</pre>
 */
public final class UpstreamClient<Req, Resp> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

    private final Engine engine;
    private volatile UpstreamOptions options;
    private final EndpointDiscovery discovery;
    /** Indexed by shard id; each element is touched only by its shard's thread. */
    private final List<ShardUpstream<Req, Resp>> shards;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UpstreamClient(Engine engine, UpstreamOptions options, EndpointDiscovery discovery,
                           List<ShardUpstream<Req, Resp>> shards) {
        this.engine = engine;
        this.options = options;
        this.discovery = discovery;
        this.shards = shards;
    }

    public static <Req, Resp> Builder<Req, Resp> builder(Engine engine, ClientProtocol<Req, Resp> protocol) {
        return new Builder<>(engine, protocol);
    }

    /** Sends {@code request} through the calling shard's pools. Must be called on a shard thread. */
    public ShardFuture<Resp> send(Req request) {
        return local().send(request, 0L);
    }

    /** Sends {@code request}; with consistent hashing, {@code key} chooses the endpoint. */
    public ShardFuture<Resp> send(Req request, CharSequence key) {
        return local().send(request, KeyHash.of(key));
    }

    /** Sends {@code request} with a precomputed {@link KeyHash}. */
    public ShardFuture<Resp> send(Req request, long keyHash) {
        return local().send(request, keyHash);
    }

    private ShardUpstream<Req, Resp> local() {
        Shard shard = Shard.current();
        if (shard.engine() != engine) {
            throw new IllegalStateException("UpstreamClient '" + options.name() + "' belongs to another engine than shard " + shard);
        }
        return shards.get(shard.id());
    }

    public UpstreamOptions options() {
        return options;
    }

    /** Counters of shard {@code shard} for this upstream; readable from any thread. */
    public UpstreamShardMetrics metrics(int shard) {
        return shards.get(shard).metrics;
    }

    public List<UpstreamShardMetrics> metrics() {
        List<UpstreamShardMetrics> list = new ArrayList<>(shards.size());
        for (ShardUpstream<Req, Resp> s : shards) {
            list.add(s.metrics);
        }
        return list;
    }

    /** The endpoints shard {@code shard} currently knows (from its metrics; any thread). */
    public List<Endpoint> endpoints(int shard) {
        List<Endpoint> list = new ArrayList<>(shards.get(shard).metrics.endpoints.keySet());
        list.sort(null);
        return list;
    }

    /**
     * New pool sizes (live configuration): the shard-wide {@code max-connections} and each pool's,
     * and {@code max-pending-acquisitions}, taken by every shard on its own thread. A raised limit
     * opens connections for acquisitions waiting now; a lowered one closes idle connections above it
     * now and lent ones as they come back. Callable from any thread; completes once every shard has them.
     */
    public CompletableFuture<Void> resizePools(int maxConnections, int maxPendingAcquisitions) {
        UpstreamOptions next = options.withPoolSizes(maxConnections, maxPendingAcquisitions); // the rules first, from the caller's thread
        options = next;
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (ShardUpstream<Req, Resp> s : shards) {
            applied.add(engine.submitTo(s.metrics.shardId(), () -> {
                s.resizePools(maxConnections, maxPendingAcquisitions);
                return null;
            }));
        }
        return CompletableFuture.allOf(applied.toArray(new CompletableFuture<?>[0]));
    }

    /** Stops discovery and health checks and closes every shard's pools. Callable from any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        discovery.close();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (ShardUpstream<Req, Resp> s : shards) {
            int id = s.metrics.shardId();
            done.add(engine.submitTo(id, () -> {
                s.close();
                return null;
            }));
        }
        if (Shard.currentOrNull() == null) {
            try {
                CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Upstream '{}' did not close cleanly on every shard", options.name(), e);
            }
        }
    }

    private CompletableFuture<Void> publish(List<Endpoint> endpoints) {
        List<Endpoint> copy = List.copyOf(endpoints);
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (ShardUpstream<Req, Resp> s : shards) {
            applied.add(engine.submitTo(s.metrics.shardId(), () -> {
                s.setEndpoints(copy);
                return null;
            }));
        }
        return CompletableFuture.allOf(applied.toArray(new CompletableFuture<?>[0]));
    }

    public static final class Builder<Req, Resp> {
        private final Engine engine;
        private final ClientProtocol<Req, Resp> protocol;
        private UpstreamOptions options;
        private EndpointDiscovery discovery;
        private HealthCheck healthCheck = new TcpConnectHealthCheck();

        private Builder(Engine engine, ClientProtocol<Req, Resp> protocol) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.protocol = Objects.requireNonNull(protocol, "protocol");
        }

        public Builder<Req, Resp> options(UpstreamOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder<Req, Resp> discovery(EndpointDiscovery discovery) {
            this.discovery = Objects.requireNonNull(discovery, "discovery");
            return this;
        }

        /** The active probe (default: TCP connect). Disable probing with {@code HealthCheckOptions.disabled()}. */
        public Builder<Req, Resp> healthCheck(HealthCheck healthCheck) {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /**
         * Creates every shard's state, starts discovery and waits (at most discovery-timeout) until
         * every shard has the first endpoint set. Call it off the shard threads.
         */
        public UpstreamClient<Req, Resp> build() {
            if (options == null) {
                throw new IllegalStateException("UpstreamClient needs options(UpstreamOptions)");
            }
            if (discovery == null) {
                throw new IllegalStateException("UpstreamClient '" + options.name() + "' needs a discovery (e.g. StaticDiscovery.of(\"host:port\"))");
            }
            if (Shard.currentOrNull() != null) {
                throw new IllegalStateException("UpstreamClient.build() waits for every shard; call it off the shard threads");
            }
            List<CompletableFuture<ShardUpstream<Req, Resp>>> created = new ArrayList<>();
            for (int i = 0; i < engine.shardCount(); i++) {
                int id = i;
                created.add(engine.submitTo(id, () -> new ShardUpstream<>(engine.shard(id), options, protocol, healthCheck)));
            }
            List<ShardUpstream<Req, Resp>> shards = new ArrayList<>();
            try {
                for (CompletableFuture<ShardUpstream<Req, Resp>> f : created) {
                    shards.add(f.get(30, TimeUnit.SECONDS));
                }
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create upstream '" + options.name() + "' on every shard", e);
            }
            UpstreamClient<Req, Resp> client = new UpstreamClient<>(engine, options, discovery, List.copyOf(shards));
            CompletableFuture<Void> first = new CompletableFuture<>();
            AtomicBoolean firstSeen = new AtomicBoolean();
            discovery.start(endpoints -> {
                CompletableFuture<Void> applied = client.publish(endpoints);
                if (firstSeen.compareAndSet(false, true)) {
                    applied.whenComplete((v, e) -> first.complete(null));
                }
            });
            try {
                first.get(options.discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("Upstream '{}': discovery {} found no endpoints within {}; requests fail until it does",
                        options.name(), discovery, options.discoveryTimeout());
            } catch (Exception e) {
                client.close();
                throw new IllegalStateException("Discovery of upstream '" + options.name() + "' failed", e);
            }
            return client;
        }
    }
}
