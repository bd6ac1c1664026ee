package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * operator/examples/cluster.yaml: three primaries whose slots the operator sets. A client with Lettuce's
 * {@link RedisClusterClient} (following MOVED and ASK as applications' clients do) writes and reads while
 * {@code shards} grows to four, so that a quarter of the slots moves onto a new pod, and then shrinks back, so that
 * they move off it before it is removed: no client error, every key found with its value.
 */
@ExtendWith(RealNodeExtension.class)
@Order(6)
class ClusterIT {

    static final String NAME = "kv-cluster";
    /** The pods' RESP port (the container's; the Service's is 6379). */
    private static final int POD_PORT = 6380;

    @Test
    void slotsMoveOntoANewPodAndOffItAgainUnderLoadWithNoClientError(Cluster cluster) throws Exception {
        try (var ns = cluster.namespace("e2e-cluster")) {
            cluster.create(ns.name(), Cluster.example("cluster.yaml"));
            Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            awaitLayout(cluster, ns.name(), 3);
            Progress.say("cluster.yaml Ready and laid out in %d s", ready.toSeconds());

            RedisURI seed = cluster.serviceUri(ns.name(), NAME, "redis", cluster.password(ns.name(), NAME + "-auth"));
            RedisClusterClient client = RedisClusterClient.create(seed);
            client.setOptions(ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(Duration.ofSeconds(2))
                            .enableAllAdaptiveRefreshTriggers().build())
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(10))).build());
            try (var connection = client.connect()) {
                RedisAdvancedClusterCommands<String, String> redis = connection.sync();
                Map<String, String> written = new ConcurrentHashMap<>();
                for (int i = 0; i < 3000; i++) {
                    redis.set("pre:" + i, Integer.toString(i));
                    written.put("pre:" + i, Integer.toString(i));
                }
                ClientEvents events = ClientEvents.of(client);
                Load load = new Load(redis, written, () -> connection.getPartitions().toString(), events);
                Thread thread = new Thread(load, "cluster-load");
                thread.start();
                try {
                    long grow = System.nanoTime();
                    cluster.patchSpec(ns.name(), NAME, "{\"shards\":4}");
                    awaitLayout(cluster, ns.name(), 4);
                    long grown = System.nanoTime() - grow;
                    awaitEveryPodAtTheStatusEpoch(cluster, ns.name());
                    long opsGrown = load.ops.get();
                    Progress.say("grew to 4 pods in %d s (4096 slots moved, %.0f slots/s) under %d operations, errors %s; "
                            + "the client's topology changed %d times", TimeUnit.NANOSECONDS.toSeconds(grown), 4096 / (grown / 1e9), opsGrown,
                            load.errors, events.topologyChanges());

                    long shrink = System.nanoTime();
                    cluster.patchSpec(ns.name(), NAME, "{\"shards\":3}");
                    awaitLayout(cluster, ns.name(), 3);
                    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3))
                            .until(() -> cluster.pods(ns.name(), NAME).size() == 3);
                    long shrunk = System.nanoTime() - shrink;
                    awaitEveryPodAtTheStatusEpoch(cluster, ns.name());
                    Progress.say("shrank to 3 pods in %d s (4096 slots moved off kv-cluster-3, %.0f slots/s) under %d operations, errors %s",
                            TimeUnit.NANOSECONDS.toSeconds(shrunk), 4096 / (shrunk / 1e9), load.ops.get() - opsGrown, load.errors);
                    load.awaitMore(500);
                } finally {
                    load.running.set(false);
                    thread.join(30_000);
                }
                assertThat(load.errors).as("client errors while slots moved").isEmpty();
                assertThat(cluster.events(ns.name(), NAME)).extracting(e -> e.getReason()).as("the operator's events")
                        .contains("MigrationStarted", "PodsDrained");
                List<String> missing = written.entrySet().stream().filter(e -> !e.getValue().equals(redis.get(e.getKey())))
                        .map(Map.Entry::getKey).limit(20).toList();
                assertThat(missing).as("of %d keys written", written.size()).isEmpty();
                // Counted on each pod, not by the client's DBSIZE (a sum over the nodes of its topology view, which
                // counts a node twice when the view lists it twice): every key on exactly the pod owning its slot.
                String password = cluster.password(ns.name(), NAME + "-auth");
                List<PodKeys> pods = cluster.pods(ns.name(), NAME).stream().map(p -> PodKeys.of(p, password)).toList();
                assertThat(pods).as("keys on a pod that does not own their slot (the client's view: %s)",
                        connection.getPartitions()).allSatisfy(p -> assertThat(p.misplaced).as(p.toString()).isEmpty());
                assertThat(pods.stream().mapToLong(p -> p.keys).sum()).as("no key in two places: %s; the client's DBSIZE %d over %s; %s",
                        pods, redis.dbsize(), connection.getPartitions(), cluster.podStates(ns.name(), NAME)).isEqualTo(written.size());
            } finally {
                client.shutdown();
            }
        }
    }

    /** The POD_PORT of a pod: its node id, how many keys it holds, and up to 10 of them in slots it does not own. */
    record PodKeys(String pod, String id, long keys, List<String> misplaced, String nodes) {

        static PodKeys of(io.fabric8.kubernetes.api.model.Pod pod, String password) {
            RedisURI uri = RedisURI.builder().withHost(pod.getStatus().getPodIP()).withPort(POD_PORT)
                    .withPassword(password.toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
            try (io.lettuce.core.RedisClient client = Cluster.redis(uri); var c = client.connect()) {
                var sync = c.sync();
                String id = sync.clusterMyId();
                String nodes = sync.clusterNodes();
                java.util.BitSet owned = new java.util.BitSet(16384);
                nodes.lines().filter(l -> l.contains("myself")).findFirst().ifPresent(l -> {
                    for (String part : l.split(" ")) {
                        if (part.matches("\\d+(-\\d+)?")) {
                            String[] r = part.split("-");
                            owned.set(Integer.parseInt(r[0]), Integer.parseInt(r[r.length - 1]) + 1);
                        }
                    }
                });
                List<String> misplaced = new java.util.ArrayList<>();
                long keys = 0;
                io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
                do {
                    var page = sync.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(1000));
                    for (String key : page.getKeys()) {
                        keys++;
                        if (!owned.get(io.lettuce.core.cluster.SlotHash.getSlot(key)) && misplaced.size() < 10) {
                            misplaced.add(key);
                        }
                    }
                    cursor = page;
                } while (!cursor.isFinished());
                return new PodKeys(pod.getMetadata().getName(), id, keys, misplaced, nodes);
            }
        }

        @Override
        public String toString() {
            return pod + " (" + id + ") " + keys + " keys, in slots it does not own " + misplaced + ", CLUSTER NODES "
                    + nodes.lines().toList();
        }
    }

    /** Every slot assigned over {@code pods} pods that each own some, no migration under way, the service Ready. */
    private static void awaitLayout(Cluster cluster, String namespace, int pods) {
        awaitLayout(cluster, namespace, NAME, pods);
    }

    /** Every slot assigned to {@code pods} primaries, nothing moving, the service Clustered and Ready at its generation. */
    static void awaitLayout(Cluster cluster, String namespace, String name, int pods) {
        cluster.awaitStatus(namespace, name, Duration.ofMinutes(6), s -> {
            ClusterStatus c = s.getStatus() == null ? null : s.getStatus().getCluster();
            return c != null && Integer.valueOf(16384).equals(c.getSlotsAssigned()) && c.getMigrations().isEmpty()
                    && c.getPods().stream().filter(p -> p.getSlotCount() != null && p.getSlotCount() > 0).count() == pods
                    && Cluster.is(s, "Clustered", "True") && Cluster.is(s, "Ready", "True")
                    && s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration());
        });
    }

    /**
     * Every pod serves the layout of the status's epoch (its {@code CLUSTER GETLAYOUT}): a moved slot is finalised on
     * each pod, not only on those it left and joined.
     */
    private static void awaitEveryPodAtTheStatusEpoch(Cluster cluster, String namespace) {
        String password = cluster.password(namespace, NAME + "-auth");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            long epoch = cluster.get(namespace, NAME).getStatus().getCluster().getConfigEpoch();
            Map<String, Long> epochs = new java.util.TreeMap<>();
            for (var pod : cluster.pods(namespace, NAME)) {
                RedisURI uri = RedisURI.builder().withHost(pod.getStatus().getPodIP()).withPort(POD_PORT)
                        .withPassword(password.toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
                try (io.lettuce.core.RedisClient client = Cluster.redis(uri); var c = client.connect()) {
                    List<Object> layout = c.sync().dispatch(io.lettuce.core.protocol.CommandType.CLUSTER,
                            new io.lettuce.core.output.NestedMultiOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("GETLAYOUT"));
                    epochs.put(pod.getMetadata().getName(), (Long) layout.get(0));
                }
            }
            assertThat(epochs.values()).as("each pod's layout epoch %s, the status's %d", epochs, epoch).containsOnly(epoch);
        });
    }

    /** Writes new keys and reads old ones back, one at a time, recording every failure or wrong value. */
    static final class Load implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong ops = new AtomicLong();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final RedisAdvancedClusterCommands<String, String> redis;
        private final Map<String, String> written;
        private final java.util.function.Supplier<String> topology;
        private final ClientEvents events;

        Load(RedisAdvancedClusterCommands<String, String> redis, Map<String, String> written, java.util.function.Supplier<String> topology,
                ClientEvents events) {
            this.redis = redis;
            this.written = written;
            this.topology = topology;
            this.events = events;
        }

        @Override
        public void run() {
            int i = 0;
            while (running.get()) {
                String key = "w:" + i;
                try {
                    redis.set(key, Integer.toString(i));
                    written.put(key, Integer.toString(i));
                    String old = "pre:" + ThreadLocalRandom.current().nextInt(3000);
                    String value = redis.get(old);
                    if (!old.substring(4).equals(value)) {
                        errors.add(old + " read " + value);
                    }
                } catch (RuntimeException e) {
                    if (errors.isEmpty()) {
                        // Whose close it was is in the stack: "Connection closed" from DefaultEndpoint.notifyDrainQueuedCommands is
                        // the client's own (its endpoint closed, as when a refreshed topology no longer lists the node; one the
                        // server closes is reconnected and the command sent again); the events say which change it was.
                        var trace = new java.io.StringWriter();
                        e.printStackTrace(new java.io.PrintWriter(trace));
                        Progress.say("first client error at %s: %s; the client's topology then: %s; its last events: %s", key, trace,
                                topology.get(), events.last());
                    }
                    errors.add(key + ": " + e);
                }
                ops.addAndGet(2);
                i++;
            }
        }

        void awaitMore(long n) {
            long target = ops.get() + n;
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ops.get() >= target);
        }
    }
}
