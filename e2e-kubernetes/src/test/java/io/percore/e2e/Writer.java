package io.percore.e2e;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client writing through a Service as an application would: key {@code prefix:i} set to {@code i}, one write at a
 * time, each acknowledged or not ({@code WAIT 1}: only once a replica has it too). It remembers every acknowledged
 * key, and the outages it saw: runs of failed writes, with when they began and ended, so a scenario can say how long
 * writes were refused and how many times.
 *
 * <p>It writes at most {@link #DEFAULT_WRITES_PER_SECOND} a second, as an application's steady load does: unpaced, a
 * writer without WAIT ran at 10,000 a second on a quiet machine and filled the examples' keyspace (half of a 192 MiB
 * heap) within a scenario of minutes, so its writes were refused {@code -OOM} and the scenario failed on the machine's
 * speed (BackupIT on CI).
 */
final class Writer implements AutoCloseable {

    /**
     * A run of failed writes between two acknowledged ones.
     *
     * @param acceptedNanos when the service first took a write again (SET answered OK), before a replica acknowledged
     *                      one too ({@code WAIT 1}); the end of the outage without WAIT
     */
    record Outage(long beganNanos, long endedNanos, long acceptedNanos, int failures, String firstError, List<String> laterErrors) {
        Duration length() {
            return Duration.ofNanos(endedNanos - beganNanos);
        }

        @Override
        public String toString() {
            return String.format("%.1f s, writes taken again after %.1f s (%d failed writes, first: %s%s)", (endedNanos - beganNanos) / 1e9,
                    (acceptedNanos - beganNanos) / 1e9, failures, firstError, laterErrors.isEmpty() ? "" : "; then " + laterErrors);
        }
    }

    /** Fine enough to time an outage to the millisecond, and a million keys only after a quarter of an hour. */
    static final int DEFAULT_WRITES_PER_SECOND = 1000;

    /** An acknowledged write that took this long or longer is listed ({@link #slowWrites}): slow, not refused. */
    static final Duration SLOW = Duration.ofSeconds(1);

    /** The client's timeout unless said otherwise: a write not answered within it is a failed write. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** An acknowledged write (its SET and WAIT) that took at least {@link #SLOW}: when it began and how long it took. */
    record SlowWrite(long beganNanos, long nanos) {
        @Override
        public String toString() {
            return String.format("%.1f s", nanos / 1e9);
        }
    }

    /** The distinct errors after an outage's first, as few as tell what happened. */
    private static final int MAX_LATER_ERRORS = 3;

    private final Target target;
    private final String prefix;
    private final boolean waitForReplica;
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    /** When each write was acknowledged (epoch millis): what a lost one is compared with, the faults' times. */
    private final Map<String, Long> acknowledgedAtMillis = new ConcurrentHashMap<>();
    private final List<Outage> outages = new CopyOnWriteArrayList<>();
    private final List<SlowWrite> slowWrites = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong();
    /** The run of failed writes going on now, if any: what a wait that timed out reports. */
    private volatile String failing = "";
    private final Thread thread;
    /** The databases it writes to in turn, each write after a SELECT (empty: the URI's, without SELECT). */
    private final int[] databases;
    private final long nanosPerWrite;

    /** @param waitForReplica count a write as acknowledged only when {@code WAIT 1} says a replica has it */
    Writer(RedisURI uri, String prefix, boolean waitForReplica) {
        this(uri, prefix, waitForReplica, new int[0]);
    }

    /**
     * A writer selecting {@code databases} in turn, a SELECT before each write (a Redis that uses SELECT, issue 68): an
     * acknowledged write is recorded as {@code <db>/<key>} (see {@link #inDatabase}).
     */
    Writer(RedisURI uri, String prefix, boolean waitForReplica, int... databases) {
        this(uri, prefix, waitForReplica, DEFAULT_WRITES_PER_SECOND, databases.clone());
    }

