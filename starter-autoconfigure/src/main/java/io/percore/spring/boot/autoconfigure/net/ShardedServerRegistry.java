package io.percore.spring.boot.autoconfigure.net;

import io.netty.channel.ChannelHandler;
import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.InFlightDrain;
import io.percore.spring.boot.autoconfigure.ManagedRegistry;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import io.percore.spring.boot.autoconfigure.live.PercoreLiveTarget;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers configured under {@code percore.servers.<name>}: the application supplies each
 * one's Netty handler, the registry starts it on every shard with the configured options (and
 * TLS, from the SSL bundle {@code ssl.bundle} names: the handler then reads and writes plain
 * text, the server's TLS handler runs before it), and
 * shuts it down in two steps of the {@link PercoreShutdownOrder}: at
 * {@link PercoreShutdownOrder#SERVERS} every server stops accepting, at
 * {@link PercoreShutdownOrder#IN_FLIGHT_DRAIN} (the {@link InFlightDrain} bean) the requests in
 * flight finish and the connections close, within the drain timeout.
 *
 * <pre>{@code
 * @Bean
 * ShardedServer api(ShardedServerRegistry servers) {
 *     return servers.start("api", new ChannelInitializer<SocketChannel>() { ... });
 * }
 * }</pre>
 */
public final class ShardedServerRegistry extends ManagedRegistry<ShardedServer> implements PercoreLiveTarget {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedServerRegistry.class);

    private final Engine engine;
    /** Replaced by {@link #applyLive} (live configuration), whose live settings a later start takes too. */
    private volatile Map<String, ServerConfig> configs;
    private final InFlightDrain drain;
    private final ServerTlsContexts tls;
    private final RegistrationListeners<ShardedServer> listeners = new RegistrationListeners<>("server");
    /** Counted down when the servers close: the end of the thread that keeps the JVM up while they listen. */
    private final CountDownLatch serversClosed = new CountDownLatch(1);
    /** Guarded by the registry's lock ({@link #register}). */
    private boolean keepingAlive;

    /** @param drain the next shutdown step, which lets the stopped servers' requests finish, then closes them */
    public ShardedServerRegistry(Engine engine, PercoreConfig config, InFlightDrain drain) {
        this(engine, config, drain, ServerTlsContexts.none());
    }

    /** @param tls the TLS context of each server that names an SSL bundle ({@code percore.servers.<name>.ssl.bundle}) */
    public ShardedServerRegistry(Engine engine, PercoreConfig config, InFlightDrain drain, ServerTlsContexts tls) {
        super("servers", PercoreShutdownOrder.SERVERS);
        this.engine = engine;
        this.configs = Map.copyOf(config.getServers());
        this.drain = drain;
        this.tls = tls;
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
     * @throws IllegalStateException if it was started already, or the servers are closed (the application is stopping)
     */
    public ShardedServer start(String name, ChannelHandler initializer) {
        return start(name, initializer, null);
    }

    /**
     * As {@link #start(String, ChannelHandler)}, for a protocol that counts its requests by
     * {@code requestKinds} (published as {@code percore.server.requests}); null when it does not.
     */
    public ShardedServer start(String name, ChannelHandler initializer, RequestKinds requestKinds) {
        ServerConfig config = configs.get(name);
        if (config == null) {
            throw new IllegalArgumentException("No server '" + name + "' under percore.servers (configured: "
                    + (configs.isEmpty() ? "none" : String.join(", ", configs.keySet())) + ")");
        }
        return register(name, started -> {
            if (started.containsKey(name)) {
                throw new IllegalStateException("Server '" + name + "' is already started");
            }
            ServerOptions options = ServerOptions.from(name, config);
            options = tls.forServer(name).map(options::withTls).orElse(options);
            ShardedServer server = ShardedServer.start(engine, options, initializer, requestKinds);
            started.put(name, server);
            keepAlive();
            listeners.started(name, server);
            return server;
        });
    }

    /**
     * The shards' threads are daemons, so an application whose only servers are these (no servlet or reactive web server:
     * {@code spring.main.web-application-type=none}, or no web starter) would end as soon as its context had started. As
     * Spring Boot's own web servers do (Tomcat's await thread, Reactor Netty's), one non-daemon thread waits while the
     * servers listen; it ends when they close at their shutdown step.
     */
    private void keepAlive() {
        if (keepingAlive) {
            return;
        }
        keepingAlive = true;
        Thread await = new Thread(() -> {
            try {
                serversClosed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, KEEP_ALIVE_THREAD);
        await.setDaemon(false);
        await.start();
    }

    /** The name of the non-daemon thread that keeps the JVM up while the servers listen. */
    static final String KEEP_ALIVE_THREAD = "percore-servers";

    /**
     * The live configuration's new server settings: each started server takes what changes live
     * ({@link ShardedServer#applyLiveOptions}), and a server started later starts with them.
     * {@code merged} holds only live changes (the live configuration leaves the others as they were).
     */
    @Override
    public void applyLive(PercoreConfig merged) {
        configs = Map.copyOf(merged.getServers());
        read(started -> {
            started.forEach((name, server) -> {
                ServerConfig config = configs.get(name);
                if (config != null) {
                    server.applyLiveOptions(ServerOptions.from(name, config));
                }
            });
            return null;
        });
    }

    /** Tells {@code listener} about every started server now, then about servers started, stopping and closed later. */
    public void addListener(RegistrationListener<ShardedServer> listener) {
        read(started -> {
            listeners.add(listener, started);
            return null;
        });
    }

    public void removeListener(RegistrationListener<ShardedServer> listener) {
        listeners.remove(listener);
    }

    /** A started server that still accepts. */
    public Optional<ShardedServer> get(String name) {
        return read(started -> Optional.ofNullable(started.get(name)));
    }

    /** Started servers that still accept, by name, in start order. */
    public Map<String, ShardedServer> servers() {
        return read(Map::copyOf);
    }

    /**
     * The {@link PercoreShutdownOrder#SERVERS} step: every server stops accepting at once and
     * starts draining; the {@link InFlightDrain} step waits for it and closes it.
     */
    @Override
    protected void close(List<Map.Entry<String, ShardedServer>> taken) {
        serversClosed.countDown();
        for (Map.Entry<String, ShardedServer> entry : taken) {
            String name = entry.getKey();
            ShardedServer server = entry.getValue();
            CompletableFuture<Void> drained = server.shutdownGracefully(drain.timeout()).exceptionally(e -> {
                LOG.warn("Server '{}' did not shut down cleanly", name, e);
                return null;
            });
            listeners.stopping(name, server);
            drain.add("server " + name, drained, () -> {
                server.close();
                listeners.closed(name, server);
            });
        }
    }

    /** After a failed start no lifecycle step runs: the drain happens here too. */
    @Override
    public void destroy() {
        super.destroy();
        drain.awaitAll();
    }
}
