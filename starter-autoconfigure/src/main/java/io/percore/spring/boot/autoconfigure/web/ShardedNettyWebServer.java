package io.percore.spring.boot.autoconfigure.web;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.web.server.GracefulShutdownCallback;
import org.springframework.boot.web.server.GracefulShutdownResult;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerException;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.ChannelBindException;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The application's WebFlux server on the shards: one Reactor Netty server per shard, all bound to
 * {@code server.port} with SO_REUSEPORT, so the kernel spreads connections and each is accepted,
 * handled and answered by one shard's loop. Where the transport has no SO_REUSEPORT (NIO off
 * Linux), or {@code percore.web.reuse-port} is false, one server accepts on shard 0 and registers
 * each connection on the next shard.
 *
 * <p>Each server is the {@link HttpServer} Spring Boot configured (SSL, compression, protocols,
 * forwarded headers, {@code server.netty.*}, the application's {@code NettyServerCustomizer}s),
 * run on the shard's loop. Graceful shutdown stops every listener at once, then waits for the
 * requests in flight on every shard, as Spring's own Netty server does.
 */
final class ShardedNettyWebServer implements WebServer {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedNettyWebServer.class);

    private final Engine engine;
    private final HttpServer configured;
    private final ReactorHttpHandlerAdapter handler;
    private final List<NettyRouteProvider> routeProviders;
    private final boolean reusePort;
    private final Duration lifecycleTimeout;
    private final boolean graceful;
    private final Object lock = new Object();
    private volatile List<DisposableServer> servers = List.of();
    private volatile Thread shutdownThread;

    /**
     * @param configured       the server as Spring Boot configured it (address and port included)
     * @param lifecycleTimeout bound on binding and on an abrupt stop; null for Reactor Netty's defaults
     * @param graceful         {@code server.shutdown: graceful}
     */
    ShardedNettyWebServer(Engine engine, HttpServer configured, ReactorHttpHandlerAdapter handler,
                          List<NettyRouteProvider> routeProviders, boolean reusePort, Duration lifecycleTimeout, boolean graceful) {
        this.engine = engine;
        this.configured = configured;
        this.handler = handler;
        this.routeProviders = routeProviders;
        this.reusePort = reusePort;
        this.lifecycleTimeout = lifecycleTimeout;
        this.graceful = graceful;
    }

    @Override
    public void start() throws WebServerException {
        synchronized (lock) {
            if (!servers.isEmpty()) {
                return;
            }
            ShardTransport transport = engine.shard(0).transport();
            boolean reusePort = this.reusePort && transport.supportsReusePort() && engine.shardCount() > 1;
            List<DisposableServer> bound = new ArrayList<>();
            try {
                if (reusePort) {
                    int port = -1;
                    for (Shard shard : engine.shards()) {
                        HttpServer server = onLoops(shard.ioEventLoop(), shard.ioEventLoop(), transport)
                                .option(transport.reusePortOption(), true);
                        if (port >= 0) {
                            server = server.port(port); // port 0: shard 0 takes an ephemeral port, the others join it
                        }
                        DisposableServer d = bind(server);
                        bound.add(d);
                        port = d.port();
                    }
                } else {
                    EventLoopGroup connections = engine.shardCount() == 1 ? engine.shard(0).ioEventLoop() : new ShardLoops(engine);
                    bound.add(bind(onLoops(engine.shard(0).ioEventLoop(), connections, transport)));
                }
            } catch (RuntimeException e) {
                bound.forEach(DisposableServer::disposeNow);
                if (e instanceof ChannelBindException bind && bind.localPort() > 0) {
                    throw new PortInUseException(bind.localPort(), e);
                }
                throw new WebServerException("Unable to start the web server on Percore's shards", e);
            }
            servers = List.copyOf(bound);
            LOG.info("Netty started on port {} ({}) on {} shard(s): {}", bound.get(0).port(),
                    configured.configuration().sslProvider() != null ? "https" : "http", engine.shardCount(),
                    reusePort ? "one listener per shard (SO_REUSEPORT, " + transport.name() + ")"
                            : engine.shardCount() == 1 ? "one listener (" + transport.name() + ")"
                            : "one acceptor handing connections to the shards (" + transport.name() + ")");
            awaitInNonDaemonThread(servers);
        }
    }

    private HttpServer onLoops(EventLoopGroup acceptor, EventLoopGroup connections, ShardTransport transport) {
        HttpServer server = configured.runOn(new ShardLoopResources(acceptor, connections, transport), true)
                // graceful shutdown waits for the requests of the connections in this group
                .channelGroup(new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        if (routeProviders.isEmpty()) {
            return server.handle(handler);
        }
        return server.route(routes -> {
            for (NettyRouteProvider provider : routeProviders) {
                routes = provider.apply(routes);
            }
            routes.route(request -> true, handler);
        });
    }

    private DisposableServer bind(HttpServer server) {
        return lifecycleTimeout != null ? server.bindNow(lifecycleTimeout) : server.bindNow();
    }

    /** The shards' threads are daemons: this one keeps the JVM up while the server runs, as Spring's Netty server does. */
    private static void awaitInNonDaemonThread(List<DisposableServer> servers) {
        Thread await = new Thread(() -> servers.forEach(s -> s.onDispose().block()), "percore-web-server");
        await.setContextClassLoader(ShardedNettyWebServer.class.getClassLoader());
        await.setDaemon(false);
        await.start();
    }

    /**
     * Stops accepting on every shard at once, then waits for the requests in flight on each
     * (Spring Boot bounds the wait with {@code spring.lifecycle.timeout-per-shutdown-phase}, then
     * calls {@link #stop()}).
     */
    @Override
    public void shutDownGracefully(GracefulShutdownCallback callback) {
        List<DisposableServer> running = servers;
        if (!graceful || running.isEmpty()) {
            callback.shutdownComplete(GracefulShutdownResult.IMMEDIATE);
            return;
        }
        LOG.info("Commencing graceful shutdown of the web server on {} shard(s). Waiting for active requests to complete", running.size());
        Thread thread = new Thread(() -> {
            AtomicInteger active = new AtomicInteger();
            List<CompletableFuture<Void>> drains = new ArrayList<>();
            for (DisposableServer server : running) {
                drains.add(CompletableFuture.runAsync(() -> {
                    try {
                        server.disposeNow(Duration.ofNanos(Long.MAX_VALUE));
                    } catch (RuntimeException e) {
                        active.incrementAndGet();
                    }
                }, r -> {
                    Thread t = new Thread(r, "percore-web-drain");
                    t.setDaemon(true);
                    t.start();
                }));
            }
            try {
                CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).join();
            } catch (RuntimeException e) {
                active.incrementAndGet();
            }
            if (Thread.currentThread().isInterrupted() || active.get() > 0) {
                LOG.info("Graceful shutdown aborted with one or more requests still active");
                callback.shutdownComplete(GracefulShutdownResult.REQUESTS_ACTIVE);
            } else {
                LOG.info("Graceful shutdown complete");
                callback.shutdownComplete(GracefulShutdownResult.IDLE);
            }
        }, "percore-web-shutdown");
        shutdownThread = thread;
        thread.start();
    }

    @Override
    public void stop() throws WebServerException {
        synchronized (lock) {
            Thread graceful = shutdownThread;
            if (graceful != null) {
                graceful.interrupt();
                shutdownThread = null;
            }
            for (DisposableServer server : servers) {
                try {
                    if (lifecycleTimeout != null) {
                        server.disposeNow(lifecycleTimeout);
                    } else {
                        server.disposeNow();
                    }
                } catch (IllegalStateException e) {
                    // timed out: the connections are closed with the engine's loops
                }
            }
            servers = List.of();
        }
    }

    @Override
    public int getPort() {
        List<DisposableServer> running = servers;
        return running.isEmpty() ? -1 : running.get(0).port();
    }

    /** Listeners bound, one per shard with SO_REUSEPORT or one in all. */
    int listeners() {
        return servers.size();
    }
}
