package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.support.DemoProcess;
import io.percore.demo.support.RespTestClient;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, row 7: a 64 MB heap and 2 shards under 50 clients pipelining 100 KB SETs. Each client
 * either gets its replies ({@code +OK} or {@code -OOM} once the keyspace is full) or is closed for
 * its limits; the process stays up (it runs with {@code -XX:+ExitOnOutOfMemoryError}, as the
 * operator's pods do, so an {@code OutOfMemoryError} anywhere would end it).
 */
class SmallHeapTest {

    private static final int CLIENTS = 50;
    private static final int ROUNDS = 3;
    private static final int PIPELINE = 40;

    @Test
    void fiftyClientsPipeliningLargeWritesIntoA64MbHeapGetRepliesOrAreClosedAndTheProcessStaysUp() throws Exception {
        try (DemoProcess demo = DemoProcess.start(2, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled")) {
            byte[] value = "v".repeat(100 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger oom = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    try (Socket s = new Socket("127.0.0.1", demo.respPort())) {
                        s.setSoTimeout(60_000);
                        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                        InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                        for (int round = 0; round < ROUNDS; round++) {
                            for (int i = 0; i < PIPELINE; i++) {
                                out.write(set("sh:" + client + ":" + round + ":" + i, value));
                            }
                            out.flush();
                            for (int i = 0; i < PIPELINE; i++) {
                                String line = ClientMemoryTest.readLine(in);
                                if (line.equals("+OK")) {
                                    ok.incrementAndGet();
                                } else if (line.startsWith("-OOM")) {
                                    oom.incrementAndGet();
                                } else {
                                    throw new AssertionError("client " + client + ": " + line);
                                }
                            }
                        }
                    } catch (IOException e) {
                        closed.incrementAndGet(); // closed for its limits: the write or the read finds the connection gone
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(demo.alive()).as("the process after the flood; its log:\n" + demo.output()).isTrue();
            try (RespTestClient after = new RespTestClient(demo.respPort())) {
                assertThat(after.cmd("PING")).isEqualTo("PONG");
                assertThat(after.cmd("SET", "sh:small", "fits")).isIn("OK", new RespTestClient.Err("OOM command not allowed when used memory > 'maxmemory'."));
            }
            assertThat(oom.get() + closed.get()).as("refused or closed: the heap cannot take %d MB", CLIENTS * ROUNDS * PIPELINE / 10)
                    .isGreaterThan(0);
            assertThat(ok.get()).as("writes that fitted").isGreaterThan(0);
        }
    }

    private static byte[] set(String key, byte[] value) {
        byte[] k = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] head = ("*3\r\n$3\r\nSET\r\n$" + k.length + "\r\n" + key + "\r\n$" + value.length + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] command = new byte[head.length + value.length + 2];
        System.arraycopy(head, 0, command, 0, head.length);
        System.arraycopy(value, 0, command, head.length, value.length);
        command[command.length - 2] = '\r';
        command[command.length - 1] = '\n';
        return command;
    }
}
