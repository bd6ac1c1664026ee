package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster as the pods report it (the layout with the highest epoch they hold, their migrations):
 * never the operator's memory, so an operator restarted in the middle of a migration reads the same.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterStatus {

    private Long configEpoch;
    private Integer slotsAssigned;
    private List<Migration> migrations = new ArrayList<>();
    private List<PodSlots> pods = new ArrayList<>();
    private List<Unavailable> primariesUnavailable = new ArrayList<>();
    @com.fasterxml.jackson.annotation.JsonPropertyDescription("Which replication history continued which, and up to where, as the"
            + " promoted pods said it (master_replid2, second_repl_offset): a failover compares replicas' offsets along it.")
    private List<HistoryLink> lineage;

    public List<HistoryLink> getLineage() { return lineage; }
    public void setLineage(List<HistoryLink> lineage) { this.lineage = lineage; }
    public Long getConfigEpoch() { return configEpoch; }
    public void setConfigEpoch(Long configEpoch) { this.configEpoch = configEpoch; }
    public Integer getSlotsAssigned() { return slotsAssigned; }
    public void setSlotsAssigned(Integer slotsAssigned) { this.slotsAssigned = slotsAssigned; }
    public List<Migration> getMigrations() { return migrations; }
    public void setMigrations(List<Migration> migrations) { this.migrations = migrations; }
    public List<PodSlots> getPods() { return pods; }
    public void setPods(List<PodSlots> pods) { this.pods = pods; }
    public List<Unavailable> getPrimariesUnavailable() { return primariesUnavailable; }
    public void setPrimariesUnavailable(List<Unavailable> primariesUnavailable) { this.primariesUnavailable = primariesUnavailable; }

    /** A primary with replicas that is unavailable: its replica takes over at {@code since} + failoverAfter. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Unavailable {
        private String nodeId;
        private String pod;
        private String since;

        public String getNodeId() { return nodeId; }
        public void setNodeId(String nodeId) { this.nodeId = nodeId; }
        public String getPod() { return pod; }
        public void setPod(String pod) { this.pod = pod; }
        public String getSince() { return since; }
        public void setSince(String since) { this.since = since; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unavailable u && Objects.equals(nodeId, u.nodeId) && Objects.equals(pod, u.pod) && Objects.equals(since, u.since);
        }

        @Override
        public int hashCode() {
            return Objects.hash(nodeId, pod, since);
        }
    }

    /** Slots moving from one pod to another, and how far the source has got. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Migration {
        private String from;
        private String to;
        private String slots;
        private Long keysMoved;
        private Long keysLeft;
        private String state;

        public String getFrom() { return from; }
        public void setFrom(String from) { this.from = from; }
        public String getTo() { return to; }
        public void setTo(String to) { this.to = to; }
        public String getSlots() { return slots; }
        public void setSlots(String slots) { this.slots = slots; }
        public Long getKeysMoved() { return keysMoved; }
        public void setKeysMoved(Long keysMoved) { this.keysMoved = keysMoved; }
        public Long getKeysLeft() { return keysLeft; }
        public void setKeysLeft(Long keysLeft) { this.keysLeft = keysLeft; }
        public String getState() { return state; }
        public void setState(String state) { this.state = state; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Migration m && Objects.equals(from, m.from) && Objects.equals(to, m.to) && Objects.equals(slots, m.slots)
                    && Objects.equals(keysMoved, m.keysMoved) && Objects.equals(keysLeft, m.keysLeft) && Objects.equals(state, m.state);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, to, slots, keysMoved, keysLeft, state);
        }
    }

    /** One pod of the layout: its node id and the slots it owns; with replicas, a primary's replicas or a replica's primary. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PodSlots {
        private String pod;
        private String nodeId;
        private String slots;
        private Integer slotCount;
        private List<String> replicas;
        private String replicaOf;
        @com.fasterxml.jackson.annotation.JsonPropertyDescription("The replication offset the node last answered with: a process back from"
                + " an append-only file answers with none, and a failover ranks it there (its files hold at least that).")
        private Long offset;
        @com.fasterxml.jackson.annotation.JsonPropertyDescription("The replication id (master_replid) that offset counts in.")
        private String replid;

        public String getReplid() { return replid; }
        public void setReplid(String replid) { this.replid = replid; }
        public Long getOffset() { return offset; }
        public void setOffset(Long offset) { this.offset = offset; }
        public List<String> getReplicas() { return replicas; }
        public void setReplicas(List<String> replicas) { this.replicas = replicas; }
        public String getReplicaOf() { return replicaOf; }
        public void setReplicaOf(String replicaOf) { this.replicaOf = replicaOf; }

        public String getPod() { return pod; }
        public void setPod(String pod) { this.pod = pod; }
        public String getNodeId() { return nodeId; }
        public void setNodeId(String nodeId) { this.nodeId = nodeId; }
        public String getSlots() { return slots; }
        public void setSlots(String slots) { this.slots = slots; }
        public Integer getSlotCount() { return slotCount; }
        public void setSlotCount(Integer slotCount) { this.slotCount = slotCount; }

        @Override
        public boolean equals(Object o) {
            return o instanceof PodSlots p && Objects.equals(pod, p.pod) && Objects.equals(nodeId, p.nodeId)
                    && Objects.equals(slots, p.slots) && Objects.equals(slotCount, p.slotCount) && Objects.equals(replicas, p.replicas)
                    && Objects.equals(replicaOf, p.replicaOf) && Objects.equals(offset, p.offset) && Objects.equals(replid, p.replid);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pod, nodeId, slots, slotCount, replicas, replicaOf, offset, replid);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterStatus c && Objects.equals(configEpoch, c.configEpoch) && Objects.equals(slotsAssigned, c.slotsAssigned)
                && Objects.equals(migrations, c.migrations) && Objects.equals(pods, c.pods)
                && Objects.equals(primariesUnavailable, c.primariesUnavailable) && Objects.equals(lineage, c.lineage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configEpoch, slotsAssigned, migrations, pods, primariesUnavailable, lineage);
    }
}
