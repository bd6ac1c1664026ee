package io.percore.demo.replication;

import static io.percore.demo.replication.PrimaryLinkTest.info;
import static io.percore.demo.replication.PrimaryLinkTest.linkInfo;
import static io.percore.demo.replication.PrimaryLinkTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrimaryLink} of a replica whose cluster layout names its primary at the link's address
 * (the host's {@code layoutPrimaryAt}), against real redis-servers: it asks {@code CLUSTER MYID}
 * before PSYNC and syncs only from that node. Another node there (a cluster-enabled redis-server
 * with another id), or one not in cluster mode ({@code -ERR This instance has cluster support
 * disabled}), is never synced from, however long it waits: the link stays down and says why in
 * INFO; a newer layout naming the node there resolves it at the next try; with no layout naming
 * one, the link syncs as it always did.
 */
class LayoutPrimaryCheckTest {

    private static final String ANOTHER_ID = "0123456789abcdef0123456789abcdef01234567";

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

    private PrimaryLink link(int port, PrimaryLinkTest.RecordingHost host) {
        PrimaryLink l = new PrimaryLink("127.0.0.1", port, host, 60);
        toClose.add(l);
        l.start();
        return l;
    }

    private RespTestClient client(int port) throws Exception {
        RespTestClient c = new RespTestClient(port);
        toClose.add(c);
        return c;
    }

    /** Waits for two more refused tries of {@code link} (its retries 2 s, then 4 s apart): each would have synced. */
    private static void twoMoreTries(PrimaryLink link) throws InterruptedException {
        long tries = link.refusals();
        waitFor(() -> link.refusals() >= tries + 2, "two more tries");
    }

    @Test
    void anotherClusterNodeAtTheLayoutsAddressIsNotSyncedFromUntilALayoutNamesIt() throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        RealRedis redis = RealRedis.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(TestPorts.free()),
                "--cluster-config-file", redisDir.resolve("nodes.conf").toString(), "--dir", redisDir.toString());
        toClose.add(redis);
        RespTestClient p = client(redis.port());
        String itsId = (String) p.cmd("CLUSTER", "MYID");
        PrimaryLinkTest.RecordingHost host = new PrimaryLinkTest.RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        host.layoutPrimary = ANOTHER_ID; // the layout's primary was another node (it restarted empty, under a new id)
        PrimaryLink link = link(redis.port(), host);
        waitFor(() -> ("node=" + itsId + ",expected=" + ANOTHER_ID).equals(linkInfo(link).get("master_link_refused")),
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
        RealRedis redis = RealRedis.start("--repl-diskless-sync", "no");
        toClose.add(redis);
        RespTestClient p = client(redis.port());
        p.cmd("SET", "k", "v");
        PrimaryLinkTest.RecordingHost host = new PrimaryLinkTest.RecordingHost(Files.createDirectory(dir.resolve("tmp")));
        host.layoutPrimary = ANOTHER_ID;
        PrimaryLink link = link(redis.port(), host);
        waitFor(() -> ("node=none,expected=" + ANOTHER_ID).equals(linkInfo(link).get("master_link_refused")),
                "the link refuses a node that cannot say its id");
        twoMoreTries(link);
        assertThat(host.fullSyncs).isZero();
        assertThat(info(p, "stats")).containsEntry("sync_full", "0");

        host.layoutPrimary = null; // no layout names this replica's primary (REPLICAOF newer than the layout): as always
        waitFor(() -> link.up() && host.fullSyncs == 1, "the link syncs");
        assertThat(host.loaded).containsOnlyKeys("k");
        assertThat(linkInfo(link)).doesNotContainKey("master_link_refused");
    }
}
