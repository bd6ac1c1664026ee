package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.crd.Auth;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PodReplicationProbe.ErrorReplyException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.users.AclRecord;
import io.percore.operator.users.AclUser;
import io.percore.operator.users.OperatorUsers;
import io.percore.operator.users.PodAcl;
import io.percore.operator.users.UserSpecs;
import io.percore.operator.users.UsersPlanner;
import io.percore.operator.users.UsersPlanner.Action;
import io.percore.operator.users.UsersPlanner.AclSupport;
import io.percore.operator.users.UsersPlanner.PodUsers;
import io.percore.operator.users.UsersPlanner.SetUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes and RESP glue around {@link UsersPlanner}: makes the operator's own Secrets ({@code <name>-operator},
 * {@code <name>-replica}), reads the users' Secrets, asks each ready pod its users ({@code ACL LIST}, as the operator's
 * user), sends the plan's {@code ACL SETUSER}/{@code ACL DELUSER} one pod after another (as the default user), reads the
 * users back, and gives the condition {@value UsersPlanner#CONDITION}, its events, and the Secret {@code <name>-users}
 * the pods read at start (written with the other children, before the workload).
 */
final class UsersDriver {

    private static final Logger LOG = LoggerFactory.getLogger(UsersDriver.class);

    private final KubernetesClient client;
    private final PodAcl acl;
    private final PodAddresses addresses;
    private final PlanEvents events;
    /** The Secrets read in this reconcile, by name (empty: there is none). */
    private final Map<String, Optional<Map<String, byte[]>>> read = new HashMap<>();

    UsersDriver(KubernetesClient client, PodReplicationProbe probe, PodAddresses addresses, PlanEvents events) {
        this.client = client;
        this.acl = new PodAcl(probe);
        this.addresses = addresses;
        this.events = events;
    }

    /**
     * @param usersSecret the Secret to write, or null to leave the live one as it is (nothing could be rendered)
     * @param support     what the ready pods showed of their ACLs (whether the template may read the aclfile)
     * @param retry       a ready pod was not reached: look again after {@link #RETRY}
     */
    record Outcome(Secret usersSecret, AclSupport support, boolean retry) {
        static final Outcome NONE = new Outcome(null, AclSupport.UNKNOWN, false);
    }

    /** How soon users are tried again on a ready pod that did not answer. */
    static final java.time.Duration RETRY = java.time.Duration.ofSeconds(30);

    /**
     * The users wanted and what each ready pod has.
     *
     * @param missing why the users cannot be applied (a Secret the operator needs is not there), else null: then nothing
     *                else was read
     */
    record Observation(String missing, PodPassword passwords, List<AclUser> live, UserSpecs.Desired desired,
                       Map<String, HostPort> address, List<PodUsers> observed, UsersPlanner.Input input, UsersPlanner.Plan plan) {
    }

    /** Without a password there are no users (and no {@value UsersPlanner#CONDITION}): the pods keep protected mode. */
    Outcome run(PercoreService s, List<Condition> previousConditions, StatusConditions conditions) {
        return act(s, observe(s), previousConditions, conditions);
    }

    /**
     * Makes the Secrets the operator's users need (once: its own, the replicas'), reads the users wanted, and asks every
     * ready pod its users ({@code ACL LIST}). Null without a password: there are no users.
     */
    Observation observe(PercoreService s) {
        if (!Auth.enabled(s.getSpec())) {
            return null;
        }
        boolean replicaUser = PodAccess.replicaUser(s);
        boolean backupUser = io.percore.operator.crd.Backup.enabled(s.getSpec());
        for (String made : generate(s, replicaUser, backupUser)) {
            events.normal(s, "PasswordGenerated", "Secret " + made + " created with a random password: " + (made.equals(PodPassword.operatorSecretName(s))
                    ? "the operator authenticates to the pods with it as " + OperatorUsers.OPERATOR + " (the pods have only its hash)"
                    : made.equals(PodPassword.backupSecretName(s)) ? "the backup Jobs read the pods with it as " + OperatorUsers.BACKUP
                    : "the replicas authenticate to their primary with it as " + OperatorUsers.REPLICA));
        }
        PodPassword passwords = PodPassword.read(client, s);
        String replicaPassword = replicaUser ? PodPassword.readPassword(client, s, PodPassword.replicaSecretName(s)) : null;
        String backupPassword = backupUser ? PodPassword.readPassword(client, s, PodPassword.backupSecretName(s)) : null;
        if (passwords.missing() || passwords.operatorPassword() == null || replicaUser && replicaPassword == null
                || backupUser && backupPassword == null) {
            String why = passwords.missing() ? passwords.problem() : "Secret " + (passwords.operatorPassword() == null
                    ? PodPassword.operatorSecretName(s) : replicaUser && replicaPassword == null ? PodPassword.replicaSecretName(s)
                    : PodPassword.backupSecretName(s)) + " with key password not found";
            return new Observation(why, passwords, null, null, null, null, null, null);
        }
        boolean cluster = io.percore.operator.crd.Cluster.enabled(s.getSpec());
        List<AclUser> live = new ArrayList<>();
        live.add(OperatorUsers.operator(hash(passwords.operatorPassword()), cluster));
        if (replicaUser) {
            live.add(OperatorUsers.replica(hash(replicaPassword)));
        }
        if (backupUser) {
            live.add(OperatorUsers.backup(hash(backupPassword)));
        }
        UserSpecs.Desired desired = UserSpecs.desired(s.getSpec().usersOrEmpty(), operatorSecrets(s), name -> secretData(s, name));
        live.addAll(desired.users());
        Secret current = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(WorkloadRenderer.usersSecretName(s)).get();
        AclRecord record = AclRecord.parse(decoded(current, AclRecord.KEY));

        List<Pod> pods = readyPods(s);
        int port = s.getSpec().respPort().getPort();
        Map<String, HostPort> address = new LinkedHashMap<>();
        List<PodUsers> observed = new ArrayList<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            HostPort at = addresses.of(pod, port);
            if (at == null) {
                continue;
            }
            address.put(name, at);
            observed.add(list(name, at, passwords.auth()));
        }
        UsersPlanner.Input input = new UsersPlanner.Input(live, desired.refused(), record, observed);
        return new Observation(null, passwords, live, desired, address, observed, input, UsersPlanner.plan(input));
    }

    /**
     * Sends the plan's {@code ACL SETUSER}/{@code ACL DELUSER}, pod after pod, reads the users back, and gives the
     * condition, its events and the aclfile the pods read at start.
     */
    Outcome act(PercoreService s, Observation o, List<Condition> previousConditions, StatusConditions conditions) {
        if (o == null) {
            return Outcome.NONE;
        }
        if (o.missing() != null) {
            conditions.set(UsersPlanner.CONDITION, false, PodPassword.MISSING_REASON, o.missing() + "; the users are not applied");
            return Outcome.NONE;
        }
        PodPassword passwords = o.passwords();
        List<AclUser> live = o.live();
        UserSpecs.Desired desired = o.desired();
        Map<String, HostPort> address = o.address();
        List<PodUsers> observed = o.observed();
        UsersPlanner.Input input = o.input();
        UsersPlanner.Plan plan = o.plan();
        List<UsersPlanner.Sent> sent = send(plan, address, passwords);
        UsersPlanner.Report report = UsersPlanner.report(input, sent, desired.problems(), desired.reason(), desired.users().size());

        if (!report.changes().isEmpty()) {
            events.normal(s, "UsersChanged", String.join("; ", report.changes()));
        }
        Condition before = StatusConditions.find(previousConditions, UsersPlanner.CONDITION);
        if (!report.status() && !UsersPlanner.PODS_NOT_REACHED.equals(report.reason())
                && !UsersPlanner.WAITING_FOR_PODS.equals(report.reason())
                && (before == null || !report.reason().equals(before.getReason()) || !report.message().equals(before.getMessage()))) {
            events.warning(s, report.reason(), report.message());
        }
        conditions.set(UsersPlanner.CONDITION, report.status(), report.reason(), report.message());

        Set<String> kept = new LinkedHashSet<>();
        if (desired.refused()) {
            report.record().entries().keySet().stream().filter(u -> !OperatorUsers.RESERVED.contains(u)).forEach(kept::add);
        }
        String aclFile = report.record().aclFile(OperatorUsers.defaultUser(hash(passwords.password())), live, kept);
        return new Outcome(WorkloadRenderer.usersSecret(s, aclFile, report.record().text()), UsersPlanner.support(observed),
                UsersPlanner.PODS_NOT_REACHED.equals(report.reason()));
    }

    /** The Secrets the operator makes for {@code s}: no {@code spec.users} entry may name one. */
    static Set<String> operatorSecrets(PercoreService s) {
        return Set.of(WorkloadRenderer.usersSecretName(s), PodPassword.operatorSecretName(s), PodPassword.replicaSecretName(s),
                PodPassword.backupSecretName(s));
    }

    /**
     * The operator's own Secrets it makes once: its user's, the replicas' when they link with a user of their own, the
     * backups' when the spec has them.
     */
    private List<String> generate(PercoreService s, boolean replicaUser, boolean backupUser) {
        List<String> made = new ArrayList<>();
        if (PodPassword.ensure(client, s, PodPassword.operatorSecretName(s), OperatorUsers.OPERATOR)) {
            made.add(PodPassword.operatorSecretName(s));
        }
        if (replicaUser && PodPassword.ensure(client, s, PodPassword.replicaSecretName(s), OperatorUsers.REPLICA)) {
            made.add(PodPassword.replicaSecretName(s));
        }
        if (backupUser && PodPassword.ensure(client, s, PodPassword.backupSecretName(s), OperatorUsers.BACKUP)) {
            made.add(PodPassword.backupSecretName(s));
        }
        return made;
    }

    private PodUsers list(String pod, HostPort at, PodAuth auth) {
        try {
            return PodUsers.listed(pod, acl.list(at, auth));
        } catch (ErrorReplyException e) {
            return PodUsers.failed(pod, e.reply(), PodAcl.unsupported(e));
        } catch (IOException e) {
            return PodUsers.failed(pod, String.valueOf(e.getMessage()), false);
        }
    }

    /** One pod after another; a user whose rules a pod refused goes to no later pod. */
    private List<UsersPlanner.Sent> send(UsersPlanner.Plan plan, Map<String, HostPort> address, PodPassword passwords) {
        List<UsersPlanner.Sent> sent = new ArrayList<>();
        Set<String> refused = new HashSet<>();
        for (String pod : plan.byPod().keySet()) {
            List<Action> actions = plan.actionsFor(pod, refused);
            if (actions.isEmpty()) {
                continue;
            }
            HostPort at = address.get(pod);
            List<Action> done = new ArrayList<>();
            Map<String, String> refusals = new LinkedHashMap<>();
            String error = null;
            for (Action a : actions) {
                try {
                    if (a instanceof SetUser set) {
                        acl.setUser(at, passwords.asDefault(), set.wanted());
                    } else {
                        acl.deleteUser(at, passwords.asDefault(), a.user());
                    }
                    done.add(a);
                } catch (ErrorReplyException e) {
                    refusals.put(a.user(), e.reply());
                    if (a instanceof SetUser) {
                        refused.add(a.user());
                    }
                } catch (IOException e) {
                    error = String.valueOf(e.getMessage());
                    LOG.info("users of {}: {}", pod, error);
                    break;
                }
            }
            Map<String, String> after = null;
            if (!done.isEmpty()) {
                try {
                    after = acl.list(at, passwords.auth());
                } catch (IOException e) {
                    LOG.debug("users of {} not read back: {}", pod, e.toString());
                }
            }
            sent.add(new UsersPlanner.Sent(pod, done, refusals, after, error));
        }
        return sent;
    }

    /** The ready pods that are not going away, in ordinal (else name) order: the same order at every reconcile. */
    private List<Pod> readyPods(PercoreService s) {
        String name = s.getMetadata().getName();
        return client.pods().inNamespace(s.getMetadata().getNamespace()).withLabels(Labels.selector(s)).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && Pods.ready(p))
                .sorted(Comparator.comparing((Pod p) -> Optional.ofNullable(Pods.ordinal(name, p.getMetadata().getName()))
                        .orElse(Integer.MAX_VALUE)).thenComparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /** A Secret's data decoded, by key; null when there is no such Secret. Each Secret is read once per reconcile. */
    private Map<String, byte[]> secretData(PercoreService s, String name) {
        return read.computeIfAbsent(name, n -> {
            Secret secret = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(n).get();
            if (secret == null) {
                return Optional.empty();
            }
            Map<String, byte[]> data = new HashMap<>();
            if (secret.getData() != null) {
                secret.getData().forEach((k, v) -> {
                    try {
                        data.put(k, Base64.getDecoder().decode(v));
                    } catch (IllegalArgumentException e) {
                        // a value the API server would not store: as if the key were absent
                    }
                });
            }
            return Optional.of(data);
        }).orElse(null);
    }

    private static String decoded(Secret secret, String key) {
        String value = secret == null || secret.getData() == null ? null : secret.getData().get(key);
        try {
            return value == null ? null : new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String hash(String password) {
        return AclUser.passwordHash(password.getBytes(StandardCharsets.UTF_8));
    }
}
