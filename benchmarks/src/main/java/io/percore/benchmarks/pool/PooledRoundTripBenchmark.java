package io.percore.benchmarks.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.ShardPlacement;
import io.percore.net.client.ClientProtocol;
import io.percore.net.client.UpstreamClient;
import io.percore.net.client.UpstreamOptions;
import io.percore.net.discovery.StaticDiscovery;
import io.percore.net.health.HealthCheckOptions;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request/response round trip ("PING\n" → "PONG\n") to a local line server, side by side:
 * through an {@link UpstreamClient} (shard-local pool, load balancer, health, retry accounting)
 * versus a plain Netty {@link Bootstrap} client on one connection. Both start from the benchmark
 * thread and hop to an I/O thread and back, so the difference is the pool/client machinery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PooledRoundTripBenchmark {

    private Engine serverEngine;
    private Engine clientEngine;
    private ShardedServer server;
    private UpstreamClient<String, String> pooled;
    private EventLoopGroup plainGroup;
    private Channel plainChannel;
    private volatile CompletableFuture<String> plainPending;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        serverEngine = engine();
        clientEngine = engine();
        server = ShardedServer.start(serverEngine, ServerOptions.builder().port(0).build(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "PONG\n"));
                    }
                });
            }
        });
        pooled = UpstreamClient.builder(clientEngine, new LineProtocol())
                .options(UpstreamOptions.builder("bench").healthCheck(HealthCheckOptions.disabled()).build())
                .discovery(StaticDiscovery.of("127.0.0.1:" + server.port()))
                .build();

        boolean uring = IoUring.isAvailable();
        plainGroup = new MultiThreadIoEventLoopGroup(1, uring ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory());
        plainChannel = new Bootstrap().group(plainGroup)
                .channel(uring ? IoUringSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        new LineProtocol().initChannel(ch);
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<String>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, String msg) {
                                plainPending.complete(msg);
                            }
                        });
                    }
                })
                .connect("127.0.0.1", server.port()).sync().channel();
    }

    private static Engine engine() {
        EngineConfig c = new EngineConfig();
        c.setMode(EngineConfig.Mode.OVERPROVISIONED);
        c.setIdlePoll(Duration.ZERO);
        return Engine.start(c, ShardPlacement.unpinned(1, "benchmark"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        plainChannel.close().sync();
        plainGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        pooled.close();
        server.shutdownGracefully(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
        clientEngine.close();
        serverEngine.close();
    }

    @Benchmark
    public String pooledUpstreamClient() throws Exception {
        return clientEngine.submitTo(0, () -> pooled.send("PING").toCompletableFuture()).get().get(5, TimeUnit.SECONDS);
    }

    @Benchmark
    public String plainNettyBootstrap() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        plainPending = f;
        plainChannel.writeAndFlush("PING");
        return f.get(5, TimeUnit.SECONDS);
    }

    /** "PING" out as a line, one line back. */
    static final class LineProtocol implements ClientProtocol<String, String> {
        @Override
        public void initChannel(Channel channel) {
            channel.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.US_ASCII),
                    new StringEncoder(StandardCharsets.US_ASCII) {
                        @Override
                        protected void encode(ChannelHandlerContext ctx, CharSequence msg, java.util.List<Object> out) throws Exception {
                            super.encode(ctx, msg + "\n", out);
                        }
                    });
        }

        @Override
        public String toResponse(Object message) {
            return (String) message;
        }
    }
}
