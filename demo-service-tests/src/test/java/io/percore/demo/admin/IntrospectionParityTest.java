package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: what an operator reads, sent to a real redis-server 7.0.15 and to the 2-shard demo, in
 * RESP2 and RESP3: CLIENT's, CONFIG's and SLOWLOG's replies and error texts, their HELP, RESET,
 * the fields of CLIENT LIST and of every INFO section (Redis's names, in Redis's order).
 */
class IntrospectionParityTest {

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

    private static void same(String[]... commands) throws IOException {
        same(UnaryOperator.identity(), commands);
    }

    private static void same(UnaryOperator<Object> normalize, String[]... commands) throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, normalize));
    }

    @Test
    void clientRepliesAndErrorsAreRedises() throws IOException {
        same(new String[] {"CLIENT"},
                new String[] {"CLIENT", "NOSUCH"},
                new String[] {"CLIENT", "GETNAME"},
                new String[] {"CLIENT", "SETNAME", "parity-name"},
                new String[] {"CLIENT", "GETNAME"},
                new String[] {"CLIENT", "SETNAME", "a b"},
                new String[] {"CLIENT", "SETNAME", ""},
                new String[] {"CLIENT", "GETNAME"},
                new String[] {"CLIENT", "SETNAME"},
                new String[] {"CLIENT", "GETNAME", "x"},
                new String[] {"CLIENT", "ID", "x"},
                new String[] {"CLIENT", "INFO", "x"},
                new String[] {"CLIENT", "LIST", "TYPE", "foo"},
                new String[] {"CLIENT", "LIST", "TYPE", "pubsub"},
                new String[] {"CLIENT", "LIST", "TYPE", "master"},
                new String[] {"CLIENT", "LIST", "ID", "abc"},
                new String[] {"CLIENT", "LIST", "ID", "999999"},
                new String[] {"CLIENT", "LIST", "foo"},
                new String[] {"CLIENT", "KILL"},
                new String[] {"CLIENT", "KILL", "id", "10", "wrong_arg"},
                new String[] {"CLIENT", "KILL", "id", "str"},
                new String[] {"CLIENT", "KILL", "id", "0"},
                new String[] {"CLIENT", "KILL", "id", "999999"},
                new String[] {"CLIENT", "KILL", "type", "wrong_type"},
                new String[] {"CLIENT", "KILL", "user", "wrong_user"},
                new String[] {"CLIENT", "KILL", "user", "default"},
                new String[] {"CLIENT", "KILL", "skipme", "maybe"},
                new String[] {"CLIENT", "KILL", "1.2.3.4:5"},
                new String[] {"CLIENT", "KILL", "addr", "1.2.3.4:5", "laddr", "1.2.3.4:6"},
                new String[] {"CLIENT", "KILL", "foo", "bar"},
                new String[] {"CLIENT", "REPLY", "maybe"},
                new String[] {"CLIENT", "REPLY"},
                new String[] {"CLIENT", "REPLY", "ON"},
                new String[] {"CLIENT", "NO-EVICT", "maybe"},
                new String[] {"CLIENT", "NO-EVICT", "on"},
                new String[] {"CLIENT", "NO-EVICT", "off"},
                new String[] {"CLIENT", "PAUSE"},
                new String[] {"CLIENT", "PAUSE", "abc"},
                new String[] {"CLIENT", "PAUSE", "-1"},
                new String[] {"CLIENT", "PAUSE", "10", "foo"},
                new String[] {"CLIENT", "PAUSE", "10", "write", "extra"},
                new String[] {"CLIENT", "PAUSE", "0"},
                new String[] {"CLIENT", "UNPAUSE"},
                new String[] {"CLIENT", "UNPAUSE", "x"},
                new String[] {"RESET", "x"},
                new String[] {"MONITOR", "x"},
                new String[] {"client|list"},
                new String[] {"CONFIG|GET", "GET_XX"});
    }

    @Test
    void configRepliesAndErrorsAreRedises() throws IOException {
        same(IntrospectionParityTest::pairsSorted,
                new String[] {"CONFIG", "GET", "maxmemory-policy", "maxmemory-samples", "timeout", "slowlog-log-slower-than",
                        "slowlog-max-len", "proto-max-bulk-len", "save", "appendonly", "cluster-enabled", "daemonize"},
                new String[] {"CONFIG", "GET", "*max-*-entries"},
                new String[] {"CONFIG", "GET", "*max-*-value"},
                new String[] {"CONFIG", "GET", "list-*"},
                new String[] {"CONFIG", "GET", "SLOWLOG-MAX-LEN"},
                new String[] {"CONFIG", "GET", "nosuch"},
                new String[] {"CONFIG", "GET"},
                new String[] {"CONFIG", "SET", "timeout", "-1"},
                new String[] {"CONFIG", "SET", "timeout", "x"},
                new String[] {"CONFIG", "SET", "timeout", "2147483648"},
                new String[] {"CONFIG", "SET", "slowlog-max-len", "-1"},
                new String[] {"CONFIG", "SET", "slowlog-log-slower-than", "-2"},
                new String[] {"CONFIG", "SET", "maxclients", "0"},
                new String[] {"CONFIG", "SET", "maxclients", "-1"},
                new String[] {"CONFIG", "SET", "proto-max-bulk-len", "x"},
                new String[] {"CONFIG", "SET", "hash-max-listpack-entries", "-1"},
                new String[] {"CONFIG", "SET", "hash-max-listpack-value", "-1"},
                new String[] {"CONFIG", "SET", "zset-max-ziplist-entries", "x"},
                new String[] {"CONFIG", "SET", "ZSET-MAX-ZIPLIST-ENTRIES", "x"},
                new String[] {"CONFIG", "SET", "TIMEOUT", "0", "Timeout", "1"},
                new String[] {"CONFIG", "SET", "list-max-listpack-size", "2147483648"},
                new String[] {"CONFIG", "SET", "maxmemory-samples", "x"}, // 0 differs on purpose: the cap is 64 here (README)
                new String[] {"CONFIG", "SET", "appendonly", "maybe"},
                new String[] {"CONFIG", "SET", "daemonize", "yes"},
                new String[] {"CONFIG", "SET", "databases", "1"},
                // protected and immutable parameters are refused by name, before any value is read
                new String[] {"CONFIG", "SET", "maxmemory", "bad", "dir", "x"},
                new String[] {"CONFIG", "SET", "databases", "2", "dir", "x"},
                new String[] {"CONFIG", "SET", "appenddirname", "x", "maxmemory", "bad"},
                new String[] {"CONFIG", "SET", "dir", "x", "dir", "y"},
                // a value that cannot be read is named before a fixed parameter's other value (Redis: its apply step)
                new String[] {"CONFIG", "SET", "port", "1", "maxmemory", "bad"},
                new String[] {"CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"},
                new String[] {"CONFIG", "SET", "nosuch", "1", "timeout", "x"},
                new String[] {"CONFIG", "SET", "timeout", "x", "nosuch", "1"},
                new String[] {"CONFIG", "SET", "a", "b", "c"},
                new String[] {"CONFIG", "SET", "timeout"},
                new String[] {"CONFIG", "SET", "timeout", "0", "slowlog-max-len", "128", "zset-max-ziplist-entries", "128"},
                new String[] {"CONFIG", "SET", "appendonly", "no", "save", ""},
                new String[] {"CONFIG", "RESETSTAT"},
                new String[] {"CONFIG", "RESETSTAT", "x"},
                new String[] {"CONFIG", "REWRITE"},
                new String[] {"CONFIG", "HELP"},
                new String[] {"CONFIG", "HELP", "x"},
                new String[] {"CONFIG", "NOSUCH"},
                new String[] {"CONFIG"});
    }

    /** CONFIG GET's map, whose order is Redis's dict's: its pairs sorted by name (RESP3 map or RESP2 flat array). */
    private static Object pairsSorted(Object reply) {
        List<?> items = reply instanceof RespTestClient.Map3 map ? map.keysAndValues() : reply instanceof List<?> list ? list : null;
        if (items == null || items.size() % 2 != 0) {
            return reply;
        }
        List<List<Object>> pairs = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            pairs.add(List.of(items.get(i), items.get(i + 1)));
        }
        pairs.sort(java.util.Comparator.comparing(pair -> String.valueOf(pair.get(0))));
        List<Object> flat = new ArrayList<>();
        pairs.forEach(flat::addAll);
        return reply instanceof RespTestClient.Map3 ? new RespTestClient.Map3(flat) : flat;
    }

    @Test
    void slowlogAndCommandHelpAreRedises() throws IOException {
        try {
            // logging off: a loaded machine makes any command slower than the default 10 ms, and LEN must read 0
            same(new String[] {"CONFIG", "SET", "slowlog-log-slower-than", "-1"},
                    new String[] {"SLOWLOG", "HELP"},
                    new String[] {"SLOWLOG", "RESET"},
                    new String[] {"SLOWLOG", "LEN"},
                    new String[] {"SLOWLOG", "GET"},
                    new String[] {"SLOWLOG", "GET", "-2"},
                    new String[] {"SLOWLOG", "GET", "x"},
                    new String[] {"SLOWLOG", "GET", "1", "2"},
                    new String[] {"SLOWLOG", "LEN", "x"},
                    new String[] {"SLOWLOG", "NOSUCH"},
                    new String[] {"SLOWLOG"},
                    new String[] {"COMMAND", "HELP"});
        } finally {
            for (int port : new int[] {redis.port(), demo.respPort()}) {
                try (RespTestClient c = new RespTestClient(port)) {
                    c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                }
            }
        }
    }

    /** A logged entry, with what differs between two servers by nature (id, time, duration, address) left out. */
    private static Object entryShape(Object reply) {
        if (!(reply instanceof List<?> entries)) {
            return reply;
        }
        List<Object> shapes = new ArrayList<>();
        for (Object e : entries) {
            List<?> entry = (List<?>) e;
            shapes.add(List.of(entry.size(), entry.get(3), entry.get(5)));
        }
        return shapes;
    }

    @Test
    void slowlogEntriesAreRedises() throws IOException {
        try {
            same(IntrospectionParityTest::entryShape,
                    new String[] {"CLIENT", "SETNAME", "slow"},
                    new String[] {"CONFIG", "SET", "slowlog-log-slower-than", "0"},
                    new String[] {"SLOWLOG", "RESET"},
                    new String[] {"SET", "{p}k", "v"},
                    new String[] {"AUTH", "x"},
                    new String[] {"CONFIG", "SET", "requirepass", ""},
                    new String[] {"SADD", "{p}s", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
                            "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33"},
                    new String[] {"SLOWLOG", "GET"},
                    new String[] {"SLOWLOG", "GET", "2"},
                    new String[] {"CONFIG", "SET", "slowlog-log-slower-than", "-1"},
                    new String[] {"SLOWLOG", "RESET"},
                    new String[] {"DEL", "{p}k", "{p}s"});
        } finally {
            for (int port : new int[] {redis.port(), demo.respPort()}) {
                try (RespTestClient c = new RespTestClient(port)) {
                    c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                }
            }
        }
    }

    @Test
    void resetMonitorAndQuitAnswerAsRedis() throws IOException {
        same(new String[] {"CLIENT", "SETNAME", "x"},
                new String[] {"RESET"},
                new String[] {"CLIENT", "GETNAME"},
                new String[] {"CLIENT", "REPLY", "ON"});
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient c = new RespTestClient(port)) {
                assertThat(c.cmd("MONITOR")).isEqualTo("OK");
                assertThat(c.cmd("RESET")).isEqualTo("RESET");
                assertThat(c.cmd("QUIT")).isEqualTo("OK");
                assertThat(c.closedByServer()).isTrue();
            }
        }
    }

    private static List<String> fieldNames(String line) {
        return Arrays.stream(line.trim().split(" ")).map(kv -> kv.substring(0, kv.indexOf('='))).toList();
    }

    @Test
    void clientListHasRedisesFieldsFirstInRedisesOrder() throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            Object theirs = r.cmd("CLIENT", "INFO");
            Object ours = d.cmd("CLIENT", "INFO");
            assertThat(ours.getClass()).isEqualTo(theirs.getClass());
            String theirLine = theirs instanceof RespTestClient.Verbatim v ? v.text() : (String) theirs;
            String ourLine = ours instanceof RespTestClient.Verbatim v ? v.text() : (String) ours;
            List<String> redisFields = fieldNames(theirLine);
            assertThat(fieldNames(ourLine)).startsWith(redisFields.toArray(new String[0]));
            for (String field : List.of("flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "argv-mem", "multi-mem", "obl", "oll",
                    "omem", "events", "cmd", "user", "redir", "resp")) {
                assertThat(ClientCommandsTest.field(ourLine, field)).as("RESP" + proto + " " + field)
                        .isEqualTo(ClientCommandsTest.field(theirLine, field));
            }
        });
    }

    /** An INFO reply's sections, each with its field names in order. */
    private static Map<String, List<String>> sections(Object reply) {
        String text = reply instanceof RespTestClient.Verbatim v ? v.text() : (String) reply;
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\r\n")) {
            if (line.startsWith("# ")) {
                current = new ArrayList<>();
                out.put(line.substring(2), current);
            } else if (!line.isEmpty() && current != null) {
                current.add(line.substring(0, line.indexOf(':')));
            }
        }
        return out;
    }

    @Test
    void infoHasRedisesSectionsAndFieldsInRedisesOrder() throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            r.cmd("SET", "{p}k", "v");
            d.cmd("SET", "{p}k", "v");
            for (String[] args : new String[][] {{"INFO"}, {"INFO", "everything"}, {"INFO", "default"}, {"INFO", "cpu", "keyspace"}}) {
                Object theirs = r.cmd(args);
                Object ours = d.cmd(args);
                assertThat(ours.getClass()).as("RESP" + proto + " reply type").isEqualTo(theirs.getClass());
                Map<String, List<String>> redisSections = sections(theirs);
                Map<String, List<String>> ourSections = sections(ours);
                assertThat(ourSections.keySet()).as(String.join(" ", args)).containsExactlyElementsOf(redisSections.keySet());
                for (Map.Entry<String, List<String>> section : redisSections.entrySet()) {
                    if (section.getKey().equals("Commandstats") || section.getKey().equals("Errorstats")) {
                        continue; // lines per command run and per error: compared in InfoCommandTest
                    }
                    if (section.getKey().equals("Latencystats")) {
                        continue; // no per-command latency histograms here (README): the section is empty
                    }
                    List<String> ourFields = new ArrayList<>(ourSections.get(section.getKey()));
                    ourFields.retainAll(section.getValue());
                    assertThat(ourFields).as("RESP" + proto + " " + section.getKey() + ": Redis's fields, in Redis's order")
                            .containsExactlyElementsOf(section.getValue());
                }
            }
            r.cmd("DEL", "{p}k");
            d.cmd("DEL", "{p}k");
            assertThat(d.cmd("INFO", "nosuchsection")).isEqualTo(r.cmd("INFO", "nosuchsection"));
        });
    }
}
