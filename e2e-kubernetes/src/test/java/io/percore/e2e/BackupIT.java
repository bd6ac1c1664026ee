package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupRecord;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.RestoreStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backups and restore (issue 70) on the real node: S3Proxy (SigV4 on) on the host, bound to the pods' gateway as
 * MigrationIT binds its source; {@code operator/examples/backup.yaml} (a primary and its replica) backed up every minute
 * while a client writes, with 100,000 keys of five types, every tenth with a TTL; backups suspended after one holding
 * them all; the PercoreService and its claims deleted; {@code operator/examples/restore.yaml} creates a new service from
 * {@code latest}: every key of that backup back (type, value, TTL), of the writer's keys those before it, none after it.
 * Figures: the backup's and the restore's time for 100,000 keys. A cluster's: {@link ClusterBackupIT}.
 */
@ExtendWith(RealNodeExtension.class)
// early among the workers' classes: as the last but one it fell to the thread that joins the scenarios after the pod
// campaign, and ran its 1.5 minutes alone at the end of the parallel phase (docs/test-times.md)
@Order(5)
class BackupIT {

    static final String NAME = "kv";
    static final String RESTORED = "kv-restored";
    static final int KEYS = 100_000;
    /**
     * At most 10 minutes of them (the waits below) are 300,000 keys beside the load: the example's keyspace (96 MiB) refused
     * writes at about 1,000,000 (an unpaced writer reached them on a quiet machine).
     */
    static final int BACKUP_WRITES_PER_SECOND = 500;
    static final String BUCKET = "percore-backups";
    static final String IDENTITY = "percore-e2e";
    static final String CREDENTIAL = "percore-e2e-secret-4c7a19";
    /** The first minute's backup, the service's start and the load before it: a few minutes on the 2-CPU node. */
    static final Duration BACKED_UP_WITHIN = Duration.ofMinutes(6);
    /**
     * A pipelined batch of 1,000 commands, from its first command's dispatch to its last reply. Lettuce times each
     * command from its dispatch, so the bulk client's command timeout is this bound, not the 5 s of one command: a pod
     * that requests 100m of CPU gets little of a loaded node's 2 cores (CI saw a batch pass 5 s at load 10).
     */
    static final Duration BATCH_WITHIN = Duration.ofSeconds(30);

