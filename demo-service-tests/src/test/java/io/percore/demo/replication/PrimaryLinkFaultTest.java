package io.percore.demo.replication;

import static io.percore.demo.replication.PrimaryLinkTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.replication.PrimaryLinkTest.RecordingHost;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrimaryLink} against a fake primary that scripts each connection: a corrupt stream, a
 * stream cut in the middle of a command or of a MULTI block, a link cut in the middle of the
 * snapshot, a diskless snapshot with the stream right behind its mark, a silent primary, a
 * SELECT of a database the server does not have, the selected database across a partial resync. Nothing of a command not wholly received is ever applied, the
 * offsets asked for in PSYNC are the ends of whole commands (before an unfinished MULTI), and
 * the link comes back after a delay.
 */
class PrimaryLinkFaultTest {

    private static final String ID = "0123456789abcdef0123456789abcdef01234567";
    private static final String ID2 = "fedcba9876543210fedcba9876543210fedcba98";
    private static byte[] rdb;

    @TempDir
    Path dir;

    private FakePrimary primary;
    private PrimaryLink link;

    /** A small snapshot (keys a and b) written by a real redis-server. */
    @BeforeAll
    static void snapshot(@TempDir Path where) throws Exception {
        try (RealRedis redis = RealRedis.start("--dir", where.toString()); RespTestClient c = new RespTestClient(redis.port())) {
            c.cmd("SET", "a", "1");
            c.cmd("RPUSH", "b", "x", "y");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            rdb = Files.readAllBytes(where.resolve("dump.rdb"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (link != null) {
            link.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    private RecordingHost host() throws IOException {
        return new RecordingHost(Files.createDirectories(dir.resolve("tmp")));
    }

    private PrimaryLink start(RecordingHost host, int timeoutSeconds) {
        link = new PrimaryLink("127.0.0.1", primary.port(), host, timeoutSeconds, LinkPhases.standalone());
        link.start();
        return link;
    }

    static byte[] cmd(String... args) {
        return RespTestClient.encode(args);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aCorruptStreamDropsTheLinkWithoutHalfACommandAndTheNextSyncIsFull() throws Exception {
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.fullSync(ID, 0, false, new byte[0]);
                    c.send(concat(cmd("SET", "a", "1"), "*3\r\n$3\r\nSET\r\n$1\r\nbXX\r\n$1\r\n2\r\n".getBytes(StandardCharsets.US_ASCII)));
                    c.awaitClosed();
                },
                c -> {
                    c.handshake();
                    c.fullSync(ID2, 500, false, new byte[0]);
                    c.awaitAck(500);
                    c.awaitClosed();
                });
        RecordingHost host = host();
        start(host, 60);
        waitFor(() -> primary.connections() == 2 && link.up(), "the link came back");
        assertThat(primary.psyncs).containsExactly("? -1", "? -1"); // a corrupt stream is not continued
        assertThat(host.applied).containsExactly("SET a 1");
        assertThat(host.fullSyncs).isEqualTo(2);
        assertThat(link.offset()).isEqualTo(500);
    }

    @Test
    void aStreamCutInsideACommandOrAMultiBlockContinuesFromTheLastWholeCommand() throws Exception {
        byte[] one = cmd("SET", "a", "1");
        byte[] two = cmd("SET", "b", "2");
        byte[] multi = cmd("MULTI");
        byte[] x = cmd("SET", "x", "1");
        byte[] y = cmd("SET", "y", "2");
        byte[] exec = cmd("EXEC");
        byte[] getack = cmd("REPLCONF", "GETACK", "*");
        long base = 100;
        long afterOne = base + one.length;
        long afterTwo = afterOne + two.length;
        long afterBlock = afterTwo + getack.length + multi.length + x.length + y.length + exec.length;
        List<String> acks = new CopyOnWriteArrayList<>();
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.fullSync(ID, base, false, new byte[0]);
                    c.send(concat(one, java.util.Arrays.copyOf(two, two.length - 3)));
                    c.cut();
                },
                c -> {
                    c.handshake();
                    c.send("+CONTINUE\r\n");
                    c.send(concat(two, multi, x));
                    c.cut();
                },
                c -> {
                    c.handshake();
                    c.send("+CONTINUE " + ID2 + "\r\n");
                    c.send(getack);
                    acks.add(c.readAck());
                    c.send(concat(multi, x, y, exec));
                    c.awaitAck(afterBlock);
                    acks.add("ACK " + afterBlock);
                    c.awaitClosed();
                });
        RecordingHost host = host();
        start(host, 60);
        waitFor(() -> acks.size() == 2, "the third connection's acks came");
        assertThat(primary.psyncs).containsExactly("? -1", ID + " " + (afterOne + 1), ID + " " + (afterTwo + 1));
        assertThat(acks.get(0)).isEqualTo("ACK " + afterTwo); // GETACK answered with the offset before it, as Redis
        assertThat(host.applied).containsExactly("SET a 1", "SET b 2", "MULTI", "SET x 1", "SET y 2", "EXEC");
        assertThat(host.streamed.toByteArray()).isEqualTo(concat(one, two, getack, multi, x, y, exec));
        assertThat(host.events).containsExactly("full " + ID + " " + base, "up " + ID + " " + base, "down",
                "up " + ID + " " + afterOne, "down", "up " + ID2 + " " + afterTwo);
        assertThat(link.offset()).isEqualTo(afterBlock);
    }

    @Test
    void aLinkCutInTheMiddleOfTheSnapshotIsTriedAgainAfterADelayWithAFullSync() throws Exception {
        long[] cutAt = new long[1];
        long[] again = new long[1];
        byte[] three = cmd("SET", "c", "3");
        int half = rdb.length / 2;
        CountDownLatch inspected = new CountDownLatch(1);
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.send("+FULLRESYNC " + ID + " 0\r\n");
                    c.send("\n\n"); // keep-alives while the snapshot is made
                    c.send("$" + rdb.length + "\r\n");
                    c.send(java.util.Arrays.copyOf(rdb, half));
                    assertThat(inspected.await(60, TimeUnit.SECONDS)).isTrue();
                    cutAt[0] = System.nanoTime();
                    c.cut();
                },
                c -> {
                    again[0] = System.nanoTime();
                    c.handshake();
                    c.fullSync(ID, 40, true, three); // diskless, the stream right behind the mark
                    c.awaitAck(40 + three.length);
                    c.awaitClosed();
                });
        RecordingHost host = host();
        start(host, 60);
        // INFO while half the snapshot came (Redis 7.0's fields)
        waitFor(() -> Integer.toString(half).equals(PrimaryLinkTest.linkInfo(link).get("master_sync_read_bytes")), "half the snapshot read");
        // both read while the primary waits on the latch: once it is released it cuts the link, which leaves "sync"
        Map<String, String> receiving = PrimaryLinkTest.linkInfo(link);
        String state = link.roleState();
        inspected.countDown();
        assertThat(state).isEqualTo("sync");
        assertThat(receiving).containsEntry("master_link_status", "down").containsEntry("master_sync_in_progress", "1")
                .containsEntry("master_sync_total_bytes", Integer.toString(rdb.length))
                .containsEntry("master_sync_left_bytes", Integer.toString(rdb.length - half))
                .containsEntry("master_sync_perc", String.format(Locale.ROOT, "%.2f", half * 100.0 / rdb.length));
        assertThat(Long.parseLong(receiving.get("master_sync_last_io_seconds_ago"))).isBetween(0L, 60L);
        waitFor(() -> primary.connections() == 2 && link.up() && link.offset() == 40 + three.length, "the second sync");
        assertThat(PrimaryLinkTest.linkInfo(link)).containsEntry("master_sync_in_progress", "0").doesNotContainKey("master_sync_total_bytes");
        assertThat(primary.psyncs).containsExactly("? -1", "? -1");
        assertThat((again[0] - cutAt[0]) / 1_000_000).isGreaterThanOrEqualTo(500); // the retry waited
        assertThat(host.fullSyncs).isEqualTo(1);
        assertThat(host.loaded).containsOnlyKeys("a", "b");
        assertThat(host.applied).containsExactly("SET c 3");
        try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertThat(left).isEmpty(); // the temporary files are gone, the torn one too
        }
    }

    @Test
    void aSilentPrimaryTimesOutAndTheLinkContinuesPartially() throws Exception {
        byte[] one = cmd("SET", "a", "1");
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.fullSync(ID, 0, false, one);
                    c.awaitClosed(); // says nothing more: the replica gives up after repl-timeout
                },
                c -> {
                    c.handshake();
                    c.send("+CONTINUE\r\n");
                    c.awaitClosed();
                });
        RecordingHost host = host();
        start(host, 2);
        waitFor(() -> primary.connections() == 2 && link.up(), "the link timed out and came back");
        assertThat(primary.psyncs).containsExactly("? -1", ID + " " + (one.length + 1));
        assertThat(host.applied).containsExactly("SET a 1");
        assertThat(host.count("down")).isEqualTo(1);
    }

    @Test
    void aSelectOfADatabaseTheServerDoesNotHaveDropsTheLink() throws Exception {
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.fullSync(ID, 0, false, concat(cmd("SELECT", "0"), cmd("SET", "a", "1"), cmd("SELECT", "1"), cmd("SET", "b", "2")));
                    c.awaitClosed();
                },
                c -> {
                    c.handshake();
                    c.awaitClosed();
                });
        RecordingHost host = host();
        start(host, 60);
        // the second PSYNC, not the second connection: the fake primary counts a connection when it accepts it,
        // before the handshake that records the PSYNC
        waitFor(() -> primary.psyncs.size() == 2, "the link was dropped and its PSYNC sent again");
        assertThat(host.applied).containsExactly("SELECT 0", "SET a 1");
        assertThat(primary.psyncs).containsExactly("? -1", "? -1");
    }

    /**
     * The stream's database is the link's, not a connection's: after a partial resync the primary goes on
     * without a SELECT (its replica keeps the database, as Redis's cached master), so the new applier is told
     * the database first; a SELECT inside a transaction counts once the transaction is handed.
     */
    @Test
    void thePrimarysSelectedDatabaseOutlivesAPartialResync() throws Exception {
        byte[] select3 = cmd("SELECT", "3");
        byte[] one = cmd("SET", "a", "1");
        byte[] block = concat(cmd("MULTI"), cmd("SET", "x", "1"), cmd("SELECT", "15"), cmd("SET", "y", "2"), cmd("EXEC"));
        byte[] two = cmd("SET", "b", "2");
        long base = 10;
        long afterOne = base + select3.length + one.length;
        long afterBlock = afterOne + block.length;
        primary = new FakePrimary(
                c -> {
                    c.handshake();
                    c.fullSync(ID, base, false, new byte[0]);
                    c.send(concat(select3, one, java.util.Arrays.copyOf(block, block.length - 4))); // the block cut before its end
                    c.cut();
                },
                c -> {
                    c.handshake();
                    c.send("+CONTINUE\r\n");
                    c.send(block);
                    c.cut();
                },
                c -> {
                    c.handshake();
                    c.send("+CONTINUE\r\n");
                    c.send(two);
                    c.awaitAck(afterBlock + two.length);
                    c.awaitClosed();
                });
        RecordingHost host = host();
        host.databases = 16;
        start(host, 60);
        waitFor(() -> host.applied.contains("SET b 2"), "the third connection's command was applied");
        assertThat(primary.psyncs).containsExactly("? -1", ID + " " + (afterOne + 1), ID + " " + (afterBlock + 1));
        assertThat(host.applied).containsExactly("SELECT 3", "SET a 1",
                "SELECT 3", "MULTI", "SET x 1", "SELECT 15", "SET y 2", "EXEC",
                "SELECT 15", "SET b 2");
    }

    // ------------------------------------------------------------------ the fake primary

    @FunctionalInterface
    interface Script {
        void run(Conn c) throws Exception;
    }

    /** Accepts connections one after another, running the next script on each (the last one again for more). */
    static final class FakePrimary implements AutoCloseable {
        final List<String> psyncs = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final Thread thread;
        private final List<Script> scripts;
        private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
        private volatile int connections;
        private volatile boolean closed;

        FakePrimary(Script... scripts) throws IOException {
            this.scripts = List.of(scripts);
            this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            this.thread = new Thread(this::serve, "fake-primary");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections;
        }

        private void serve() {
            while (!closed) {
                try (Socket s = server.accept()) {
                    open.add(s);
                    s.setSoTimeout(30_000);
                    int i = connections++;
                    scripts.get(Math.min(i, scripts.size() - 1)).run(new Conn(s, this));
                } catch (Exception e) {
                    if (!closed) {
                        System.err.println("fake primary: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            closed = true;
            server.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
            thread.join(10_000);
        }
    }

    static final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final FakePrimary primary;

        Conn(Socket socket, FakePrimary primary) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.primary = primary;
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void send(String s) throws IOException {
            send(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("the replica closed the connection");
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        /** One command from the replica. */
        List<String> read() throws IOException {
            String head = line();
            assertThat(head).startsWith("*");
            int n = Integer.parseInt(head.substring(1));
            List<String> args = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String len = line();
                assertThat(len).startsWith("$");
                byte[] data = in.readNBytes(Integer.parseInt(len.substring(1)) + 2);
                args.add(new String(data, 0, data.length - 2, StandardCharsets.UTF_8));
            }
            return args;
        }

        /** PING, REPLCONF listening-port, REPLCONF capa, PSYNC (recorded); replies to all but PSYNC. */
        void handshake() throws IOException {
            assertThat(read()).containsExactly("PING");
            send("+PONG\r\n");
            assertThat(read()).containsExactly("REPLCONF", "listening-port", "7777");
            send("+OK\r\n");
            assertThat(read()).containsExactly("REPLCONF", "capa", "eof", "capa", "psync2");
            send("+OK\r\n");
            List<String> psync = read();
            assertThat(psync.get(0)).isEqualTo("PSYNC");
            primary.psyncs.add(psync.get(1) + " " + psync.get(2));
        }

        /** +FULLRESYNC, the snapshot (with a length, or diskless between EOF marks) and {@code then}, in one write. */
        void fullSync(String id, long offset, boolean diskless, byte[] then) throws IOException {
            String mark = "abcdefghij".repeat(4);
            byte[] header = ("+FULLRESYNC " + id + " " + offset + "\r\n" + (diskless ? "$EOF:" + mark : "$" + rdb.length) + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            send(concat(header, rdb, diskless ? mark.getBytes(StandardCharsets.ISO_8859_1) : new byte[0], then));
        }

        /** The next REPLCONF ACK's text. */
        String readAck() throws IOException {
            List<String> c = read();
            assertThat(c.subList(0, 2)).containsExactly("REPLCONF", "ACK");
            return "ACK " + c.get(2);
        }

        /** Reads acks until one says {@code offset}. */
        void awaitAck(long offset) throws IOException {
            while (!readAck().equals("ACK " + offset)) {
                // the acks before it
            }
        }

        /**
         * Cuts the stream here: everything sent so far reaches the replica, then the end of the stream, and the
         * connection is closed once the replica closed it. A close with the replica's acks still unread would
         * reset the connection and could throw away what the replica had not read yet.
         */
        void cut() throws IOException {
            socket.shutdownOutput();
            awaitClosed();
        }

        /** Reads (and drops) what the replica sends until it closes the connection. */
        void awaitClosed() throws IOException {
            try {
                while (in.read() >= 0) {
                    // acks
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("the replica did not close the connection", e);
            } catch (IOException e) {
                // closed (the fake primary is closing)
            }
        }
    }
}
