package io.percore.operator.replication;

/**
 * What the operator authenticates with on a pod's connection: {@code AUTH <user> <password>} (an ACL user), or
 * {@code AUTH <password>} (the default user) when {@code user} is null, or nothing when {@code password} is null.
 * {@code fallback}, when set, is the default user's password, tried on the same connection when the pod refuses the
 * first: a pod started before the operator had a user of its own (or running an image without ACLs) knows only that
 * one. Never printed: {@link #toString()} names the user only.
 *
 * @param user     the ACL user, or null for the default user
 * @param password the password, or null: no AUTH
 * @param fallback the default user's password to try when the first is refused, or null
 */
public record PodAuth(String user, String password, String fallback) {

    /** No AUTH: a pod without a password. */
    public static final PodAuth NONE = new PodAuth(null, null, null);

    /** {@code AUTH <password>}: the default user, nothing to fall back to. */
    public static PodAuth password(String password) {
        return new PodAuth(null, password, null);
    }

    /** {@code AUTH <user> <password>}, nothing to fall back to. */
    public static PodAuth user(String user, String password) {
        return new PodAuth(user, password, null);
    }

    @Override
    public String toString() {
        return "PodAuth[" + (password == null ? "none" : user == null ? "default" : user + (fallback == null ? "" : ", else default")) + "]";
    }
}
