package io.percore.net.client;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.net.RedisProcess;
import io.percore.net.TestSupport;
import io.percore.net.discovery.StaticDiscovery;
import io.percore.net.health.HealthCheckOptions;
import io.percore.net.health.OutlierOptions;
import io.percore.net.health.RedisPingHealthCheck;
import io.percore.net.lb.LoadBalancing;
import io.percore.net.pool.Endpoint;
import io.percore.net.pool.PoolOptions;
import io.percore.net.redis.RedisCommand;
import io.percore.net.redis.RedisProtocol;
import io.percore.net.redis.RedisReply;
import io.percore.net.server.ServerChannelContext;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pools against real redis-server processes: failover, restore, consistent hashing, clear errors. */
class RedisUpstreamTest {

    private static Engine engine;
    private final List<RedisProcess> redis = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startEngine() {
        engine = TestSupport.engine(2);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    @AfterEach
    void killRedis() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (RedisProcess r : redis) {
            r.kill();
        }
    }

    private List<RedisProcess> startRedis(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            redis.add(RedisProcess.start());
        }
        return redis;
    }

    private UpstreamClient<RedisCommand, RedisReply> client(LoadBalancing lb, List<RedisProcess> servers) {
        return client(lb, servers, new HealthCheckOptions(true, Duration.ofMillis(200), Duration.ofMillis(150), 1, 2));
    }

    private UpstreamClient<RedisCommand, RedisReply> client(LoadBalancing lb, List<RedisProcess> servers, HealthCheckOptions health) {
        UpstreamOptions options = UpstreamOptions.builder("redis")
                .loadBalancing(lb)
                .pool(PoolOptions.builder().maxConnections(4).connectTimeout(Duration.ofMillis(500)).build())
                .requestTimeout(Duration.ofSeconds(2))
                .healthCheck(health)
                .outlierEjection(new OutlierOptions(2, Duration.ofMillis(500), 50))
                .retryBudget(0.5, 100)
                .build();
        List<String> endpoints = servers.stream().map(RedisProcess::endpoint).toList();
        UpstreamClient<RedisCommand, RedisReply> client = UpstreamClient.builder(engine, new RedisProtocol())
                .options(options)
                .discovery(StaticDiscovery.of(endpoints))
                .healthCheck(new RedisPingHealthCheck())
                .build();
        closeables.add(client);
        return client;
    }

    /** Sends {@code n} requests per shard from the shards themselves and waits for all (never hangs: bounded wait). */
    private static List<CompletableFuture<RedisReply>> sendFromShards(UpstreamClient<RedisCommand, RedisReply> client, int n,
                                                                     IntFunction<RedisCommand> command, IntFunction<String> key) throws Exception {
        List<CompletableFuture<RedisReply>> all = new ArrayList<>();
        for (int shard = 0; shard < engine.shardCount(); shard++) {
            int s = shard;
            all.addAll(TestSupport.await(engine.submitTo(shard, () -> {
                List<CompletableFuture<RedisReply>> list = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int k = s * n + i;
                    list.add((key == null ? client.send(command.apply(k)) : client.send(command.apply(k), key.apply(k))).toCompletableFuture());
                }
                return list;
            })));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
        return all;
    }

    private static long failures(List<CompletableFuture<RedisReply>> futures) {
        return futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    }

    private static long picks(UpstreamClient<?, ?> client, Endpoint e) {
        return client.metrics().stream().mapToLong(m -> m.endpoint(e) == null ? 0 : m.endpoint(e).picks()).sum();
    }

    private static boolean availableOnEveryShard(UpstreamClient<?, ?> client, Endpoint e, boolean expected) {
        return client.metrics().stream().allMatch(m -> m.endpoint(e).available() == expected);
    }

    @Test
    void aKilledUpstreamIsEjectedTrafficFailsOverAndTheHealthCheckerRestoresIt() throws Exception {
        List<RedisProcess> servers = startRedis(3);
        UpstreamClient<RedisCommand, RedisReply> client = client(LoadBalancing.ROUND_ROBIN, servers);
        Endpoint victim = Endpoint.parse(servers.get(1).endpoint());
        List<CompletableFuture<RedisReply>> warm = sendFromShards(client, 150, k -> RedisCommand.of("PING"), null);
        assertThat(failures(warm)).isZero();
        assertThat(picks(client, victim)).isPositive();

        // Load keeps flowing from both shards while the victim dies.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger loadFailures = new AtomicInteger();
        AtomicInteger loadRequests = new AtomicInteger();
        Thread load = new Thread(() -> {
            while (!stop.get()) {
                try {
                    List<CompletableFuture<RedisReply>> batch = sendFromShards(client, 20, k -> RedisCommand.of("GET", "k" + k), null);
                    loadRequests.addAndGet(batch.size());
                    loadFailures.addAndGet((int) failures(batch));
                } catch (Exception e) {
                    loadFailures.incrementAndGet();
                }
            }
        }, "redis-load");
        load.start();
        try {
            eventually("load running", Duration.ofSeconds(10), () -> loadRequests.get() > 200);
            servers.get(1).kill();
            eventually("victim out of rotation on every shard", Duration.ofSeconds(15),
                    () -> availableOnEveryShard(client, victim, false));
            int before = loadRequests.get();
            eventually("load continues after the kill", Duration.ofSeconds(15), () -> loadRequests.get() > before + 400);
        } finally {
            stop.set(true);
            load.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(load.isAlive()).as("no request hung").isFalse();
        // GET is idempotent: requests caught on the dying connection were retried elsewhere.
        assertThat(loadFailures.get()).as("failed GETs during the kill").isZero();

        long victimPicks = picks(client, victim);
        List<CompletableFuture<RedisReply>> after = sendFromShards(client, 200, k -> RedisCommand.of("GET", "x"), null);
        assertThat(failures(after)).isZero();
        assertThat(picks(client, victim)).as("no traffic to the dead endpoint").isEqualTo(victimPicks);
        assertThat(client.metrics().stream().mapToLong(m -> m.endpoint(victim).failures()).sum()).isPositive();

        servers.get(1).restart();
        eventually("victim restored on every shard", Duration.ofSeconds(15), () -> availableOnEveryShard(client, victim, true));
        List<CompletableFuture<RedisReply>> restored = sendFromShards(client, 150, k -> RedisCommand.of("GET", "x"), null);
        assertThat(failures(restored)).isZero();
        assertThat(picks(client, victim)).as("traffic back on the restored endpoint").isGreaterThan(victimPicks + 50);
    }

    @Test
    void consistentHashingKeepsEveryKeyOnItsUpstream() throws Exception {
        List<RedisProcess> servers = startRedis(3);
        // No health checks: two of their 150 ms PINGs missed on a loaded machine take a server out of one
        // shard's ring, and that shard's keys to another server (a GET of key:95 found nothing, load 12).
        UpstreamClient<RedisCommand, RedisReply> client = client(LoadBalancing.CONSISTENT_HASH, servers,
                new HealthCheckOptions(false, Duration.ofMillis(200), Duration.ofMillis(150), 1, 2));
        int perShard = 100;
        List<CompletableFuture<RedisReply>> sets = sendFromShards(client, perShard,
                k -> RedisCommand.of("SET", "key:" + k, "v" + k), k -> "key:" + k);
        assertThat(failures(sets)).isZero();
        int total = perShard * engine.shardCount();
        // Each key lives on exactly one server, and the servers share the keys.
        int[] holder = new int[total];
        int[] perServer = new int[servers.size()];
        for (int k = 0; k < total; k++) {
            holder[k] = -1;
            for (int s = 0; s < servers.size(); s++) {
                if (("v" + k).equals(servers.get(s).command("GET key:" + k))) {
                    assertThat(holder[k]).as("key:%d on one server only", k).isEqualTo(-1);
                    holder[k] = s;
                    perServer[s]++;
                }
            }
            assertThat(holder[k]).isNotNegative();
        }
        for (int count : perServer) {
            assertThat(count).isBetween(total / 10, total * 2 / 3);
        }
        // Read back through the client from the OTHER shard than the one that wrote: same upstream.
        List<CompletableFuture<RedisReply>> gets = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int shard = w;
            int other = 1 - shard;
            gets.addAll(TestSupport.await(engine.submitTo(other, () -> {
                List<CompletableFuture<RedisReply>> list = new ArrayList<>();
                for (int i = 0; i < perShard; i++) {
                    int k = shard * perShard + i;
                    list.add(client.send(RedisCommand.of("GET", "key:" + k), "key:" + k).toCompletableFuture());
                }
                return list;
            })));
        }
        for (int k = 0; k < total; k++) {
            int shardOfK = k / perShard;
            assertThat(gets.get(shardOfK * perShard + k % perShard).get(10, TimeUnit.SECONDS).asString()).isEqualTo("v" + k);
        }
    }

    @Test
    void whenNoEndpointIsHealthyRequestsFailWithAClearError() throws Exception {
        List<RedisProcess> servers = startRedis(1);
        UpstreamClient<RedisCommand, RedisReply> client = client(LoadBalancing.LEAST_OUTSTANDING, servers);
        Endpoint only = Endpoint.parse(servers.get(0).endpoint());
        servers.get(0).kill();
        eventually("endpoint unhealthy", Duration.ofSeconds(15), () -> availableOnEveryShard(client, only, false));
        List<CompletableFuture<RedisReply>> futures = sendFromShards(client, 5, k -> RedisCommand.of("GET", "a"), null);
        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> futures.get(0).get());
        assertThat(e.getCause()).isInstanceOf(NoHealthyEndpointException.class)
                .hasMessageContaining("No healthy endpoint for upstream 'redis'")
                .hasMessageContaining(only.id())
                .hasMessageContaining("unhealthy");
        assertThat(client.metrics(0).noHealthyEndpoint()).isPositive();
    }

    @Test
    void repliesOfEveryTypeAreCopiedOut() throws Exception {
        List<RedisProcess> servers = startRedis(1);
        UpstreamClient<RedisCommand, RedisReply> client = client(LoadBalancing.PEAK_EWMA, servers);
        RedisReply set = TestSupport.onShard(engine, 0, () -> client.send(RedisCommand.of("SET", "n", "41")));
        assertThat(set.type()).isEqualTo(RedisReply.Type.SIMPLE);
        assertThat(set.asString()).isEqualTo("OK");
        RedisReply incr = TestSupport.onShard(engine, 1, () -> client.send(RedisCommand.of("INCR", "n")));
        assertThat(incr.asLong()).isEqualTo(42);
        RedisReply get = TestSupport.onShard(engine, 0, () -> client.send(RedisCommand.of("GET", "n")));
        assertThat(get.type()).isEqualTo(RedisReply.Type.BULK);
        assertThat(get.asString()).isEqualTo("42");
        RedisReply mget = TestSupport.onShard(engine, 1, () -> client.send(RedisCommand.of("MGET", "n", "missing")));
        assertThat(mget.asList()).extracting(RedisReply::type).containsExactly(RedisReply.Type.BULK, RedisReply.Type.NIL);
        RedisReply error = TestSupport.onShard(engine, 0, () -> client.send(RedisCommand.of("NOSUCHCOMMAND")));
        assertThat(error.isError()).isTrue();
        assertThat(error.asString()).contains("unknown command");
        // An error reply is an answer, not an endpoint failure.
        assertThat(client.metrics(0).failures()).isZero();
    }

    @Test
    void aServerHandlerCallsTheUpstreamOnItsOwnShard() throws Exception {
        List<RedisProcess> servers = startRedis(2);
        servers.get(0).command("SET greeting hello");
        servers.get(1).command("SET greeting hello");
        UpstreamClient<RedisCommand, RedisReply> client = client(LoadBalancing.ROUND_ROBIN, servers);
        AtomicInteger wrongThread = new AtomicInteger();
        ShardedServer proxy = ShardedServer.start(engine, ServerOptions.builder().build(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), sc.requestTracker(),
                        new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                String key = msg.toString(StandardCharsets.UTF_8);
                                client.send(RedisCommand.of("GET", key)).whenComplete((reply, error) -> {
                                    if (Shard.current().id() != sc.shardId()) {
                                        wrongThread.incrementAndGet();
                                    }
                                    String line = error != null ? "ERR " + error.getMessage() : reply.asString() + " from shard " + sc.shardId();
                                    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), line + "\n"));
                                });
                            }
                        });
            }
        });
        closeables.add(proxy);
        for (int i = 0; i < 10; i++) {
            try (Socket s = new Socket("127.0.0.1", proxy.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("greeting\n".getBytes(StandardCharsets.UTF_8));
                String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertThat(reply).startsWith("hello from shard ");
            }
        }
        assertThat(wrongThread.get()).isZero();
    }
}
