package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.resps.Slowlog;

/**
 * Issue 14 with real clients on a 2-shard server: Jedis and Lettuce (RESP2 and RESP3) read CLIENT
 * LIST/INFO, set names, CONFIG GET/SET, INFO and SLOWLOG through their own parsers; a real
 * {@code redis-cli monitor} process sees the commands run on both shards.
 */
class IntrospectionClientsTest {

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
    void jedisInBothProtocols() {
        for (RedisProtocol protocol : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
            try (Jedis jedis = new Jedis("127.0.0.1", demo.respPort(), DefaultJedisClientConfig.builder().protocol(protocol).build())) {
                assertThat(jedis.clientSetname("jedis-" + protocol)).isEqualTo("OK");
                assertThat(jedis.clientGetname()).isEqualTo("jedis-" + protocol);
                assertThat(jedis.clientList()).contains("name=jedis-" + protocol);
                assertThat(jedis.clientInfo()).contains("name=jedis-" + protocol).contains(protocol == RedisProtocol.RESP3 ? "resp=3" : "resp=2");
                assertThat(jedis.clientId()).isPositive();
                assertThat(jedis.configSet("slowlog-log-slower-than", "0")).isEqualTo("OK");
                assertThat(jedis.slowlogReset()).isEqualTo("OK");
                jedis.set(demo.keyOn(0, "jedis"), "v");
                jedis.set(demo.keyOn(1, "jedis"), "v");
                List<Slowlog> log = jedis.slowlogGet();
                assertThat(log).isNotEmpty();
                assertThat(log.get(0).getArgs()).containsExactly("SET", demo.keyOn(1, "jedis"), "v");
                assertThat(log.get(0).getClientName()).isEqualTo("jedis-" + protocol);
                assertThat(jedis.slowlogLen()).isPositive();
                Map<String, String> config = jedis.configGet("slowlog*", "maxmemory");
                assertThat(config).containsEntry("slowlog-log-slower-than", "0").containsKey("slowlog-max-len").containsKey("maxmemory");
                assertThat(jedis.configSet("slowlog-log-slower-than", "10000")).isEqualTo("OK");
                String info = jedis.info();
                assertThat(info).contains("# Server", "redis_version:7.0.15", "connected_clients:", "# Keyspace");
                assertThat(jedis.info("commandstats")).contains("cmdstat_set:calls=");
                assertThat(jedis.configResetStat()).isEqualTo("OK");
            }
        }
    }

    @Test
    void lettuceInBothProtocols() {
        for (ProtocolVersion protocol : new ProtocolVersion[] {ProtocolVersion.RESP2, ProtocolVersion.RESP3}) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
            client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                assertThat(sync.clientSetname("lettuce-" + protocol)).isEqualTo("OK");
                assertThat(sync.clientGetname()).isEqualTo("lettuce-" + protocol);
                assertThat(sync.clientList()).contains("name=lettuce-" + protocol);
                assertThat(sync.clientInfo()).contains("name=lettuce-" + protocol);
                assertThat(sync.configSet(Map.of("slowlog-log-slower-than", "0", "slowlog-max-len", "64"))).isEqualTo("OK");
                assertThat(sync.configGet("slowlog-max-len", "timeout")).containsEntry("slowlog-max-len", "64").containsEntry("timeout", "0");
                sync.slowlogReset();
                sync.get(demo.keyOn(1, "lettuce"));
                List<Object> log = sync.slowlogGet();
                assertThat(log).isNotEmpty();
                assertThat(sync.slowlogLen()).isPositive();
                assertThat(sync.configSet(Map.of("slowlog-log-slower-than", "10000", "slowlog-max-len", "128"))).isEqualTo("OK");
                assertThat(sync.info("clients")).contains("connected_clients:").contains("blocked_clients:0");
                assertThat(sync.info()).contains("used_cpu_user:");
                assertThat(sync.configResetstat()).isEqualTo("OK");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void redisCliMonitorSeesCommandsFromBothShards() throws Exception {
        Process monitor = new ProcessBuilder("redis-cli", "-p", Integer.toString(demo.respPort()), "monitor")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "redis-cli-monitor");
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("OK");
            // clients on both shards (the kernel spreads them), keys on both shards
            List<RespTestClient> clients = new ArrayList<>();
            try {
                boolean[] shards = new boolean[2];
                for (int i = 0; i < 64 && !(shards[0] && shards[1]); i++) {
                    RespTestClient c = new RespTestClient(demo.respPort());
                    clients.add(c);
                    int shard = Integer.parseInt(ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "shard"));
                    shards[shard] = true;
                    c.cmd("SET", demo.keyOn(0, "cli-mon-" + shard), "from-shard-" + shard);
                    c.cmd("GET", demo.keyOn(1, "cli-mon-" + shard));
                }
                assertThat(shards).containsExactly(true, true);
            } finally {
                for (RespTestClient c : clients) {
                    c.close();
                }
            }
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String get0 = "\"GET\" \"" + demo.keyOn(1, "cli-mon-0") + "\"";
            String get1 = "\"GET\" \"" + demo.keyOn(1, "cli-mon-1") + "\"";
            while (System.nanoTime() < deadline && !(seen.stream().anyMatch(l -> l.contains("\"from-shard-0\""))
                    && seen.stream().anyMatch(l -> l.contains("\"from-shard-1\"")) && seen.stream().anyMatch(l -> l.contains(get0))
                    && seen.stream().anyMatch(l -> l.contains(get1)))) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                }
            }
            assertThat(seen).anySatisfy(l -> assertThat(l).matches("\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+] \"SET\" \".*\" \"from-shard-0\""));
            assertThat(seen).anySatisfy(l -> assertThat(l).matches("\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+] \"SET\" \".*\" \"from-shard-1\""));
            assertThat(seen).anySatisfy(l -> assertThat(l).contains(get0));
            assertThat(seen).anySatisfy(l -> assertThat(l).contains(get1));
        } finally {
            monitor.destroy();
            monitor.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
