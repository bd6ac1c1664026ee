package io.percore.benchmarks.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FixedRedisMessagePool;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.net.resp.RespCommandDecoder;
import io.percore.net.resp.RespDecoderLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding what {@code redis-benchmark -P 16} sends (16 SET or GET commands per read) into the
 * {@code byte[][]} argument arrays the demo's commands run on: Netty codec-redis
 * ({@code RedisDecoder} → {@code RedisBulkStringAggregator} → {@code RedisArrayAggregator}, then
 * copying the arguments out, as the demo did before) against the demo's single-pass
 * {@link RespCommandDecoder}. Score: commands per second; run with {@code -prof gc} for B/op.
 * The codec-redis side omits the demo's former frame guard, so it is a lower bound of that cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RespDecodeBenchmark.PIPELINE)
@State(Scope.Thread)
public class RespDecodeBenchmark {

    static final int PIPELINE = 16;

    @Param({"SET", "GET"})
    public String command;

    private ByteBuf input;
    private EmbeddedChannel codecRedis;
    private EmbeddedChannel percore;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String key = String.format("key:%012d", 4711 * i);
            batch.append(command.equals("SET")
                    ? "*3\r\n$3\r\nSET\r\n$16\r\n" + key + "\r\n$3\r\nxxx\r\n"
                    : "*2\r\n$3\r\nGET\r\n$16\r\n" + key + "\r\n");
        }
        byte[] bytes = batch.toString().getBytes(StandardCharsets.US_ASCII);
        input = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);

        codecRedis = new EmbeddedChannel(
                new RedisDecoder(64 * 1024, FixedRedisMessagePool.INSTANCE, true),
                new RedisBulkStringAggregator(),
                new RedisArrayAggregator(1024 * 1024, 1),
                new Sink(blackhole) {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            List<RedisMessage> children = ((ArrayRedisMessage) msg).children();
                            byte[][] argv = new byte[children.size()][];
                            for (int i = 0; i < argv.length; i++) {
                                argv[i] = ByteBufUtil.getBytes(((FullBulkStringRedisMessage) children.get(i)).content());
                            }
                            blackhole.consume(argv);
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }
                });
        percore = new EmbeddedChannel(RespCommandDecoder.withoutAuthentication(RespDecoderLimits.redisDefaults()), new Sink(blackhole));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        codecRedis.finishAndReleaseAll();
        percore.finishAndReleaseAll();
        input.release();
    }

    @Benchmark
    public void codecRedis() {
        feed(codecRedis);
    }

    @Benchmark
    public void percore() {
        feed(percore);
    }

    private void feed(EmbeddedChannel channel) {
        channel.pipeline().fireChannelRead(input.retainedDuplicate());
        channel.pipeline().fireChannelReadComplete();
    }

    /** Consumes decoded commands so that they are not queued in the channel. */
    private static class Sink extends ChannelInboundHandlerAdapter {
        final Blackhole blackhole;

        Sink(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            blackhole.consume(msg);
        }
    }
}
