package io.percore.demo.acl;

import java.nio.file.Path;
import java.util.List;

/**
 * Redis's ACLs for the whole server, one instance every shard reads ({@code ServerShard#acl()}): the users
 * ({@link UserRegistry}), the ACL LOG, the catalog of commands the rules speak of, the ACL file and
 * {@code acl-pubsub-default}. The entry point of the command path is {@link #check(User, int, byte[][])}:
 * the command table's id and the call's arguments in, null or the {@link Denial} out; the caller logs a
 * refusal with {@link #log} and answers the {@link Denial}'s text for its context, as Redis's
 * {@code processCommand}, {@code execCommand} and {@code scriptCall} do:
 *
 * <pre>{@code
 * UserIdentity who = session.user;                       // null: a replayed file or stream, never checked
 * if (who != null) {
 *     User user = who.current();                         // the user's rules now (ACL SETUSER applies to the next command)
 *     Denial denial = acl.check(user, id, argv);         // the default user: one field test
 *     if (denial != null) {
 *         acl.log(denial, user.name(), Denial.Context.TOPLEVEL, connection.info()); // MULTI while queuing or in EXEC, LUA in redis.call
 *         refuse(denial.topLevelError());                // execError() in EXEC's recheck, scriptError() for redis.call
 *     }
 * }
 * }</pre>
 */
public final class AccessControl {

    /** The CONFIG parameters of ACLs, by Redis's names (the CONFIG table's rows). */
    public static final String ACLFILE = "aclfile";
    public static final String ACLLOG_MAX_LEN = "acllog-max-len";
    public static final String PUBSUB_DEFAULT = "acl-pubsub-default";

    private final CommandCatalog catalog;
    private final UserRegistry users;
    private final AclLog log = new AclLog();
    /** {@code aclfile}: null when the server runs without one. */
    private final Path file;
    /** How {@code aclfile} was written, as Redis names the file in its messages. */
    private final String fileName;
    private volatile boolean allChannelsByDefault;

    /**
     * ACLs over {@code catalog} with only the default user, reading and writing the ACL file {@code aclfile}
     * ("" for none): a relative path is under {@code dir}, the data directory, as Redis's is under its
     * working directory, which its {@code dir} sets.
     */
    public AccessControl(CommandCatalog catalog, String aclfile, Path dir) {
        this.catalog = catalog;
        this.users = new UserRegistry(catalog);
        this.fileName = aclfile == null ? "" : aclfile;
        this.file = this.fileName.isEmpty() ? null : dir.resolve(this.fileName);
    }

    public CommandCatalog catalog() {
        return catalog;
    }

    public UserRegistry users() {
        return users;
    }

    public AclLog log() {
        return log;
    }

    /** {@code acl-pubsub-default} is {@code allchannels}: new users and selectors may use every channel. */
    public boolean allChannelsByDefault() {
        return allChannelsByDefault;
    }

    /** {@code acl-pubsub-default} changed (or was read at start). */
    public void allChannelsByDefault(boolean all) {
        this.allChannelsByDefault = all;
    }

    /**
     * The ACL parameters of the CONFIG values ({@code parameter} gives a value by Redis's name), as they are
     * installed: {@code acllog-max-len} and {@code acl-pubsub-default} (the file is read at start only).
     */
    public void configure(java.util.function.Function<String, Object> parameter) {
        if (parameter.apply(ACLLOG_MAX_LEN) instanceof Long max) {
            log.maxLength(max);
        }
        if (parameter.apply(PUBSUB_DEFAULT) instanceof Boolean all) {
            allChannelsByDefault = all;
        }
    }

    /** The ACL file, or null when there is none (ACL LOAD and SAVE are refused then). */
    public Path file() {
        return file;
    }

    /**
     * Whether {@code user} may run {@code argv}, the command table's command {@code tableId}: null when it
     * may, else the denial. The default user (every command, key and channel) costs one field test.
     */
    public Denial check(User user, int tableId, byte[][] argv) {
        if (user.unrestricted()) {
            return null;
        }
        return AccessCheck.check(user, catalog.command(tableId), argv);
    }

    /**
     * Whether {@code user} may run {@code argv} (the catalog's command {@code fullName}) and read every key
     * with it: SORT's BY and GET (Redis's {@code ACLUserCheckCmdWithUnrestrictedKeyAccess}). A client that
     * is no connection ({@code user} null: a replayed file or stream) may.
     */
    public boolean readsEveryKey(User user, String fullName, byte[][] argv) {
        return user == null || AccessCheck.readsEveryKey(user, catalog.command(catalog.named(fullName)), argv);
    }

    /**
     * Adds a refusal to the ACL LOG: {@code denial} of a command of the user {@code username} in
     * {@code context}, the client described by {@code clientInfo} (its CLIENT LIST line; for a script, the
     * client that ran it).
     */
    public void log(Denial denial, String username, Denial.Context context, String clientInfo) {
        log.add(denial.reason(), context, denial.object(), username, clientInfo, System.currentTimeMillis());
    }

    /** Adds a failed login to the ACL LOG: {@code command} is the command's name as sent (AUTH, HELLO). */
    public void logFailedLogin(String username, String command, Denial.Context context, String clientInfo) {
        log.add(Denial.Reason.AUTH, context, command, username, clientInfo, System.currentTimeMillis());
    }

    /**
     * The users declared at start ({@code user} lines) and the ACL file, as Redis loads them once it is up
     * ({@code ACLLoadUsersAtStartup}): both together are refused; a bad declaration or file line refuses
     * the start.
     *
     * @throws IllegalArgumentException with Redis's text
     */
    public void loadAtStart(List<List<String>> declared) {
        if (file != null && !declared.isEmpty()) {
            throw new IllegalArgumentException("Configuring Redis with users defined in redis.conf and at the same setting an ACL file"
                    + " path is invalid. This setup is very likely to lead to configuration errors and security holes, please define"
                    + " either an ACL file or declare users directly in your redis.conf, but not both.");
        }
        if (!declared.isEmpty()) {
            users.declare(UserDirectives.users(declared, catalog, allChannelsByDefault));
        }
        if (file != null) {
            try {
                users.replaceAll(AclFile.read(file, fileName, catalog, allChannelsByDefault), allChannelsByDefault);
            } catch (AclFile.Invalid e) {
                throw new IllegalArgumentException("Aborting Redis startup because of ACL errors: " + e.getMessage());
            }
        }
    }

    /**
     * ACL LOAD: the file's users replace every user, or, when a line is wrong, nothing changes.
     *
     * @return the identities ended (every user but the default), whose connections are to be closed
     * @throws AclFile.Invalid with Redis's text
     */
    public List<UserIdentity> load() {
        return users.replaceAll(AclFile.read(file, fileName, catalog, allChannelsByDefault), allChannelsByDefault);
    }

    /** ACL SAVE. @throws java.io.IOException when the file cannot be written */
    public void save() throws java.io.IOException {
        AclFile.write(file, users.users());
    }
}
