package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 5: no key expires and none is evicted during CLIENT PAUSE, as in Redis 7 (its
 * {@code checkClientPauseTimeoutAndReturnIfPaused} in expireIfNeeded, the expiry cycle and
 * eviction): an expired key reads as missing but stays, counted by DBSIZE and not by
 * {@code expired_keys}, with no {@code expired} event, until the pause ends. Both servers side by
 * side; keys on both of the demo's shards. Redis's {@code unit/pause} "Test both active and passive
 * expires are skipped during client pause", and its eviction counterpart.
 */
class ClientPauseExpiryTest {

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

    @Test
    void keysDoNotExpireWhilePausedAndDoAfter() throws Exception {
        String a = demo.keyOn(0, "paused");
        String b = demo.keyOn(1, "paused");
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient c = new RespTestClient(port); RespTestClient sub = new RespTestClient(port)) {
                c.cmd("FLUSHALL");
                c.cmd("CONFIG", "SET", "notify-keyspace-events", "Ex");
                sub.cmd("SUBSCRIBE", "__keyevent@0__:expired");
                long expiredBefore = stat(c, "expired_keys");
                assertThat(c.cmd("MULTI")).isEqualTo("OK");
                c.cmd("SET", a, "v", "PX", "10");
                c.cmd("SET", b, "v", "PX", "10");
                c.cmd("CLIENT", "PAUSE", "50000", "WRITE");
                assertThat(c.cmd("EXEC")).isEqualTo(List.of("OK", "OK", "OK"));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (c.cmd("GET", a) != null || c.cmd("GET", b) != null) {
                    assertThat(System.nanoTime()).as("the keys read as expired").isLessThan(deadline);
                    Thread.sleep(20);
                }
                Thread.sleep(300); // several expiry cycles
                String on = port == redis.port() ? "redis-server" : "the demo";
                assertThat(c.cmd("EXISTS", a, b)).as(on).isEqualTo(0L);
                assertThat(c.cmd("TTL", a)).as(on).isEqualTo(-2L);
                assertThat(c.cmd("DBSIZE")).as("%s: still there", on).isEqualTo(2L);
                assertThat(stat(c, "expired_keys")).as("%s: none expired", on).isEqualTo(expiredBefore);
                assertThat(sub.available()).as("%s: no expired event", on).isZero();
                assertThat(c.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
                c.cmd("GET", a);
                c.cmd("GET", b);
                assertThat(stat(c, "expired_keys")).as("%s: both expire once unpaused", on).isEqualTo(expiredBefore + 2);
                List<Object> events = new ArrayList<>(List.of(sub.read(), sub.read()));
                assertThat(events).as(on).containsExactlyInAnyOrder(List.of("message", "__keyevent@0__:expired", a),
                        List.of("message", "__keyevent@0__:expired", b));
                assertThat(c.cmd("DBSIZE")).isEqualTo(0L);
                c.cmd("CONFIG", "SET", "notify-keyspace-events", "");
            }
        }
    }

    @Test
    void nothingIsEvictedWhilePaused() throws Exception {
        String a = demo.keyOn(0, "kept");
        String b = demo.keyOn(1, "kept");
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient c = new RespTestClient(port)) {
                String on = port == redis.port() ? "redis-server" : "the demo";
                c.cmd("FLUSHALL");
                c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
                c.cmd("SET", a, "v");
                c.cmd("SET", b, "v");
                c.cmd("CLIENT", "PAUSE", "50000", "WRITE");
                assertThat(c.cmd("CONFIG", "SET", "maxmemory", "1")).isEqualTo("OK");
                assertThat(c.cmd("DBSIZE")).as("%s: nothing evicted while paused", on).isEqualTo(2L);
                assertThat(c.cmd("GET", a)).as(on).isEqualTo("v");
                assertThat(stat(c, "evicted_keys")).as(on).isZero();
                assertThat(c.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
                assertThat(c.cmd("DBSIZE")).as("%s: evicted once unpaused", on).isEqualTo(0L);
                assertThat(c.cmd("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")).isEqualTo("OK");
                c.cmd("CONFIG", "RESETSTAT");
            }
        }
    }

    private static long stat(RespTestClient c, String name) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + name + ":(\\d+)").matcher(String.valueOf(c.cmd("INFO", "stats")));
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }
}
