package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.percore.operator.crd.PercoreService;
import java.util.Objects;

/**
 * The children the operator's informers hold, for {@link ChildApplier} to compare against instead of a GET each. A
 * steady pass read every child it writes (the ConfigMap, the workload, the Services, the budget, a scenario's own),
 * each a round trip to the API server: on a loaded node a pass's "write" step took 1.8-5.1 s in the operator's
 * slow-pass lines (a CI's real-node suite, 2026-12-04), those reads among it, and a failover may wait for a pass.
 * The cache may be behind the server by an event; {@link ChildApplier} reads the server itself whenever that could
 * matter (a child the cache lacks, a write refused as stale).
 */
@FunctionalInterface
interface ChildCache {

    /** No cache: every comparison reads the server (the operator's tests of the applier alone, cleanup). */
    ChildCache NONE = desired -> null;

    /**
     * The cached object of {@code desired}'s kind, namespace and name, or null when the cache has none (it does not
     * exist, it lacks the operator's label, or no informer watches its kind).
     */
    HasMetadata find(HasMetadata desired);

    /**
     * The children the reconciler's informers map to this PercoreService (its owner references), of the kinds they
     * hold whole ({@link PercoreServiceReconciler#CACHED_CHILD_KINDS}).
     */
    static ChildCache of(Context<PercoreService> context) {
        return desired -> {
            if (!PercoreServiceReconciler.CACHED_CHILD_KINDS.contains(desired.getClass())) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Class<HasMetadata> kind = (Class<HasMetadata>) desired.getClass();
            String name = desired.getMetadata().getName();
            String namespace = desired.getMetadata().getNamespace();
            return context.getSecondaryResourcesAsStream(kind)
                    .filter(c -> name.equals(c.getMetadata().getName()) && Objects.equals(namespace, c.getMetadata().getNamespace()))
                    .findFirst().orElse(null);
        };
    }
}
