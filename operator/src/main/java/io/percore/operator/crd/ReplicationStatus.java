package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What the operator remembers about replication between reconciles (and across its own restarts):
 * which pod it made primary, since when no primary has been available (the failover clock), and the
 * replication id of the last primary seen serving (the history whose offsets a failover compares).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationStatus {

    private String primary;
    private String primaryUnavailableSince;
    private String history;
    private String promoting;
    private String promotingFrom;
    @com.fasterxml.jackson.annotation.JsonPropertyDescription("Where each pod was last seen in a replication history, by pod name: a pod"
            + " back from an append-only file that does not end with its position (killed in the middle of writes) answers with no"
            + " offset, and a failover ranks it where it last stood. Rewritten when the"
            + " pods stand apart; kept while every pod stands at one history and offset (an idle service's move together).")
    private java.util.Map<String, ReplicationPosition> positions;
    @com.fasterxml.jackson.annotation.JsonPropertyDescription("Which replication history continued which, and up to where, oldest"
            + " first (at most 16): each promotion starts a new history, holding the one before up to the promoted pod's offset."
            + " A failover compares a pod of an older history by what it holds of the recorded one's line, not by its own offset.")
    private java.util.List<HistoryLink> lineage;

    public ReplicationStatus() {
    }

    public ReplicationStatus(String primary, String primaryUnavailableSince, String history) {
        this.primary = primary;
        this.primaryUnavailableSince = primaryUnavailableSince;
        this.history = history;
    }

    public ReplicationStatus(String primary, String primaryUnavailableSince) {
        this.primary = primary;
        this.primaryUnavailableSince = primaryUnavailableSince;
    }

    public String getPrimary() { return primary; }
    public void setPrimary(String primary) { this.primary = primary; }
    public String getPrimaryUnavailableSince() { return primaryUnavailableSince; }
    public void setPrimaryUnavailableSince(String primaryUnavailableSince) { this.primaryUnavailableSince = primaryUnavailableSince; }
    /** The {@code master_replid} of the last primary seen serving: pods in this history (or that moved on from it) go first. */
    public String getHistory() { return history; }
    public void setHistory(String history) { this.history = history; }
    /**
     * The pod the operator is promoting, written before it tells the pod (a write-ahead), with the history it promotes it
     * from ({@link #getPromotingFrom}): an operator stopped after the promotion and before recording the new history
     * leaves a pod whose replication id nothing records; while the history is still that one, this pod's offset counts in
     * it (it moved on from it). Inert once another history is recorded.
     */
    public String getPromoting() { return promoting; }
    public void setPromoting(String promoting) { this.promoting = promoting; }
    public String getPromotingFrom() { return promotingFrom; }
    public void setPromotingFrom(String promotingFrom) { this.promotingFrom = promotingFrom; }
    /**
     * Where each pod was last seen in a history, by pod name: a pod back from an append-only file that does not end with its
     * position (the demo's {@code #REPL:} line; killed in the middle of writes) answers with no offset,
     * and a failover ranks it where it last stood (its files hold at least that), not at 0 behind a replica that lagged.
     * Kept while every pod is seen in step ({@code LastSeenPositions.record}): an idle service's status is not rewritten.
     */
    public java.util.Map<String, ReplicationPosition> getPositions() { return positions; }
    public void setPositions(java.util.Map<String, ReplicationPosition> positions) { this.positions = positions; }
    /**
     * Which history continued which, and up to where ({@code Lineage}): a pod of an older history holds of the recorded one
     * no more than where the line left its own, whatever its offset there.
     */
    public java.util.List<HistoryLink> getLineage() { return lineage; }
    public void setLineage(java.util.List<HistoryLink> lineage) { this.lineage = lineage; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationStatus other && Objects.equals(primary, other.primary)
                && Objects.equals(primaryUnavailableSince, other.primaryUnavailableSince) && Objects.equals(history, other.history)
                && Objects.equals(promoting, other.promoting) && Objects.equals(promotingFrom, other.promotingFrom)
                && Objects.equals(positions, other.positions) && Objects.equals(lineage, other.lineage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(primary, primaryUnavailableSince, history, promoting, promotingFrom, positions, lineage);
    }
}
