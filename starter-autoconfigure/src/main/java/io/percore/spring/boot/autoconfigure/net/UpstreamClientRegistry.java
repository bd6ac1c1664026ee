package io.percore.spring.boot.autoconfigure.net;

import io.percore.config.ClientPoolConfig;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.net.client.ClientProtocol;
import io.percore.net.client.UpstreamClient;
import io.percore.net.client.UpstreamOptions;
import io.percore.net.discovery.EndpointDiscoveries;
import io.percore.net.health.HealthCheck;
import io.percore.net.health.TcpConnectHealthCheck;
import io.percore.spring.boot.autoconfigure.ManagedRegistry;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import io.percore.spring.boot.autoconfigure.live.PercoreLiveTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream clients configured under {@code percore.clients.<name>}: the application supplies
 * the wire protocol, the registry builds the client once (options from
 * {@link UpstreamOptions#from}, endpoints from {@link EndpointDiscoveries#from}), hands the same
 * client to every later caller, and closes it at {@link PercoreShutdownOrder#CLIENTS}: after the
 * servers' in-flight requests, which may still send through it, have drained, and before the
 * sharded services and the engine whose shards own its pools.
 *
 * <pre>{@code
 * @Bean
 * UpstreamClient<RedisCommand, RedisReply> cache(UpstreamClientRegistry clients) {
 *     return clients.client("cache", new RedisProtocol(), new RedisPingHealthCheck());  // percore.clients.cache.*
 * }
 * }</pre>
 */
public final class UpstreamClientRegistry extends ManagedRegistry<UpstreamClientRegistry.Entry> implements PercoreLiveTarget {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClientRegistry.class);

    private final Engine engine;
    /** Replaced by {@link #applyLive} (live configuration), whose pool sizes a client built later takes too. */
    private volatile Map<String, ClientPoolConfig> configs;
    private final RegistrationListeners<UpstreamClient<?, ?>> listeners = new RegistrationListeners<>("client");

    /** A built client and the protocol it was built with. */
    record Entry(UpstreamClient<?, ?> client, ClientProtocol<?, ?> protocol) {
    }

    public UpstreamClientRegistry(Engine engine, PercoreConfig config) {
        super("upstream clients", PercoreShutdownOrder.CLIENTS);
        this.engine = engine;
        this.configs = Map.copyOf(config.getClients());
    }

    /** Names configured under {@code percore.clients}. */
    public List<String> configuredNames() {
        List<String> names = new ArrayList<>(configs.keySet());
        Collections.sort(names);
        return names;
    }

    /**
     * The client of {@code percore.clients.<name>}, built on first use with a TCP-connect health
     * check. Call it off the shard threads (it waits for every shard and for the first endpoints).
     *
     * @throws IllegalArgumentException if {@code name} is not configured (the message lists the names that are),
     *                                  or its discovery settings are incomplete
     * @throws IllegalStateException    if the client was already built with a protocol of another class, or
     *                                  the clients are closed (the application is stopping)
     */
    public <Req, Resp> UpstreamClient<Req, Resp> client(String name, ClientProtocol<Req, Resp> protocol) {
        return client(name, protocol, new TcpConnectHealthCheck());
    }

    /** As {@link #client(String, ClientProtocol)}, with the active probe to use (e.g. {@code RedisPingHealthCheck}). */
    @SuppressWarnings("unchecked")
    public <Req, Resp> UpstreamClient<Req, Resp> client(String name, ClientProtocol<Req, Resp> protocol, HealthCheck healthCheck) {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(healthCheck, "healthCheck");
        ClientPoolConfig config = configs.get(name);
        if (config == null) {
            throw new IllegalArgumentException("No client '" + name + "' under percore.clients (configured: "
                    + (configs.isEmpty() ? "none" : String.join(", ", configuredNames())) + ")");
        }
        // Built under the registry's lock (waiting for discovery) so that a name is built once.
        return register(name, clients -> {
            Entry existing = clients.get(name);
            if (existing != null) {
                if (existing.protocol().getClass() != protocol.getClass()) {
                    throw new IllegalStateException("Client '" + name + "' was already built with protocol "
                            + existing.protocol().getClass().getName() + ", not " + protocol.getClass().getName());
                }
                return (UpstreamClient<Req, Resp>) existing.client();
            }
            UpstreamClient<Req, Resp> client = UpstreamClient.builder(engine, protocol)
                    .options(UpstreamOptions.from(name, config))
                    .discovery(EndpointDiscoveries.from(name, config))
                    .healthCheck(healthCheck)
                    .build();
            clients.put(name, new Entry(client, protocol));
            listeners.started(name, client);
            return client;
        });
    }

    /**
     * The live configuration's new client settings: each built client whose pool sizes changed
     * takes them ({@link UpstreamClient#resizePools}), and a client built later is built with them.
     */
    @Override
    public void applyLive(PercoreConfig merged) {
        Map<String, ClientPoolConfig> before = configs;
        configs = Map.copyOf(merged.getClients());
        List<java.util.concurrent.CompletableFuture<Void>> resized = new ArrayList<>();
        read(clients -> {
            clients.forEach((name, entry) -> {
                ClientPoolConfig was = before.get(name);
                ClientPoolConfig now = configs.get(name);
                if (was != null && now != null && (was.getMaxConnections() != now.getMaxConnections()
                        || was.getMaxPendingAcquisitions() != now.getMaxPendingAcquisitions())) {
                    resized.add(entry.client().resizePools(now.getMaxConnections(), now.getMaxPendingAcquisitions()));
                }
            });
            return null;
        });
        java.util.concurrent.CompletableFuture.allOf(resized.toArray(java.util.concurrent.CompletableFuture[]::new))
                .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** A client already built. */
    public Optional<UpstreamClient<?, ?>> get(String name) {
        return read(clients -> Optional.ofNullable(clients.get(name)).map(Entry::client));
    }

    /** Built clients by name, in build order. */
    public Map<String, UpstreamClient<?, ?>> clients() {
        return read(clients -> {
            Map<String, UpstreamClient<?, ?>> copy = new LinkedHashMap<>();
            clients.forEach((name, entry) -> copy.put(name, entry.client()));
            return Collections.unmodifiableMap(copy);
        });
    }

    /** Tells {@code listener} about every built client now, then about clients built and closed later. */
    public void addListener(RegistrationListener<UpstreamClient<?, ?>> listener) {
        read(clients -> {
            listeners.add(listener, clients());
            return null;
        });
    }

    public void removeListener(RegistrationListener<UpstreamClient<?, ?>> listener) {
        listeners.remove(listener);
    }

    @Override
    protected void close(List<Map.Entry<String, Entry>> taken) {
        for (Map.Entry<String, Entry> e : taken) {
            UpstreamClient<?, ?> client = e.getValue().client();
            try {
                client.close();
            } catch (RuntimeException failure) {
                LOG.warn("Client '{}' did not close cleanly", e.getKey(), failure);
            }
            listeners.closed(e.getKey(), client);
        }
    }
}
