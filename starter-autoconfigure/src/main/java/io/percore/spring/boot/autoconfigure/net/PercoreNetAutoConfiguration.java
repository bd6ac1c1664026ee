package io.percore.spring.boot.autoconfigure.net;

import io.micrometer.core.instrument.MeterRegistry;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.InFlightDrain;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.config.PercorePropertySnapshot;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * When net-pooling is on the class path: the {@link ShardedServerRegistry} ({@code percore.servers}),
 * the {@link UpstreamClientRegistry} ({@code percore.clients}) and, with Micrometer, the meters
 * of the servers and clients they start.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class, afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(ShardedServer.class)
@ConditionalOnBean({Engine.class, PercoreConfig.class})
public final class PercoreNetAutoConfiguration {

    /** The servers' second shutdown step: in-flight requests finish after every server stopped accepting. */
    @Bean
    @ConditionalOnMissingBean
    InFlightDrain percoreInFlightDrain(Environment environment) {
        return new InFlightDrain(PercoreAutoConfiguration.drainTimeout(environment));
    }

    /**
     * TLS of the servers that name an SSL bundle, made (and checked) before any server starts;
     * Spring Boot's {@code SslBundles} reloads the bundles' files when they change. A server's protocol
     * adds what it needs of its context through a {@link ServerSslContextCustomizer} bean (gRPC: ALPN h2).
     */
    @Bean
    @ConditionalOnMissingBean
    ServerTlsContexts percoreServerTlsContexts(PercoreConfig config, ObjectProvider<SslBundles> bundles, Environment environment,
                                               ObjectProvider<ServerSslContextCustomizer> customizers) {
        return ServerTlsContexts.of(config.getServers(), bundles.getIfAvailable(), PercorePropertySnapshot.of(environment).origins(),
                customizers.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    ShardedServerRegistry percoreShardedServerRegistry(Engine engine, PercoreConfig config, InFlightDrain drain, ServerTlsContexts tls) {
        return new ShardedServerRegistry(engine, config, drain, tls);
    }

    @Bean
    @ConditionalOnMissingBean
    UpstreamClientRegistry percoreUpstreamClientRegistry(Engine engine, PercoreConfig config) {
        return new UpstreamClientRegistry(engine, config);
    }

    /**
     * Spring Boot binds every {@code MeterBinder} bean to the application's registries. (No
     * {@code @ConditionalOnBean} on the registries here: a nested class's beans are registered
     * before the outer class's, so it could not see them; they always exist in this configuration.)
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static final class NetMetrics {

        @Bean
        @ConditionalOnMissingBean
        ShardedServerMeters percoreShardedServerMeters(ShardedServerRegistry servers) {
            return new ShardedServerMeters(servers);
        }

        @Bean
        @ConditionalOnMissingBean
        UpstreamClientMeters percoreUpstreamClientMeters(UpstreamClientRegistry clients) {
            return new UpstreamClientMeters(clients, UpstreamClientMeters.DEFAULT_REFRESH_INTERVAL);
        }
    }
}
