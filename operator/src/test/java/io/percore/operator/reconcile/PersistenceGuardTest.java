package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.reconcile.PersistenceGuard.Guarded;
import io.percore.operator.sizing.NodeShape;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingPlanner;
import io.percore.operator.sizing.SizingRequest;
import io.percore.operator.sizing.SizingRequests;
import io.percore.operator.sizing.TestNodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules that keep a persistent service's data, without Kubernetes. */
class PersistenceGuardTest {

    private final SizingPlanner planner = new SizingPlanner();

    private static PercoreService persistent(int shards, Integer replicas) {
        PercoreService s = TestResources.service("kv", shards);
        s.getSpec().setReplicas(replicas);
        s.getSpec().setPersistence(new Persistence(Persistence.SNAPSHOT, "10Gi"));
        return s;
    }

    private static List<NodeShape> nodes(int count, String cpus) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> TestNodes.node("node-" + i).cpu(cpus).memory("64Gi").staticCpuManager().shape()).toList();
    }

    private Guarded guard(PercoreService s, List<NodeShape> nodes, Integer liveReplicas) {
        SizingRequest request = SizingRequests.fromSpec(s.getSpec());
        return PersistenceGuard.guardScaleDown(s, planner.plan(request, nodes), liveReplicas,
                r -> planner.plan(request.withReplicas(r), nodes));
    }

    @Test
    void aPlanWithFewerPodsIsReplannedAtTheLiveCountAndSaysWhy() {
        // The user lowers replicas from 3 to 2.
        Guarded g = guard(persistent(6, 2), nodes(2, "8"), 3);
        assertThat(g.hold()).isFalse();
        assertThat(g.plan().replicas()).isEqualTo(3);
        assertThat(g.plan().shardsPerPod()).isEqualTo(2);
        assertThat(g.plan().reasons()).last().asString().contains("scale-down to 2 refused");
        assertThat(g.refusal()).contains("wants 2 replica(s) but StatefulSet kv runs 3").contains("pod(s) kv-2")
                .contains("claim(s) data-kv-2").contains("kubectl -n test scale statefulset kv --replicas=2")
                .contains("spec.replicas: 3").contains("planned as 3 pod(s) x 2 shards");
    }

    @Test
    void aBiggerNodeThatWouldMergePodsDoesNotShrinkAPersistentService() {
        // 14 shards on two 8-CPU nodes: 2 x 7. A 16-CPU node appears: the planner alone would pick 1 x 14.
        List<NodeShape> pool = new java.util.ArrayList<>(nodes(2, "8"));
        pool.add(TestNodes.node("big").cpu("16").memory("64Gi").staticCpuManager().shape());
        PercoreService s = persistent(14, null);
        assertThat(planner.plan(SizingRequests.fromSpec(s.getSpec()), pool).replicas()).isEqualTo(1);
        Guarded g = guard(s, pool, 2);
        assertThat(g.plan().replicas()).isEqualTo(2);
        assertThat(g.plan().shardsPerPod()).isEqualTo(7);
        assertThat(g.refusal()).contains("pod(s) kv-1");
    }

    @Test
    void scaleUpsEqualCountsAndNewServicesPass() {
        assertThat(guard(persistent(8, 4), nodes(2, "8"), 2)).satisfies(g -> {
            assertThat(g.plan().replicas()).isEqualTo(4);
            assertThat(g.refusal()).isNull();
        });
        assertThat(guard(persistent(6, 3), nodes(2, "8"), 3).refusal()).isNull();
        assertThat(guard(persistent(6, 2), nodes(2, "8"), null).refusal()).as("no StatefulSet yet").isNull();
    }

    @Test
    void whenTheLiveCountCannotBePlannedNothingIsWritten() {
        // 4 live pods of 1 shard each (2 CPUs) ... then the pool shrinks to one 1-CPU node: nothing fits.
        PercoreService s = persistent(1, 1);
        Guarded g = PersistenceGuard.guardScaleDown(s, new SizingPlan(true, false, 1, 1, 2, 1, 1L << 30,
                io.percore.config.EngineConfig.Mode.PINNED, List.of("a"), 1, List.of()), 4, r -> planner.plan(
                SizingRequests.fromSpec(s.getSpec()).withReplicas(r), nodes(1, "1")));
        assertThat(g.hold()).isTrue();
        assertThat(g.refusal()).contains("4 pods cannot be planned either").contains("left as it is");
    }

    @Test
    void droppingPersistenceIsRefusedWhileTheStatefulSetExists() {
        PercoreService s = TestResources.service("kv", 4);
        StatefulSet live = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewSpec().withReplicas(2)
                .addNewVolumeClaimTemplate().withNewMetadata().withName(WorkloadRenderer.DATA_VOLUME).endMetadata().withNewSpec()
                .endSpec().endVolumeClaimTemplate().endSpec().build();
        // A StatefulSet without claims (replication without persistence) keeps nothing on disk: no refusal.
        assertThat(PersistenceGuard.removalRefusal(s, new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewSpec()
                .withReplicas(2).endSpec().build())).isNull();
        assertThat(PersistenceGuard.removalRefusal(s, live)).contains("claims data-kv-0, data-kv-1")
                .contains("kubectl -n test delete statefulset kv").contains("claims are kept");
        s.getSpec().setPersistence(new Persistence(Persistence.NONE, null));
        assertThat(PersistenceGuard.removalRefusal(s, live)).isNotNull();
        assertThat(PersistenceGuard.removalRefusal(s, null)).isNull();
        assertThat(PersistenceGuard.removalRefusal(persistent(4, null), live)).isNull();
    }

    @Test
    void aLiveClaimTemplateIsKeptAndADifferentSpecIsReported() {
        PercoreService s = persistent(14, null);
        SizingPlan plan = WorkloadRendererTest.plan(s);
        StatefulSet live = WorkloadRenderer.statefulSet(s, plan, "x", new WorkloadRenderer.DataClaim("10Gi", null));

        s.getSpec().getPersistence().setSize("10240Mi");
        assertThat(PersistenceGuard.claimTemplate(s, live).notApplied()).as("same size, other spelling").isNull();

        s.getSpec().getPersistence().setSize("20Gi");
        s.getSpec().getPersistence().setStorageClassName("fast");
        PersistenceGuard.ClaimTemplate kept = PersistenceGuard.claimTemplate(s, live);
        assertThat(kept.claim()).isEqualTo(new WorkloadRenderer.DataClaim("10Gi", null));
        assertThat(kept.notApplied()).contains("size 20Gi (claims have 10Gi").contains("storageClassName fast (claims have <cluster default>")
                .contains("cannot change");
        assertThat(PersistenceGuard.claimTemplate(s, null)).isEqualTo(new PersistenceGuard.ClaimTemplate(
                new WorkloadRenderer.DataClaim("20Gi", "fast"), null));
    }

    @Test
    void specProblems() {
        assertThat(PersistenceGuard.specProblems(null)).isEmpty();
        assertThat(PersistenceGuard.specProblems(new Persistence(null, null))).isEmpty();
        assertThat(PersistenceGuard.specProblems(new Persistence("none", null))).isEmpty();
        assertThat(PersistenceGuard.specProblems(new Persistence("snapshot", null))).singleElement().asString()
                .startsWith("spec.persistence.size: required when mode is snapshot");
        assertThat(PersistenceGuard.specProblems(new Persistence("rdb", "1Gi"))).singleElement().asString()
                .contains("'rdb' is not one of none, snapshot, aof");
        assertThat(PersistenceGuard.specProblems(new Persistence("aof", "0"))).singleElement().asString().contains("more than 0");
        assertThat(PersistenceGuard.specProblems(new Persistence("aof", "1.5"))).singleElement().asString().contains("whole number of bytes");
        Persistence shortGrace = new Persistence("snapshot", "1Gi");
        shortGrace.setTerminationGracePeriodSeconds(60);
        assertThat(PersistenceGuard.specProblems(shortGrace)).singleElement().asString().contains("60 is outside 90..3600");
    }
}
