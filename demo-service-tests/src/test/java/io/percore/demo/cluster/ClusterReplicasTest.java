package io.percore.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.percore.demo.DemoSettings;
import io.percore.demo.kv.KeyHashing;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 31, replicas of cluster primaries: four nodes (two primaries, a replica each, in this JVM), the
 * replicas told {@code REPLICAOF} and the layout sent with {@code node ... replica} lines as the operator sends
 * them. What clients see is Redis 7.0's shape (checked by hand against four redis-server 7.0.15 nodes with
 * {@code --cluster-enabled yes}, two of them {@code CLUSTER REPLICATE}d: {@code CLUSTER SLOTS} lists a synced
 * replica after its primary in each range, {@code SHARDS} one shard per primary with {@code role replica}
 * nodes, {@code NODES} {@code slave <primary-id>}; a write, or a read without READONLY, sent to a replica gets
 * {@code -MOVED} to its primary). Lettuce's {@code RedisClusterClient} with {@code ReadFrom.REPLICA} reads
 * from the replicas; then a primary stops, its replica is promoted ({@code REPLICAOF NO ONE}) and a new epoch
 * gives it the slots, as the operator's failover does: the client goes on and every write the replica had
 * acknowledged ({@code WAIT 1}) is there.
 */
class ClusterReplicasTest {

    private final List<TestServices> nodes = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        for (int i = 0; i < 4; i++) {
            nodes.add(TestServices.start(2, DemoSettings.forTests().withCluster(new ClusterSettings(true, null, null, 0))));
            ids.add((String) call(i, "CLUSTER", "MYID"));
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(n -> {
            if (n != null) {
                n.close();
            }
        });
    }

    private Object call(int node, String... args) throws IOException {
        try (RespTestClient c = new RespTestClient(nodes.get(node).respPort())) {
            return c.cmd(args);
        }
    }

    private String node(int i, String role) {
        return "node " + ids.get(i) + " 127.0.0.1 " + nodes.get(i).respPort() + " " + role + "\n";
    }

