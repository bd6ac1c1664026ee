package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
 * FCALL_RO compared with redis-server 7.0.15 in RESP2 and RESP3 on a demo of two shards (each
 * call's keys share a hash tag): the library's metadata line, registration and its errors, flags,
 * names (functions case-insensitive, libraries not), read-only calls; DUMP payloads restored
 * across the two servers both ways under each policy; a busy function killed.
 */
class FunctionParityTest {

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

    private static String[] c(String... args) {
        return args;
    }

    private static String lib(String name, String body) {
        return "#!lua name=" + name + "\n" + body;
    }

    @Test
    void repliesAndErrorsAreRedises() throws IOException {
        String setter = "redis.register_function('setter', function(keys, args) return redis.call('set', keys[1], args[1]) end)";
        String[][] commands = {
                c("FUNCTION", "FLUSH"), c("DEL", "{f}a", "{f}b"),
                c("FUNCTION", "LOAD", lib("setlib", setter)),
                c("FUNCTION", "LOAD", lib("setlib", setter)),
                c("FUNCTION", "LOAD", "REPLACE", lib("setlib", setter)),
                c("FUNCTION", "LOAD", "foo", "bar", lib("x", setter)), c("FUNCTION", "LOAD"), c("FUNCTION", "LOAD", "REPLACE"),
                c("FCALL", "setter", "1", "{f}a", "1"), c("FCALL", "SETTER", "1", "{f}a", "2"), c("GET", "{f}a"),
                c("FCALL_RO", "setter", "1", "{f}a", "3"), c("FCALL", "nosuch", "0"), c("FCALL", "setter", "x"),
                c("FCALL", "setter", "-1"), c("FCALL", "setter", "5", "{f}a"),
                c("FUNCTION", "LOAD", lib("other", "redis.register_function('Setter', function() return 1 end)")),
                c("FUNCTION", "LOAD", "#!lua\nredis.register_function('f', function() return 1 end)"),
                c("FUNCTION", "LOAD", "redis.register_function('f', function() return 1 end)"),
                c("FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"), c("FUNCTION", "LOAD", "#!lua name=a foo=bar\nreturn 1"),
                c("FUNCTION", "LOAD", "#!js name=a\nreturn 1"), c("FUNCTION", "LOAD", "#! name=a\nreturn 1"),
                c("FUNCTION", "LOAD", "#!lua name=\"quoted\"\nredis.register_function('q', function() return 'q' end)"),
                c("FUNCTION", "LOAD", "#!lua name=bad-name\nreturn 1"), c("FUNCTION", "LOAD", "#!lua name=x"),
                c("FUNCTION", "LOAD", lib("empty", "return 1")),
                c("FUNCTION", "LOAD", lib("err", "error('at load')")), c("FUNCTION", "LOAD", lib("err", "a = 1")),
                c("FUNCTION", "LOAD", lib("err", "return redis.call('ping')")), c("FUNCTION", "LOAD", lib("err", "return math.random()")),
                c("FUNCTION", "LOAD", lib("dup", "redis.register_function('d', function() end) redis.register_function('D', function() end)")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function()")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function('f1')")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function(1, function() end)")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function('a b', function() end)")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function('f', 'nope')")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{function_name='f'}")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{callback=function() end}")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{function_name='f', callback=function() end, flags='x'}")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{function_name='f', callback=function() end, flags={'bogus'}}")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{function_name='f', callback=function() end, other=1}")),
                c("FUNCTION", "LOAD", lib("reg", "redis.register_function{function_name='f', callback=function() end, description=1}")),
                c("FUNCTION", "LOAD", lib("flags", "redis.register_function{function_name='ro', description='reads a key',"
                        + " callback=function(keys) return redis.call('get', keys[1]) end,"
                        + " flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}")),
                c("FUNCTION", "LIST", "LIBRARYNAME", "flags"), c("FUNCTION", "LIST", "LIBRARYNAME", "FLAGS"),
                c("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "set*"), c("FUNCTION", "LIST", "LIBRARYNAME", "nothing*"),
                c("FUNCTION", "LIST", "bad"), c("FUNCTION", "LIST", "LIBRARYNAME"), c("FUNCTION", "LIST", "WITHCODE", "WITHCODE"),
                c("FCALL_RO", "ro", "1", "{f}a"), c("FCALL", "ro", "1", "{f}a"),
                c("FUNCTION", "LOAD", lib("nw", "redis.register_function{function_name='nw', callback=function(keys) "
                        + "return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}")),
                c("FCALL", "nw", "1", "{f}b"), c("FCALL_RO", "nw", "1", "{f}b"), c("EXISTS", "{f}b"),
                c("FUNCTION", "LOAD", lib("errs", "redis.register_function('boom', function() error('boom') end)"
                        + " redis.register_function('custom', function() return redis.error_reply('MY custom') end)"
                        + " redis.register_function('inner', function() redis.register_function('x', function() end) end)"
                        + " redis.register_function('g', function() x = 1 end)")),
                c("FCALL", "boom", "0"), c("FCALL", "custom", "0"), c("FCALL", "g", "0"),
                c("EVAL", "return type(redis.register_function)", "0"),
                c("EVAL", "redis.register_function('f', function() return 1 end)", "0"),
                // what Lua 5.1 names in a call of what is no function (LuaJ's own words say only "attempt to call nil")
                c("EVAL", "local t = {} return t.x()", "0"), c("EVAL", "local t = {} return t:m()", "0"),
                c("EVAL", "local f return f()", "0"), c("EVAL", "local f = 5 return f()", "0"),
                c("EVAL", "local u = nil return (function() return u() end)()", "0"), c("EVAL", "return ({})[1]()", "0"),
                c("EVAL", "return redis.nosuch('x')", "0"), c("EVAL", "return pcall(redis.nosuch)", "0"),
                c("FCALL", "inner", "0"),
                c("FUNCTION", "STATS"),
                c("FUNCTION", "DELETE", "errs"), c("FUNCTION", "DELETE", "errs"), c("FCALL", "boom", "0"),
                c("FUNCTION", "FLUSH", "bogus"), c("FUNCTION", "FLUSH", "SYNC", "x"), c("FUNCTION", "KILL"),
                c("FUNCTION", "RESTORE", "junk"), c("FUNCTION", "RESTORE", "a", "b", "c"), c("FUNCTION", "BOGUS"),
                c("FUNCTION", "HELP"), c("FUNCTION", "FLUSH", "ASYNC"), c("FUNCTION", "LIST"), c("FUNCTION", "STATS"),
                c("FUNCTION", "DUMP"),
        };
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, RealRedis::listsUnordered));
        // LuaJ's parser words its syntax errors its own way (as for EVAL): the prefix and the line are Redis's
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            assertThat(((Err) d.cmd("FUNCTION", "LOAD", lib("bad", "this is not lua"))).text())
                    .startsWith("ERR Error compiling function: user_function:2: ");
        }
    }

    @Test
    void dumpsRestoreAcrossTheTwoServersUnderEachPolicy() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = new RespTestClient(demo.respPort()).binary()) {
            for (RespTestClient x : List.of(r, d)) {
                x.cmd("FUNCTION", "FLUSH");
                x.cmd("FUNCTION", "LOAD", lib("one", "local function add(a) return a + 1 end"
                        + " redis.register_function('f1', function() return add(1) end)"
                        + " redis.register_function{function_name='f2', description='two', callback=function() return add(2) end, flags={'no-writes'}}"));
                x.cmd("FUNCTION", "LOAD", lib("two", "redis.register_function('f3', function() return 'three ' .. string.rep('x', 200) end)"));
            }
            byte[] theirs = bytes(r.cmd("FUNCTION", "DUMP"));
            byte[] ours = bytes(d.cmd("FUNCTION", "DUMP"));
            // each server restores the other's payload (redis-server's strings are LZF-compressed, ours plain)
            for (RespTestClient[] pair : new RespTestClient[][] {{r, d}, {d, r}}) {
                RespTestClient into = pair[1];
                String payload = new String(pair[0] == r ? theirs : ours, StandardCharsets.ISO_8859_1);
                // which library collides first follows the payload's order, which is Redis's dict order there
                assertThat(((Err) into.cmd("FUNCTION", "RESTORE", payload)).text()).matches("ERR Library (one|two) already exists");
                assertThat(((Err) into.cmd("FUNCTION", "RESTORE", payload, "APPEND")).text()).matches("ERR Library (one|two) already exists");
                assertThat(into.cmd("FUNCTION", "RESTORE", payload, "REPLACE")).isEqualTo("OK");
                assertThat(into.cmd("FUNCTION", "DELETE", "two")).isEqualTo("OK");
                into.cmd("FUNCTION", "LOAD", lib("clash", "redis.register_function('f3', function() return 0 end)"));
                assertThat(into.cmd("FUNCTION", "RESTORE", payload, "REPLACE")).isEqualTo(new Err("ERR Function f3 already exists"));
                assertThat(into.cmd("FUNCTION", "RESTORE", payload, "FLUSH")).isEqualTo("OK");
                assertThat(into.cmd("FCALL", "f1", "0")).isEqualTo(2L);
                assertThat(into.cmd("FCALL_RO", "f2", "0")).isEqualTo(3L);
                assertThat(into.cmd("FCALL", "F3", "0")).isEqualTo("three " + "x".repeat(200));
                assertThat(into.cmd("FUNCTION", "RESTORE", payload, "bogus"))
                        .isEqualTo(new Err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."));
                byte[] corrupt = payload.getBytes(StandardCharsets.ISO_8859_1);
                corrupt[corrupt.length - 1] ^= 1;
                assertThat(into.cmd("FUNCTION", "RESTORE", new String(corrupt, StandardCharsets.ISO_8859_1), "FLUSH"))
                        .isEqualTo(new Err("ERR DUMP payload version or checksum are wrong"));
                assertThat(into.cmd("FCALL", "f1", "0")).isEqualTo(2L);
            }
            assertThat(RealRedis.listsUnordered(d.cmd("FUNCTION", "LIST", "WITHCODE"))).isEqualTo(RealRedis.listsUnordered(r.cmd("FUNCTION", "LIST", "WITHCODE")));
            // the demo's payload is Redis's format for the same libraries: restored in redis-server it dumps what redis-server dumped
            r.cmd("FUNCTION", "RESTORE", new String(ours, StandardCharsets.ISO_8859_1), "FLUSH");
            assertThat(bytes(r.cmd("FUNCTION", "DUMP"))).isEqualTo(theirs);
        }
    }

    /**
     * Every monitor sees an FCALL before the commands its function ran, and those before the caller's next command,
     * as in Redis, whichever shards the caller, the key (where the function runs) and the monitor are on: a caller
     * and a monitor on each shard, a key on each, a GET pipelined behind each FCALL.
     */
    @Test
    void monitorsSeeTheFcallBeforeItsCommands() throws IOException {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            List<RespTestClient> callers = onEachShard(opened);
            callers.get(0).cmd("FUNCTION", "LOAD", "REPLACE",
                    lib("mon", "redis.register_function('mset1', function(keys) return redis.call('set', keys[1], 'bar') end)"));
            List<RespTestClient> monitors = onEachShard(opened);
            for (RespTestClient monitor : monitors) {
                assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            }
            List<String> keys = List.of(keyOnShard(0), keyOnShard(1));
            for (RespTestClient caller : callers) {
                for (String key : keys) {
                    String k = key + ":" + callers.indexOf(caller);
                    caller.send(RespTestClient.encode("FCALL", "mset1", "1", k));
                    caller.send(RespTestClient.encode("GET", k));
                    assertThat(caller.read()).isEqualTo("OK");
                    assertThat(caller.read()).isEqualTo("bar");
                }
            }
            for (RespTestClient monitor : monitors) {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < 3 * callers.size() * keys.size(); i++) {
                    lines.add((String) monitor.read());
                }
                for (RespTestClient caller : callers) {
                    for (String key : keys) {
                        String k = key + ":" + callers.indexOf(caller);
                        int fcall = indexOf(lines, "\"FCALL\" \"mset1\" \"1\" \"" + k + "\"");
                        int set = indexOf(lines, "[0 lua] \"set\" \"" + k + "\" \"bar\"");
                        int get = indexOf(lines, "\"GET\" \"" + k + "\"");
                        assertThat(fcall).as("the FCALL of %s in %s", k, lines).isNotNegative().isLessThan(set);
                        assertThat(set).as("the function's SET of %s, before the GET after it, in %s", k, lines).isLessThan(get);
                    }
                }
            }
            callers.get(0).cmd("FUNCTION", "DELETE", "mon");
            // the order is redis-server's
            try (RespTestClient c = new RespTestClient(redis.port()); RespTestClient monitor = new RespTestClient(redis.port())) {
                c.cmd("FUNCTION", "LOAD", "REPLACE",
                        lib("mon", "redis.register_function('mset1', function(keys) return redis.call('set', keys[1], 'bar') end)"));
                assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
                c.send(RespTestClient.encode("FCALL", "mset1", "1", "{m}k"));
                c.send(RespTestClient.encode("GET", "{m}k"));
                assertThat(c.read()).isEqualTo("OK");
                assertThat(c.read()).isEqualTo("bar");
                assertThat((String) monitor.read()).contains("\"FCALL\" \"mset1\" \"1\" \"{m}k\"");
                assertThat((String) monitor.read()).contains("[0 lua] \"set\" \"{m}k\" \"bar\"");
                assertThat((String) monitor.read()).contains("\"GET\" \"{m}k\"");
                c.cmd("FUNCTION", "DELETE", "mon");
            }
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    /**
     * A function that writes a key it did not declare, on a shard the call does not hold, runs again holding every shard
     * (it widens, before any effect); monitors still see its FCALL once, then its SET, as Redis's introspection unit
     * "MONITOR can log commands issued by functions" asks (a widened call once showed its FCALL twice). Each caller's
     * shard with a key on each shard, a new function each, so that every combination is a function's first call.
     */
    @Test
    void monitorsSeeAWidenedFcallOnce() throws IOException {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            List<RespTestClient> callers = onEachShard(opened);
            List<String[]> calls = new ArrayList<>(); // function, key
            for (int caller = 0; caller < 2; caller++) {
                for (int shard = 0; shard < 2; shard++) {
                    String function = "undeclared" + caller + shard;
                    String key = keyOnShard(shard) + ":w" + caller;
                    callers.get(0).cmd("FUNCTION", "LOAD", "REPLACE", lib("wide" + caller + shard,
                            "redis.register_function('" + function + "', function() return redis.call('set', '" + key + "', 'bar') end)"));
                    calls.add(new String[] {function, key});
                }
            }
            List<RespTestClient> monitors = onEachShard(opened);
            for (RespTestClient monitor : monitors) {
                assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            }
            for (int i = 0; i < calls.size(); i++) {
                assertThat(callers.get(i / 2).cmd("FCALL", calls.get(i)[0], "0")).isEqualTo("OK");
            }
            // a monitor sees each caller's lines in that caller's order, not one caller's before another's later ones (they
            // come from two shards): each caller ends its own calls with an ECHO, and the monitor reads until both
            for (int caller = 0; caller < 2; caller++) {
                assertThat(callers.get(caller).cmd("ECHO", "end" + caller)).isEqualTo("end" + caller);
            }
            for (RespTestClient monitor : monitors) {
                List<String> lines = new ArrayList<>();
                while (indexOf(lines, "\"ECHO\" \"end0\"") < 0 || indexOf(lines, "\"ECHO\" \"end1\"") < 0) {
                    lines.add((String) monitor.read());
                }
                assertThat(lines).as("one FCALL and one SET a call, and each caller's ECHO").hasSize(2 * calls.size() + 2);
                for (String[] call : calls) {
                    int fcall = indexOf(lines, "\"FCALL\" \"" + call[0] + "\" \"0\"");
                    int set = indexOf(lines, "[0 lua] \"set\" \"" + call[1] + "\" \"bar\"");
                    assertThat(fcall).as("the FCALL of %s in %s", call[0], lines).isNotNegative().isLessThan(set);
                }
            }
            for (int caller = 0; caller < 2; caller++) {
                for (int shard = 0; shard < 2; shard++) {
                    callers.get(0).cmd("FUNCTION", "DELETE", "wide" + caller + shard);
                }
            }
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /** A connection on each of the demo's two shards (the kernel spreads connections; CLIENT INFO's shard= tells). */
    private static List<RespTestClient> onEachShard(List<RespTestClient> opened) throws IOException {
        RespTestClient[] byShard = new RespTestClient[2];
        for (int i = 0; i < 64 && (byShard[0] == null || byShard[1] == null); i++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            opened.add(c);
            String info = (String) c.cmd("CLIENT", "INFO");
            int shard = Integer.parseInt(info.substring(info.indexOf(" shard=") + 7).trim());
            if (byShard[shard] == null) {
                byShard[shard] = c;
            }
        }
        assertThat(byShard).as("connections on both shards").doesNotContainNull();
        return List.of(byShard);
    }

    /** A key the demo keeps on {@code shard}. */
    private static String keyOnShard(int shard) {
        for (int i = 0; ; i++) {
            String key = "{m" + i + "}";
            if (demo.service.keyspace().shardOf(key.getBytes(StandardCharsets.UTF_8)) == shard) {
                return key;
            }
        }
    }

    @Test
    void aBusyFunctionIsShownByStatsAndEndedByFunctionKillOnly() throws Exception {
        List<Object> demoSaw = busyFunction(demo.respPort());
        List<Object> redisSaw = busyFunction(redis.port());
        assertThat(demoSaw).isEqualTo(redisSaw);
    }

    /** What a client sees around a function looping on a server: STATS, SCRIPT KILL, FUNCTION KILL, the caller's reply. */
    private static List<Object> busyFunction(int port) throws Exception {
        List<Object> saw = new ArrayList<>();
        try (RespTestClient c = new RespTestClient(port); RespTestClient looping = new RespTestClient(port)) {
            c.cmd("CONFIG", "SET", "busy-reply-threshold", "50");
            c.cmd("FUNCTION", "LOAD", "REPLACE", lib("loop", "redis.register_function('spin', function() local a = 1 while true do a = a + 1 end end)"));
            looping.send(RespTestClient.encode("FCALL", "spin", "0"));
            Object ping;
            long deadline = System.nanoTime() + 10_000_000_000L;
            do {
                Thread.sleep(20);
                ping = c.cmd("PING");
            } while ("PONG".equals(ping) && System.nanoTime() < deadline);
            saw.add(ping);
            Object stats = c.cmd("FUNCTION", "STATS");
            List<?> fields = (List<?>) stats;
            List<?> running = (List<?>) fields.get(1);
            saw.add(List.of(fields.get(0), running.get(0), running.get(1), running.get(2), running.get(3), running.get(4)));
            saw.add(c.cmd("SCRIPT", "KILL"));
            saw.add(c.cmd("EVAL", "return 1", "0"));
            saw.add(c.cmd("FUNCTION", "KILL"));
            saw.add(looping.read());
            // the other shards hear that the script ended by message, so a PING may still meet -BUSY a moment (Redis's test waits 200 ms)
            Object pong;
            long until = System.nanoTime() + 30_000_000_000L;
            do {
                pong = c.cmd("PING");
            } while (!"PONG".equals(pong) && System.nanoTime() < until);
            saw.add(pong);
            saw.add(c.cmd("FUNCTION", "KILL"));
            c.cmd("FUNCTION", "DELETE", "loop");
            c.cmd("CONFIG", "SET", "busy-reply-threshold", "5000");
        }
        return saw;
    }

    private static byte[] bytes(Object bulk) {
        return ((String) bulk).getBytes(StandardCharsets.ISO_8859_1);
    }
}
