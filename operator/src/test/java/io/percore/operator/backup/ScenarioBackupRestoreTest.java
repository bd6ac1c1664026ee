package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.percore.operator.TestResources;
import io.percore.operator.backupplan.BackupOutcomes;
import io.percore.operator.backupplan.RestoreOutcomes;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupsStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.crd.RestoreStatus;
import io.percore.operator.reconcile.RenderedBackups;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.sizing.SizingPlanner;
import io.percore.operator.sizing.SizingRequests;
import io.percore.operator.sizing.TestNodes;
import io.percore.operator.users.OperatorUsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.backup} and {@code spec.restoreFrom} end to end outside Kubernetes: the real {@link BackupMain} and
 * {@link PodRestoreMain} run with the environment the operator renders for its Job and its init container (Secrets
 * resolved as the kubelet would), against S3Proxy and demo-service processes, and their termination lines read back as
 * the operator reads them ({@code BackupOutcomes}, {@code RestoreOutcomes}). A demo of 100,000 keys under a writer is
 * backed up as the backups' own user (only {@code +info +psync +replconf}); a fresh demo restored from {@code latest}
 * holds every key of the snapshot with its type, value and TTL, and of the writer's keys exactly those before the
 * snapshot; the replica's pod skips; a corrupt and a truncated object are refused and leave nothing.
 */
class ScenarioBackupRestoreTest {

    static final String PASSWORD = "scenario-test-password";
    static final String BACKUP_PASSWORD = "backup-user-pw-5d1";
    static final int KEYS = 100_000;
    static S3ProxyProcess s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void store() throws Exception {
        s3 = S3ProxyProcess.shared();
    }

    @Test
    void theRenderedJobBacksUpTheDemoAndTheRenderedInitContainerRestoresIt() throws Exception {
        String bucket = s3.bucket("scenario");
        Map<String, Map<String, String>> secrets = Map.of(
                "s3", Map.of(BackupDestination.ACCESS_KEY_ID_KEY, S3ProxyProcess.IDENTITY, BackupDestination.SECRET_ACCESS_KEY_KEY,
                        S3ProxyProcess.CREDENTIAL),
                "kv-backup", Map.of("password", BACKUP_PASSWORD));
        PercoreService source = TestResources.service("kv", 1);
        Backup backup = new Backup();
        backup.setDestination(destination(bucket));
        source.getSpec().setBackup(backup);

        long written;
        Map<String, Object> outcome;
        try (ServiceProcess demo = ServiceProcess.startServiceOn(PASSWORD, Files.createDirectories(dir.resolve("source")))) {
            Dataset.seed(demo.port, PASSWORD, KEYS);
            try (RespPipe admin = new RespPipe(demo.port, PASSWORD)) {
                // the user the operator gives the pods for backups, with its rules as OperatorUsers has them
                List<String> command = new java.util.ArrayList<>(List.of("ACL", "SETUSER", OperatorUsers.BACKUP, "reset", "on", ">" + BACKUP_PASSWORD));
                OperatorUsers.backup("0".repeat(64)).rules().stream().filter(r -> r.startsWith("+") || r.startsWith("-")).forEach(command::add);
                assertThat(command).as("the rules the pods get").endsWith("+info", "+psync", "+replconf");
                assertThat(admin.call(command.toArray(String[]::new))).isEqualTo("OK");
            }
            Path log = dir.resolve("backup-termination-log");
            Map<String, String> env = new HashMap<>(RenderedBackups.jobEnv(source, List.of("127.0.0.1:" + demo.port), true, secrets));
            env.put("PERCORE_TERMINATION_LOG", log.toString());
            long ackedBefore;
            long ackedAfter;
            try (Writer writer = new Writer(demo.port, PASSWORD)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> writer.acked() >= 1000 || writer.failure() != null);
                ackedBefore = writer.acked();
                long t0 = System.nanoTime();
                assertThat(BackupMain.run(env, Clock.systemUTC())).as(Files.readString(log)).isZero();
                long t1 = System.nanoTime();
                ackedAfter = writer.acked();
                // the writer goes on after the backup: its later keys must not be in the restore
                await().atMost(Duration.ofSeconds(60)).until(() -> writer.acked() >= ackedAfter + 500 || writer.failure() != null);
                assertThat(writer.failure()).isNull();
                System.out.printf("scenario: backup of %d keys %d ms%n", KEYS, (t1 - t0) / 1_000_000);
            }
            try (RespPipe admin = new RespPipe(demo.port, PASSWORD)) {
                assertThat(admin.call("ACL", "LOG")).as("the backups' user was refused nothing").isEqualTo(List.of());
            }
            String line = Files.readString(log).trim();
            outcome = TerminationMessage.parse(line);
            written = ((Number) outcome.get("keys")).longValue() - KEYS;
            assertThat(written).as("the writer's keys in the snapshot").isBetween(ackedBefore, ackedAfter + 1);
            assertThat(outcome).containsEntry("outcome", "Succeeded").containsEntry("sourceRole", "master")
                    .containsEntry("sourceVersion", "7.0.15");
            try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
                // a demo-written object: its manifest and metadata as a redis-server's (BackupRestoreTest)
                BackupRestoreTest.assertManifest(store, outcome, KEYS + written, (KEYS + 6) / 7, "127.0.0.1:" + demo.port,
                        TestResources.NAMESPACE, "kv");
            }