    @Test
    void aBackupEveryMinuteThenTheServiceAndItsClaimsDeletedAndANewOneRestoredFromLatest(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-backup-s3");
        int port = freePort();
        Process s3 = startS3Proxy(dir, port);
        try (var ns = cluster.namespace("e2e-backup")) {
            cluster.client().secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("kv-s3").endMetadata()
                    .addToData(BackupDestination.ACCESS_KEY_ID_KEY, base64(IDENTITY))
                    .addToData(BackupDestination.SECRET_ACCESS_KEY_KEY, base64(CREDENTIAL)).build()).create();
            cluster.volumes().add(2);
            PercoreService s = Cluster.example("backup.yaml");
            s.getSpec().getBackup().setSchedule("* * * * *");
            s.getSpec().getBackup().getDestination().setEndpoint("http://" + RealNode.GATEWAY + ":" + port);
            cluster.create(ns.name(), s);
            Duration ready = cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            cluster.awaitReachable(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            String password = cluster.password(ns.name(), NAME + "-auth");
            RedisURI primary = cluster.serviceUri(ns.name(), NAME + "-primary", "redis", password);
            long loadBegan = System.nanoTime();
            try (RedisClient client = Cluster.redis(bulk(primary)); var c = client.connect()) {
                load(c);
                assertThat(c.sync().dbsize()).isEqualTo(KEYS);
            }
            Instant loaded = Instant.now();
            Progress.say("backup: Ready in %d s, %d keys loaded in %d ms (slowest batch of 1,000: %d ms)", ready.toSeconds(), KEYS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadBegan), TimeUnit.NANOSECONDS.toMillis(slowestBatchNanos));

            Map<String, String> acknowledgedAtCompletion;
            Map<String, String> acknowledged;
            BackupRecord last;
            // minutes of writes (backups every minute until one holds the load, then their suspension) beside 100,000 keys
            try (Writer writer = Writer.paced(primary, "w", false, BACKUP_WRITES_PER_SECOND)) {
                writer.awaitAcknowledged(100, Duration.ofSeconds(30));
                // a backup started after the load: it holds every key
                PercoreService backedUp = cluster.awaitStatus(ns.name(), NAME, BACKED_UP_WITHIN, p -> p.getStatus() != null
                        && p.getStatus().getBackups() != null && p.getStatus().getBackups().getLastSuccessful() != null
                        && Instant.parse(p.getStatus().getBackups().getLastSuccessful().getStartedAt()).isAfter(loaded));
                acknowledgedAtCompletion = writer.acknowledged();
                cluster.patchSpec(ns.name(), NAME, "{\"backup\":{\"suspend\":true}}");
                // no more backups: the last one is the one that ran when the suspension came, if any
                PercoreService settled = cluster.awaitStatus(ns.name(), NAME, Duration.ofMinutes(3), p -> p.getStatus().getBackups() != null
                        && p.getStatus().getBackups().getRunning() == null && p.getStatus().getBackups().getNextScheduled() == null);
                last = settled.getStatus().getBackups().getLastSuccessful();
                if (!last.getJob().equals(backedUp.getStatus().getBackups().getLastSuccessful().getJob())) {
                    acknowledgedAtCompletion = writer.acknowledged(); // a later one completed meanwhile: it is the latest
                }
                writer.awaitAcknowledged(300, Duration.ofSeconds(30));
                acknowledged = writer.stop();
                assertThat(Cluster.is(settled, "BackedUp", "True")).isTrue();
            }
            assertThat(last.getKeys()).isGreaterThanOrEqualTo((long) KEYS);
            assertThat(last.getSource()).as("a replica in sync is read").endsWith("(slave)");
            assertThat(cluster.events(ns.name(), NAME)).extracting(e -> e.getReason()).contains("BackupStarted", "BackupSucceeded");
            Progress.say("backup: %d keys, %d bytes backed up in %d ms (Job %s, from %s) to %s", last.getKeys(), last.getBytes(),
                    last.getDurationMillis(), last.getJob(), last.getSource(), last.getObject());

            // the service and its claims gone
            cluster.client().resources(PercoreService.class).inNamespace(ns.name()).withName(NAME).delete();
            await().atMost(Duration.ofMinutes(3)).until(() -> cluster.pods(ns.name(), NAME).isEmpty());
            cluster.client().persistentVolumeClaims().inNamespace(ns.name()).withLabel("app.kubernetes.io/instance", NAME).delete();
            await().atMost(Duration.ofMinutes(2)).until(() -> cluster.client().persistentVolumeClaims().inNamespace(ns.name())
                    .withLabel("app.kubernetes.io/instance", NAME).list().getItems().isEmpty());

            cluster.volumes().add(2); // the first service's volumes are Retain: released, not bound again
            PercoreService r = Cluster.example("restore.yaml");
            r.getSpec().getRestoreFrom().getDestination().setEndpoint("http://" + RealNode.GATEWAY + ":" + port);
            long created = System.nanoTime();
            cluster.create(ns.name(), r);
            Duration restoredIn = cluster.awaitReady(ns.name(), RESTORED, PlanToPodsIT.READY_WITHIN);
            PercoreService done = cluster.awaitStatus(ns.name(), RESTORED, Duration.ofSeconds(60), p -> p.getStatus().getRestore() != null
                    && "Restored".equals(p.getStatus().getRestore().getPhase()));
            RestoreStatus restore = done.getStatus().getRestore();
            assertThat(restore.getObject()).isEqualTo(last.getObject());
            assertThat(restore.getKeys()).isEqualTo(last.getKeys());
            assertThat(restore.getPod()).isEqualTo(RESTORED + "-0");
            assertThat(Cluster.is(done, "Restored", "True")).isTrue();
            Progress.say("restore: %d keys restored in %d ms by %s's init container; Ready %d s after the create (%d s to a Ready primary and"
                    + " replica)", restore.getKeys(), restore.getDurationMillis(), restore.getPod(), restoredIn.toSeconds(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - created));

            cluster.awaitReachable(ns.name(), RESTORED, PlanToPodsIT.READY_WITHIN);
            String restoredPassword = cluster.password(ns.name(), RESTORED + "-auth");
            try (RedisClient client = Cluster.redis(bulk(cluster.serviceUri(ns.name(), RESTORED + "-primary", "redis", restoredPassword)));
                 var c = client.connect()) {
                assertThat(c.sync().dbsize()).isEqualTo(last.getKeys());
                verify(c);
                long writerKeys = last.getKeys() - KEYS;
                TreeMap<Long, String> restoredWrites = new TreeMap<>();
                Map<String, String> restoredValues = values(c, acknowledged.keySet());
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    String value = restoredValues.get(e.getKey());
                    if (value != null) {
                        assertThat(value).as(e.getKey()).isEqualTo(e.getValue());
                        restoredWrites.put(Long.parseLong(e.getValue()), e.getKey());
                    }
                }
                long highest = restoredWrites.isEmpty() ? -1 : restoredWrites.lastKey();
                Set<String> after = new java.util.HashSet<>(acknowledged.keySet());
                after.removeAll(acknowledgedAtCompletion.keySet());
                assertThat(values(c, after)).as("acknowledged after the backup completed").isEmpty();
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    if (Long.parseLong(e.getValue()) < highest) {
                        assertThat(restoredWrites).as("%s, acknowledged before a write the backup holds", e.getKey())
                                .containsKey(Long.parseLong(e.getValue()));
                    }
                }
                Progress.say("restore: %d keys compared (type, value, TTL); %d of the writer's keys in the backup (%d restored), %d acknowledged"
                        + " after it absent", KEYS, writerKeys, restoredWrites.size(), after.size());
            }
            assertThat(cluster.events(ns.name(), RESTORED)).extracting(e -> e.getReason()).contains("RestoreSucceeded");
        } finally {
            s3.destroyForcibly();
            s3.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** S3Proxy from its jar (the build copies it), SigV4 on, over a directory whose sub-directory is the bucket. */
    static Process startS3Proxy(Path dir, int port) throws IOException, InterruptedException {
        String jar = System.getProperty("percore.it.s3proxyJar", "");
        assertThat(Path.of(jar)).as("S3Proxy's jar (-Dpercore.it.s3proxyJar; the build copies it)").isRegularFile();
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.createDirectories(store.resolve(BUCKET));
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://" + RealNode.GATEWAY + ":" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + store,
                "jclouds.identity=" + IDENTITY,
                "jclouds.credential=" + CREDENTIAL, ""));
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "--properties", properties.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(RealNode.GATEWAY, port), 1000);
                return p;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException("S3Proxy did not start on " + RealNode.GATEWAY + ":" + port + ": " + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** 100,000 keys, a fifth each of strings, lists, hashes, sets and sorted sets, every tenth with a TTL of an hour or more. */
    static void load(StatefulRedisConnection<String, String> connection) {
        RedisAsyncCommands<String, String> a = connection.async();
        connection.setAutoFlushCommands(false);
        try {
            List<RedisFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                switch (i % 5) {
                    case 0 -> batch.add(a.set(key(i), "string-" + i));
                    case 1 -> batch.add(a.rpush(key(i), "a" + i, "b", "c" + (i % 7)));
                    case 2 -> batch.add(a.hset(key(i), Map.of("f1", "v" + i, "f2", Integer.toString(i * 3))));
                    case 3 -> batch.add(a.sadd(key(i), "m" + i, "n", "o" + (i % 11)));
                    default -> batch.add(a.zadd(key(i), ScoredValue.just(i, "x"), ScoredValue.just(-1.5, "y" + i)));
                }
                if (i % 10 == 0) {
                    batch.add(a.pexpire(key(i), 3_600_000L + i));
                }
                if (batch.size() >= 1000) {
                    flush(connection, batch);
                }
            }
            flush(connection, batch);
        } finally {
            connection.setAutoFlushCommands(true);
        }
    }

    /** The keys' string values (absent keys left out), read 1,000 GETs to a flush. */
    static Map<String, String> values(StatefulRedisConnection<String, String> connection, java.util.Collection<String> keys) {
        RedisAsyncCommands<String, String> a = connection.async();
        Map<String, String> found = new java.util.HashMap<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += 1000) {
            List<String> slice = all.subList(from, Math.min(all.size(), from + 1000));
            connection.setAutoFlushCommands(false);
            List<RedisFuture<String>> gets = new ArrayList<>();
            slice.forEach(k -> gets.add(a.get(k)));
            connection.flushCommands();
            connection.setAutoFlushCommands(true);
            for (int i = 0; i < slice.size(); i++) {
                String value = get(gets.get(i));
                if (value != null) {
                    found.put(slice.get(i), value);
                }
            }
        }
        return found;
    }

    /** Every loaded key as the load wrote it: its type's value, and its TTL (at most what was set, still running). */
    static void verify(StatefulRedisConnection<String, String> connection) {
        RedisAsyncCommands<String, String> a = connection.async();
        List<String> differences = new ArrayList<>();
        for (int from = 0; from < KEYS && differences.size() < 20; from += 1000) {
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> values = new ArrayList<>();
            List<RedisFuture<Long>> ttls = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                values.add(switch (i % 5) {
                    case 0 -> a.get(key(i));
                    case 1 -> a.lrange(key(i), 0, -1);
                    case 2 -> a.hgetall(key(i));
                    case 3 -> a.smembers(key(i));
                    default -> a.zrangeWithScores(key(i), 0, -1);
                });
                ttls.add(a.pttl(key(i)));
            }
            connection.flushCommands();
            connection.setAutoFlushCommands(true);
            for (int i = from; i < from + 1000; i++) {
                Object got = get(values.get(i - from));
                Object expected = switch (i % 5) {
                    case 0 -> "string-" + i;
                    case 1 -> List.of("a" + i, "b", "c" + (i % 7));
                    case 2 -> Map.of("f1", "v" + i, "f2", Integer.toString(i * 3));
                    case 3 -> Set.of("m" + i, "n", "o" + (i % 11));
                    default -> List.of(ScoredValue.just(-1.5, "y" + i), ScoredValue.just(i, "x"));
                };
                long ttl = get(ttls.get(i - from));
                boolean ttlRight = i % 10 == 0 ? ttl > 0 && ttl <= 3_600_000L + i : ttl == -1;
                if (!expected.equals(got) || !ttlRight) {
                    differences.add(key(i) + ": " + got + " pttl " + ttl + ", loaded " + expected);
                }
            }
        }
        assertThat(differences).as("keys that differ from what was loaded (the first 20)").isEmpty();
    }

    static String key(int i) {
        return "k" + (i % 5) + ":" + i;
    }

    /** The slowest batch of the last load, for the progress line: a stall shows there before it fails a run. */
    static long slowestBatchNanos;

    static void flush(StatefulRedisConnection<String, String> connection, List<RedisFuture<?>> batch) {
        long began = System.nanoTime();
        connection.flushCommands();
        for (RedisFuture<?> f : batch) {
            get(f);
        }
        batch.clear();
        slowestBatchNanos = Math.max(slowestBatchNanos, System.nanoTime() - began);
    }

    /** The same server for batches: each command may take as long as its batch. */
    static RedisURI bulk(RedisURI uri) {
        RedisURI copy = RedisURI.builder(uri).build();
        copy.setTimeout(BATCH_WITHIN);
        return copy;
    }

    static <T> T get(RedisFuture<T> f) {
        try {
            return f.get(BATCH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
