package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The users at one moment (Redis's {@code Users} radix tree): their identities by name, in Redis's
 * order (the names' bytes compared unsigned, as the tree walks them), and the default user's.
 * Immutable: a change of the set of users publishes a new one ({@link UserRegistry}); a change of one
 * user's rules is published in its {@link UserIdentity}.
 */
public final class Users {

    private final TreeMap<String, UserIdentity> byName;
    private final UserIdentity defaultUser;

    Users(TreeMap<String, UserIdentity> byName) {
        this.byName = byName;
        this.defaultUser = byName.get(UserRegistry.DEFAULT);
    }

    /** The identity of the user named {@code name}, or null. */
    public UserIdentity find(String name) {
        return byName.get(name);
    }

    /** The default user (it always exists). */
    public UserIdentity defaultUser() {
        return defaultUser;
    }

    /** Every user, in Redis's order. */
    public List<UserIdentity> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    int size() {
        return byName.size();
    }

    TreeMap<String, UserIdentity> copy() {
        return new TreeMap<>(byName);
    }
}
