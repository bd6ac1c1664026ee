package io.percore.demo.acl;

/**
 * Who a connection is logged in as (Redis's {@code client->user} pointer): one per user from its
 * creation to its deletion, pointing at the user's current version. ACL SETUSER publishes the next
 * version here, so a connection's next command, on whatever shard, is checked against it; ACL DELUSER
 * and ACL LOAD (for every user but {@code default}) end the identity, so the connections still holding
 * it can run nothing more before they are closed, and a user created again under the same name is
 * another identity ({@code CLIENT KILL USER} and the closing tell them apart, as Redis's pointers do).
 */
public final class UserIdentity {

    private final String name;
    private volatile User current;
    private volatile boolean ended;

    UserIdentity(User first) {
        this.name = first.name();
        this.current = first;
    }

    /** The user's name. */
    public String name() {
        return name;
    }

    /**
     * The user as it is now: what the next command is checked against. After the user was deleted or
     * replaced by ACL LOAD, a version that may run nothing (no command, key or channel).
     */
    public User current() {
        return current;
    }

    /** Whether the user was deleted (or replaced by ACL LOAD): its connections are being closed. */
    public boolean ended() {
        return ended;
    }

    void publish(User next) {
        current = next;
    }

    /** Ends the identity: what it may run from now on is nothing. */
    void end() {
        ended = true;
        User u = current;
        current = new User(u.name(), false, false, User.SANITIZE_UNSET, java.util.List.of(),
                new Selector[] {new SelectorDraft(u.catalog(), true, false).freeze()}, u.catalog());
    }
}
