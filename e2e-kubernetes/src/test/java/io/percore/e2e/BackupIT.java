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
import io.lettuce.core.cluster.RedisClusterClient;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.RestoreFrom;
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
 * Figures: the backup's and the restore's time for 100,000 keys. Then a cluster's ({@code cluster.yaml}, three primaries):
 * one snapshot per primary on request, and a new cluster restored from them with every key in place.
 */
@ExtendWith(RealNodeExtension.class)
@Order(11)
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
            try (RedisClient client = Cluster.redis(primary); var c = client.connect()) {
                load(c);
                assertThat(c.sync().dbsize()).isEqualTo(KEYS);
            }
            Instant loaded = Instant.now();
            Progress.say("backup: Ready in %d s, %d keys loaded in %d ms", ready.toSeconds(), KEYS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadBegan));

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
            try (RedisClient client = Cluster.redis(cluster.serviceUri(ns.name(), RESTORED + "-primary", "redis", restoredPassword));
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

    /**
     * A cluster's backup and restore: {@code cluster.yaml} (three primaries) with 30,000 keys written by a cluster client,
     * backed up on request (one snapshot per primary, one manifest); the service deleted; a new cluster of three persistent
     * pods restored from {@code latest}: each pod restores its group, the first layout gives each the slots of its keys,
     * and every key is back with its value and nothing moves.
     */
    @Test
    void aClustersBackupIsOneSnapshotPerPrimaryAndANewClusterRestoresEveryKey(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-backup-cluster-s3");
        int port = freePort();
        Process s3 = startS3Proxy(dir, port);
        String name = "kvc";
        String restoredName = "kvc-restored";
        int keys = 30_000;
        try (var ns = cluster.namespace("e2e-backup-cluster")) {
            cluster.client().secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("kv-s3").endMetadata()
                    .addToData(BackupDestination.ACCESS_KEY_ID_KEY, base64(IDENTITY))
                    .addToData(BackupDestination.SECRET_ACCESS_KEY_KEY, base64(CREDENTIAL)).build()).create();
            BackupDestination destination = new BackupDestination();
            destination.setEndpoint("http://" + RealNode.GATEWAY + ":" + port);
            destination.setBucket(BUCKET);
            destination.setPrefix("prod");
            destination.setPathStyle(true);
            destination.setCredentialsSecretName("kv-s3");
            PercoreService s = Cluster.example("cluster.yaml");
            s.getMetadata().setName(name);
            Backup backup = new Backup();
            backup.setDestination(destination);
            s.getSpec().setBackup(backup);
            cluster.create(ns.name(), s);
            cluster.awaitReady(ns.name(), name, PlanToPodsIT.READY_WITHIN);
            ClusterIT.awaitLayout(cluster, ns.name(), name, 3);
            Map<String, String> written = new java.util.HashMap<>();
            RedisURI seed = cluster.serviceUri(ns.name(), name, "redis", cluster.password(ns.name(), name + "-auth"));
            RedisClusterClient writer = RedisClusterClient.create(seed);
            try (var c = writer.connect()) {
                // async, each command written as it is issued: a cluster connection with auto-flush off does not flush a
                // command whose node connection was still being opened at flushCommands() (redis/lettuce#2420; it timed out
                // here on a loaded machine)
                List<RedisFuture<String>> sets = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    sets.add(c.async().set("c:" + i, "v" + i));
                    written.put("c:" + i, "v" + i);
                    if (sets.size() == 1000) {
                        sets.forEach(BackupIT::get);
                        sets.clear();
                    }
                }
                sets.forEach(BackupIT::get);
            } finally {
                writer.shutdown();
            }

            long requested = System.nanoTime();
            // a merge patch: an edit carries the resourceVersion it read, and the operator writing the status meanwhile made it 409
            cluster.client().resources(PercoreService.class).inNamespace(ns.name()).withName(name)
                    .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + Backup.REQUEST_ANNOTATION + "\":\"e2e-1\"}}}");
            PercoreService backedUp = cluster.awaitStatus(ns.name(), name, Duration.ofMinutes(4), p -> p.getStatus().getBackups() != null
                    && (p.getStatus().getBackups().getLastSuccessful() != null || p.getStatus().getBackups().getLastFailed() != null));
            assertThat(backedUp.getStatus().getBackups().getLastFailed()).as("no failed backup").isNull();
            BackupRecord last = backedUp.getStatus().getBackups().getLastSuccessful();
            assertThat(last.getObject()).as("a cluster's backup is named by its manifest").endsWith(".json");
            assertThat(last.getKeys()).isEqualTo(keys);
            Progress.say("cluster backup: %d keys, %d bytes of 3 primaries in %d ms (%d s after the request), from %s", last.getKeys(),
                    last.getBytes(), last.getDurationMillis(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - requested), last.getSource());

            cluster.client().resources(PercoreService.class).inNamespace(ns.name()).withName(name).delete();
            await().atMost(Duration.ofMinutes(3)).until(() -> cluster.pods(ns.name(), name).isEmpty());

            cluster.volumes().add(3);
            PercoreService r = Cluster.example("cluster.yaml");
            r.getMetadata().setName(restoredName);
            Persistence persistence = new Persistence("snapshot", "1Gi");
            r.getSpec().setPersistence(persistence);
            RestoreFrom from = new RestoreFrom();
            from.setDestination(destination);
            from.setService(name);
            r.getSpec().setRestoreFrom(from);
            long created = System.nanoTime();
            cluster.create(ns.name(), r);
            cluster.awaitReady(ns.name(), restoredName, PlanToPodsIT.READY_WITHIN);
            ClusterIT.awaitLayout(cluster, ns.name(), restoredName, 3);
            PercoreService done = cluster.awaitStatus(ns.name(), restoredName, Duration.ofSeconds(60), p -> p.getStatus().getRestore() != null
                    && "Restored".equals(p.getStatus().getRestore().getPhase()));
            RestoreStatus restore = done.getStatus().getRestore();
            assertThat(restore.getObject()).isEqualTo(last.getObject());
            assertThat(restore.getKeys()).isEqualTo(keys);
            assertThat(restore.getPod()).isEqualTo(restoredName + "-0, " + restoredName + "-1, " + restoredName + "-2");
            assertThat(cluster.events(ns.name(), restoredName)).extracting(e -> e.getReason()).doesNotContain("KeysOnSeveralPods");
            Progress.say("cluster restore: %d keys restored by 3 pods (longest %d ms), laid out and Ready %d s after the create; epoch %d",
                    restore.getKeys(), restore.getDurationMillis(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - created),
                    done.getStatus().getCluster().getConfigEpoch());

            RedisURI restoredSeed = cluster.serviceUri(ns.name(), restoredName, "redis", cluster.password(ns.name(), restoredName + "-auth"));
            RedisClusterClient reader = RedisClusterClient.create(restoredSeed);
            try (var c = reader.connect()) {
                // auto-flush on, as the writer above (redis/lettuce#2420)
                List<String> names = new ArrayList<>(written.keySet());
                List<String> differences = new ArrayList<>();
                for (int from0 = 0; from0 < names.size(); from0 += 1000) {
                    List<String> slice = names.subList(from0, Math.min(names.size(), from0 + 1000));
                    List<RedisFuture<String>> gets = new ArrayList<>();
                    slice.forEach(k -> gets.add(c.async().get(k)));
                    for (int i = 0; i < slice.size(); i++) {
                        String got = get(gets.get(i));
                        if (!written.get(slice.get(i)).equals(got) && differences.size() < 20) {
                            differences.add(slice.get(i) + ": " + got);
                        }
                    }
                }
                assertThat(differences).as("keys not restored with their value (the first 20)").isEmpty();
            } finally {
                reader.shutdown();
            }
        } finally {
            s3.destroyForcibly();
            s3.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** S3Proxy from its jar (the build copies it), SigV4 on, over a directory whose sub-directory is the bucket. */
    private static Process startS3Proxy(Path dir, int port) throws IOException, InterruptedException {
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
    private static void load(StatefulRedisConnection<String, String> connection) {
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
    private static Map<String, String> values(StatefulRedisConnection<String, String> connection, java.util.Collection<String> keys) {
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
    private static void verify(StatefulRedisConnection<String, String> connection) {
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

    private static String key(int i) {
        return "k" + (i % 5) + ":" + i;
    }

    private static void flush(StatefulRedisConnection<String, String> connection, List<RedisFuture<?>> batch) {
        connection.flushCommands();
        for (RedisFuture<?> f : batch) {
            get(f);
        }
        batch.clear();
    }

    private static <T> T get(RedisFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
