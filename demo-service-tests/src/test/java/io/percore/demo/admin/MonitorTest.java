package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, MONITOR on a 2-shard server: a monitor on one shard sees the commands run on both, in
 * Redis's line format, with AUTH's and HELLO's secrets redacted and admin commands left out; a
 * monitor may not touch keys; one that stops reading is disconnected past its output limit.
 */
class MonitorTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    /** A monitor connection on {@code shard} (connections are spread by the kernel: retried until one lands there). */
    private static RespTestClient monitorOn(int shard, List<RespTestClient> opened) throws IOException {
        for (int i = 0; i < 64; i++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            opened.add(c);
            if (ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "shard").equals(Integer.toString(shard))) {
                assertThat(c.cmd("MONITOR")).isEqualTo("OK");
                return c;
            }
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    @Test
    void aMonitorSeesCommandsFromEveryShardInRedisesFormat() throws Exception {
        for (int monitorShard = 0; monitorShard < 2; monitorShard++) {
            List<RespTestClient> opened = new ArrayList<>();
            try {
                RespTestClient[] clients = new RespTestClient[2];
                for (int clientShard = 0; clientShard < 2; clientShard++) {
                    for (int i = 0; i < 64 && clients[clientShard] == null; i++) {
                        RespTestClient c = new RespTestClient(demo.respPort());
                        opened.add(c);
                        if (ClientCommandsTest.field((String) c.cmd("CLIENT", "INFO"), "shard").equals(Integer.toString(clientShard))) {
                            clients[clientShard] = c;
                        }
                    }
                }
                RespTestClient monitor = monitorOn(monitorShard, opened);
                for (int clientShard = 0; clientShard < 2; clientShard++) {
                    RespTestClient client = clients[clientShard];
                    String addr = ClientCommandsTest.field((String) client.cmd("CLIENT", "INFO"), "addr");
                    assertThat((String) monitor.read()).endsWith("] \"CLIENT\" \"INFO\"");
                    String key = demo.keyOn(1 - clientShard, "mon");
                    client.cmd("set", key, "bar \"q\"\n\u0001");
                    client.cmd("get", key);
                    String set = (String) monitor.read();
                    assertThat(set).matches("\\d{10}\\.\\d{6} \\[0 " + java.util.regex.Pattern.quote(addr) + "] \"set\" \""
                            + key + "\" \"bar \\\\\"q\\\\\"\\\\n\\\\x01\"");
                    assertThat((String) monitor.read()).endsWith("] \"get\" \"" + key + "\"");
                }
            } finally {
                for (RespTestClient c : opened) {
                    c.close();
                }
            }
        }
    }

    @Test
    void secretsAreRedactedAndAdminCommandsLeftOut() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient client = new RespTestClient(demo.respPort())) {
            RespTestClient monitor = monitorOn(0, opened);
            client.cmd("AUTH", "not-real");
            client.cmd("AUTH", "not-real", "not-a-password");
            client.cmd("HELLO", "2", "AUTH", "not-real", "not-a-password");
            client.cmd("CONFIG", "GET", "maxmemory"); // admin: not shown
            client.cmd("CLIENT", "LIST");              // admin: not shown
            client.cmd("NOSUCHCOMMAND");               // refused before it ran: not shown
            client.cmd("GET");                         // wrong arity: not shown
            client.cmd("PING");
            assertThat((String) monitor.read()).endsWith("\"AUTH\" \"(redacted)\"");
            assertThat((String) monitor.read()).endsWith("\"AUTH\" \"(redacted)\" \"(redacted)\"");
            assertThat((String) monitor.read()).endsWith("\"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\"");
            assertThat((String) monitor.read()).endsWith("\"PING\"");
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void transactionsAreShownAsRedisShowsThem() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient client = new RespTestClient(demo.respPort())) {
            RespTestClient monitor = monitorOn(1, opened);
            String key = demo.keyOn(0, "montx");
            client.cmd("CONFIG", "RESETSTAT");
            assertThat(client.cmd("MULTI")).isEqualTo("OK");
            assertThat(client.cmd("SET", key, "bar")).isEqualTo("QUEUED");
            assertThat(client.cmd("EXEC")).isEqualTo(List.of("OK"));
            // the queued command is shown when EXEC runs it, EXEC once it has run (Redis's call() order)
            assertThat((String) monitor.read()).endsWith("\"MULTI\"");
            assertThat((String) monitor.read()).endsWith("\"SET\" \"" + key + "\" \"bar\"");
            assertThat((String) monitor.read()).endsWith("\"EXEC\"");
            // a refused command aborts the transaction; EXEC is shown, the refused one is not
            assertThat(client.cmd("MULTI")).isEqualTo("OK");
            assertThat(client.cmd("SYNTAX", "ERROR")).isInstanceOf(Err.class);
            assertThat(((Err) client.cmd("EXEC")).text()).startsWith("EXECABORT");
            assertThat((String) monitor.read()).endsWith("\"MULTI\"");
            assertThat((String) monitor.read()).endsWith("\"EXEC\"");
            String stats = (String) client.cmd("INFO", "commandstats");
            assertThat(stats).contains("cmdstat_set:calls=1,", "cmdstat_multi:calls=2,", "cmdstat_exec:calls=2,");
            // MONITOR inside a transaction is refused, as in Redis
            assertThat(client.cmd("MULTI")).isEqualTo("OK");
            assertThat(client.cmd("MONITOR")).isEqualTo("QUEUED");
            assertThat(client.cmd("EXEC")).isEqualTo(List.of(new Err("ERR MONITOR isn't allowed for DENY BLOCKING client")));
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    /** Redis's introspection unit "MONITOR can log commands issued by the scripting engine": the EVAL first, then its commands. */
    /**
     * A monitor's shard reads the rings from the other shards in the shards' order, and what a busy turn left in them all
     * arrives at once: the lines are written in the order their commands ran. A command is shown by its client's shard, a
     * script by the shard it runs on: here shard 2 shows a line, then shard 1 one, while the monitor's shard 0 is held
     * busy. Ring 1 is read before ring 2, and the later line came out first (DatabasesParityTest's MONITOR case: a
     * client's SET shown after its next command, a script run on another shard, 17 loops in 400 under load).
     */
    @Test
    void linesFromSeveralShardsWaitingTogetherAreWrittenInTheOrderTheyWereMade() throws Exception {
        try (TestServices three = TestServices.start(3, DemoSettings.forTests());
             RespTestClient monitor = three.clientOn(0)) {
            assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch shown = new CountDownLatch(1);
            CompletableFuture<Boolean> held = three.engine.submitTo(0, () -> {
                busy.countDown();
                return shown.await(30, TimeUnit.SECONDS); // the monitor's shard busy until both lines wait for it
            });
            assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
            var servers = three.service.servers().fromOutside();
            servers.invokeOn(2, s -> {
                s.monitors().feed("c", 0, new byte[][] {"SET".getBytes(), "first".getBytes()});
                return null;
            }).get(30, TimeUnit.SECONDS);
            servers.invokeOn(1, s -> {
                s.monitors().feed("c", 0, new byte[][] {"SET".getBytes(), "second".getBytes()});
                return null;
            }).get(30, TimeUnit.SECONDS);
            Thread.sleep(100); // both shards' messages out (each at the end of its turn) before shard 0 reads again
            shown.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(List.of((String) monitor.read(), (String) monitor.read()))
                    .satisfiesExactly(l -> assertThat(l).endsWith("[0 c] \"SET\" \"first\""), l -> assertThat(l).endsWith("[0 c] \"SET\" \"second\""));
        }
    }

    @Test
    void aScriptIsShownBeforeTheCommandsItCalls() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient client = new RespTestClient(demo.respPort())) {
            RespTestClient monitor = monitorOn(1, opened);
            for (int shard = 0; shard < 2; shard++) {
                String key = demo.keyOn(shard, "monlua");
                assertThat(client.cmd("EVAL", "redis.call('set', KEYS[1], ARGV[1])", "1", key, "bar")).isNull();
                assertThat((String) monitor.read()).contains("\"EVAL\" \"redis.call('set', KEYS[1], ARGV[1])\" \"1\" \"" + key + "\"");
                assertThat((String) monitor.read()).endsWith("[0 lua] \"set\" \"" + key + "\" \"bar\"");
                assertThat(client.cmd("EVALSHA", "0000000000000000000000000000000000000000", "0")).isInstanceOf(Err.class);
                assertThat((String) monitor.read()).endsWith("\"EVALSHA\" \"0000000000000000000000000000000000000000\" \"0\"");
            }
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void aMonitorMayNotTouchKeysButMayLeave() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient monitor = monitorOn(1, opened);
            assertThat(monitor.cmd("GET", "x")).isEqualTo(new Err("ERR Replica can't interact with the keyspace"));
            assertThat(monitor.cmd("SET", "x", "1")).isEqualTo(new Err("ERR Replica can't interact with the keyspace"));
            monitor.send(RespTestClient.encode("MONITOR")); // already one: no reply at all
            assertThat(monitor.cmd("RESET")).isEqualTo("RESET");
            assertThat(monitor.cmd("GET", "x")).isNull();
            // this connection only: other tests' monitors may still be closing
            long id = (Long) monitor.cmd("CLIENT", "ID");
            try (RespTestClient c = new RespTestClient(demo.respPort())) {
                assertThat((String) c.cmd("CLIENT", "LIST", "ID", Long.toString(id))).contains("id=" + id + " ").doesNotContain("flags=O");
            }
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    @Test
    void aMonitorThatDoesNotReadIsDisconnectedPastItsLimit() throws Exception {
        try (Socket monitor = new Socket("127.0.0.1", demo.respPort()); RespTestClient writer = new RespTestClient(demo.respPort())) {
            monitor.setReceiveBufferSize(4096);
            OutputStream out = monitor.getOutputStream();
            out.write(RespTestClient.encode("MONITOR"));
            out.flush();
            InputStream in = monitor.getInputStream();
            byte[] ok = in.readNBytes(5);
            assertThat(new String(ok)).isEqualTo("+OK\r\n");
            // ~60 MB of lines the monitor never reads: past the 32 MB limit it is closed, and memory is not held for it
            String value = "v".repeat(64 * 1024);
            byte[] pipeline = RespTestClient.encode("SET", "{mon}big", value);
            boolean closed = false;
            for (int round = 0; round < 1000 && !closed; round++) {
                for (int i = 0; i < 10; i++) {
                    writer.send(pipeline);
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(writer.read()).isEqualTo("OK");
                }
                try (RespTestClient probe = new RespTestClient(demo.respPort())) {
                    closed = !((String) probe.cmd("CLIENT", "LIST")).contains("flags=O");
                }
            }
            assertThat(closed).as("the slow monitor was disconnected").isTrue();
            assertThat(writer.cmd("PING")).isEqualTo("PONG");
        }
    }
}