    /** A writer of at most {@code writesPerSecond} writes a second (one that runs longer than most, or on a smaller keyspace). */
    static Writer paced(RedisURI uri, String prefix, boolean waitForReplica, int writesPerSecond) {
        return new Writer(uri, prefix, waitForReplica, writesPerSecond, new int[0]);
    }

    /**
     * A writer whose client waits {@code timeout} for each reply: a scenario that counts refusals, not slow replies, on a
     * loaded node (a reply seconds late is listed in {@link #slowWrites}).
     */
    static Writer withTimeout(RedisURI uri, String prefix, boolean waitForReplica, Duration timeout) {
        return new Writer(new ServiceTarget(uri, timeout), prefix, waitForReplica, DEFAULT_WRITES_PER_SECOND, new int[0]);
    }

    private Writer(RedisURI uri, String prefix, boolean waitForReplica, int writesPerSecond, int[] databases) {
        this(new ServiceTarget(uri, DEFAULT_TIMEOUT), prefix, waitForReplica, writesPerSecond, databases);
    }

    /**
     * A writer to a cluster-mode service, as a cluster client writes: each key's {@code SET} and {@code WAIT 1} to the
     * node that Lettuce's topology says owns its slot (on that node's connection, both in one flush, so the WAIT counts
     * that SET).
     */
    static Writer onCluster(RedisURI seed, String prefix, int writesPerSecond) {
        return new Writer(new ClusterTarget(seed), prefix, true, writesPerSecond, new int[0]);
    }

