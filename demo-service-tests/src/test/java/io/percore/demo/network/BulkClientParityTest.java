package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.kv.KeyHashing;
import io.percore.demo.support.DemoProcess;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 78: a client that writes a million commands before it reads a reply (redis-py's
 * {@code pipeline.execute()}, bulk loaders), against redis-server and against the demo side by side.
 * The demo runs as users run its jar: its own JVM, 2 shards, the defaults a 512 MB heap gives (the
 * clients' budget 64 MB, 32 MB a shard). Both must answer every command, in order; the demo once
 * counted the replies at three times their bytes and reset the connection.
 */
class BulkClientParityTest {

    private static final int COMMANDS = 1_000_000;
    /**
     * Three keys on the demo's shard 1 and one on shard 0, for a connection on shard 0: three replies
     * of four come from the other shard, the case that was counted at three times its bytes.
     */
    private static final String[] KEYS = {keyOn(1, "bulk:a:"), keyOn(1, "bulk:b:"), keyOn(1, "bulk:c:"), keyOn(0, "bulk:d:")};

    private static RealRedis redis;
    private static DemoProcess demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = DemoProcess.start(2, "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled");
    }

    @AfterAll
    static void stop() throws Exception {
        if (demo != null) {
            demo.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRawClientWritingAMillionCommandsBeforeReadingGetsEveryReplyFromBoth() throws Exception {
        sideBySide(() -> {
            writeEverythingThenRead("redis-server", redis.port(), null);
            return null;
        }, () -> {
            writeEverythingThenRead("percore", demo.respPort(), demo);
            return null;
        });
        assertThat(demo.alive()).isTrue();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(ClientMemoryTest.infoLong(c, "stats", "evicted_clients", -1)).as("clients closed for memory").isZero();
        }
    }

    @Test
    void redisPysPipelineOfAMillionCommandsGetsEveryReplyFromBoth() throws Exception {
        List<String> replies = sideBySide(() -> redisPyPipeline(redis.port()), () -> redisPyPipeline(demo.respPort()));
        assertThat(replies.get(0)).as("redis-py against redis-server").isEqualTo("replies " + COMMANDS);
        assertThat(replies.get(1)).as("redis-py against percore").isEqualTo("replies " + COMMANDS);
    }

    /**
     * The redis-server leg on a thread of its own beside the demo's, their results in that order (its failure first). The
     * legs share nothing but the machine; each is mostly one client thread, which leaves a core of two idle when they run
     * in turn.
     */
    private static <T> List<T> sideBySide(Callable<T> redisServerLeg, Callable<T> percoreLeg) throws Exception {
        FutureTask<T> theirs = new FutureTask<>(redisServerLeg);
        Thread leg = new Thread(theirs, "redis-server-leg");
        leg.setDaemon(true);
        leg.start();
        T ours = percoreLeg.call();
        try {
            return Arrays.asList(theirs.get(), ours);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    /**
     * Writes every INCR (the keys in turn) and only then reads: reply i must be i/4 + 1. A server that
     * stops reading fails it with what it says of its clients (and, for the demo, its threads and log).
     */
    private static void writeEverythingThenRead(String server, int port, DemoProcess process) throws Exception {
        try (Socket socket = connectOnShardZero(port); RespTestClient admin = new RespTestClient(port)) {
            admin.cmd("DEL", KEYS[0], KEYS[1], KEYS[2], KEYS[3]);
            socket.setSoTimeout(120_000);
            byte[][] commands = new byte[KEYS.length][];
            for (int k = 0; k < KEYS.length; k++) {
                commands[k] = RespTestClient.encode("INCR", KEYS[k]);
            }
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    for (int i = 0; i < COMMANDS; i++) {
                        out.write(commands[i & 3]);
                        sent.lazySet(i + 1);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(server + " stopped taking the commands", e);
                }
            });
            // the client reads nothing until everything is written; a server that stopped reading fails it here
            try {
                written.get(300, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(server + " stopped reading: " + sent.get() + " of " + COMMANDS
                        + " commands written in 300 s\n" + whatTheServerSays(admin, process), e);
            }
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            for (int i = 0; i < COMMANDS; i++) {
                String line = ClientMemoryTest.readLine(in);
                if (!line.equals(":" + (i / 4 + 1))) {
                    throw new AssertionError(server + ": reply " + i + " is " + line + ", not :" + (i / 4 + 1));
                }
            }
        }
    }

    private static String whatTheServerSays(RespTestClient admin, DemoProcess process) {
        StringBuilder said = new StringBuilder();
        for (String[] command : new String[][] {{"CLIENT", "LIST"}, {"INFO", "clients"}, {"INFO", "stats"}, {"INFO", "memory"}}) {
            try {
                said.append(String.join(" ", command)).append(":\n").append(admin.cmd(command)).append('\n');
            } catch (IOException | RuntimeException e) {
                said.append(String.join(" ", command)).append(" failed: ").append(e).append('\n');
            }
        }
        if (process != null) {
            said.append("its threads:\n").append(process.threadDump()).append("its log:\n").append(process.output());
        }
        return said.toString();
    }

    /** A connection on the demo's shard 0 (the kernel spreads them; CLIENT INFO says where), or any for redis-server. */
    private static Socket connectOnShardZero(int port) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            Socket s = new Socket();
            s.setReceiveBufferSize(64 * 1024); // a small window, as across a real network: most replies wait in the server
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(10_000);
            s.getOutputStream().write(RespTestClient.encode("CLIENT", "INFO"));
            InputStream in = s.getInputStream();
            String header = ClientMemoryTest.readLine(in);
            String info = new String(in.readNBytes(Integer.parseInt(header.substring(1)) + 2), StandardCharsets.UTF_8);
            if (!info.contains(" shard=") || info.contains(" shard=0")) {
                return s;
            }
            s.close();
        }
        throw new AssertionError("no connection landed on shard 0");
    }

    private static String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            if (KeyHashing.shardOf((prefix + i).getBytes(StandardCharsets.UTF_8), 2) == shard) {
                return prefix + i;
            }
        }
    }

    /** redis-py (Debian's python3-redis) runs one pipeline of a million INCRs and checks the replies' order itself. */
    private static String redisPyPipeline(int port) throws Exception {
        String script = String.join("\n",
                "import redis, sys",
                "while True:  # one connection (the pool's only one), on the demo's shard 0 (redis-server has no shards)",
                "    r = redis.Redis(port=int(sys.argv[1]), max_connections=1)",
                "    if str(r.client_info().get('shard', '0')).strip() == '0':",
                "        break",
                "    r.close()",
                "keys = ['" + String.join("', '", KEYS) + "']",
                "r.delete(*keys)",
                "p = r.pipeline(transaction=False)",
                "for i in range(" + COMMANDS + "):",
                "    p.incr(keys[i & 3])",
                "res = p.execute()",
                "bad = [i for i, v in enumerate(res) if v != i // 4 + 1][:3]",
                "print('out of order at %s' % bad if bad else 'replies %d' % len(res))");
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", script, Integer.toString(port)).redirectErrorStream(true).start();
        python.getOutputStream().close();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(python.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return python.exitValue() == 0 ? out : "exit " + python.exitValue() + ": " + out;
    }
}
