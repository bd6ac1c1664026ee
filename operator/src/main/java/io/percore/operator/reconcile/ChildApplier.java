package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one child match the desired object and does nothing when it already does. "Matches" is
 * decided against the live object, on the fields the operator sets ({@link OwnedFields}), so a
 * hand edit (kubectl scale, a changed env var or label) is reverted at the next reconcile while
 * fields the server defaults or other controllers add are left alone.
 *
 * <p>Two write modes. Server-side apply (default): a forced apply as {@value #FIELD_MANAGER}
 * carrying only the operator's fields, so the server keeps everyone else's fields and removes the
 * ones the operator stopped setting. Update: the desired object replaces the live one, carrying over
 * the server-assigned Service fields and the labels/annotations others added; 409 conflicts are
 * retried against a fresh read.
 */
public final class ChildApplier {

    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    /** The field manager of every write the operator makes (children, status, finalizer). */
    public static final String FIELD_MANAGER = "percore-operator";

    static final int MAX_ATTEMPTS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ChildApplier.class);

    private final KubernetesClient client;
    private final boolean serverSideApply;

    public ChildApplier(KubernetesClient client, boolean serverSideApply) {
        this.client = client;
        this.serverSideApply = serverSideApply;
    }

    public <T extends HasMetadata> Outcome apply(T desired) {
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
                if (OwnedFields.heldBy(existing, desired)) {
                    return Outcome.UNCHANGED;
                }
                if (serverSideApply) {
                    desired.getMetadata().setResourceVersion(null);
                    client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
                } else {
                    T replacement = withForeignState(existing, desired);
                    replacement.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                    client.resource(replacement).update();
                }
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

    /**
     * A replace (update mode) would drop what the server assigned and what other controllers
     * wrote; carry it over. The operator's own labels/annotations win.
     */
    private static <T extends HasMetadata> T withForeignState(T existing, T desired) {
        desired.getMetadata().setLabels(union(existing.getMetadata().getLabels(), desired.getMetadata().getLabels()));
        desired.getMetadata().setAnnotations(union(existing.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations()));
        if (existing instanceof Service live && desired instanceof Service wanted && live.getSpec() != null) {
            wanted.getSpec().setClusterIP(live.getSpec().getClusterIP());
            wanted.getSpec().setClusterIPs(live.getSpec().getClusterIPs());
            wanted.getSpec().setIpFamilies(live.getSpec().getIpFamilies());
            wanted.getSpec().setIpFamilyPolicy(live.getSpec().getIpFamilyPolicy());
        }
        return desired;
    }

    private static Map<String, String> union(Map<String, String> theirs, Map<String, String> ours) {
        Map<String, String> all = new LinkedHashMap<>(theirs == null ? Map.of() : theirs);
        if (ours != null) {
            all.putAll(ours);
        }
        return all;
    }
}
