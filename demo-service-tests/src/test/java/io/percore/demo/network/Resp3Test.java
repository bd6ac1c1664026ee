package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.RespTestClient.Map3;
import io.percore.demo.support.RespTestClient.Null3;
import io.percore.demo.support.RespTestClient.Set3;
import io.percore.demo.support.RespTestClient.Verbatim;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Issue 13, RESP3: {@code HELLO 3} switches a connection to RESP3 (nulls, maps, sets, verbatim
 * strings where Redis 7 uses them), {@code HELLO 2} back; the default RESP3 handshakes of Lettuce,
 * Jedis and redis-cli work; the empty function library answers as redis-server's does.
 */
class Resp3Test {

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
    void hello3SwitchesTheConnectionToResp3AndHello2Back() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            Map3 hello = (Map3) c.cmd("HELLO", "3");
            assertThat(asMap(hello)).containsEntry("server", "redis").containsEntry("proto", 3L).containsEntry("mode", "standalone")
                    .containsKeys("id", "version", "role", "modules");
            assertThat(c.cmd("GET", "r3:none")).isInstanceOf(Null3.class);
            c.cmd("SET", "r3:a", "1");
            // keys on both shards: the cross-shard reply is RESP3 too
            assertThat(c.cmd("MGET", "r3:a", "r3:b", "r3:c", "r3:d")).isEqualTo(List.of("1", new Null3(), new Null3(), new Null3()));
            assertThat(asMap((Map3) c.cmd("CONFIG", "GET", "maxmemory-policy"))).containsEntry("maxmemory-policy", "noeviction");
            assertThat(c.cmd("INFO", "server")).isInstanceOfSatisfying(Verbatim.class,
                    v -> assertThat(v.format()).isEqualTo("txt"));
            assertThat(c.cmd("CLIENT", "INFO")).isInstanceOfSatisfying(Verbatim.class,
                    v -> assertThat(v.text()).startsWith("id=").endsWith("\n"));
            List<?> info = (List<?>) ((List<?>) c.cmd("COMMAND", "INFO", "get")).get(0);
            assertThat(info.get(2)).isEqualTo(new Set3(List.of("readonly", "fast")));
            assertThat(c.cmd("COMMAND", "DOCS", "get")).isInstanceOf(Map3.class);

            assertThat(c.cmd("HELLO", "2")).isInstanceOf(List.class);
            assertThat(c.cmd("GET", "r3:none")).isNull();
            assertThat(c.cmd("CONFIG", "GET", "maxmemory-policy")).isEqualTo(List.of("maxmemory-policy", "noeviction"));
            assertThat(c.cmd("INFO", "server")).isInstanceOf(String.class);
            assertThat(c.cmd("HELLO", "4")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
            assertThat(c.cmd("HELLO")).isInstanceOf(List.class); // reports, stays on RESP2
        }
    }

    @Test
    void functionLibrariesLoadAndScriptsRun() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("FUNCTION", "FLUSH")).isEqualTo("OK");
            assertThat(c.cmd("FUNCTION", "FLUSH", "ASYNC")).isEqualTo("OK");
            assertThat(c.cmd("FUNCTION", "FLUSH", "NOW")).isEqualTo(new Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
            assertThat(c.cmd("FUNCTION", "LIST")).isEqualTo(List.of());
            assertThat(c.cmd("FUNCTION", "DELETE", "lib")).isEqualTo(new Err("ERR Library not found"));
            assertThat(c.cmd("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)")).isEqualTo("x");
            assertThat(c.cmd("FCALL", "f", "0")).isEqualTo(1L);
            assertThat(c.cmd("FUNCTION", "FLUSH")).isEqualTo("OK");
            assertThat(c.cmd("EVAL", "return 1", "0")).isEqualTo(1L);
            assertThat(c.cmd("SCRIPT", "FLUSH")).isEqualTo("OK");
        }
    }

    @Test
    void lettuceNegotiatesResp3() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            assertThat(sync.set("lettuce3:a", "1")).isEqualTo("OK");
            assertThat(sync.get("lettuce3:none")).isNull();
            assertThat(sync.mget("lettuce3:a", "lettuce3:b")).extracting(kv -> kv.getValueOrElse(null)).containsExactly("1", null);
            assertThat(sync.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
            assertThat(sync.info("server")).contains("redis_version:");
            assertThat(sync.clientInfo()).startsWith("id=");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void jedisWithResp3() {
        try (Jedis jedis = new Jedis("127.0.0.1", demo.respPort(), DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build())) {
            assertThat(jedis.set("jedis3:a", "v")).isEqualTo("OK");
            assertThat(jedis.get("jedis3:none")).isNull();
            assertThat(jedis.get("jedis3:a")).isEqualTo("v");
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
            assertThat(jedis.info("server")).contains("redis_version:");
            assertThat(jedis.functionList()).isEmpty();
        }
    }

    @Test
    void redisCliMinus3() throws Exception {
        assertThat(redisCli("-3", "SET", "cli3:a", "x")).isEqualTo("OK");
        assertThat(redisCli("-3", "GET", "cli3:none")).isEqualTo("(nil)");
        assertThat(redisCli("-3", "CONFIG", "GET", "maxmemory-policy")).isEqualTo("1# \"maxmemory-policy\" => \"noeviction\"");
        assertThat(redisCli("-3", "HELLO", "3")).contains("\"proto\" => (integer) 3");
    }

    private static String redisCli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--no-raw", "-p", Integer.toString(demo.respPort())));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    private static Map<Object, Object> asMap(Map3 map) {
        Map<Object, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < map.keysAndValues().size(); i += 2) {
            out.put(map.keysAndValues().get(i), map.keysAndValues().get(i + 1));
        }
        return out;
    }
}
