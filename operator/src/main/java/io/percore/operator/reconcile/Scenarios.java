package io.percore.operator.reconcile;

import java.util.List;

/**
 * The scenarios a reconcile runs, in the order it runs them: replication first (a failover waits for nothing), then a
 * migration (it links the primary replication elected), then users (the pods' ACLs wait for the failover), then a cluster
 * (which acts after the children), then backups (a Job reads the pods the workload runs). A new scenario is one class and
 * one line here.
 */
final class Scenarios {

    static final List<Scenario> ALL = List.of(
            new ReplicationScenario(),
            new MigrationScenario(),
            new UsersScenario(),
            new ClusterScenario(),
            new BackupScenario());

    private Scenarios() {
    }
}
