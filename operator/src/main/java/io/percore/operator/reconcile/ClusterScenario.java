package io.percore.operator.reconcile;

import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.replication.ReplicationSpecs;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingRequest;
import java.time.Duration;
import java.util.List;

/**
 * {@code spec.cluster}: the pods as one Redis Cluster, slots laid out and moved by the operator, with
 * {@code spec.replication} a primary's replicas, their failover and the roll ({@code ClusterPlanner} decides,
 * {@link ClusterDriver} talks to the pods). It observes before the children (the StatefulSet keeps a pod that still owns
 * slots) and acts after them, on the pods the StatefulSet runs.
 */
final class ClusterScenario implements Scenario {

    @Override
    public List<String> specProblems(PercoreServiceSpec spec) {
        return ClusterDriver.specProblems(spec);
    }

    /** The plan's pods are the cluster's primaries: with replication each gets its replica pods, of the same shape. */
    @Override
    public SizingRequest resized(PercoreServiceSpec spec, SizingRequest request, SizingPlan plan) {
        return Cluster.enabled(spec) && Replication.enabled(spec)
                ? ReplicationSpecs.clusterSizing(spec, request, plan.replicas(), plan.shardsPerPod()) : null;
    }

    /** Stable pod names; a scale-in removes the highest ordinals, drained first. */
    @Override
    public boolean needsStatefulSet(PercoreServiceSpec spec) {
        return Cluster.enabled(spec);
    }

    /** Their slots are moved off the pods above the plan before the StatefulSet shrinks. */
    @Override
    public boolean keepsDataOnScaleDown(PercoreServiceSpec spec) {
        return Cluster.enabled(spec);
    }

    /** Cluster mode; clients are sent to the addresses of the layout the operator sends (pod IPs). */
    @Override
    public void shapePods(PercoreService s, PodShape pod) {
        if (Cluster.enabled(s.getSpec())) {
            if (Replication.enabled(s.getSpec())) {
                // with replicas the operator rolls the pods (ClusterRoll): a pod is deleted only once its group is in sync
                pod.label(Replication.REPLICATED_LABEL, "true").rolledByOperator();
                // a primary frozen through its failover must not take writes for the slots its replica took (issue 74)
                pod.env(Cluster.CONFIRM_LAYOUT_AFTER_PAUSE_ENV,
                        s.getSpec().getReplication().failoverAfterOrDefault().dividedBy(2).toMillis() + "ms");
                ReplicationSpecs.fullSyncEnv(s.getSpec()).forEach(pod::env);
            }
            pod.env(Cluster.ENABLED_ENV, "true");
        }
    }

    @Override
    public boolean reportsPodPassword(PercoreServiceSpec spec) {
        return Cluster.enabled(spec);
    }

    @Override
    public boolean actsAfterChildren() {
        return true;
    }

    @Override
    public void carryStatus(PercoreServiceStatus previous, PercoreServiceStatus next) {
        next.setCluster(previous.getCluster());
    }

    @Override
    public Scenario.Run start(ScenarioContext context) {
        return new Run(context);
    }

    private static final class Run implements Scenario.Run {

        private final ScenarioContext context;
        private final boolean clustered;
        private final ClusterDriver driver;
        private ClusterDriver.Observation observation;
        private ClusterDriver.Outcome outcome;

        Run(ScenarioContext context) {
            this.context = context;
            this.clustered = Cluster.enabled(context.spec());
            this.driver = new ClusterDriver(context.client(), context.clusterProbe(), context.addresses(), context.events(), context.nodes(),
                    context.primaryWatch());
        }

        @Override
        public void observe() {
            if (clustered) {
                observation = driver.observe(context.resource(), context.plan().replicas(),
                        context.liveStatefulSet() == null ? 0 : Pods.replicasOf(context.liveStatefulSet()), context.previous().getCluster());
            }
        }

        /** A cluster's pods above the plan keep running until they own no slot (the driver moves them off). */
        @Override
        public void beforeWorkload(ChildApplier applier, WorkloadShape workload) {
            if (clustered) {
                workload.keepPods(observation.decision().podsToKeep());
            }
        }

        /** The layout the pods hold, the next one sent, migrations waited for. */
        @Override
        public void act() {
            if (clustered) {
                outcome = driver.act(context.resource(), observation, context.previous().getConditions(), context.conditions());
                context.status().setCluster(outcome.status());
            }
        }

        @Override
        public Duration report() {
            if (clustered) {
                return outcome.requeue();
            }
            context.status().setCluster(null);
            return null;
        }
    }
}
