package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.rdb.RdbFileReader;
import io.percore.demo.rdb.RdbReader;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestPorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrimaryLink} against a real redis-server 7.0 as the primary, with a host that records
 * what the link gives it: the snapshot (read back with {@link RdbFileReader}), the commands handed
 * to the applier, the stream's bytes, the link's ups and downs. Full syncs from disk and diskless,
 * the stream in order at the primary's offsets with acks the primary sees (INFO, WAIT), a partial
 * resync after the primary cut the link, and a primary killed and replaced; a cluster layout's
 * primary checked by id before PSYNC.
 */
class PrimaryLinkTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private RealRedis redis(String... options) throws Exception {
        RealRedis r = RealRedis.start(options);
        toClose.add(r);
        return r;
    }

    private PrimaryLink link(int port, RecordingHost host, int timeoutSeconds) {
        PrimaryLink l = new PrimaryLink("127.0.0.1", port, host, timeoutSeconds, LinkPhases.standalone());
        toClose.add(l);
        l.start();
        return l;
    }

    // ------------------------------------------------------------------ the recording host

    /** Records everything the link hands over; the snapshot is read back and kept as key -> value (strings). */
    static final class RecordingHost implements PrimaryLink.Host {
        final Path tmp;
        final List<String> applied = Collections.synchronizedList(new ArrayList<>());
        final ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final Map<String, String> loaded = Collections.synchronizedMap(new HashMap<>());
        volatile int fullSyncs;
        volatile int acksAsked;
        volatile PrimaryLink.Cached cached;
        volatile String masterAuth;
        volatile String masterUser;
        /** The id the layout gives the primary at the link's address, or null (no layout names one there). */
        volatile String layoutPrimary;
        /** The server's {@code databases}. */
        volatile int databases = 1;
        /** Whether the server's files hold what the applier ran (false: its append-only file behind, a slow disk). */
        volatile boolean logged = true;

        @Override
        public boolean appliedIsLogged(PrimaryLink.Cached at) {
            return logged;
        }

        @Override
        public int databases() {
            return databases;
        }

        RecordingHost(Path tmp) {
            this.tmp = tmp;
        }

        @Override
        public Path tempDir() {
            return tmp;
        }

        @Override
        public void loadFullSync(Path rdb, String replid, long offset) throws IOException {
            assertThat(rdb.getFileName().toString()).startsWith("temp-").endsWith(".rdb");
            Map<String, String> keys = new HashMap<>();
            RdbReader.Limits limits = new RdbReader.Limits(Long.MAX_VALUE, bytes -> { }, ZSetValue.Limits.DEFAULT,
                    HashValue.Limits.DEFAULT, SetValue.Limits.DEFAULT);
            RdbFileReader.read(rdb, limits, (key, value, expireAt) -> keys.put(new String(key, StandardCharsets.UTF_8),
                    String.valueOf(value.type())));
            loaded.clear();
            loaded.putAll(keys);
            fullSyncs++;
            events.add("full " + replid + " " + offset);
        }

        @Override
        public CommandReplay applier(String primaryPeer) {
            return new CommandReplay() {
                @Override
                public void run(byte[][] argv) {
                    applied.add(Arrays.stream(argv).map(a -> new String(a, StandardCharsets.UTF_8)).collect(Collectors.joining(" ")));
                }

                @Override
                public long finish() {
                    acksAsked++;
                    return 0;
                }
            };
        }

        @Override
        public synchronized void streamed(byte[] bytes, int off, int len) {
            streamed.write(bytes, off, len);
        }

        synchronized int streamedBytes() {
            return streamed.size();
        }

        synchronized String streamedText() {
            return streamed.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void linkUp(String replid, long offset) {
            events.add("up " + replid + " " + offset);
        }

        @Override
        public void linkDown() {
            events.add("down");
        }

        @Override
        public int listeningPort() {
            return 7777;
        }

        @Override
        public String masterUser() {
            return masterUser;
        }

        @Override
        public String masterAuth() {
            return masterAuth;
        }

        @Override
        public PrimaryLink.Cached cachedPrimary() {
            return cached;
        }

        @Override
        public String layoutPrimaryAt(String host, int port) {
            return layoutPrimary;
        }

        List<String> appliedMatching(String prefix) {
            synchronized (applied) {
                return applied.stream().filter(s -> s.startsWith(prefix)).collect(Collectors.toList());
            }
        }

        long count(String event) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(event)).count();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    static Map<String, String> info(RespTestClient c, String section) {
        try {
            Map<String, String> out = new HashMap<>();
            for (String line : ((String) c.cmd("INFO", section)).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    out.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return out;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static long primaryOffset(RespTestClient p) {
        return Long.parseLong(info(p, "replication").get("master_repl_offset"));
    }

    static Map<String, String> linkInfo(PrimaryLink l) {
        Map<String, String> out = new HashMap<>();
        l.info((name, value) -> out.put(name, String.valueOf(value)), l.phase());
        return out;
    }

    /** The primary's slave0 line says online at {@code offset} (the acks reached it). */
    static boolean onlineAt(RespTestClient p, long offset) {
        String slave = info(p, "replication").get("slave0");
        return slave != null && slave.contains("state=online") && slave.contains("offset=" + offset + ",");
    }

    // ------------------------------------------------------------------ tests

    private void fullSyncThenStream(String diskless) throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0", "--dir", dir.toString());
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        for (int i = 0; i < 500; i++) {
            p.cmd("SET", "before:" + i, "v" + i);
        }
        p.cmd("RPUSH", "list", "a", "b");
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        PrimaryLink link = link(redis.port(), host, 60);
        // the link is up (link.up()) a moment before it tells its host (linkUp): wait for what the assertions read
        waitFor(() -> host.count("up") == 1, "the link is up and told its host");
        assertThat(link.up()).isTrue();
        assertThat(host.fullSyncs).isEqualTo(1);
        assertThat(host.loaded).hasSize(501).containsEntry("list", "list").containsKey("before:7");
        long syncedAt = Long.parseLong(host.events.get(0).split(" ")[2]);
        assertThat(host.events).containsExactly("full " + info(p, "replication").get("master_replid") + " " + syncedAt,
                "up " + info(p, "replication").get("master_replid") + " " + syncedAt);
        assertThat(linkInfo(link)).containsEntry("master_link_status", "up").containsEntry("master_sync_in_progress", "0")
                .doesNotContainKey("master_link_down_since_seconds");
        assertThat(link.roleState()).isEqualTo("connected");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            p.cmd("RPUSH", "l", Integer.toString(i));
            expected.add("RPUSH l " + i);
            if (i % 50 == 0) {
                p.cmd("MULTI");
                p.cmd("INCR", "n");
                p.cmd("SET", "k", "v" + i);
                p.cmd("EXEC");
            }
        }
        long offset = primaryOffset(p);
        waitFor(() -> link.offset() >= offset, "the link read the stream up to the primary's offset " + offset);
        assertThat(host.appliedMatching("RPUSH l ")).isEqualTo(expected);
        // a transaction is handed whole: MULTI, its commands, EXEC
        List<String> block = host.appliedMatching("");
        int multi = block.indexOf("MULTI");
        assertThat(multi).isGreaterThanOrEqualTo(0);
        assertThat(block.subList(multi, multi + 4)).containsExactly("MULTI", "INCR n", "SET k v0", "EXEC");
        // the bytes kept are the stream's from the full sync's offset: the offsets continue the primary's
        assertThat(host.streamedBytes()).isEqualTo(link.offset() - syncedAt);
        assertThat(host.streamedText()).contains("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$3\r\n299\r\n");
        // the acks reach the primary (once a second), and WAIT's GETACK is answered
        waitFor(() -> onlineAt(p, primaryOffset(p)), "the primary sees the replica online at its offset");
        p.cmd("SET", "last", "1");
        assertThat(p.cmd("WAIT", "1", "5000")).isEqualTo(1L);
        waitFor(() -> link.offset() == primaryOffset(p), "every byte the primary sent, GETACK and PINGs included, is counted");
        assertThat(linkInfo(link).get("slave_repl_offset")).isEqualTo(Long.toString(link.offset()));
    }

    @Test
    void aFullSyncFromDiskThenTheStreamInOrderAtThePrimarysOffsets() throws Exception {
        fullSyncThenStream("no");
    }

    @Test
    void aDisklessFullSyncThenTheStream() throws Exception {
        fullSyncThenStream("yes");
    }

    @Test
    void anAckWaitsUntilTheReplicasFilesHoldWhatItApplied() throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", "no", "--dir", dir.toString());
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        PrimaryLink link = link(redis.port(), host, 60);
        waitFor(() -> host.count("up") == 1, "the link is up");
        waitFor(() -> onlineAt(p, primaryOffset(p)), "the primary sees the replica online at its offset");

        host.logged = false; // applied, not yet in the replica's append-only file: a kill of every process would lose it
        p.cmd("SET", "k", "v");
        assertThat(p.cmd("WAIT", "1", "1500")).as("WAIT counts no replica whose files lack the write").isEqualTo(0L);
        assertThat(host.appliedMatching("SET k v")).as("the replica applied it").hasSize(1);
        host.logged = true;
        assertThat(p.cmd("WAIT", "1", "5000")).as("acked once its files hold it").isEqualTo(1L);
        assertThat(link.up()).isTrue();
    }

    @Test
    void aLinkCutByThePrimaryResyncsPartiallyWithoutApplyingAnythingTwice() throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", "no");
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        PrimaryLink link = link(redis.port(), host, 60);
        waitFor(link::up, "the link is up");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            p.cmd("RPUSH", "l", Integer.toString(i));
            expected.add("RPUSH l " + i);
        }
        waitFor(() -> link.offset() == primaryOffset(p), "the replica caught up");
        assertThat(p.cmd("CLIENT", "KILL", "TYPE", "replica")).isEqualTo(1L);
        for (int i = 100; i < 200; i++) {
            p.cmd("RPUSH", "l", Integer.toString(i)); // while the link is down, or as it comes back
            expected.add("RPUSH l " + i);
        }
        waitFor(() -> host.count("down") == 1 && link.up(), "the link went down and came back");
        waitFor(() -> link.offset() == primaryOffset(p), "the replica caught up again");
        assertThat(host.appliedMatching("RPUSH l ")).isEqualTo(expected);
        Map<String, String> stats = info(p, "stats");
        assertThat(stats).containsEntry("sync_full", "1").containsEntry("sync_partial_ok", "1");
        assertThat(host.fullSyncs).isEqualTo(1);
        assertThat(link.counters()[1]).isEqualTo(1);
        long syncedAt = Long.parseLong(host.events.get(0).split(" ")[2]);
        assertThat(host.streamedBytes()).isEqualTo(link.offset() - syncedAt);
    }

    @Test
    void aPrimaryKilledLeavesTheLinkDownAndRetryingUntilOneAnswersThere() throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", "no");
        int port = redis.port();
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        PrimaryLink link = link(port, host, 60);
        waitFor(link::up, "the link is up");
        redis.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        waitFor(() -> !link.up() && host.count("down") == 1, "the link is down");
        Map<String, String> down = linkInfo(link);
        assertThat(down).containsEntry("master_link_status", "down").containsKey("master_link_down_since_seconds")
                .containsEntry("master_last_io_seconds_ago", "-1");
        waitFor(() -> link.counters()[2] >= 2, "a few tries failed meanwhile");
        // another primary on that port (a new id: a full sync)
        Process again = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--repl-diskless-sync", "no", "--dir", Files.createDirectory(dir.resolve("again")).toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        toClose.add(() -> {
            again.destroy();
            again.waitFor(10, TimeUnit.SECONDS);
        });
        // the link is up (link.up()) a moment before it tells its host (linkUp): wait for the host's count
        waitFor(() -> host.count("up") == 2, "the link is up again, told its host");
        assertThat(link.up()).isTrue();
        assertThat(host.fullSyncs).as("a full sync of the new primary").isEqualTo(2);
    }

    @Test
    void withMasterauthItAuthenticatesAndWithAWrongOneItStaysDown() throws Exception {
        RealRedis redis = redis("--requirepass", "secret");
        RecordingHost wrong = new RecordingHost(Files.createDirectory(dir.resolve("tmp1")));
        wrong.masterAuth = "nope";
        PrimaryLink refused = link(redis.port(), wrong, 60);
        RecordingHost right = new RecordingHost(Files.createDirectory(dir.resolve("tmp2")));
        right.masterAuth = "secret";
        PrimaryLink accepted = link(redis.port(), right, 60);
        waitFor(accepted::up, "the link with the password is up");
        waitFor(() -> refused.counters()[2] >= 1, "the link with a wrong password failed");
        assertThat(refused.up()).isFalse();
        assertThat(wrong.fullSyncs).isZero();
    }

    @Test
    void aCachedPrimaryFromTheHostContinuesPartially() throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", "no");
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        RecordingHost first = new RecordingHost(Files.createDirectory(dir.resolve("tmp1")));
        PrimaryLink one = link(redis.port(), first, 60);
        waitFor(one::up, "the first link is up");
        p.cmd("SET", "a", "1");
        waitFor(() -> one.offset() == primaryOffset(p), "it caught up");
        one.close();
        PrimaryLink.Cached at = new PrimaryLink.Cached(info(p, "replication").get("master_replid"), one.offset());
        p.cmd("SET", "b", "2");
        RecordingHost second = new RecordingHost(Files.createDirectory(dir.resolve("tmp2")));
        second.cached = at; // as the service after REPLICAOF NO ONE and REPLICAOF again (PSYNC2)
        PrimaryLink two = link(redis.port(), second, 60);
        waitFor(() -> two.up() && two.offset() == primaryOffset(p), "the second link is up and caught up");
        assertThat(second.fullSyncs).isZero();
        assertThat(second.events.get(0)).isEqualTo("up " + at.replid() + " " + at.offset());
        assertThat(second.appliedMatching("SET ")).containsExactly("SET b 2");
        assertThat(info(p, "stats")).containsEntry("sync_partial_ok", "1");
    }

    // ------------------------------------------------------------------ a cluster layout's primary (issue 31)
    // A replica whose layout names its primary at the link's address (the host's layoutPrimaryAt) asks CLUSTER MYID
    // before PSYNC and syncs only from that node: another node there (a cluster-enabled redis-server with another id),
    // or one not in cluster mode, is never synced from; the link stays down and says why in INFO; a newer layout
    // naming the node there resolves it at the next try; with no layout naming one, the link syncs as always.

    private static final String ANOTHER_NODE_ID = "0123456789abcdef0123456789abcdef01234567";

    /** Waits for two more refused tries of {@code link} (its retries 2 s, then 4 s apart): each would have synced. */
    private static void twoMoreTries(PrimaryLink link) throws InterruptedException {
        long tries = link.refusals();
        waitFor(() -> link.refusals() >= tries + 2, "two more tries");
    }

    @Test
    void anotherClusterNodeAtTheLayoutsAddressIsNotSyncedFromUntilALayoutNamesIt() throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        RealRedis redis = redis("--cluster-enabled", "yes", "--cluster-port", Integer.toString(TestPorts.free()),
                "--cluster-config-file", redisDir.resolve("nodes.conf").toString(), "--dir", redisDir.toString());
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        String itsId = (String) p.cmd("CLUSTER", "MYID");
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        host.layoutPrimary = ANOTHER_NODE_ID; // the layout's primary was another node (it restarted empty, under a new id)
        PrimaryLink link = link(redis.port(), host, 60);
        waitFor(() -> ("node=" + itsId + ",expected=" + ANOTHER_NODE_ID).equals(linkInfo(link).get("master_link_refused")),
                "the link refuses the node at its address");
        twoMoreTries(link);
        assertThat(host.fullSyncs).isZero();
        assertThat(link.up()).isFalse();
        assertThat(linkInfo(link)).containsEntry("master_link_status", "down").containsEntry("master_sync_in_progress", "0");
        assertThat(info(p, "stats")).as("no PSYNC reached it").containsEntry("sync_full", "0")
                .containsEntry("sync_partial_err", "0");
        assertThat(info(p, "replication")).containsEntry("connected_slaves", "0");

        host.layoutPrimary = itsId; // a newer layout names the node there
        waitFor(() -> link.up() && host.fullSyncs == 1, "the link syncs from the layout's primary");
        assertThat(linkInfo(link)).containsEntry("master_link_status", "up").doesNotContainKey("master_link_refused");
        assertThat(info(p, "stats")).containsEntry("sync_full", "1");
    }

    @Test
    void aNodeNotInClusterModeIsNotTheLayoutsPrimaryButWithoutALayoutItIsFollowed() throws Exception {
        RealRedis redis = redis("--repl-diskless-sync", "no");
        RespTestClient p = new RespTestClient(redis.port());
        toClose.add(p);
        p.cmd("SET", "k", "v");
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        host.layoutPrimary = ANOTHER_NODE_ID;
        PrimaryLink link = link(redis.port(), host, 60);
        waitFor(() -> ("node=none,expected=" + ANOTHER_NODE_ID).equals(linkInfo(link).get("master_link_refused")),
                "the link refuses a node that cannot say its id");
        twoMoreTries(link);
        assertThat(host.fullSyncs).isZero();
        assertThat(info(p, "stats")).containsEntry("sync_full", "0");

        host.layoutPrimary = null; // no layout names this replica's primary (REPLICAOF newer than the layout): as always
        waitFor(() -> link.up() && host.fullSyncs == 1, "the link syncs");
        assertThat(host.loaded).containsOnlyKeys("k");
        assertThat(linkInfo(link)).doesNotContainKey("master_link_refused");
    }

    @Test
    void aNilReplyToClusterMyidIsAnotherNodeAtOnceNotAWaitForALineThatNeverComes() throws Exception {
        // a peer answering CLUSTER MYID with a nil bulk ($-1, no line after it), and PING as any server
        java.net.ServerSocket peer = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        toClose.add(peer);
        Thread serving = new Thread(() -> {
            while (!peer.isClosed()) {
                try (java.net.Socket s = peer.accept()) {
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    java.io.OutputStream out = s.getOutputStream();
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        List<String> argv = new ArrayList<>();
                        for (int n = Integer.parseInt(line.substring(1)); n > 0; n--) {
                            in.readLine(); // $len
                            argv.add(in.readLine());
                        }
                        String reply = argv.get(0).equalsIgnoreCase("CLUSTER") ? "$-1\r\n" : argv.get(0).equalsIgnoreCase("PING") ? "+PONG\r\n" : "+OK\r\n";
                        out.write(reply.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException | RuntimeException e) {
                    // the next connection
                }
            }
        }, "nil-myid-peer");
        serving.setDaemon(true);
        serving.start();
        RecordingHost host = new RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        host.layoutPrimary = ANOTHER_NODE_ID;
        PrimaryLink link = link(peer.getLocalPort(), host, 60); // a 60 s handshake timeout: the old wait for a second line
        long start = System.nanoTime();
        waitFor(() -> ("node=invalid,expected=" + ANOTHER_NODE_ID).equals(linkInfo(link).get("master_link_refused")),
                "the link refuses the node that gave no id");
        assertThat(System.nanoTime() - start).as("refused without waiting out the handshake timeout").isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThat(host.fullSyncs).isZero();
        assertThat(link.up()).isFalse();
    }
}
