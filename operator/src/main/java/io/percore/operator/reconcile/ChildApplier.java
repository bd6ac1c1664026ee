package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one child match the desired object and does nothing when it already does. "Matches" is
 * decided against the live object, on the fields the operator sets ({@link OwnedFields}), so a
 * hand edit (kubectl scale, a changed env var or label) is reverted at the next reconcile while
 * fields the server defaults or other controllers add are left alone.
 *
 * <p>Two write modes. Server-side apply (default): every write, the first included, is a forced
 * apply as {@value #FIELD_MANAGER} carrying only the operator's fields, so one manager entry
 * ({@value #FIELD_MANAGER}/Apply) owns them, the server keeps everyone else's fields and removes
 * the ones the operator stopped setting. (A create by POST would record a second entry,
 * {@value #FIELD_MANAGER}/Update, owning every field of the first version for good: a field removed
 * from the spec later would stay, and every reconcile would apply again. Children an older operator
 * created that way are moved to the Apply entry before the next apply: {@link ManagedFieldsUpgrade}.)
 * Update: the desired object replaces the live one, carrying over the server-assigned Service fields
 * and the labels/annotations others added; 409 conflicts are retried against a fresh read.
 */
public final class ChildApplier {

    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    /** The field manager of every write the operator makes (children, status, finalizer). */
    public static final String FIELD_MANAGER = "percore-operator";

    static final int MAX_ATTEMPTS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ChildApplier.class);

    private final KubernetesClient client;
    private final boolean serverSideApply;
    private final ChildCache cache;

    public ChildApplier(KubernetesClient client, boolean serverSideApply) {
        this(client, serverSideApply, ChildCache.NONE);
    }

    /** @param cache where the first comparison of each child looks before reading the server (see {@link ChildCache}) */
    ChildApplier(KubernetesClient client, boolean serverSideApply, ChildCache cache) {
        this.client = client;
        this.serverSideApply = serverSideApply;
        this.cache = cache;
    }

    public <T extends HasMetadata> Outcome apply(T desired) {
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            // The cache's copy on the first try only: a miss may be an object without the operator's label (someone
            // else's, never to be taken over) and is read from the server; a stale copy fails the write (409, or 404
            // for one deleted since) and the next try reads the server.
            T cached = attempt == 1 ? cached(desired) : null;
            T existing = cached != null ? cached : client.resource(desired).get();
            try {
                if (existing == null) {
                    desired.getMetadata().setResourceVersion(null);
                    if (serverSideApply) {
                        forcedApply(desired);
                    } else {
                        client.resource(desired).create();
                    }
                    return Outcome.CREATED;
                }
                requireOwned(existing, desired);
                if (OwnedFields.heldBy(existing, desired)) {
                    return Outcome.UNCHANGED;
                }
                if (serverSideApply) {
                    moveUpdateFieldsToApply(existing);
                    clearRollingUpdateOnStrategyChange(existing, desired);
                    forcedApply(desired);
                } else {
                    T replacement = withForeignState(existing, desired);
                    replacement.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                    client.resource(replacement).update();
                }
                return Outcome.UPDATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && !(cached != null && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND)) {
                    throw e;
                }
                last = e;
                LOG.debug("conflict writing {} {} (attempt {}), retrying", desired.getKind(), desired.getMetadata().getName(), attempt);
            }
        }
        throw last;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T cached(T desired) {
        HasMetadata found = cache.find(desired);
        if (found == null || found.getClass() != desired.getClass()) {
            return null;
        }
        // server-side apply moves an older operator's Update entry from what it read (ManagedFieldsUpgrade): a copy
        // without the entries cannot say whether there is one
        List<ManagedFieldsEntry> entries = found.getMetadata().getManagedFields();
        return serverSideApply && (entries == null || entries.isEmpty()) ? null : (T) found;
    }

    private <T extends HasMetadata> void forcedApply(T desired) {
        desired.getMetadata().setResourceVersion(null);
        client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /**
     * Gives the operator's Update-entry fields to its Apply entry (see {@link ManagedFieldsUpgrade}),
     * guarded by the resourceVersion read: a concurrent change answers 409 and the write is retried.
     */
    private void moveUpdateFieldsToApply(HasMetadata existing) {
        ManagedFieldsUpgrade.upgrade(existing.getMetadata().getManagedFields(), FIELD_MANAGER).ifPresent(upgraded -> {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("resourceVersion", existing.getMetadata().getResourceVersion());
            metadata.put("managedFields", upgraded);
            LOG.info("moving {}'s fields of {} {} from its Update to its Apply entry", FIELD_MANAGER, existing.getKind(),
                    existing.getMetadata().getName());
            client.resource(existing).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata", metadata)));
        });
    }

    /**
     * A StatefulSet switched from {@code RollingUpdate} to {@code OnDelete} (replicas added to a cluster): the
     * server defaulted {@code rollingUpdate.partition}, which no manager owns, so an apply would keep it and be
     * refused ("only allowed for updateStrategy 'RollingUpdate'"). A merge patch sets the type and removes it
     * first (unguarded: it only says what the apply then says; a replace in update mode sends the whole spec and needs none).
     */
    private void clearRollingUpdateOnStrategyChange(HasMetadata existing, HasMetadata desired) {
        if (!(existing instanceof StatefulSet live) || !(desired instanceof StatefulSet wanted) || live.getSpec() == null
                || live.getSpec().getUpdateStrategy() == null || live.getSpec().getUpdateStrategy().getRollingUpdate() == null) {
            return;
        }
        var strategy = wanted.getSpec().getUpdateStrategy();
        if (strategy == null || strategy.getRollingUpdate() != null || Objects.equals(strategy.getType(), live.getSpec().getUpdateStrategy().getType())) {
            return;
        }
        Map<String, Object> updateStrategy = new LinkedHashMap<>();
        updateStrategy.put("type", strategy.getType());
        updateStrategy.put("rollingUpdate", null);
        client.resource(existing).patch(PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("spec", Map.of("updateStrategy", updateStrategy))));
    }

    /**
     * Deletes the named child when it exists and this PercoreService owns it; an object of the same
     * name someone else created is left alone, as {@link #apply} never takes one over.
     *
     * @return whether something was deleted
     */
    public boolean deleteOwned(HasMetadata child, String ownerUid) {
        HasMetadata live = client.resource(child).get();
        if (live == null || !ownedBy(live, ownerUid)) {
            return false;
        }
        return !client.resource(child).delete().isEmpty();
    }

    /** Never take over an object someone else created under the same name. */
    private static void requireOwned(HasMetadata existing, HasMetadata desired) {
        if (!ownedBy(existing, desired.getMetadata().getOwnerReferences().get(0).getUid())) {
            throw new ChildConflictException(existing.getKind() + " " + existing.getMetadata().getName()
                    + " already exists and is not owned by this PercoreService; rename or delete it");
        }
    }

    /** A live child, when the resource of {@code ownerUid} owns it; another's object of the same name is not ours to read as ours. */
    static <T extends HasMetadata> T ownedOrNull(T live, String ownerUid) {
        return live != null && ownedBy(live, ownerUid) ? live : null;
    }

    static boolean ownedBy(HasMetadata object, String ownerUid) {
        return object.getMetadata().getOwnerReferences() != null
                && object.getMetadata().getOwnerReferences().stream().anyMatch(o -> ownerUid.equals(o.getUid()));
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
