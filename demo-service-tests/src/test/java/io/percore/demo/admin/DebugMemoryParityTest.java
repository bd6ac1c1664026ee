package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.HeapSizes;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 67, what Redis's ACL unit needs of DEBUG and MEMORY, beside redis-server 7.0.15 in RESP2 and RESP3:
 * DEBUG refused as a protected command unless {@code enable-debug-command} allows it (also before
 * authentication, in MULTI, from a script), allowed with {@code yes} and with {@code local} from the loopback;
 * DEBUG OBJECT's fields for every type and encoding (the address, the LRU clock and the idle seconds set aside:
 * refcount, encoding, serialized length and a list's quicklist figures compared, redis-server with
 * {@code rdbcompression no} as this server is); DEBUG's and MEMORY's errors and HELP; MEMORY STATS' fields in
 * Redis's order with Redis's types (the figures this server's own, checked against each other and its keys);
 * MEMORY DOCTOR's empty report, MALLOC-STATS, PURGE; ACL rules {@code +debug|object} and {@code -memory|doctor}.
 */
@SuppressWarnings("unchecked")
class DebugMemoryParityTest {

    /** redis-server with DEBUG off (its default) and with DEBUG on and no compression, as this server's files. */
    private static RealRedis redisOff;
    private static RealRedis redisOn;
    private static TestServices demoOff;
    private static TestServices demoOn;
    private static TestServices demoLocal;

    @BeforeAll
    static void start() throws Exception {
        redisOff = RealRedis.start();
        redisOn = RealRedis.start("--enable-debug-command", "yes", "--rdbcompression", "no");
        demoOff = TestServices.start(1, DemoSettings.forTests());
        demoOn = TestServices.start(2, DemoSettings.forTests().withConfig("enable-debug-command", "yes"));
        demoLocal = TestServices.start(1, DemoSettings.forTests().withConfig("enable-debug-command", "local"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {demoLocal, demoOn, demoOff, redisOn, redisOff}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @BeforeEach
    void fresh() throws IOException {
        for (int port : new int[] {redisOff.port(), redisOn.port(), demoOff.respPort(), demoOn.respPort(), demoLocal.respPort()}) {
            try (RespTestClient c = new RespTestClient(port)) {
                assertThat(c.cmd("FLUSHALL")).isEqualTo("OK");
                for (Object user : (List<?>) c.cmd("ACL", "USERS")) {
                    if (!"default".equals(user)) {
                        c.cmd("ACL", "DELUSER", (String) user);
                    }
                }
                assertThat(c.cmd("CONFIG", "SET", "requirepass", "", "list-max-listpack-size", "-2")).isEqualTo("OK");
                assertThat(c.cmd("ACL", "LOG", "RESET")).isEqualTo("OK");
                assertThat(c.cmd("CONFIG", "RESETSTAT")).isEqualTo("OK");
            }
        }
    }

    private static String[] c(String... args) {
        return args;
    }

    private static void same(RealRedis redis, TestServices demo, UnaryOperator<Object> normalize, String[]... commands)
            throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, normalize));
    }

    /** Sends each command to redis-server and to the demo on one connection each; the replies must be the same. */
    private static void setUp(RealRedis redis, TestServices demo, String[]... commands) throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            RealRedis.sameReplies(r, d, "2", commands, UnaryOperator.identity());
        }
    }

    /** DEBUG OBJECT's line without what is this process's own: the address, the LRU clock, the idle seconds. */
    private static Object objectLine(Object reply) {
        if (reply instanceof List<?> items) {
            return items.stream().map(DebugMemoryParityTest::objectLine).toList();
        }
        return reply instanceof String line
                ? line.replaceFirst("^Value at:\\S+ ", "Value at:ADDRESS ").replaceFirst(" lru:\\d+ lru_seconds_idle:\\d+", " lru:N lru_seconds_idle:N")
                : reply;
    }

    @Test
    void debugIsRefusedUnlessEnabledWithRedisesText() throws IOException {
        setUp(redisOff, demoOff, c("SET", "k", "v"));
        same(redisOff, demoOff, UnaryOperator.identity(),
                c("DEBUG", "OBJECT", "k"),
                c("DEBUG", "HELP"),
                c("DEBUG", "SEGFAULT"),
                c("DEBUG", "nosuch", "a", "b"),
                c("DEBUG"),
                c("debug", "object", "nokey"),
                c("CONFIG", "GET", "enable-debug-command"),
                c("CONFIG", "SET", "enable-debug-command", "yes"),
                c("MULTI"),
                c("DEBUG", "OBJECT", "k"),
                c("SET", "k", "w"),
                c("EXEC"),
                c("GET", "k"),
                c("EVAL", "return redis.pcall('debug', 'object', 'k')", "0"),
                c("INFO", "errorstats"));
        // before authentication: the protected command's refusal comes first, as in Redis's processCommand (RESP2:
        // HELLO 3 needs the password)
        setUp(redisOff, demoOff, c("CONFIG", "SET", "requirepass", "pw"));
        try (RespTestClient r = new RespTestClient(redisOff.port()); RespTestClient d = new RespTestClient(demoOff.respPort())) {
            RealRedis.sameReplies(r, d, "2", new String[][] {
                    c("DEBUG", "OBJECT", "k"),
                    c("GET", "k"),
                    c("AUTH", "pw"),
                    c("DEBUG", "OBJECT", "k"),
                    c("CONFIG", "SET", "requirepass", "")}, UnaryOperator.identity());
        }
    }

    @Test
    void debugRunsWhenEnabledAndFromTheLoopbackWithLocal() throws IOException {
        for (TestServices demo : new TestServices[] {demoOn, demoLocal}) {
            setUp(redisOn, demo, c("SET", "k", "hello"));
            same(redisOn, demo, DebugMemoryParityTest::objectLine,
                    c("DEBUG", "OBJECT", "k"),
                    c("DEBUG", "SLEEP", "0"),
                    c("DEBUG", "LOG", "from the parity test"),
                    c("MULTI"),
                    c("DEBUG", "OBJECT", "k"),
                    c("EXEC"),
                    c("EVAL", "return redis.pcall('debug', 'object', 'k')", "0"));
        }
        try (RespTestClient d = new RespTestClient(demoLocal.respPort())) {
            assertThat(d.cmd("CONFIG", "GET", "enable-debug-command")).isEqualTo(List.of("enable-debug-command", "local"));
        }
    }

    /**
     * {@code local} judged by the peer's address, end to end: a server bound beyond loopback (protected mode off)
     * refuses DEBUG to a client connecting from this machine's own non-loopback address and runs it from 127.0.0.1.
     */
    @Test
    void localRefusesDebugToAClientFromAnotherAddress() throws Exception {
        InetAddress external = nonLoopbackAddress();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to connect from");
        DemoSettings everywhere = DemoSettings.forTests().withBindAddress("0.0.0.0").withConfig("enable-debug-command", "local");
        try (TestServices demo = TestServices.start(1, everywhere); RespTestClient local = new RespTestClient(demo.respPort())) {
            assertThat(local.cmd("CONFIG", "SET", "protected-mode", "no")).isEqualTo("OK");
            assertThat(local.cmd("DEBUG", "SLEEP", "0")).isEqualTo("OK");
            try (Socket s = new Socket(external, demo.respPort())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(RespTestClient.encode("DEBUG", "HELP"));
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int ch; (ch = in.read()) >= 0 && ch != '\r'; ) {
                    line.append((char) ch);
                }
                assertThat(line.toString()).isEqualTo("-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
                        + "you can run it from a local connection, otherwise you need to set this option in the configuration file, "
                        + "and then restart the server.");
            }
        }
    }

    /** An address of this machine that is not loopback (connecting to it comes from it), or null. */
    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        return null;
    }

    @Test
    void debugErrorsAndHelp() throws IOException {
        same(redisOn, demoOn, UnaryOperator.identity(),
                c("DEBUG"),
                c("DEBUG", "OBJECT"),
                c("DEBUG", "OBJECT", "a", "b"),
                c("DEBUG", "object", "nokey"),
                c("DEBUG", "help", "extra"),
                c("DEBUG", "SLEEP"),
                c("DEBUG", "LOG"),
                c("DEBUG", "nosuch"),
                c("DEBUG", "x".repeat(200), "y"),
                c("DEBUG", "a\r\nb"),
                c("CONFIG", "GET", "enable-debug-command"));
        // HELP: Redis's first line, then Redis's own lines for what is here (SLEEP's words adapted: one shard sleeps)
        try (RespTestClient r = new RespTestClient(redisOn.port()); RespTestClient d = new RespTestClient(demoOn.respPort())) {
            List<Object> theirs = (List<Object>) r.cmd("DEBUG", "HELP");
            List<Object> ours = (List<Object>) d.cmd("DEBUG", "HELP");
            assertThat(ours.get(0)).isEqualTo(theirs.get(0));
            assertThat(ours.subList(ours.size() - 2, ours.size())).isEqualTo(theirs.subList(theirs.size() - 2, theirs.size()));
            List<Object> named = new ArrayList<>();
            for (Object line : ours.subList(1, ours.size() - 2)) {
                if (!line.toString().contains("Stop the connection's shard")) {
                    named.add(line);
                }
            }
            assertThat(theirs).containsAll(named);
            assertThat(named).contains("OBJECT <key>", "SLEEP <seconds>", "LOG <message>");
        }
    }

    @Test
    void debugSleepStopsTheConnectionsShardForThatLong() throws IOException {
        try (RespTestClient d = new RespTestClient(demoOn.respPort())) {
            long start = System.nanoTime();
            assertThat(d.cmd("DEBUG", "SLEEP", "0.2")).isEqualTo("OK");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
            for (String nothing : new String[] {"-1", "abc", "inf", "nan", "1e300"}) {
                start = System.nanoTime();
                assertThat(d.cmd("DEBUG", "SLEEP", nothing)).isEqualTo("OK");
                assertThat(System.nanoTime() - start).as(nothing).isLessThan(30_000_000_000L);
            }
        }
    }

    @Test
    void debugObjectOfStrings() throws IOException {
        setUp(redisOn, demoOn,
                c("SET", "int", "12"), c("SET", "neg", "-5"), c("SET", "big", "12345678901"), c("SET", "max", "9223372036854775807"),
                c("SET", "over", "9223372036854775808"), c("SET", "embstr", "hello"), c("SET", "zeros", "007"),
                c("SET", "e44", "e".repeat(44)), c("SET", "r45", "r".repeat(45)), c("SET", "raw", "abcdefghij".repeat(30)),
                c("SET", "appended", "1"), c("APPEND", "appended", "23"), c("SET", "ranged", "hello"), c("SETRANGE", "ranged", "10", "world"),
                c("INCR", "counter"), c("SET", "empty", ""));
        same(redisOn, demoOn, DebugMemoryParityTest::objectLine,
                objects("int", "neg", "big", "max", "over", "embstr", "zeros", "e44", "r45", "raw", "appended", "ranged", "counter", "empty"));
    }

    @Test
    void debugObjectOfListsIsTheQuicklistRedisPacks() throws IOException {
        setUp(redisOn, demoOn,
                push("RPUSH", "small", "a", "b", "c", "1", "-1", "300", "12345678901234"),
                push("RPUSH", "many", IntStream.range(0, 3000).mapToObj(i -> String.format("elem%06d", i)).toArray(String[]::new)),
                push("RPUSH", "wide", IntStream.range(0, 5).mapToObj(i -> "y".repeat(5000)).toArray(String[]::new)),
                push("RPUSH", "mixed", "1", "-1", "300", "70000", "x".repeat(70), "z".repeat(5000), "a".repeat(4095), "a".repeat(64)),
                push("LPUSH", "headfirst", IntStream.range(0, 800).mapToObj(i -> "h" + i % 10).toArray(String[]::new)),
                push("RPUSH", "large", "q".repeat(70_000), "a", "b"));
        same(redisOn, demoOn, DebugMemoryParityTest::objectLine, objects("small", "many", "wide", "mixed", "headfirst", "large"));
        // another fill for lists made after it (Redis keeps the fill a list was made with)
        for (String fill : new String[] {"5", "-1", "-5", "0", "-100"}) {
            setUp(redisOn, demoOn, c("CONFIG", "SET", "list-max-listpack-size", fill), c("DEL", "f"),
                    push("RPUSH", "f", IntStream.range(0, 100).mapToObj(i -> "e".repeat(i % 50)).toArray(String[]::new)));
            same(redisOn, demoOn, DebugMemoryParityTest::objectLine, objects("f"));
        }
    }

    @Test
    void debugObjectOfHashesSetsAndSortedSets() throws IOException {
        List<String> hashFields = new ArrayList<>(List.of("HSET", "hbig"));
        IntStream.range(0, 600).forEach(i -> hashFields.addAll(List.of("f" + i, "v" + i)));
        List<String> zsetMembers = new ArrayList<>(List.of("ZADD", "zbig"));
        IntStream.range(0, 200).forEach(i -> zsetMembers.addAll(List.of(Double.toString(i * 1.5), "m" + i)));
        setUp(redisOn, demoOn,
                c("HSET", "hlp", "a", "1", "b", "-70000", "c", "3.5", "d", "x".repeat(63), "12", "9999999999"),
                c("HSET", "hlong", "f", "x".repeat(100)),
                hashFields.toArray(String[]::new),
                c("SADD", "i16", "1", "2", "-3"), c("SADD", "i32", "1", "100000"), c("SADD", "i64", "1", "10000000000"),
                c("SADD", "i64shrunk", "1", "10000000000"), c("SREM", "i64shrunk", "10000000000"),
                push("SADD", "ibig", IntStream.range(0, 600).mapToObj(Integer::toString).toArray(String[]::new)),
                c("SADD", "strings", "a", "b", "c", "12", "x".repeat(30)),
                c("ZADD", "zlp", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "1e20", "e", "0.1", "f", "-inf", "12"),
                zsetMembers.toArray(String[]::new),
                c("ZADD", "zlong", "1", "m".repeat(100)));
        same(redisOn, demoOn, DebugMemoryParityTest::objectLine,
                objects("hlp", "hlong", "hbig", "i16", "i32", "i64", "i64shrunk", "ibig", "strings", "zlp", "zbig", "zlong"));
    }

    @Test
    void debugObjectOfStreams() throws IOException {
        List<String[]> commands = new ArrayList<>();
        for (int i = 1; i < 250; i++) {
            commands.add(c("XADD", "st", i + "-1", "f", "v" + i, "g", Integer.toString(i)));
        }
        commands.add(c("XGROUP", "CREATE", "st", "g1", "0"));
        commands.add(c("XGROUP", "CREATE", "st", "12345", "0"));
        commands.add(c("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "st", ">"));
        commands.add(c("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "300", "STREAMS", "st", ">"));
        commands.add(c("XDEL", "st", "5-1", "6-1"));
        commands.add(c("XADD", "one", "1-1", "a", "b"));
        commands.add(c("XADD", "trimmed", "MAXLEN", "2", "1700000000000-0", "a", "1"));
        commands.add(c("XADD", "trimmed", "MAXLEN", "2", "1700000000001-5", "b", "2"));
        commands.add(c("XADD", "trimmed", "MAXLEN", "2", "1700000000500-0", "c", "3"));
        commands.add(c("XSETID", "one", "5-5", "ENTRIESADDED", "9", "MAXDELETEDID", "3-0"));
        setUp(redisOn, demoOn, commands.toArray(String[][]::new));
        same(redisOn, demoOn, DebugMemoryParityTest::objectLine, objects("st", "one", "trimmed"));
    }

    @Test
    void memoryErrorsHelpDoctorMallocStatsAndPurge() throws IOException {
        same(redisOn, demoOn, UnaryOperator.identity(),
                c("MEMORY"),
                c("MEMORY", "nosuch"),
                c("MEMORY", "HELP"),
                c("MEMORY", "HELP", "x"),
                c("MEMORY", "DOCTOR", "x"),
                c("MEMORY", "STATS", "x"),
                c("MEMORY", "PURGE", "x"),
                c("MEMORY", "MALLOC-STATS", "x"),
                c("MEMORY", "USAGE"),
                c("MEMORY", "DOCTOR"),
                c("MEMORY", "PURGE"));
        // MALLOC-STATS: redis-server has jemalloc's report; a JVM has Redis's answer without one
        try (RespTestClient d = new RespTestClient(demoOn.respPort())) {
            assertThat(d.cmd("MEMORY", "MALLOC-STATS")).isEqualTo("Stats not supported for the current allocator");
        }
    }

    @Test
    void memoryStatsHasRedisesFieldsInOrderWithThisServersFigures() throws IOException {
        setUp(redisOn, demoOn, c("SET", "a", "1"), c("SET", "b", "2", "EX", "100"), c("SELECT", "3"), c("SET", "c", "3"),
                c("SELECT", "0"), c("EVAL", "return 1", "0"));
        same(redisOn, demoOn, DebugMemoryParityTest::shape, c("MEMORY", "STATS"));
        try (RespTestClient d = new RespTestClient(demoOn.respPort())) {
            Map<String, Object> stats = fields(d.cmd("MEMORY", "STATS"));
            long total = (Long) stats.get("total.allocated");
            assertThat((Long) stats.get("overhead.total") + (Long) stats.get("dataset.bytes")).isEqualTo(total);
            assertThat(stats.get("keys.count")).isEqualTo(3L);
            assertThat(stats.get("keys.bytes-per-key")).isEqualTo(total / 3);
            assertThat((Long) stats.get("peak.allocated")).isGreaterThanOrEqualTo(total);
            assertThat((Long) stats.get("lua.caches")).isPositive();
            Map<String, Object> db0 = fields(stats.get("db.0"));
            assertThat(db0.get("overhead.hashtable.main")).isEqualTo(HeapSizes.keysOverhead(2));
            assertThat(db0.get("overhead.hashtable.expires")).isEqualTo(HeapSizes.expiriesOverhead(1));
            assertThat(fields(stats.get("db.3")).get("overhead.hashtable.main")).isEqualTo(HeapSizes.keysOverhead(1));
            assertThat(stats).doesNotContainKey("db.9");
            // INFO memory's overhead is the same sum (its clients' part moves between two commands: at least the tables)
            String info = (String) d.cmd("INFO", "memory");
            long overhead = Long.parseLong(info.replaceFirst("(?s).*\r\nused_memory_overhead:(\\d+)\r\n.*", "$1"));
            assertThat(overhead).isGreaterThanOrEqualTo(HeapSizes.keysOverhead(3) + HeapSizes.expiriesOverhead(1) + (Long) stats.get("lua.caches"));
        }
    }

    @Test
    void aclRulesOnDebugAndMemorySubcommandsAllowExactlyWhatRedisAllows() throws IOException {
        setUp(redisOn, demoOn, c("SET", "key", "v"),
                c("ACL", "SETUSER", "newuser", "on", ">pw", "~*", "-@all", "+acl", "+incr", "+debug|object"),
                c("ACL", "SETUSER", "bob", "on", ">pw", "~*", "-@all", "+memory|doctor"),
                c("ACL", "SETUSER", "alice", "on", ">pw", "~*", "+@all", "-memory|doctor"),
                c("ACL", "SETUSER", "carol", "on", ">pw", "~*", "+@all", "-memory"),
                c("ACL", "SETUSER", "dave", "on", ">pw", "~*", "+@all", "-debug", "+debug|digest"));
        same(redisOn, demoOn, r -> AclReplies.normalized(objectLine(r)),
                c("ACL", "GETUSER", "newuser"),
                c("ACL", "LIST"),
                c("ACL", "DRYRUN", "newuser", "DEBUG", "OBJECT", "key"),
                c("ACL", "DRYRUN", "newuser", "DEBUG", "SEGFAULT"),
                c("ACL", "DRYRUN", "bob", "MEMORY", "DOCTOR"),
                c("ACL", "DRYRUN", "bob", "MEMORY", "STATS"),
                c("ACL", "DRYRUN", "alice", "MEMORY", "DOCTOR"),
                c("ACL", "DRYRUN", "alice", "MEMORY", "STATS"),
                c("ACL", "DRYRUN", "carol", "MEMORY", "STATS"),
                c("ACL", "DRYRUN", "dave", "DEBUG", "DIGEST"),
                c("ACL", "DRYRUN", "dave", "DEBUG", "OBJECT", "key"),
                c("AUTH", "newuser", "pw"),
                c("DEBUG", "OBJECT", "key"),
                c("debug", "Object", "key"),
                c("DEBUG", "SEGFAULT"),
                c("DEBUG", "SLEEP", "0"),
                c("MEMORY", "DOCTOR"),
                c("AUTH", "bob", "pw"),
                c("MEMORY", "DOCTOR"),
                c("MEMORY", "PURGE"),
                c("DEBUG", "OBJECT", "key"),
                c("AUTH", "alice", "pw"),
                c("MEMORY", "DOCTOR"),
                c("MEMORY", "HELP"),
                c("MEMORY", "PURGE"),
                c("AUTH", "carol", "pw"),
                c("MEMORY", "DOCTOR"),
                c("MEMORY", "STATS"),
                c("MEMORY", "USAGE", "key"),
                c("AUTH", "dave", "pw"),
                c("DEBUG", "OBJECT", "key"),
                c("AUTH", "default", "x"));
        // what was refused is in the ACL LOG as Redis logs it: the command's name, the context, the user
        same(redisOn, demoOn, DebugMemoryParityTest::logEntries, c("ACL", "LOG"));
        // what the users were allowed answered as for the default user (MEMORY STATS as a shape)
        try (RespTestClient r = new RespTestClient(redisOn.port()); RespTestClient d = new RespTestClient(demoOn.respPort())) {
            for (RespTestClient client : new RespTestClient[] {r, d}) {
                assertThat(client.cmd("AUTH", "alice", "pw")).isEqualTo("OK");
            }
            assertThat(shape(d.cmd("MEMORY", "STATS"))).isEqualTo(shape(r.cmd("MEMORY", "STATS")));
        }
    }

    private static String[] push(String command, String key, String... elements) {
        String[] args = new String[elements.length + 2];
        args[0] = command;
        args[1] = key;
        System.arraycopy(elements, 0, args, 2, elements.length);
        return args;
    }

    private static String[][] objects(String... keys) {
        String[][] commands = new String[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            commands[i] = c("DEBUG", "OBJECT", keys[i]);
        }
        return commands;
    }

    /** A map reply's names and values: RESP3's map, or RESP2's array of names and values. */
    private static Map<String, Object> fields(Object reply) {
        List<?> items = reply instanceof RespTestClient.Map3 m ? m.keysAndValues() : (List<?>) reply;
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            out.put((String) items.get(i), items.get(i + 1));
        }
        return out;
    }

    /** MEMORY STATS as its names, in order, each with its value's type (a nested map's own shape). */
    private static Object shape(Object reply) {
        if (!(reply instanceof RespTestClient.Map3) && !(reply instanceof List<?>)) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        fields(reply).forEach((name, value) -> {
            out.add(name);
            out.add(value instanceof RespTestClient.Map3 || value instanceof List<?> ? shape(value)
                    : value instanceof Long ? "integer"
                    : value instanceof RespTestClient.Double3 ? "double"
                    : value instanceof String s && s.matches("-?[0-9.e+-]+|inf|-inf") ? "double (RESP2)" : value);
        });
        return out;
    }

    /** ACL LOG's entries as their reason, context, object and user (the client's line and the times are each server's). */
    private static Object logEntries(Object reply) {
        if (!(reply instanceof List<?> entries)) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        for (Object entry : entries) {
            Map<String, Object> f = fields(entry);
            out.add(List.of(f.get("count"), f.get("reason"), f.get("context"), f.get("object"), f.get("username")));
        }
        return out;
    }
}
