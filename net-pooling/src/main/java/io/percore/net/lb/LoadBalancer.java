package io.percore.net.lb;

import java.util.List;

/**
 * Chooses the endpoint for one request. An instance belongs to one shard (one per shard and
 * upstream), so implementations keep plain mutable state and must not allocate per pick.
 */
public interface LoadBalancer {

    /**
     * Picks an available endpoint other than {@code exclude} (the one a retry is moving away from;
     * may be null), or returns null when there is none.
     *
     * @param endpoints every known endpoint, in a stable order; the list given to the last
     *                  {@link #endpointsChanged} call
     * @param keyHash   the request key's hash for consistent hashing ({@link KeyHash}); others ignore it
     */
    <E extends LbEndpoint> E pick(List<E> endpoints, long keyHash, E exclude);

    /** Called (on the shard) whenever the endpoint set changes, before the next pick. */
    default void endpointsChanged(List<? extends LbEndpoint> endpoints) {
    }
}
