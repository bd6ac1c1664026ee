package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * Where a pod was last seen in a replication history ({@code status.replication.positions}): a process restarted from an
 * append-only file answers with neither, and its files hold at least what it held then.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationPosition {

    @JsonPropertyDescription("The master_replid the pod answered with: the history its offset counts in.")
    private String replid;

    @JsonPropertyDescription("Its replication offset in that history (slave_repl_offset of a replica, master_repl_offset of a master).")
    private Long offset;

    public ReplicationPosition() {
    }

    public ReplicationPosition(String replid, long offset) {
        this.replid = replid;
        this.offset = offset;
    }

    public String getReplid() { return replid; }
    public void setReplid(String replid) { this.replid = replid; }
    public Long getOffset() { return offset; }
    public void setOffset(Long offset) { this.offset = offset; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationPosition other && Objects.equals(replid, other.replid) && Objects.equals(offset, other.offset);
    }

    @Override
    public int hashCode() {
        return Objects.hash(replid, offset);
    }
}
