package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The password the pods require, from the Secret that {@code spec.replication.authSecretName} or
 * {@code spec.cluster.authSecretName} names (key {@value Replication#PASSWORD_KEY}): the pods get it
 * from the Secret ({@link WorkloadRenderer}), the operator reads it (one {@code get}) to AUTH when it
 * speaks RESP to them. Never printed: {@link #toString()} hides it.
 *
 * @param password null when no Secret is named, or when {@code problem} says why it could not be read
 * @param problem why a named Secret gave no password (for a condition's message), else null
 */
record PodPassword(String password, String problem) {

    static final String MISSING_REASON = "AuthSecretMissing";

    /** The Secret of the spec's password, or null when the pods have none. */
    static String secretName(PercoreServiceSpec spec) {
        Replication replication = spec.getReplication();
        return replication != null && !Cluster.enabled(spec) ? replication.getAuthSecretName() : Cluster.authSecretName(spec);
    }

    static PodPassword read(KubernetesClient client, PercoreService s) {
        String name = secretName(s.getSpec());
        if (name == null) {
            return new PodPassword(null, null);
        }
        Secret secret = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(name).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(Replication.PASSWORD_KEY);
        String why = "Secret " + name + " with key " + Replication.PASSWORD_KEY;
        if (encoded == null) {
            return new PodPassword(null, why + " not found: the operator cannot AUTH to the pods (they cannot start either)");
        }
        try {
            return new PodPassword(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8), null);
        } catch (IllegalArgumentException e) {
            return new PodPassword(null, why + " is not base64: the operator cannot AUTH to the pods");
        }
    }

    boolean missing() {
        return problem != null;
    }

    @Override
    public String toString() {
        return problem != null ? "PodPassword[" + problem + "]" : password == null ? "PodPassword[none]" : "PodPassword[set]";
    }
}
