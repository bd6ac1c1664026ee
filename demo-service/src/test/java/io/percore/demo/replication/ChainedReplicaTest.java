package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica of a replica (Redis's chained replication): the middle one passes its primary's stream
 * on byte for byte (same id, same offsets), gives a full sync from a snapshot taken where its link
 * stands still, continues a broken sub-link from its backlog, and once promoted lets its replicas
 * continue under its new id.
 */
class ChainedReplicaTest {

    @TempDir
    Path dir;

    private TestServices service(String name, int primaryPort) throws Exception {
        DemoSettings settings = DemoSettings.forTests().withPersistence(PersistenceSettings.in(Files.createDirectories(dir.resolve(name))));
        if (primaryPort > 0) {
            settings = settings.withReplication(settings.replication().withReplicaof("127.0.0.1", primaryPort));
        }
        return TestServices.start(2, settings);
    }

    @Test
    void aReplicaPassesItsPrimarysStreamOnToReplicasOfItsOwn() throws Exception {
        try (TestServices primary = service("primary", 0); RespTestClient p = new RespTestClient(primary.respPort())) {
            for (int i = 0; i < 1000; i++) {
                p.cmd("SET", "before:" + i, "v" + i);
            }
            try (TestServices middle = service("middle", primary.respPort()); RespTestClient m = new RespTestClient(middle.respPort())) {
                waitFor(() -> "up".equals(info(m).get("master_link_status")), "the middle replica's link comes up");
                try (RealRedis leaf = RealRedis.start("--dir", Files.createDirectories(dir.resolve("leaf")).toString(),
                        "--replicaof", "127.0.0.1", Integer.toString(middle.respPort()));
                     RespTestClient l = new RespTestClient(leaf.port());
                     TestServices leaf2 = service("leaf2", middle.respPort()); RespTestClient l2 = new RespTestClient(leaf2.respPort())) {
                    waitFor(() -> "up".equals(info(l).get("master_link_status")), "the redis leaf's link comes up");
                    waitFor(() -> "up".equals(info(l2).get("master_link_status")), "the service leaf's link comes up");
                    for (int i = 0; i < 1000; i++) {
                        p.cmd("INCR", primary.keyOn(i % 2, "n"));
                        p.cmd("MSET", primary.keyOn(0, "a"), "x" + i, primary.keyOn(1, "b"), "y" + i);
                    }
                    Object expected = KeyspaceContents.of(p);
                    String end = info(p).get("master_repl_offset");
                    waitFor(() -> end.equals(info(l).get("master_repl_offset")) && end.equals(info(l2).get("master_repl_offset")),
                            "the leaves reach the primary's offset (the same offsets all down the chain)");
                    assertThat(KeyspaceContents.of(m)).isEqualTo(expected);
                    assertThat(KeyspaceContents.of(l)).isEqualTo(expected);
                    assertThat(KeyspaceContents.of(l2)).isEqualTo(expected);
                    assertThat(info(l).get("master_replid")).isEqualTo(info(p).get("master_replid"));

                    l.cmd("CLIENT", "KILL", "TYPE", "master"); // the leaf asks the middle to continue
                    p.cmd("SET", "while", "broken");
                    waitFor(() -> "broken".equals(ReplicationPrimaryTest.cmd(l, "GET", "while")), "the leaf continues");
                    assertThat(info(m)).containsEntry("sync_partial_ok", "1").containsEntry("sync_full", "2");

                    m.cmd("REPLICAOF", "NO", "ONE"); // the middle is promoted: its replicas continue under its new id
                    String newId = info(m).get("master_replid");
                    waitFor(() -> newId.equals(info(l).get("master_replid")) && newId.equals(info(l2).get("master_replid")),
                            "the leaves take the new id");
                    m.cmd("SET", "after", "promotion");
                    assertThat(m.cmd("WAIT", "2", "10000")).isEqualTo(2L);
                    assertThat(KeyspaceContents.of(l)).isEqualTo(KeyspaceContents.of(m));
                    assertThat(KeyspaceContents.of(l2)).isEqualTo(KeyspaceContents.of(m));
                    assertThat(info(m)).as("no full sync after the promotion").containsEntry("sync_full", "2");
                }
            }
        }
    }
}
