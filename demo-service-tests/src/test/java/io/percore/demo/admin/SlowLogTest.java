package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, SLOWLOG on a 2-shard server, with the facts of Redis 7.0.15's {@code unit/slowlog}: the
 * shards' logs merged newest first and cut to {@code slowlog-max-len}, GET's count, RESET on every
 * shard, Redis's entry (id, time, µs, arguments trimmed at 32 and 128 bytes, address, name),
 * secrets redacted, the threshold and -1 to disable; a slow command across shards is logged with
 * the time until its reply.
 */
@SuppressWarnings("unchecked")
class SlowLogTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @AfterEach
    void defaults() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128", "requirepass", "");
            c.cmd("SLOWLOG", "RESET");
        }
    }

    private static RespTestClient[] onEachShard(List<RespTestClient> opened) throws IOException {
        RespTestClient[] byShard = new RespTestClient[2];
        for (int i = 0; i < 64 && (byShard[0] == null || byShard[1] == null); i++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            opened.add(c);
            int shard = Integer.parseInt(ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "shard"));
            if (byShard[shard] == null) {
                byShard[shard] = c;
            }
        }
        return byShard;
    }

    private static List<List<Object>> get(RespTestClient c, String... count) throws IOException {
        String[] command = new String[2 + count.length];
        command[0] = "SLOWLOG";
        command[1] = "GET";
        System.arraycopy(count, 0, command, 2, count.length);
        return (List<List<Object>>) c.cmd(command);
    }

    @Test
    void theShardsLogsAreMergedNewestFirstAndCutToMaxLen() throws IOException {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient[] shards = onEachShard(opened);
            // off first: at a load of 20 a command between the RESET and the LEN took the default 10 ms and was logged
            shards[1].cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1");
            assertThat(shards[0].cmd("SLOWLOG", "RESET")).isEqualTo("OK");
            assertThat(shards[1].cmd("SLOWLOG", "LEN")).isEqualTo(0L);
            shards[0].cmd("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "10");
            for (int i = 0; i < 50; i++) {
                shards[i % 2].cmd("PING", "p" + i);
            }
            assertThat(shards[0].cmd("SLOWLOG", "LEN")).isEqualTo(10L);
            List<List<Object>> entries = get(shards[1], "-1");
            assertThat(entries).hasSize(10);
            List<Long> ids = entries.stream().map(e -> (Long) e.get(0)).toList();
            List<Long> descending = new ArrayList<>(ids);
            descending.sort(Collections.reverseOrder());
            assertThat(ids).isEqualTo(descending).doesNotHaveDuplicates();
            // the newest are the last pings, from both shards' clients
            assertThat(entries.stream().map(e -> (Object) ((List<?>) e.get(3)).get(1)).toList()).contains("p49", "p48");
            assertThat(get(shards[0], "5")).hasSize(5);
            assertThat(get(shards[0], "0")).isEmpty();
            assertThat(get(shards[0])).hasSize(10);
            assertThat(shards[1].cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1")).isEqualTo("OK");
            assertThat(shards[1].cmd("SLOWLOG", "RESET")).isEqualTo("OK");
            assertThat(shards[0].cmd("SLOWLOG", "LEN")).isEqualTo(0L);
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void anEntryIsRedisesAndItsArgumentsAreTrimmed() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CLIENT", "SETNAME", "foobar");
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.cmd("SLOWLOG", "RESET");
            long before = System.currentTimeMillis() / 1000;
            List<String> sadd = new ArrayList<>(List.of("SADD", "set"));
            for (int i = 3; i <= 33; i++) {
                sadd.add(Integer.toString(i));
            }
            c.cmd(sadd.toArray(new String[0]));
            c.cmd("SADD", "set", "foo", "A".repeat(129));
            List<List<Object>> entries = get(c);
            List<Object> tooLong = entries.get(0);
            assertThat(tooLong).hasSize(6);
            assertThat((Long) tooLong.get(1)).isBetween(before, before + 5);
            assertThat((Long) tooLong.get(2)).isNotNegative();
            assertThat(tooLong.get(3)).isEqualTo(List.of("SADD", "set", "foo", "A".repeat(128) + "... (1 more bytes)"));
            assertThat(tooLong.get(4)).isEqualTo(ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "addr"));
            assertThat(tooLong.get(5)).isEqualTo("foobar");
            List<Object> many = (List<Object>) entries.get(1).get(3);
            assertThat(many).hasSize(32).startsWith("SADD", "set", "3").endsWith("31", "... (2 more arguments)");
            assertThat(entries.get(2).get(3)).isEqualTo(List.of("SLOWLOG", "RESET"));
        }
    }

    @Test
    void secretsAreRedactedAndAdminCommandsAreLogged() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.cmd("SLOWLOG", "RESET");
            c.cmd("CONFIG", "SET", "requirepass", "s3cret");
            c.cmd("AUTH", "s3cret");
            c.cmd("AUTH", "default", "s3cret");
            c.cmd("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "x");
            c.cmd("CONFIG", "SET", "requirepass", "", "slowlog-log-slower-than", "-1");
            List<List<Object>> entries = get(c);
            // the last CONFIG SET turned the log off before it could be logged, as in Redis
            assertThat(entries.stream().map(e -> String.join(" ", (List<String>) (List<?>) e.get(3))).toList()).containsExactly(
                    "HELLO 2 AUTH (redacted) (redacted) SETNAME x",
                    "AUTH (redacted) (redacted)",
                    "AUTH (redacted)",
                    "CONFIG SET requirepass (redacted)",
                    "SLOWLOG RESET");
        }
    }

    @Test
    void onlyCommandsSlowerThanTheThresholdAreLoggedAndMinusOneDisables() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "1000000");
            c.cmd("SLOWLOG", "RESET");
            c.cmd("PING");
            c.cmd("SET", demo.keyOn(1, "sl"), "v");
            assertThat(c.cmd("SLOWLOG", "LEN")).isEqualTo(0L);
            // a KEYS over 100,000 keys on both shards takes milliseconds: logged, with the time until its reply
            for (int batch = 0; batch < 10; batch++) {
                List<String> mset = new ArrayList<>(List.of("MSET"));
                for (int i = 0; i < 10_000; i++) {
                    mset.add("slow:" + batch + ":" + i);
                    mset.add("v");
                }
                assertThat(c.cmd(mset.toArray(new String[0]))).isEqualTo("OK");
            }
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "1000");
            c.cmd("SLOWLOG", "RESET");
            assertThat((List<?>) c.cmd("KEYS", "slow:*")).hasSize(100_000);
            c.cmd("PING");
            List<List<Object>> entries = get(c, "-1");
            List<Object> keys = entries.stream().filter(e -> ((List<?>) e.get(3)).get(0).equals("KEYS")).findFirst().orElseThrow();
            assertThat((Long) keys.get(2)).isGreaterThanOrEqualTo(1000L);
            assertThat(entries.stream().map(e -> (Object) ((List<?>) e.get(3)).get(0))).doesNotContain("PING");
            c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1");
            c.cmd("SLOWLOG", "RESET");
            c.cmd("KEYS", "slow:*");
            assertThat(c.cmd("SLOWLOG", "LEN")).isEqualTo(0L);
            c.cmd("FLUSHALL");
        }
    }

    @Test
    void errorsAndHelpAreRedises() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("SLOWLOG", "GET", "-2")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
            assertThat(c.cmd("SLOWLOG", "GET", "-222")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
            assertThat(c.cmd("SLOWLOG", "GET", "x")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
            assertThat(c.cmd("SLOWLOG", "GET", "1", "2"))
                    .isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."));
            assertThat(c.cmd("SLOWLOG", "LEN", "x")).isEqualTo(new Err("ERR wrong number of arguments for 'slowlog|len' command"));
            assertThat(c.cmd("SLOWLOG", "FOO")).isEqualTo(new Err("ERR unknown subcommand 'FOO'. Try SLOWLOG HELP."));
            assertThat((List<?>) c.cmd("SLOWLOG", "HELP")).hasSize(12);
        }
    }
}
