package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Spring Data Redis's {@code RedisScript} (EVALSHA, and EVAL when the server answers NOSCRIPT) from
 * the blocking and the reactive template, against the demo on two shards and against redis-server:
 * a check-and-set and a script returning Lua's mixed types, on keys of both shards.
 */
class SpringRedisScriptTest {

    private static final RedisScript<Long> CHECK_AND_SET = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2])
              return 1
            end
            return 0""", Long.class);

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> MIXED = RedisScript.of("""
            local n = redis.call('INCRBY', KEYS[1], ARGV[1])
            return {n, 'text', 3.99, {1, 'nested'}, redis.call('EXISTS', KEYS[1])}""", List.class);

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
    void scriptsRunFromBothTemplatesAsOnRedisServer() {
        List<Object> onDemo = steps(demo.respPort(), List.of(demo.keyOn(0, "cas:"), demo.keyOn(1, "cas:")));
        List<Object> onRedis = steps(redis.port(), List.of(demo.keyOn(0, "cas:"), demo.keyOn(1, "cas:")));
        assertThat(onRedis).containsExactly(1L, 0L, "b", List.of(5L, "text", 3L, List.of(1L, "nested"), 1L), 1L, "c",
                1L, 0L, "b", List.of(5L, "text", 3L, List.of(1L, "nested"), 1L), 1L, "c");
        assertThat(onDemo).isEqualTo(onRedis);
    }

    private static List<Object> steps(int port, List<String> keys) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        List<Object> out = new ArrayList<>();
        try {
            StringRedisTemplate template = new StringRedisTemplate(factory);
            ReactiveStringRedisTemplate reactive = new ReactiveStringRedisTemplate(factory);
            for (String key : keys) {
                template.execute(connection -> {
                    connection.scriptingCommands().scriptFlush(); // the first EVALSHA answers NOSCRIPT: Spring falls back to EVAL
                    return null;
                }, true);
                template.delete(List.of(key, key + ":n"));
                template.opsForValue().set(key, "a");
                out.add(template.execute(CHECK_AND_SET, List.of(key), "a", "b"));
                out.add(template.execute(CHECK_AND_SET, List.of(key), "a", "x"));
                out.add(template.opsForValue().get(key));
                out.add(template.execute(MIXED, List.of(key + ":n"), "5"));
                out.add(reactive.execute(CHECK_AND_SET, List.of(key), List.of("b", "c")).blockFirst());
                out.add(template.opsForValue().get(key));
            }
        } finally {
            factory.destroy();
        }
        return out;
    }
}
