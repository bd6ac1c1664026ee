package io.percore.operator.backupplan;

import io.percore.operator.backup.TerminationMessage;
import io.percore.operator.crd.BackupRecord;
import io.percore.operator.crd.BackupsStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a finished backup Job says, as the status, the events and the condition show it: pure. A Job's outcome is its
 * container's termination line (the backup program's {@code Succeeded} or {@code Failed} with a reason); a Job that ended
 * without one (evicted, its deadline passed, its image not pulled) fails with the Job's own reason, and a Job that is gone
 * before it was read fails as {@value #JOB_LOST}. The service keeps serving either way, and the next time tries again.
 */
public final class BackupOutcomes {

    public static final String CONDITION = "BackedUp";
    public static final String SUCCEEDED = "BackupSucceeded";
    public static final String FAILED = "BackupFailed";
    public static final String STARTED = "BackupStarted";
    public static final String RETENTION_FAILED = "BackupRetentionFailed";
    /** The Job of the running backup is gone before its outcome was read (deleted by hand, or by its TTL). */
    public static final String JOB_LOST = "JobLost";
    /** The backup could not be started: a Secret it needs is missing, the service's shape cannot be backed up. */
    public static final String NOT_STARTED = "BackupNotStarted";

    private BackupOutcomes() {
    }

    public enum JobState { ACTIVE, SUCCEEDED, FAILED, MISSING }

    /**
     * What the operator saw of the running backup's Job.
     *
     * @param finishedAt  when the Job completed or failed (null: not said; now is taken)
     * @param termination the backup container's termination message (null: none)
     * @param jobReason   the Job's Failed condition's reason ({@code DeadlineExceeded}, {@code BackoffLimitExceeded}), or null
     * @param jobMessage  its message
     */
    public record Observed(JobState state, Instant finishedAt, String termination, String jobReason, String jobMessage) {
    }

    public record Event(boolean warning, String reason, String message) {
    }

    /** @param finished the running backup ended (its record moved to last successful or last failed) */
    public record Result(BackupsStatus status, List<Event> events, boolean finished, BackupRecord outcome) {
    }

    /** The record of a backup started now by Job {@code job}. */
    public static BackupRecord started(String job, String trigger, Instant now) {
        BackupRecord r = new BackupRecord();
        r.setJob(job);
        r.setTrigger(trigger);
        r.setStartedAt(now.toString());
        return r;
    }

    /** A backup that could not start (no Job was made): a failure like any, with its reason. */
    public static Result notStarted(BackupsStatus previous, String trigger, String reason, String message, Instant now) {
        BackupsStatus s = previous.copy();
        BackupRecord r = started(null, trigger, now);
        r.setCompletedAt(now.toString());
        r.setReason(reason);
        r.setMessage(message);
        s.setLastFailed(r);
        s.setFailuresInARow(inARow(previous) + 1);
        return new Result(s, List.of(new Event(true, FAILED, reason + ": " + message)), true, r);
    }

    /** The running backup's Job as seen now: nothing while it runs; its outcome once it ended. */
    public static Result read(BackupsStatus previous, Observed job, Instant now) {
        BackupRecord running = previous.getRunning();
        if (running == null || job.state() == JobState.ACTIVE) {
            return new Result(previous, List.of(), false, null);
        }
        BackupsStatus s = previous.copy();
        s.setRunning(null);
        BackupRecord r = copy(running);
        Instant end = job.finishedAt() == null ? now : job.finishedAt();
        r.setCompletedAt(end.toString());
        Map<String, Object> line = job.termination() == null ? Map.of() : TerminationMessage.parse(job.termination().trim());
        List<Event> events = new ArrayList<>();
        if (job.state() == JobState.SUCCEEDED && "Succeeded".equals(line.get("outcome"))) {
            r.setObject(text(line.get("object")));
            r.setBytes(number(line.get("bytes")));
            r.setKeys(number(line.get("keys")));
            r.setDurationMillis(number(line.get("durationMillis")));
            r.setSource(line.get("source") == null ? null : line.get("source") + (line.get("sourceRole") == null ? "" : " (" + line.get("sourceRole") + ")"));
            s.setLastSuccessful(r);
            s.setFailuresInARow(0);
            Long deleted = number(line.get("retentionDeleted"));
            events.add(new Event(false, SUCCEEDED, "backed up " + r.getKeys() + " keys (" + r.getBytes() + " bytes) to " + r.getObject()
                    + " in " + seconds(r.getDurationMillis()) + " from " + r.getSource() + " (Job " + r.getJob() + ")"
                    + (deleted != null && deleted > 0 ? "; retention deleted " + deleted + " object(s)" : "")));
            if (line.get("retentionError") != null) {
                events.add(new Event(true, RETENTION_FAILED, "the backup stands; retention failed: " + line.get("retentionError")));
            }
            return new Result(s, events, true, r);
        }
        if ("Failed".equals(line.get("outcome"))) {
            r.setReason(text(line.get("reason")));
            r.setMessage(text(line.get("message")));
        } else if (job.state() == JobState.MISSING) {
            r.setReason(JOB_LOST);
            r.setMessage("Job " + running.getJob() + " is gone before its outcome was read (deleted, or its TTL passed)");
        } else if (job.state() == JobState.SUCCEEDED) {
            // a Job that succeeded without the program's line: not one of ours to trust
            r.setReason("NoOutcome");
            r.setMessage("Job " + running.getJob() + " succeeded without the backup program's outcome line");
        } else {
            r.setReason(job.jobReason() == null ? "JobFailed" : job.jobReason());
            r.setMessage("Job " + running.getJob() + " failed without the backup program's outcome" + (job.jobMessage() == null ? ""
                    : ": " + job.jobMessage()) + " (its pod evicted, its deadline passed, its image not pulled: kubectl describe job "
                    + running.getJob() + ")");
        }
        s.setLastFailed(r);
        s.setFailuresInARow(inARow(previous) + 1);
        events.add(new Event(true, FAILED, r.getReason() + ": " + r.getMessage() + " (Job " + r.getJob() + "; the service keeps serving, the next"
                + " backup tries again)"));
        return new Result(s, events, true, r);
    }

    /** The condition {@value #CONDITION}: True once the last backup that ended succeeded. */
    public record Condition(boolean status, String reason, String message) {
    }

    public static Condition condition(BackupsStatus s) {
        BackupRecord ok = s.getLastSuccessful();
        BackupRecord failed = s.getLastFailed();
        String next = s.getNextScheduled() == null ? "" : "; next scheduled " + s.getNextScheduled();
        String running = s.getRunning() == null ? "" : "; running: Job " + s.getRunning().getJob() + " since " + s.getRunning().getStartedAt();
        // by start, the operator's own clock to the nanosecond: one backup at a time, so the later start is the later backup
        // (a Job's times are whole seconds, and two backups can end in one)
        if (failed != null && (ok == null || after(failed.getStartedAt(), ok.getStartedAt()))) {
            return new Condition(false, FAILED, failed.getReason() + ": " + failed.getMessage() + " (" + failed.getCompletedAt() + ", "
                    + inARow(s) + " in a row)" + running + next);
        }
        if (ok == null) {
            return new Condition(false, "NoBackupYet", "no backup has completed yet" + running + next);
        }
        return new Condition(true, SUCCEEDED, "last backup " + ok.getCompletedAt() + ": " + ok.getObject() + ", " + ok.getKeys() + " keys, "
                + ok.getBytes() + " bytes" + running + next);
    }

    /** The time "no backup for a day" counts from: the last success's, else when backups were configured. */
    public static Instant lastSuccessOrSince(BackupsStatus s) {
        BackupRecord ok = s.getLastSuccessful();
        String t = ok != null && ok.getCompletedAt() != null ? ok.getCompletedAt() : s.getSince();
        return parse(t);
    }

    static boolean after(String a, String b) {
        Instant x = parse(a);
        Instant y = parse(b);
        return x != null && (y == null || x.isAfter(y));
    }

    public static Instant parse(String t) {
        try {
            return t == null ? null : Instant.parse(t);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int inARow(BackupsStatus s) {
        return s.getFailuresInARow() == null ? 0 : s.getFailuresInARow();
    }

    private static String seconds(Long millis) {
        return millis == null ? "?" : Duration.ofMillis(millis).toMillis() / 1000.0 + " s";
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static Long number(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        try {
            return o == null ? null : Long.parseLong(o.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BackupRecord copy(BackupRecord r) {
        BackupRecord c = new BackupRecord();
        c.setJob(r.getJob());
        c.setTrigger(r.getTrigger());
        c.setStartedAt(r.getStartedAt());
        return c;
    }
}