            // the operator reads the Job's line into the status
            BackupsStatus running = new BackupsStatus();
            running.setRunning(BackupOutcomes.started("kv-backup-1", "request", Instant.now()));
            BackupOutcomes.Result read = BackupOutcomes.read(running, new BackupOutcomes.Observed(BackupOutcomes.JobState.SUCCEEDED,
                    Instant.now(), line, null, null), Instant.now());
            assertThat(read.status().getLastSuccessful().getKeys()).isEqualTo(KEYS + written);
            assertThat(read.status().getLastSuccessful().getObject()).startsWith("s3://" + bucket + "/percore/" + TestResources.NAMESPACE + "/kv/");

            // a new service restored from the latest backup of kv: kv2-0 restores, kv2-1 (a replica) skips
            PercoreService restored = TestResources.service("kv2", 1);
            restored.getSpec().setPersistence(new Persistence("snapshot", "1Gi"));
            RestoreFrom from = new RestoreFrom();
            from.setDestination(destination(bucket));
            from.setService("kv");
            restored.getSpec().setRestoreFrom(from);
            var plan = new SizingPlanner().plan(SizingRequests.fromSpec(restored.getSpec()),
                    List.of(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().shape()));

            Path replicaData = Files.createDirectories(dir.resolve("kv2-1"));
            assertThat(restore(restored, plan, "kv2-1", replicaData, secrets).getPhase()).isEqualTo(RestoreOutcomes.SKIPPED);
            try (var files = Files.list(replicaData)) {
                assertThat(files.toList()).as("the replica copies from the primary: nothing restored").isEmpty();
            }

            // an init container without its pod's name would have no pod restore: refused, not an empty service
            Map<String, String> nameless = new HashMap<>(RenderedBackups.restoreEnv(restored, plan, "kv2-0", secrets));
            nameless.remove("POD_NAME");
            nameless.put("PERCORE_DATA_DIR", replicaData.toString());
            nameless.put("PERCORE_TERMINATION_LOG", dir.resolve("nameless-log").toString());
            assertThat(PodRestoreMain.run(nameless)).isEqualTo(2);
            assertThat(Files.readString(dir.resolve("nameless-log"))).contains("InvalidSettings", "needs POD_NAME");

