package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 69 in cluster mode, operator/examples/cluster-replicated.yaml: two primaries with a replica each. A writer on
 * Lettuce's {@link RedisClusterClient} sends {@code SET} + {@code WAIT 1} to the node that owns each key's slot (its own
 * node connection, both in one flush); a primary's container is SIGKILLed: its replica takes its slots at a new epoch,
 * the client finds it in the topology, and no write acknowledged by WAIT 1 is lost. The figures (how long the lost
 * primary's slots took no write; how long until WAIT 1 is answered there again, which needs a replica back in the
 * group: the old pod, restarted empty, rejoining; the client's errors) are printed; the bound is for a loaded machine.
 */
@ExtendWith(RealNodeExtension.class)
@Order(6)
class ClusterFailoverIT {

    static final String NAME = "kv-cluster-ha";
    /** The pods' RESP port (the container's; the Service's is 6379). */
    private static final int POD_PORT = 6380;
    static final Duration SLOTS_WRITABLE_AGAIN_WITHIN = Duration.ofSeconds(30);

    @Test
    void aKilledPrimarysReplicaTakesItsSlotsWithNoAcknowledgedWriteLost(Cluster cluster) throws Exception {
        try (var ns = cluster.namespace("e2e-cluster-ha")) {
            cluster.create(ns.name(), Cluster.example("cluster-replicated.yaml"));
            Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            ClusterIT.awaitLayout(cluster, ns.name(), NAME, 2);
            String password = cluster.password(ns.name(), NAME + "-auth");
            // both groups linked: each replica streams from its primary
            ClusterStatus.PodSlots victim = await().atMost(PlanToPodsIT.READY_WITHIN).ignoreExceptions().until(() -> {
                ClusterStatus c = cluster.get(ns.name(), NAME).getStatus().getCluster();
                for (ClusterStatus.PodSlots p : c.getPods()) {
                    if (p.getReplicaOf() != null) {
                        assertThat(info(pod(cluster, ns.name(), p.getPod()), password)).contains("master_link_status:up");
                    }
                }
                // a group whose replica the status names by its pod (a node that did not answer on a look is named by id)
                return c.getPods().stream().filter(p -> p.getSlotCount() != null && p.getSlotCount() > 0
                        && p.getReplicas() != null && p.getReplicas().size() == 1
                        && c.getPods().stream().anyMatch(r -> p.getReplicas().get(0).equals(r.getPod()) && p.getPod().equals(r.getReplicaOf())))
                        .findFirst().orElse(null);
            }, p -> p != null);
            String replicaName = victim.getReplicas().get(0);
            Progress.say("cluster-replicated.yaml Ready in %d s: primary %s (%s) with replica %s", ready.toSeconds(), victim.getPod(),
                    victim.getSlots(), replicaName);

            RedisURI seed = cluster.serviceUri(ns.name(), NAME, "redis", password);
            RedisClusterClient client = RedisClusterClient.create(seed);
            client.setOptions(ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(Duration.ofSeconds(1))
                            .enableAllAdaptiveRefreshTriggers().adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1)).build())
                    // a command for a node that is not connected fails at once (as operator/examples/client sets it), so the
                    // writer measures the service, not Lettuce's queue for a dead node
                    .disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3))).build());
            Pod killed = pod(cluster, ns.name(), victim.getPod());
            String killedAddress = killed.getStatus().getPodIP();
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                Load load = new Load(connection, killedAddress);
                Thread thread = new Thread(load, "cluster-failover-load");
                thread.start();
                long killedAt;
                java.time.Instant killedInstant;
                try {
                    load.awaitAcknowledged(300, true);
                    killedAt = System.nanoTime();
                    killedInstant = java.time.Instant.now();
                    cluster.node().killContainer(killed);
                    // the lost primary's slots served by another node, then a write there acknowledged by WAIT 1 (once the
                    // group has a replica again: the old pod back as one)
                    await().atMost(Duration.ofSeconds(120)).until(() -> load.firstElsewhereAfter(killedAt) > 0);
                    await().atMost(Duration.ofSeconds(180)).until(() -> load.firstAckElsewhereAfter(killedAt) > 0);
                    load.awaitAcknowledged(200, false);
                } finally {
                    load.running.set(false);
                    thread.join(30_000);
                }
                long writable = load.firstElsewhereAfter(killedAt) - killedAt;
                long acknowledgedAgain = load.firstAckElsewhereAfter(killedAt) - killedAt;
                Progress.say("cluster failover: %s SIGKILLed; its slots took writes again %d ms later (on %s), acknowledged by WAIT 1 "
                                + "again after %d ms (a replica back in the group); the client's errors %d (first: %s), writes taken "
                                + "that no replica acknowledged within 1 s %d; the operator's events %s",
                        victim.getPod(), TimeUnit.NANOSECONDS.toMillis(writable), load.elsewhereAddress(),
                        TimeUnit.NANOSECONDS.toMillis(acknowledgedAgain), load.errors.size(),
                        load.errors.isEmpty() ? "none" : load.errors.get(0), load.unacknowledged.get(),
                        operatorEvents(cluster, ns.name(), killedInstant));
                assertThat(Duration.ofNanos(writable)).as("the lost primary's slots writable again").isLessThanOrEqualTo(SLOTS_WRITABLE_AGAIN_WITHIN);
                // the replica holds the slots now, and every write acknowledged by WAIT 1 is there
                PercoreService after = cluster.get(ns.name(), NAME);
                assertThat(after.getStatus().getCluster().getPods()).anySatisfy(p -> {
                    assertThat(p.getPod()).isEqualTo(replicaName);
                    assertThat(p.getSlots()).isEqualTo(victim.getSlots());
                });
                assertThat(cluster.events(ns.name(), NAME)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("FailedOver"));
                // the promoted process's history and where it left the old primary's, in the status through the real API
                // server (which prunes a field its schema lacks; Fabric8's mock does not): the next failover compares along it
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    ClusterStatus c = cluster.get(ns.name(), NAME).getStatus().getCluster();
                    String history = c.getPods().stream().filter(p -> replicaName.equals(p.getPod())).map(ClusterStatus.PodSlots::getReplid)
                            .filter(java.util.Objects::nonNull).findFirst().orElse(null);
                    assertThat(history).as("the promoted node's replication id").isNotNull();
                    assertThat(c.getLineage()).as("status.cluster.lineage").isNotNull()
                            .extracting(io.percore.operator.crd.HistoryLink::getHistory).contains(history);
                });
                List<String> lost = new ArrayList<>();
                load.acknowledged.forEach((k, v) -> {
                    if (!v.equals(readBack(connection, k))) {
                        lost.add(k);
                    }
                });
                assertThat(lost).as("of %d writes acknowledged by WAIT 1", load.acknowledged.size()).isEmpty();
            } finally {
                client.shutdown();
            }
        }
    }

    /**
     * The value the service holds for {@code key}. The client refuses a command at once while the connection to the
     * slot's node is down ({@code REJECT_COMMANDS}, the writer's setting), and the killed node's connection may still be
     * reconnecting when the writer stops (2026-12-04, a failover whole in 11 s: "Currently not connected" on the first
     * read back): such a read is asked again; a value that differs is not.
     */
    private static String readBack(StatefulRedisClusterConnection<String, String> connection, String key) {
        // no poll delay: Awaitility's default waits one interval before the first read, 200 ms a key (the class took
        // 324 s instead of 66 with it, 2026-12-04)
        return await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(io.lettuce.core.RedisException.class)
                .until(() -> java.util.Optional.ofNullable(connection.sync().get(key)), v -> true).orElse(null);
    }

    private static Pod pod(Cluster cluster, String namespace, String name) {
        return cluster.client().pods().inNamespace(namespace).withName(name).get();
    }

    private static String info(Pod pod, String password) {
        RedisURI uri = RedisURI.builder().withHost(pod.getStatus().getPodIP()).withPort(POD_PORT).withPassword(password.toCharArray())
                .withTimeout(Duration.ofSeconds(3)).build();
        try (RedisClient client = Cluster.redis(uri); var c = client.connect()) {
            return c.sync().info("replication");
        }
    }

    /** The operator's events after {@code since}, with their text. */
    private static List<String> operatorEvents(Cluster cluster, String namespace, java.time.Instant since) {
        return cluster.events(namespace, NAME).stream()
                .filter(e -> {
                    String at = e.getEventTime() != null ? e.getEventTime().getTime() : e.getLastTimestamp();
                    return at != null && !java.time.Instant.parse(at).isBefore(since.minusSeconds(1));
                })
                .map(e -> {
                    String at = e.getEventTime() != null ? e.getEventTime().getTime() : e.getLastTimestamp();
                    return String.format("%+.1f s %s: %s", Duration.between(since, java.time.Instant.parse(at)).toMillis() / 1000.0,
                            e.getReason(), e.getMessage().length() > 200 ? e.getMessage().substring(0, 197) + "..." : e.getMessage());
                })
                .toList();
    }

    /**
     * One key at a time: {@code SET} and {@code WAIT 1 1000} in one flush on the connection to the node that the client's
     * topology says owns the key's slot (so the WAIT counts that SET); acknowledged when a replica has it.
     */
    static final class Load implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final StatefulRedisClusterConnection<String, String> connection;
        private final String killedAddress;
        final AtomicLong unacknowledged = new AtomicLong();
        private final AtomicLong onKilled = new AtomicLong();
        private volatile long firstElsewhere;
        private volatile long firstAckElsewhere;
        private volatile String elsewhereAddress;

        Load(StatefulRedisClusterConnection<String, String> connection, String killedAddress) {
            this.connection = connection;
            this.killedAddress = killedAddress;
        }

        @Override
        public void run() {
            int i = 0;
            while (running.get()) {
                String key = "w:" + i++;
                String value = Integer.toString(i);
                try {
                    RedisClusterNode node = connection.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
                    if (node == null) {
                        throw new IllegalStateException("no node owns slot " + SlotHash.getSlot(key));
                    }
                    StatefulRedisConnection<String, String> c = connection.getConnection(node.getNodeId());
                    var async = c.async();
                    c.setAutoFlushCommands(false);
                    io.lettuce.core.RedisFuture<String> set;
                    io.lettuce.core.RedisFuture<Long> wait;
                    try {
                        set = async.set(key, value);
                        wait = async.waitForReplication(1, 1000);
                        c.flushCommands();
                    } finally {
                        c.setAutoFlushCommands(true);
                    }
                    set.get(5, TimeUnit.SECONDS);
                    long taken = System.nanoTime();
                    // keys whose slot the lost primary owned: before the kill on its address, after it on its replica's
                    boolean onKilledNode = node.getUri().getHost().equals(killedAddress);
                    boolean elsewhereNow = !onKilledNode && ownedByKilledBefore(key);
                    if (elsewhereNow && firstElsewhere == 0) {
                        elsewhereAddress = node.getUri().getHost();
                        firstElsewhere = taken;
                    }
                    if (wait.get(5, TimeUnit.SECONDS) < 1) {
                        unacknowledged.incrementAndGet(); // taken, but no replica has it: not counted as acknowledged
                        continue;
                    }
                    acknowledged.put(key, value);
                    if (onKilledNode) {
                        onKilled.incrementAndGet();
                    } else if (elsewhereNow && firstAckElsewhere == 0) {
                        firstAckElsewhere = System.nanoTime();
                    }
                } catch (Exception e) {
                    if (errors.size() < 10_000) {
                        errors.add(key + ": " + e);
                    }
                    sleep(10);
                }
            }
        }

        private final java.util.Set<Integer> killedSlots = ConcurrentHashMap.newKeySet();

        private boolean ownedByKilledBefore(String key) {
            return killedSlots.contains(SlotHash.getSlot(key));
        }

        /** Waits for {@code n} more acknowledged writes; {@code onTheVictim}: on the primary to be killed (and records its slots). */
        void awaitAcknowledged(int n, boolean onTheVictim) {
            if (onTheVictim) {
                for (RedisClusterNode node : connection.getPartitions()) {
                    if (node.getUri().getHost().equals(killedAddress)) {
                        node.getSlots().forEach(killedSlots::add);
                    }
                }
                assertThat(killedSlots).as("slots of the primary at " + killedAddress).isNotEmpty();
                long target = onKilled.get() + n;
                await().atMost(Duration.ofSeconds(120)).until(() -> onKilled.get() >= target);
            } else {
                long target = acknowledged.size() + n;
                await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= target);
            }
        }

        /** The time of the first write taken, after {@code since}, on a slot the killed primary owned (by another node); 0: none yet. */
        long firstElsewhereAfter(long since) {
            long t = firstElsewhere;
            return t > since ? t : 0;
        }

        String elsewhereAddress() {
            return elsewhereAddress;
        }

        /** The same for the first write there that a replica acknowledged. */
        long firstAckElsewhereAfter(long since) {
            long t = firstAckElsewhere;
            return t > since ? t : 0;
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
