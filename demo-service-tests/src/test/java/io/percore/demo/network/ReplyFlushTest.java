package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.KeyHashing;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies another shard makes leave with their turn's other replies in one write, as Redis writes a client's replies
 * once per event-loop turn; written one by one they reached the client as segments of a few bytes, and a client that
 * sends everything before it reads (BulkClientParityTest) got stuck with the server at the TCP level. INFO's
 * {@code total_writes_processed} counts the server's writes (its flushes to the sockets), as Redis's does.
 */
class ReplyFlushTest {

    /** Below max-pending-replies (1,024): the connection reads the whole pipeline while no reply has come back. */
    private static final int COMMANDS = 1_000;

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    /**
     * Deterministic, whatever the machine's load: the other shard is held while the connection's shard reads the
     * pipeline and passes its commands on; then the connection's shard is held while the other runs them all and sends
     * their replies back; released, it finds every reply waiting and writes them in one turn. Flushed one reply (or one
     * batch) at a time, as before, the same replies took hundreds of writes.
     */
    @Test
    void aPipelinesRepliesFromTheOtherShardLeaveInFewWritesNotOneEach() throws Exception {
        var servers = demo.service.servers().fromOutside();
        try (Socket client = onShard(0)) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < COMMANDS; i++) {
                pipeline.append(new String(RespTestClient.encode("SET", keyOn(1, "flush:" + i + ":"), "v"), StandardCharsets.UTF_8));
            }
            byte[] bytes = pipeline.toString().getBytes(StandardCharsets.UTF_8);
            long keysBefore = servers.invokeOn(1, s -> s.snapshot().keys()).get(30, TimeUnit.SECONDS);
            long readBefore = servers.invokeOn(0, s -> s.snapshot().netInputBytes()).get(30, TimeUnit.SECONDS);

            CountDownLatch release1 = new CountDownLatch(1);
            CompletableFuture<Boolean> held1 = hold(1, release1);
            client.getOutputStream().write(bytes);
            await(() -> servers.invokeOn(0, s -> s.snapshot().netInputBytes()).get(30, TimeUnit.SECONDS) >= readBefore + bytes.length,
                    "the connection's shard read the pipeline and passed its commands on");
            long writesBefore = servers.invokeOn(0, s -> s.snapshot().netWrites()).get(30, TimeUnit.SECONDS);

            CountDownLatch release0 = new CountDownLatch(1);
            CompletableFuture<Boolean> held0 = hold(0, release0);
            release1.countDown();
            assertThat(held1.get(30, TimeUnit.SECONDS)).isTrue();
            await(() -> servers.invokeOn(1, s -> s.snapshot().keys()).get(30, TimeUnit.SECONDS) >= keysBefore + COMMANDS,
                    "the other shard ran every command");
            servers.invokeOn(1, s -> null).get(30, TimeUnit.SECONDS); // a turn after the last command's: its replies are out
            release0.countDown();
            assertThat(held0.get(30, TimeUnit.SECONDS)).isTrue();

            InputStream in = client.getInputStream();
            for (int i = 0; i < COMMANDS; i++) {
                assertThat(ClientMemoryTest.readLine(in)).isEqualTo("+OK");
            }
            long writes = servers.invokeOn(0, s -> s.snapshot().netWrites()).get(30, TimeUnit.SECONDS) - writesBefore;
            // one turn finds them all (a second when the other shard's last turn was still ending): 1 here, 2026-11-29
            assertThat(writes).as("writes for %d replies made on the other shard, all waiting when its shard ran again", COMMANDS)
                    .isBetween(1L, 3L);
        }
    }

    /** Holds {@code shard}'s thread until {@code release}: what is sent to it waits in its rings meanwhile. */
    private static CompletableFuture<Boolean> hold(int shard, CountDownLatch release) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Boolean> held = demo.engine.submitTo(shard, () -> {
            holding.countDown();
            return release.await(30, TimeUnit.SECONDS);
        });
        assertThat(holding.await(30, TimeUnit.SECONDS)).as("shard %d held", shard).isTrue();
        return held;
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a bound on a hang, not a timing
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A connection the kernel gave to {@code shard} (CLIENT INFO says which). */
    private static Socket onShard(int shard) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            Socket s = new Socket("127.0.0.1", demo.respPort());
            s.setSoTimeout(30_000);
            s.getOutputStream().write(RespTestClient.encode("CLIENT", "INFO"));
            InputStream in = s.getInputStream();
            String header = ClientMemoryTest.readLine(in);
            String info = new String(in.readNBytes(Integer.parseInt(header.substring(1)) + 2), StandardCharsets.UTF_8);
            if (info.contains(" shard=" + shard)) { // two shards: 0 or 1
                return s;
            }
            s.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    private static String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            if (KeyHashing.shardOf((prefix + i).getBytes(StandardCharsets.UTF_8), 2) == shard) {
                return prefix + i;
            }
        }
    }
}
