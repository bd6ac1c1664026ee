package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.redis.RedisClientSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.resource.ClientResources;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.ServiceProxy;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import reactor.core.Disposable;

/**
 * Issue 69, no client left hanging: the Spring Boot settings a user copies from {@code operator/examples/client}
 * ({@code application.yaml} and {@code RedisClientSettings}, both read and compiled from that folder: see the pom) in a
 * Spring Boot context, against the demo behind a {@link ServiceProxy} standing for {@code <name>-primary}. A write goes
 * through; the settings reach the connection (Spring Boot's own kept, keepalive on the socket); a switchover costs at
 * most failed writes, fast ones, and the next write reaches the new primary; a server that stops answering fails a
 * write at the 2 s timeout (not Lettuce's 60 s) and is used again when it answers; while no server is there a write
 * fails at once and reconnect attempts stay a second apart. The times are in the test's output file.
 */
class ClientExampleTest {

    private static final Path EXAMPLE = Path.of("../operator/examples/client");
    /** The user of operator/examples/users.yaml. */
    private static final String USER = "app";
    private static final String PASSWORD = "app-secret";
    /** A write's bound: the example's 2 s timeout and room for a loaded machine; Lettuce's default would be 60 s. */
    private static final double WRITE_BOUND_SECONDS = 5;
    /** Until the application writes again after its server came back (the example's figures are well under a second). */
    private static final double BACK_BOUND_SECONDS = 10;

    /** The application as the user runs it: the example's file and class, its Deployment's environment. */
    private static ApplicationContextRunner application(ServiceProxy primaryService) {
        return new ApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
                .withUserConfiguration(RedisClientSettings.class)
                .withPropertyValues("spring.config.location=file:" + EXAMPLE.resolve("application.yaml").toAbsolutePath(),
                        "REDIS_USERNAME=" + USER, "REDIS_PASSWORD=" + PASSWORD,
                        // the test's Service in place of kv-ha-primary:6380
                        "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + primaryService.port());
    }

    private static void addUser(TestServices server) throws IOException {
        try (RespTestClient admin = new RespTestClient(server.respPort())) {
            assertThat(admin.cmd("ACL", "SETUSER", USER, "on", ">" + PASSWORD, "~app:*", "+@all", "-@dangerous")).isEqualTo("OK");
        }
    }

    private static Object cmd(TestServices server, String... args) throws IOException {
        try (RespTestClient admin = new RespTestClient(server.respPort())) {
            return admin.cmd(args);
        }
    }

    @Test
    void aWriteGoesThroughAndTheSettingsReachTheConnection() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             ServiceProxy primaryService = ServiceProxy.to(demo.respPort())) {
            addUser(demo);
            application(primaryService).run(context -> {
                assertThat(context).hasNotFailed();
                StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
                redis.opsForValue().set("app:a", "written");
                assertThat(cmd(demo, "GET", "app:a")).isEqualTo("written");
                assertThat((String) cmd(demo, "CLIENT", "LIST")).as("the application's connection, by its name and user")
                        .containsPattern("name=orders .*user=app ");

                LettuceClientConfiguration configuration = context.getBean(LettuceConnectionFactory.class).getClientConfiguration();
                assertThat(configuration.getCommandTimeout()).isEqualTo(Duration.ofSeconds(2));
                ClientOptions options = configuration.getClientOptions().orElseThrow();
                SocketOptions socket = options.getSocketOptions();
                assertThat(socket.getConnectTimeout()).as("connect-timeout kept by the customizer").isEqualTo(Duration.ofSeconds(1));
                assertThat(options.getTimeoutOptions().isTimeoutCommands()).as("Spring Boot's command timeouts kept").isTrue();
                assertThat(options.getTimeoutOptions().isApplyConnectionTimeout()).as("... at spring.data.redis.timeout").isTrue();
                assertThat(options.isAutoReconnect()).isTrue();
                assertThat(options.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
                assertThat(socket.getKeepAlive().getIdle()).isEqualTo(Duration.ofSeconds(5));
                assertThat(socket.getKeepAlive().getInterval()).isEqualTo(Duration.ofSeconds(1));
                assertThat(socket.getKeepAlive().getCount()).isEqualTo(3);
                // the test JVM has epoll (netty-transport-native-epoll): the user timeout is on
                assertThat(socket.isEnableTcpUserTimeout()).isTrue();
                assertThat(socket.getTcpUserTimeout().getTcpUserTimeout()).isEqualTo(Duration.ofSeconds(8));

                // what the kernel does with the socket: its keepalive timer is due within the 5 s idle (the kernel's
                // default 2 h if only SO_KEEPALIVE were set, 13 s with Lettuce's own options)
                List<SocketTimer> timers = waitFor(() -> timersOfConnectionsTo(primaryService.port()),
                        t -> !t.isEmpty() && t.stream().allMatch(SocketTimer::keepalive), "the idle connection's keepalive timer");
                System.out.printf("keepalive timers of the application's connection: %s%n", timers);
                assertThat(timers).allSatisfy(t -> assertThat(t.seconds()).isLessThanOrEqualTo(5.0));
            });
        }
    }

