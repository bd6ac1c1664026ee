package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.ApiRequestRecord;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.backup.Failure;
import io.percore.operator.backup.TerminationMessage;
import io.percore.operator.backupplan.BackupOutcomes;
import io.percore.operator.backupplan.BackupSchedule;
import io.percore.operator.backupplan.RestoreOutcomes;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupRetention;
import io.percore.operator.crd.BackupsStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.crd.User;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import io.percore.operator.sizing.TestNodes;
import io.percore.operator.users.OperatorUsers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.backup} and {@code spec.restoreFrom} on Fabric8's mock API server. The mock runs no Job controller and no
 * kubelet: the test plays them, as the other tests play the StatefulSet controller, by giving a backup Job a pod with its
 * container's termination message and the Job its status, and the restoring pod its init container's. The pod that is
 * backed up is a redis-server started as the template says (its aclfile: the backups' own user reaches it).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class BackupTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SUCCEEDED = "{\"outcome\":\"Succeeded\",\"object\":\"s3://backups/percore/test/kv/20261127T030000.123Z-x.rdb\","
            + "\"key\":\"percore/test/kv/20261127T030000.123Z-x.rdb\",\"bytes\":13245678,\"keys\":100000,\"sha256\":\"ab\",\"durationMillis\":4200,"
            + "\"transferMillis\":3100,\"startedAt\":\"2026-11-27T03:00:00.123Z\",\"source\":\"127.0.0.1:6379\",\"sourceRole\":\"master\","
            + "\"sourceOffset\":77,\"sourceVersion\":\"7.0.15\",\"retentionDeleted\":0}";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private PercoreOperator operator;
    private final MovableClock clock = new MovableClock();
    private ApiRequestRecord record;
    private KubernetesClient operatorClient;
    private final Map<String, Integer> pods = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(BackupTest.class);
    }

    @BeforeEach
    void startOperator() throws java.io.IOException {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        record = new ApiRequestRecord(true, "percore-system");
        operatorClient = record.client(client.getConfiguration());
        operator = PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), operatorClient, new SchemaConfigCheck(),
                () -> { }, (pod, port) -> {
                    Integer p = pods.get(pod.getMetadata().getName());
                    return p == null ? null : new HostPort("127.0.0.1", p);
                }, clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        record.saveAs(BackupTest.class);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /**
     * A request starts a Job; while it runs the scheduled minute passes and starts no other (one at a time); its success
     * is the status, an event and the metrics; the missed minute then runs once; that one's failure (the store refused the
     * credentials) is a reason in the status, an event and a counted failure, and the service keeps serving.
     */
    @Test
    void backupsRunAsJobsOneAtATimeAndTheirOutcomeIsTheStatusTheEventsAndTheMetrics() throws Exception {
        // A second into a minute: the clock runs, and a minute that began while the pod was not Ready yet started a
        // backup that could not (a BackupNotStarted warning beside the failure looked for below; CI on 23634ca, 11:06 UTC)
        clock.moveTo(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(61));
        secret("s3", Map.of(BackupDestination.ACCESS_KEY_ID_KEY, "AK", BackupDestination.SECRET_ACCESS_KEY_KEY, "SK"));
        PercoreService s = service("kv");
        s.getSpec().setBackup(backup("* * * * *"));
        s.getSpec().getBackup().setRetention(new BackupRetention(3, null));
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().until(() -> deployment("kv") != null && client.secrets().inNamespace(NAMESPACE).withName("kv-backup").get() != null);
        startPod("kv", "kv-0");

        // the backups' own user, on the pod: what the data path sends, and no key
        await().atMost(WAIT).untilAsserted(() -> assertThat(PercoreServiceReconcilerTest.condition(current("kv"), "UsersApplied").getStatus())
                .isEqualTo("True"));
        try (TestResp backupUser = new TestResp(pods.get("kv-0"), OperatorUsers.BACKUP, password("kv-backup"))) {
            assertThat((String) backupUser.call("INFO", "replication")).contains("role:master");
            assertThatThrownBy(() -> backupUser.call("GET", "k")).hasMessageStartingWith("error reply: NOPERM");
            assertThatThrownBy(() -> backupUser.call("FLUSHALL")).hasMessageStartingWith("error reply: NOPERM");
        }

        request("kv", "first");
        Job first = await().atMost(WAIT).until(() -> jobs(), j -> j.size() == 1).get(0);
        Container c = first.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo(WorkloadRenderer.DEFAULT_OPERATOR_IMAGE);
        assertThat(c.getCommand()).containsExactly("java", "-cp", "@/app/jib-classpath-file", "io.percore.operator.backup.BackupMain");
        Map<String, String> env = env(c);
        assertThat(env).containsEntry("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + pods.get("kv-0"))
                .containsEntry("PERCORE_BACKUP_USERNAME", OperatorUsers.BACKUP).containsEntry("PERCORE_BACKUP_NAMESPACE", NAMESPACE)
                .containsEntry("PERCORE_BACKUP_SERVICE", "kv").containsEntry("PERCORE_BACKUP_ID", first.getMetadata().getName())
                .containsEntry("PERCORE_BACKUP_KEEP", "3").containsEntry("PERCORE_S3_ENDPOINT", "http://s3.example:9000")
                .containsEntry("PERCORE_S3_BUCKET", "backups").containsEntry("PERCORE_S3_PREFIX", "percore")
                .containsEntry("PERCORE_S3_PATH_STYLE", "true");
        assertThat(secretRefs(c)).containsEntry("PERCORE_BACKUP_PASSWORD", "kv-backup/password")
                .containsEntry("PERCORE_S3_ACCESS_KEY_ID", "s3/accessKeyId").containsEntry("PERCORE_S3_SECRET_ACCESS_KEY", "s3/secretAccessKey");
        assertThat(first.toString()).as("no secret in clear").doesNotContain(password("kv-backup")).doesNotContain("SK");
        assertThat(first.getSpec().getBackoffLimit()).as("a failed backup is reported, the next time tries again").isZero();
        assertThat(first.getSpec().getActiveDeadlineSeconds()).isEqualTo(BackupJobs.DEADLINE_SECONDS);
        assertThat(first.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getName()).isEqualTo("kv"));
        assertThat(first.getSpec().getTemplate().getMetadata().getLabels()).as("never the service's pods' labels: no Service routes to it")
                .doesNotContainEntry(Labels.NAME, "percore");
        assertThat(first.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        BackupsStatus running = current("kv").getStatus().getBackups();
        assertThat(running.getRunning().getJob()).isEqualTo(first.getMetadata().getName());
        assertThat(running.getRunning().getTrigger()).isEqualTo(BackupSchedule.REQUEST);
        assertThat(events(BackupOutcomes.STARTED)).singleElement().asString().contains(first.getMetadata().getName(), "(request)");

        // the scheduled minute passes while it runs (the clock moved to it; the Job controller's word that its pod runs
        // makes the operator look at once, not at its next look 30 s later): a later look (its next time moves on) starts nothing
        Instant next = Instant.parse(current("kv").getStatus().getBackups().getNextScheduled());
        clock.moveTo(next.plusSeconds(1));
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(first.getMetadata().getName()).editStatus(j -> {
            j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withActive(1).build());
            return j;
        });
        await().atMost(WAIT).until(() -> Instant.parse(current("kv").getStatus().getBackups().getNextScheduled()).isAfter(next));
        assertThat(jobs()).as("one at a time").hasSize(1);

        finish(first, true, SUCCEEDED);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            BackupsStatus b = current("kv").getStatus().getBackups();
            assertThat(b.getLastSuccessful().getJob()).isEqualTo(first.getMetadata().getName());
            assertThat(b.getLastSuccessful().getKeys()).isEqualTo(100000L);
            assertThat(b.getLastSuccessful().getObject()).isEqualTo("s3://backups/percore/test/kv/20261127T030000.123Z-x.rdb");
            assertThat(PercoreServiceReconcilerTest.condition(current("kv"), BackupOutcomes.CONDITION).getStatus()).isEqualTo("True");
        });
        assertThat(events(BackupOutcomes.SUCCEEDED)).singleElement().asString().contains("100000 keys");

        // the minute missed while it ran: one backup, for the latest time only
        Job second = await().atMost(WAIT).until(() -> jobs(), j -> j.size() == 2).stream()
                .filter(j -> !j.getMetadata().getName().equals(first.getMetadata().getName())).findFirst().orElseThrow();
        assertThat(current("kv").getStatus().getBackups().getRunning().getTrigger()).isEqualTo(BackupSchedule.SCHEDULE);
        finish(second, false, TerminationMessage.failed(Failure.ACCESS_DENIED, "the store refused the credentials: 403 InvalidAccessKeyId"));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PercoreService now = current("kv");
            assertThat(now.getStatus().getBackups().getLastFailed().getReason()).isEqualTo("AccessDenied");
            Condition backedUp = PercoreServiceReconcilerTest.condition(now, BackupOutcomes.CONDITION);
            assertThat(backedUp.getStatus()).isEqualTo("False");
            assertThat(backedUp.getMessage()).contains("AccessDenied", "403");
            assertThat(PercoreServiceReconcilerTest.condition(now, "Ready").getStatus()).as("the service keeps serving").isEqualTo("True");
        });
        assertThat(warnings(BackupOutcomes.FAILED)).singleElement().asString().startsWith("AccessDenied: ").contains(second.getMetadata().getName());
        String scrape = operator.registry().scrape();
        String tags = "{name=\"kv\",namespace=\"" + NAMESPACE + "\"}";
        assertThat(scrape).contains("percore_backup_last_keys" + tags + " 100000.0")
                .contains("percore_backup_last_size_bytes" + tags + " 1.3245678E7")
                .contains("percore_backup_last_duration_seconds" + tags + " 4.2")
                .contains("percore_backup_failures_total{name=\"kv\",namespace=\"" + NAMESPACE + "\",reason=\"AccessDenied\"} 1.0");
        double lastSuccess = Instant.parse(current("kv").getStatus().getBackups().getLastSuccessful().getCompletedAt()).toEpochMilli() / 1000.0;
        assertThat(scrape).contains("percore_backup_last_success_timestamp_seconds" + tags + " " + lastSuccess);
        // what /metrics exports while a service has backups: the chart's operator dashboard may query these (helm's OperatorDashboardTest)
        Path file = ApiRequestRecord.DIR.resolveSibling("operator-backup-metrics.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, scrape);
                try (TestResp app = new TestResp(pods.get("kv-0"), password("kv-auth"))) {
            assertThat(app.call("SET", "still", "serving")).isEqualTo("OK");
        }

        // backups off: the status and the service's series go
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"remove\",\"path\":\"/spec/backup\"}]");
        await().atMost(WAIT).until(() -> current("kv").getStatus().getBackups() == null);
        assertThat(operator.registry().scrape()).doesNotContain("percore_backup_last_keys" + tags);
    }

    /** A Secret the backup needs is missing: no Job, the reason in the status and an event; once it is there, the next request runs. */
    @Test
    void aBackupThatCannotStartSaysWhyAndTheNextRequestRuns() {
        PercoreService s = service("kv");
        s.getSpec().setBackup(backup(null));
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().until(() -> current("kv").getStatus().getBackups() != null);
        // no schedule, no pod: nothing but the annotation's own event reconciles within minutes
        request("kv", "one");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            BackupsStatus b = current("kv").getStatus().getBackups();
            assertThat(b.getLastFailed().getReason()).isEqualTo(BackupOutcomes.NOT_STARTED);
            assertThat(b.getLastFailed().getMessage()).contains("Secret s3 with keys accessKeyId and secretAccessKey not found");
            assertThat(b.getLastRequest()).isEqualTo("one");
        });
        assertThat(jobs()).isEmpty();
        assertThat(warnings(BackupOutcomes.FAILED)).singleElement().asString().contains("Secret s3");
        secret("s3", Map.of(BackupDestination.ACCESS_KEY_ID_KEY, "AK", BackupDestination.SECRET_ACCESS_KEY_KEY, "SK"));
        String huge = "x".repeat(100_000);
        request("kv", huge);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(current("kv").getStatus().getBackups()
                .getLastRequest()).as("a long request is kept as its hash").startsWith("sha256:").hasSize(71));
        request("kv", "two");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(current("kv").getStatus().getBackups().getLastFailed().getMessage())
                .contains("no ready pod of the service to read from"));
        assertThat(jobs()).isEmpty();
    }

    /**
     * A new service restored from a backup: its first pod's init container (the others skip and copy from it as replicas),
     * within the pod's resources; a corrupt object is refused with the program's reason (not Ready, Degraded, an event),
     * and once a restore succeeds the status says what was restored.
     */
    @Test
    void aRestoreIsTheFirstPodsInitContainerAndItsOutcomeIsTheStatus() {
        secret("s3", Map.of(BackupDestination.ACCESS_KEY_ID_KEY, "AK", BackupDestination.SECRET_ACCESS_KEY_KEY, "SK"));
        PercoreService s = service("kv2");
        s.getSpec().setPersistence(new Persistence("snapshot", "1Gi"));
        RestoreFrom from = new RestoreFrom();
        from.setDestination(backup(null).getDestination());
        from.setService("kv");
        s.getSpec().setRestoreFrom(from);
        client.resource(s).create();
        StatefulSet sts = await().atMost(WAIT).ignoreExceptions().until(() -> statefulSet("kv2"), java.util.Objects::nonNull);
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("restore");
            assertThat(init.getCommand()).containsExactly("java", "-cp", "@/app/jib-classpath-file", "io.percore.operator.backup.PodRestoreMain");
            assertThat(env(init)).containsEntry("PERCORE_RESTORE_POD", "kv2-0").containsEntry("PERCORE_RESTORE_OBJECT", "latest")
                    .containsEntry("PERCORE_BACKUP_SERVICE", "kv").containsEntry("PERCORE_BACKUP_NAMESPACE", NAMESPACE)
                    .containsEntry("PERCORE_DATA_DIR", "/data").containsEntry("PERCORE_S3_BUCKET", "backups");
            assertThat(init.getEnv()).anyMatch(e -> e.getName().equals("POD_NAME") && e.getValueFrom().getFieldRef().getFieldPath().equals("metadata.name"));
            assertThat(secretRefs(init)).containsEntry("PERCORE_S3_SECRET_ACCESS_KEY", "s3/secretAccessKey");
            assertThat(init.getVolumeMounts()).anyMatch(m -> m.getName().equals(WorkloadRenderer.DATA_VOLUME) && m.getMountPath().equals("/data"));
            assertThat(init.getResources().getRequests()).as("Guaranteed stays Guaranteed").isEqualTo(init.getResources().getLimits());
        });

        String corrupt = TerminationMessage.failed(Failure.CORRUPT_SNAPSHOT,
                "s3://backups/percore/test/kv/20261127T030000.123Z-x.rdb: the RDB's CRC-64 does not match its bytes");
        restoringPod("kv2-0", sts.getSpec().getTemplate(), corrupt, 1, false);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PercoreService now = current("kv2");
            assertThat(now.getStatus().getRestore().getPhase()).isEqualTo(RestoreOutcomes.FAILED);
            assertThat(now.getStatus().getRestore().getReason()).isEqualTo("CorruptSnapshot");
            assertThat(PercoreServiceReconcilerTest.condition(now, RestoreOutcomes.CONDITION).getReason()).isEqualTo(RestoreOutcomes.RESTORE_FAILED);
            Condition ready = PercoreServiceReconcilerTest.condition(now, "Ready");
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo(RestoreOutcomes.RESTORE_FAILED);
            assertThat(ready.getMessage()).contains("CorruptSnapshot", "stays empty");
            assertThat(PercoreServiceReconcilerTest.condition(now, "Degraded").getReason()).isEqualTo(RestoreOutcomes.RESTORE_FAILED);
        });
        assertThat(warnings(RestoreOutcomes.RESTORE_FAILED)).singleElement().asString().contains("CRC-64");

        String restored = "{\"outcome\":\"Restored\",\"object\":\"s3://backups/percore/test/kv/20261127T040000.000Z-y.rdb\",\"key\":\"k\","
                + "\"bytes\":12,\"keys\":100000,\"sha256\":\"ab\",\"verifiedAgainst\":\"manifest\",\"file\":\"/data/dump.rdb\","
                + "\"durationMillis\":900,\"transferMillis\":800}";
        client.pods().inNamespace(NAMESPACE).withName("kv2-0").delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NAMESPACE).withName("kv2-0").get() == null);
        restoringPod("kv2-0", sts.getSpec().getTemplate(), restored, 0, true);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PercoreService now = current("kv2");
            assertThat(now.getStatus().getRestore().getPhase()).isEqualTo(RestoreOutcomes.RESTORED);
            assertThat(now.getStatus().getRestore().getKeys()).isEqualTo(100000L);
            assertThat(now.getStatus().getRestore().getObject()).isEqualTo("s3://backups/percore/test/kv/20261127T040000.000Z-y.rdb");
            assertThat(PercoreServiceReconcilerTest.condition(now, RestoreOutcomes.CONDITION).getStatus()).isEqualTo("True");
        });
        assertThat(events("RestoreSucceeded")).singleElement().asString().contains("100000 keys");
    }

    private static PercoreService service(String name) {
        PercoreService s = TestResources.service(name, 1);
        s.getSpec().setReplicas(1);
        s.getSpec().setShardsPerPod(1);
        return s;
    }

    private static Backup backup(String schedule) {
        Backup b = new Backup();
        b.setSchedule(schedule);
        BackupDestination d = new BackupDestination();
        d.setEndpoint("http://s3.example:9000");
        d.setBucket("backups");
        d.setPrefix("percore");
        d.setPathStyle(true);
        d.setCredentialsSecretName("s3");
        b.setDestination(d);
        return b;
    }

    private void request(String name, String value) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + Backup.REQUEST_ANNOTATION + "\":\"" + value + "\"}}}");
    }

    /** The Job controller and kubelet's part: the Job's pod with its container's termination message, then the Job's status. */
    private void finish(Job job, boolean succeeded, String message) {
        String name = job.getMetadata().getName();
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name + "-abcde").withNamespace(NAMESPACE)
                .addToLabels(job.getSpec().getTemplate().getMetadata().getLabels()).addToLabels(BackupJobs.JOB_NAME_LABEL, name).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(name + "-abcde").editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(succeeded ? "Succeeded" : "Failed")
                    .addNewContainerStatus().withName(BackupJobs.CONTAINER).withNewState().withNewTerminated()
                    .withExitCode(succeeded ? 0 : 1).withMessage(message + "\n").endTerminated().endState().endContainerStatus().build());
            return p;
        });
        String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        client.batch().v1().jobs().inNamespace(NAMESPACE).withName(name).editStatus(j -> {
            var status = new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withStartTime(now);
            if (succeeded) {
                status.withSucceeded(1).withCompletionTime(now).addNewCondition().withType("Complete").withStatus("True").endCondition();
            } else {
                status.withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                        .withLastTransitionTime(now).endCondition();
            }
            j.setStatus(status.build());
            return j;
        });
    }

    /** The kubelet's part: a pod of the StatefulSet whose init container ended with {@code message}. */
    private void restoringPod(String name, PodTemplateSpec template, String message, int exitCode, boolean ready) {
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .withLabels(template.getMetadata().getLabels()).endMetadata().withSpec(template.getSpec()).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> {
            var status = new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase(ready ? "Running" : "Pending")
                    .addNewInitContainerStatus().withName(BackupJobs.RESTORE_CONTAINER).withNewState().withNewTerminated()
                    .withExitCode(exitCode).withMessage(message).endTerminated().endState().endInitContainerStatus()
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition();
            p.setStatus(status.build());
            return p;
        });
        client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv2").editStatus(st -> {
            st.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(ready ? 1 : 0)
                    .withUpdatedReplicas(1).build());
            return st;
        });
    }

    /** A redis-server started as the Deployment's template says (its aclfile as the operator's Secret holds it), and its Pod. */
    private void startPod(String service, String name) throws Exception {
        PodTemplateSpec template = deployment(service).getSpec().getTemplate();
        List<String> args = new ArrayList<>();
        for (EnvVar e : template.getSpec().getContainers().get(0).getEnv()) {
            String value = e.getValueFrom() != null ? password(e.getValueFrom().getSecretKeyRef().getName()) : e.getValue();
            switch (e.getName()) {
                case User.ACLFILE_ENV -> {
                    Secret users = await().atMost(WAIT).until(() -> client.secrets().inNamespace(NAMESPACE).withName(service + "-users").get(),
                            java.util.Objects::nonNull);
                    String file = new String(Base64.getDecoder().decode(users.getData().get(User.ACL_FILE)), StandardCharsets.UTF_8);
                    args.addAll(List.of("--aclfile", Files.writeString(dir.resolve(name + ".acl"), file).toString()));
                }
                case Replication.REQUIREPASS_ENV -> args.addAll(List.of("--requirepass", value));
                default -> { }
            }
        }
        ServiceProcess p = ServiceProcess.startRedis(dir, args, null, password(service + "-auth"));
        closing.add(p);
        pods.put(name, p.port);
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .withLabels(template.getMetadata().getLabels()).endMetadata().withSpec(template.getSpec()).build()).create();
        client.pods().inNamespace(NAMESPACE).withName(name).editStatus(pod -> {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
            return pod;
        });
        client.apps().deployments().inNamespace(NAMESPACE).withName(service).editStatus(d -> {
            d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1)
                    .withUpdatedReplicas(1).build());
            return d;
        });
    }

    private void secret(String name, Map<String, String> data) {
        SecretBuilder b = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        data.forEach((k, v) -> b.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(NAMESPACE).resource(b.build()).create();
    }

    private String password(String secret) {
        Secret s = await().atMost(WAIT).until(() -> client.secrets().inNamespace(NAMESPACE).withName(secret).get(), java.util.Objects::nonNull);
        return new String(Base64.getDecoder().decode(s.getData().get("password")), StandardCharsets.UTF_8);
    }

    private List<Job> jobs() {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems();
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    private StatefulSet statefulSet(String name) {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
    }

    private PercoreService current(String name) {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name).get();
    }

    private List<String> events(String reason) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }

    private List<String> warnings(String reason) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType())).map(Event::getMessage).toList();
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    /** name → secret/key of each variable taken from a Secret. */
    private static Map<String, String> secretRefs(Container c) {
        Map<String, String> refs = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                refs.put(e.getName(), e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey());
            }
        }
        return refs;
    }
}
