package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RAtomicLong;
import org.redisson.api.RBucket;
import org.redisson.api.RLock;
import org.redisson.api.RMap;
import org.redisson.api.RMapCache;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RSemaphore;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Redisson's objects that are Lua scripts (EVAL/EVALSHA with their keys hash-tagged onto one slot)
 * against the demo on two shards, and the same steps against redis-server: the results must be the
 * same. Issue 28 found RLock, contended tryLock, compareAndSet and RMap put/remove failing while
 * scripting was refused.
 */
class RedissonScriptsTest {

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
    void redissonsScriptedObjectsGiveWhatTheyGiveOnRedisServer() throws Exception {
        List<Object> onDemo = steps(demo.respPort());
        List<Object> onRedis = steps(redis.port());
        // what the steps give on redis-server: the lock held, refused to a contender, then given to the waiter at unlock
        assertThat(onRedis).hasSize(4 * 29);
        assertThat(onRedis.subList(0, 4)).containsExactly(true, false, true, false);
        assertThat(onDemo).isEqualTo(onRedis);
    }

    /**
     * PUBLISH inside a script (Redisson's unlock wakes the lock's waiters so) reaches subscribers on
     * every shard; it answers the count of this shard's, as a Redis Cluster node counts only its own
     * clients (redis-server on one node counts all: 2 here).
     */
    @Test
    void aScriptsPublishReachesSubscribersOnEveryShard() throws Exception {
        List<RespTestClient> subscribers = new ArrayList<>();
        RespTestClient publisher = null;
        try {
            for (int shard = 0; shard < 2; shard++) {
                RespTestClient s = demo.clientOn(shard);
                subscribers.add(s);
                assertThat(s.cmd("SUBSCRIBE", "script-channel")).isEqualTo(List.of("subscribe", "script-channel", 1L));
            }
            publisher = demo.clientOn(0);
            assertThat(publisher.cmd("EVAL", "return redis.call('publish', ARGV[1], ARGV[2])", "0", "script-channel", "hello"))
                    .isEqualTo(1L);
            for (RespTestClient s : subscribers) {
                assertThat(s.read()).isEqualTo(List.of("message", "script-channel", "hello"));
            }
        } finally {
            for (RespTestClient s : subscribers) {
                s.close();
            }
            if (publisher != null) {
                publisher.close();
            }
        }
    }

    /** Each object's operations, their results in order (names and values chosen to put objects on both shards). */
    private static List<Object> steps(int port) throws Exception {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress("redis://127.0.0.1:" + port).setConnectionMinimumIdleSize(2).setConnectionPoolSize(4)
                .setSubscriptionConnectionMinimumIdleSize(1).setTimeout(5000).setRetryAttempts(0);
        RedissonClient client = Redisson.create(config);
        List<Object> out = new ArrayList<>();
        try {
            client.getKeys().flushall();
            for (int i = 0; i < 4; i++) {
                String n = "obj" + i;

                RLock lock = client.getLock("lock:" + n);
                lock.lock(30, TimeUnit.SECONDS);
                out.add(lock.isLocked());
                // contended: another thread cannot take it until it is released, then can
                out.add(CompletableFuture.supplyAsync(() -> tryLockAndRelease(lock, 0)).get(20, TimeUnit.SECONDS));
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> tryLockAndRelease(lock, 10_000));
                Thread.sleep(50);
                lock.unlock();
                out.add(waiter.get(20, TimeUnit.SECONDS)); // woken by the unlock's message, or by its own retry
                out.add(lock.isLocked());

                RBucket<String> bucket = client.getBucket("bucket:" + n);
                bucket.set("a");
                out.add(bucket.compareAndSet("b", "c"));
                out.add(bucket.compareAndSet("a", "c"));
                out.add(bucket.get());

                RAtomicLong counter = client.getAtomicLong("counter:" + n);
                out.add(counter.incrementAndGet());
                out.add(counter.compareAndSet(5, 6));
                out.add(counter.compareAndSet(1, 7));
                out.add(counter.get());

                RMap<String, String> map = client.getMap("map:" + n);
                out.add(map.put("f", "1"));
                out.add(map.put("f", "2"));
                out.add(map.putIfAbsent("f", "3"));
                out.add(map.remove("f", "1"));
                out.add(map.remove("f"));
                out.add(map.size());

                RSemaphore semaphore = client.getSemaphore("semaphore:" + n);
                out.add(semaphore.trySetPermits(2));
                out.add(semaphore.tryAcquire(2));
                out.add(semaphore.tryAcquire());
                semaphore.release();
                out.add(semaphore.availablePermits());

                RRateLimiter limiter = client.getRateLimiter("limiter:" + n);
                out.add(limiter.trySetRate(RateType.OVERALL, 3, Duration.ofMinutes(10)));
                out.add(List.of(limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()));
                out.add(limiter.availablePermits());

                RMapCache<String, String> cache = client.getMapCache("cache:" + n);
                out.add(cache.put("k", "v", 10, TimeUnit.MINUTES));
                out.add(cache.put("gone", "v", 1, TimeUnit.MILLISECONDS));
                out.add(cache.get("k"));
                Thread.sleep(20);
                out.add(cache.get("gone"));
                out.add(cache.containsKey("k"));
            }
        } finally {
            client.shutdown();
        }
        return out;
    }

    private static boolean tryLockAndRelease(RLock lock, long waitMillis) {
        try {
            boolean got = lock.tryLock(waitMillis, 30_000, TimeUnit.MILLISECONDS);
            if (got) {
                lock.unlock();
            }
            return got;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
