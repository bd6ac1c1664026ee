package io.percore.demo.acl;

import java.util.Locale;

/**
 * Redis 7.0.15's ACL command categories ({@code ACLCommandCategories} in {@code acl.c}), in its order:
 * the order ACL CAT lists them and the order the description of a user's command rules tries them in.
 * Each is one bit of {@link AclCommand#categories()}.
 */
public enum AclCategory {
    KEYSPACE, READ, WRITE, SET, SORTEDSET, LIST, HASH, STRING, BITMAP, HYPERLOGLOG, GEO, STREAM, PUBSUB, ADMIN, FAST, SLOW,
    BLOCKING, DANGEROUS, CONNECTION, TRANSACTION, SCRIPTING;

    private static final AclCategory[] ALL = values();

    private final String redisName = name().toLowerCase(Locale.ROOT);

    /** Redis's name, without the {@code @}. */
    public String redisName() {
        return redisName;
    }

    /** This category's bit in a command's categories. */
    public long bit() {
        return 1L << ordinal();
    }

    /** The category named {@code name} (any case, without the {@code @}), or null (Redis's {@code ACLGetCommandCategoryFlagByName}). */
    public static AclCategory named(String name) {
        for (AclCategory c : ALL) {
            if (c.redisName.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** The bits of the categories named in {@code names} (without the {@code @}); names that are none are left out. */
    public static long bits(Iterable<String> names) {
        long bits = 0;
        for (String name : names) {
            AclCategory c = named(name);
            if (c != null) {
                bits |= c.bit();
            }
        }
        return bits;
    }

    static AclCategory[] all() {
        return ALL;
    }
}
