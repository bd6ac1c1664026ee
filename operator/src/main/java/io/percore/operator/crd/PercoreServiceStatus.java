package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator decided and what is running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PercoreServiceStatus {

    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();
    private PlanStatus plan;
    private Integer readyReplicas;
    private ReplicationStatus replication;
    private ClusterStatus cluster;
    private MigrationStatus migration;
    private BackupsStatus backups;
    private RestoreStatus restore;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public PlanStatus getPlan() { return plan; }
    public void setPlan(PlanStatus plan) { this.plan = plan; }
    public Integer getReadyReplicas() { return readyReplicas; }
    public void setReadyReplicas(Integer readyReplicas) { this.readyReplicas = readyReplicas; }
    public ReplicationStatus getReplication() { return replication; }
    public void setReplication(ReplicationStatus replication) { this.replication = replication; }
    public ClusterStatus getCluster() { return cluster; }
    public void setCluster(ClusterStatus cluster) { this.cluster = cluster; }
    public MigrationStatus getMigration() { return migration; }
    public void setMigration(MigrationStatus migration) { this.migration = migration; }
    public BackupsStatus getBackups() { return backups; }
    public void setBackups(BackupsStatus backups) { this.backups = backups; }
    public RestoreStatus getRestore() { return restore; }
    public void setRestore(RestoreStatus restore) { this.restore = restore; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PercoreServiceStatus other)) {
            return false;
        }
        return Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(conditions, other.conditions)
                && Objects.equals(plan, other.plan)
                && Objects.equals(readyReplicas, other.readyReplicas)
                && Objects.equals(replication, other.replication)
                && Objects.equals(cluster, other.cluster)
                && Objects.equals(migration, other.migration)
                && Objects.equals(backups, other.backups)
                && Objects.equals(restore, other.restore);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, plan, readyReplicas, replication, cluster, migration, backups, restore);
    }
}
