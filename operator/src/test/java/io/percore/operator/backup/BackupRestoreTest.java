package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.percore.operator.replication.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path end to end, on real processes: a redis-server 7.0 of 100,000 keys backed up by {@link BackupMain} to a real S3 API (S3Proxy) while a client writes, then restored by
 * {@link RestoreMain} into a fresh data directory that the demo service loads at start: every key the snapshot held is
 * there with its type, value and TTL, and of the client's writes exactly those before the snapshot's point. The same
 * path from a demo-service source runs once, as the operator renders it: {@link ScenarioBackupRestoreTest}.
 */
class BackupRestoreTest {

    static final String PASSWORD = "backup-test-password";
    static final int KEYS = 100_000;
    static S3ProxyProcess s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void store() throws Exception {
        s3 = S3ProxyProcess.shared();
    }

    @Test
    void aRedisServerUnderWritesIsBackedUpAndTheDemoServiceLoadsItsRestore() throws Exception {
        try (ServiceProcess source = ServiceProcess.startRedis(PASSWORD, Files.createDirectories(dir.resolve("redis")))) {
            backUpAndRestore(source, "redis");
        }
    }

    private void backUpAndRestore(ServiceProcess source, String name) throws Exception {
        Dataset.seed(source.port, PASSWORD, KEYS);
        String bucket = s3.bucket(name);
        Path log = dir.resolve("backup-termination-log");
        Map<String, String> env = new HashMap<>(s3.env(bucket, "backups"));
        env.put("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + source.port);
        env.put("PERCORE_BACKUP_PASSWORD", PASSWORD);
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        env.put("PERCORE_BACKUP_PART_SIZE", "5Mi"); // several parts for ~10 MB
        env.put("PERCORE_TERMINATION_LOG", log.toString());
        long ackedBefore;
        long ackedAfter;
        try (Writer writer = new Writer(source.port, PASSWORD)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.acked() >= 2000 || writer.failure() != null);
            long baselineFrom = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.ackedBetween(baselineFrom, System.nanoTime()) >= 2000
                    || writer.failure() != null);
            ackedBefore = writer.acked();
            long t0 = System.nanoTime();
            int code = BackupMain.run(env, Clock.systemUTC());
            long t1 = System.nanoTime();
            ackedAfter = writer.acked();
            assertThat(code).as(Files.readString(log)).isZero();
            System.out.printf("%s: backup %d ms; the writer's p99 %d us before, %d us during (%d writes during)%n", name, (t1 - t0) / 1_000_000,
                    writer.p99Micros(baselineFrom, t0), writer.p99Micros(t0, t1), writer.ackedBetween(t0, t1));
            assertThat(writer.ackedBetween(t0, t1)).as("the source kept serving its client during the backup").isPositive();
            assertThat(writer.failure()).isNull();
        }

