package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import io.lettuce.core.protocol.ProtocolVersion;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.stream.StreamMessageListenerContainer;
import org.springframework.data.redis.stream.StreamMessageListenerContainer.StreamMessageListenerContainerOptions;
import org.springframework.data.redis.stream.Subscription;

/**
 * Issue 30 with real clients: Lettuce's stream API in RESP3 (its default) and RESP2, every command
 * through its own argument builders and result parsers, a blocking XREAD answered by an XADD on the
 * other shard; and Spring Data Redis's {@code StreamMessageListenerContainer} receiving from two
 * streams on both shards, plain and through a consumer group with acknowledgement.
 */
class StreamClientsTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @Test
    void lettucesStreamApiInBothProtocols() throws Exception {
        for (ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP3, ProtocolVersion.RESP2}) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
            client.setOptions(io.lettuce.core.ClientOptions.builder().protocolVersion(protocol).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> r = connection.sync();
                String a = demo.keyOn(0, "lt:a:" + protocol + ":");
                String b = demo.keyOn(1, "lt:b:" + protocol + ":");
                r.del(a, b);
                String first = r.xadd(a, Map.of("f", "1"));
                r.xadd(a, new XAddArgs().id("99999999999999-1"), Map.of("f", "2"));
                r.xadd(a, XAddArgs.Builder.maxlen(10).approximateTrimming(), Map.of("f", "3", "g", "x"));
                assertThat(r.xlen(a)).isEqualTo(3);
                List<StreamMessage<String, String>> range = r.xrange(a, Range.create("-", "+"));
                assertThat(range).extracting(StreamMessage::getId).first().isEqualTo(first);
                assertThat(range.get(2).getBody()).isEqualTo(Map.of("f", "3", "g", "x"));
                assertThat(r.xrevrange(a, Range.create("-", "+"), Limit.from(1)).get(0).getBody()).containsEntry("g", "x");
                List<StreamMessage<String, String>> read = r.xread(XReadArgs.StreamOffset.from(a, "0-0"), XReadArgs.StreamOffset.from(b, "0-0"));
                if (protocol == ProtocolVersion.RESP3) {
                    assertThat(read).hasSize(3);
                } else {
                    // Lettuce 7.5's RESP2 parser folds XREAD's entries into one message: the same from redis-server (below)
                    assertThat(read).isEqualTo(readFromRedisServer(a, b));
                }

                assertThat(r.xgroupCreate(XReadArgs.StreamOffset.from(b, "$"), "g", XGroupCreateArgs.Builder.mkstream())).isEqualTo("OK");
                r.xadd(b, Map.of("n", "1"));
                r.xadd(b, Map.of("n", "2"));
                List<StreamMessage<String, String>> got = r.xreadgroup(Consumer.from("g", "alice"), XReadArgs.Builder.count(1),
                        XReadArgs.StreamOffset.lastConsumed(b));
                assertThat(got).hasSize(1);
                PendingMessages summary = r.xpending(b, "g");
                assertThat(summary.getCount()).isEqualTo(1);
                assertThat(summary.getConsumerMessageCount()).containsEntry("alice", 1L);
                List<PendingMessage> pending = r.xpending(b, Consumer.from("g", "alice"), Range.create("-", "+"), Limit.from(10));
                assertThat(pending).extracting(PendingMessage::getId).containsExactly(got.get(0).getId());
                List<StreamMessage<String, String>> claimed = r.xclaim(b, Consumer.from("g", "bob"), XClaimArgs.Builder.minIdleTime(0),
                        got.get(0).getId());
                assertThat(claimed).extracting(StreamMessage::getBody).containsExactly(Map.of("n", "1"));
                r.xreadgroup(Consumer.from("g", "alice"), XReadArgs.StreamOffset.lastConsumed(b));
                ClaimedMessages<String, String> auto = r.xautoclaim(b, XAutoClaimArgs.Builder.xautoclaim(Consumer.from("g", "carol"), 0, "0-0").count(10));
                assertThat(auto.getMessages()).hasSize(2);
                assertThat(r.xack(b, "g", auto.getMessages().get(0).getId(), auto.getMessages().get(1).getId())).isEqualTo(2);
                assertThat(r.xinfoStream(b)).contains("length", 2L);
                assertThat(r.xinfoGroups(b)).hasSize(1);
                assertThat(r.xinfoConsumers(b, "g")).hasSize(3);
                assertThat(r.xgroupDelconsumer(b, Consumer.from("g", "bob"))).isEqualTo(0);
                assertThat(r.xtrim(b, XTrimArgs.Builder.maxlen(1))).isEqualTo(1);
                assertThat(r.xdel(a, first)).isEqualTo(1);
                assertThat(r.xgroupDestroy(b, "g")).isTrue();

                // a blocking XREAD on one shard's stream, answered by an XADD through another connection
                CompletableFuture<List<StreamMessage<String, String>>> waiting = connection.async()
                        .xread(XReadArgs.Builder.block(Duration.ofSeconds(20)), XReadArgs.StreamOffset.latest(a)).toCompletableFuture();
                Thread.sleep(100);
                try (StatefulRedisConnection<String, String> other = client.connect()) {
                    other.sync().xadd(a, Map.of("late", "yes"));
                }
                assertThat(waiting.get(20, TimeUnit.SECONDS)).extracting(StreamMessage::getBody).containsExactly(Map.of("late", "yes"));
            } finally {
                client.shutdown();
            }
        }
    }

    /** What Lettuce in RESP2 makes of XREAD of the same three entries on a real redis-server. */
    private static List<StreamMessage<String, String>> readFromRedisServer(String a, String b) throws Exception {
        try (io.percore.demo.support.RealRedis redis = io.percore.demo.support.RealRedis.start()) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
            client.setOptions(io.lettuce.core.ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> r = connection.sync();
                try (io.percore.demo.support.RespTestClient d = new io.percore.demo.support.RespTestClient(demo.respPort())) {
                    for (Object e : (List<?>) d.cmd("XRANGE", a, "-", "+")) {
                        List<?> entry = (List<?>) e;
                        List<?> fields = (List<?>) entry.get(1);
                        java.util.LinkedHashMap<String, String> body = new java.util.LinkedHashMap<>();
                        for (int i = 0; i < fields.size(); i += 2) {
                            body.put((String) fields.get(i), (String) fields.get(i + 1));
                        }
                        r.xadd(a, new XAddArgs().id((String) entry.get(0)), body);
                    }
                }
                return r.xread(XReadArgs.StreamOffset.from(a, "0-0"), XReadArgs.StreamOffset.from(b, "0-0"));
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void springDataRedisListenerContainersReceiveFromStreamsOnBothShards() throws Exception {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", demo.respPort()));
        factory.afterPropertiesSet();
        factory.start();
        StreamMessageListenerContainer<String, MapRecord<String, String, String>> container = null;
        try {
            StringRedisTemplate template = new StringRedisTemplate(factory);
            String orders = demo.keyOn(0, "sd:orders:");
            String events = demo.keyOn(1, "sd:events:");
            template.delete(List.of(orders, events));
            template.opsForStream().createGroup(events, ReadOffset.from("0"), "workers");
            container = StreamMessageListenerContainer.create(factory, StreamMessageListenerContainerOptions.builder()
                    .pollTimeout(Duration.ofMillis(100)).build());
            BlockingQueue<MapRecord<String, String, String>> plain = new LinkedBlockingQueue<>();
            BlockingQueue<MapRecord<String, String, String>> grouped = new LinkedBlockingQueue<>();
            Subscription s1 = container.receive(StreamOffset.create(orders, ReadOffset.from("0-0")), plain::add);
            Subscription s2 = container.receiveAutoAck(org.springframework.data.redis.connection.stream.Consumer.from("workers", "w1"),
                    StreamOffset.create(events, ReadOffset.lastConsumed()), grouped::add);
            container.start();
            assertThat(s1.await(Duration.ofSeconds(10))).isTrue();
            assertThat(s2.await(Duration.ofSeconds(10))).isTrue();
            List<RecordId> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(template.opsForStream().add(orders, Map.of("order", Integer.toString(i))));
                template.opsForStream().add(events, Map.of("event", Integer.toString(i)));
            }
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                MapRecord<String, String, String> r = plain.poll(20, TimeUnit.SECONDS);
                assertThat(r).as("order %d", i).isNotNull();
                received.add(r.getValue().get("order"));
            }
            assertThat(received).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
                    "16", "17", "18", "19");
            for (int i = 0; i < 20; i++) {
                MapRecord<String, String, String> r = grouped.poll(20, TimeUnit.SECONDS);
                assertThat(r).as("event %d", i).isNotNull();
                assertThat(r.getValue()).containsEntry("event", Integer.toString(i));
            }
            // auto-acknowledged: nothing pending once the container has handed them over
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (template.opsForStream().pending(events, "workers").getTotalPendingMessages() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(template.opsForStream().pending(events, "workers").getTotalPendingMessages()).isZero();
            assertThat(template.opsForStream().size(orders)).isEqualTo(20);
        } finally {
            if (container != null) {
                container.stop();
            }
            factory.destroy();
        }
    }
}
