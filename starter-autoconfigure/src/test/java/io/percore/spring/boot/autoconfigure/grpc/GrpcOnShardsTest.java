package io.percore.spring.boot.autoconfigure.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.percore.net.testing.GrpcEcho;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.net.PercoreNetAutoConfiguration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * gRPC services of a Spring Boot application on the shards: with Spring gRPC (Spring Boot 4.1's
 * gRPC server support) its discovered services and global interceptors are served by one server
 * per shard instead of Spring Boot's own server, metered per shard, and a call in flight finishes
 * when the application stops; without Spring gRPC, every {@code BindableService} bean is served.
 */
class GrpcOnShardsTest {

    static final Metadata.Key<String> INTERCEPTED = Metadata.Key.of("x-intercepted", Metadata.ASCII_STRING_MARSHALLER);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class GrpcApp {

        @Bean
        BindableService echo() {
            return GrpcEcho::echo;
        }

        /** Spring gRPC applies it to every service: the answer's headers show it did. */
        @Bean
        @GlobalServerInterceptor
        ServerInterceptor marker() {
            return new ServerInterceptor() {
                @Override
                public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                        @Override
                        public void sendHeaders(Metadata responseHeaders) {
                            responseHeaders.put(INTERCEPTED, "spring-grpc");
                            super.sendHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }

        @Bean
        MeterRegistry meters() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void springGrpcServicesAreServedOnTheShardsAndACallInFlightFinishesAtStop() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(GrpcApp.class).web(WebApplicationType.NONE).properties(Map.of(
                "percore.engine.shards", "2", "percore.engine.mode", "overprovisioned", "percore.servers.grpc.port", "0",
                "spring.lifecycle.timeout-per-shutdown-phase", "10s")).run();
        ManagedChannel channel = null;
        try {
            assertThat(app.getBeansOfType(GrpcServerLifecycle.class)).as("Spring Boot's own gRPC server is not started").isEmpty();
            assertThat(app.getBean(GrpcServerFactory.class)).isInstanceOf(ShardedGrpcServerFactory.class);
            PercoreGrpcServer grpc = app.getBean(PercoreGrpcServer.class);
            channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.server().port()).usePlaintext().build();
            AtomicReference<Metadata> headers = new AtomicReference<>();
            String reply = ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT, "hi");
            assertThat(reply).matches("hi shard=([01]) thread=percore-shard-\\1");
            ManagedChannel intercepted = NettyChannelBuilder.forAddress("127.0.0.1", grpc.server().port()).usePlaintext()
                    .intercept(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>())).build();
            try {
                ClientCalls.blockingUnaryCall(intercepted, GrpcEcho.SAY, CallOptions.DEFAULT, "again");
            } finally {
                intercepted.shutdownNow();
            }
            assertThat(headers.get().get(INTERCEPTED)).as("Spring gRPC's global interceptor ran").isEqualTo("spring-grpc");

            MeterRegistry meters = app.getBean(MeterRegistry.class);
            double ok = meters.find("percore.server.requests").tags("server", "grpc", "service", GrpcEcho.SERVICE, "code", "ok")
                    .functionCounters().stream().mapToDouble(c -> c.count()).sum();
            assertThat(ok).as("calls counted per shard in the servers' meters").isEqualTo(2);

            ManagedChannel inFlightChannel = channel;
            int started = GrpcEcho.SLOW_CALLS_STARTED.get();
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(
                    () -> ClientCalls.blockingUnaryCall(inFlightChannel, GrpcEcho.SLOW, CallOptions.DEFAULT, "1500"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (GrpcEcho.SLOW_CALLS_STARTED.get() == started) { // in flight on a shard: the close must wait for it
                assertThat(System.nanoTime()).as("the slow call arrived").isLessThan(deadline);
                Thread.sleep(10);
            }
            app.close();
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).as("the call in flight finished before the engine stopped").isEqualTo("slept 1500");
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            app.close();
        }
    }

    @Test
    void withoutSpringGrpcEveryBindableServiceIsServed() {
        new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader(GrpcServerFactory.class))
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class,
                        PercoreGrpcAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned", "percore.servers.grpc.port=0",
                        "spring.lifecycle.timeout-per-shutdown-phase=5s")
                .withBean(BindableService.class, () -> GrpcEcho::echo)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(ShardedGrpcServerFactory.class);
                    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", context.getBean(PercoreGrpcServer.class).server().port())
                            .usePlaintext().build();
                    try {
                        assertThat(ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT, "plain"))
                                .matches("plain shard=[01] thread=percore-shard-[01]");
                    } finally {
                        channel.shutdownNow();
                    }
                });
    }

    @Test
    void noGrpcServerWithoutItsServerSection() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class,
                        PercoreGrpcAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=1", "percore.engine.mode=overprovisioned")
                .withBean(BindableService.class, () -> GrpcEcho::echo)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PercoreGrpcServer.class));
    }
}
