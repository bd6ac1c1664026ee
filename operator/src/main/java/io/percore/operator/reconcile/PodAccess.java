package io.percore.operator.reconcile;

import io.percore.operator.crd.Auth;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;

/**
 * How the pod template has the pods authenticate. {@code aclFile}: they read their users from the aclfile of Secret
 * {@code <name>-users} (the default user with {@code spec.auth}'s password, the operator's own users, {@code spec.users}).
 * {@code replicaUser}: a replica links to its primary as {@value io.percore.operator.users.OperatorUsers#REPLICA} with
 * the password of {@code <name>-replica}; otherwise, as before users, as the default user with {@code spec.auth}'s password.
 * A cluster's replicas keep that: the demo's slot migrations between its pods authenticate with the pods' masterauth
 * alone, as the default user, and write any key ({@code RESTORE-ASKING}), which only a user as strong as default may.
 */
public record PodAccess(boolean aclFile, boolean replicaUser) {

    /** The template of pods that predate users (or run an image without ACLs): the default user's password only. */
    public static final PodAccess LEGACY = new PodAccess(false, false);

    /** What the spec's pods get once their image has shown it has ACLs (or for a new service). */
    public static PodAccess wanted(PercoreService s) {
        boolean aclFile = Auth.enabled(s.getSpec());
        return new PodAccess(aclFile, aclFile && replicaUser(s));
    }

    /** Whether the spec's replicas link with a user of their own: replication without a cluster. */
    public static boolean replicaUser(PercoreService s) {
        return s.getSpec().getReplication() != null && !Cluster.enabled(s.getSpec());
    }

    /** {@code wanted} when {@code switched}, else the legacy template (nothing at all without a password). */
    public static PodAccess of(PercoreService s, boolean switched) {
        return switched ? wanted(s) : LEGACY;
    }
}
