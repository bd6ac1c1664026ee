package io.percore.spring.boot.autoconfigure.grpc;

import io.grpc.BindableService;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ShardedGrpcServer;
import io.percore.spring.boot.autoconfigure.InFlightDrain;
import io.percore.spring.boot.autoconfigure.net.PercoreNetAutoConfiguration;
import io.percore.spring.boot.autoconfigure.net.ServerSslContextCustomizer;
import io.percore.spring.boot.autoconfigure.net.ServerTlsContexts;
import io.percore.spring.boot.autoconfigure.net.ShardedServerMeters;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.service.GrpcServiceConfigurer;
import org.springframework.grpc.server.service.GrpcServiceDiscoverer;

/**
 * gRPC services served on the shards when the application has grpc-netty and configures
 * {@code percore.servers.grpc}: one grpc-java server per shard on its loop ({@link ShardedGrpcServer}).
 * With Spring gRPC (Spring Boot 4.1's {@code spring-boot-starter-grpc-server}) its services are
 * discovered and configured by Spring gRPC (its interceptors, {@code @GrpcAdvice}, security), and
 * the {@link ShardedGrpcServerFactory} bean keeps Spring Boot from starting its own server; without
 * it, every {@code BindableService} bean is served.
 */
@AutoConfiguration(after = PercoreNetAutoConfiguration.class,
        beforeName = "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration")
@ConditionalOnClass({NettyServerBuilder.class, ShardedGrpcServer.class})
@ConditionalOnBean({Engine.class, PercoreConfig.class, InFlightDrain.class})
@Conditional(PercoreGrpcAutoConfiguration.GrpcServerConfigured.class)
public final class PercoreGrpcAutoConfiguration {

    /** The server of {@code percore.servers} that serves gRPC. */
    public static final String SERVER = "grpc";

    @Bean
    @ConditionalOnMissingBean
    PercoreGrpcServer percoreGrpcServer(Engine engine, PercoreConfig config, InFlightDrain drain, GrpcServices services,
                                        ObjectProvider<ShardedServerMeters> meters, ServerTlsContexts tls) {
        return new PercoreGrpcServer(engine, SERVER, config.getServers().get(SERVER), tls.forServer(SERVER).orElse(null), services.services(),
                drain, meters.getIfAvailable());
    }

    /**
     * gRPC speaks HTTP/2 only, which a TLS client chooses by ALPN: the server's context (made from
     * {@code percore.servers.grpc.ssl.bundle}, and remade at each reload) offers h2, with grpc-java's
     * cipher suites unless the bundle names its own. BoringSSL when netty-tcnative loads, the JDK's engine otherwise.
     */
    @Bean
    static ServerSslContextCustomizer percoreGrpcAlpn() {
        return new ServerSslContextCustomizer() {
            @Override
            public String server() {
                return SERVER;
            }

            @Override
            public void customize(SslContextBuilder builder) {
                GrpcSslContexts.configure(builder);
            }
        };
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.grpc.server.GrpcServerFactory")
    static final class PlainGrpc {

        @Bean
        @ConditionalOnMissingBean
        GrpcServices percoreGrpcServices(ObjectProvider<BindableService> services) {
            return () -> services.orderedStream().map(BindableService::bindService).toList();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(GrpcServerFactory.class)
    static final class SpringGrpc {

        @Bean
        @ConditionalOnMissingBean(GrpcServerFactory.class)
        ShardedGrpcServerFactory percoreGrpcServerFactory() {
            return new ShardedGrpcServerFactory();
        }

        /** Spring gRPC's discoverer and configurer exist when there is a {@code BindableService} bean; no service, nothing served. */
        @Bean
        @ConditionalOnMissingBean
        GrpcServices percoreGrpcServices(ObjectProvider<GrpcServiceDiscoverer> discoverer, ObjectProvider<GrpcServiceConfigurer> configurer,
                                         GrpcServerFactory factory) {
            return () -> {
                GrpcServiceDiscoverer found = discoverer.getIfAvailable();
                GrpcServiceConfigurer configure = configurer.getIfAvailable();
                if (found == null || configure == null) {
                    return java.util.List.of();
                }
                return found.findServices().stream().map(spec -> configure.configure(spec, factory)).toList();
            };
        }
    }

    /** {@code percore.servers.grpc} is configured (any key of it). */
    static final class GrpcServerConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return org.springframework.boot.context.properties.bind.Binder.get(context.getEnvironment())
                    .bind("percore.servers." + SERVER, org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, Object.class))
                    .isBound();
        }
    }
}