    /** As the operator does: a replica loading its primary's data answers -LOADING, and is sent the layout again. */
    private void setLayout(long epoch, String text, int... to) throws Exception {
        for (int i : to) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Object reply;
            while ((reply = call(i, "CLUSTER", "SETLAYOUT", Long.toString(epoch), text)) instanceof RespTestClient.Err err
                    && err.text().startsWith("LOADING")) {
                assertThat(System.nanoTime()).as("node " + i + " done loading within 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(reply).isEqualTo("OK");
        }
    }

    private void awaitLinked(int replica) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!((String) call(replica, "INFO", "replication")).contains("master_link_status:up")) {
            assertThat(System.nanoTime()).as("node " + replica + " linked to its primary").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long getCalls(String commandStats) {
        for (String line : commandStats.split("\r?\n")) {
            if (line.startsWith("cmdstat_get:calls=")) {
                return Long.parseLong(line.substring("cmdstat_get:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void replicasAreListedServeReadOnlyReadsAndTakeOverWithEveryAcknowledgedWrite() throws Exception {
        // 0 and 1 primaries, 2 follows 0, 3 follows 1: REPLICAOF first, then the layout (the operator's order: any)
        assertThat(call(2, "REPLICAOF", "127.0.0.1", Integer.toString(nodes.get(0).respPort()))).isEqualTo("OK");
        assertThat(call(3, "REPLICAOF", "127.0.0.1", Integer.toString(nodes.get(1).respPort()))).isEqualTo("OK");
        String layout = node(0, "primary") + node(1, "primary") + node(2, "replica " + ids.get(0)) + node(3, "replica " + ids.get(1))
                + "slots " + ids.get(0) + " 0-8191\nslots " + ids.get(1) + " 8192-16383";
        setLayout(1, layout, 0, 1, 2, 3);
        awaitLinked(2);
        awaitLinked(3);

        // CLUSTER SLOTS: the replica after its primary in its range
        List<?> slots = (List<?>) call(3, "CLUSTER", "SLOTS");
        assertThat(slots).hasSize(2);
        List<?> first = (List<?>) slots.get(0);
        assertThat(first.subList(0, 2)).isEqualTo(List.of(0L, 8191L));
        assertThat(first).hasSize(4);
        assertThat(((List<?>) first.get(2)).subList(0, 3)).isEqualTo(List.of("127.0.0.1", (long) nodes.get(0).respPort(), ids.get(0)));
        assertThat(((List<?>) first.get(3)).subList(0, 3)).isEqualTo(List.of("127.0.0.1", (long) nodes.get(2).respPort(), ids.get(2)));
        // CLUSTER SHARDS: one shard per primary, its nodes master then replica
        List<?> shards = (List<?>) call(0, "CLUSTER", "SHARDS");
        assertThat(shards).hasSize(2);
        List<?> shard = (List<?>) shards.get(0);
        assertThat(shard.get(0)).isEqualTo("slots");
        List<?> shardNodes = (List<?>) shard.get(3);
        assertThat(shardNodes).hasSize(2);
        assertThat(fields(shardNodes.get(0))).containsEntry("id", ids.get(0)).containsEntry("role", "master");
        assertThat(fields(shardNodes.get(1))).containsEntry("id", ids.get(2)).containsEntry("role", "replica")
                .containsEntry("port", (long) nodes.get(2).respPort()).containsKeys("replication-offset", "health", "endpoint", "ip");
        // CLUSTER NODES: "slave <primary-id>", on the replica itself "myself,slave"
        String nodesText = (String) call(2, "CLUSTER", "NODES");
        assertThat(nodesText.lines()).hasSize(4)
                .anyMatch(l -> l.startsWith(ids.get(2) + " 127.0.0.1:" + nodes.get(2).respPort() + "@") && l.contains(" myself,slave " + ids.get(0) + " "))
                .anyMatch(l -> l.startsWith(ids.get(3) + " ") && l.contains(" slave " + ids.get(1) + " "))
                .anyMatch(l -> l.startsWith(ids.get(0) + " ") && l.contains(" master - ") && l.endsWith(" connected 0-8191"));

        // a replica: writes and plain reads go to its primary; READONLY reads are served
        String onFirst = ClusterModeTest.keyIn(0, 8191, "k");
        int slot = KeyHashing.slot(onFirst.getBytes(StandardCharsets.UTF_8));
        String moved = "MOVED " + slot + " 127.0.0.1:" + nodes.get(0).respPort();
        try (RespTestClient replica = new RespTestClient(nodes.get(2).respPort())) {
            assertThat(replica.cmd("SET", onFirst, "x")).isEqualTo(new RespTestClient.Err(moved));
            assertThat(replica.cmd("GET", onFirst)).isEqualTo(new RespTestClient.Err(moved));
            assertThat(replica.cmd("READONLY")).isEqualTo("OK");
            assertThat(replica.cmd("SET", onFirst, "x")).as("still a write").isEqualTo(new RespTestClient.Err(moved));
            assertThat(replica.cmd("GET", onFirst)).isNull();
        }

        // Lettuce: writes to the primaries, reads from the replicas
        RedisClusterClient lettuce = RedisClusterClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(nodes.get(1).respPort())
                .withTimeout(Duration.ofSeconds(5)).build());
        // a command for a node that is gone fails at once rather than waiting for it; the topology is read again often
        lettuce.setOptions(ClusterClientOptions.builder().disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(Duration.ofMillis(500)).enableAllAdaptiveRefreshTriggers().build()).build());
        Map<String, String> acknowledged = new LinkedHashMap<>();
        try (StatefulRedisClusterConnection<String, String> conn = lettuce.connect()) {
            RedisAdvancedClusterCommands<String, String> sync = conn.sync();
            assertThat(conn.getPartitions().getPartitions()).filteredOn(n -> n.is(RedisClusterNode.NodeFlag.REPLICA))
                    .extracting(RedisClusterNode::getNodeId).containsExactlyInAnyOrder(ids.get(2), ids.get(3));
            for (int i = 0; i < 300; i++) {
                sync.set("lettuce:" + i, "v" + i);
                acknowledged.put("lettuce:" + i, "v" + i);
            }
            // every primary's writes acknowledged by its replica, on the connection that wrote them
            for (int p : new int[] {0, 1}) {
                assertThat(conn.getConnection(ids.get(p)).sync().waitForReplication(1, 10_000)).isEqualTo(1L);
            }
            long primaryGets = getCalls((String) call(0, "INFO", "commandstats")) + getCalls((String) call(1, "INFO", "commandstats"));
            long replicaGets = getCalls((String) call(2, "INFO", "commandstats")) + getCalls((String) call(3, "INFO", "commandstats"));
            // reads from the replicas on a client whose topology stays still: Lettuce's periodic refresh can swap
            // its partitions under a replica read (redis/lettuce#2178, #2769) and fail it with PartitionSelectorException
            RedisClusterClient readers = RedisClusterClient.create(RedisURI.builder().withHost("127.0.0.1")
                    .withPort(nodes.get(1).respPort()).withTimeout(Duration.ofSeconds(5)).build());
            try (StatefulRedisClusterConnection<String, String> reads = readers.connect()) {
                reads.setReadFrom(ReadFrom.REPLICA);
                for (int i = 0; i < 300; i++) {
                    assertThat(reads.sync().get("lettuce:" + i)).isEqualTo("v" + i);
                }
            } finally {
                readers.shutdown();
            }
            assertThat(getCalls((String) call(2, "INFO", "commandstats")) + getCalls((String) call(3, "INFO", "commandstats")) - replicaGets)
                    .as("GETs served by the replicas").isEqualTo(300);
            assertThat(getCalls((String) call(0, "INFO", "commandstats")) + getCalls((String) call(1, "INFO", "commandstats")))
                    .as("none by the primaries").isEqualTo(primaryGets);

            // primary 0 stops; its replica is promoted and epoch 2 gives it the slots, primary 0 listed as its replica
            nodes.get(0).close();
            assertThat(call(2, "REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            String failedOver = node(0, "replica " + ids.get(2)) + node(1, "primary") + node(2, "primary") + node(3, "replica " + ids.get(1))
                    + "slots " + ids.get(2) + " 0-8191\nslots " + ids.get(1) + " 8192-16383";
            setLayout(2, failedOver, 2, 1, 3);
            nodes.set(0, null);
            assertThat((String) call(2, "INFO", "replication")).contains("role:master");

            // the client follows the new topology (a write to the failed-over slots succeeds); every acknowledged write is there
            String after = ClusterModeTest.keyIn(0, 8191, "after-failover:");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    sync.set(after, "yes");
                    break;
                } catch (RuntimeException notYet) {
                    assertThat(System.nanoTime()).as("the client finds the promoted replica: " + notYet).isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertThat(sync.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(sync.get(after)).isEqualTo("yes");
            long onPromoted = acknowledged.keySet().stream().filter(k -> KeyHashing.slot(k.getBytes(StandardCharsets.UTF_8)) <= 8191).count() + 1;
            assertThat(call(2, "DBSIZE")).as("the promoted replica holds its slots' keys, and only those").isEqualTo(onPromoted);
        } finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** A CLUSTER SHARDS node: [name, value, ...] → a map. */
    private static Map<String, Object> fields(Object node) {
        List<?> flat = (List<?>) node;
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put((String) flat.get(i), flat.get(i + 1));
        }
        return out;
    }
}