        Map<String, Object> line = TerminationMessage.parse(Files.readString(log).trim());
        assertThat(line).containsEntry("outcome", "Succeeded").containsEntry("source", "127.0.0.1:" + source.port)
                .containsEntry("sourceRole", "master").containsEntry("sourceVersion", "7.0.15");
        String key = (String) line.get("key");
        assertThat(key).matches("backups/ns1/kv/\\d{8}T\\d{6}\\.\\d{3}Z-[a-z0-9]{8}\\.rdb");
        long keys = ((Number) line.get("keys")).longValue();
        assertThat(keys - KEYS).as("the writer's keys in the snapshot").isBetween(ackedBefore, ackedAfter + 1);

        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, "backups"))) {
            assertManifest(store, line, keys, (KEYS + 6) / 7, "127.0.0.1:" + source.port, "ns1", "kv");
        }

        Path data = dir.resolve(name + "-restored");
        Path restoreLog = dir.resolve("restore-termination-log");
        Map<String, String> restoreEnv = new HashMap<>(s3.env(bucket, "backups"));
        restoreEnv.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        restoreEnv.put("PERCORE_BACKUP_SERVICE", "kv");
        restoreEnv.put("PERCORE_DATA_DIR", data.toString());
        restoreEnv.put("PERCORE_TERMINATION_LOG", restoreLog.toString());
        assertThat(RestoreMain.run(restoreEnv)).as(Files.readString(restoreLog)).isZero();
        Map<String, Object> restored = TerminationMessage.parse(Files.readString(restoreLog).trim());
        assertThat(restored).containsEntry("outcome", "Restored").containsEntry("key", key).containsEntry("verifiedAgainst", "manifest")
                .containsEntry("file", data.resolve("dump.rdb").toString());
        assertThat(((Number) restored.get("keys")).longValue()).isEqualTo(keys);
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("dump.rdb");
        }

        try (ServiceProcess loaded = ServiceProcess.startServiceOn(PASSWORD, data); RespPipe p = new RespPipe(loaded.port, PASSWORD)) {
            assertThat(p.call("DBSIZE")).isEqualTo(keys);
            Dataset.assertSame(source.port, loaded.port, PASSWORD, KEYS);
            long written = keys - KEYS;
            for (long i = 0; i < written; i++) {
                p.queue("GET", "w:" + i);
            }
            List<Object> values = p.sync();
            for (int i = 0; i < written; i++) {
                assertThat(values.get(i)).as("w:%d, acknowledged before the snapshot's point", i).isEqualTo(Integer.toString(i));
            }
            assertThat(p.call("EXISTS", "w:" + written)).as("nothing after the point").isEqualTo(0L);
        }

        // a second run of the init container (the pod restarted): the directory holds data, it is left alone
        assertThat(RestoreMain.run(restoreEnv)).isZero();
        assertThat(TerminationMessage.parse(Files.readString(restoreLog).trim())).containsEntry("outcome", "Skipped");
    }

    /**
     * The manifest beside a backup's object says what the object is (its bytes, digest, keys, RDB version) and where it
     * came from, as the Job's termination {@code line} does, and the object's metadata agrees: what a restore verifies
     * the object against. Also for a demo-written object ({@link ScenarioBackupRestoreTest}).
     */
    static void assertManifest(ObjectStore store, Map<String, Object> line, long keys, long keysWithExpiry, String source,
                               String namespace, String service) throws Exception {
        String key = (String) line.get("key");
        BackupManifest manifest = BackupManifest.fromJson(store.read(BackupNames.manifestKey(key), 65536), "test");
        byte[] object;
        Map<String, String> metadata;
        try (ObjectStore.Download d = store.get(key)) {
            object = d.stream().readAllBytes();
            metadata = d.metadata();
        }
        assertThat(manifest.object()).isEqualTo(key);
        assertThat(manifest.bytes()).isEqualTo(object.length).isEqualTo(((Number) line.get("bytes")).longValue());
        assertThat(manifest.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(object)))
                .isEqualTo(line.get("sha256"));
        assertThat(manifest.keys()).isEqualTo(keys);
        assertThat(manifest.keysWithExpiry()).isEqualTo(keysWithExpiry);
        assertThat(manifest.rdbVersion()).isEqualTo(10);
        assertThat(manifest.namespace()).isEqualTo(namespace);
        assertThat(manifest.service()).isEqualTo(service);
        assertThat(manifest.source().role()).isEqualTo("master");
        assertThat(manifest.source().offset()).isNotNegative();
        assertThat(manifest.durationMillis()).isPositive().isGreaterThanOrEqualTo(manifest.transferMillis());
        assertThat(manifest.transferMillis()).isPositive();
        assertThat(metadata).containsEntry("percore-source", source).containsEntry("percore-source-role", "master")
                .containsEntry("percore-source-offset", Long.toString(manifest.source().offset()))
                .containsEntry("percore-source-replid", manifest.source().replid())
                .containsEntry("percore-namespace", namespace).containsEntry("percore-service", service);
        assertThat(RdbCheck.check(new java.io.ByteArrayInputStream(object), java.io.OutputStream.nullOutputStream(), Long.MAX_VALUE).keys())
                .isEqualTo(keys);
    }
}
