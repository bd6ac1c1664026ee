package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24's attacks, each bounded in count and time: what a client holds in memory (replies it has
 * not read, requests not run, what other shards make for it) is bounded per client and for all
 * clients together, and reading never stops in a way that leaves a client waiting for ever.
 */
class ClientMemoryTest {

    private static final long MB = 1L << 20;

    // Row 4 (a million INCRs written before any reply is read) is BulkClientParityTest's: side by side with
    // redis-server and redis-py, in the demo's own JVM with a 512 MB heap's defaults, where it failed.

    /** Row 1: subscribers that never read while 100 KB messages are published: cut before clients hold more than maxmemory-clients. */
    @Test
    void subscribersThatNeverReadAreClosedBeforeClientsHoldTooMuch() throws Exception {
        long budget = 16 * MB;
        DemoSettings settings = DemoSettings.forTests().withConfig("maxmemory-clients", Long.toString(budget));
        try (TestServices demo = TestServices.start(2, settings); RespTestClient publisher = new RespTestClient(demo.respPort())) {
            List<Socket> subscribers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", demo.respPort());
                s.setReceiveBufferSize(4096); // small, so the kernel holds little and the server holds the rest
                s.getOutputStream().write(RespTestClient.encode("SUBSCRIBE", "news"));
                subscribers.add(s);
            }
            eventually("20 subscribers", () -> infoLong(publisher, "clients", "pubsub_clients", -1) == 20
                    || subscribersOf(publisher, "news") == 20);
            long directBefore = PlatformDependent.usedDirectMemory();
            String message = "x".repeat(100 * 1024);
            long worstDirect = 0;
            long worstClients = 0;
            for (int i = 0; i < 400; i++) { // 40 MB to each of 20 subscribers: 800 MB if nothing bounded them
                publisher.cmd("PUBLISH", "news", message);
                if (i % 10 == 0) {
                    worstDirect = Math.max(worstDirect, PlatformDependent.usedDirectMemory() - directBefore);
                    worstClients = Math.max(worstClients, infoLong(publisher, "memory", "mem_clients_normal", 0));
                }
            }
            assertThat(worstClients).as("what clients held by the server's count").isLessThanOrEqualTo(budget + 2 * MB);
            assertThat(worstDirect).as("direct memory the server's allocator took during the flood").isLessThan(budget + 64 * MB);
            assertThat(infoLong(publisher, "stats", "evicted_clients", 0)).as("subscribers closed as the largest clients")
                    .isGreaterThan(0);
            assertThat(publisher.cmd("PING")).isEqualTo("PONG");
            for (Socket s : subscribers) {
                s.close();
            }
        }
    }

    /**
     * Row 2: a client that pipelines a hundred LRANGEs of a large list kept on another shard and reads
     * none: the other shard stops making them once the client holds more than its shard's part of
     * maxmemory-clients, and the client is closed, not the server.
     */
    @Test
    void aClientThatNeverReadsLargeRangesFromAnotherShardIsClosed() throws Exception {
        long budget = 16 * MB;
        DemoSettings settings = DemoSettings.forTests().withConfig("maxmemory-clients", Long.toString(budget));
        try (TestServices demo = TestServices.start(2, settings); RespTestClient admin = new RespTestClient(demo.respPort())) {
            String big = demo.keyOn(1, "lr:big");
            for (int from = 0; from < 200_000; from += 10_000) {
                List<String> push = new ArrayList<>(List.of("RPUSH", big));
                for (int i = from; i < from + 10_000; i++) {
                    push.add("element-" + i);
                }
                admin.cmd(push.toArray(String[]::new));
            }
            // a connection on shard 0, so every LRANGE of the key crosses to shard 1; closed at the end
            // (an unreachable Socket is closed by its cleaner, which the server would see as a reset)
            try (Socket reader = connectOnShard(demo, 0)) {
                neverReadsRanges(admin, reader, RespTestClient.encode("LRANGE", big, "0", "-1")); // ~3.6 MB each encoded
            }
            assertThat(admin.cmd("LLEN", big)).isEqualTo(200_000L);
        }
    }

    /**
     * Row 2 for the other aggregates written straight from the stored arrays (issue 29): a hash's,
     * a set's and a sorted set's with scores, made on another shard, count while they travel as
     * LRANGE's do.
     */
    @ParameterizedTest
    @ValueSource(strings = {"HGETALL", "SMEMBERS", "ZRANGE"})
    void aClientThatNeverReadsLargeHashesSetsOrScoredRangesFromAnotherShardIsClosed(String command) throws Exception {
        DemoSettings settings = DemoSettings.forTests().withConfig("maxmemory-clients", Long.toString(16 * MB));
        try (TestServices demo = TestServices.start(2, settings); RespTestClient admin = new RespTestClient(demo.respPort())) {
            String big = demo.keyOn(1, "agg:big");
            String fill = switch (command) {
                case "HGETALL" -> "HSET";
                case "SMEMBERS" -> "SADD";
                default -> "ZADD";
            };
            // about as large encoded as the LRANGE of the row above (200,000 short elements): a set's members are single
            int elements = fill.equals("SADD") ? 200_000 : 100_000;
            for (int from = 0; from < elements; from += 10_000) {
                List<String> add = new ArrayList<>(List.of(fill, big));
                for (int i = from; i < from + 10_000; i++) {
                    if (!fill.equals("SADD")) {
                        add.add(fill.equals("ZADD") ? Double.toString(i / 7.0) : "field-" + i);
                    }
                    add.add("element-" + i);
                }
                admin.cmd(add.toArray(String[]::new));
            }
            byte[] read = command.equals("ZRANGE") // ~4 to 7 MB each as counted
                    ? RespTestClient.encode("ZRANGE", big, "0", "-1", "WITHSCORES")
                    : RespTestClient.encode(command, big);
            try (Socket reader = connectOnShard(demo, 0)) {
                neverReadsRanges(admin, reader, read);
            }
        }
    }

    private static void neverReadsRanges(RespTestClient admin, Socket reader, byte[] range) throws Exception {
        reader.setReceiveBufferSize(4096);
        name(reader, "ranges");
        long before = infoLong(admin, "stats", "keyspace_hits", 0); // counted by the key's shard as it makes a range
        OutputStream out = reader.getOutputStream();
        for (int i = 0; i < 100; i++) {
            out.write(range);
        }
        out.flush();
        eventually("the client closed", () -> !connected(admin, "ranges"));
        long made = infoLong(admin, "stats", "keyspace_hits", 0) - before;
        // ~4 to 7 MB each as counted against the shard's 8 MB part of maxmemory-clients: two or three, then it refuses
        assertThat(made).as("ranges the other shard made before it stopped (100 sent)").isLessThanOrEqualTo(5);
        assertThat(infoLong(admin, "stats", "evicted_clients", 0)).isGreaterThan(0);
    }

    /** Row 3: MONITOR clients that never read are closed at their 32 MB limit, not a burst past it. */
    @Test
    void monitorsThatNeverReadStopAtTheirLimit() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RespTestClient writer = new RespTestClient(demo.respPort());
             RespTestClient admin = new RespTestClient(demo.respPort())) {
            List<Socket> monitors = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket m = new Socket("127.0.0.1", demo.respPort());
                m.setReceiveBufferSize(4096);
                name(m, "monitor-" + i);
                m.getOutputStream().write(RespTestClient.encode("MONITOR"));
                monitors.add(m);
            }
            eventually("3 monitors", () -> clientFlags(admin).stream().filter(f -> f.contains("O")).count() == 3);
            String value = "v".repeat(4096);
            long worstOmem = 0;
            for (int round = 0; round < 2_000 && clientFlags(admin).contains("O"); round++) {
                List<String> mset = new ArrayList<>(List.of("MSET"));
                for (int i = 0; i < 50; i++) {
                    mset.add("mon:" + i);
                    mset.add(value);
                }
                writer.cmd(mset.toArray(String[]::new));
                for (String line : clientLines(admin)) {
                    if (line.contains(" flags=O ")) {
                        worstOmem = Math.max(worstOmem, Long.parseLong(field(line, "omem")));
                    }
                }
            }
            assertThat(worstOmem).as("a monitor's unsent output").isLessThanOrEqualTo(32 * MB + 256 * 1024);
            assertThat(clientFlags(admin)).as("every monitor closed at its limit").doesNotContain("O");
            for (Socket m : monitors) {
                m.close();
            }
        }
    }

    /**
     * Row 5: one MULTI of 200,000 INCRs over keys of both shards costs each shard a message, not a
     * round trip per command (the shards are held for the whole transaction: per-command round trips
     * held them for seconds).
     */
    @Test
    void aHugeTransactionSendsEachShardItsCommandsAtOnce() throws Exception {
        withSampledLeakDetection(ClientMemoryTest::hugeTransaction);
    }

    private static void hugeTransaction() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); Socket socket = new Socket("127.0.0.1", demo.respPort())) {
            socket.setSoTimeout(60_000);
            String[] keys = {demo.keyOn(0, "tx:a"), demo.keyOn(1, "tx:b")};
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            int n = 200_000;
            out.write(RespTestClient.encode("MULTI"));
            for (int i = 0; i < n; i++) {
                out.write(RespTestClient.encode("INCR", keys[i & 1]));
            }
            out.flush();
            for (int i = 0; i <= n; i++) {
                readLine(in); // +OK, then +QUEUED each
            }
            long sentBefore = messagesSent(demo);
            out.write(RespTestClient.encode("EXEC"));
            out.flush();
            String header = readLine(in);
            assertThat(header).isEqualTo("*" + n);
            long last = 0;
            for (int i = 0; i < n; i++) {
                last = readInteger(in);
            }
            assertThat(last).isEqualTo(n / 2);
            assertThat(messagesSent(demo) - sentBefore).as("messages between shards for the EXEC").isLessThan(100);
        }
    }

    /** Row 8: settings this JVM cannot honour are refused at start and by CONFIG SET, naming the key, value and rule. */
    @Test
    void aBudgetTheJvmCannotHoldIsRefused() throws Exception {
        DemoSettings tooBig = DemoSettings.forTests().withMemory(new io.percore.demo.kv.MemorySettings(100L << 30,
                io.percore.demo.kv.MaxmemoryPolicy.NOEVICTION, 5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServices.start(1, tooBig).close())
                .hasMessageContaining("percore.demo.maxmemory=107374182400").hasMessageContaining("more than this JVM can hold");
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests()); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(String.valueOf(c.cmd("CONFIG", "SET", "maxmemory", "100gb")))
                    .startsWith("Err[text=ERR CONFIG SET failed (possibly related to argument 'maxmemory') - maxmemory 100gb is more than");
            assertThat(String.valueOf(c.cmd("CONFIG", "SET", "maxmemory-clients", "0")))
                    .contains("client-output-buffer-limit normal has no hard limit and maxmemory-clients is 0");
            // with a global bound, one class may go unlimited (as Redis allows it)
            assertThat(c.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0")).isEqualTo("OK");
            assertThat(String.valueOf(c.cmd("CONFIG", "SET", "maxmemory-clients", "0", "client-output-buffer-limit", "normal 1mb 0 0")))
                    .contains("client-output-buffer-limit pubsub has no hard limit");
            assertThat(c.cmd("CONFIG", "SET", "maxmemory-clients", "10%")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "GET", "maxmemory-clients")).isEqualTo(List.of("maxmemory-clients", "10%"));
        }
    }

    /** The query buffer: requests read and not run (held behind a blocked command) past client-query-buffer-limit close the client. */
    @Test
    void requestsHeldPastTheQueryBufferLimitCloseTheClient() throws Exception {
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests()); RespTestClient admin = new RespTestClient(demo.respPort());
             Socket client = new Socket("127.0.0.1", demo.respPort())) {
            assertThat(admin.cmd("CONFIG", "SET", "client-query-buffer-limit", "1mb")).isEqualTo("OK");
            OutputStream out = client.getOutputStream();
            out.write(RespTestClient.encode("BLPOP", "qb:never", "0")); // holds back what follows
            byte[] set = RespTestClient.encode("SET", "qb:k", "x".repeat(64 * 1024));
            for (int i = 0; i < 40; i++) { // 2.5 MB held
                out.write(set);
            }
            out.flush();
            eventually("the client closed", () -> isClosed(client));
            assertThat(infoLong(admin, "stats", "client_query_buffer_limit_disconnections", 0)).isEqualTo(1);
            assertThat(admin.cmd("EXISTS", "qb:k")).as("nothing it held back ran").isEqualTo(0L);
        }
    }

    /** What a client holds shows in CLIENT LIST and INFO, and leaves the shard's total when it closes. */
    @Test
    void aClientsMemoryShowsAndLeavesWithIt() throws Exception {
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests()); RespTestClient admin = new RespTestClient(demo.respPort())) {
            Socket slow = new Socket("127.0.0.1", demo.respPort());
            slow.setReceiveBufferSize(4096);
            admin.cmd("SET", "cm:v", "y".repeat(1 << 20));
            byte[] get = RespTestClient.encode("GET", "cm:v");
            for (int i = 0; i < 20; i++) {
                slow.getOutputStream().write(get);
            }
            eventually("output held", () -> infoLong(admin, "memory", "mem_clients_normal", 0) > 10 * MB);
            String line = clientLines(admin).stream().filter(l -> Long.parseLong(field(l, "omem")) > 10 * MB).findFirst().orElseThrow();
            assertThat(Long.parseLong(field(line, "tot-mem"))).isGreaterThanOrEqualTo(Long.parseLong(field(line, "omem")));
            assertThat(infoLong(admin, "memory", "used_memory", 0)).isGreaterThan(infoLong(admin, "memory", "used_memory_dataset", 0) + 10 * MB);
            slow.close();
            eventually("released", () -> infoLong(admin, "memory", "mem_clients_normal", 0) < MB);
        }
    }

    // ------------------------------------------------------------------ helpers

    interface Attack {
        void run() throws Exception;
    }

    /**
     * The suite's paranoid leak detection takes a stack trace at every write into a buffer: millions
     * in the attacks that send a million commands, minutes of CPU that measure the detector, not the
     * server. Sampled detection still reports a leak; classes run one after another, so no other test
     * sees the change.
     */
    private static void withSampledLeakDetection(Attack attack) throws Exception {
        ResourceLeakDetector.Level suiteLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try {
            attack.run();
        } finally {
            ResourceLeakDetector.setLevel(suiteLevel);
        }
    }

    static long infoLong(RespTestClient c, String section, String field, long missing) {
        try {
            for (String line : String.valueOf(c.cmd("INFO", section)).split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim());
                }
            }
            return missing;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static long subscribersOf(RespTestClient c, String channel) {
        try {
            List<?> reply = (List<?>) c.cmd("PUBSUB", "NUMSUB", channel);
            return (Long) reply.get(1);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }


    private static List<String> clientLines(RespTestClient c) {
        try {
            Object reply = c.cmd("CLIENT", "LIST");
            assertThat(reply).as("CLIENT LIST").isInstanceOf(String.class);
            return List.of(((String) reply).split("\n"));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static List<String> clientFlags(RespTestClient c) {
        return clientLines(c).stream().map(l -> field(l, "flags")).toList();
    }

    static String field(String line, String name) {
        for (String part : line.trim().split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }

    /** A connection that landed on {@code shard} (the kernel spreads them; CLIENT INFO says where). */
    static Socket connectOnShard(TestServices demo, int shard) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            Socket s = new Socket("127.0.0.1", demo.respPort());
            s.setSoTimeout(10_000);
            s.getOutputStream().write(RespTestClient.encode("CLIENT", "INFO"));
            InputStream in = s.getInputStream();
            String header = readLine(in);
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)) + 2);
            if (new String(body, StandardCharsets.UTF_8).contains(" shard=" + shard)) {
                return s;
            }
            s.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    /** Names the connection (CLIENT SETNAME), reading the +OK, so the server's CLIENT LIST can tell whether it is still there. */
    static void name(Socket s, String name) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(RespTestClient.encode("CLIENT", "SETNAME", name));
        assertThat(readLine(s.getInputStream())).isEqualTo("+OK");
    }

    /** Whether a client of that name is connected, by the server's CLIENT LIST (reading the socket would drain it). */
    static boolean connected(RespTestClient admin, String name) {
        return clientLines(admin).stream().anyMatch(l -> l.contains(" name=" + name + " "));
    }

    /** Whether the server closed {@code s} (a read finds the end, after whatever it had sent). */
    static boolean isClosed(Socket s) {
        try {
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            byte[] skip = new byte[1 << 16];
            while (true) {
                int n = in.read(skip);
                if (n < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    private static long messagesSent(TestServices demo) {
        long sent = 0;
        for (int i = 0; i < demo.engine.shardCount(); i++) {
            sent += demo.engine.shard(i).stats().messagesSent();
        }
        return sent;
    }

    /** One RESP line without its CRLF, read a byte at a time (nothing read past it). */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new java.io.EOFException();
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    private static long readInteger(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.charAt(0) != ':') {
            throw new AssertionError("not an integer reply: " + line);
        }
        return Long.parseLong(line.substring(1));
    }

    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
