package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.percore.operator.crd.Auth;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.users.OperatorUsers;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The password the pods require ({@code spec.auth}): from the Secret the spec names (key {@value Replication#PASSWORD_KEY}),
 * or from {@code <name>-auth}, which the operator generates once when the spec names none: the application's
 * {@code default} user. Beside it, the operator's own user's password ({@code <name>-operator}, generated the same way):
 * the operator AUTHs as {@value OperatorUsers#OPERATOR} ({@link #auth()}) and falls back to the default user's password on
 * a pod that does not have that user yet. The pods get the default password from the Secret ({@link WorkloadRenderer}) and
 * the operator's only as a hash in their aclfile. Never printed: {@link #toString()} hides them.
 *
 * @param password         null when the pods have no password, or when {@code problem} says why it could not be read
 * @param problem          why a named Secret gave no password (for a condition's message), else null
 * @param operatorPassword the operator's user's password, or null when its Secret is not there (yet)
 */
record PodPassword(String password, String problem, String operatorPassword) {

    static final String MISSING_REASON = "AuthSecretMissing";
    /** The operator's own user's Secret: {@code <name>-operator}, keys {@value #USERNAME_KEY} and {@value Replication#PASSWORD_KEY}. */
    static final String OPERATOR_SUFFIX = "-operator";
    /** The replicas' user's Secret: {@code <name>-replica}, read by the pods as their masterauth. */
    static final String REPLICA_SUFFIX = "-replica";
    /** The backups' user's Secret: {@code <name>-backup}, read by a backup Job. */
    static final String BACKUP_SUFFIX = "-backup";
    static final String USERNAME_KEY = "username";
    /** 24 random bytes: 192 bits, 32 characters of URL-safe base64 (no quoting needed in a shell or a URL). */
    private static final int GENERATED_BYTES = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The Secret of the pods' password, or null when they have none ({@code auth.enabled: false}). The older fields
     * {@code replication.authSecretName} and {@code cluster.authSecretName} still name it; {@code auth.secretName}
     * must then agree ({@link #specProblems}).
     */
    static String secretName(PercoreService s) {
        PercoreServiceSpec spec = s.getSpec();
        String older = olderField(spec);
        if (older != null) {
            return older;
        }
        if (!Auth.enabled(spec)) {
            return null;
        }
        return spec.getAuth() != null && spec.getAuth().getSecretName() != null ? spec.getAuth().getSecretName()
                : generatedName(s);
    }

    static String generatedName(PercoreService s) {
        return s.getMetadata().getName() + Auth.GENERATED_SUFFIX;
    }

    /** Whether the operator makes the Secret: the spec wants a password and names no Secret. */
    static boolean generated(PercoreService s) {
        PercoreServiceSpec spec = s.getSpec();
        return Auth.enabled(spec) && olderField(spec) == null && (spec.getAuth() == null || spec.getAuth().getSecretName() == null);
    }

    private static String olderField(PercoreServiceSpec spec) {
        Replication replication = spec.getReplication();
        if (Cluster.enabled(spec)) {
            return Cluster.authSecretName(spec);
        }
        return replication != null ? replication.getAuthSecretName() : null;
    }

    /** What no schema rule catches: two fields naming two Secrets, a disabled password with a named one or with pods that need one. */
    static List<String> specProblems(PercoreServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        Auth auth = spec.getAuth();
        String older = olderField(spec);
        String olderPath = Cluster.enabled(spec) ? "spec.cluster.authSecretName" : "spec.replication.authSecretName";
        if (auth != null && auth.getSecretName() != null && older != null && !Objects.equals(auth.getSecretName(), older)) {
            problems.add("spec.auth.secretName: '" + auth.getSecretName() + "' and " + olderPath + ": '" + older
                    + "' name two Secrets for one password; set spec.auth.secretName only");
        }
        if (!Auth.enabled(spec)) {
            if (auth.getSecretName() != null || older != null) {
                problems.add("spec.auth.enabled: false with a password Secret named (" + (older != null ? olderPath : "spec.auth.secretName")
                        + "); remove one of them");
            }
            if (!spec.usersOrEmpty().isEmpty()) {
                problems.add("spec.auth.enabled: false with spec.users: a pod without a password keeps protected mode and serves no"
                        + " client from outside it, whatever its user; keep the password");
            }
            if (Cluster.enabled(spec) || spec.getReplication() != null) {
                problems.add("spec.auth.enabled: false with " + (Cluster.enabled(spec) ? "spec.cluster" : "spec.replication")
                        + ": its pods and the operator connect to each other from other pods, which a pod without a password"
                        + " refuses (protected mode); keep the password");
            }
        }
        return problems;
    }

    /**
     * Creates {@code <name>-auth} with a random password when the spec wants a generated one and it does not exist yet;
     * an existing Secret of that name is used as it is (never rewritten: the pods and their data would lose the
     * password). Owned by the PercoreService, so it goes with it.
     *
     * @return whether it was created now
     */
    static boolean ensureGenerated(KubernetesClient client, PercoreService s) {
        return generated(s) && ensure(client, s, generatedName(s), null);
    }

    static String operatorSecretName(PercoreService s) {
        return s.getMetadata().getName() + OPERATOR_SUFFIX;
    }

    static String replicaSecretName(PercoreService s) {
        return s.getMetadata().getName() + REPLICA_SUFFIX;
    }

    static String backupSecretName(PercoreService s) {
        return s.getMetadata().getName() + BACKUP_SUFFIX;
    }

    /**
     * A Secret with a random password (and {@code username} when given), made once, never rewritten, owned by the
     * PercoreService; an existing one of that name is used as it is.
     *
     * @return whether it was created now
     */
    static boolean ensure(KubernetesClient client, PercoreService s, String name, String username) {
        String ns = s.getMetadata().getNamespace();
        if (client.secrets().inNamespace(ns).withName(name).get() != null) {
            return false;
        }
        byte[] random = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // data, not stringData: what a real API server stores either way, and all a mock server stores
        SecretBuilder secret = new SecretBuilder().withMetadata(WorkloadRenderer.meta(s, name)).withType("Opaque")
                .addToData(Replication.PASSWORD_KEY, base64(password));
        if (username != null) {
            secret.addToData(USERNAME_KEY, base64(username));
        }
        try {
            client.secrets().inNamespace(ns).resource(secret.build()).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false; // made meanwhile (another reconcile, or the user): that one is the password
            }
            throw e;
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A generated Secret's password, or null when it is not there or has none. */
    static String readPassword(KubernetesClient client, PercoreService s, String name) {
        Secret secret = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(name).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(Replication.PASSWORD_KEY);
        try {
            return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static PodPassword read(KubernetesClient client, PercoreService s) {
        String name = secretName(s);
        if (name == null) {
            return new PodPassword(null, null, null);
        }
        Secret secret = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(name).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(Replication.PASSWORD_KEY);
        String why = "Secret " + name + " with key " + Replication.PASSWORD_KEY;
        if (encoded == null) {
            return new PodPassword(null, why + " not found: the operator cannot AUTH to the pods (they cannot start either)", null);
        }
        String password;
        try {
            password = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new PodPassword(null, why + " is not base64: the operator cannot AUTH to the pods", null);
        }
        return new PodPassword(password, null, readPassword(client, s, operatorSecretName(s)));
    }

    /** What the operator AUTHs with: its own user, the default user's password where a pod refuses it; none without a password. */
    PodAuth auth() {
        if (password == null) {
            return PodAuth.NONE;
        }
        return operatorPassword == null ? PodAuth.password(password) : new PodAuth(OperatorUsers.OPERATOR, operatorPassword, password);
    }

    /** The default user: what changes users ({@code ACL SETUSER} may grant anything) and a migration's link ({@code CONFIG SET}). */
    PodAuth asDefault() {
        return password == null ? PodAuth.NONE : PodAuth.password(password);
    }

    boolean missing() {
        return problem != null;
    }

    @Override
    public String toString() {
        return problem != null ? "PodPassword[" + problem + "]" : password == null ? "PodPassword[none]"
                : "PodPassword[set" + (operatorPassword == null ? "" : ", operator's set") + "]";
    }
}
