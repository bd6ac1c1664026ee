package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old protocol's SYNC, as Redis's own tools ask for the stream, beside redis-server 7.0.15: the reply is the snapshot
 * alone (no {@code +FULLRESYNC} line, which {@code redis-cli --rdb} read as its length and then waited for ever for an
 * end mark, writing the header into the file); {@code redis-cli --rdb} (REPLCONF rdb-only 1) gets a file that
 * {@code redis-check-rdb} accepts with every key and is disconnected once it has it; {@code redis-cli --replica}, which
 * sends no acks, is not cut off by {@code repl-timeout} and prints the writes that follow.
 */
class RedisCliSyncTest {

    private static final int KEYS = 1000;

    @TempDir
    static Path dir;

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(Files.createDirectories(dir.resolve("demo")))));
        for (int port : ports()) {
            try (RespTestClient c = new RespTestClient(port)) {
                for (int i = 0; i < KEYS; i++) {
                    c.cmd("SET", "k:" + i, "v" + i);
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private static int[] ports() {
        return new int[] {redis.port(), demo.respPort()};
    }

    @Test
    void syncIsAnsweredWithTheSnapshotAloneAsItsBulkLength() throws IOException {
        for (int port : ports()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("SYNC\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String first = firstLine(in);
                assertThat(first).as("port %d", port).matches("\\$[0-9]+");
                assertThat(new String(in.readNBytes(9), StandardCharsets.US_ASCII)).as("port %d", port).isEqualTo("REDIS0010");
            }
        }
    }

    @Test
    void redisCliRdbGetsAFileRedisCheckRdbAcceptsAndIsDisconnected() throws Exception {
        for (int port : ports()) {
            long keys;
            try (RespTestClient c = new RespTestClient(port)) {
                keys = (Long) c.cmd("DBSIZE"); // the keys written at the start, and another test's since
            }
            Path file = dir.resolve("cli-" + port + ".rdb");
            Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "--rdb", file.toString())
                    .redirectErrorStream(true).start();
            String said = drain(cli);
            // a bound on a hung transfer (the file is small), not a timing
            assertThat(cli.isAlive()).as("redis-cli --rdb on port %d still running after 120 s: %s", port, said).isFalse();
            assertThat(cli.exitValue()).as("port %d: %s", port, said).isZero();
            assertThat(said).as("port %d", port).contains("Transfer finished with success");
            Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
            String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor()).as(report).isZero();
            assertThat(report).as("port %d", port).contains("RDB looks OK").contains(keys + " keys read");
            try (RespTestClient c = new RespTestClient(port)) {
                awaitConnectedReplicas(c, 0, "the rdb-only replica disconnected on port " + port);
            }
        }
    }

    @Test
    void redisCliReplicaSendsNoAcksAndIsKeptAndFedTheStream() throws Exception {
        for (int port : ports()) {
            try (RespTestClient c = new RespTestClient(port)) {
                c.cmd("CONFIG", "SET", "repl-timeout", "1");
                Process cli = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "--replica").redirectErrorStream(true).start();
                try {
                    java.util.concurrent.BlockingQueue<String> lines = linesOf(cli);
                    String line;
                    do {
                        line = lines.poll(60, TimeUnit.SECONDS); // a bound on a hung sync, not a timing
                        assertThat(line).as("redis-cli --replica on port %d said its sync was done", port).isNotNull().isNotEqualTo(EOF);
                    } while (!line.startsWith("SYNC done"));
                    // its one ack (diskless: "ACK 0", a second after the snapshot) and no more: a repl-timeout of 1 s,
                    // checked every second, would have cut an acking replica's link off by now
                    Thread.sleep(3500);
                    c.cmd("SET", "after-sync", "seen");
                    do {
                        line = lines.poll(60, TimeUnit.SECONDS);
                        assertThat(line).as("redis-cli --replica on port %d printed the write (not disconnected)", port).isNotNull()
                                .isNotEqualTo(EOF);
                    } while (!line.contains("after-sync"));
                    assertThat(line).as("port %d", port).containsIgnoringCase("\"set\",\"after-sync\",\"seen\"");
                    awaitConnectedReplicas(c, 1, "the one replica, redis-cli, on port " + port);
                } finally {
                    cli.destroy();
                    cli.waitFor(30, TimeUnit.SECONDS);
                    c.cmd("CONFIG", "SET", "repl-timeout", "60");
                }
            }
        }
    }

    private static void awaitConnectedReplicas(RespTestClient c, int n, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.cmd("INFO", "replication").toString().contains("connected_slaves:" + n)) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static final String EOF = "\u0000end of output";

    /** A process's output line by line, read on a thread of its own; {@link #EOF} once it ends. */
    private static java.util.concurrent.BlockingQueue<String> linesOf(Process p) {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was stopped
            }
            lines.add(EOF);
        }, "redis-cli-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The first line of a SYNC's reply, after the newlines a primary sends while it makes the snapshot. */
    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                if (line.size() > 0) {
                    break;
                }
                continue;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads a process's output on a thread of its own; the text once the process has ended. */
    private static String drain(Process p) throws Exception {
        java.util.concurrent.CompletableFuture<String> text = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return text.get(30, TimeUnit.SECONDS);
    }
}