            Path data = Files.createDirectories(dir.resolve("kv2-0"));
            long r0 = System.nanoTime();
            RestoreStatus status = restore(restored, plan, "kv2-0", data, secrets);
            System.out.printf("scenario: restore of %d keys %d ms%n", KEYS + written, (System.nanoTime() - r0) / 1_000_000);
            assertThat(status.getPhase()).isEqualTo(RestoreOutcomes.RESTORED);
            assertThat(status.getKeys()).isEqualTo(KEYS + written);
            assertThat(status.getObject()).isEqualTo(outcome.get("object"));
            try (ServiceProcess fresh = ServiceProcess.startServiceOn(PASSWORD, data); RespPipe p = new RespPipe(fresh.port, PASSWORD)) {
                assertThat(p.call("DBSIZE")).isEqualTo(KEYS + written);
                Dataset.assertSame(demo.port, fresh.port, PASSWORD, KEYS);
                for (long i = 0; i < written; i++) {
                    p.queue("GET", "w:" + i);
                }
                List<Object> values = p.sync();
                for (int i = 0; i < written; i++) {
                    assertThat(values.get(i)).as("w:%d, written before the snapshot", i).isEqualTo(Integer.toString(i));
                }
                assertThat(p.call("EXISTS", "w:" + written)).as("the writer's keys after the snapshot").isEqualTo(0L);
                assertThat(p.call("EXISTS", "w:" + (ackedAfter + 400))).isEqualTo(0L);
            }
        }

        // a corrupt and a truncated object, each named in spec.restoreFrom.object: refused, the pod's volume left empty
        String key = (String) outcome.get("key");
        byte[] object;
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
            object = store.read(key, 64 << 20);
            byte[] flipped = object.clone();
            // a byte of a value's text, not of a length or an opcode: the file keeps its shape and only its CRC-64 tells
            // (a flip at a fixed offset landed on a length byte now and then, and read as a truncated file)
            flipped[Dataset.valueTextAt(object, object.length / 2)] ^= 0x5a;
            store.put("percore/" + TestResources.NAMESPACE + "/kv/corrupt.rdb", flipped, "application/octet-stream", Map.of());
            store.put("percore/" + TestResources.NAMESPACE + "/kv/truncated.rdb", java.util.Arrays.copyOf(object, object.length - 1000),
                    "application/octet-stream", Map.of());
        }
        for (String bad : List.of("corrupt", "truncated")) {
            PercoreService target = TestResources.service("kv3", 1);
            target.getSpec().setPersistence(new Persistence("snapshot", "1Gi"));
            RestoreFrom from = new RestoreFrom();
            from.setDestination(destination(bucket));
            from.setObject("s3://" + bucket + "/percore/" + TestResources.NAMESPACE + "/kv/" + bad + ".rdb");
            target.getSpec().setRestoreFrom(from);
            var plan = new SizingPlanner().plan(SizingRequests.fromSpec(target.getSpec()),
                    List.of(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().shape()));
            Path data = Files.createDirectories(dir.resolve("kv3-" + bad));
            RestoreStatus refused = restore(target, plan, "kv3-0", data, secrets);
            assertThat(refused.getPhase()).as(bad).isEqualTo(RestoreOutcomes.FAILED);
            assertThat(refused.getReason()).as(bad).isEqualTo(bad.equals("corrupt") ? "CorruptSnapshot" : "TruncatedSnapshot");
            try (var files = Files.list(data)) {
                assertThat(files.toList()).as("nothing half-loaded").isEmpty();
            }
        }
    }

    /** The init container as the kubelet runs it in {@code pod}, its volume at {@code data}; its line read as the operator does. */
    private RestoreStatus restore(PercoreService s, io.percore.operator.sizing.SizingPlan plan, String pod, Path data,
                                  Map<String, Map<String, String>> secrets) throws Exception {
        Map<String, String> env = new HashMap<>(RenderedBackups.restoreEnv(s, plan, pod, secrets));
        assertThat(env).containsEntry("PERCORE_DATA_DIR", Persistence.DATA_DIR);
        env.put("PERCORE_DATA_DIR", data.toString());
        Path log = dir.resolve(pod + "-" + System.nanoTime() + "-termination-log");
        env.put("PERCORE_TERMINATION_LOG", log.toString());
        int code = PodRestoreMain.run(env);
        String line = Files.readString(log);
        RestoreStatus status = RestoreOutcomes.read(null, new RestoreOutcomes.Observed(pod, false, line, code), "latest", Instant.now()).status();
        assertThat(code).as(line).isEqualTo(RestoreOutcomes.FAILED.equals(status.getPhase()) ? 1 : 0);
        return status;
    }

    private static BackupDestination destination(String bucket) {
        BackupDestination d = new BackupDestination();
        d.setEndpoint(s3.env(bucket, "").get("PERCORE_S3_ENDPOINT"));
        d.setBucket(bucket);
        d.setPrefix("percore");
        d.setPathStyle(true);
        d.setCredentialsSecretName("s3");
        return d;
    }
}
