package io.percore.net.discovery;

import io.percore.net.pool.Endpoint;
import io.percore.net.pool.HostAndPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host names resolved again every refresh interval; every address of every name is an endpoint.
 * Resolution blocks, so it runs on one daemon thread of its own, never on a shard. A failed
 * resolution keeps the last known addresses of that name (a DNS hiccup must not empty the pool).
 */
public final class DnsDiscovery implements EndpointDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

    /** Resolves one host name to all of its addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<HostAndPort> names;
    private final Duration refreshInterval;
    private final Resolver resolver;
    private final java.util.Map<HostAndPort, List<Endpoint>> lastKnown = new java.util.HashMap<>();
    private ScheduledExecutorService executor;
    private List<Endpoint> lastPublished;

    public DnsDiscovery(List<HostAndPort> names, Duration refreshInterval, Resolver resolver) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("DNS discovery needs at least one host:port in endpoints");
        }
        if (refreshInterval == null || refreshInterval.isZero() || refreshInterval.isNegative()) {
            throw new IllegalArgumentException("discovery.dns-refresh-interval must be positive, got " + refreshInterval);
        }
        this.names = List.copyOf(names);
        this.refreshInterval = refreshInterval;
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    public DnsDiscovery(List<HostAndPort> names, Duration refreshInterval) {
        this(names, refreshInterval, InetAddress::getAllByName);
    }

    @Override
    public synchronized void start(Consumer<List<Endpoint>> listener) {
        if (executor != null) {
            throw new IllegalStateException("DNS discovery already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "percore-dns-discovery");
            t.setDaemon(true);
            return t;
        });
        // First resolution inline so the client starts with endpoints.
        refresh(listener);
        long period = refreshInterval.toNanos();
        executor.scheduleWithFixedDelay(() -> refresh(listener), period, period, TimeUnit.NANOSECONDS);
    }

    private synchronized void refresh(Consumer<List<Endpoint>> listener) {
        TreeSet<Endpoint> all = new TreeSet<>();
        for (HostAndPort name : names) {
            try {
                List<Endpoint> resolved = new ArrayList<>();
                for (InetAddress a : resolver.resolve(name.host())) {
                    resolved.add(Endpoint.of(name.host(), a, name.port()));
                }
                lastKnown.put(name, resolved);
            } catch (UnknownHostException | RuntimeException e) {
                LOG.warn("DNS discovery: cannot resolve '{}' ({}); keeping its last known addresses {}", name.host(),
                        e.getMessage(), lastKnown.getOrDefault(name, List.of()));
            }
            all.addAll(lastKnown.getOrDefault(name, List.of()));
        }
        List<Endpoint> current = List.copyOf(all);
        if (!current.equals(lastPublished)) {
            lastPublished = current;
            listener.accept(current);
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "dns" + names + " every " + refreshInterval;
    }
}
