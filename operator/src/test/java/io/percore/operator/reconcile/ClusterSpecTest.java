package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.TestResources;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.sizing.SizingPlan;
import io.percore.config.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a clustered spec may be, and what its pods are told. */
class ClusterSpecTest {

    @Test
    void aClusterWithoutAPortAndReplicationsOwnPasswordAreRefused() {
        PercoreService s = TestResources.service("kv", 4);
        assertThat(ClusterDriver.specProblems(s.getSpec())).isEmpty();
        s.getSpec().setCluster(new Cluster(true));
        assertThat(ClusterDriver.specProblems(s.getSpec())).isEmpty();
        s.getSpec().setReplication(new Replication(1));
        assertThat(ClusterDriver.specProblems(s.getSpec())).as("replicas per primary").isEmpty();
        assertThat(io.percore.operator.replication.ReplicationSpecs.specProblems(s.getSpec())).as("spec.replicas counts primaries").isEmpty();
        s.getSpec().getReplication().setAuthSecretName("kv-auth");
        assertThat(ClusterDriver.specProblems(s.getSpec())).singleElement().asString().contains("spec.cluster.authSecretName");
        s.getSpec().setReplication(null);
        s.getSpec().setPorts(List.of());
        assertThat(ClusterDriver.specProblems(s.getSpec())).singleElement().asString().contains("spec.ports");
        s.getSpec().setCluster(new Cluster(false));
        assertThat(ClusterDriver.specProblems(s.getSpec())).as("switched off: nothing to check").isEmpty();
    }

    @Test
    void clusterPodsAreToldToRunInClusterModeAndOthersAreNot() {
        PercoreService s = TestResources.service("kv", 4);
        s.getMetadata().setUid("uid-1");
        SizingPlan plan = new SizingPlan(true, false, 2, 2, 3, 1, 1L << 31, EngineConfig.Mode.PINNED, List.of("node-a"), 4, List.of());
        assertThat(env(WorkloadRenderer.statefulSet(s, plan, "", null))).doesNotContain(Cluster.ENABLED_ENV + "=true");
        s.getSpec().setCluster(new Cluster(true));
        assertThat(env(WorkloadRenderer.statefulSet(s, plan, "", null))).contains(Cluster.ENABLED_ENV + "=true")
                .as("no replica to fail over to: no pause to doubt the layout after").noneMatch(e -> e.startsWith(Cluster.CONFIRM_LAYOUT_AFTER_PAUSE_ENV));
        assertThat(WorkloadRenderer.statefulSet(s, plan.withReplicas(3), "", null).getSpec().getReplicas())
                .as("a pod still holding slots is kept").isEqualTo(3);
    }

    @Test
    void aClusterWithReplicasIsRolledByTheOperatorAndItsPodsStartAsPrimaries() {
        PercoreService s = TestResources.service("kv", 4);
        s.getMetadata().setUid("uid-1");
        s.getSpec().setCluster(new Cluster(true));
        s.getSpec().setReplication(new Replication(1));
        SizingPlan plan = new SizingPlan(true, false, 4, 2, 3, 1, 1L << 31, EngineConfig.Mode.PINNED, List.of("node-a"), 4, List.of());
        var sts = WorkloadRenderer.statefulSet(s, plan, "", null);
        assertThat(env(sts)).as("the operator's REPLICAOF, per the layout, says whom to follow")
                .noneMatch(e -> e.startsWith(Replication.REPLICAOF_ENV)).contains(Cluster.ENABLED_ENV + "=true");
        assertThat(env(sts)).as("a pod frozen through half of failoverAfter (10 s) waits for its layout again")
                .contains(Cluster.CONFIRM_LAYOUT_AFTER_PAUSE_ENV + "=5000ms");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).as("the operator rolls it, group by group").isEqualTo("OnDelete");
        assertThat(sts.getSpec().getUpdateStrategy().getRollingUpdate()).isNull();
        s.getSpec().setReplication(null);
        assertThat(WorkloadRenderer.statefulSet(s, plan, "", null).getSpec().getUpdateStrategy().getType())
                .as("without replicas nothing to wait for").isEqualTo("RollingUpdate");
        s.getSpec().setReplication(new Replication(1));
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Replication.REPLICATED_LABEL, "true");
        var sizing = io.percore.operator.replication.ReplicationSpecs.clusterSizing(s.getSpec(),
                new io.percore.operator.sizing.SizingRequest(8, null, null, 1, 1, 1, null, null, null, null), 3, 2);
        assertThat(sizing.replicas()).as("3 primaries and their replicas").isEqualTo(6);
        assertThat(sizing.shardsPerPod()).isEqualTo(2);
    }

    @Test
    void aClustersPasswordComesFromItsSecretOnlyNeverInClear() {
        PercoreService s = TestResources.service("kv", 4);
        s.getMetadata().setUid("uid-1");
        s.getSpec().setEnv(java.util.Map.of(Replication.REQUIREPASS_ENV, "typed-in-clear", "OTHER", "kept"));
        SizingPlan plan = new SizingPlan(true, false, 2, 2, 3, 1, 1L << 31, EngineConfig.Mode.PINNED, List.of("node-a"), 4, List.of());
        s.getSpec().setCluster(new Cluster(true));
        assertThat(env(WorkloadRenderer.statefulSet(s, plan, "", null))).as("the operator could not AUTH with it")
                .contains("OTHER=kept").noneMatch(e -> e.endsWith("=typed-in-clear"));
        assertPasswordFromSecret(s, plan, "kv-auth"); // none named: the one the operator generates
        s.getSpec().getCluster().setAuthSecretName("kv-pw");
        assertPasswordFromSecret(s, plan, "kv-pw");
    }

    private static void assertPasswordFromSecret(PercoreService s, SizingPlan plan, String secret) {
        var vars = WorkloadRenderer.statefulSet(s, plan, "", null).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(vars).filteredOn(v -> v.getName().equals(Replication.REQUIREPASS_ENV) || v.getName().equals(Replication.MASTERAUTH_ENV))
                .hasSize(2).allSatisfy(v -> {
                    assertThat(v.getValue()).isNull();
                    assertThat(v.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret);
                    assertThat(v.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(Replication.PASSWORD_KEY);
                });
    }

    private static List<String> env(io.fabric8.kubernetes.api.model.apps.StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(e -> e.getName() + "=" + e.getValue()).toList();
    }
}
