package io.percore.spring.boot.autoconfigure.web;

import io.percore.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServer;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.http.server.HttpServer;

/**
 * Spring Boot's Netty factory, serving on the shards. It is a {@link NettyReactiveWebServerFactory},
 * so everything that configures that factory still applies ({@code server.*} and
 * {@code server.netty.*} through Boot's customizers, SSL bundles, compression, HTTP/2, the
 * application's {@code NettyServerCustomizer}s); only where the server runs changes: the
 * {@link HttpServer} Boot builds is bound once per shard, on the shard's loop
 * ({@link ShardedNettyWebServer}).
 */
public class ShardedNettyReactiveWebServerFactory extends NettyReactiveWebServerFactory {

    private final Engine engine;
    private final boolean reusePort;
    private final List<NettyRouteProvider> routeProviders = new ArrayList<>();
    private Duration lifecycleTimeout;

    /** @param reusePort one listener per shard where the transport has SO_REUSEPORT ({@code percore.web.reuse-port}) */
    public ShardedNettyReactiveWebServerFactory(Engine engine, boolean reusePort) {
        this.engine = engine;
        this.reusePort = reusePort;
    }

    /**
     * What Spring Boot's management child context makes: for {@code management.server.port} it
     * instantiates the application's factory class anew, by its no-argument constructor. Without an
     * engine the factory makes Spring Boot's own Netty server, so Actuator on its own port stays off
     * the shards (and answers even while a shard is stuck).
     */
    public ShardedNettyReactiveWebServerFactory() {
        this(null, false);
    }

    @Override
    public WebServer getWebServer(HttpHandler httpHandler) {
        if (engine == null) {
            return super.getWebServer(httpHandler);
        }
        return new ShardedNettyWebServer(engine, configuredServer(httpHandler), new ReactorHttpHandlerAdapter(httpHandler),
                List.copyOf(routeProviders), reusePort, lifecycleTimeout, getShutdown() == Shutdown.GRACEFUL);
    }

    /**
     * The server exactly as Boot configures it: the superclass builds it (its builder is private)
     * and hands it to the customizers, the last of which, added here for the one call, keeps it.
     * The superclass's own web server around it is never started.
     */
    private HttpServer configuredServer(HttpHandler httpHandler) {
        HttpServer[] built = new HttpServer[1];
        NettyServerCustomizer keep = server -> {
            built[0] = server;
            return server;
        };
        getServerCustomizers().add(keep);
        try {
            super.getWebServer(httpHandler);
        } finally {
            getServerCustomizers().remove(keep);
        }
        return built[0];
    }

    @Override
    public void addRouteProviders(NettyRouteProvider... providers) {
        super.addRouteProviders(providers);
        routeProviders.addAll(List.of(providers));
    }

    @Override
    public void setLifecycleTimeout(Duration lifecycleTimeout) {
        super.setLifecycleTimeout(lifecycleTimeout);
        this.lifecycleTimeout = lifecycleTimeout;
    }

    /** The engine whose shards serve, or null for the management server's factory (Spring Boot's own server). */
    public Engine engine() {
        return engine;
    }
}
