package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * {@code status.backups}: the last successful and the last failed backup, the one running, the next scheduled, and what
 * the schedule and the requests have been answered with (the scheduled time last run, the request annotation's value
 * last run), so that a missed time runs once and a request once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupsStatus {

    private BackupRecord lastSuccessful;
    private BackupRecord lastFailed;
    private BackupRecord running;
    private String nextScheduled;
    /** The scheduled time whose backup was started last (a missed time is run once: the latest one). */
    private String lastScheduled;
    /** The value of the request annotation whose backup was started last. */
    private String lastRequest;
    /** When this service's backups were first configured: "no backup for a day" counts from here until the first one. */
    private String since;
    /** Backups failed in a row since the last success. */
    private Integer failuresInARow;

    public BackupRecord getLastSuccessful() { return lastSuccessful; }
    public void setLastSuccessful(BackupRecord lastSuccessful) { this.lastSuccessful = lastSuccessful; }
    public BackupRecord getLastFailed() { return lastFailed; }
    public void setLastFailed(BackupRecord lastFailed) { this.lastFailed = lastFailed; }
    public BackupRecord getRunning() { return running; }
    public void setRunning(BackupRecord running) { this.running = running; }
    public String getNextScheduled() { return nextScheduled; }
    public void setNextScheduled(String nextScheduled) { this.nextScheduled = nextScheduled; }
    public String getLastScheduled() { return lastScheduled; }
    public void setLastScheduled(String lastScheduled) { this.lastScheduled = lastScheduled; }
    public String getLastRequest() { return lastRequest; }
    public void setLastRequest(String lastRequest) { this.lastRequest = lastRequest; }
    public String getSince() { return since; }
    public void setSince(String since) { this.since = since; }
    public Integer getFailuresInARow() { return failuresInARow; }
    public void setFailuresInARow(Integer failuresInARow) { this.failuresInARow = failuresInARow; }

    /** A copy (the status of one reconcile is built from the last one's without changing it). */
    public BackupsStatus copy() {
        BackupsStatus c = new BackupsStatus();
        c.lastSuccessful = lastSuccessful;
        c.lastFailed = lastFailed;
        c.running = running;
        c.nextScheduled = nextScheduled;
        c.lastScheduled = lastScheduled;
        c.lastRequest = lastRequest;
        c.since = since;
        c.failuresInARow = failuresInARow;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BackupsStatus b)) {
            return false;
        }
        return Objects.equals(lastSuccessful, b.lastSuccessful) && Objects.equals(lastFailed, b.lastFailed)
                && Objects.equals(running, b.running) && Objects.equals(nextScheduled, b.nextScheduled)
                && Objects.equals(lastScheduled, b.lastScheduled) && Objects.equals(lastRequest, b.lastRequest)
                && Objects.equals(since, b.since) && Objects.equals(failuresInARow, b.failuresInARow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lastSuccessful, lastFailed, running, nextScheduled, lastScheduled, lastRequest, since, failuresInARow);
    }
}
