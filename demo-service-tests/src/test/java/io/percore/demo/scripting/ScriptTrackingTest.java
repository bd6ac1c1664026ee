package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A script's write of a key that tracking clients on other shards read: the invalidations go to
 * those shards, and the script's {@code redis.call} is still answered at once (Redis's tracking
 * unit, "Invalid keys should not be tracked for scripts in NOLOOP mode", failed here with "needs
 * other shards" while the write itself was applied).
 */
class ScriptTrackingTest {

    @Test
    void aScriptWritesKeysOthersTrackOnEveryShard() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient writer = new RespTestClient(demo.respPort())) {
            writer.cmd("HELLO", "3");
            writer.cmd("CLIENT", "TRACKING", "on", "NOLOOP");
            for (int i = 0; i < 12; i++) {
                String key = demo.keyOn(i % 2, "scripted:" + i + ":");
                try (RespTestClient reader = new RespTestClient(demo.respPort())) {
                    reader.cmd("HELLO", "3");
                    reader.cmd("CLIENT", "TRACKING", "on");
                    writer.cmd("SET", key, "1");
                    assertThat(reader.cmd("GET", key)).isEqualTo("1");
                    assertThat(writer.cmd("GET", key)).isEqualTo("1");
                    assertThat(writer.cmd("EVAL", "return redis.call('set', KEYS[1], '2')", "1", key)).as(key).isEqualTo("OK");
                    assertThat(writer.cmd("GET", key)).isEqualTo("2");
                    // the reader that read it is told, as by any write
                    assertThat(reader.read()).isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of(key))));
                }
            }
        }
    }

    /**
     * Redis's unit/tracking "Tracking only occurs for scripts when a command calls a read-only command":
     * Redis 7.0 remembers a script's declared keys once it calls a read command, and nothing for one
     * that only writes or pings; the same steps against redis-server give the same pushes. Tracking
     * clients on either shard (a fresh pair each round).
     */
    @Test
    void aScriptsDeclaredKeysAreTrackedOnceItCallsAReadCommandAsOnRedisServer() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RealRedis redis = RealRedis.start()) {
            List<Object> expected = readsTracked(redis.port());
            RespTestClient.Push3 key1 = new RespTestClient.Push3(List.of("invalidate", List.of("key1{t}")));
            RespTestClient.Push3 key2 = new RespTestClient.Push3(List.of("invalidate", List.of("key2{t}")));
            assertThat(expected).containsExactly("PONG", key2, key1, "PONG", key2, key1, "PONG");
            for (int round = 0; round < 4; round++) {
                assertThat(readsTracked(demo.respPort())).as("round " + round).isEqualTo(expected);
            }
        }
    }

    private static List<Object> readsTracked(int port) throws Exception {
        List<Object> seen = new java.util.ArrayList<>();
        try (RespTestClient r = new RespTestClient(port); RespTestClient other = new RespTestClient(port)) {
            r.cmd("HELLO", "3");
            r.cmd("CLIENT", "TRACKING", "on");
            other.cmd("MSET", "key1{t}", "1", "key2{t}", "1");
            r.cmd("EVAL", "redis.call('set', 'key3{t}', 'bar')", "2", "key1{t}", "key2{t}"); // no read: nothing remembered
            other.cmd("MSET", "key2{t}", "2", "key1{t}", "2");
            seen.add(r.cmd("PING"));
            r.cmd("EVAL", "redis.call('get', 'key3{t}')", "2", "key1{t}", "key2{t}"); // a read: the declared keys
            other.cmd("MSET", "key2{t}", "2", "key1{t}", "2");
            seen.add(r.read());
            seen.add(r.read());
            seen.add(r.cmd("PING"));
            r.cmd("EVAL_RO", "redis.call('ping')", "2", "key1{t}", "key2{t}");
            other.cmd("MSET", "key2{t}", "2", "key1{t}", "2");
            r.cmd("EVAL_RO", "redis.call('get', 'key1{t}')", "2", "key1{t}", "key2{t}");
            other.cmd("MSET", "key2{t}", "3", "key1{t}", "3");
            seen.add(r.read());
            seen.add(r.read());
            seen.add(r.cmd("PING"));
        }
        return seen;
    }
}
