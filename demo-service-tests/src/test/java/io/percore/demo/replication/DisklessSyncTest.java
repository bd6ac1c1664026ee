package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.signal;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * repl-diskless-sync (Redis 7's default): a full sync's snapshot goes from the shards straight to
 * the replicas' sockets between EOF marks, no file written; replicas that ask within
 * repl-diskless-sync-delay share one transfer; the slowest sets the pace, and one that takes
 * nothing for repl-timeout is cut off while the others finish. With "no", the snapshot goes through
 * the data directory as before.
 */
class DisklessSyncTest {

    @TempDir
    Path dir;

    private TestServices start(int shards) {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
    }

    private RealRedis replicaOf(int port) throws Exception {
        return RealRedis.start("--dir", Files.createTempDirectory(dir, "replica").toString(), "--replicaof", "127.0.0.1",
                Integer.toString(port));
    }

    @Test
    void aDisklessSyncWritesNoFileAndTheReplicaHoldsEveryKey() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("CONFIG", "GET", "repl-diskless-sync")).isEqualTo(List.of("repl-diskless-sync", "yes"));
            KeyspaceContents.fillEveryType(c);
            for (int i = 0; i < 5000; i++) {
                c.cmd("SET", "k:" + i, "v".repeat(i % 300));
            }
            try (RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                c.cmd("SET", "after", "1");
                assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(c));
                assertThat(info(c).get("slave0")).contains("state=online");
            }
            try (var files = Files.list(dir)) {
                assertThat(files.filter(f -> f.getFileName().toString().endsWith(".rdb")).toList())
                        .as("nothing went through the disk").isEmpty();
            }
            assertThat(info(c)).containsEntry("rdb_last_bgsave_status", "ok").containsEntry("sync_full", "1");
        }
    }

    @Test
    void withReplDisklessSyncNoTheSnapshotGoesThroughTheDataDirectory() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "repl-diskless-sync", "no");
            for (int i = 0; i < 1000; i++) {
                c.cmd("SET", "k:" + i, "v" + i);
            }
            try (RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(c));
            }
            assertThat(dir.resolve("dump.rdb")).exists();
        }
    }

    @Test
    void aStalledReplicaIsCutOffWhileTheOneSharingItsTransferFinishes() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            String value = "x".repeat(10_000);
            for (int i = 0; i < 3000; i++) { // 30 MB: far past what sockets and the link's allowance hold
                c.cmd("SET", "big:" + i, value);
            }
            // one transfer for both: it starts once two replicas wait (the delay alone would take a minute)
            c.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "60");
            c.cmd("CONFIG", "SET", "repl-diskless-sync-max-replicas", "2");
            c.cmd("CONFIG", "SET", "repl-timeout", "3");
            try (RealRedis stalled = replicaOf(demo.respPort())) {
                waitFor(() -> String.valueOf(info(c).get("slave0")).contains("state=wait_bgsave"), "the first replica waits");
                long pid = stalled.process().pid();
                signal("STOP", pid); // it will read nothing of the transfer
                try (RealRedis healthy = replicaOf(demo.respPort()); RespTestClient h = new RespTestClient(healthy.port())) {
                    try {
                        waitFor(() -> "up".equals(info(h).get("master_link_status")), "the healthy replica finishes the transfer");
                        waitFor(() -> "1".equals(info(c).get("connected_slaves")), "the stalled one is cut off");
                    } finally {
                        signal("CONT", pid);
                    }
                    c.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "0"); // its next sync need not wait for a second replica
                    try (RespTestClient s = new RespTestClient(stalled.port())) {
                        waitFor(() -> "up".equals(info(s).get("master_link_status")), "the stalled one comes back with a sync of its own");
                        c.cmd("SET", "after", "1");
                        assertThat(c.cmd("WAIT", "2", "10000")).isEqualTo(2L);
                        Object ours = KeyspaceContents.of(c);
                        assertThat(KeyspaceContents.of(h)).isEqualTo(ours);
                        assertThat(KeyspaceContents.of(s)).isEqualTo(ours);
                    }
                }
            }
            assertThat(info(c)).containsEntry("sync_full", "3");
        }
    }

    @Test
    void replicasAskingWithinTheDelayShareOneTransfer() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < 1000; i++) {
                c.cmd("SET", "k:" + i, "v" + i);
            }
            c.cmd("CONFIG", "SET", "repl-diskless-sync-delay", "3");
            List<RealRedis> replicas = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    replicas.add(replicaOf(demo.respPort()));
                }
                for (RealRedis replica : replicas) {
                    try (RespTestClient r = new RespTestClient(replica.port())) {
                        waitFor(() -> "up".equals(info(r).get("master_link_status")), "every replica's link comes up");
                    }
                }
                assertThat(info(c)).containsEntry("sync_full", "3").containsEntry("total_forks", "1");
            } finally {
                for (RealRedis replica : replicas) {
                    replica.close();
                }
            }
        }
    }
}
