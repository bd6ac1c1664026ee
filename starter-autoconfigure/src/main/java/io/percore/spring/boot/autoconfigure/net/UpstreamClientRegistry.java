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
import io.percore.spring.boot.autoconfigure.PercoreEngineLifecycle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The upstream clients configured under {@code percore.clients.<name>}: the application supplies
 * the wire protocol, the registry builds the client once (options from
 * {@link UpstreamOptions#from}, endpoints from {@link EndpointDiscoveries#from}), hands the same
 * client to every later caller, and closes it before the engine stops (phase
 * {@link PercoreEngineLifecycle#UPSTREAM_CLIENTS_PHASE}: after the servers that may still send
 * through it while they drain).
 *
 * <pre>{@code
 * @Bean
 * UpstreamClient<RedisCommand, RedisReply> cache(UpstreamClientRegistry clients) {
 *     return clients.client("cache", new RedisProtocol(), new RedisPingHealthCheck());  // percore.clients.cache.*
 * }
 * }</pre>
 */
public final class UpstreamClientRegistry implements SmartLifecycle, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClientRegistry.class);

    private final Engine engine;
    private final Map<String, ClientPoolConfig> configs;
    /** Guarded by itself; building a client (waiting for discovery) happens under the lock so a name is built once. */
    private final Map<String, Entry> clients = new LinkedHashMap<>();
    private final RegistrationListeners<UpstreamClient<?, ?>> listeners = new RegistrationListeners<>("client");
    private volatile boolean running;
    /** Guarded by {@link #clients}. */
    private boolean closed;

    private record Entry(UpstreamClient<?, ?> client, ClientProtocol<?, ?> protocol) {
    }

    public UpstreamClientRegistry(Engine engine, PercoreConfig config) {
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
     * @throws IllegalStateException    if the client was already built with a protocol of another class
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
        synchronized (clients) {
            if (closed) {
                // The engine stops right after; a client built now would outlive its shards.
                throw new IllegalStateException("The upstream clients are closed (application stopping); client '"
                        + name + "' cannot be built");
            }
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
        }
    }

    /** A client already built. */
    public Optional<UpstreamClient<?, ?>> get(String name) {
        synchronized (clients) {
            Entry entry = clients.get(name);
            return entry == null ? Optional.empty() : Optional.of(entry.client());
        }
    }

    /** Built clients by name, in build order. */
    public Map<String, UpstreamClient<?, ?>> clients() {
        synchronized (clients) {
            Map<String, UpstreamClient<?, ?>> copy = new LinkedHashMap<>();
            clients.forEach((name, entry) -> copy.put(name, entry.client()));
            return Collections.unmodifiableMap(copy);
        }
    }

    /** Tells {@code listener} about every built client now, then about clients built and closed later. */
    public void addListener(RegistrationListener<UpstreamClient<?, ?>> listener) {
        synchronized (clients) {
            listeners.add(listener, clients());
        }
    }

    public void removeListener(RegistrationListener<UpstreamClient<?, ?>> listener) {
        listeners.remove(listener);
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        closeAll();
    }

    @Override
    public void destroy() {
        closeAll();
    }

    private void closeAll() {
        List<Map.Entry<String, Entry>> closing;
        synchronized (clients) {
            closing = new ArrayList<>(clients.entrySet());
            clients.clear();
            closed = true;
        }
        for (Map.Entry<String, Entry> e : closing) {
            UpstreamClient<?, ?> client = e.getValue().client();
            try {
                client.close();
            } catch (RuntimeException failure) {
                LOG.warn("Client '{}' did not close cleanly", e.getKey(), failure);
            }
            listeners.closed(e.getKey(), client);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PercoreEngineLifecycle.UPSTREAM_CLIENTS_PHASE;
    }
}
