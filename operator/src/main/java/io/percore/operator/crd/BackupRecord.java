package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One backup as {@code status.backups} shows it: its Job, what started it, when, and what it left (the object, its size
 * and keys, how long it took) or why it failed ({@code reason} as the backup program gives it: {@code StorageUnreachable},
 * {@code AccessDenied}, {@code NoSuchBucket}, {@code SourceRefused} ...).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRecord {

    private String job;
    /** {@code schedule} or {@code request}. */
    private String trigger;
    private String startedAt;
    private String completedAt;
    private String object;
    private Long bytes;
    private Long keys;
    private Long durationMillis;
    private String source;
    private String reason;
    private String message;

    public String getJob() { return job; }
    public void setJob(String job) { this.job = job; }
    public String getTrigger() { return trigger; }
    public void setTrigger(String trigger) { this.trigger = trigger; }
    public String getStartedAt() { return startedAt; }
    public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
    public String getCompletedAt() { return completedAt; }
    public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
    public String getObject() { return object; }
    public void setObject(String object) { this.object = object; }
    public Long getBytes() { return bytes; }
    public void setBytes(Long bytes) { this.bytes = bytes; }
    public Long getKeys() { return keys; }
    public void setKeys(Long keys) { this.keys = keys; }
    public Long getDurationMillis() { return durationMillis; }
    public void setDurationMillis(Long durationMillis) { this.durationMillis = durationMillis; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public String getReason() { return reason; }
    public void setReason(String reason) { this.reason = reason; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BackupRecord r)) {
            return false;
        }
        return Objects.equals(job, r.job) && Objects.equals(trigger, r.trigger) && Objects.equals(startedAt, r.startedAt)
                && Objects.equals(completedAt, r.completedAt) && Objects.equals(object, r.object) && Objects.equals(bytes, r.bytes)
                && Objects.equals(keys, r.keys) && Objects.equals(durationMillis, r.durationMillis) && Objects.equals(source, r.source)
                && Objects.equals(reason, r.reason) && Objects.equals(message, r.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(job, trigger, startedAt, completedAt, object, bytes, keys, durationMillis, source, reason, message);
    }
}