    private Writer(Target target, String prefix, boolean waitForReplica, int writesPerSecond, int[] databases) {
        if (writesPerSecond <= 0) {
            throw new IllegalArgumentException("writesPerSecond " + writesPerSecond);
        }
        this.nanosPerWrite = 1_000_000_000L / writesPerSecond;
        this.databases = databases;
        this.target = target;
        this.prefix = prefix;
        this.waitForReplica = waitForReplica;
        this.thread = new Thread(this::run, "writer-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long i = 0;
        long outageBegan = 0;
        long accepted = 0;
        int failures = 0;
        String firstError = null;
        java.util.Set<String> laterErrors = new java.util.LinkedHashSet<>();
        long nextWrite = System.nanoTime();
        while (running.get()) {
            long early = nextWrite - System.nanoTime();
            if (early > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(early);
            }
            // a write late (a slow reply) does not make the next ones come in a burst
            nextWrite = Math.max(nextWrite, System.nanoTime() - nanosPerWrite) + nanosPerWrite;
            String key = prefix + ":" + i;
            String value = Long.toString(i);
            int db = databases.length == 0 ? -1 : databases[(int) (i % databases.length)];
            attempts.incrementAndGet();
            long began = System.nanoTime();
            try {
                target.write(key, value, db, waitForReplica);
                long took = System.nanoTime() - began;
                if (took >= SLOW.toNanos()) {
                    slowWrites.add(new SlowWrite(began, took));
                }
                if (failures > 0 && accepted == 0) {
                    accepted = System.nanoTime();
                }
                acknowledged.put(db >= 0 ? db + "/" + key : key, value);
                acknowledgedAtMillis.put(db >= 0 ? db + "/" + key : key, System.currentTimeMillis());
                long now = System.nanoTime();
                lastAckNanos.set(now);
                if (failures > 0) {
                    failing = "";
                    outages.add(new Outage(outageBegan, now, accepted == 0 ? now : accepted, failures, firstError, List.copyOf(laterErrors)));
                    accepted = 0;
                    failures = 0;
                    firstError = null;
                    laterErrors.clear();
                }
                i++;
            } catch (RuntimeException e) {
                if (failures++ == 0) {
                    outageBegan = System.nanoTime();
                    firstError = e.toString();
                } else if (laterErrors.size() < MAX_LATER_ERRORS && !e.toString().equals(firstError)) {
                    laterErrors.add(e.toString());
                }
                if (e instanceof Refused refused && refused.taken && accepted == 0) {
                    accepted = System.nanoTime(); // the SET was taken; only WAIT found no replica
                }
                failing = String.format("failing for %.1f s (%d failed writes, first: %s%s)", (System.nanoTime() - outageBegan) / 1e9,
                        failures, firstError, laterErrors.isEmpty() ? "" : "; then " + laterErrors);
                target.reset();
                i++;   // never rewrite a key whose write may have been applied: its value says which write it was
                sleep(100);
            }
        }
        target.close();
    }

    /** A write not acknowledged; {@code taken}: the service took it and answered, only no replica had it in time (WAIT answered 0). */
    static final class Refused extends IllegalStateException {
        final boolean taken;

        Refused(String message, boolean taken) {
            super(message);
            this.taken = taken;
        }
    }

    /** Where the writes go: one write at a time, and a fresh start after one failed. */
    private interface Target {
        /**
         * {@code SET key value} (after {@code SELECT db} when {@code db >= 0}), then {@code WAIT 1} if asked; returns
         * when acknowledged, throws otherwise ({@link Refused} once the SET was taken).
         */
        void write(String key, String value, int db, boolean waitForReplica);

        /** After a failure: the next write goes where the service points now. */
        void reset();

        void close();
    }

    /** Through one Service's address, as an application's client does. */
    private static final class ServiceTarget implements Target {
        private final RedisClient client;
        private StatefulRedisConnection<String, String> connection;

        ServiceTarget(RedisURI uri, Duration timeout) {
            this.client = RedisClient.create(uri);
            // a command that cannot be sent fails at once instead of waiting in a queue for the link to come back:
            // what the outage measures is how long the service refused writes, not Lettuce's queue
            client.setOptions(ClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                    .timeoutOptions(TimeoutOptions.enabled(timeout)).build());
        }

        @Override
        public void write(String key, String value, int db, boolean waitForReplica) {
            if (connection == null) {
                connection = client.connect();
            }
            if (db >= 0) {
                connection.sync().select(db);
            }
            connection.sync().set(key, value);
            if (!waitForReplica) {
                return;
            }
            long replicas;
            try {
                replicas = connection.sync().waitForReplication(1, 2000);
            } catch (RuntimeException e) {
                // which step failed tells a slow primary (its SET) from a slow acknowledgement (WAIT's reply past its 2 s);
                // not counted as taken: a WAIT cut off (a reset, a timeout) says nothing of writes being taken now
                throw new Refused("WAIT 1 failed after the SET was taken: " + e, false);
            }
            if (replicas < 1) {
                throw new Refused("WAIT 1 answered 0: no replica has " + key, true);
            }
        }

        @Override
        public void reset() {
            if (connection != null) {
                // a new connection goes where the Service points now; an old one stays with the pod it reached
                // (kube-proxy keeps an established flow), which after a failover is a replica answering READONLY
                connection.closeAsync();
                connection = null;
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Through a cluster client: each key to its slot's owner as the client's topology has it. */
    private static final class ClusterTarget implements Target {
        private final RedisClusterClient client;
        private StatefulRedisClusterConnection<String, String> connection;

        ClusterTarget(RedisURI seed) {
            this.client = clusterClient(seed);
        }

        @Override
        public void write(String key, String value, int db, boolean waitForReplica) {
            if (connection == null) {
                connection = client.connect();
            }
            RedisClusterNode node = connection.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
            if (node == null) {
                throw new IllegalStateException("no node owns slot " + SlotHash.getSlot(key) + " in the client's topology");
            }
            StatefulRedisConnection<String, String> c = connection.getConnection(node.getNodeId());
            RedisFuture<String> set;
            RedisFuture<Long> wait;
            synchronized (c) {
                c.setAutoFlushCommands(false);
                try {
                    set = c.async().set(key, value);
                    wait = c.async().waitForReplication(1, 2000);
                    c.flushCommands();
                } finally {
                    c.setAutoFlushCommands(true);
                }
            }
            try {
                set.get(5, TimeUnit.SECONDS);
                if (wait.get(5, TimeUnit.SECONDS) < 1) {
                    throw new Refused("WAIT 1 answered 0 at " + node.getUri() + ": no replica has " + key, true);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException(key + " at " + node.getUri() + ": " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException(key + " at " + node.getUri() + ": no answer in 5 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void reset() {
            if (connection != null) {
                // the topology asked again now, not at the next periodic refresh; none to be had while every node is
                // down (the writer's thread must not end on it: it tries again after the next failed write)
                try {
                    client.refreshPartitions();
                } catch (RuntimeException e) {
                    // the next write fails and says why
                }
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** The keys of {@code acknowledged} that {@code get} does not answer with their value (asked in pipelined batches). */
    static List<String> lost(Map<String, String> acknowledged, java.util.function.Function<String, io.lettuce.core.RedisFuture<String>> get) {
        List<String> lost = new ArrayList<>();
        List<Map.Entry<String, String>> entries = new ArrayList<>(acknowledged.entrySet());
        for (int from = 0; from < entries.size(); from += 1000) {
            List<Map.Entry<String, String>> batch = entries.subList(from, Math.min(entries.size(), from + 1000));
            List<io.lettuce.core.RedisFuture<String>> gets = batch.stream().map(e -> get.apply(e.getKey())).toList();
            for (int i = 0; i < batch.size(); i++) {
                String value;
                try {
                    value = gets.get(i).get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("reading " + batch.get(i).getKey() + " back", e);
                }
                if (!batch.get(i).getValue().equals(value)) {
                    lost.add(batch.get(i).getKey());
                }
            }
        }
        return lost;
    }

    /** A cluster client that fails a command for a node it cannot reach at once and follows a moved slot within a second. */
    static RedisClusterClient clusterClient(RedisURI seed) {
        RedisClusterClient client = RedisClusterClient.create(seed);
        client.setOptions(ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(Duration.ofSeconds(1))
                        .enableAllAdaptiveRefreshTriggers().adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1)).build())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3))).build());
        return client;
    }

    /** The writes of {@code acknowledged} (a writer selecting databases) made in database {@code db}, by key. */
    static Map<String, String> inDatabase(Map<String, String> acknowledged, int db) {
        Map<String, String> out = new java.util.HashMap<>();
        String prefix = db + "/";
        acknowledged.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Waits until {@code n} more writes have been acknowledged since the call. */
    void awaitAcknowledged(int n, Duration atMost) {
        long target = acknowledged.size() + n;
        long attemptsBefore = attempts.get();
        try {
            org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> acknowledged.size() >= target);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // what the writer saw is what explains it: a failure on CI has no other trace of it
            throw new AssertionError(String.format("%d of %d writes acknowledged within %s (%d attempts); %s; outages before: %s",
                    n - (target - acknowledged.size()), n, atMost, attempts.get() - attemptsBefore,
                    failing.isEmpty() ? "no write failing now" : failing, outages), e);
        }
    }

    Map<String, String> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** When {@code key}'s write was acknowledged, or null if it was not. */
    java.time.Instant acknowledgedAt(String key) {
        Long at = acknowledgedAtMillis.get(key);
        return at == null ? null : java.time.Instant.ofEpochMilli(at);
    }

    List<Outage> outages() {
        return new ArrayList<>(outages);
    }

    /** The acknowledged writes that took {@link #SLOW} or longer, in order. */
    List<SlowWrite> slowWrites() {
        return new ArrayList<>(slowWrites);
    }

    long lastAcknowledgedNanos() {
        return lastAckNanos.get();
    }

    long attempts() {
        return attempts.get();
    }

    /** Stops writing and returns what was acknowledged. */
    Map<String, String> stop() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return acknowledged();
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
