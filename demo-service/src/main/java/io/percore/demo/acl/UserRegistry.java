package io.percore.demo.acl;

import io.percore.demo.resp.RespError;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The server's users, one registry for every shard (Redis's {@code Users} and {@code DefaultUser}).
 * Readers never lock: the set of users is an immutable {@link Users} published through a volatile
 * field, and each user's rules an immutable {@link User} its {@link UserIdentity} points to, so a shard
 * checking a command reads at most two volatile fields. Changes (ACL SETUSER, DELUSER, LOAD, the default
 * user's password from {@code requirepass}) are rare and made one at a time under this registry's lock,
 * each building the next versions whole before publishing them: a change is seen entirely or not at all.
 */
public final class UserRegistry {

    /** The default user's name: every new connection starts as it. */
    public static final String DEFAULT = "default";

    private final CommandCatalog catalog;
    private volatile Users users;

    /** A registry with only the default user: on, no password, every command, key and channel (Redis's {@code ACLInit}). */
    public UserRegistry(CommandCatalog catalog) {
        this.catalog = catalog;
        TreeMap<String, UserIdentity> byName = new TreeMap<>();
        byName.put(DEFAULT, new UserIdentity(defaultUser(catalog, false)));
        this.users = new Users(byName);
    }

    /** Redis's {@code ACLCreateDefaultUser}: {@code +@all ~* &* on nopass}. */
    static User defaultUser(CommandCatalog catalog, boolean allChannelsByDefault) {
        return new UserDraft(catalog, DEFAULT, allChannelsByDefault).apply(List.of("+@all", "~*", "&*", "on", "nopass")).freeze();
    }

    public CommandCatalog catalog() {
        return catalog;
    }

    /** The users now. */
    public Users users() {
        return users;
    }

    /** The default user's identity. */
    public UserIdentity defaultUser() {
        return users.defaultUser();
    }

    /**
     * Redis's {@code authRequired} for a connection that has not logged in: unless the default user is
     * on and {@code nopass}, every command but the {@code no_auth} ones waits for AUTH.
     */
    public boolean authRequired() {
        User d = users.defaultUser().current();
        return !d.nopass() || !d.enabled();
    }

    /**
     * The identity {@code password} logs in as user {@code name} (Redis's {@code ACLCheckUserCredentials}),
     * or null: no such user, off, or a wrong password.
     */
    public UserIdentity authenticate(String name, byte[] password) {
        UserIdentity who = users.find(name);
        return who != null && who.current().accepts(password) ? who : null;
    }

    /** What ACL SETUSER changed: the user, its version before (null when it is new) and after. */
    public record Change(UserIdentity identity, User before, User after) {

        /** What the user's subscribers may keep, or null when none can have lost a channel ({@link ChannelGrant#revoked}). */
        public ChannelGrant revoked() {
            return before == null ? null : ChannelGrant.revoked(before, after);
        }
    }

    /**
     * ACL SETUSER {@code name} {@code rules} (Redis's {@code ACLStringSetUser}): all rules applied to a copy
     * of the user (or a new one), then published at once; a rule that fails changes nothing.
     *
     * @param allChannelsByDefault {@code acl-pubsub-default} is {@code allchannels}: what a new user or selector starts with
     * @throws RespError with Redis's text
     */
    public synchronized Change setUser(String name, List<String> rules, boolean allChannelsByDefault) {
        List<String> merged;
        try {
            merged = SelectorArguments.merge(rules);
        } catch (SelectorArguments.Unmatched e) {
            throw new RespError(safe("ERR Unmatched parenthesis in acl selector starting at '" + Bytes.cString(rules.get(e.index)) + "'."));
        }
        UserIdentity existing = users.find(name);
        UserDraft draft = existing == null ? new UserDraft(catalog, name, allChannelsByDefault)
                : new UserDraft(existing.current(), allChannelsByDefault);
        for (String rule : merged) {
            try {
                draft.apply(rule);
            } catch (RuleError e) {
                throw new RespError(safe("ERR Error in ACL SETUSER modifier '" + Bytes.cString(rule) + "': " + e.getMessage()));
            }
        }
        User after = draft.freeze();
        if (existing != null) {
            User before = existing.current();
            existing.publish(after);
            return new Change(existing, before, after);
        }
        UserIdentity created = new UserIdentity(after);
        TreeMap<String, UserIdentity> next = users.copy();
        next.put(name, created);
        users = new Users(next);
        return new Change(created, null, after);
    }

    /**
     * ACL DELUSER: the users named (those that exist) deleted at once, their identities ended.
     *
     * @return the ended identities, whose connections are to be closed
     * @throws RespError when one of them is the default user (then none is deleted)
     */
    public synchronized List<UserIdentity> deleteUsers(List<String> names) {
        for (String name : names) {
            if (name.equals(DEFAULT)) {
                throw new RespError("ERR The 'default' user cannot be removed");
            }
        }
        TreeMap<String, UserIdentity> next = users.copy();
        List<UserIdentity> deleted = new ArrayList<>();
        for (String name : names) {
            UserIdentity gone = next.remove(name);
            if (gone != null) {
                deleted.add(gone);
            }
        }
        if (!deleted.isEmpty()) {
            users = new Users(next);
            deleted.forEach(UserIdentity::end);
        }
        return deleted;
    }

    /**
     * {@code requirepass} set (Redis's {@code ACLUpdateDefaultUserPassword}): the default user's passwords
     * are that one alone, or none and {@code nopass} when it is null.
     */
    public synchronized void defaultPassword(String password) {
        UserIdentity d = users.defaultUser();
        UserDraft draft = new UserDraft(d.current(), false);
        draft.apply("resetpass");
        draft.apply(password == null ? "nopass" : ">" + password);
        d.publish(draft.freeze());
    }

    /**
     * Replaces every user by {@code loaded} (ACL LOAD of a file read without errors): the default user's
     * identity stays and takes its new rules (Redis copies them into {@code DefaultUser}); every other
     * identity ends, as Redis frees the old users and with them their clients, even where the file
     * defines the same user again.
     *
     * @return the ended identities, whose connections are to be closed
     */
    synchronized List<UserIdentity> replaceAll(List<User> loaded, boolean allChannelsByDefault) {
        TreeMap<String, UserIdentity> next = new TreeMap<>();
        UserIdentity defaultIdentity = users.defaultUser();
        User newDefault = null;
        for (User u : loaded) {
            if (u.name().equals(DEFAULT)) {
                newDefault = u;
            } else {
                next.put(u.name(), new UserIdentity(u));
            }
        }
        defaultIdentity.publish(newDefault != null ? newDefault : defaultUser(catalog, allChannelsByDefault));
        next.put(DEFAULT, defaultIdentity);
        List<UserIdentity> ended = new ArrayList<>();
        for (UserIdentity old : users.all()) {
            if (old != defaultIdentity) {
                ended.add(old);
            }
        }
        users = new Users(next);
        ended.forEach(UserIdentity::end);
        return ended;
    }

    /**
     * Users declared at start (Redis's {@code user} lines, {@code ACLLoadConfiguredUsers}), already
     * checked ({@link UserDirectives}): each created, or the default user reset and given its rules.
     */
    synchronized void declare(List<User> declared) {
        TreeMap<String, UserIdentity> next = users.copy();
        for (User u : declared) {
            UserIdentity existing = next.get(u.name());
            if (existing != null) {
                existing.publish(u);
            } else {
                next.put(u.name(), new UserIdentity(u));
            }
        }
        users = new Users(next);
    }

    /** Whether {@code name} may name a user: no spaces and no NUL byte ({@code ACLStringHasSpaces}). */
    public static boolean validName(String name) {
        return !Bytes.hasSpaces(name);
    }

    /** Redis's {@code addReplyErrorSdsSafe}: an error is one line. */
    static String safe(String text) {
        return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replace('\r', ' ').replace('\n', ' ');
    }
}
