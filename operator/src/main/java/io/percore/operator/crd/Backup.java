package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * {@code spec.backup}: the service's data copied to object storage, on a cron schedule and on request (the annotation
 * {@value #REQUEST_ANNOTATION}), one backup at a time, each a Job of the operator's image that reads a consistent
 * snapshot through the replication protocol from a replica in sync (else the primary) while the pods keep serving.
 * Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Backup {

    /** Set or change it (any value, e.g. the time) and one backup runs now: {@code kubectl annotate pcs kv percore.io/backup-requested="$(date)" --overwrite}. */
    public static final String REQUEST_ANNOTATION = "percore.io/backup-requested";

    @Pattern("^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9*/,-]+( +[0-9*/,-]+){4})$")
    @JsonPropertyDescription("When backups run: a cron expression of five fields (minute hour day-of-month month day-of-week; numbers,"
            + " *, ranges a-b, steps */n and lists a,b), in UTC, or @hourly, @daily, @weekly, @monthly, @yearly. A time missed (the"
            + " operator down, a backup still running) runs once, not once per missed time. Unset: only on request.")
    private String schedule;

    @JsonPropertyDescription("Stop scheduled backups (a running one finishes; a request still runs). Default false.")
    private Boolean suspend;

    @Required
    @JsonPropertyDescription("Where the backups go: any S3 API.")
    private BackupDestination destination;

    @JsonPropertyDescription("How many backups are kept (this service's folder only). Unset: all.")
    private BackupRetention retention;

    public String getSchedule() { return schedule; }
    public void setSchedule(String schedule) { this.schedule = schedule; }
    public Boolean getSuspend() { return suspend; }
    public void setSuspend(Boolean suspend) { this.suspend = suspend; }
    public BackupDestination getDestination() { return destination; }
    public void setDestination(BackupDestination destination) { this.destination = destination; }
    public BackupRetention getRetention() { return retention; }
    public void setRetention(BackupRetention retention) { this.retention = retention; }

    public static boolean enabled(PercoreServiceSpec spec) {
        return spec.getBackup() != null;
    }

    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }
}
