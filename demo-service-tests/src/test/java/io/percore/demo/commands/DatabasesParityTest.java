package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.cluster.ClusterSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestPorts;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 68: the numbered databases beside a redis-server 7.0.15 of 16 databases, on 2 and 3 shards, replies
 * and errors byte for byte in RESP2 and RESP3: SELECT, MOVE, SWAPDB, COPY ... DB, FLUSHDB and FLUSHALL,
 * DBSIZE, RANDOMKEY, SCAN, KEYS, expiry, INFO keyspace, CLIENT INFO's db, OBJECT, DUMP/RESTORE, SORT's
 * BY/GET patterns and blocking pops in the selected database; keyspace notifications on
 * {@code __keyspace@<db>__}; WATCH of a key of one database against writes in another, SWAPDB and FLUSHDB;
 * SWAPDB serving a client blocked on the other database's key; SELECT in MULTI and in a script; client
 * tracking's invalidations by key name; cluster mode's refusals.
 */
class DatabasesParityTest {

    private static RealRedis redis;
    private static TestServices two;
    private static TestServices three;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        two = TestServices.start(2, DemoSettings.forTests());
        three = TestServices.start(3, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        three.close();
        two.close();
        redis.close();
    }

    private static TestServices demo(int shards) {
        return shards == 2 ? two : three;
    }

    private static String[] c(String... args) {
        return args;
    }

