package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: SCAN ... TYPE for every type the demo has (strings written whole and changed in place,
 * lists, sets, hashes, sorted sets), over a two-shard keyspace: a whole
 * iteration finds exactly the keys redis-server finds for the same data.
 */
class ScanTypeTest {

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

    /** Every key a whole SCAN with {@code options} returns, sorted. */
    private static TreeSet<String> scanAll(RespTestClient c, String... options) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<String> command = new ArrayList<>(List.of("SCAN", cursor));
            command.addAll(List.of(options));
            List<?> reply = (List<?>) c.cmd(command.toArray(String[]::new));
            cursor = (String) reply.get(0);
            for (Object key : (List<?>) reply.get(1)) {
                keys.add((String) key);
            }
            assertThat(++calls).as("SCAN ends").isLessThan(10_000);
        } while (!cursor.equals("0"));
        return keys;
    }

    @Test
    void scanTypeFindsEachTypeAsRedis() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (RespTestClient c : List.of(r, d)) {
                c.cmd("FLUSHALL");
                for (int i = 0; i < 40; i++) {
                    c.cmd("SET", "str:" + i, "v");
                    c.cmd("SETBIT", "bits:" + i, "100", "1");
                    c.cmd("APPEND", "appended:" + i, "a");
                    c.cmd("APPEND", "appended:" + i, "b");
                    c.cmd("RPUSH", "list:" + i, "a");
                    c.cmd("SADD", "set:" + i, "a");
                    c.cmd("HSET", "hash:" + i, "f", "v");
                    c.cmd("ZADD", "zset:" + i, "1", "m");
                }
                c.cmd("SET", "str:expired", "v", "PX", "1");
            }
            sleep();
            for (String type : List.of("string", "STRING", "list", "set", "hash", "zset", "stream", "nosuchtype")) {
                TreeSet<String> expected = scanAll(r, "TYPE", type);
                assertThat(scanAll(d, "TYPE", type)).as("SCAN TYPE " + type).isEqualTo(expected);
                assertThat(scanAll(d, "COUNT", "7", "TYPE", type, "MATCH", "*1*")).as("SCAN MATCH *1* TYPE " + type)
                        .isEqualTo(scanAll(r, "COUNT", "7", "TYPE", type, "MATCH", "*1*"));
            }
            assertThat(scanAll(d, "TYPE", "string")).hasSize(120);
            assertThat(scanAll(d, "TYPE", "list")).hasSize(40).allMatch(k -> k.startsWith("list:"));
            assertThat(scanAll(d, "TYPE", "set")).hasSize(40).allMatch(k -> k.startsWith("set:"));
            assertThat(scanAll(d, "TYPE", "hash")).hasSize(40).allMatch(k -> k.startsWith("hash:"));
            assertThat(scanAll(d, "TYPE", "zset")).hasSize(40).allMatch(k -> k.startsWith("zset:"));
            assertThat(scanAll(d)).hasSize(280);
            assertThat(d.cmd("SCAN", "0", "TYPE")).isEqualTo(r.cmd("SCAN", "0", "TYPE"));
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
