package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Issue 67: the clients Java and Python teams use connect to the demo as an ACL user and are refused exactly as by
 * redis-server 7.0.15: Lettuce (RESP3's HELLO AUTH and RESP2's AUTH), Jedis, Spring Boot's {@code spring.data.redis.username}
 * and {@code password} (DataRedisAutoConfiguration's template) and redis-py. The user may touch {@code app:*} and run
 * everything but {@code @dangerous}: its key outside the pattern and FLUSHALL are {@code -NOPERM}, a wrong password
 * {@code -WRONGPASS}, each client's own words around them compared server to server.
 */
class AclClientsTest {

    private static final String USER = "app";
    private static final String PASSWORD = "app-secret";

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient admin = new RespTestClient(port)) {
                assertThat(admin.cmd("ACL", "SETUSER", USER, "on", ">" + PASSWORD, "~app:*", "+@all", "-@dangerous")).isEqualTo("OK");
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** What {@code steps} gives on redis-server and on the demo: equal, and holding each refusal. */
    private static List<String> same(java.util.function.IntFunction<List<String>> steps) {
        List<String> onRedis = steps.apply(redis.port());
        List<String> onDemo = steps.apply(demo.respPort());
        assertThat(onDemo).isEqualTo(onRedis);
        return onRedis;
    }

    private static String outcome(Supplier<Object> step) {
        try {
            return "ok " + step.get();
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            return "error " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    /**
     * Lettuce's refused handshake, as the server words it. Lettuce races itself there: its {@code RedisHandshakeHandler.fail}
     * closes the channel before it completes the handshake with the server's error, and the {@code channelInactive} that
     * close fires may complete it first with "Connection closed prematurely" (CI's run on a5d62fe, 2026-11-30 about 09:00 UTC, against
     * redis-server; the race is the client's, either server may meet it). That outcome says nothing of the server: the
     * connection is tried again (a few times at most), and the server's own refusal is what is compared.
     */
    private static String refusedConnect(Supplier<Object> connect) {
        String outcome = outcome(connect);
        for (int i = 0; i < 4 && outcome.equals("error RedisConnectionException: Connection closed prematurely"); i++) {
            outcome = outcome(connect);
        }
        return outcome;
    }

    @Test
    void lettuceInBothProtocols() {
        for (ProtocolVersion protocol : List.of(ProtocolVersion.RESP3, ProtocolVersion.RESP2)) {
            List<String> out = same(port -> {
                List<String> steps = new ArrayList<>();
                RedisClient client = RedisClient.create();
                client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
                try {
                    RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withAuthentication(USER, PASSWORD)
                            .withTimeout(Duration.ofSeconds(30)).build();
                    try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
                        RedisCommands<String, String> sync = connection.sync();
                        steps.add(outcome(() -> sync.aclWhoami()));
                        steps.add(outcome(() -> sync.set("app:1", "v")));
                        steps.add(outcome(() -> sync.get("app:1")));
                        steps.add(outcome(() -> sync.set("other:1", "v")));
                        steps.add(outcome(() -> sync.flushall()));
                        steps.add(outcome(() -> sync.del("app:1")));
                    }
                    RedisURI wrong = RedisURI.builder().withHost("127.0.0.1").withPort(port).withAuthentication(USER, "wrong")
                            .withTimeout(Duration.ofSeconds(30)).build();
                    steps.add(refusedConnect(() -> client.connect(wrong)));
                } finally {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
                }
                return steps;
            });
            assertThat(out.get(0)).isEqualTo("ok app");
            assertThat(out.get(3)).contains("NOPERM this user has no permissions to access one of the keys used as arguments");
            assertThat(out.get(4)).contains("NOPERM this user has no permissions to run the 'flushall' command");
            assertThat(out.get(6)).contains("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    @Test
    void jedisInBothProtocols() {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP3, RedisProtocol.RESP2)) {
            List<String> out = same(port -> {
                List<String> steps = new ArrayList<>();
                try (Jedis jedis = new Jedis("127.0.0.1", port,
                        DefaultJedisClientConfig.builder().user(USER).password(PASSWORD).protocol(protocol).build())) {
                    steps.add(outcome(() -> jedis.aclWhoAmI()));
                    steps.add(outcome(() -> jedis.set("app:2", "v")));
                    steps.add(outcome(() -> jedis.set("other:2", "v")));
                    steps.add(outcome(() -> jedis.flushAll()));
                    steps.add(outcome(() -> jedis.del("app:2")));
                }
                steps.add(outcome(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", port,
                            DefaultJedisClientConfig.builder().user(USER).password("wrong").protocol(protocol).build())) {
                        return jedis.ping();
                    }
                }));
                return steps;
            });
            assertThat(out.get(2)).contains("NOPERM");
            assertThat(out.get(3)).contains("NOPERM");
            assertThat(out.get(5)).contains("WRONGPASS");
        }
    }

    @Test
    void springBootsUsernameAndPassword() {
        List<String> out = same(port -> {
            List<String> steps = new ArrayList<>();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                    .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
                            "spring.data.redis.username=" + USER, "spring.data.redis.password=" + PASSWORD)
                    .run(context -> {
                        StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
                        steps.add(outcome(() -> {
                            template.opsForValue().set("app:3", "v");
                            return template.opsForValue().get("app:3");
                        }));
                        steps.add(outcome(() -> {
                            template.opsForValue().set("other:3", "v");
                            return "written";
                        }));
                        steps.add(outcome(() -> template.delete("app:3")));
                    });
            return steps;
        });
        assertThat(out.get(0)).isEqualTo("ok v");
        assertThat(out.get(1)).contains("NOPERM this user has no permissions to access one of the keys used as arguments");
    }

    @Test
    void redisPy() throws Exception {
        Path script = Files.createTempFile("acl-clients", ".py");
        Files.writeString(script, """
                import sys, redis
                port = int(sys.argv[1])
                r = redis.Redis(host='127.0.0.1', port=port, username='app', password='app-secret', socket_timeout=30)
                def step(f):
                    try:
                        print('ok', f())
                    except Exception as e:
                        print('error', type(e).__name__, e)
                step(lambda: r.acl_whoami())
                step(lambda: r.set('app:4', 'v'))
                step(lambda: r.set('other:4', 'v'))
                step(lambda: r.flushall())
                step(lambda: r.delete('app:4'))
                step(lambda: redis.Redis(host='127.0.0.1', port=port, username='app', password='wrong', socket_timeout=30).ping())
                """);
        try {
            List<String> out = same(port -> python(script, port));
            assertThat(out).hasSize(6);
            assertThat(out.get(0)).isEqualTo("ok app");
            assertThat(out.get(2)).startsWith("error NoPermissionError");
            assertThat(out.get(5)).contains("WRONGPASS invalid username-password pair or user is disabled.");
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** redis-py from Debian's python3-redis (tools/test-prerequisites.sh installs it): its outcome lines. */
    private static List<String> python(Path script, int port) {
        try {
            Path out = Files.createTempFile("acl-clients", ".out");
            try {
                Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), Integer.toString(port)).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("redis-py answered").isTrue();
                String text = Files.readString(out);
                assertThat(p.exitValue()).as("redis-py: %s", text).isZero();
                return text.lines().toList();
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
