package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One link of {@code status.replication.lineage}: a promoted pod's new replication history continued the one before up to
 * an offset (its {@code master_replid2} and {@code second_repl_offset}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryLink {

    @JsonPropertyDescription("The replication id (master_replid) a promotion started.")
    private String history;

    @JsonPropertyDescription("The replication id it continued: the promoted pod's master_replid2.")
    private String from;

    @JsonPropertyDescription("The offset up to which it holds that one's stream: second_repl_offset minus one.")
    private Long at;

    public HistoryLink() {
    }

    public HistoryLink(String history, String from, long at) {
        this.history = history;
        this.from = from;
        this.at = at;
    }

    public String getHistory() { return history; }
    public void setHistory(String history) { this.history = history; }
    public String getFrom() { return from; }
    public void setFrom(String from) { this.from = from; }
    public Long getAt() { return at; }
    public void setAt(Long at) { this.at = at; }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistoryLink other && Objects.equals(history, other.history) && Objects.equals(from, other.from)
                && Objects.equals(at, other.at);
    }

    @Override
    public int hashCode() {
        return Objects.hash(history, from, at);
    }
}