    @Test
    void aSwitchoverCostsAtMostFastFailedWritesAndTheNextWriteReachesTheNewPrimary() throws Exception {
        try (TestServices next = TestServices.start(2, DemoSettings.forTests());
             TestServices old = TestServices.start(2, DemoSettings.forTests());
             ServiceProxy primaryService = ServiceProxy.to(old.respPort())) {
            addUser(old);
            addUser(next);
            application(primaryService).run(context -> {
                assertThat(context).hasNotFailed();
                StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
                redis.opsForValue().set("app:b", "on the old primary");
                assertThat(cmd(old, "GET", "app:b")).isEqualTo("on the old primary");

                // the operator's switchover: the label moves (the Service selects the new primary), the old one is demoted
                primaryService.retarget(next.respPort());
                long demoted = System.nanoTime();
                assertThat(cmd(old, "REPLICAOF", "127.0.0.1", Integer.toString(next.respPort()))).isEqualTo("OK");

                List<Failure> failures = writeUntilItSucceeds(redis, "app:b", "on the new primary");
                double through = seconds(demoted);
                System.out.printf("switchover: first write through %.3f s after the demotion; failed before: %s%n",
                        through, failures);
                assertThat(failures).allSatisfy(f -> assertThat(f.seconds()).isLessThan(WRITE_BOUND_SECONDS));
                assertThat(through).isLessThan(BACK_BOUND_SECONDS);
                assertThat(cmd(next, "GET", "app:b")).isEqualTo("on the new primary");
                assertThat((String) cmd(next, "CLIENT", "LIST")).as("the application reconnected to the new primary")
                        .containsPattern("name=orders .*user=app ");
            });
        }
    }

