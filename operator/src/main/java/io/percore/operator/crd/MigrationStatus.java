package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * {@code status.migration}: where a move from a running Redis stands. Phases: {@code Linking} (the service's primary
 * is being made a replica of the source), {@code Syncing} (the full copy is under way: bytes and keys loaded),
 * {@code Replicating} (in sync, following the source's writes: the lag in bytes and seconds), {@code Completed} (cut
 * over: the service is the primary and the source is left alone), {@code Refused} (the source cannot be moved in:
 * the message says why), {@code Failing} (the pod's link to the source fails try after try: {@code linkError} says why,
 * as the pod's {@code INFO replication} does).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationStatus {

    private String source;
    private String phase;
    private String linkStatus;
    private String sourceVersion;
    private Long sourceKeys;
    private Long keysLoaded;
    private Long syncBytesLoaded;
    private Long syncBytesTotal;
    private Long lagBytes;
    private Long lagSeconds;
    private Long sourceOffsetSeen;
    private String sourceOffsetSeenAt;
    private Integer fullSyncs;
    private String startedAt;
    private String cutoverAt;
    private Long writesPausedMillis;
    private String cutoverFailedAt;
    private String cutoverFailure;
    private String linkError;
    private String linkErrorSince;
    private Long linkFailures;
    private String message;

    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public String getPhase() { return phase; }
    public void setPhase(String phase) { this.phase = phase; }
    public String getLinkStatus() { return linkStatus; }
    public void setLinkStatus(String linkStatus) { this.linkStatus = linkStatus; }
    public String getSourceVersion() { return sourceVersion; }
    public void setSourceVersion(String sourceVersion) { this.sourceVersion = sourceVersion; }
    public Long getSourceKeys() { return sourceKeys; }
    public void setSourceKeys(Long sourceKeys) { this.sourceKeys = sourceKeys; }
    public Long getKeysLoaded() { return keysLoaded; }
    public void setKeysLoaded(Long keysLoaded) { this.keysLoaded = keysLoaded; }
    public Long getSyncBytesLoaded() { return syncBytesLoaded; }
    public void setSyncBytesLoaded(Long syncBytesLoaded) { this.syncBytesLoaded = syncBytesLoaded; }
    public Long getSyncBytesTotal() { return syncBytesTotal; }
    public void setSyncBytesTotal(Long syncBytesTotal) { this.syncBytesTotal = syncBytesTotal; }
    public Long getLagBytes() { return lagBytes; }
    public void setLagBytes(Long lagBytes) { this.lagBytes = lagBytes; }
    public Long getLagSeconds() { return lagSeconds; }
    public void setLagSeconds(Long lagSeconds) { this.lagSeconds = lagSeconds; }
    /** The source's offset at {@link #getSourceOffsetSeenAt()}: the lag in seconds is how long the service has trailed it. */
    public Long getSourceOffsetSeen() { return sourceOffsetSeen; }
    public void setSourceOffsetSeen(Long sourceOffsetSeen) { this.sourceOffsetSeen = sourceOffsetSeen; }
    public String getSourceOffsetSeenAt() { return sourceOffsetSeenAt; }
    public void setSourceOffsetSeenAt(String sourceOffsetSeenAt) { this.sourceOffsetSeenAt = sourceOffsetSeenAt; }
    public Integer getFullSyncs() { return fullSyncs; }
    public void setFullSyncs(Integer fullSyncs) { this.fullSyncs = fullSyncs; }
    public String getStartedAt() { return startedAt; }
    public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
    public String getCutoverAt() { return cutoverAt; }
    public void setCutoverAt(String cutoverAt) { this.cutoverAt = cutoverAt; }
    /** How long the source's writes were paused by the cut-over that completed (or by the last one tried). */
    public Long getWritesPausedMillis() { return writesPausedMillis; }
    public void setWritesPausedMillis(Long writesPausedMillis) { this.writesPausedMillis = writesPausedMillis; }
    /** When the last cut-over failed: the next is tried no sooner than a minute later (each one holds the source's writes). */
    public String getCutoverFailedAt() { return cutoverFailedAt; }
    public void setCutoverFailedAt(String cutoverFailedAt) { this.cutoverFailedAt = cutoverFailedAt; }
    public String getCutoverFailure() { return cutoverFailure; }
    public void setCutoverFailure(String cutoverFailure) { this.cutoverFailure = cutoverFailure; }
    /** Why the pod's last try to link or sync failed, while its tries fail (its INFO's {@code master_link_last_error}). */
    public String getLinkError() { return linkError; }
    public void setLinkError(String linkError) { this.linkError = linkError; }
    /** Since when the tries fail for {@link #getLinkError()}'s reason. */
    public String getLinkErrorSince() { return linkErrorSince; }
    public void setLinkErrorSince(String linkErrorSince) { this.linkErrorSince = linkErrorSince; }
    /** How many tries failed in a row (whatever their reasons). */
    public Long getLinkFailures() { return linkFailures; }
    public void setLinkFailures(Long linkFailures) { this.linkFailures = linkFailures; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }

    public MigrationStatus copy() {
        MigrationStatus c = new MigrationStatus();
        c.source = source;
        c.phase = phase;
        c.linkStatus = linkStatus;
        c.sourceVersion = sourceVersion;
        c.sourceKeys = sourceKeys;
        c.keysLoaded = keysLoaded;
        c.syncBytesLoaded = syncBytesLoaded;
        c.syncBytesTotal = syncBytesTotal;
        c.lagBytes = lagBytes;
        c.lagSeconds = lagSeconds;
        c.sourceOffsetSeen = sourceOffsetSeen;
        c.sourceOffsetSeenAt = sourceOffsetSeenAt;
        c.fullSyncs = fullSyncs;
        c.startedAt = startedAt;
        c.cutoverAt = cutoverAt;
        c.writesPausedMillis = writesPausedMillis;
        c.cutoverFailedAt = cutoverFailedAt;
        c.cutoverFailure = cutoverFailure;
        c.linkError = linkError;
        c.linkErrorSince = linkErrorSince;
        c.linkFailures = linkFailures;
        c.message = message;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MigrationStatus m)) {
            return false;
        }
        return Objects.equals(source, m.source) && Objects.equals(phase, m.phase) && Objects.equals(linkStatus, m.linkStatus)
                && Objects.equals(sourceVersion, m.sourceVersion) && Objects.equals(sourceKeys, m.sourceKeys)
                && Objects.equals(keysLoaded, m.keysLoaded) && Objects.equals(syncBytesLoaded, m.syncBytesLoaded)
                && Objects.equals(syncBytesTotal, m.syncBytesTotal) && Objects.equals(lagBytes, m.lagBytes)
                && Objects.equals(lagSeconds, m.lagSeconds) && Objects.equals(sourceOffsetSeen, m.sourceOffsetSeen)
                && Objects.equals(sourceOffsetSeenAt, m.sourceOffsetSeenAt) && Objects.equals(fullSyncs, m.fullSyncs)
                && Objects.equals(startedAt, m.startedAt) && Objects.equals(cutoverAt, m.cutoverAt)
                && Objects.equals(writesPausedMillis, m.writesPausedMillis) && Objects.equals(cutoverFailedAt, m.cutoverFailedAt)
                && Objects.equals(cutoverFailure, m.cutoverFailure) && Objects.equals(linkError, m.linkError)
                && Objects.equals(linkErrorSince, m.linkErrorSince) && Objects.equals(linkFailures, m.linkFailures)
                && Objects.equals(message, m.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, phase, linkStatus, sourceVersion, sourceKeys, keysLoaded, syncBytesLoaded, syncBytesTotal, lagBytes,
                lagSeconds, sourceOffsetSeen, sourceOffsetSeenAt, fullSyncs, startedAt, cutoverAt, writesPausedMillis, cutoverFailedAt,
                cutoverFailure, linkError, linkErrorSince, linkFailures, message);
    }
}
