package io.percore.spring.boot.autoconfigure.net;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ShardRequestMetrics;
import io.percore.net.server.ShardServerMetrics;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.metrics.PercoreMeterNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * Per-shard meters of every server the {@link ShardedServerRegistry} starts (tags {@code server},
 * {@code shard}), bound when the server starts and removed when it closes. The meters read the
 * servers' own counters when scraped; the shards do no extra work.
 */
public final class ShardedServerMeters implements MeterBinder, RegistrationListener<ShardedServer>, AutoCloseable {

    private final ShardedServerRegistry servers;
    private final RuntimeMeters<String> meters = new RuntimeMeters<>();

    public ShardedServerMeters(ShardedServerRegistry servers) {
        this.servers = servers;
        servers.addListener(this);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.bindTo(registry);
    }

    @Override
    public void started(String name, ShardedServer server) {
        meters.add(name, registry -> bind(registry, name, server));
    }

    @Override
    public void closed(String name, ShardedServer server) {
        meters.remove(name);
    }

    /**
     * The meters of a server the registry does not start (the gRPC server on the shards), under
     * the same names with {@code server=name}; remove them with {@link #removeServer}.
     */
    public void addServer(String name, int shards, IntFunction<ShardServerMetrics> metrics, boolean tls) {
        meters.add(name, registry -> bind(registry, name, shards, metrics, tls));
    }

    public void removeServer(String name) {
        meters.remove(name);
    }

    @Override
    public void close() {
        servers.removeListener(this);
        meters.clear();
    }

    private static List<Meter> bind(MeterRegistry registry, String name, ShardedServer server) {
        return bind(registry, name, server.shardCount(), server::metrics, server.tlsPort() >= 0);
    }

    private static List<Meter> bind(MeterRegistry registry, String name, int shards, IntFunction<ShardServerMetrics> metrics, boolean tls) {
        List<Meter> bound = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            ShardServerMetrics m = metrics.apply(shard);
            Tags tags = Tags.of(PercoreMeterNames.SERVER_TAG, name, PercoreMeterNames.SHARD_TAG, Integer.toString(shard));
            bound.add(Gauge.builder(PercoreMeterNames.SERVER_CONNECTIONS_OPEN, m, ShardServerMetrics::connectionsOpen)
                    .description("Connections open on the shard").tags(tags)
                    .strongReference(true).register(registry));
            bound.add(counter(registry, PercoreMeterNames.SERVER_CONNECTIONS_ACCEPTED, "Connections accepted and handed to the handler",
                    m, ShardServerMetrics::connectionsAccepted, tags, null));
            bound.add(counter(registry, PercoreMeterNames.SERVER_CONNECTIONS_REJECTED,
                    "Connections closed right after accept (shard at max-connections-per-shard or max-handshakes-per-shard, or draining)",
                    m, ShardServerMetrics::connectionsRejected, tags, null));
            bound.add(counter(registry, PercoreMeterNames.SERVER_CONNECTIONS_IDLE_CLOSED, "Connections closed by the idle timeout",
                    m, ShardServerMetrics::connectionsIdleClosed, tags, null));
            bound.add(counter(registry, PercoreMeterNames.SERVER_REQUESTS_TOO_LARGE, "Connections closed because a request exceeded max-request-size",
                    m, ShardServerMetrics::requestsTooLarge, tags, null));
            bound.add(counter(registry, PercoreMeterNames.SERVER_RECEIVED, "Bytes read from the server's connections",
                    m, ShardServerMetrics::bytesIn, tags, BaseUnits.BYTES));
            bound.add(counter(registry, PercoreMeterNames.SERVER_SENT, "Bytes written to the server's connections",
                    m, ShardServerMetrics::bytesOut, tags, BaseUnits.BYTES));
            if (tls) {
                bound.add(counter(registry, PercoreMeterNames.SERVER_TLS_HANDSHAKES, "TLS handshakes completed",
                        m, ShardServerMetrics::tlsHandshakes, tags, null));
                bound.add(counter(registry, PercoreMeterNames.SERVER_TLS_HANDSHAKE_FAILURES,
                        "TLS handshakes that failed: plain text on the TLS port, a certificate refused, the handshake timeout, a peer gone",
                        m, ShardServerMetrics::tlsHandshakeFailures, tags, null));
            }
            bindRequests(registry, bound, m.requests(), tags);
        }
        return bound;
    }

    private static void bindRequests(MeterRegistry registry, List<Meter> bound, ShardRequestMetrics r, Tags tags) {
        RequestKinds kinds = r.kinds();
        if (kinds != null) {
            for (int k = 0; k < kinds.kinds().size(); k++) {
                for (int o = 0; o < kinds.outcomes().size(); o++) {
                    int kind = k;
                    int outcome = o;
                    bound.add(FunctionCounter.builder(PercoreMeterNames.SERVER_REQUESTS, r, x -> x.requests(kind, outcome))
                            .description("Requests answered, by the protocol's kind and outcome")
                            .tags(tags).tag(kinds.kindTag(), kinds.kinds().get(k)).tag(kinds.outcomeTag(), kinds.outcomes().get(o))
                            .register(registry));
                }
            }
        }
        bound.add(FunctionTimer.builder(PercoreMeterNames.SERVER_REQUEST_DURATION, r,
                        ShardRequestMetrics::latencyCount, x -> x.latencyTotal(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
                .description("Server-side latency of each reply: from the read burst that carried the request to the flush of its reply")
                .tags(tags).register(registry));
        for (int b = 0; b < ShardRequestMetrics.latencyBuckets(); b++) {
            int bucket = b;
            double le = ShardRequestMetrics.latencyBucketBoundSeconds(b);
            bound.add(FunctionCounter.builder(PercoreMeterNames.SERVER_REQUEST_DURATION_BUCKETS, r, x -> x.latencyAtMost(bucket))
                    .description("Replies whose server-side latency was at most le seconds (cumulative, for histogram_quantile)")
                    .tags(tags).tag(PercoreMeterNames.LE_TAG, Double.isInfinite(le) ? "+Inf" : java.math.BigDecimal.valueOf(le).stripTrailingZeros().toPlainString())
                    .register(registry));
        }
    }

    private static Meter counter(MeterRegistry registry, String name, String description, ShardServerMetrics m,
                                 ToDoubleFunction<ShardServerMetrics> value, Tags tags, String unit) {
        return FunctionCounter.builder(name, m, value).description(description).tags(tags).baseUnit(unit).register(registry);
    }
}
