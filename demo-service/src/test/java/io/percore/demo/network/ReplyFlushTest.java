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

    private static final int COMMANDS = 2_000;

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

    @Test
    void aPipelinesRepliesFromTheOtherShardLeaveInFewWritesNotOneEach() throws Exception {
        String key = keyOn(1, "flush:");
        try (Socket client = onShard(0); RespTestClient admin = new RespTestClient(demo.respPort())) {
            byte[] incr = RespTestClient.encode("INCR", key);
            byte[] pipeline = new byte[incr.length * COMMANDS];
            for (int i = 0; i < COMMANDS; i++) {
                System.arraycopy(incr, 0, pipeline, i * incr.length, incr.length);
            }
            long writesBefore = ClientMemoryTest.infoLong(admin, "stats", "total_writes_processed", -1);
            long readsBefore = ClientMemoryTest.infoLong(admin, "stats", "total_reads_processed", -1);
            client.getOutputStream().write(pipeline);
            InputStream in = client.getInputStream();
            for (int i = 0; i < COMMANDS; i++) {
                assertThat(ClientMemoryTest.readLine(in)).isEqualTo(":" + (i + 1));
            }
            long writes = ClientMemoryTest.infoLong(admin, "stats", "total_writes_processed", -1) - writesBefore;
            long reads = ClientMemoryTest.infoLong(admin, "stats", "total_reads_processed", -1) - readsBefore;
            // the pipeline arrives in a few reads (about 60 KB); its 2,000 replies come back from shard 1 in batches, each
            // batch's in one write at the end of its turn (plus the admin connection's INFO replies): 5-11 writes here,
            // 147 when each batch was flushed as it came (2026-11-29, quiet)
            assertThat(reads).as("reads of the pipeline and the INFO commands").isBetween(2L, 200L);
            assertThat(writes).as("writes for %d replies made on the other shard (%d reads)", COMMANDS, reads)
                    .isBetween(2L, 60L);
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
