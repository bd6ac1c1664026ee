package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Replication;
import io.percore.operator.migration.MigrationPlanner;
import io.percore.operator.migration.MigrationSpecs;
import io.percore.operator.users.OperatorUsers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code spec.migrateFrom}: the service's one primary follows a running Redis until the cut-over ({@code MigrationPlanner}
 * decides, {@link MigrationDriver} talks to the source and the pod). After replication in a reconcile, which elects (or
 * replaces) the primary it links to the source. Without it, a completed migration's record stays in the status and
 * nothing is done.
 */
final class MigrationScenario implements Scenario {

    /**
     * The last cut-over this process tried, completed or failed, by the PercoreService's uid: the reconcile right after
     * one may read the informer's copy from before its status write ({@code MigrationPlanner.lastStatus}).
     */
    static final class CutOvers {
        final Map<String, MigrationStatus> byUid = new ConcurrentHashMap<>();
    }

    @Override
    public List<String> specProblems(PercoreServiceSpec spec) {
        return MigrationSpecs.specProblems(spec);
    }

    @Override
    public void forget(PercoreService s, ScenarioMemory memory) {
        memory.of(CutOvers.class, CutOvers::new).byUid.remove(s.getMetadata().getUid());
    }

    @Override
    public void carryStatus(PercoreServiceStatus previous, PercoreServiceStatus next) {
        next.setMigration(previous.getMigration());
    }

    @Override
    public Scenario.Run start(ScenarioContext context) {
        return new Run(context);
    }

    private static final class Run implements Scenario.Run {

        private final ScenarioContext context;
        private final CutOvers cutOvers;
        private String refused;
        private MigrationDriver driver;
        private MigrationDriver.Observation observation;
        private Duration requeue;

        Run(ScenarioContext context) {
            this.context = context;
            this.cutOvers = context.memory().of(CutOvers.class, CutOvers::new);
        }

        @Override
        public void observe() {
            PercoreServiceSpec spec = context.spec();
            if (spec.getMigrateFrom() == null) {
                return;
            }
            // with a cluster a migration is refused with the spec (MigrationSpecs): replication here is one primary's
            if (!Replication.enabled(spec) && context.plan().replicas() != 1) {
                refused = "the service runs " + context.plan().replicas() + " independent pods; a migration copies into one"
                        + " primary: set spec.replication (one primary and its replicas) or plan one pod";
                return;
            }
            String uid = context.resource().getMetadata().getUid();
            MigrationStatus prior = MigrationPlanner.lastStatus(context.previous().getMigration(), cutOvers.byUid.get(uid));
            driver = new MigrationDriver(context.client(), context.probe(), context.addresses(), context.events(), podLink());
            observation = driver.observe(context.resource(), prior);
        }

        @Override
        public void act() {
            MigrationStatus previous = context.previous().getMigration();
            if (context.spec().getMigrateFrom() == null) {
                context.status().setMigration(previous != null && MigrationPlanner.COMPLETED.equals(previous.getPhase()) ? previous : null);
                return;
            }
            if (refused != null) {
                context.conditions().set(MigrationDriver.CONDITION, false, "MigrationRefused", refused);
                return;
            }
            MigrationDriver.Outcome outcome = driver.act(context.resource(), observation, context.conditions());
            context.status().setMigration(outcome.status());
            String uid = context.resource().getMetadata().getUid();
            if (MigrationPlanner.recordsCutover(outcome.status())) {
                cutOvers.byUid.put(uid, outcome.status());
            } else {
                cutOvers.byUid.remove(uid); // a failure called off (cutover: false): the next request may try at once
            }
            requeue = outcome.requeue();
        }

        /** When to look again; null when there is nothing to follow. */
        @Override
        public Duration report() {
            return requeue;
        }

        /**
         * The link to a primary the pods' template gives them (what a migration gives its pod back after the cut-over): the
         * replicas' user once the live template has it, the default user's password before.
         */
        private ReplicaLink podLink() {
            PercoreService s = context.resource();
            StatefulSet live = context.liveStatefulSet();
            if (live != null && Replication.enabled(context.spec()) && Pods.templateHas(live.getSpec().getTemplate(), Replication.MASTERUSER_ENV)) {
                return new ReplicaLink(OperatorUsers.REPLICA, PodPassword.readPassword(context.client(), s, PodPassword.replicaSecretName(s)));
            }
            return new ReplicaLink(null, PodPassword.read(context.client(), s).password());
        }
    }
}
