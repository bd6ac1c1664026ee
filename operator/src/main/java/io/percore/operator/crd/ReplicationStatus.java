package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What the operator remembers about replication between reconciles (and across its own restarts):
 * which pod it made primary, and since when no primary has been available (the failover clock).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationStatus {

    private String primary;
    private String primaryUnavailableSince;

    public ReplicationStatus() {
    }

    public ReplicationStatus(String primary, String primaryUnavailableSince) {
        this.primary = primary;
        this.primaryUnavailableSince = primaryUnavailableSince;
    }

    public String getPrimary() { return primary; }
    public void setPrimary(String primary) { this.primary = primary; }
    public String getPrimaryUnavailableSince() { return primaryUnavailableSince; }
    public void setPrimaryUnavailableSince(String primaryUnavailableSince) { this.primaryUnavailableSince = primaryUnavailableSince; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationStatus other && Objects.equals(primary, other.primary)
                && Objects.equals(primaryUnavailableSince, other.primaryUnavailableSince);
    }

    @Override
    public int hashCode() {
        return Objects.hash(primary, primaryUnavailableSince);
    }
}
