package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.persistence.SaveRules;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import io.percore.demo.support.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot says where it stands in the replication stream (the RDB's repl-id and repl-offset), so a
 * server restarted from it continues instead of syncing in full: a replica asks its primary for the
 * stream after the snapshot's offset, and a primary keeps its former id as replid2, so its replicas
 * continue with it. The offset is exact: a replica's snapshot is taken between two commands of the
 * stream, everything before applied and nothing after, which counters written all along prove (a
 * command applied twice or missed changes them).
 */
class ReplicationRestartTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        return TestPorts.free(); // the primary restarts on it: not a port the system may give a connection meanwhile
    }

    /** A writer of counters on both shards and commands spanning them, until closed. */
    private static RoundsWriter writer(TestServices demo) {
        String a = demo.keyOn(0, "n");
        String b = demo.keyOn(1, "n");
        String ma = demo.keyOn(0, "m");
        String mb = demo.keyOn(1, "m");
        return new RoundsWriter(demo.respPort(), (w, i) -> {
            w.cmd("INCR", a);
            w.cmd("INCR", b);
            w.cmd("MSET", ma, Long.toString(i), mb, Long.toString(i));
            w.cmd("RPUSH", demo.keyOn((int) (i % 2), "list"), Long.toString(i));
        });
    }

    private static final Pattern ACKED = Pattern.compile("offset=(\\d+)");

    /**
     * WAIT 1 for as long as the replica keeps acknowledging more of the stream. A restarted replica replays
     * the backlog at a rate the test does not control: each cross-shard command (the writer's MSET) is a
     * hand-off between its threads, which a loaded 2-core machine makes ~20 times slower (a 128 KB backlog:
     * 0.2 s idle, 4.3 s beside {@code stress -c 2}), so a fixed WAIT timeout measures the machine. Bounded
     * instead by progress: it fails when the replica acknowledges no more of the writes for 30 s (or after 120 s).
     */
    private static void awaitEveryWriteAcknowledged(RespTestClient p) throws IOException {
        long written = Long.parseLong(info(p).get("master_repl_offset")); // each WAIT adds a GETACK after it
        long start = System.nanoTime();
        long lastProgress = start;
        long acked = -1;
        List<String> seen = new ArrayList<>();
        while (!Long.valueOf(1).equals(p.cmd("WAIT", "1", "1000"))) {
            String replica = info(p).getOrDefault("slave0", ""); // ip=...,port=...,state=online,offset=<acknowledged>,lag=...
            long now = System.nanoTime();
            Matcher m = ACKED.matcher(replica);
            long offset = Math.min(written, m.find() ? Long.parseLong(m.group(1)) : -1);
            seen.add(String.format("+%.1f s: %d of %d", (now - start) / 1e9, offset, written));
            if (offset > acked) {
                acked = offset;
                lastProgress = now;
            }
            assertThat(now - lastProgress).as("the replica acknowledges more of the writes within 30 s: %s", seen)
                    .isLessThan(TimeUnit.SECONDS.toNanos(30));
            assertThat(now - start).as("the replica acknowledges every write within 120 s: %s", seen)
                    .isLessThan(TimeUnit.SECONDS.toNanos(120));
        }
    }

    private TestServices replica(Path data, int primaryPort, SaveRules rules) {
        return TestServices.start(2, DemoSettings.forTests()
                .withPersistence(PersistenceSettings.in(data).withSave(rules))
                .withReplication(DemoSettings.forTests().replication().withReplicaof("127.0.0.1", primaryPort)));
    }

    @Test
    void aReplicaRestartedFromItsFinalSaveContinuesWithoutAFullSync() throws Exception {
        Path replicaData = Files.createDirectories(dir.resolve("replica"));
        try (TestServices primary = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
             RespTestClient p = new RespTestClient(primary.respPort());
             RoundsWriter writer = writer(primary)) {
            p.cmd("CONFIG", "SET", "repl-backlog-size", "64mb");
            try (TestServices replica = replica(replicaData, primary.respPort(), SaveRules.parse("3600 1"));
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                writer.waitForMore(500);
            } // SIGTERM's way: the link stops, the final save holds what it applied and says where that is
            writer.waitForMore(500); // while it is down
            try (TestServices replica = replica(replicaData, primary.respPort(), SaveRules.parse("3600 1"));
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the link comes back");
                writer.waitForMore(300);
                writer.close();
                awaitEveryWriteAcknowledged(p);
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(p));
                Map<String, String> stats = info(p);
                assertThat(stats).as("it continued from its offset").containsEntry("sync_full", "1")
                        .containsEntry("sync_partial_ok", "1");
            }
        }
    }

    @Test
    void aReplicasSnapshotTakenWhileTheStreamIsAppliedStandsExactlyAtItsOffset() throws Exception {
        Path replicaData = Files.createDirectories(dir.resolve("replica"));
        try (TestServices primary = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
             RespTestClient p = new RespTestClient(primary.respPort());
             RoundsWriter writer = writer(primary)) {
            p.cmd("CONFIG", "SET", "repl-backlog-size", "64mb");
            try (TestServices replica = replica(replicaData, primary.respPort(), SaveRules.NONE);
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                writer.waitForMore(300);
                for (int i = 0; i < 3; i++) { // each one taken while the stream is applied on both shards
                    long last = (Long) r.cmd("LASTSAVE");
                    assertThat(r.cmd("BGSAVE")).isEqualTo("Background saving started");
                    waitFor(() -> "0".equals(info(r).get("rdb_bgsave_in_progress")), "the save ends");
                    assertThat((Long) r.cmd("LASTSAVE")).isGreaterThanOrEqualTo(last);
                    writer.waitForMore(200);
                }
            } // no save rules: no final save; the last BGSAVE, older than what it applied since, is what it restarts from
            writer.waitForMore(300);
            try (TestServices replica = replica(replicaData, primary.respPort(), SaveRules.NONE);
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the link comes back");
                writer.close();
                awaitEveryWriteAcknowledged(p);
                assertThat(KeyspaceContents.of(r)).as("every command applied once").isEqualTo(KeyspaceContents.of(p));
                assertThat(info(p)).containsEntry("sync_full", "1").containsEntry("sync_partial_ok", "1");
            }
        }
    }

    @Test
    void aPrimaryRestartedCleanlyKeepsItsRedisReplicaWithoutAFullSync() throws Exception {
        int port = freePort();
        Path primaryData = Files.createDirectories(dir.resolve("primary"));
        DemoSettings settings = DemoSettings.forTests().withRespPort(port)
                .withPersistence(PersistenceSettings.in(primaryData).withSave(SaveRules.parse("3600 1")));
        try (RealRedis replica = RealRedis.start("--dir", Files.createDirectories(dir.resolve("redis")).toString(),
                "--replicaof", "127.0.0.1", Integer.toString(port), "--repl-timeout", "60");
             RespTestClient r = new RespTestClient(replica.port())) {
            Object before;
            try (TestServices primary = TestServices.start(2, settings); RespTestClient p = new RespTestClient(port)) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                for (int i = 0; i < 1000; i++) {
                    p.cmd("INCR", primary.keyOn(i % 2, "n"));
                    p.cmd("SET", "k:" + i, "v" + i);
                }
                before = KeyspaceContents.of(p);
                primary.service.handOffToReplicas(); // SIGTERM's first step: its replica has every write
            }
            try (TestServices primary = TestServices.start(2, settings); RespTestClient p = new RespTestClient(port)) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes back");
                assertThat(KeyspaceContents.of(p)).isEqualTo(before);
                p.cmd("SET", "after", "restart");
                assertThat(p.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(p));
                assertThat(info(p)).as("the replica continued under the former id").containsEntry("sync_full", "0")
                        .containsEntry("sync_partial_ok", "1");
            }
        }
    }

    /**
     * A replica asking while its primary restarts is told {@code -LOADING} (as Redis answers it then) until the
     * primary stands where its snapshot does, and then continues: the snapshot's position was once taken up
     * after the loaded primary answered commands, and a PSYNC in that moment (a loaded machine's replica
     * reconnecting) was told {@code +FULLRESYNC}, dropping everything the replica had. This replica asks
     * again at once after each answer, from the moment the port listens (during the load of 50,000 keys), so
     * it asks in that moment if there is one.
     */
    @Test
    void aReplicaAskingWhileItsPrimaryRestartsIsToldToWaitNeverToSyncInFull() throws Exception {
        int port = freePort();
        Path primaryData = Files.createDirectories(dir.resolve("primary"));
        DemoSettings settings = DemoSettings.forTests().withRespPort(port)
                .withPersistence(PersistenceSettings.in(primaryData).withSave(SaveRules.parse("3600 1")));
        String replid;
        long offset;
        try (RealRedis replica = RealRedis.start("--dir", Files.createDirectories(dir.resolve("redis")).toString(),
                "--replicaof", "127.0.0.1", Integer.toString(port), "--repl-timeout", "60");
             RespTestClient r = new RespTestClient(replica.port())) {
            try (TestServices primary = TestServices.start(2, settings); RespTestClient p = new RespTestClient(port)) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                for (int batch = 0; batch < 50; batch++) { // 50,000 keys: a load long enough that the PSYNCs below begin during it
                    List<String> mset = new ArrayList<>(List.of("MSET"));
                    for (int i = 0; i < 1000; i++) {
                        mset.add("k:" + batch + ":" + i);
                        mset.add("v" + i);
                    }
                    p.cmd(mset.toArray(String[]::new));
                }
                primary.service.handOffToReplicas(); // its replica has every write, the final save stands where it does
            }
            Map<String, String> held = info(r);
            replid = held.get("master_replid");
            offset = Long.parseLong(held.get("master_repl_offset"));
        } // stopped: only the PSYNCs below ask the restarted primary
        java.util.concurrent.CompletableFuture<TestServices> starting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> TestServices.start(2, settings));
        TestServices primary = null;
        try {
            long loadingAnswers = 0;
            Object answer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answer == null) {
                assertThat(System.nanoTime()).as("the restarted primary listens within 60 s").isLessThan(deadline);
                try (RespTestClient c = new RespTestClient(port)) {
                    while (true) {
                        Object reply = c.cmd("PSYNC", replid, Long.toString(offset + 1));
                        if (!(reply instanceof RespTestClient.Err e && e.text().startsWith("LOADING "))) {
                            answer = reply;
                            break;
                        }
                        loadingAnswers++;
                    }
                } catch (java.net.ConnectException notYetListening) {
                    Thread.sleep(1);
                }
            }
            primary = starting.join();
            assertThat(loadingAnswers).as("PSYNCs asked while it loaded").isPositive();
            assertThat(answer).as("PSYNC %s %d after %d -LOADING answers", replid, offset + 1, loadingAnswers)
                    .asString().startsWith("CONTINUE ");
            try (RespTestClient p = new RespTestClient(port)) {
                assertThat(info(p)).containsEntry("sync_full", "0").containsEntry("sync_partial_ok", "1");
            }
        } finally {
            (primary != null ? primary : starting.join()).close();
        }
    }
}
