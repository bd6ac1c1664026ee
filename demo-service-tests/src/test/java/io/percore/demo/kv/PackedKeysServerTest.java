package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through the server: every way a command runs (alone, queued in MULTI, from a script, on another shard than the
 * client's) leaves a small hash, set or sorted set packed in its key's record when it is over, as {@code MEMORY USAGE}
 * (the budget's figure of the key) shows, and a read leaves it so.
 */
class PackedKeysServerTest {

    private static TestServices server;

    @BeforeAll
    static void start() {
        server = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a key holding {@code value} costs packed: its row and one array, the key's length, the key, the packed bytes. */
    private static long packed(String key, ValueType type, Object value) {
        return HeapSizes.ENTRY_OVERHEAD + HeapSizes.arrayBytes(1 + key.length() + PackedValues.length(type, value));
    }

    private static long usage(RespTestClient c, String key) throws Exception {
        return (Long) c.cmd("MEMORY", "USAGE", key);
    }

    @Test
    void eachWayACommandRunsLeavesItsKeyPacked() throws Exception {
        HashValue hash = new HashValue();
        hash.put(b("f"), b("1"), HashValue.Limits.DEFAULT);
        hash.put(b("g"), b("2"), HashValue.Limits.DEFAULT);
        SetValue set = new SetValue();
        set.add(b("5"), SetValue.Limits.DEFAULT);
        set.add(b("70000"), SetValue.Limits.DEFAULT);
        ZSetValue zset = ZSetValue.create(ZSetValue.Limits.DEFAULT, b("m"));
        zset.insert(b("m"), 1.5, ZSetValue.Limits.DEFAULT);
        try (RespTestClient c = new RespTestClient(server.respPort())) {
            for (int i = 0; i < 8; i++) { // keys on both shards, whichever the client's connection is on
                String h = "h" + i;
                String s = "s" + i;
                String z = "z" + i;
                c.cmd("HSET", h, "f", "1");
                c.cmd("HSET", h, "g", "2");
                assertThat(usage(c, h)).as("HSET alone").isEqualTo(packed(h, ValueType.HASH, hash));
                assertThat(c.cmd("MULTI")).isEqualTo("OK");
                c.cmd("SADD", s, "5");
                c.cmd("SADD", s, "70000");
                assertThat((List<?>) c.cmd("EXEC")).hasSize(2);
                assertThat(usage(c, s)).as("SADD in MULTI").isEqualTo(packed(s, ValueType.SET, set));
                c.cmd("EVAL", "return redis.call('ZADD', KEYS[1], '1.5', 'm')", "1", z);
                assertThat(usage(c, z)).as("ZADD from a script").isEqualTo(packed(z, ValueType.ZSET, zset));
                assertThat(c.cmd("HGET", h, "g")).isEqualTo("2");
                assertThat(c.cmd("SISMEMBER", s, "70000")).isEqualTo(1L);
                assertThat(usage(c, h)).as("after reads").isEqualTo(packed(h, ValueType.HASH, hash));
                assertThat(usage(c, s)).isEqualTo(packed(s, ValueType.SET, set));
            }
            c.cmd("HSET", "big", "f", "x".repeat(100));
            assertThat(usage(c, "big")).as("a table is not packed").isGreaterThan(HeapSizes.ENTRY_OVERHEAD + HeapSizes.arrayBytes(120) + 16);
            assertThat(c.cmd("HGET", "big", "f")).isEqualTo("x".repeat(100));
        }
    }
}
