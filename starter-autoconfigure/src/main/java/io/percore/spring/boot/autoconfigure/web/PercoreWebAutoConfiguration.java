package io.percore.spring.boot.autoconfigure.web;

import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import java.util.concurrent.atomic.AtomicBoolean;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServer;

/**
 * The application's WebFlux handlers on the shards (issue 16): with {@code spring-boot-starter-webflux}
 * in a reactive application, the reactive web server is a {@link ShardedNettyReactiveWebServerFactory}
 * (one Reactor Netty server per shard on {@code server.port}) instead of Spring Boot's own, unless
 * {@code percore.web.enabled=false}, {@code percore.enabled=false} (no engine) or the application
 * declares its own {@link ReactiveWebServerFactory}. The management server on its own port
 * ({@code management.server.port}) stays on Spring Boot's Netty server: it is a child context that
 * builds its own factory.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class,
        beforeName = {"org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration",
                "org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({HttpServer.class, NettyReactiveWebServerFactory.class})
@ConditionalOnBooleanProperty(name = "percore.web.enabled", matchIfMissing = true)
@ConditionalOnBean(Engine.class)
public final class PercoreWebAutoConfiguration {

    private static final AtomicBoolean SHARDS_NON_BLOCKING = new AtomicBoolean();

    @Bean
    @ConditionalOnMissingBean(ReactiveWebServerFactory.class)
    ShardedNettyReactiveWebServerFactory shardedNettyReactiveWebServerFactory(Engine engine, PercoreConfig config,
            ObjectProvider<NettyRouteProvider> routes, ObjectProvider<NettyServerCustomizer> serverCustomizers) {
        // block() on a shard fails as it does on Reactor Netty's own loops, instead of stalling every
        // connection of the shard: Reactor checks this predicate (once per JVM; it holds no engine).
        if (SHARDS_NON_BLOCKING.compareAndSet(false, true)) {
            Schedulers.registerNonBlockingThreadPredicate(Shard::isShardThread);
        }
        ShardedNettyReactiveWebServerFactory factory = new ShardedNettyReactiveWebServerFactory(engine, config.getWeb().isReusePort());
        routes.orderedStream().forEach(factory::addRouteProviders);
        factory.getServerCustomizers().addAll(serverCustomizers.orderedStream().toList());
        return factory;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.Observation")
    static final class ShardTagConfiguration {

        /** {@code http.server.requests} (or the name Boot is told to use) tagged with the shard. */
        @Bean
        @ConditionalOnMissingBean(ServerRequestObservationConvention.class)
        ShardServerRequestObservationConvention shardServerRequestObservationConvention(Environment environment) {
            return new ShardServerRequestObservationConvention(
                    environment.getProperty("management.observations.http.server.requests.name", "http.server.requests"));
        }
    }
}
