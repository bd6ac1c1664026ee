package io.percore.spring.boot.autoconfigure.net;

import io.netty.channel.ChannelHandler;
import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreEngineLifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The servers configured under {@code percore.servers.<name>}: the application supplies each
 * one's Netty handler, the registry starts it on every shard with the configured options, and
 * drains and closes it before the engine stops (phase
 * {@link PercoreEngineLifecycle#SHARDED_SERVICES_PHASE}, after the web server).
 *
 * <pre>{@code
 * @Bean
 * ShardedServer api(ShardedServerRegistry servers) {
 *     return servers.start("api", new ChannelInitializer<SocketChannel>() { ... });
 * }
 * }</pre>
 */
public final class ShardedServerRegistry implements SmartLifecycle, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedServerRegistry.class);

    private final Engine engine;
    private final Map<String, ServerConfig> configs;
    private final Duration drainTimeout;
    private final Map<String, ShardedServer> started = Collections.synchronizedMap(new LinkedHashMap<>());
    private final RegistrationListeners<ShardedServer> listeners = new RegistrationListeners<>("server");
    private volatile boolean running;

    public ShardedServerRegistry(Engine engine, PercoreConfig config, Duration drainTimeout) {
        this.engine = engine;
        this.configs = Map.copyOf(config.getServers());
        this.drainTimeout = drainTimeout;
    }

    /** Names configured under {@code percore.servers}. */
    public List<String> configuredNames() {
        return List.copyOf(configs.keySet());
    }

    /**
     * Starts server {@code name} with its {@code percore.servers.<name>} options and
     * {@code initializer} as the handler of every accepted connection (on the connection's shard).
     *
     * @throws IllegalArgumentException if {@code name} is not configured, listing the names that are
     * @throws IllegalStateException if it was started already
     */
    public ShardedServer start(String name, ChannelHandler initializer) {
        ServerConfig config = configs.get(name);
        if (config == null) {
            throw new IllegalArgumentException("No server '" + name + "' under percore.servers (configured: "
                    + (configs.isEmpty() ? "none" : String.join(", ", configs.keySet())) + ")");
        }
        synchronized (started) {
            if (started.containsKey(name)) {
                throw new IllegalStateException("Server '" + name + "' is already started");
            }
            ShardedServer server = ShardedServer.start(engine, ServerOptions.from(name, config), initializer);
            started.put(name, server);
            listeners.started(name, server);
            return server;
        }
    }

    /** Tells {@code listener} about every started server now, then about servers started and closed later. */
    public void addListener(RegistrationListener<ShardedServer> listener) {
        synchronized (started) {
            listeners.add(listener, started);
        }
    }

    public void removeListener(RegistrationListener<ShardedServer> listener) {
        listeners.remove(listener);
    }

    /** A started server. */
    public Optional<ShardedServer> get(String name) {
        return Optional.ofNullable(started.get(name));
    }

    /** Started servers by name, in start order. */
    public Map<String, ShardedServer> servers() {
        synchronized (started) {
            return Map.copyOf(started);
        }
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
        List<Map.Entry<String, ShardedServer>> servers;
        synchronized (started) {
            servers = new ArrayList<>(started.entrySet());
            started.clear();
        }
        List<CompletableFuture<Void>> draining = new ArrayList<>();
        for (Map.Entry<String, ShardedServer> entry : servers) {
            draining.add(entry.getValue().shutdownGracefully(drainTimeout).exceptionally(e -> {
                LOG.warn("Server '{}' did not shut down cleanly", entry.getKey(), e);
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(draining.toArray(CompletableFuture[]::new))
                    .get(drainTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Servers did not drain within {}; closing them", drainTimeout);
        }
        for (Map.Entry<String, ShardedServer> entry : servers) {
            entry.getValue().close();
            listeners.closed(entry.getKey(), entry.getValue());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PercoreEngineLifecycle.SHARDED_SERVICES_PHASE;
    }
}
