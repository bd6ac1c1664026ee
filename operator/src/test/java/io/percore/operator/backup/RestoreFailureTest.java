package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore that cannot be trusted is refused with its reason and leaves the data directory as it was (no snapshot,
 * no temporary file): a flipped byte, a truncated object, a manifest whose SHA-256 or key count the object does not
 * have, no backup at all, a full disk; and what a data directory already holds is never replaced by surprise.
 */
class RestoreFailureTest {

    static S3ProxyProcess s3;
    static String bucket;
    static byte[] rdb;
    static BackupManifest manifest;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    @BeforeAll
    static void oneBackup() throws Exception {
        s3 = S3ProxyProcess.shared();
        bucket = s3.bucket("restore");
        try (ServiceProcess redis = ServiceProcess.startRedis("pw", shared)) {
            Dataset.seed(redis.port, "pw", 3000);
            Map<String, String> env = new HashMap<>(s3.env(bucket, "p"));
            env.put("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + redis.port);
            env.put("PERCORE_BACKUP_PASSWORD", "pw");
            env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
            env.put("PERCORE_BACKUP_SERVICE", "kv");
            env.put("PERCORE_TERMINATION_LOG", shared.resolve("backup-log").toString());
            assertThat(BackupMain.run(env, Clock.systemUTC())).as(Files.readString(shared.resolve("backup-log"))).isZero();
        }
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, "p"))) {
            BackupCatalog.Backup b = BackupCatalog.of("p/ns1/kv/", store.list("p/ns1/kv/", 10)).latest().orElseThrow();
            manifest = BackupManifest.fromJson(store.read(b.manifestKey(), 65536), "test");
            try (ObjectStore.Download d = store.get(b.key())) {
                rdb = d.stream().readAllBytes();
            }
        }
        assertThat(rdb.length).as("larger than the file size limit of the full-disk test").isGreaterThan(100_000);
    }

    /** The backup copied as service {@code service}'s, its snapshot and manifest changed as told; returns the snapshot's key. */
    static String copy(String service, UnaryOperator<byte[]> data, UnaryOperator<BackupManifest> changeManifest) throws BackupException {
        String key = BackupNames.dataKey("p/ns1/" + service + "/", Instant.parse(manifest.startedAt()), manifest.id());
        BackupManifest m = changeManifest.apply(new BackupManifest(1, key, manifest.bytes(), manifest.sha256(), manifest.keys(),
                manifest.keysWithExpiry(), manifest.rdbVersion(), "ns1", service, manifest.id(), manifest.source(), manifest.startedAt(),
                manifest.completedAt(), manifest.durationMillis(), manifest.transferMillis()));
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, "p"))) {
            store.put(key, data.apply(rdb.clone()), "application/octet-stream", Map.of());
            if (m != null) {
                store.put(BackupNames.manifestKey(key), m.toJson(), "application/json", Map.of());
            }
        }
        return key;
    }

    Map<String, String> env(String service, Path data) {
        Map<String, String> env = new HashMap<>(s3.env(bucket, "p"));
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", service);
        env.put("PERCORE_DATA_DIR", data.toString());
        env.put("PERCORE_TERMINATION_LOG", dir.resolve("termination-log").toString());
        return env;
    }

    Map<String, Object> outcome() throws Exception {
        return TerminationMessage.parse(Files.readString(dir.resolve("termination-log")).trim());
    }

    /** Restores {@code service}'s latest into a fresh directory: refused with {@code reason}, and the directory left empty. */
    Map<String, Object> refused(Map<String, String> env, String reason) throws Exception {
        assertThat(RestoreMain.run(env)).isEqualTo(1);
        Map<String, Object> line = outcome();
        assertThat(line).as(line.toString()).containsEntry("outcome", "Failed").containsEntry("reason", reason);
        assertThat(entries(Path.of(env.get("PERCORE_DATA_DIR")))).as("nothing left behind").isEmpty();
        return line;
    }

    static List<String> entries(Path p) throws Exception {
        try (Stream<Path> s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).toList();
        }
    }

    @Test
    void aFlippedByteATruncatedObjectAndAManifestTheObjectDoesNotMatchAreRefused() throws Exception {
        copy("flipped", b -> {
            b[Dataset.valueTextAt(b, b.length / 2)] ^= 0x10; // a value's text: only the checksum tells
            return b;
        }, m -> m);
        assertThat((String) refused(env("flipped", dir.resolve("d1")), "CorruptSnapshot").get("message")).contains("not a valid RDB");
        copy("cut", b -> Arrays.copyOf(b, b.length - 1000), m -> m);
        assertThat((String) refused(env("cut", dir.resolve("d2")), "TruncatedSnapshot").get("message"))
                .contains("has " + (rdb.length - 1000) + " bytes, its manifest says " + rdb.length);
        copy("sha", b -> b, m -> new BackupManifest(1, m.object(), m.bytes(), "0".repeat(64), m.keys(), m.keysWithExpiry(), m.rdbVersion(),
                m.namespace(), m.service(), m.id(), m.source(), m.startedAt(), m.completedAt(), m.durationMillis(), m.transferMillis()));
        assertThat((String) refused(env("sha", dir.resolve("d3")), "ChecksumMismatch").get("message"))
                .contains("has SHA-256 " + manifest.sha256() + ", its manifest says 000");
        copy("keys", b -> b, m -> new BackupManifest(1, m.object(), m.bytes(), m.sha256(), m.keys() + 1, m.keysWithExpiry(), m.rdbVersion(),
                m.namespace(), m.service(), m.id(), m.source(), m.startedAt(), m.completedAt(), m.durationMillis(), m.transferMillis()));
        assertThat((String) refused(env("keys", dir.resolve("d4")), "SizeMismatch").get("message")).contains("holds 3000 keys, its manifest says 3001");
    }

    @Test
    void anObjectWithoutManifestIsCheckedAsAnRdbAndNoBackupIsSaid() throws Exception {
        String key = copy("bare", b -> b, m -> null);
        Map<String, String> env = env("bare", dir.resolve("d1"));
        refused(env, "NoBackup");
        assertThat((String) outcome().get("message")).contains("no complete backup under s3://" + bucket + "/p/ns1/bare/ (1 incomplete");
        env.put("PERCORE_RESTORE_OBJECT", "s3://" + bucket + "/" + key);
        assertThat(RestoreMain.run(env)).isZero();
        assertThat(outcome()).containsEntry("outcome", "Restored").containsEntry("verifiedAgainst", "rdb").containsEntry("keys", 3000);
        assertThat(Files.readAllBytes(dir.resolve("d1/dump.rdb"))).isEqualTo(rdb);

        String cut = copy("bare-cut", b -> Arrays.copyOf(b, b.length - 3), m -> null);
        Map<String, String> cutEnv = env("bare-cut", dir.resolve("d2"));
        cutEnv.put("PERCORE_RESTORE_OBJECT", cut);
        assertThat((String) refused(cutEnv, "TruncatedSnapshot").get("message")).contains("inside the checksum");

        Map<String, String> missing = env("bare", dir.resolve("d3"));
        missing.put("PERCORE_RESTORE_OBJECT", "p/ns1/bare/nothing-here.rdb");
        refused(missing, "NoSuchObject");
    }

    @Test
    void whatTheDirectoryHoldsIsKeptUnlessOverwriteIsAskedAndAnAppendOnlyFileIsNeverShadowed() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("dump.rdb"), "the pod's own");
        Files.writeString(data.resolve(RestoreRun.TEMP_PREFIX + "dead.rdb"), "a killed restore's");
        Map<String, String> env = env("kv", data);
        assertThat(RestoreMain.run(env)).isZero();
        assertThat(outcome()).containsEntry("outcome", "Skipped");
        assertThat(Files.readString(data.resolve("dump.rdb"))).isEqualTo("the pod's own");
        assertThat(entries(data)).as("a killed restore's temporary file removed").containsExactly("dump.rdb");
        env.put("PERCORE_RESTORE_OVERWRITE", "true");
        assertThat(RestoreMain.run(env)).isZero();
        assertThat(Files.readAllBytes(data.resolve("dump.rdb"))).isEqualTo(rdb);

        Files.createDirectories(data.resolve("appendonlydir"));
        Files.writeString(data.resolve("appendonlydir/appendonly.aof.manifest"), "file appendonly.aof.1.base.rdb seq 1 type b\n");
        assertThat(RestoreMain.run(env)).isEqualTo(1);
        assertThat(outcome()).containsEntry("reason", "DataDirectoryError");
        assertThat((String) outcome().get("message")).contains("would load instead of the restored snapshot");
        env.remove("PERCORE_RESTORE_OVERWRITE");
        assertThat(RestoreMain.run(env)).isZero();
        assertThat(outcome()).containsEntry("outcome", "Skipped");
    }

    /**
     * A full disk, played by a file size limit on a child JVM (writes past it fail with EFBIG as a full disk's fail
     * with ENOSPC, on the same path; the JVM ignores SIGXFSZ): refused with the reason, nothing left.
     */
    @Test
    void aFullDiskLeavesNothing() throws Exception {
        Path data = Files.createDirectories(dir.resolve("full"));
        Map<String, String> env = env("kv", data);
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -f 64 && exec \"$@\"", "restore",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), RestoreMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the child ends").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(1);
        assertThat(outcome()).containsEntry("reason", "DataDirectoryError");
        assertThat((String) outcome().get("message")).contains("writing " + data.resolve(RestoreRun.TEMP_PREFIX)).contains("File too large");
        assertThat(entries(data)).isEmpty();
    }
}
