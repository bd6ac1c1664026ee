package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lettuce's client-side caching ({@code ClientSideCaching} with a {@code CacheFrontend}, RESP3
 * tracking) against the demo on two shards, and the same against redis-server: a value read once
 * is served from the cache (no GET reaches the server), and once another connection has written
 * the key and has its reply, the next command of the caching connection brings the invalidation
 * first, so the cache never serves the old value after it. Keys on both shards, caching connections
 * on both shards.
 */
class LettuceClientSideCachingTest {

    private static TestServices demo;
    private static RealRedis redis;

    @BeforeAll
    static void start() throws Exception {
        demo = TestServices.start(2, DemoSettings.forTests());
        redis = RealRedis.start();
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    @Test
    void aCachedValueIsInvalidatedWhenAnotherConnectionWritesItOnEitherShard() {
        List<String> keys = List.of(demo.keyOn(0, "lettuce:"), demo.keyOn(1, "lettuce:"));
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
        try {
            List<StatefulRedisConnection<String, String>> cachingOnEachShard = new ArrayList<>();
            List<StatefulRedisConnection<String, String>> spare = new ArrayList<>();
            for (int shard = 0; shard < 2; shard++) {
                for (int tries = 0; ; tries++) {
                    assertThat(tries).as("a connection on shard " + shard).isLessThan(200);
                    StatefulRedisConnection<String, String> c = client.connect();
                    if (c.sync().clientInfo().contains(" shard=" + shard)) {
                        cachingOnEachShard.add(c);
                        break;
                    }
                    spare.add(c);
                }
            }
            spare.forEach(StatefulRedisConnection::close);
            try (StatefulRedisConnection<String, String> writer = client.connect()) {
                for (StatefulRedisConnection<String, String> caching : cachingOnEachShard) {
                    cacheFollowsWrites(caching, writer, keys);
                }
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void redisServerBehavesTheSame() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
        try (StatefulRedisConnection<String, String> caching = client.connect(); StatefulRedisConnection<String, String> writer = client.connect()) {
            cacheFollowsWrites(caching, writer, List.of(demo.keyOn(0, "lettuce:"), demo.keyOn(1, "lettuce:")));
        } finally {
            client.shutdown();
        }
    }

    private static void cacheFollowsWrites(StatefulRedisConnection<String, String> caching, StatefulRedisConnection<String, String> writer,
                                           List<String> keys) {
        Map<String, String> local = new ConcurrentHashMap<>();
        CacheFrontend<String, String> frontend = ClientSideCaching.enable(CacheAccessor.forMap(local), caching, TrackingArgs.Builder.enabled());
        try {
            for (String key : keys) {
                writer.sync().set(key, "v1");
                assertThat(frontend.get(key)).isEqualTo("v1");
                assertThat(local).containsEntry(key, "v1");
                long gets = getCalls(writer);
                for (int i = 0; i < 10; i++) {
                    assertThat(frontend.get(key)).isEqualTo("v1");
                }
                assertThat(getCalls(writer)).as("served from the cache").isEqualTo(gets);
                for (int round = 2; round < 20; round++) {
                    writer.sync().set(key, "v" + round);
                    caching.sync().ping(); // sent after the writer had its reply: its reply follows the invalidation
                    assertThat(local).as("the invalidation of %s arrived before PING's reply", key).doesNotContainKey(key);
                    assertThat(frontend.get(key)).isEqualTo("v" + round);
                }
                writer.sync().del(key);
                caching.sync().ping();
                assertThat(frontend.get(key)).isNull();
            }
        } finally {
            frontend.close();
        }
    }

    private static long getCalls(StatefulRedisConnection<String, String> c) {
        for (String line : c.sync().info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_get:")) {
                return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return 0;
    }
}
