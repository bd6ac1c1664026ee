package io.percore.demo.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 67: every caller goes through one {@code call()} (a client, a script's {@code redis.call}, EXEC's queue),
 * so what INFO commandstats, errorstats, the slow log and CLIENT PAUSE see of a command is the same whoever called
 * it, as redis-server 7.0.15 shows it: a script's call refused before it runs is a rejected call and its error is
 * counted once (Redis's "Consistent eval error reporting"); an error inside EXEC is counted; a script's commands are in
 * the slow log as the script client's ({@code ?:0}); a {@code no-writes} script, EVAL_RO and a {@code no-writes}
 * function run under CLIENT PAUSE WRITE where a script that may write is held.
 */
class CallFiguresParityTest {

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

    /** Runs {@code commands} after CONFIG RESETSTAT on both servers; the figures INFO then shows, on each. */
    private static void sameFigures(String[]... commands) throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            List<Object> replies = new ArrayList<>();
            List<Object> ours = new ArrayList<>();
            for (RespTestClient c : List.of(r, d)) {
                c.cmd("CONFIG", "SET", "maxmemory", "0");
                c.cmd("FLUSHALL");
                c.cmd("CONFIG", "RESETSTAT");
            }
            for (String[] command : commands) {
                replies.add(r.cmd(command));
                ours.add(d.cmd(command));
            }
            for (RespTestClient c : List.of(r, d)) {
                c.cmd("CONFIG", "SET", "maxmemory", "0");
            }
            assertThat(ours).as("replies").isEqualTo(replies);
            assertThat(figures(d)).as("figures after %s", describe(commands)).isEqualTo(figures(r));
        }
    }

    private static String describe(String[][] commands) {
        List<String> out = new ArrayList<>();
        for (String[] c : commands) {
            out.add(String.join(" ", c));
        }
        return String.join("; ", out);
    }

    /** errorstats, total_error_replies, and commandstats' calls/rejected/failed of every command that has a line. */
    private static TreeMap<String, String> figures(RespTestClient c) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        for (String section : List.of("errorstats", "commandstats", "stats")) {
            for (String line : ((String) c.cmd("INFO", section)).split("\r\n")) {
                if (line.startsWith("errorstat_") || line.startsWith("total_error_replies")) {
                    out.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1));
                } else if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_config") && !line.startsWith("cmdstat_flushall")
                        && !line.startsWith("cmdstat_info")) {
                    String value = line.substring(line.indexOf(':') + 1).replaceAll("usec=[0-9]+,usec_per_call=[0-9.]+,", "");
                    out.put(line.substring(0, line.indexOf(':')), value);
                }
            }
        }
        return out;
    }

    private static String[] c(String... args) {
        return args;
    }

    @Test
    void aScriptsCallRefusedOrFailedIsCountedOnceAsRedisCountsIt() throws IOException {
        // refused for memory inside the script: SET rejected (not called), its OOM counted once, EVAL failed
        sameFigures(c("CONFIG", "SET", "maxmemory", "1"), c("EVAL", "return redis.call('set','{x}x','y')", "1", "{x}x"));
        // the same refusal caught by pcall: the error counted, EVAL succeeded
        sameFigures(c("CONFIG", "SET", "maxmemory", "1"),
                c("EVAL", "local t = redis.pcall('set','{x}x','y') return t['err']", "1", "{x}x"));
        // returned as the script's reply: counted once
        sameFigures(c("CONFIG", "SET", "maxmemory", "1"), c("EVAL", "return redis.pcall('set','{x}x','y')", "1", "{x}x"));
        // a command that ran and failed: called and failed, its error counted once
        sameFigures(c("SET", "{x}s", "1"), c("EVAL", "return redis.call('lpush','{x}s','a')", "1", "{x}s"));
        sameFigures(c("SET", "{x}s", "1"), c("EVAL", "local t = redis.pcall('lpush','{x}s','a') return 1", "1", "{x}s"));
        // refused by the script's own rules: a write from EVAL_RO, an unknown command, the wrong arity, a noscript command
        sameFigures(c("EVAL_RO", "return redis.call('set','{x}x','y')", "1", "{x}x"));
        sameFigures(c("EVAL", "return redis.pcall('nosuch')", "0"), c("EVAL", "return redis.pcall('get')", "0"),
                c("EVAL", "return redis.pcall('multi')", "0"));
        // redis.error_reply is the script's own error: counted when EVAL answers it
        sameFigures(c("EVAL", "return redis.error_reply('MY_ERR custom')", "0"));
    }

    @Test
    void anErrorInsideExecIsCounted() throws IOException {
        sameFigures(c("SET", "{x}s", "1"), c("MULTI"), c("LPUSH", "{x}s", "a"), c("INCR", "{x}s"), c("EXEC"));
    }

    @Test
    void aScriptsCommandsAreInTheSlowLogAsTheScriptClients() throws IOException {
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            List<Object> entries = new ArrayList<>();
            for (RespTestClient c : List.of(r, d)) {
                c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0");
                c.cmd("SLOWLOG", "RESET");
                c.cmd("EVAL", "redis.call('set','{x}k','v') return 1", "1", "{x}k");
                c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                List<Object> shown = new ArrayList<>();
                for (Object entry : (List<?>) c.cmd("SLOWLOG", "GET", "10")) {
                    List<?> e = (List<?>) entry;
                    if (String.valueOf(((List<?>) e.get(3)).get(0)).equalsIgnoreCase("CONFIG")) {
                        continue; // the CONFIG SET that raises the threshold again is itself logged when it took 10 ms (a loaded machine)
                    }
                    String address = (String) e.get(4);
                    shown.add(List.of(e.get(3), address.equals("?:0") ? address : "client", e.get(5)));
                }
                entries.add(shown);
            }
            assertThat(entries.get(1)).isEqualTo(entries.get(0));
            assertThat(entries.get(0).toString()).contains("?:0");
        }
    }

    @Test
    void scriptsThatDoNotWriteRunUnderClientPauseWrite() throws Exception {
        for (IntSupplier port : List.<IntSupplier>of(redis::port, demo::respPort)) {
            try (RespTestClient admin = new RespTestClient(port.getAsInt()); RespTestClient rr = new RespTestClient(port.getAsInt());
                 RespTestClient held = new RespTestClient(port.getAsInt())) {
                admin.cmd("SET", "x", "y");
                admin.cmd("FUNCTION", "LOAD", "REPLACE", "#!lua name=pausedlib\n"
                        + "redis.register_function{function_name='f1', callback=function() return 'hello' end, flags={'no-writes'}}\n"
                        + "redis.register_function{function_name='f2', callback=function() return 'writes' end}");
                String sha = (String) rr.cmd("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2");
                admin.cmd("CLIENT", "PAUSE", "600000", "WRITE"); // longer than a read waits: a held script fails the test
                try {
                    String unique = "unique " + System.nanoTime();
                    assertThat(rr.cmd("EVAL", "#!lua flags=no-writes\nreturn '" + unique + "'", "0")).isEqualTo(unique);
                    assertThat(rr.cmd("EVAL", "#!lua flags=no-writes\nreturn '" + unique + "'", "0")).isEqualTo(unique);
                    assertThat(rr.cmd("EVAL_RO", "return redis.call('GeT', KEYS[1])..' " + unique + "'", "1", "x")).isEqualTo("y " + unique);
                    assertThat(rr.cmd("EVALSHA", sha, "0")).isEqualTo(2L);
                    assertThat(rr.cmd("FCALL", "f1", "0")).isEqualTo("hello");
                    assertThat(rr.cmd("MULTI")).isEqualTo("OK");
                    assertThat(rr.cmd("EVAL", "#!lua flags=no-writes\nreturn 12", "0")).isEqualTo("QUEUED");
                    assertThat(rr.cmd("EXEC")).isEqualTo(List.of(12L));
                    // held: a script without flags (it may write), one with a shebang that does not say no-writes, a writing function
                    held.send(RespTestClient.encode("EVAL", "return 1", "0"));
                    held.send(RespTestClient.encode("EVAL", "#!lua\nreturn 3", "0"));
                    held.send(RespTestClient.encode("FCALL", "f2", "0"));
                    held.send(RespTestClient.encode("PING"));
                    assertThat(rr.cmd("PING")).as("the paused connection's commands wait, others run").isEqualTo("PONG");
                    assertThat(held.available()).as("nothing answered while paused").isZero();
                } finally {
                    admin.cmd("CLIENT", "UNPAUSE");
                }
                assertThat(held.read()).isEqualTo(1L);
                assertThat(held.read()).isEqualTo(3L);
                assertThat(held.read()).isEqualTo("writes");
                assertThat(held.read()).isEqualTo("PONG");
                admin.cmd("FUNCTION", "DELETE", "pausedlib");
            }
        }
    }
}
