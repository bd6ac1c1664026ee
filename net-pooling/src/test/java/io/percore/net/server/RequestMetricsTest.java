package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.net.TestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: request counts by the protocol's kinds and the server-side latency of each reply,
 * recorded by the {@link OrderedResponder} from the read burst to the flush, over real sockets.
 */
class RequestMetricsTest {

    private static final RequestKinds KINDS = RequestKinds.of("verb", List.of("now", "later"), "outcome", List.of("ok", "error"));

    private static Engine engine;

    @BeforeAll
    static void startEngine() {
        engine = TestSupport.engine(2);
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    /** "now X" answers at once; "later N X" answers after N ms through a reserved slot; a line starting "err" is an error. */
    private static ChannelInitializer<SocketChannel> lineServer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ServerChannelContext sc = ServerChannelContext.of(ch);
                OrderedResponder<String> responder = new OrderedResponder<>(1000, (reply, out) -> out.writeCharSequence(reply, StandardCharsets.UTF_8));
                ShardRequestMetrics metrics = sc.requestMetrics();
                ch.pipeline().addLast(new LineBasedFrameDecoder(sc.maxRequestSize()), responder, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        String line = ((ByteBuf) msg).toString(StandardCharsets.UTF_8);
                        ReferenceCountUtil.release(msg);
                        String[] words = line.split(" ");
                        int outcome = words[words.length - 1].startsWith("err") ? 1 : 0;
                        if (words[0].equals("later")) {
                            OrderedResponder.Slot slot = responder.reserve();
                            Shard.current().schedule(Duration.ofMillis(Long.parseLong(words[1])), () -> {
                                metrics.count(1, outcome);
                                responder.complete(slot, line + "\n");
                            });
                        } else {
                            metrics.count(0, outcome);
                            responder.reply(line + "\n");
                        }
                    }
                });
            }
        };
    }

    @Test
    void countsEveryRequestByKindAndTimesEachReplyFromItsReadToItsFlush() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).build(), lineServer(), KINDS);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            StringBuilder burst = new StringBuilder();
            IntStream.range(0, 50).forEach(i -> burst.append("now ").append(i).append('\n'));
            burst.append("later 1100 x\n").append("now err\n");
            s.getOutputStream().write(burst.toString().getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 52; i++) {
                assertThat(in.readLine()).isNotNull();
            }
            eventually("52 replies timed", Duration.ofSeconds(10), () -> sumOf(server, 52) != null);
            ShardRequestMetrics m = sumOf(server, 52);
            assertThat(m.requests(0, 0)).isEqualTo(50);
            assertThat(m.requests(0, 1)).isEqualTo(1);
            assertThat(m.requests(1, 0)).isEqualTo(1);
            assertThat(m.requests(1, 1)).isZero();

            // The slow reply waited 1.1 s for its timer; the 50 before it went out at the end of
            // their burst; the one after it waited behind it (replies leave in order). The gap between
            // the two is wide enough for a loaded machine, where a burst's replies took over 250 ms.
            int second = bucketOf(1.0);
            int fiveSeconds = bucketOf(5.0);
            assertThat(m.latencyAtMost(second)).isEqualTo(50);
            assertThat(m.latencyAtMost(fiveSeconds)).isEqualTo(52);
            assertThat(m.latencyAtMost(ShardRequestMetrics.latencyBuckets() - 1)).isEqualTo(52);
            // The two that waited for the timer hold at least 2 × 1.1 s of the sum (the 50 share their burst's time).
            assertThat(m.latencyTotal(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(2 * 1090.0);
        } finally {
            server.close();
        }
    }

    /** The shard that served the connection: the only one with latencies recorded, once all of them are. */
    private static ShardRequestMetrics sumOf(ShardedServer server, long expected) {
        for (int shard = 0; shard < server.shardCount(); shard++) {
            ShardRequestMetrics m = server.metrics(shard).requests();
            if (m.latencyCount() == expected) {
                return m;
            }
        }
        return null;
    }

    private static int bucketOf(double seconds) {
        for (int b = 0; b < ShardRequestMetrics.latencyBuckets(); b++) {
            if (ShardRequestMetrics.latencyBucketBoundSeconds(b) == seconds) {
                return b;
            }
        }
        throw new AssertionError("no bucket bound " + seconds);
    }

    @Test
    void aServerWithoutKindsStillTimesItsReplies() throws Exception {
        ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(0).build(), lineServerWithoutCounts());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("a\nb\n".getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a");
            assertThat(in.readLine()).isEqualTo("b");
            assertThat(server.requestKinds()).isNull();
            eventually("2 replies timed", Duration.ofSeconds(10), () -> sumOf(server, 2) != null);
        } finally {
            server.close();
        }
    }

    private static ChannelInitializer<SocketChannel> lineServerWithoutCounts() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                OrderedResponder<String> responder = new OrderedResponder<>(10, (reply, out) -> out.writeCharSequence(reply, StandardCharsets.UTF_8));
                ch.pipeline().addLast(new LineBasedFrameDecoder(1024), responder, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        responder.reply(((ByteBuf) msg).toString(StandardCharsets.UTF_8) + "\n");
                        ReferenceCountUtil.release(msg);
                    }
                });
            }
        };
    }

    @Test
    void bucketsAreUpperBoundsAndCumulative() {
        ShardRequestMetrics m = new ShardRequestMetrics(null);
        m.recordLatency(10_000, 1);      // exactly the first bound: in the first bucket
        m.recordLatency(10_001, 2);      // just above: in the second
        m.recordLatency(-5, 1);          // a clock step backwards counts as 0
        m.recordLatency(60_000_000_000L, 1); // a minute: only in +Inf
        assertThat(m.latencyAtMost(0)).isEqualTo(2);
        assertThat(m.latencyAtMost(1)).isEqualTo(4);
        int last = ShardRequestMetrics.latencyBuckets() - 1;
        assertThat(ShardRequestMetrics.latencyBucketBoundSeconds(last)).isInfinite();
        assertThat(m.latencyAtMost(last - 1)).isEqualTo(4);
        assertThat(m.latencyAtMost(last)).isEqualTo(5).isEqualTo(m.latencyCount());
        assertThat(m.latencyTotal(TimeUnit.NANOSECONDS)).isEqualTo(10_000 + 2 * 10_001 + 60_000_000_000.0);
        for (int b = 1; b < last; b++) {
            assertThat(ShardRequestMetrics.latencyBucketBoundSeconds(b)).isGreaterThan(ShardRequestMetrics.latencyBucketBoundSeconds(b - 1));
        }
    }

    @Test
    void kindsAreBoundedAndNeverUseReservedTagNames() {
        assertThatThrownBy(() -> RequestKinds.of("le", List.of("a"), "outcome", List.of("ok")))
                .hasMessageContaining("'le'");
        assertThatThrownBy(() -> RequestKinds.of("verb", List.of("a", "a"), "outcome", List.of("ok")))
                .hasMessageContaining("distinct");
        List<String> tooMany = IntStream.range(0, RequestKinds.MAX_LABELS + 1).mapToObj(i -> "k" + i).toList();
        assertThatThrownBy(() -> RequestKinds.of("verb", tooMany, "outcome", List.of("ok")))
                .hasMessageContaining("1 to " + RequestKinds.MAX_LABELS);
        assertThat(KINDS.kind("later")).isEqualTo(1);
        assertThatThrownBy(() -> KINDS.outcome("maybe")).hasMessageContaining("'maybe' is not a outcome");
    }
}