    @Test
    void aServerThatStopsAnsweringFailsTheWriteAtTheTimeoutAndIsUsedAgainWhenItAnswers() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             ServiceProxy primaryService = ServiceProxy.to(demo.respPort())) {
            addUser(demo);
            application(primaryService).run(context -> {
                assertThat(context).hasNotFailed();
                StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
                redis.opsForValue().set("app:c", "before");

                primaryService.stall();
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> redis.opsForValue().set("app:stalled", "late")).isInstanceOf(QueryTimeoutException.class);
                double failedAfter = seconds(t0);
                System.out.printf("stalled server: the write failed after %.3f s%n", failedAfter);
                assertThat(failedAfter).as("the command timeout, not at once and not Lettuce's 60 s")
                        .isGreaterThanOrEqualTo(1.9).isLessThan(WRITE_BOUND_SECONDS);

                primaryService.resume();
                long resumed = System.nanoTime();
                List<Failure> failures = writeUntilItSucceeds(redis, "app:c", "after");
                double through = seconds(resumed);
                System.out.printf("stalled server answering again: first write through %.3f s after; failed before: %s%n",
                        through, failures);
                assertThat(through).isLessThan(BACK_BOUND_SECONDS);
                assertThat(redis.opsForValue().get("app:c")).as("the same connection, its replies in step").isEqualTo("after");
                // a timed-out write is not a failed one: the server had it and applied it once it was read
                assertThat(cmd(demo, "GET", "app:stalled")).isEqualTo("late");
            });
        }
    }

    @Test
    void whileNoServerIsThereWritesFailAtOnceAndReconnectAttemptsStayASecondApart() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             ServiceProxy primaryService = ServiceProxy.to(demo.respPort())) {
            addUser(demo);
            application(primaryService).run(context -> {
                assertThat(context).hasNotFailed();
                StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
                redis.opsForValue().set("app:d", "before");
                List<ReconnectAttemptEvent> attempts = new CopyOnWriteArrayList<>();
                Disposable listening = context.getBean(ClientResources.class).eventBus().get()
                        .ofType(ReconnectAttemptEvent.class).subscribe(attempts::add);
                try {
                    // no primary: the Service has no endpoint (a primary lost, before the failover)
                    primaryService.refuse();
                    // by the 12th attempt Lettuce's default would wait 2 s between attempts, 4 s by the 13th
                    waitFor(() -> attempts.size(), n -> n >= 12, "12 reconnect attempts");
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> redis.opsForValue().set("app:d", "nowhere")).isInstanceOf(DataAccessException.class)
                            .hasRootCauseMessage("Currently not connected. Commands are rejected.");
                    System.out.printf("no server: the write failed after %.3f s; reconnect delays %s%n", seconds(t0),
                            attempts.stream().map(a -> a.getDelay().toMillis()).toList());
                    assertThat(attempts).allSatisfy(a -> assertThat(a.getDelay()).isLessThanOrEqualTo(Duration.ofSeconds(1)));

                    primaryService.accept();
                    long back = System.nanoTime();
                    List<Failure> failures = writeUntilItSucceeds(redis, "app:d", "after");
                    double through = seconds(back);
                    System.out.printf("server back: first write through %.3f s after; failed before: %s%n", through,
                            failures.size());
                    assertThat(through).isLessThan(BACK_BOUND_SECONDS);
                    assertThat(cmd(demo, "GET", "app:d")).isEqualTo("after");
                } finally {
                    listening.dispose();
                }
            });
        }
    }

    record Failure(double seconds, String what) {
        @Override
        public String toString() {
            return String.format("%.3f s %s", seconds, what);
        }
    }

    /** Writes until a write succeeds, for at most 60 s: the failures before, timed. */
    private static List<Failure> writeUntilItSucceeds(StringRedisTemplate redis, String key, String value) throws InterruptedException {
        List<Failure> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            long t0 = System.nanoTime();
            try {
                redis.opsForValue().set(key, value);
                return failures;
            } catch (DataAccessException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                failures.add(new Failure(seconds(t0), cause.getClass().getSimpleName() + ": " + cause.getMessage()));
            }
            assertThat(System.nanoTime()).as("a write succeeds; failed: %s", failures).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static <T> T waitFor(java.util.function.Supplier<T> value, java.util.function.Predicate<T> done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            T now = value.get();
            if (done.test(now)) {
                return now;
            }
            assertThat(System.nanoTime()).as("waiting for %s: %s", what, now).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A TCP connection's pending timer as /proc/net/tcp shows it: its kind ({@code 2}: keepalive) and seconds left. */
    record SocketTimer(int kind, double seconds) {
        boolean keepalive() {
            return kind == 2;
        }
    }

    /** The timers of this network namespace's established connections to {@code port} (IPv4 and IPv6 sockets). */
    private static List<SocketTimer> timersOfConnectionsTo(int port) {
        List<SocketTimer> timers = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException absent) {
                continue;
            }
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] fields = line.trim().split("\\s+");
                String remote = fields[2];
                int remotePort = Integer.parseInt(remote.substring(remote.lastIndexOf(':') + 1), 16);
                if (remotePort == port && fields[3].equals("01")) {
                    String[] timer = fields[5].split(":");
                    // the time left is in clock ticks (USER_HZ, 100 a second)
                    timers.add(new SocketTimer(Integer.parseInt(timer[0], 16), Long.parseLong(timer[1], 16) / 100.0));
                }
            }
        }
        return timers;
    }
}
