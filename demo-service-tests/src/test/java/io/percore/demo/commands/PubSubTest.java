package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Issue 14: pub/sub. Replies, pushes and errors compared with a real redis-server in RESP2 and
 * RESP3; messages published on any shard reach subscribers on every shard in publish order; Jedis
 * and Lettuce (RESP3) subscribe; a subscriber that stops reading is disconnected at the output
 * buffer limit instead of growing the server's memory.
 */
class PubSubTest {

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** Sends {@code command} to both servers and reads {@code replies} replies from each; they must be equal. */
    private static void same(RespTestClient r, RespTestClient d, String proto, int replies, String... command) throws IOException {
        r.send(RespTestClient.encode(command));
        d.send(RespTestClient.encode(command));
        for (int i = 0; i < replies; i++) {
            assertThat(d.read()).as("RESP" + proto + " " + String.join(" ", command) + " reply " + (i + 1)).isEqualTo(r.read());
        }
    }

    @Test
    void subscribedModeRepliesAndMessagesAreRedises() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            try (RespTestClient rp = new RespTestClient(redis.port()); RespTestClient dp = new RespTestClient(demo.respPort())) {
                same(r, d, proto, 1, "UNSUBSCRIBE");
                same(r, d, proto, 1, "PUNSUBSCRIBE");
                same(r, d, proto, 2, "SUBSCRIBE", "news" + proto, "sport" + proto);
                same(r, d, proto, 1, "SUBSCRIBE", "news" + proto);
                same(r, d, proto, 1, "PSUBSCRIBE", "n*" + proto);
                same(r, d, proto, 1, "SSUBSCRIBE", "orders" + proto);
                same(r, d, proto, 1, "PING");
                same(r, d, proto, 1, "PING", "hi");
                same(r, d, proto, 1, "GET", "x");
                // a message on a channel and its pattern, and a shard message
                assertThat(dp.cmd("PUBLISH", "news" + proto, "hello")).isEqualTo(rp.cmd("PUBLISH", "news" + proto, "hello"));
                assertThat(d.read()).isEqualTo(r.read());
                assertThat(d.read()).isEqualTo(r.read());
                assertThat(dp.cmd("SPUBLISH", "orders" + proto, "o1")).isEqualTo(rp.cmd("SPUBLISH", "orders" + proto, "o1"));
                assertThat(d.read()).isEqualTo(r.read());
                assertThat(dp.cmd("PUBLISH", "nobody" + proto, "x")).isEqualTo(rp.cmd("PUBLISH", "nobody" + proto, "x"));
                for (String[] introspection : new String[][] {
                        {"PUBSUB", "NUMSUB", "news" + proto, "sport" + proto, "none"},
                        {"PUBSUB", "SHARDNUMSUB", "orders" + proto, "news" + proto},
                        {"PUBSUB", "CHANNELS", "sport" + proto},
                        {"PUBSUB", "SHARDCHANNELS", "orders*"},
                        {"PUBSUB", "NUMPAT"}, {"PUBSUB", "HELP"}, {"PUBSUB", "NOPE"}, {"PUBSUB", "NUMPAT", "x"},
                        {"PUBSUB", "CHANNELS", "a", "b"}, {"PUBSUB", "HELP", "x"}}) {
                    assertThat(dp.cmd(introspection)).as(String.join(" ", introspection)).isEqualTo(rp.cmd(introspection));
                }
                same(r, d, proto, 1, "UNSUBSCRIBE", "sport" + proto, "never" + proto);
                same(r, d, proto, 1, "PUNSUBSCRIBE");
                same(r, d, proto, 1, "SUNSUBSCRIBE");
                same(r, d, proto, 1, "UNSUBSCRIBE");
                // out of subscribed mode: plain commands again
                same(r, d, proto, 1, "PING");
            }
        });
    }

    @Test
    void confirmationsAndMessagesPassClientReplyOff() throws Exception {
        // Redis writes pub/sub confirmations and messages while "pushing", past CLIENT REPLY OFF (unit/pubsub)
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            try (RespTestClient rp = new RespTestClient(redis.port()); RespTestClient dp = new RespTestClient(demo.respPort())) {
                r.send(RespTestClient.encode("CLIENT", "REPLY", "OFF"));
                d.send(RespTestClient.encode("CLIENT", "REPLY", "OFF"));
                same(r, d, proto, 1, "SUBSCRIBE", "quiet" + proto);
                same(r, d, proto, 1, "PSUBSCRIBE", "qu*" + proto);
                assertThat(dp.cmd("PUBLISH", "quiet" + proto, "hello")).isEqualTo(rp.cmd("PUBLISH", "quiet" + proto, "hello"));
                assertThat(d.read()).isEqualTo(r.read());
                assertThat(d.read()).isEqualTo(r.read());
                same(r, d, proto, 1, "UNSUBSCRIBE", "quiet" + proto);
                same(r, d, proto, 1, "PUNSUBSCRIBE", "qu*" + proto);
                r.send(RespTestClient.encode("CLIENT", "REPLY", "ON"));
                d.send(RespTestClient.encode("CLIENT", "REPLY", "ON"));
                same(r, d, proto, 1, "PING");
            }
        });
    }

    @Test
    void messagesFromEveryShardReachEverySubscriberInPublishOrder() throws Exception {
        int subscribers = 12;
        int messages = 300;
        List<RespTestClient> subs = new ArrayList<>();
        try (RespTestClient publisherA = new RespTestClient(demo.respPort()); RespTestClient publisherB = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < subscribers; i++) {
                RespTestClient s = new RespTestClient(demo.respPort());
                subs.add(s);
                s.cmd(i % 2 == 0 ? "SUBSCRIBE" : "PSUBSCRIBE", i % 2 == 0 ? "fan" : "f?n");
            }
            // two publishers, most likely on different shards: each one's messages in order at every subscriber
            for (int m = 0; m < messages; m++) {
                publisherA.send(RespTestClient.encode("PUBLISH", "fan", "a" + m));
                publisherB.send(RespTestClient.encode("PUBLISH", "fan", "b" + m));
            }
            for (int m = 0; m < messages; m++) {
                assertThat(publisherA.read()).isEqualTo((long) subscribers);
                assertThat(publisherB.read()).isEqualTo((long) subscribers);
            }
            for (int i = 0; i < subscribers; i++) {
                int nextA = 0;
                int nextB = 0;
                for (int m = 0; m < 2 * messages; m++) {
                    @SuppressWarnings("unchecked")
                    List<Object> push = (List<Object>) subs.get(i).read();
                    String payload = (String) push.get(push.size() - 1);
                    if (payload.startsWith("a")) {
                        assertThat(payload).isEqualTo("a" + nextA++);
                    } else {
                        assertThat(payload).isEqualTo("b" + nextB++);
                    }
                }
                assertThat(nextA).isEqualTo(messages);
                assertThat(nextB).isEqualTo(messages);
            }
        } finally {
            for (RespTestClient s : subs) {
                s.close();
            }
        }
    }

    @Test
    void jedisAndLettuceOverResp3Subscribe() throws Exception {
        BlockingQueue<String> jedisGot = new LinkedBlockingQueue<>();
        CountDownLatch jedisSubscribed = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                jedisSubscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                jedisGot.add(pattern + "|" + channel + "|" + message);
            }
        };
        Thread jedisThread = new Thread(() -> {
            try (Jedis j = new Jedis("127.0.0.1", demo.respPort())) {
                j.psubscribe(listener, "chat.*");
            }
        });
        jedisThread.start();
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + demo.respPort()); // Lettuce 6 says HELLO 3
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            BlockingQueue<String> lettuceGot = new LinkedBlockingQueue<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    lettuceGot.add(channel + "|" + message);
                }
            });
            sub.sync().subscribe("chat.room");
            assertThat(jedisSubscribed.await(30, TimeUnit.SECONDS)).isTrue();
            try (Jedis publisher = new Jedis("127.0.0.1", demo.respPort())) {
                assertThat(publisher.publish("chat.room", "hi")).isEqualTo(2);
            }
            assertThat(lettuceGot.poll(30, TimeUnit.SECONDS)).isEqualTo("chat.room|hi");
            assertThat(jedisGot.poll(30, TimeUnit.SECONDS)).isEqualTo("chat.*|chat.room|hi");
            // and a subscribed RESP3 connection may still run any command
            assertThat(sub.sync().ping()).isEqualTo("PONG");
        } finally {
            listener.punsubscribe();
            jedisThread.join(5_000);
            client.shutdown();
        }
    }

    @Test
    void theOutputLimitIsConfiguredAsRedisDoes() throws Exception {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            String[][] commands = {
                    {"CONFIG", "GET", "client-output-buffer-limit"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"},
                    {"CONFIG", "GET", "client-output-buffer-limit"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 replica 1gb 100mb 30"},
                    {"CONFIG", "GET", "client-output-buffer-limit"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "master 1mb 0 0"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1xb 0 0"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 -1"},
                    {"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
                    {"CONFIG", "GET", "client-output-buffer-limit"}};
            for (String[] command : commands) {
                assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsDisconnectedAtTheOutputLimit() throws Exception {
        try (TestServices small = TestServices.start(1, DemoSettings.forTests());
             RespTestClient slow = new RespTestClient(small.respPort());
             RespTestClient publisher = new RespTestClient(small.respPort())) {
            // the limit applies live, to connections already subscribed
            slow.cmd("SUBSCRIBE", "firehose");
            assertThat(publisher.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")).isEqualTo("OK");
            String payload = "x".repeat(16 * 1024);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long receivers = 1;
            int published = 0;
            // 16 KB messages, never read: the socket buffers fill, then the server's output passes 1 MB
            while (receivers > 0 && System.nanoTime() < deadline) {
                receivers = (Long) publisher.cmd("PUBLISH", "firehose", payload);
                published++;
            }
            assertThat(receivers).as("subscriber still counted after " + published + " messages").isZero();
            assertThat(publisher.cmd("PUBSUB", "NUMSUB", "firehose")).isEqualTo(List.of("firehose", 0L));
            assertThat(published).as("messages published before the cut (the default 32 MB limit takes about 2,000)").isLessThan(1_000);
            assertThat(publisher.cmd("PING")).isEqualTo("PONG");
        }
    }
}
