package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.Auth;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.User;
import io.percore.operator.users.UsersPlanner;
import java.time.Duration;
import java.util.List;

/**
 * Who may do what: {@code spec.auth}'s password (generated once when no Secret is named), the operator's own users and
 * {@code spec.users}, applied live to the running pods ({@code UsersPlanner} decides, {@link UsersDriver} talks to the
 * pods), and the aclfile Secret the pods read at start, written before the workload. After replication in a reconcile,
 * whose failover must not wait on the pods' ACLs. It decides how the pods' template has them authenticate
 * ({@link PodAccess}).
 */
final class UsersScenario implements Scenario {

    @Override
    public List<String> specProblems(PercoreServiceSpec spec) {
        return PodPassword.specProblems(spec);
    }

    @Override
    public List<HasMetadata> children(PercoreService s) {
        String ns = s.getMetadata().getNamespace();
        return List.of(PercoreServiceReconciler.named(new Secret(), ns, PodPassword.generatedName(s)),
                PercoreServiceReconciler.named(new Secret(), ns, PodPassword.operatorSecretName(s)),
                PercoreServiceReconciler.named(new Secret(), ns, PodPassword.replicaSecretName(s)),
                PercoreServiceReconciler.named(new Secret(), ns, PodPassword.backupSecretName(s)),
                PercoreServiceReconciler.named(new Secret(), ns, WorkloadRenderer.usersSecretName(s)));
    }

    @Override
    public Scenario.Run start(ScenarioContext context) {
        return new Run(context);
    }

    private static final class Run implements Scenario.Run {

        private final ScenarioContext context;
        private final UsersDriver driver;
        private UsersDriver.Observation observation;
        private UsersDriver.Outcome outcome = UsersDriver.Outcome.NONE;

        Run(ScenarioContext context) {
            this.context = context;
            this.driver = new UsersDriver(context.client(), context.probe(), context.addresses(), context.events());
        }

        @Override
        public void observe() {
            PercoreService s = context.resource();
            // before the pods, which read it at start (a missing Secret holds them in CreateContainerConfigError)
            if (PodPassword.ensureGenerated(context.client(), s)) {
                context.events().normal(s, "PasswordGenerated", "Secret " + PodPassword.generatedName(s) + " created with a random"
                        + " password (key " + Replication.PASSWORD_KEY + "): the pods require it, clients AUTH with it");
            }
            observation = driver.observe(s);
        }

        @Override
        public void act() {
            outcome = driver.act(context.resource(), observation, context.previous().getConditions(), context.conditions());
        }

        /** The aclfile before the pods, which read it at start (a missing volume's Secret holds them in ContainerCreating). */
        @Override
        public void beforeWorkload(ChildApplier applier, WorkloadShape workload) {
            PercoreService s = context.resource();
            String ns = s.getMetadata().getNamespace();
            String uid = s.getMetadata().getUid();
            if (outcome.usersSecret() != null) {
                applier.apply(outcome.usersSecret());
            } else if (!Auth.enabled(context.spec())) {
                applier.deleteOwned(PercoreServiceReconciler.named(new Secret(), ns, WorkloadRenderer.usersSecretName(s)), uid);
            }
            StatefulSet liveStatefulSet = context.liveStatefulSet();
            Deployment liveDeployment = ChildApplier.ownedOrNull(
                    context.client().apps().deployments().inNamespace(ns).withName(s.getMetadata().getName()).get(), uid);
            workload.access(PodAccess.of(s, UsersPlanner.aclFileInTemplate(
                    Pods.templateHas(liveStatefulSet == null ? null : liveStatefulSet.getSpec().getTemplate(), User.ACLFILE_ENV)
                            || Pods.templateHas(liveDeployment == null ? null : liveDeployment.getSpec().getTemplate(), User.ACLFILE_ENV),
                    liveStatefulSet != null || liveDeployment != null, outcome.support())));
        }

        /** A ready pod the operator could not reach: no event says when it can. */
        @Override
        public Duration report() {
            return outcome.retry() ? UsersDriver.RETRY : null;
        }
    }
}
