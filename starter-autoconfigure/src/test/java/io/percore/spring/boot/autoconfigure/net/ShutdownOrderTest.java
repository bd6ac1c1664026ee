package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.InFlightDrain;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import io.percore.spring.boot.autoconfigure.ShardedServiceRegistry;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Percore application shuts down in one named order ({@link PercoreShutdownOrder}): the servers
 * stop accepting, their in-flight work drains, the upstream clients close, the sharded services
 * stop, then the engine. Each step is recorded by the real resource it closes, and a request in
 * flight at close is answered between the first two steps.
 */
class ShutdownOrderTest {

    private LineEchoServer peer;
    private ApplicationContextRunner runner;

    @BeforeEach
    void startPeer() throws Exception {
        peer = new LineEchoServer();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                        "percore.servers.api.port=0", "percore.servers.api.bind-address=127.0.0.1",
                        "percore.clients.backend.endpoints[0]=" + peer.endpoint(),
                        "spring.lifecycle.timeout-per-shutdown-phase=5s");
    }

    @AfterEach
    void stopPeer() throws Exception {
        peer.close();
    }

    @Test
    void onCloseServersStopThenDrainThenClientsThenServicesThenTheEngine() throws Exception {
        Engine[] engine = new Engine[1];
        Socket[] caller = new Socket[1];
        try {
            runner.withUserConfiguration(RecordingApplication.class).run(context -> {
                assertThat(context).hasNotFailed();
                engine[0] = context.getBean(Engine.class);
                // A request in flight when the application closes: the server answers it only once it
                // has stopped accepting, so the drain step has something to wait for.
                caller[0] = new Socket("127.0.0.1", context.getBean("api", ShardedServer.class).port());
                caller[0].setSoTimeout(10_000);
                caller[0].getOutputStream().write('x');
                caller[0].getOutputStream().flush();
                context.getBean(InFlightRequest.class).read.get(10, TimeUnit.SECONDS);
                assertThat(context.getBean(ShutdownLog.class).events).isEmpty();
            });
            assertThat(caller[0].getInputStream().read()).as("the in-flight request was answered").isEqualTo('y');
        } finally {
            if (caller[0] != null) {
                caller[0].close();
            }
        }
        assertThat(ShutdownLog.last.events).containsExactly(
                "servers stop accepting",
                "in-flight request answered",
                "in-flight work drained",
                "clients closed",
                "services stopped while the engine runs",
                "engine stopped");
        assertThat(engine[0].isTerminated()).isTrue();
    }

    @Test
    void theBeansTakeTheirStepsPhase() {
        runner.run(context -> {
            assertThat(context.getBean(ShardedServerRegistry.class).getPhase()).isEqualTo(PercoreShutdownOrder.SERVERS.phase());
            assertThat(context.getBean(InFlightDrain.class).getPhase())
                    .isEqualTo(PercoreShutdownOrder.IN_FLIGHT_DRAIN.phase());
            assertThat(context.getBean(UpstreamClientRegistry.class).getPhase()).isEqualTo(PercoreShutdownOrder.CLIENTS.phase());
            assertThat(context.getBean(ShardedServiceRegistry.class).getPhase()).isEqualTo(PercoreShutdownOrder.SERVICES.phase());
        });
    }

    @Test
    void everyRegistryRefusesNewResourcesOnceClosed() {
        runner.run(context -> {
            ShardedServerRegistry servers = context.getBean(ShardedServerRegistry.class);
            UpstreamClientRegistry clients = context.getBean(UpstreamClientRegistry.class);
            ShardedServiceRegistry services = context.getBean(ShardedServiceRegistry.class);
            Sharded<String> late = PercoreSharded.of(context.getBean(Engine.class), shard -> "late");
            assertThat(servers.isClosed()).isFalse();

            context.stop(); // every registry closes its resources; they would outlive the shards otherwise

            assertThat(servers.isClosed()).isTrue();
            assertThat(clients.isClosed()).isTrue();
            assertThat(services.isClosed()).isTrue();
            assertThatThrownBy(() -> servers.start("api", idle()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The servers are closed (application stopping); 'api' cannot be added");
            assertThatThrownBy(() -> clients.client("backend", new LineProtocol()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The upstream clients are closed (application stopping); 'backend' cannot be added");
            assertThatThrownBy(() -> services.postProcessAfterInitialization(late, "late"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The sharded services are closed (application stopping); 'late' cannot be added");
            assertThat(servers.servers()).isEmpty();
            assertThat(clients.clients()).isEmpty();
            assertThat(services.serviceNames()).isEmpty();
        });
    }

    /** A server whose connections do nothing: the shutdown is what is watched. */
    private static ChannelInitializer<Channel> idle() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
            }
        };
    }

    /** One request that the server holds until the shutdown has begun. */
    static final class InFlightRequest {
        final CompletableFuture<ChannelHandlerContext> read = new CompletableFuture<>();

        ChannelInitializer<Channel> handler() {
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                            read.complete(ctx);
                        }
                    });
                }
            };
        }

        /** Answers after a pause, on the connection's shard: the drain must wait for it. */
        void answerSoon(ShutdownLog log) {
            ChannelHandlerContext ctx = read.getNow(null);
            if (ctx == null) {
                return;
            }
            ctx.executor().schedule(() -> {
                log.events.add("in-flight request answered");
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'y'}));
            }, 200, TimeUnit.MILLISECONDS);
        }
    }

    /** What the shutdown did, in order; {@link #last} outlives the context for the assertions. */
    static final class ShutdownLog {
        static volatile ShutdownLog last;
        final List<String> events = new CopyOnWriteArrayList<>();

        ShutdownLog() {
            last = this;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingApplication {

        @Bean
        ShutdownLog shutdownLog() {
            return new ShutdownLog();
        }

        @Bean
        InFlightRequest inFlightRequest() {
            return new InFlightRequest();
        }

        @Bean
        ShardedServer api(ShardedServerRegistry servers, ShutdownLog log, InFlightRequest request) {
            servers.addListener(new RegistrationListener<>() {
                @Override
                public void started(String name, ShardedServer server) {
                }

                @Override
                public void stopping(String name, ShardedServer server) {
                    assertThat(server.isClosing()).isTrue();
                    log.events.add("servers stop accepting");
                    request.answerSoon(log);
                }

                @Override
                public void closed(String name, ShardedServer server) {
                    log.events.add("in-flight work drained");
                }
            });
            return servers.start("api", request.handler());
        }

        @Bean
        UpstreamClient<String, String> backend(UpstreamClientRegistry clients, ShutdownLog log) {
            clients.addListener(new RegistrationListener<>() {
                @Override
                public void started(String name, UpstreamClient<?, ?> client) {
                }

                @Override
                public void closed(String name, UpstreamClient<?, ?> client) {
                    log.events.add("clients closed");
                }
            });
            return clients.client("backend", new LineProtocol());
        }

        @Bean
        Sharded<AutoCloseable> service(Engine engine, ShutdownLog log) {
            return PercoreSharded.of(engine, shard -> () -> {
                if (shard == 0) {
                    log.events.add(engine.isRunning() ? "services stopped while the engine runs" : "services stopped after the engine");
                }
            });
        }

        /** Stands after the engine's step: records the engine's end once Spring has stopped it. */
        @Bean
        EngineEndProbe engineEndProbe(Engine engine, ShutdownLog log) {
            return new EngineEndProbe(engine, log);
        }
    }

    /** A destroy callback runs after every lifecycle step: by then the engine must have terminated. */
    static final class EngineEndProbe implements org.springframework.beans.factory.DisposableBean {
        private final Engine engine;
        private final ShutdownLog log;

        EngineEndProbe(Engine engine, ShutdownLog log) {
            this.engine = engine;
            this.log = log;
        }

        @Override
        public void destroy() {
            log.events.add(engine.isTerminated() ? "engine stopped" : "engine still running at destroy");
        }
    }
}
