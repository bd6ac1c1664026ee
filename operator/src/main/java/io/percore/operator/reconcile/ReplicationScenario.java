package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.replication.ReplicationSpecs;
import io.percore.operator.sizing.SizingRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code spec.replication} without a cluster: one primary and its replicas on a StatefulSet, the primary and read
 * Services, failover, rolls and switchovers ({@code ReplicationPlanner} decides, {@link ReplicationDriver} talks to the
 * pods). It acts before the children: a failover does not wait for their writes. A cluster's replicas are the cluster's.
 */
final class ReplicationScenario implements Scenario {

    static boolean replicated(PercoreServiceSpec spec) {
        return Replication.enabled(spec) && !Cluster.enabled(spec);
    }

    /**
     * Whether the primary stops taking writes by itself once its replicas' acknowledgements are {@code min-replicas-max-lag}
     * old: the operator sets {@code min-replicas-to-write 1} with two replicas or more; {@code spec.env} may set another.
     */
    static boolean primaryFencesItself(PercoreServiceSpec spec) {
        String set = spec.getEnv() == null ? null : spec.getEnv().get(Replication.MIN_REPLICAS_TO_WRITE_ENV);
        if (set == null) {
            return setsMinReplicasToWrite(spec);
        }
        try {
            return Integer.parseInt(set.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The operator sets {@code min-replicas-to-write 1}: two replicas or more, and {@code spec.env} does not set it. */
    private static boolean setsMinReplicasToWrite(PercoreServiceSpec spec) {
        Integer replicas = spec.getReplication() == null ? null : spec.getReplication().getReplicas();
        return replicated(spec) && replicas != null && replicas >= 2
                && (spec.getEnv() == null || !spec.getEnv().containsKey(Replication.MIN_REPLICAS_TO_WRITE_ENV));
    }

    /**
     * How long a primary that may still run (cut off, frozen, unready: not known gone) is given before a replica is
     * promoted: {@code failoverAfter}, and with a primary that fences itself at least until it has (its replicas'
     * acknowledgements {@code min-replicas-max-lag} old, and a second): promoted sooner, it took writes beside the new
     * one (issue 74's long campaign: a primary cut off from the operator and its replicas, 7.1 s). A primary known gone
     * (its container terminated, its port refusing) is failed over at once, as before.
     */
    static java.time.Duration failoverDelay(PercoreServiceSpec spec) {
        java.time.Duration after = spec.getReplication().failoverAfterOrDefault();
        java.time.Duration fenced = minReplicasMaxLag(spec).plusSeconds(1);
        return primaryFencesItself(spec) && after.compareTo(fenced) < 0 ? fenced : after;
    }

    /**
     * The pods' {@code min-replicas-max-lag}: Redis's 10 s unless {@code spec.env} sets another. One it cannot read is
     * read as the service reads it, which refuses to start: the fence then stands at the default.
     */
    static java.time.Duration minReplicasMaxLag(PercoreServiceSpec spec) {
        String set = spec.getEnv() == null ? null : spec.getEnv().get(Replication.MIN_REPLICAS_MAX_LAG_ENV);
        if (set != null) {
            try {
                long seconds = Long.parseLong(set.trim());
                if (seconds >= 0) {
                    return java.time.Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        return Replication.MIN_REPLICAS_MAX_LAG;
    }

    @Override
    public List<String> specProblems(PercoreServiceSpec spec) {
        return ReplicationSpecs.specProblems(spec);
    }

    @Override
    public SizingRequest sizing(PercoreServiceSpec spec, SizingRequest request) {
        return replicated(spec) ? ReplicationSpecs.sizing(spec, request) : request;
    }

    @Override
    public Refusal refusal(PercoreService s, StatefulSet live) {
        String refusal = ReplicationSpecs.enableRefusal(s, live);
        return refusal == null ? null : new Refusal(ReplicationSpecs.ENABLE_REFUSED, refusal);
    }

    @Override
    public boolean needsStatefulSet(PercoreServiceSpec spec) {
        return replicated(spec);
    }

    /** Replicas hold copies of one data set: fewer of them orphan no data. */
    @Override
    public boolean keepsDataOnScaleDown(PercoreServiceSpec spec) {
        return replicated(spec);
    }

    /** Every pod starts as a replica of whichever pod the primary Service selects; the operator promotes one and labels it. */
    @Override
    public void shapePods(PercoreService s, PodShape pod) {
        if (replicated(s.getSpec())) {
            pod.label(Replication.REPLICATED_LABEL, "true").rolledByOperator();
            pod.env(Replication.REPLICAOF_ENV, WorkloadRenderer.primaryServiceHost(s) + " " + s.getSpec().respPort().getPort());
            pod.env(Replication.SHUTDOWN_HANDOVER_ENV, Replication.SHUTDOWN_HANDOVER);
            if (setsMinReplicasToWrite(s.getSpec())) {
                pod.env(Replication.MIN_REPLICAS_TO_WRITE_ENV, "1"); // no two primaries taking writes: see the constant
            }
            ReplicationSpecs.fullSyncEnv(s.getSpec()).forEach(pod::env);
        }
    }

    @Override
    public boolean reportsPodPassword(PercoreServiceSpec spec) {
        return replicated(spec);
    }

    @Override
    public List<HasMetadata> children(PercoreService s) {
        return services(s);
    }

    /** The primary and read Services and the primary's EndpointSlice, by name. */
    private static List<HasMetadata> services(PercoreService s) {
        String ns = s.getMetadata().getNamespace();
        return List.of(PercoreServiceReconciler.named(new Service(), ns, WorkloadRenderer.primaryServiceName(s)),
                PercoreServiceReconciler.named(new Service(), ns, WorkloadRenderer.readServiceName(s)),
                PercoreServiceReconciler.named(new EndpointSlice(), ns, PrimaryEndpoints.name(s)));
    }

    @Override
    public void forget(PercoreService s, ScenarioMemory memory) {
        ReplicationDriver.SeenPositions seen = memory.peek(ReplicationDriver.SeenPositions.class);
        if (seen != null) {
            seen.forget(s.getMetadata().getUid());
        }
    }

    @Override
    public void carryStatus(PercoreServiceStatus previous, PercoreServiceStatus next) {
        next.setReplication(previous.getReplication());
    }

    @Override
    public Scenario.Run start(ScenarioContext context) {
        return new Run(context);
    }

    private static final class Run implements Scenario.Run {

        private final ScenarioContext context;
        private final boolean replicated;
        private final ReplicationDriver driver;
        private ReplicationDriver.Observation observation;
        private ReplicationDriver.Outcome outcome;

        Run(ScenarioContext context) {
            this.context = context;
            this.replicated = replicated(context.spec());
            this.driver = new ReplicationDriver(context.client(), context.probe(), context.addresses(), context.events(), context.nodes(),
                    context.applier(), context.primaryWatch(), context.memory().of(ReplicationDriver.SeenPositions.class,
                    ReplicationDriver.SeenPositions::new));
        }

        /** What runs keeps running: a replica that runs is still promoted when the primary is lost. */
        @Override
        public Duration unschedulable() {
            if (!replicated || context.liveStatefulSet() == null) {
                return null;
            }
            observe();
            act();
            return outcome.requeue();
        }

        @Override
        public void observe() {
            if (replicated) {
                observation = driver.observe(context.resource(), context.previous().getReplication());
            }
        }

        @Override
        public void act() {
            if (replicated) {
                outcome = driver.act(context.resource(), observation, context.conditions());
                context.status().setReplication(outcome.status());
            }
        }

        @Override
        public void afterWorkload(ChildApplier applier) {
            PercoreService s = context.resource();
            if (replicated) {
                applier.apply(WorkloadRenderer.primaryService(s));
                dropPrimarySelector(s);
                applier.apply(WorkloadRenderer.readService(s));
            } else if (context.previous().getReplication() != null) {
                context.primaryWatch().forget(PercoreServiceReconciler.key(s));
                String uid = s.getMetadata().getUid();
                for (HasMetadata service : services(s)) {
                    applier.deleteOwned(service, uid);
                }
            }
        }

        /**
         * A primary Service written before its EndpointSlice was the operator's still selects the primary label: an apply
         * keeps a field it does not name (update mode compares only what it writes), so the selector is removed here.
         * The endpoint controller then leaves the Service's slices alone, and its last one would stay beside the
         * operator's (kube-proxy routes to both): every slice of the primary Service that is not the operator's is
         * deleted.
         */
        private void dropPrimarySelector(PercoreService s) {
            String ns = s.getMetadata().getNamespace();
            var services = context.client().services().inNamespace(ns);
            Service live = services.withName(WorkloadRenderer.primaryServiceName(s)).get();
            if (live != null && live.getSpec() != null && live.getSpec().getSelector() != null && !live.getSpec().getSelector().isEmpty()) {
                live.getSpec().setSelector(null);
                services.resource(live).update();
            }
            var slices = context.client().discovery().v1().endpointSlices().inNamespace(ns);
            for (EndpointSlice slice : slices.withLabel("kubernetes.io/service-name", WorkloadRenderer.primaryServiceName(s)).list().getItems()) {
                Map<String, String> labels = slice.getMetadata().getLabels();
                if (!PrimaryEndpoints.MANAGED_BY.equals(labels.get("endpointslice.kubernetes.io/managed-by"))) {
                    slices.resource(slice).delete();
                }
            }
        }

        /** No primary serves (after there was one): the writes have nowhere to go, whatever the pods' readiness says. */
        @Override
        public String[] degradation() {
            return replicated && outcome != null && outcome.noPrimary() != null ? new String[] {"NoPrimary", outcome.noPrimary()} : null;
        }

        @Override
        public Duration report() {
            if (replicated) {
                return outcome.requeue();
            }
            context.status().setReplication(null);
            return null;
        }
    }
}
