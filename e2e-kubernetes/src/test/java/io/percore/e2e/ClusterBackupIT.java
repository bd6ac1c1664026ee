package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.crd.BackupRecord;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.RestoreStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster's backups (issue 70) on the real node, beside {@link BackupIT}'s replicated service and with its S3Proxy:
 * {@code cluster.yaml} (three primaries), one snapshot per primary on request, and a new cluster restored from them with
 * every key in place. A class of its own so that the two scenarios run side by side.
 */
@ExtendWith(RealNodeExtension.class)
@Order(11)
class ClusterBackupIT {

    /**
     * A cluster's backup and restore: {@code cluster.yaml} (three primaries) with 30,000 keys written by a cluster client,
     * backed up on request (one snapshot per primary, one manifest); the service deleted; a new cluster of three persistent
     * pods restored from {@code latest}: each pod restores its group, the first layout gives each the slots of its keys,
     * and every key is back with its value and nothing moves.
     */
    @Test
    void aClustersBackupIsOneSnapshotPerPrimaryAndANewClusterRestoresEveryKey(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-backup-cluster-s3");
        int port = BackupIT.freePort();
        Process s3 = BackupIT.startS3Proxy(dir, port);
        String name = "kvc";
        String restoredName = "kvc-restored";
        int keys = 30_000;
        try (var ns = cluster.namespace("e2e-backup-cluster")) {
            cluster.client().secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("kv-s3").endMetadata()
                    .addToData(BackupDestination.ACCESS_KEY_ID_KEY, BackupIT.base64(BackupIT.IDENTITY))
                    .addToData(BackupDestination.SECRET_ACCESS_KEY_KEY, BackupIT.base64(BackupIT.CREDENTIAL)).build()).create();
            BackupDestination destination = new BackupDestination();
            destination.setEndpoint("http://" + RealNode.GATEWAY + ":" + port);
            destination.setBucket(BackupIT.BUCKET);
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
                        String got = BackupIT.get(gets.get(i));
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
}
