package io.percore.demo.acl;

import java.util.List;

/**
 * One version of a user (Redis's {@code user}): its name, whether it may log in ({@code on}/{@code off}),
 * its passwords (hashes) or {@code nopass}, the payload sanitizing flag, and its selectors, the root
 * one first. Immutable: a change makes the next version ({@link UserDraft}), which the user's
 * {@link UserIdentity} then points to, so every shard sees either version whole. The description
 * (ACL LIST's rules) is made once, when first asked.
 */
public final class User {

    /** Redis's payload sanitizing flags: neither (a new user), {@code sanitize-payload}, {@code skip-sanitize-payload}. */
    static final int SANITIZE_UNSET = 0;
    static final int SANITIZE = 1;
    static final int SANITIZE_SKIP = 2;

    private final String name;
    private final boolean on;
    private final boolean nopass;
    private final int sanitize;
    private final List<String> passwords;
    private final Selector[] selectors;
    private final boolean unrestricted;
    private final CommandCatalog catalog;
    private volatile String description;

    User(String name, boolean on, boolean nopass, int sanitize, List<String> passwords, Selector[] selectors, CommandCatalog catalog) {
        this.name = name;
        this.on = on;
        this.nopass = nopass;
        this.sanitize = sanitize;
        this.passwords = List.copyOf(passwords);
        this.selectors = selectors;
        this.catalog = catalog;
        boolean any = false;
        for (Selector s : selectors) {
            any |= s.unrestricted();
        }
        this.unrestricted = any;
    }

    /** The name (its bytes, one char each). */
    public String name() {
        return name;
    }

    /** Whether it may log in ({@code on}). */
    public boolean enabled() {
        return on;
    }

    /** Whether any password is accepted ({@code nopass}). */
    public boolean nopass() {
        return nopass;
    }

    int sanitize() {
        return sanitize;
    }

    /** The password hashes, in the order they were added. */
    public List<String> passwords() {
        return passwords;
    }

    Selector[] selectors() {
        return selectors;
    }

    Selector root() {
        return selectors[0];
    }

    CommandCatalog catalog() {
        return catalog;
    }

    /**
     * Whether a selector allows every command, key and channel: the check is this one field then
     * (the default user's case).
     */
    public boolean unrestricted() {
        return unrestricted;
    }

    /**
     * Whether {@code password} logs this user in (Redis's {@code ACLCheckUserCredentials} once the user is
     * found): it is on, and {@code nopass} or one of its hashes is the password's.
     */
    public boolean accepts(byte[] password) {
        if (!on) {
            return false;
        }
        if (nopass) {
            return true;
        }
        String hashed = Passwords.hash(password);
        boolean match = false;
        for (String p : passwords) {
            match |= Passwords.same(hashed, p);
        }
        return match;
    }

    /** ACL LIST's rules of the user (Redis's {@code ACLDescribeUser}), without {@code user <name>}. */
    public String description() {
        String d = description;
        if (d == null) {
            d = UserDescription.describe(this);
            description = d;
        }
        return d;
    }
}
