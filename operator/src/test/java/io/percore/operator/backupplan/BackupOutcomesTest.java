package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.backup.Failure;
import io.percore.operator.backup.TerminationMessage;
import io.percore.operator.backupplan.BackupOutcomes.JobState;
import io.percore.operator.backupplan.BackupOutcomes.Observed;
import io.percore.operator.crd.BackupsStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupOutcomesTest {

    private static final Instant NOW = Instant.parse("2026-11-27T03:02:00Z");
    private static final String SUCCEEDED = "{\"outcome\":\"Succeeded\",\"object\":\"s3://b/default/kv/20261127T030000.123Z-kv-backup-1.rdb\","
            + "\"key\":\"default/kv/20261127T030000.123Z-kv-backup-1.rdb\",\"bytes\":13245678,\"keys\":100000,\"sha256\":\"ab\","
            + "\"durationMillis\":4200,\"transferMillis\":3100,\"startedAt\":\"2026-11-27T03:00:00.123Z\",\"source\":\"10.0.0.7:6379\","
            + "\"sourceRole\":\"slave\",\"sourceOffset\":77,\"sourceVersion\":\"7.0.15\",\"retentionDeleted\":2}";

    private static BackupsStatus running(String job) {
        BackupsStatus s = new BackupsStatus();
        s.setSince("2026-11-26T00:00:00Z");
        s.setRunning(BackupOutcomes.started(job, BackupSchedule.SCHEDULE, Instant.parse("2026-11-27T03:00:00Z")));
        return s;
    }

    @Test
    void aSuccessIsTheLastSuccessfulWithWhatTheProgramSaid() {
        BackupOutcomes.Result r = BackupOutcomes.read(running("kv-backup-1"),
                new Observed(JobState.SUCCEEDED, Instant.parse("2026-11-27T03:00:09Z"), SUCCEEDED, null, null), NOW);
        assertThat(r.finished()).isTrue();
        BackupsStatus s = r.status();
        assertThat(s.getRunning()).isNull();
        assertThat(s.getLastSuccessful().getObject()).isEqualTo("s3://b/default/kv/20261127T030000.123Z-kv-backup-1.rdb");
        assertThat(s.getLastSuccessful().getBytes()).isEqualTo(13245678L);
        assertThat(s.getLastSuccessful().getKeys()).isEqualTo(100000L);
        assertThat(s.getLastSuccessful().getDurationMillis()).isEqualTo(4200L);
        assertThat(s.getLastSuccessful().getSource()).isEqualTo("10.0.0.7:6379 (slave)");
        assertThat(s.getLastSuccessful().getCompletedAt()).isEqualTo("2026-11-27T03:00:09Z");
        assertThat(s.getLastSuccessful().getTrigger()).isEqualTo(BackupSchedule.SCHEDULE);
        assertThat(s.getFailuresInARow()).isZero();
        assertThat(r.events()).singleElement().satisfies(e -> {
            assertThat(e.warning()).isFalse();
            assertThat(e.reason()).isEqualTo(BackupOutcomes.SUCCEEDED);
            assertThat(e.message()).contains("100000 keys", "13245678 bytes", "retention deleted 2");
        });
        BackupOutcomes.Condition c = BackupOutcomes.condition(s);
        assertThat(c.status()).isTrue();
        assertThat(c.reason()).isEqualTo(BackupOutcomes.SUCCEEDED);
        assertThat(BackupOutcomes.lastSuccessOrSince(s)).isEqualTo(Instant.parse("2026-11-27T03:00:09Z"));
    }

    @Test
    void aFailureKeepsItsReasonAndCounts() {
        String line = TerminationMessage.failed(Failure.ACCESS_DENIED, "the store refused the credentials: 403 SignatureDoesNotMatch");
        BackupsStatus before = running("kv-backup-2");
        before.setFailuresInARow(2);
        BackupOutcomes.Result r = BackupOutcomes.read(before, new Observed(JobState.FAILED, null, line, "BackoffLimitExceeded", "x"), NOW);
        BackupsStatus s = r.status();
        assertThat(s.getLastFailed().getReason()).isEqualTo("AccessDenied");
        assertThat(s.getLastFailed().getMessage()).contains("403");
        assertThat(s.getLastFailed().getCompletedAt()).isEqualTo(NOW.toString());
        assertThat(s.getFailuresInARow()).isEqualTo(3);
        assertThat(r.events()).singleElement().satisfies(e -> {
            assertThat(e.warning()).isTrue();
            assertThat(e.reason()).isEqualTo(BackupOutcomes.FAILED);
            assertThat(e.message()).startsWith("AccessDenied: ").contains("keeps serving");
        });
        BackupOutcomes.Condition c = BackupOutcomes.condition(s);
        assertThat(c.status()).isFalse();
        assertThat(c.message()).startsWith("AccessDenied:").contains("3 in a row");
        assertThat(BackupOutcomes.lastSuccessOrSince(s)).as("no success yet: since").isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
    }

    @Test
    void aSuccessAfterAFailureIsTheConditionAndAFailureAfterASuccessToo() {
        BackupsStatus failed = BackupOutcomes.read(running("a"), new Observed(JobState.FAILED, Instant.parse("2026-11-27T03:01:00Z"),
                TerminationMessage.failed(Failure.STORAGE_UNREACHABLE, "no route"), null, null), NOW).status();
        failed.setRunning(BackupOutcomes.started("b", BackupSchedule.REQUEST, Instant.parse("2026-11-27T03:05:00Z")));
        BackupsStatus ok = BackupOutcomes.read(failed, new Observed(JobState.SUCCEEDED, Instant.parse("2026-11-27T03:06:00Z"), SUCCEEDED, null, null),
                NOW).status();
        assertThat(BackupOutcomes.condition(ok).status()).isTrue();
        assertThat(ok.getLastFailed().getReason()).as("the last failure stays in the status").isEqualTo("StorageUnreachable");
        ok.setRunning(BackupOutcomes.started("c", BackupSchedule.SCHEDULE, Instant.parse("2026-11-27T04:00:00Z")));
        BackupsStatus again = BackupOutcomes.read(ok, new Observed(JobState.FAILED, Instant.parse("2026-11-27T04:01:00Z"),
                TerminationMessage.failed(Failure.NO_SUCH_BUCKET, "no bucket b"), null, null), NOW).status();
        assertThat(BackupOutcomes.condition(again).status()).isFalse();
        assertThat(again.getFailuresInARow()).isEqualTo(1);
    }

    @Test
    void twoBackupsEndedInOneSecondAreOrderedByTheirStart() {
        BackupsStatus s = running("a");
        s = BackupOutcomes.read(s, new Observed(JobState.SUCCEEDED, Instant.parse("2026-11-27T03:01:00Z"), SUCCEEDED, null, null), NOW).status();
        s.setRunning(BackupOutcomes.started("b", BackupSchedule.SCHEDULE, Instant.parse("2026-11-27T03:01:00.300Z")));
        s = BackupOutcomes.read(s, new Observed(JobState.FAILED, Instant.parse("2026-11-27T03:01:00Z"),
                TerminationMessage.failed(Failure.ACCESS_DENIED, "403"), null, null), NOW).status();
        assertThat(BackupOutcomes.condition(s).status()).as("the failure started later: it is the last").isFalse();
    }

    @Test
    void aJobWithoutTheProgramsLineFailsWithTheJobsReasonAndAGoneJobIsLost() {
        BackupsStatus s = BackupOutcomes.read(running("kv-backup-3"), new Observed(JobState.FAILED, null, null, "DeadlineExceeded",
                "Job was active longer than specified deadline"), NOW).status();
        assertThat(s.getLastFailed().getReason()).isEqualTo("DeadlineExceeded");
        assertThat(s.getLastFailed().getMessage()).contains("longer than specified deadline", "kubectl describe job kv-backup-3");
        BackupsStatus lost = BackupOutcomes.read(running("kv-backup-4"), new Observed(JobState.MISSING, null, null, null, null), NOW).status();
        assertThat(lost.getLastFailed().getReason()).isEqualTo(BackupOutcomes.JOB_LOST);
        BackupsStatus garbage = BackupOutcomes.read(running("kv-backup-5"), new Observed(JobState.SUCCEEDED, null, "not json {", null, null), NOW)
                .status();
        assertThat(garbage.getLastFailed().getReason()).as("a success without the program's line is not trusted").isEqualTo("NoOutcome");
        assertThat(garbage.getLastSuccessful()).isNull();
    }

    @Test
    void aRunningJobChangesNothing() {
        BackupsStatus s = running("kv-backup-6");
        BackupOutcomes.Result r = BackupOutcomes.read(s, new Observed(JobState.ACTIVE, null, null, null, null), NOW);
        assertThat(r.finished()).isFalse();
        assertThat(r.status()).isSameAs(s);
        assertThat(r.events()).isEmpty();
        assertThat(BackupOutcomes.condition(s).reason()).isEqualTo("NoBackupYet");
        assertThat(BackupOutcomes.condition(s).message()).contains("running: Job kv-backup-6");
    }

    @Test
    void aBackupThatCouldNotStartIsAFailureWithItsReason() {
        BackupsStatus s = new BackupsStatus();
        BackupOutcomes.Result r = BackupOutcomes.notStarted(s, BackupSchedule.SCHEDULE, BackupOutcomes.NOT_STARTED,
                "Secret s3 with keys accessKeyId and secretAccessKey not found", NOW);
        assertThat(r.status().getLastFailed().getReason()).isEqualTo(BackupOutcomes.NOT_STARTED);
        assertThat(r.status().getLastFailed().getJob()).isNull();
        assertThat(r.status().getFailuresInARow()).isEqualTo(1);
        assertThat(r.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
        assertThat(s.getLastFailed()).as("the status read is not changed").isNull();
    }
}
