package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 5: what Redis's {@code unit/introspection} reads of CONFIG beyond the plain
 * parameters, compared with redis-server in RESP2 and RESP3: the hidden configs (answered by name,
 * never by a pattern), replicaof/slaveof, maxmemory-clients' memory-or-percent values and their
 * errors with the rollback of the whole CONFIG SET, and GET with several names and patterns.
 */
class ConfigRedisEdgesTest {

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
     * heap (README, "Memory"), and the defaults (Redis: 0).
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
}
