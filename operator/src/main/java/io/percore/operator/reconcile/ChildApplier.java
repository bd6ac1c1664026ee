package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or replaces one child so that it matches the desired object, and does nothing when it
 * already does. "Matches" is decided by a hash of the desired object stored in an annotation,
 * not by comparing with the live object, whose fields the API server defaults and which other
 * controllers annotate. Conflicts (409: someone else wrote in between) are retried against a
 * fresh read.
 */
public final class ChildApplier {

    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    static final int MAX_ATTEMPTS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ChildApplier.class);

    private final KubernetesClient client;

    public ChildApplier(KubernetesClient client) {
        this.client = client;
    }

    public <T extends HasMetadata> Outcome apply(T desired) {
        String hash = desiredHash(desired);
        Map<String, String> annotations = new LinkedHashMap<>(
                desired.getMetadata().getAnnotations() == null ? Map.of() : desired.getMetadata().getAnnotations());
        annotations.put(Labels.DESIRED_HASH, hash);
        desired.getMetadata().setAnnotations(annotations);

        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            T existing = client.resource(desired).get();
            try {
                if (existing == null) {
                    desired.getMetadata().setResourceVersion(null);
                    client.resource(desired).create();
                    return Outcome.CREATED;
                }
                requireOwned(existing, desired);
                if (hash.equals(annotation(existing, Labels.DESIRED_HASH))) {
                    return Outcome.UNCHANGED;
                }
                desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                keepServerAssigned(existing, desired);
                client.resource(desired).update();
                return Outcome.UPDATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                last = e;
                LOG.debug("conflict writing {} {} (attempt {}), retrying", desired.getKind(), desired.getMetadata().getName(), attempt);
            }
        }
        throw last;
    }

    /** Deletes the named child if it exists; returns whether something was deleted. */
    public boolean delete(HasMetadata child) {
        return !client.resource(child).delete().isEmpty();
    }

    /** Never take over an object someone else created under the same name. */
    private static void requireOwned(HasMetadata existing, HasMetadata desired) {
        String ownerUid = desired.getMetadata().getOwnerReferences().get(0).getUid();
        boolean owned = existing.getMetadata().getOwnerReferences() != null
                && existing.getMetadata().getOwnerReferences().stream().anyMatch(o -> ownerUid.equals(o.getUid()));
        if (!owned) {
            throw new ChildConflictException(existing.getKind() + " " + existing.getMetadata().getName()
                    + " already exists and is not owned by this PercoreService; rename or delete it");
        }
    }

    /** A child name is taken by an object this resource does not own. */
    public static final class ChildConflictException extends RuntimeException {
        public ChildConflictException(String message) {
            super(message);
        }
    }

    /** Fields the API server assigns and a replace must carry over rather than clear. */
    private static void keepServerAssigned(HasMetadata existing, HasMetadata desired) {
        if (existing instanceof Service live && desired instanceof Service wanted && live.getSpec() != null) {
            wanted.getSpec().setClusterIP(live.getSpec().getClusterIP());
            wanted.getSpec().setClusterIPs(live.getSpec().getClusterIPs());
            wanted.getSpec().setIpFamilies(live.getSpec().getIpFamilies());
            wanted.getSpec().setIpFamilyPolicy(live.getSpec().getIpFamilyPolicy());
        }
    }

    static String desiredHash(HasMetadata desired) {
        Map<String, String> annotations = desired.getMetadata().getAnnotations();
        String previous = annotations == null ? null : annotations.remove(Labels.DESIRED_HASH);
        String rv = desired.getMetadata().getResourceVersion();
        desired.getMetadata().setResourceVersion(null);
        try {
            return WorkloadRenderer.sha256(Serialization.asJson(desired)).substring(0, 32);
        } finally {
            desired.getMetadata().setResourceVersion(rv);
            if (previous != null) {
                annotations.put(Labels.DESIRED_HASH, previous);
            }
        }
    }

    private static String annotation(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
