package io.percore.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.support.AppProcess;
import io.percore.demo.support.RespTestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 31: a cluster primary whose container restarts in place (same address and port). Two
 * processes of the app laid out as the operator lays them out ({@code REPLICAOF}, then a layout
 * with a {@code node ... replica <primary-id>} line). Without its data the primary comes back
 * empty under a new id: its replica, whose layout names the old id at that address, does not sync
 * from it (which would drop every key) and keeps serving what it has, link down, until the
 * control plane's failover (REPLICAOF NO ONE, a new epoch, the restarted node made its replica)
 * puts its data back on both. With its data (nodes.conf and a snapshot kept) the primary keeps its
 * id and its replica follows it again, as always.
 */
class ClusterPrimaryRestartTest {

    private static final List<String> JVM = List.of("-Xmx256m");
    private static final int KEYS = 1000;
    private static final String ALL_SLOTS = "0-16383";

    @TempDir
    Path dir;

    private final List<AppProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        Collections.reverse(processes);
        for (AppProcess p : processes) {
            p.close();
        }
    }

    private AppProcess node(AppProcess.Ports ports, Path data, String... more) throws Exception {
        AppProcess p = start(ports, data, more);
        processes.add(p);
        return p;
    }

    private static AppProcess start(AppProcess.Ports ports, Path data, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--percore.demo.cluster.enabled=true", "--percore.demo.persistence.dir=" + data));
        args.addAll(List.of(more));
        return AppProcess.start(ports, 2, JVM, args.toArray(String[]::new));
    }

    private static Object call(AppProcess node, String... args) throws IOException {
        try (RespTestClient c = new RespTestClient(node.respPort())) {
            return c.cmd(args);
        }
    }

    private static String layoutLine(String id, AppProcess node, String role) {
        return "node " + id + " 127.0.0.1 " + node.respPort() + " " + role + "\n";
    }

    /** As the operator: a node answering -LOADING (loading a full sync) is sent the layout again. */
    private static void setLayout(long epoch, String text, AppProcess... to) throws Exception {
        for (AppProcess node : to) {
            Object reply;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((reply = call(node, "CLUSTER", "SETLAYOUT", Long.toString(epoch), text)) instanceof RespTestClient.Err err
                    && err.text().startsWith("LOADING")) {
                assertThat(System.nanoTime()).as("done loading within 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(reply).isEqualTo("OK");
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String replicationInfo(AppProcess node) {
        try {
            return (String) call(node, "INFO", "replication");
        } catch (IOException e) {
            return "";
        }
    }

    private static long connectionsReceived(RespTestClient c) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("total_connections_received:(\\d+)").matcher((String) c.cmd("INFO", "stats"));
        assertThat(m.find()).as("INFO stats total_connections_received").isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long dbsize(AppProcess node) {
        try {
            Object n = call(node, "DBSIZE");
            return n instanceof Long l ? l : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** A primary and its replica, laid out at epoch 1, {@link #KEYS} keys written and acknowledged by the replica. */
    private record Pair(AppProcess primary, String primaryId, AppProcess.Ports primaryPorts, AppProcess replica, String replicaId) {
    }

    private Pair pairWithKeys(Path primaryData, String... primaryOptions) throws Exception {
        AppProcess.Ports primaryPorts = AppProcess.Ports.free();
        Path replicaData = Files.createDirectory(dir.resolve("replica"));
        // side by side: the replica is linked below, by REPLICAOF, once both answer
        List<AppProcess> pair = AppProcess.startTogether(() -> start(primaryPorts, primaryData, primaryOptions),
                () -> start(AppProcess.Ports.free(), replicaData));
        processes.addAll(pair);
        AppProcess primary = pair.get(0);
        AppProcess replica = pair.get(1);
        String primaryId = (String) call(primary, "CLUSTER", "MYID");
        String replicaId = (String) call(replica, "CLUSTER", "MYID");
        assertThat(call(replica, "REPLICAOF", "127.0.0.1", Integer.toString(primary.respPort()))).isEqualTo("OK");
        String layout = layoutLine(primaryId, primary, "primary") + layoutLine(replicaId, replica, "replica " + primaryId)
                + "slots " + primaryId + " " + ALL_SLOTS;
        setLayout(1, layout, primary, replica);
        waitFor(() -> replicationInfo(replica).contains("master_link_status:up"), "the replica linked to its primary");
        try (RespTestClient c = new RespTestClient(primary.respPort())) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(c.cmd("SET", "key:" + i, "v" + i)).isEqualTo("OK");
            }
            assertThat(c.cmd("WAIT", "1", "30000")).as("the replica acknowledged every write").isEqualTo(1L);
        }
        assertThat(dbsize(replica)).isEqualTo(KEYS);
        return new Pair(primary, primaryId, primaryPorts, replica, replicaId);
    }

    private static void assertHoldsEveryKey(AppProcess node, String what) throws IOException {
        try (RespTestClient c = new RespTestClient(node.respPort())) {
            assertThat(c.cmd("READONLY")).isEqualTo("OK"); // a replica serves its primary's slots' reads after READONLY
            for (int i = 0; i < KEYS; i++) {
                assertThat(c.cmd("GET", "key:" + i)).as(what + ": key:" + i).isEqualTo("v" + i);
            }
        }
    }

    /**
     * One pair through both restarts (a JVM's start is seconds of CPU: the second restart reuses the pair the first left,
     * issue 77): first with its volume, then without.
     */
    @Test
    void aPrimaryRestartedWithItsDataKeepsItsIdAndIsFollowedAsBeforeAndOneRestartedEmptyIsRefusedUntilTheFailover() throws Exception {
        Path primaryData = Files.createDirectory(dir.resolve("primary"));
        Pair pair = pairWithKeys(primaryData, "--percore.demo.persistence.save=3600 1");
        AppProcess replica = pair.replica();

        // a restart with its volume: SIGTERM saves the final snapshot, nodes.conf keeps the id
        pair.primary().terminate();
        assertThat(pair.primary().waitFor(90)).as("stopped after SIGTERM").isTrue();
        AppProcess primary = node(pair.primaryPorts(), primaryData, "--percore.demo.persistence.save=3600 1");
        assertThat(call(primary, "CLUSTER", "MYID")).isEqualTo(pair.primaryId());
        waitFor(() -> dbsize(primary) == KEYS, "the restarted primary loaded its snapshot");
        waitFor(() -> replicationInfo(replica).contains("master_link_status:up"), "the replica follows it again:\n" + replica.output());
        try (RespTestClient c = new RespTestClient(primary.respPort())) {
            // its layout, read back from nodes.conf, is served once the control plane sends it again
            assertThat(c.cmd("SET", "after", "restart")).isEqualTo(new RespTestClient.Err("CLUSTERDOWN The cluster is down"));
            setLayout(1, layoutLine(pair.primaryId(), primary, "primary") + layoutLine(pair.replicaId(), replica, "replica " + pair.primaryId())
                    + "slots " + pair.primaryId() + " " + ALL_SLOTS, primary);
            assertThat(c.cmd("SET", "after", "restart")).isEqualTo("OK");
            assertThat(c.cmd("WAIT", "1", "30000")).as("the replica acknowledges the restarted primary's writes").isEqualTo(1L);
        }
        int keys = KEYS + 1;
        assertThat(dbsize(replica)).isEqualTo(keys);
        assertHoldsEveryKey(replica, "the replica of the restarted primary");
        assertThat(replicationInfo(replica)).doesNotContain("master_link_refused");
        assertThat(replica.output()).doesNotContain("Not syncing with MASTER");

        // the container restarts in place without persistence: SIGKILL, then an empty data directory on the same ports
        primary.kill();
        AppProcess restarted = node(pair.primaryPorts(), Files.createDirectory(dir.resolve("primary-again")));
        assertThat(call(restarted, "PING")).isEqualTo("PONG");
        String newId = (String) call(restarted, "CLUSTER", "MYID");
        assertThat(newId).isNotEqualTo(pair.primaryId());
        assertThat(dbsize(restarted)).isZero();

        // the replica reconnects to the address, finds another node there and refuses: it said so in INFO and the log
        String refusal = "master_link_refused:node=" + newId + ",expected=" + pair.primaryId();
        waitFor(() -> replicationInfo(replica).contains(refusal) || dbsize(replica) != keys,
                "the replica met the restarted node and refused it, or synced from it:\n" + replica.output());
        assertThat(dbsize(replica)).as("the replica's keys once it met the restarted node").isEqualTo(keys);
        // its next tries (2 s, 4 s apart) would each have synced: through two more of them every key stays. A try
        // connects to the restarted node to ask its id, so the tries are counted by the connections it received
        // (this one, kept open, adds none).
        try (RespTestClient watch = new RespTestClient(restarted.respPort())) {
            long tries = connectionsReceived(watch);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (connectionsReceived(watch) < tries + 2) {
                assertThat(dbsize(replica)).as("the replica's keys").isEqualTo(keys);
                assertThat(System.nanoTime()).as("two more tries of the replica").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        assertThat(dbsize(replica)).as("the replica's keys after two more tries").isEqualTo(keys);
        assertHoldsEveryKey(replica, "the replica, its primary restarted empty");
        String info = replicationInfo(replica);
        assertThat(info).contains("role:slave", "master_link_status:down", refusal);
        assertThat((String) call(restarted, "INFO", "stats")).as("no sync was asked of the restarted node")
                .contains("sync_full:0", "sync_partial_ok:0", "sync_partial_err:0");
        assertThat(replicationInfo(restarted)).contains("connected_slaves:0");
        String log = replica.output();
        String logged = "Not syncing with MASTER: primary at 127.0.0.1:" + restarted.respPort() + " is now node " + newId
                + ", the layout's primary is " + pair.primaryId() + ": waiting for the control plane";
        assertThat(log).contains(logged);
        assertThat(log.split(java.util.regex.Pattern.quote(logged), -1)).as("logged once for the node it met").hasSize(2);

        // the operator's failover: the replica promoted, a new epoch with it as the slots' primary and the restarted node its replica
        assertThat(call(replica, "REPLICAOF", "NO", "ONE")).isEqualTo("OK");
        String failedOver = layoutLine(pair.replicaId(), replica, "primary") + layoutLine(newId, restarted, "replica " + pair.replicaId())
                + "slots " + pair.replicaId() + " " + ALL_SLOTS;
        setLayout(2, failedOver, replica, restarted);
        assertThat(call(restarted, "REPLICAOF", "127.0.0.1", Integer.toString(replica.respPort()))).isEqualTo("OK");
        waitFor(() -> replicationInfo(restarted).contains("master_link_status:up"), "the restarted node follows the promoted one");
        assertThat(replicationInfo(replica)).contains("role:master").doesNotContain("master_link_refused");
        try (RespTestClient c = new RespTestClient(replica.respPort())) {
            assertThat(c.cmd("SET", "after-failover", "yes")).isEqualTo("OK");
            assertThat(c.cmd("WAIT", "1", "30000")).isEqualTo(1L);
        }
        assertHoldsEveryKey(replica, "the promoted replica");
        assertHoldsEveryKey(restarted, "the restarted node, now its replica");
        assertThat(dbsize(restarted)).isEqualTo(keys + 1);
        try (RespTestClient c = new RespTestClient(restarted.respPort())) {
            assertThat(c.cmd("READONLY")).isEqualTo("OK");
            assertThat(c.cmd("GET", "after")).as("the write taken after the restart with its data").isEqualTo("restart");
        }
    }
}
