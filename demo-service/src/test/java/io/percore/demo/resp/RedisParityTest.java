package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replies issue 12 added, sent to a real redis-server (7.0.15, the Debian package the build
 * installs) and to the demo, compared byte for byte: the {@code -OOM} error, CONFIG SET's errors, the
 * string-size error, and what a client over the connection limit reads.
 */
class RedisParityTest {

    private static Process redis;
    private static int redisPort;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        redis = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (RespTestClient c = new RespTestClient(redisPort)) {
                if ("PONG".equals(c.cmd("PING"))) {
                    break;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !redis.isAlive()) {
                    throw new IllegalStateException("redis-server did not start", e);
                }
                Thread.sleep(50);
            }
        }
        demo = TestServices.start(1, DemoSettings.forTests().withMemory(new MemorySettings(1 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
    }

    /** The same commands on both servers, on one connection each; every reply must be equal. */
    private static void sameReplies(String[]... commands) throws IOException {
        try (RespTestClient r = new RespTestClient(redisPort); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String[] command : commands) {
                assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        }
    }

    @Test
    void configSetErrorsAreRedises() throws IOException {
        sameReplies(
                new String[] {"CONFIG", "SET", "foo", "bar"},
                new String[] {"CONFIG", "SET", "maxmemory-policy", "bad"},
                new String[] {"CONFIG", "SET", "maxmemory", "abc"},
                new String[] {"CONFIG", "SET", "databases", "3"},
                new String[] {"CONFIG", "SET", "maxmemory"},
                new String[] {"CONFIG", "FOO"});
        // The one deliberate difference (demo README): samples are capped at 64, Redis allows up to INT_MAX.
    }

    @Test
    void stringSizeErrorsAreRedises() throws IOException {
        sameReplies(
                new String[] {"SETRANGE", "parity", "9223372036854775807", "A"},
                new String[] {"SETRANGE", "parity", "-1", "A"},
                new String[] {"SETRANGE", "parity", "x", "A"});
    }

    @Test
    void overMaxmemoryBothAnswerTheSameOom() throws IOException {
        try (RespTestClient r = new RespTestClient(redisPort); RespTestClient d = new RespTestClient(demo.respPort())) {
            assertThat(r.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction", "maxmemory", "1")).isEqualTo("OK");
            try {
                String big = "z".repeat(100_000);
                Object demoReply = "OK";
                for (int i = 0; i < 50 && "OK".equals(demoReply); i++) {
                    demoReply = d.cmd("SET", "parity:" + i, big);
                }
                assertThat(demoReply).isEqualTo(r.cmd("SET", "parity:x", "v"));
                assertThat(demoReply).isInstanceOf(RespTestClient.Err.class);
            } finally {
                r.cmd("CONFIG", "SET", "maxmemory", "0");
                d.cmd("FLUSHALL");
            }
        }
    }

    @Test
    void aClientOverTheLimitReadsWhatRedisWrites() throws Exception {
        try (RespTestClient r = new RespTestClient(redisPort)) {
            assertThat(r.cmd("CONFIG", "SET", "maxclients", "1")).isEqualTo("OK");
            String fromRedis;
            try (Socket second = new Socket("127.0.0.1", redisPort)) {
                second.setSoTimeout(10_000);
                fromRedis = new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } finally {
                r.cmd("CONFIG", "SET", "maxclients", "10000");
            }
            try (TestServices limited = TestServices.start(1, DemoSettings.forTests().withMaxConnectionsPerShard(1));
                    RespTestClient first = new RespTestClient(limited.respPort());
                    Socket second = new Socket("127.0.0.1", limited.respPort())) {
                assertThat(first.cmd("PING")).isEqualTo("PONG");
                second.setSoTimeout(10_000);
                assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(fromRedis);
            }
        }
    }
}
