package io.percore.demo.server;

import io.percore.demo.acl.UserIdentity;
import java.util.Locale;
import java.util.Set;

/**
 * Which clients CLIENT LIST and CLIENT KILL select (Redis's filters, all of which must match):
 * a type, ids, the client's or the server's address, the user, the age; immutable, so it travels
 * to every shard.
 *
 * @param type     {@link #ANY_TYPE}, normal, pubsub, master or slave (replica)
 * @param ids      the ids, or null for any
 * @param user     only clients logged in as this user (the identity: a user deleted and created again is another), or null
 * @param maxAge   only clients connected for more than this many seconds (CLIENT KILL MAXAGE, Redis 7.4); 0 = any
 */
public record ClientFilter(String type, Set<Long> ids, String addr, String laddr, UserIdentity user, long maxAge) {

    public static final String ANY_TYPE = null;

    public static ClientFilter all() {
        return new ClientFilter(ANY_TYPE, null, null, null, null, 0);
    }

    /** Redis's getClientTypeByName: the canonical type, or null when the name is none. */
    public static String typeByName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "normal" -> "normal";
            case "slave", "replica" -> "slave";
            case "pubsub" -> "pubsub";
            case "master" -> "master";
            default -> null;
        };
    }

    boolean matches(Client c, long nowNanos) {
        if (addr != null && !addr.equals(c.remoteAddress())) {
            return false;
        }
        if (laddr != null && !laddr.equals(c.localAddress())) {
            return false;
        }
        if (type != null && !type.equals(typeOf(c))) {
            return false;
        }
        if (ids != null && !ids.contains(c.id())) {
            return false;
        }
        if (user != null && c.user() != user) {
            return false;
        }
        return maxAge <= 0 || (nowNanos - c.createdNanos()) / 1_000_000_000L > maxAge;
    }

    /** Redis's getClientType: MONITOR clients count as normal; replicas' links as slave; subscribers as pubsub (no master clients). */
    static String typeOf(Client c) {
        return c.replica() ? "slave" : c.subscribed() ? "pubsub" : "normal";
    }
}
