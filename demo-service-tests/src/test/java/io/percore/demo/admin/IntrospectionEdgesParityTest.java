package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 5: what Redis's {@code unit/introspection}, {@code unit/pause} and {@code unit/multi}
 * check beyond the commands' plain replies, side by side with redis-server (RESP2 and RESP3 where
 * replies are compared), the demo on two shards:
 * <ul>
 * <li>CONFIG: the hidden configs (answered by name, never by a pattern), replicaof/slaveof,
 * maxmemory-clients' memory-or-percent values and their errors with the rollback of the whole
 * CONFIG SET, and GET with several names and patterns;</li>
 * <li>no key expires and none is evicted during CLIENT PAUSE, as in Redis 7 (its
 * {@code checkClientPauseTimeoutAndReturnIfPaused} in expireIfNeeded, the expiry cycle and
 * eviction): an expired key reads as missing but stays, counted by DBSIZE and not by
 * {@code expired_keys}, with no {@code expired} event, until the pause ends;</li>
 * <li>MULTI refuses SAVE and SHUTDOWN ({@code no_multi}) with Redis's text, and EXEC then aborts.</li>
 * </ul>
 */
class IntrospectionEdgesParityTest {

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

    // ------------------------------------------------------------------ CONFIG

    private static final String[] HIDDEN = {"rdb-key-save-delay", "key-load-delay", "watchdog-period",
            "loading-process-events-interval-bytes", "use-exit-on-panic"};

    @Test
    void hiddenConfigsAnswerByNameOnly() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            Map<String, String> all = map(d.cmd("CONFIG", "GET", "*"));
            for (String name : HIDDEN) {
                assertThat(all).as("CONFIG GET * shows no hidden config").doesNotContainKey(name);
                assertThat(map(r.cmd("CONFIG", "GET", "*"))).doesNotContainKey(name);
                String[][] commands = {{"CONFIG", "GET", name}, {"CONFIG", "GET", name.toUpperCase()}, {"CONFIG", "GET", name.substring(0, 5) + "*"},
                        {"CONFIG", "SET", name, "x"}};
                for (String[] command : commands) {
                    assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
                }
            }
            for (String[] command : new String[][] {{"CONFIG", "SET", "key-load-delay", "-5"}, {"CONFIG", "GET", "key-load-delay"},
                    {"CONFIG", "SET", "key-load-delay", "0"}, {"CONFIG", "SET", "watchdog-period", "-1"},
                    {"CONFIG", "SET", "loading-process-events-interval-bytes", "1023"}, {"CONFIG", "SET", "use-exit-on-panic", "maybe"},
                    {"CONFIG", "SET", "use-exit-on-panic", "no"}, {"CONFIG", "GET", "use-exit-on-panic"}}) {
                assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        });
    }

    @Test
    void replicaofAndItsAlias() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] command : new String[][] {{"CONFIG", "GET", "replicaof"}, {"CONFIG", "GET", "slaveof"},
                    {"CONFIG", "SET", "replicaof", ""}, {"CONFIG", "SET", "slaveof", "127.0.0.1 1"}}) {
                assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
            }
            // a pattern's matches in each server's own table order
            assertThat(map(d.cmd("CONFIG", "GET", "*of"))).isEqualTo(map(r.cmd("CONFIG", "GET", "*of")));
        });
    }

    /** introspection's "CONFIG GET multiple args": no duplicates, a name and its alias, a pattern's several matches. */
    @Test
    void getWithSeveralNamesAndPatterns() throws Exception {
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            List<?> res = (List<?>) d.cmd("CONFIG", "GET", "maxmemory", "maxmemory*", "bind", "*of");
            Map<String, String> got = map(res);
            assertThat(got.size() * 2).isEqualTo(res.size());
            assertThat(got).containsKeys("slaveof", "replicaof", "maxmemory", "maxmemory-samples", "maxmemory-clients", "bind");
        }
    }

    /**
     * maxmemory-clients as Redis reads it. Not compared: 0 and 0% (no bound), which the demo accepts only
     * while every client class has a hard output limit, percents that with maxmemory would not fit the
     * heap (docs/reference/service-memory-and-limits.md), and the defaults (Redis: 0).
     */
    @Test
    void maxmemoryClientsTakesMemoryOrPercentAndRollsBackWithTheRest() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            String redisBefore = map(r.cmd("CONFIG", "GET", "maxmemory-clients")).get("maxmemory-clients");
            String demoBefore = map(d.cmd("CONFIG", "GET", "maxmemory-clients")).get("maxmemory-clients");
            for (String value : new String[] {"10%", "50%", "101%", "200%", "-1%", "%", "x%", "1.5%", "10mb", "abc", "5%%"}) {
                for (String[] command : new String[][] {{"CONFIG", "SET", "maxmemory-clients", value}, {"CONFIG", "GET", "maxmemory-clients"}}) {
                    assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
                }
            }
            // introspection's "CONFIG SET rollback on set error": nothing of the failed CONFIG SET applies
            String[] failing = {"CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"};
            for (String[] command : new String[][] {{"CONFIG", "SET", "maxmemory", "10000002"}, failing,
                    {"CONFIG", "GET", "maxmemory"}, {"CONFIG", "GET", "maxmemory-clients"}, {"CONFIG", "GET", "client-query-buffer-limit"}}) {
                assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
            }
            assertThat(r.cmd("CONFIG", "SET", "maxmemory", "0", "maxmemory-clients", redisBefore)).isEqualTo("OK");
            assertThat(d.cmd("CONFIG", "SET", "maxmemory", "0", "maxmemory-clients", demoBefore)).isEqualTo("OK");
        });
    }

    private static Map<String, String> map(Object reply) {
        List<?> items = reply instanceof RespTestClient.Map3 m ? m.keysAndValues() : (List<?>) reply;
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            out.put(String.valueOf(items.get(i)), String.valueOf(items.get(i + 1)));
        }
        return out;
    }

    // ------------------------------------------------------------------ CLIENT PAUSE

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

    // ------------------------------------------------------------------ MULTI

    @Test
    void saveAndShutdownAreRefusedInsideMulti() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] refused : new String[][] {{"SAVE"}, {"SHUTDOWN"}, {"SHUTDOWN", "NOSAVE"}, {"SHUTDOWN", "ABORT"}}) {
                for (String[] command : new String[][] {{"DEL", "foo"}, {"MULTI"}, {"SET", "foo", "bar"}, refused, {"EXEC"}, {"GET", "foo"}}) {
                    assertThat(d.cmd(command)).as("RESP%s %s in MULTI: %s", proto, String.join(" ", refused), String.join(" ", command))
                            .isEqualTo(r.cmd(command));
                }
            }
        });
    }
}
