package io.percore.demo.network;

import io.percore.demo.server.ServerShard;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 5: a graceful stop while clients pipeline must answer every command the server
 * has read. Before, a connection was closed as soon as its last write completed, while commands of
 * the same read burst still waited for another shard, and while more bytes were being read: a
 * hundred or more executed commands went unanswered per stop.
 *
 * <p>The check is exact: the replies all clients received equal the commands all shards executed.
 */
class GracefulDrainTest {

    private static final int CONNECTIONS = 40;
    private static final int BATCH = 50;

    @Test
    void everyCommandTheServerExecutedIsAnsweredBeforeTheClose() throws Exception {
        TestServices services = TestServices.start(2, DemoSettings.forTests());
        ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            // Keys on both shards: half of every batch crosses to the other shard and comes back later.
            byte[] batch = batch(services.keyOn(0, "drain-a"), services.keyOn(1, "drain-b"));
            CountDownLatch allSending = new CountDownLatch(CONNECTIONS);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Long>> received = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                received.add(clients.submit(() -> pipelineUntilClosed(services.respPort(), batch, allSending, stop)));
            }
            assertThat(allSending.await(30, TimeUnit.SECONDS)).isTrue();
            services.service.respServer().shutdownGracefully(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            stop.set(true);
            long replies = 0;
            for (Future<Long> r : received) {
                replies += r.get(30, TimeUnit.SECONDS);
            }
            long executed = services.service.snapshots().stream().mapToLong(ServerShard.Snapshot::commands).sum();
            assertThat(executed).as("the load ran").isGreaterThan(CONNECTIONS * BATCH);
            assertThat(replies).as("replies received == commands executed").isEqualTo(executed);
        } finally {
            clients.shutdownNow();
            services.close();
        }
    }

    private static byte[] batch(String k0, String k1) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < BATCH; i++) {
            out.writeBytes(RespTestClient.encode("INCR", i % 2 == 0 ? k0 : k1));
        }
        return out.toByteArray();
    }

    /** Pipelines batches (the next one sent as soon as the previous is answered) until the server closes; returns replies read. */
    private static long pipelineUntilClosed(int port, byte[] batch, CountDownLatch sending, AtomicBoolean stop) throws IOException {
        long replies = 0;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            boolean counted = false;
            long owed = 0;
            while (true) {
                if (owed == 0) {
                    if (stop.get()) {
                        return replies;
                    }
                    try {
                        out.write(batch);
                        out.flush();
                    } catch (IOException closed) {
                        return replies + drainRemaining(in, buf);
                    }
                    owed += BATCH;
                    if (!counted) {
                        counted = true;
                        sending.countDown();
                    }
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException reset) {
                    return replies;
                }
                if (n < 0) {
                    return replies;
                }
                long lines = countReplies(buf, n);
                replies += lines;
                owed -= lines;
            }
        }
    }

    private static long drainRemaining(InputStream in, byte[] buf) {
        long replies = 0;
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                replies += countReplies(buf, n);
            }
        } catch (IOException ignored) {
            // reset after the last reply
        }
        return replies;
    }

    /** INCR replies are ":<n>\r\n", one line each. */
    private static long countReplies(byte[] buf, int n) {
        long lines = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
