package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.engine.Engine;
import io.percore.net.client.UpstreamClient;
import io.percore.net.client.UpstreamOptions;
import io.percore.net.discovery.EndpointDiscovery;
import io.percore.net.health.HealthCheckOptions;
import io.percore.net.pool.Endpoint;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ShardRequestMetrics;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.metrics.PercoreMeterNames;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class PercoreNetMetricsTest {

    private LineEchoServer peer;
    private ApplicationContextRunner runner;

    @BeforeEach
    void startPeer() throws Exception {
        peer = new LineEchoServer();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class,
                        MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                        "percore.servers.echo.port=0", "percore.servers.echo.bind-address=127.0.0.1",
                        "percore.clients.backend.endpoints[0]=" + peer.endpoint(),
                        "spring.lifecycle.timeout-per-shutdown-phase=5s");
    }

    @AfterEach
    void stopPeer() throws Exception {
        peer.close();
    }

    @Test
    void serverMetersAppearWhenTheServerStartsCountItsTrafficAndGoWhenItCloses() throws Exception {
        MeterRegistry[] registryRef = new MeterRegistry[1];
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            registryRef[0] = registry;
            assertThat(registry.find(PercoreMeterNames.SERVER_CONNECTIONS_OPEN).meters()).isEmpty();

            ShardedServer server = context.getBean(ShardedServerRegistry.class).start("echo", Echo.initializer());
            assertThat(registry.find(PercoreMeterNames.SERVER_CONNECTIONS_OPEN).tag("server", "echo").gauges())
                    .extracting(g -> g.getId().getTag("shard")).containsExactlyInAnyOrder("0", "1");

            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[5];
                int n = 0;
                while (n < 5) {
                    n += in.read(buf, n, 5 - n);
                }
                await(() -> sumGauge(registry, PercoreMeterNames.SERVER_CONNECTIONS_OPEN) == 1, "one open connection");
                assertThat(sumCounter(registry, PercoreMeterNames.SERVER_CONNECTIONS_ACCEPTED)).isEqualTo(1);
                await(() -> sumCounter(registry, PercoreMeterNames.SERVER_RECEIVED) == 5
                        && sumCounter(registry, PercoreMeterNames.SERVER_SENT) == 5, "5 bytes each way");
            }
            await(() -> sumGauge(registry, PercoreMeterNames.SERVER_CONNECTIONS_OPEN) == 0, "connection closed");
            assertThat(registry.find(PercoreMeterNames.SERVER_SENT).functionCounters())
                    .allSatisfy(c -> assertThat(c.getId().getBaseUnit()).isEqualTo("bytes"));
            assertThat(sumCounter(registry, PercoreMeterNames.SERVER_CONNECTIONS_REJECTED)).isZero();
            assertThat(registry.find(PercoreMeterNames.SERVER_CONNECTIONS_IDLE_CLOSED).functionCounters()).hasSize(2);
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUESTS_TOO_LARGE).functionCounters()).hasSize(2);
        });
        assertThat(registryRef[0].find(PercoreMeterNames.SERVER_CONNECTIONS_OPEN).meters()).as("removed when the server closed").isEmpty();
        assertThat(registryRef[0].find(PercoreMeterNames.SERVER_RECEIVED).meters()).isEmpty();
    }

    /** Issue 15: requests by the protocol's kinds, and the latency of every reply as a timer and cumulative buckets. */
    @Test
    void requestMetersCountByTheProtocolsKindsAndTimeEveryReply() throws Exception {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            RequestKinds kinds = RequestKinds.of("verb", List.of("echo", "other"), "outcome", List.of("ok", "error"));
            ShardedServer server = context.getBean(ShardedServerRegistry.class).start("echo", countingEcho(kinds), kinds);
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUESTS).tag("server", "echo").functionCounters())
                    .as("shards × kinds × outcomes, fixed at start").hasSize(2 * 2 * 2);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("a\nb\nc\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                int newlines = 0;
                while (newlines < 3) {
                    int b = in.read();
                    assertThat(b).isNotNegative();
                    newlines += b == '\n' ? 1 : 0;
                }
                await(() -> registry.find(PercoreMeterNames.SERVER_REQUEST_DURATION).functionTimers().stream()
                        .mapToDouble(FunctionTimer::count).sum() == 3, "3 replies timed");
            }
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUESTS).tag("verb", "echo").tag("outcome", "ok")
                    .functionCounters().stream().mapToDouble(FunctionCounter::count).sum()).isEqualTo(3);
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUESTS).tag("outcome", "error")
                    .functionCounters().stream().mapToDouble(FunctionCounter::count).sum()).isZero();
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUEST_DURATION_BUCKETS).tag("le", "+Inf")
                    .functionCounters().stream().mapToDouble(FunctionCounter::count).sum()).isEqualTo(3);
            assertThat(registry.find(PercoreMeterNames.SERVER_REQUEST_DURATION_BUCKETS).tag("shard", "0").functionCounters())
                    .hasSize(20).extracting(c -> c.getId().getTag("le")).contains("0.00001", "0.0001", "0.0025", "1", "10", "+Inf");
        });
    }

    private static ChannelInitializer<SocketChannel> countingEcho(RequestKinds kinds) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ShardRequestMetrics metrics = ServerChannelContext.of(ch).requestMetrics();
                OrderedResponder<ByteBuf> responder = new OrderedResponder<>(16, (reply, out) -> out.writeBytes(reply, reply.readerIndex(), reply.readableBytes()));
                ch.pipeline().addLast(new LineBasedFrameDecoder(1024, false, false), responder, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        metrics.count(kinds.kind("echo"), kinds.outcome("ok"));
                        responder.reply((ByteBuf) msg);
                    }
                });
            }
        };
    }

    @Test
    void aBinderCreatedLateSeesServersAlreadyStartedAndCloseRemovesItsMeters() {
        runner.run(context -> {
            ShardedServerRegistry servers = context.getBean(ShardedServerRegistry.class);
            servers.start("echo", Echo.initializer());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ShardedServerMeters meters = new ShardedServerMeters(servers);
            meters.bindTo(registry);
            assertThat(registry.find(PercoreMeterNames.SERVER_CONNECTIONS_ACCEPTED).tag("server", "echo").functionCounters()).hasSize(2);
            meters.close();
            assertThat(registry.getMeters()).isEmpty();
        });
    }

    @Test
    void upstreamMetersCountRequestsPicksAndPoolAcquisitions() throws Exception {
        MeterRegistry[] registryRef = new MeterRegistry[1];
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            registryRef[0] = registry;
            Engine engine = context.getBean(Engine.class);
            UpstreamClient<String, String> backend = context.getBean(UpstreamClientRegistry.class).client("backend", new LineProtocol());
            for (int i = 0; i < 5; i++) {
                assertThat(UpstreamCalls.send(engine, backend, 0, "x" + i)).isEqualTo("echo:x" + i);
            }
            assertThat(UpstreamCalls.send(engine, backend, 1, "y")).isEqualTo("echo:y");

            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_REQUESTS, "0", null)).isEqualTo(5);
            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_REQUESTS, "1", null)).isEqualTo(1);
            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_FAILURES, "0", null)).isZero();
            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_RETRIES, "0", null)).isZero();
            assertThat(registry.get(PercoreMeterNames.UPSTREAM_ENDPOINTS).tags("upstream", "backend", "shard", "0").gauge().value()).isEqualTo(1);

            String ep = peer.endpoint();
            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS, "0", ep)).isEqualTo(5);
            assertThat(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_EJECTIONS, "0", ep)).isZero();
            assertThat(gauge(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_AVAILABLE, "0", ep)).isEqualTo(1);
            FunctionTimer acquire = registry.get(PercoreMeterNames.POOL_ACQUIRE)
                    .tags("upstream", "backend", "shard", "0", "endpoint", ep).functionTimer();
            assertThat(acquire.count()).isEqualTo(5);
            assertThat(acquire.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            Gauge max = registry.get(PercoreMeterNames.POOL_ACQUIRE_MAX).tags("shard", "0", "endpoint", ep).gauge();
            assertThat(max.value()).as("seconds").isPositive().isLessThanOrEqualTo(acquire.totalTime(TimeUnit.SECONDS));
            assertThat(counter(registry, PercoreMeterNames.POOL_CONNECTIONS_CREATED, "0", ep)).isGreaterThanOrEqualTo(1);
            // One request at a time: the connection went back to the pool.
            await(() -> gauge(registry, PercoreMeterNames.POOL_CONNECTIONS_ACTIVE, "0", ep) == 0
                    && gauge(registry, PercoreMeterNames.POOL_CONNECTIONS_IDLE, "0", ep) >= 1, "connection idle in the pool");
            assertThat(gauge(registry, PercoreMeterNames.POOL_ACQUISITIONS_PENDING, "0", ep)).isZero();
            for (String name : List.of(PercoreMeterNames.POOL_CONNECTIONS_CLOSED, PercoreMeterNames.POOL_CONNECT_FAILURES,
                    PercoreMeterNames.POOL_ACQUIRE_REJECTED, PercoreMeterNames.POOL_ACQUIRE_TIMEOUTS,
                    PercoreMeterNames.UPSTREAM_ENDPOINT_FAILURES, PercoreMeterNames.UPSTREAM_RETRIES_DENIED,
                    PercoreMeterNames.UPSTREAM_NO_HEALTHY_ENDPOINT)) {
                assertThat(registry.find(name).tag("shard", "1").functionCounters()).as(name).hasSize(1);
            }
            assertThat(registry.find(PercoreMeterNames.UPSTREAM_ENDPOINT_OUTSTANDING).gauges()).hasSize(2);
            assertThat(registry.find(PercoreMeterNames.POOL_CONNECTIONS_CONNECTING).gauges()).hasSize(2);
        });
        Set<String> left = registryRef[0].getMeters().stream().map(m -> m.getId().getName())
                .filter(n -> n.startsWith("percore.upstream")).collect(Collectors.toSet());
        assertThat(left).as("upstream meters left after the client closed").isEmpty();
    }

    @Test
    void endpointMetersFollowDiscovery() throws Exception {
        try (LineEchoServer second = new LineEchoServer()) {
            runner.run(context -> {
                Engine engine = context.getBean(Engine.class);
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                UpstreamClientMeters meters = new UpstreamClientMeters(context.getBean(UpstreamClientRegistry.class), java.time.Duration.ofHours(1));
                meters.bindTo(registry);
                SettableDiscovery discovery = new SettableDiscovery();
                Endpoint a = Endpoint.parse(peer.endpoint());
                Endpoint b = Endpoint.parse(second.endpoint());
                discovery.initial = List.of(a, b);
                try (UpstreamClient<String, String> client = UpstreamClient.builder(engine, new LineProtocol())
                        .options(UpstreamOptions.builder("dyn").healthCheck(HealthCheckOptions.disabled()).build())
                        .discovery(discovery).build()) {
                    meters.started("dyn", client);
                    assertThat(endpointTags(registry)).containsExactlyInAnyOrder(
                            "0/" + a.id(), "1/" + a.id(), "0/" + b.id(), "1/" + b.id());
                    for (int i = 0; i < 4; i++) {
                        UpstreamCalls.send(engine, client, 0, "r" + i);
                    }
                    assertThat(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS, "0", a.id())
                            + counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS, "0", b.id())).isEqualTo(4);

                    discovery.publish(List.of(b));
                    await(() -> client.endpoints(0).equals(List.of(b)) && client.endpoints(1).equals(List.of(b)), "a removed");
                    meters.refreshEndpoints();
                    assertThat(endpointTags(registry)).containsExactlyInAnyOrder("0/" + b.id(), "1/" + b.id());

                    // Back again: new counters, new meters (not the ones of the old pool).
                    discovery.publish(List.of(a, b));
                    await(() -> client.endpoints(0).size() == 2 && client.endpoints(1).size() == 2, "a back");
                    meters.refreshEndpoints();
                    assertThat(endpointTags(registry)).hasSize(4);
                    assertThat(counter(registry, PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS, "0", a.id())).isZero();

                    meters.closed("dyn", client);
                    assertThat(registry.getMeters()).isEmpty();
                } finally {
                    meters.close();
                }
            });
        }
    }

    @Test
    void noMetersWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ShardedServerRegistry.class)
                        .hasSingleBean(UpstreamClientRegistry.class)
                        .doesNotHaveBean(ShardedServerMeters.class).doesNotHaveBean(UpstreamClientMeters.class));
    }

    @Test
    void noMetersWithoutNetPooling() {
        runner.withClassLoader(new FilteredClassLoader(ShardedServer.class))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(ShardedServerMeters.class).doesNotHaveBean(UpstreamClientMeters.class));
    }

    private static Set<String> endpointTags(MeterRegistry registry) {
        return registry.find(PercoreMeterNames.UPSTREAM_ENDPOINT_PICKS).functionCounters().stream()
                .map(c -> c.getId().getTag("shard") + "/" + c.getId().getTag("endpoint")).collect(Collectors.toSet());
    }

    private static double counter(MeterRegistry registry, String name, String shard, String endpoint) {
        var search = registry.get(name).tag("shard", shard);
        return (endpoint == null ? search : search.tag("endpoint", endpoint)).functionCounter().count();
    }

    private static double gauge(MeterRegistry registry, String name, String shard, String endpoint) {
        return registry.get(name).tag("shard", shard).tag("endpoint", endpoint).gauge().value();
    }

    private static double sumGauge(MeterRegistry registry, String name) {
        return registry.find(name).gauges().stream().mapToDouble(Gauge::value).sum();
    }

    private static double sumCounter(MeterRegistry registry, String name) {
        return registry.find(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("timed out waiting for: " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A discovery the test moves by hand. */
    private static final class SettableDiscovery implements EndpointDiscovery {
        volatile List<Endpoint> initial;
        private volatile Consumer<List<Endpoint>> listener;

        @Override
        public void start(Consumer<List<Endpoint>> listener) {
            this.listener = listener;
            listener.accept(initial);
        }

        synchronized void publish(List<Endpoint> endpoints) {
            listener.accept(endpoints);
        }

        @Override
        public void close() {
        }
    }

}
