package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster's backup and restore on real processes and a real S3 API: one snapshot per group (each group a primary
 * with its own keys, read through the replication protocol), one manifest naming them; each of the new cluster's
 * first pods restores its group ({@link PodRestoreMain} with {@code PERCORE_RESTORE_PODS}), the others skip; a backup
 * whose groups and the cluster's primaries differ in number is refused by every pod; a group that cannot be read fails
 * the backup and leaves none of its objects.
 */
class ClusterBackupRestoreTest {

    static final String PASSWORD = "cluster-backup-password";
    static S3ProxyProcess s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void store() throws Exception {
        s3 = S3ProxyProcess.shared();
    }

    /** {@code n} keys {@code g<group>:<i>} (strings, every fifth with a TTL, every ninth a hash). */
    static void seed(int port, int group, int n) throws Exception {
        try (RespPipe p = new RespPipe(port, PASSWORD)) {
            for (int i = 0; i < n; i++) {
                String k = "g" + group + ":" + i;
                if (i % 9 == 0) {
                    p.queue("HSET", k, "f", "v" + i, "g", "w");
                } else {
                    p.queue("SET", k, "value-" + group + "-" + i);
                }
                if (i % 5 == 0) {
                    p.queue("PEXPIRE", k, "3600000");
                }
            }
            assertThat(p.sync()).noneMatch(r -> r instanceof RespPipe.RespError);
        }
    }

    private Map<String, String> backupEnv(String bucket, String sources, Path log) {
        Map<String, String> env = new HashMap<>(s3.env(bucket, "backups"));
        env.put("PERCORE_BACKUP_SOURCES", sources);
        env.put("PERCORE_BACKUP_SLOTS", "0-8191;8192-16383");
        env.put("PERCORE_BACKUP_PASSWORD", PASSWORD);
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        env.put("PERCORE_BACKUP_CONNECT_TIMEOUT", "2s");
        env.put("PERCORE_TERMINATION_LOG", log.toString());
        return env;
    }

    private Map<String, String> restoreEnv(String bucket, String pod, String pods, Path data, Path log) {
        Map<String, String> env = new HashMap<>(s3.env(bucket, "backups"));
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        env.put("PERCORE_DATA_DIR", data.toString());
        env.put("PERCORE_RESTORE_PODS", pods);
        env.put("POD_NAME", pod);
        env.put("PERCORE_TERMINATION_LOG", log.toString());
        return env;
    }

    @Test
    void eachGroupIsBackedUpAndRestoredOnItsOwnPod() throws Exception {
        String bucket = s3.bucket("cluster");
        Path log = dir.resolve("backup-log");
        try (ServiceProcess g0 = ServiceProcess.startRedis(PASSWORD, Files.createDirectories(dir.resolve("g0")));
             ServiceProcess g1 = ServiceProcess.startRedis(PASSWORD, Files.createDirectories(dir.resolve("g1")))) {
            seed(g0.port, 0, 3000);
            seed(g1.port, 1, 5000);
            assertThat(BackupMain.run(backupEnv(bucket, "127.0.0.1:" + g0.port + ";127.0.0.1:" + g1.port, log), Clock.systemUTC()))
                    .as(Files.readString(log)).isZero();
            Map<String, Object> line = TerminationMessage.parse(Files.readString(log).trim());
            assertThat(line).containsEntry("outcome", "Succeeded").containsEntry("groups", 2).containsEntry("keys", 8000)
                    .containsEntry("source", "127.0.0.1:" + g0.port + ", 127.0.0.1:" + g1.port)
                    .containsEntry("sourceRole", "0 of 2 groups from a replica");
            assertThat((String) line.get("object")).matches("s3://" + bucket + "/backups/ns1/kv/\\d{8}T\\d{6}\\.\\d{3}Z-[a-z0-9]{8}\\.json");

            String manifestKey = ((String) line.get("object")).substring(("s3://" + bucket + "/").length());
            try (ObjectStore store = ObjectStore.open(s3.settings(bucket, "backups"))) {
                BackupManifest m = BackupManifest.fromJson(store.read(manifestKey, BackupManifest.MAX_BYTES), manifestKey);
                assertThat(m.cluster()).isTrue();
                assertThat(m.keys()).isEqualTo(8000);
                assertThat(m.groups()).extracting(BackupManifest.Group::slots).containsExactly("0-8191", "8192-16383");
                assertThat(m.groups()).extracting(BackupManifest.Group::keys).containsExactly(3000L, 5000L);
                for (BackupManifest.Group g : m.groups()) {
                    assertThat(g.object()).isEqualTo(manifestKey.substring(0, manifestKey.length() - 5) + "." + g.group() + ".rdb");
                    byte[] object;
                    try (ObjectStore.Download d = store.get(g.object())) {
                        object = d.stream().readAllBytes();
                    }
                    assertThat(g.bytes()).isEqualTo(object.length);
                    assertThat(g.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object)));
                    assertThat(g.source().role()).isEqualTo("master");
                }
                assertThat(m.bytes()).isEqualTo(m.groups().get(0).bytes() + m.groups().get(1).bytes());
            }

