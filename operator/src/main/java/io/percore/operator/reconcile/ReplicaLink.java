package io.percore.operator.reconcile;

/**
 * A replica's link to its primary as the pods' template gives it: {@code masteruser} (null: the default user) and
 * {@code masterauth}. A migration gives it back to its pod after the cut-over. Never printed.
 */
record ReplicaLink(String user, String password) {

    @Override
    public String toString() {
        return "ReplicaLink[" + (user == null ? "default" : user) + "]";
    }
}