    private static void sameReplies(int shards, UnaryOperator<Object> normalize, String[]... commands) throws IOException {
        redis.inBothProtocols(demo(shards).respPort(), (r, d, proto) -> {
            r.cmd("FLUSHALL");
            d.cmd("FLUSHALL");
            RealRedis.sameReplies(r, d, proto, commands, normalize);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void theDatabaseCommandsAndTheirErrorsAreRedises(int shards) throws IOException {
        sameReplies(shards, reply -> reply,
                c("SELECT"), c("SELECT", "x"), c("SELECT", "-1"), c("SELECT", "16"), c("SELECT", "99999999999"), c("SELECT", "1.5"),
                c("SELECT", "0", "extra"),
                c("SET", "a", "zero"), c("SET", "b", "zero"), c("SELECT", "3"), c("GET", "a"), c("SET", "a", "three"), c("GET", "a"),
                c("EXISTS", "a", "b"), c("DBSIZE"), c("SELECT", "15"), c("DBSIZE"), c("RANDOMKEY"), c("SELECT", "0"), c("DBSIZE"),
                // MOVE
                c("MOVE", "a"), c("MOVE", "a", "x"), c("MOVE", "a", "16"), c("MOVE", "a", "-1"), c("MOVE", "a", "99999999999"),
                c("MOVE", "a", "0"), c("MOVE", "nokey", "3"), c("MOVE", "a", "3"), c("MOVE", "b", "3"), c("EXISTS", "b"),
                c("SELECT", "3"), c("GET", "b"), c("GET", "a"), c("SET", "t", "v", "PXAT", "4102444800000"), c("MOVE", "t", "15"),
                c("EXISTS", "t"), c("SELECT", "15"), c("PEXPIRETIME", "t"), c("RANDOMKEY"), c("SELECT", "0"),
                // COPY ... DB
                c("COPY", "a", "a", "DB", "3"), c("COPY", "a", "copied", "DB", "3"), c("COPY", "a", "copied", "DB", "3", "REPLACE"),
                c("SELECT", "3"), c("GET", "copied"), c("COPY", "copied", "copied", "DB", "3"), c("COPY", "copied", "copied"),
                c("COPY", "copied", "back", "DB", "0"), c("SELECT", "0"), c("GET", "back"),
                // SWAPDB
                c("SWAPDB"), c("SWAPDB", "0"), c("SWAPDB", "x", "1"), c("SWAPDB", "0", "x"), c("SWAPDB", "0", "16"),
                c("SWAPDB", "-1", "0"), c("SWAPDB", "99999999999", "0"), c("SWAPDB", "0", "1.5"), c("SWAPDB", "0", "0"),
                c("SWAPDB", "0", "3"), c("GET", "a"), c("GET", "b"), c("DBSIZE"), c("SELECT", "3"), c("GET", "a"), c("DBSIZE"),
                // FLUSHDB of the selected database only
                c("FLUSHDB", "x"), c("FLUSHDB", "ASYNC"), c("DBSIZE"), c("SELECT", "0"), c("DBSIZE"), c("FLUSHDB", "SYNC"), c("DBSIZE"),
                c("SELECT", "15"), c("DBSIZE"), c("FLUSHALL"), c("DBSIZE"), c("RANDOMKEY"), c("SELECT", "0"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void keysScanRandomkeyExpiryObjectDumpAndSortReadTheSelectedDatabase(int shards) throws Exception {
        redis.inBothProtocols(demo(shards).respPort(), true, (r, d, proto) -> {
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("FLUSHALL");
                for (int i = 0; i < 50; i++) {
                    x.cmd("SET", "zero:" + i, "0");
                }
                x.cmd("SELECT", "3");
                for (int i = 0; i < 30; i++) {
                    x.cmd("SET", "three:" + i, Integer.toString(i));
                }
                x.cmd("RPUSH", "list", "3", "1", "2");
                x.cmd("SET", "w_1", "30");
                x.cmd("SET", "w_2", "10");
                x.cmd("SET", "w_3", "20");
                x.cmd("SET", "o_1", "one");
                x.cmd("SET", "o_2", "two");
                x.cmd("SET", "o_3", "three");
                x.cmd("SELECT", "0");
                x.cmd("SET", "w_1", "1"); // the same pattern's keys in database 0: SORT must not read these
                x.cmd("SET", "w_2", "2");
                x.cmd("SET", "w_3", "3");
                x.cmd("SELECT", "3");
            }
            RealRedis.sameReplies(r, d, proto, new String[][] {
                    c("DBSIZE"), c("SORT", "list", "BY", "w_*"), c("SORT", "list", "BY", "w_*", "GET", "o_*", "GET", "#"),
                    c("SORT", "list", "BY", "w_*", "STORE", "sorted"), c("LRANGE", "sorted", "0", "-1"), c("OBJECT", "ENCODING", "list"),
                    c("OBJECT", "ENCODING", "three:7"), c("OBJECT", "FREQ", "list"), c("TYPE", "list"), c("SELECT", "0"),
                    c("OBJECT", "ENCODING", "list"), c("TYPE", "list"), c("SELECT", "3")}, reply -> reply);
            RealRedis.sameReplies(r, d, proto, new String[][] {c("KEYS", "three:1*"), c("KEYS", "zero:*")}, RealRedis::sorted);
            assertThat(scanAll(d)).as("SCAN of database 3").isEqualTo(scanAll(r)).hasSize(30 + 7 + 1);
            // each server's DUMP of database 3's list, RESTOREd into database 15 of the other (the payloads' encodings may differ)
            String ours = (String) d.cmd("DUMP", "list");
            String theirs = (String) r.cmd("DUMP", "list");
            for (RespTestClient x : List.of(r, d)) {
                assertThat(x.cmd("SELECT", "15")).isEqualTo("OK");
                assertThat(x.cmd("RESTORE", "list", "0", x == r ? ours : theirs)).isEqualTo("OK");
                assertThat(x.cmd("LRANGE", "list", "0", "-1")).isEqualTo(List.of("3", "1", "2"));
                assertThat(x.cmd("RANDOMKEY")).as("the one key of database 15").isEqualTo("list");
                assertThat(x.cmd("SET", "gone", "v", "PX", "20")).isEqualTo("OK");
                x.cmd("SELECT", "0");
                x.cmd("SET", "gone", "kept");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("SELECT", "15");
                while (!x.cmd("DBSIZE").equals(1L)) { // the active expiry cycle reaches database 15 on its own
                    assertThat(System.nanoTime()).as("database 15's key expired by the expiry cycle").isLessThan(deadline);
                    sleep(10);
                }
                x.cmd("SELECT", "0");
                assertThat(x.cmd("GET", "gone")).as("database 0's key of the same name").isEqualTo("kept");
            }
        });
    }

    private static TreeSet<String> scanAll(RespTestClient c) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = "0";
        do {
            List<?> reply = (List<?>) c.cmd("SCAN", cursor, "COUNT", "7");
            cursor = String.valueOf(reply.get(0));
            for (Object k : (List<?>) reply.get(1)) {
                keys.add(String.valueOf(k));
            }
        } while (!cursor.equals("0"));
        return keys;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void infoKeyspaceAndClientInfoSayTheDatabases(int shards) throws IOException {
        redis.inBothProtocols(demo(shards).respPort(), (r, d, proto) -> {
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("FLUSHALL");
                x.cmd("SET", "a", "1");
                x.cmd("SELECT", "3");
                x.cmd("SET", "a", "1", "EX", "1000");
                x.cmd("SET", "b", "1");
                x.cmd("SELECT", "15");
                x.cmd("MSET", "x", "1", "y", "2", "z", "3");
            }
            assertThat(keyspaceLines(d)).isEqualTo(keyspaceLines(r))
                    .containsExactly("db0:keys=1,expires=0", "db3:keys=2,expires=1", "db15:keys=3,expires=0");
            assertThat(field(d.cmd("CLIENT", "INFO"), "db")).isEqualTo(field(r.cmd("CLIENT", "INFO"), "db")).isEqualTo("15");
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("RESET");
            }
            assertThat(field(d.cmd("CLIENT", "INFO"), "db")).as("RESET selects 0").isEqualTo(field(r.cmd("CLIENT", "INFO"), "db"))
                    .isEqualTo("0");
            assertThat(d.cmd("CONFIG", "GET", "databases")).isEqualTo(r.cmd("CONFIG", "GET", "databases"));
            assertThat(d.cmd("CONFIG", "SET", "databases", "16")).isEqualTo(r.cmd("CONFIG", "SET", "databases", "16"));
        });
    }

    /** INFO keyspace's db lines without avg_ttl's value (an estimate each server makes from its own samples). */
    private static List<String> keyspaceLines(RespTestClient c) throws IOException {
        Object info = c.cmd("INFO", "keyspace");
        String text = info instanceof RespTestClient.Verbatim v ? v.text() : (String) info;
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r\n")) {
            if (line.startsWith("db")) {
                assertThat(line).matches("db\\d+:keys=\\d+,expires=\\d+,avg_ttl=\\d+");
                lines.add(line.substring(0, line.indexOf(",avg_ttl=")));
            }
        }
        return lines;
    }

    private static String field(Object clientInfo, String name) {
        String text = clientInfo instanceof RespTestClient.Verbatim v ? v.text() : String.valueOf(clientInfo);
        Matcher m = Pattern.compile("(?:^| )" + name + "=(\\S*)").matcher(text);
        assertThat(m.find()).as("%s in %s", name, text).isTrue();
        return m.group(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void keyspaceNotificationsNameTheDatabase(int shards) throws Exception {
        TestServices demo = demo(shards);
        try (RespTestClient rs = new RespTestClient(redis.port()); RespTestClient ds = new RespTestClient(demo.respPort());
             RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("FLUSHALL");
                x.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA");
            }
            for (RespTestClient s : List.of(rs, ds)) {
                s.cmd("PSUBSCRIBE", "__keyspace@3__:*", "__keyevent@*__:*");
            }
            try {
                // keys of one hash tag: one shard's events, which every subscriber gets in the order they happened
                List<String[]> commands = List.of(c("SET", "{n}k", "0"), c("SELECT", "3"), c("SET", "{n}k", "3"), c("MOVE", "{n}k", "15"),
                        c("SELECT", "15"), c("COPY", "{n}k", "{n}k", "DB", "3"), c("SELECT", "3"), c("EXPIRE", "{n}k", "100"),
                        c("DEL", "{n}k"), c("RPUSH", "{n}l", "x"), c("SWAPDB", "3", "15"), c("FLUSHDB"), c("SET", "{n}end", "1"));
                for (String[] command : commands) {
                    assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
                }
                List<Object> want = readUntil(rs, "{n}end");
                List<Object> got = readUntil(ds, "{n}end");
                assertThat(got).isEqualTo(want);
                assertThat(want.toString()).contains("__keyspace@3__:{n}k").contains("__keyevent@15__:move_to")
                        .contains("__keyevent@0__:set");
            } finally {
                for (RespTestClient x : List.of(r, d)) {
                    x.cmd("CONFIG", "SET", "notify-keyspace-events", "");
                }
            }
        }
    }

    /** The pmessages a subscriber got, up to the set event of key {@code last}. */
    private static List<Object> readUntil(RespTestClient subscriber, String last) throws IOException {
        List<Object> messages = new ArrayList<>();
        while (true) {
            Object m = subscriber.read();
            if (m instanceof List<?> items && "psubscribe".equals(String.valueOf(items.get(0)))) {
                continue;
            }
            messages.add(m);
            if (m instanceof List<?> items && items.size() == 4 && last.equals(String.valueOf(items.get(3)))) {
                return messages;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void watchedKeysAreKeysOfTheirDatabase(int shards) throws IOException {
        TestServices demo = demo(shards);
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient w = new RespTestClient(port); RespTestClient o = new RespTestClient(port)) {
                w.cmd("FLUSHALL");
                // a write of the same name in another database is another key
                w.cmd("WATCH", "k");
                o.cmd("SELECT", "3");
                o.cmd("SET", "k", "3");
                assertThat(exec(w)).as("port %d: a write in database 3", port).isEqualTo(List.of("PONG"));
                w.cmd("WATCH", "k");
                o.cmd("SELECT", "0");
                o.cmd("SET", "k", "0");
                assertThat(exec(w)).as("port %d: a write in database 0", port).isNull();
                // SWAPDB: a watched key that comes (from 3) or goes (to 3) changes; one in neither does not
                w.cmd("SELECT", "3");
                w.cmd("WATCH", "k"); // database 3's k exists: SWAPDB 3 0 replaces it
                o.cmd("SWAPDB", "0", "3");
                assertThat(exec(w)).as("port %d: SWAPDB of the watched key's database", port).isNull();
                w.cmd("WATCH", "nowhere");
                o.cmd("SWAPDB", "0", "3");
                assertThat(exec(w)).as("port %d: SWAPDB, the key in neither", port).isEqualTo(List.of("PONG"));
                w.cmd("SELECT", "0");
                w.cmd("SET", "absent:in:3", "x");
                w.cmd("WATCH", "absent:in:3");
                o.cmd("SWAPDB", "0", "15"); // database 15 has no such key: it goes
                assertThat(exec(w)).as("port %d: SWAPDB takes the watched key away", port).isNull();
                // FLUSHDB of another database leaves the watched key; FLUSHALL does not
                w.cmd("SELECT", "0");
                w.cmd("SET", "f", "1");
                w.cmd("WATCH", "f");
                o.cmd("SELECT", "3");
                o.cmd("FLUSHDB");
                assertThat(exec(w)).as("port %d: FLUSHDB of database 3", port).isEqualTo(List.of("PONG"));
                w.cmd("SET", "f", "1");
                w.cmd("WATCH", "f");
                o.cmd("FLUSHALL");
                assertThat(exec(w)).as("port %d: FLUSHALL", port).isNull();
            }
        }
    }

    private static Object exec(RespTestClient w) throws IOException {
        assertThat(w.cmd("MULTI")).isEqualTo("OK");
        assertThat(w.cmd("PING")).isEqualTo("QUEUED");
        return w.cmd("EXEC");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void blockedClientsWaitOnTheirDatabasesKeysAndSwapdbServesThem(int shards) throws Exception {
        TestServices demo = demo(shards);
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient b = new RespTestClient(port); RespTestClient o = new RespTestClient(port)) {
                o.cmd("FLUSHALL");
                b.cmd("SELECT", "3");
                b.send(RespTestClient.encode("BLPOP", "q", "30"));
                awaitBlocked(o, 1);
                o.cmd("RPUSH", "q", "database 0"); // the same name in database 0: not its key
                o.cmd("SELECT", "3");
                o.cmd("RPUSH", "q", "database 3");
                assertThat(b.read()).as("port %d", port).isEqualTo(List.of("q", "database 3"));
                // BLMOVE in database 15 onto database 15's destination
                b.cmd("SELECT", "15");
                b.send(RespTestClient.encode("BLMOVE", "src", "dst", "LEFT", "RIGHT", "30"));
                awaitBlocked(o, 1);
                o.cmd("SELECT", "15");
                o.cmd("RPUSH", "src", "moved");
                assertThat(b.read()).as("port %d", port).isEqualTo("moved");
                assertThat(o.cmd("LRANGE", "dst", "0", "-1")).isEqualTo(List.of("moved"));
                // SWAPDB gives the blocked client's database a list of that name: it is served from it
                b.cmd("SELECT", "0");
                b.cmd("DEL", "q");
                b.send(RespTestClient.encode("BLPOP", "q", "30"));
                awaitBlocked(o, 1);
                o.cmd("SELECT", "3");
                o.cmd("RPUSH", "q", "swapped in");
                assertThat(o.cmd("SWAPDB", "0", "3")).isEqualTo("OK");
                assertThat(b.read()).as("port %d: served by SWAPDB", port).isEqualTo(List.of("q", "swapped in"));
                // inside MULTI a blocking pop answers at once, in the database selected in the transaction
                b.cmd("MULTI");
                b.cmd("SELECT", "15");
                b.cmd("LPOP", "dst");
                b.cmd("BLPOP", "dst", "1");
                assertThat(b.cmd("EXEC")).as("port %d", port).isEqualTo(java.util.Arrays.asList("OK", "moved", null));
            }
        }
    }

    private static void awaitBlocked(RespTestClient o, int clients) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!((String) o.cmd("INFO", "clients")).contains("blocked_clients:" + clients)) {
            assertThat(System.nanoTime()).as("the client blocks").isLessThan(deadline);
            sleep(5);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void selectInsideMultiStaysAndSelectInsideAScriptDoesNot(int shards) throws IOException {
        sameReplies(shards, reply -> reply,
                c("SET", "a", "zero"), c("MULTI"), c("GET", "a"), c("SELECT", "3"), c("SET", "a", "three"), c("GET", "a"),
                c("SELECT", "99"), c("EXEC"), c("GET", "a"), c("SELECT", "0"), c("GET", "a"),
                c("EVAL", "redis.call('select', 15); redis.call('set', KEYS[1], 'fifteen'); return redis.call('get', KEYS[1])", "1", "a"),
                c("GET", "a"), c("SELECT", "15"), c("GET", "a"), c("SELECT", "0"),
                c("EVAL", "return redis.pcall('select', 16)", "0"), c("EVAL", "return redis.pcall('move', KEYS[1], 3)", "1", "a"),
                c("EXISTS", "a"), c("SELECT", "3"), c("GET", "a"), c("SELECT", "0"),
                c("MULTI"), c("SELECT", "3"), c("SWAPDB", "3", "15"), c("GET", "a"), c("FLUSHDB"), c("SELECT", "15"), c("GET", "a"),
                c("EXEC"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void trackingInvalidatesAKeyNameWhateverItsDatabase(int shards) throws IOException {
        TestServices demo = demo(shards);
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient t = new RespTestClient(port); RespTestClient o = new RespTestClient(port)) {
                o.cmd("FLUSHALL");
                t.cmd("HELLO", "3");
                assertThat(t.cmd("CLIENT", "TRACKING", "ON")).isEqualTo("OK");
                t.cmd("SELECT", "3");
                t.cmd("GET", "k"); // remembered by name (Redis's tracking table)
                o.cmd("SELECT", "15");
                o.cmd("SET", "k", "15");
                assertThat(t.read()).as("port %d: a write of k in database 15", port)
                        .isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of("k"))));
                t.cmd("GET", "k");
                o.cmd("SWAPDB", "3", "15"); // no invalidation (Redis's SWAPDB leaves tracking alone)
                o.cmd("SELECT", "0");
                o.cmd("SET", "k", "0");
                assertThat(t.read()).as("port %d: the next invalidation is the SET's", port)
                        .isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of("k"))));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void monitorShowsEachCommandsDatabase(int shards) throws Exception {
        TestServices demo = demo(shards);
        List<List<String>> seen = new ArrayList<>();
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient m = new RespTestClient(port); RespTestClient c = new RespTestClient(port)) {
                assertThat(m.cmd("MONITOR")).isEqualTo("OK");
                c.cmd("SELECT", "3");
                c.cmd("SET", "{m}k", "v");
                c.cmd("EVAL", "redis.call('select', 15); return redis.call('set', KEYS[1], 'w')", "1", "{m}k");
                c.cmd("MULTI");
                c.cmd("SELECT", "7");
                c.cmd("GET", "{m}k");
                c.cmd("EXEC");
                c.cmd("PING", "end");
                List<String> lines = new ArrayList<>();
                String line;
                do {
                    line = (String) m.read();
                    // the database and the command, without the time and the client's address
                    lines.add(line.replaceFirst("^\\d+\\.\\d+ \\[(\\d+) \\S+] ", "[$1] "));
                } while (!line.contains("\"end\""));
                seen.add(lines);
            }
        }
        assertThat(seen.get(1)).as("MONITOR's lines, their databases").isEqualTo(seen.get(0));
        assertThat(seen.get(0)).contains("[3] \"SET\" \"{m}k\" \"v\"", "[15] \"set\" \"{m}k\" \"w\"", "[7] \"GET\" \"{m}k\"");
    }

    @Test
    void clusterModeHasDatabase0Only(@TempDir Path dir) throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        try (RealRedis cluster = RealRedis.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(TestPorts.free()),
                "--cluster-config-file", redisDir.resolve("nodes.conf").toString(), "--dir", redisDir.toString());
             TestServices demo = TestServices.start(2, DemoSettings.forTests().withCluster(new ClusterSettings(true, null, null, 0)));
             RespTestClient r = new RespTestClient(cluster.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String[] command : new String[][] {c("SELECT", "0"), c("SELECT", "1"), c("SELECT", "16"), c("SELECT", "x"),
                    c("SWAPDB", "0", "1"), c("SWAPDB", "x", "y"), c("MOVE", "k", "1"), c("MOVE", "k", "0"), c("COPY", "a", "b", "DB", "1"),
                    c("COPY", "a", "b", "DB", "16"), c("COPY", "a", "b", "DB", "0", "x"), c("CONFIG", "GET", "databases")}) {
                assertThat(d.cmd(command)).as(String.join(" ", command)).isEqualTo(r.cmd(command));
            }
            assertThat(d.cmd("SELECT", "1")).isEqualTo(new Err("ERR SELECT is not allowed in cluster mode"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