            String pods = "kv2-0,kv2-1";
            List<Path> restored = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path data = dir.resolve("kv2-" + i);
                Path rlog = dir.resolve("restore-log-" + i);
                assertThat(PodRestoreMain.run(restoreEnv(bucket, "kv2-" + i, pods, data, rlog))).as(Files.readString(rlog)).isZero();
                assertThat(TerminationMessage.parse(Files.readString(rlog).trim())).containsEntry("outcome", "Restored")
                        .containsEntry("group", i).containsEntry("backup", line.get("object")).containsEntry("keys", i == 0 ? 3000 : 5000);
                restored.add(data);
            }
            Path replicaLog = dir.resolve("restore-log-replica");
            assertThat(PodRestoreMain.run(restoreEnv(bucket, "kv2-2", pods, dir.resolve("kv2-2"), replicaLog))).isZero();
            assertThat(TerminationMessage.parse(Files.readString(replicaLog).trim())).containsEntry("outcome", "Skipped");
            assertThat(dir.resolve("kv2-2").resolve("dump.rdb")).doesNotExist();

            for (int i = 0; i < 2; i++) {
                ServiceProcess source = i == 0 ? g0 : g1;
                try (ServiceProcess loaded = ServiceProcess.startServiceOn(PASSWORD, restored.get(i));
                     RespPipe a = new RespPipe(source.port, PASSWORD); RespPipe b = new RespPipe(loaded.port, PASSWORD)) {
                    assertThat(b.call("DBSIZE")).isEqualTo(i == 0 ? 3000L : 5000L);
                    for (int k = 0; k < (i == 0 ? 3000 : 5000); k += 37) {
                        String key = "g" + i + ":" + k;
                        Object want = k % 9 == 0 ? a.call("HGET", key, "f") : a.call("GET", key);
                        Object got = k % 9 == 0 ? b.call("HGET", key, "f") : b.call("GET", key);
                        assertThat(got).as(key).isEqualTo(want);
                        assertThat((Long) b.call("PTTL", key) > 0).as("TTL of " + key).isEqualTo(k % 5 == 0);
                    }
                }
            }

            // a cluster of three primaries cannot take two groups; a service that is no cluster cannot take any
            Path mismatch = dir.resolve("restore-log-mismatch");
            assertThat(PodRestoreMain.run(restoreEnv(bucket, "kv3-0", "kv3-0,kv3-1,kv3-2", dir.resolve("kv3-0"), mismatch))).isEqualTo(1);
            assertThat(TerminationMessage.parse(Files.readString(mismatch).trim())).containsEntry("reason", "LayoutMismatch")
                    .hasEntrySatisfying("message", msg -> assertThat((String) msg).contains("has 2 groups").contains("this cluster has 3 primaries"));
            Map<String, String> plain = restoreEnv(bucket, "kv4-0", "", dir.resolve("kv4-0"), mismatch);
            plain.remove("PERCORE_RESTORE_PODS");
            assertThat(PodRestoreMain.run(plain)).isEqualTo(1);
            assertThat(TerminationMessage.parse(Files.readString(mismatch).trim())).containsEntry("reason", "LayoutMismatch");
            assertThat(dir.resolve("kv3-0").resolve("dump.rdb")).doesNotExist();
            assertThat(dir.resolve("kv4-0").resolve("dump.rdb")).doesNotExist();
        }
    }

    @Test
    void aGroupThatCannotBeReadFailsTheBackupAndLeavesNoObject() throws Exception {
        String bucket = s3.bucket("cluster-fail");
        Path log = dir.resolve("backup-log");
        int closed = ServiceProcess.freePort();
        try (ServiceProcess g0 = ServiceProcess.startRedis(PASSWORD, Files.createDirectories(dir.resolve("g0")))) {
            seed(g0.port, 0, 500);
            assertThat(BackupMain.run(backupEnv(bucket, "127.0.0.1:" + g0.port + ";127.0.0.1:" + closed, log), Clock.systemUTC())).isEqualTo(1);
        }
        Map<String, Object> line = TerminationMessage.parse(Files.readString(log).trim());
        assertThat(line).containsEntry("outcome", "Failed").containsEntry("reason", "SourceUnreachable");
        assertThat((String) line.get("message")).startsWith("group 1 (slots 8192-16383): ");
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, "backups"))) {
            assertThat(store.list("backups/", 100)).as("group 0's snapshot is deleted with the failed backup").isEmpty();
        }
    }

    @Test
    void aBackupOfOneDataSetIsRestoredByTheClustersFirstPrimaryAndSkippedByTheOthers() throws Exception {
        String bucket = s3.bucket("cluster-single");
        Path log = dir.resolve("backup-log");
        try (ServiceProcess g0 = ServiceProcess.startRedis(PASSWORD, Files.createDirectories(dir.resolve("g0")))) {
            seed(g0.port, 0, 700);
            Map<String, String> env = backupEnv(bucket, "127.0.0.1:" + g0.port, log);
            env.remove("PERCORE_BACKUP_SLOTS");
            assertThat(BackupMain.run(env, Clock.systemUTC())).as(Files.readString(log)).isZero();
        }
        Path first = dir.resolve("restore-0");
        assertThat(PodRestoreMain.run(restoreEnv(bucket, "kv2-0", "kv2-0,kv2-1", dir.resolve("kv2-0"), first))).isZero();
        assertThat(TerminationMessage.parse(Files.readString(first).trim())).containsEntry("outcome", "Restored").containsEntry("keys", 700);
        Path second = dir.resolve("restore-1");
        assertThat(PodRestoreMain.run(restoreEnv(bucket, "kv2-1", "kv2-0,kv2-1", dir.resolve("kv2-1"), second))).isZero();
        assertThat(TerminationMessage.parse(Files.readString(second).trim())).containsEntry("outcome", "Skipped")
                .hasEntrySatisfying("message", m -> assertThat((String) m).contains("holds one data set, which the cluster's first primary restores"));
        assertThat(dir.resolve("kv2-1").resolve("dump.rdb")).doesNotExist();
    }
}
