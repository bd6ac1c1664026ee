package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * {@code status.restore}: what the restoring pod's init container did. Phases: {@code Restoring} (not finished yet),
 * {@code Restored} (the object, its size and keys, checked against its manifest or its RDB), {@code Failed} (refused or
 * not reachable: {@code reason} and {@code message} as the restore program gives them; the pod does not start, the service
 * stays empty and not Ready), {@code Skipped} (the pod's volume already held data: nothing was restored).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreStatus {

    private String phase;
    private String pod;
    private String object;
    private Long bytes;
    private Long keys;
    private String verifiedAgainst;
    private Long durationMillis;
    private String completedAt;
    private String reason;
    private String message;

    public String getPhase() { return phase; }
    public void setPhase(String phase) { this.phase = phase; }
    public String getPod() { return pod; }
    public void setPod(String pod) { this.pod = pod; }
    public String getObject() { return object; }
    public void setObject(String object) { this.object = object; }
    public Long getBytes() { return bytes; }
    public void setBytes(Long bytes) { this.bytes = bytes; }
    public Long getKeys() { return keys; }
    public void setKeys(Long keys) { this.keys = keys; }
    public String getVerifiedAgainst() { return verifiedAgainst; }
    public void setVerifiedAgainst(String verifiedAgainst) { this.verifiedAgainst = verifiedAgainst; }
    public Long getDurationMillis() { return durationMillis; }
    public void setDurationMillis(Long durationMillis) { this.durationMillis = durationMillis; }
    public String getCompletedAt() { return completedAt; }
    public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
    public String getReason() { return reason; }
    public void setReason(String reason) { this.reason = reason; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RestoreStatus r)) {
            return false;
        }
        return Objects.equals(phase, r.phase) && Objects.equals(pod, r.pod) && Objects.equals(object, r.object)
                && Objects.equals(bytes, r.bytes) && Objects.equals(keys, r.keys) && Objects.equals(verifiedAgainst, r.verifiedAgainst)
                && Objects.equals(durationMillis, r.durationMillis)
                && Objects.equals(completedAt, r.completedAt) && Objects.equals(reason, r.reason) && Objects.equals(message, r.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, pod, object, bytes, keys, verifiedAgainst, durationMillis, completedAt, reason, message);
    }
}
