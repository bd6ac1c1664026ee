package io.percore.operator.users;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The users the operator defines itself, next to {@code spec.users}, and their rules: least privilege, from what the
 * operator's code sends (README "Users" lists each command with the class that sends it).
 * <ul>
 *   <li>{@value #DEFAULT}: the application's user, {@code spec.auth}'s password, everything (Redis's own default
 *       user); only in the aclfile, never changed live (see {@link #defaultUser}).</li>
 *   <li>{@value #OPERATOR}: what every reconcile sends. {@code INFO} (replication, server, keyspace: the replication,
 *       cluster and migration drivers), {@code REPLICAOF} (promote, repoint, link to a migration's source),
 *       {@code ACL LIST} (to compare the users); in cluster mode {@code CLUSTER} (MYID, GETLAYOUT, SETLAYOUT,
 *       MIGRATIONS: the demo's own subcommands, which Redis's table does not have, so the whole command) and
 *       {@code DBSIZE}. No key, no channel, no {@code CONFIG}, {@code FLUSHALL} or {@code ACL SETUSER}: a user
 *       that may change users may give itself anything, so the operator changes users as {@value #DEFAULT}.</li>
 *   <li>{@value #REPLICA}: a replica's link to its primary, as Redis documents it and the demo's
 *       {@code PrimaryLink} sends it: {@code PING}, {@code REPLCONF}, {@code PSYNC} ({@code AUTH} needs no right).</li>
 *   <li>{@value #BACKUP}: a backup Job (with {@code spec.backup}), as the data path sends it: {@code INFO} (server and
 *       replication: which pod to read, a replica in sync first), {@code REPLCONF} ({@code capa eof}, {@code rdb-only}) and
 *       {@code PSYNC} (the snapshot). No key: it reads the data only as a replica's full sync does.</li>
 * </ul>
 */
public final class OperatorUsers {

    public static final String DEFAULT = "default";
    public static final String OPERATOR = "percore-operator";
    public static final String REPLICA = "percore-replica";
    public static final String BACKUP = "percore-backup";
    /** Names no {@code spec.users} entry may take. */
    public static final Set<String> RESERVED = Set.of(DEFAULT, OPERATOR, REPLICA, BACKUP);

    private OperatorUsers() {
    }

    /** Whether a name is one of the operator's (any case: Redis's names are case-sensitive, people's reading is not). */
    public static boolean reserved(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return RESERVED.contains(lower) || lower.startsWith("percore-");
    }

    /** {@code reset on #<hash> ~* &* +@all}: the default user as Redis makes it, with the service's password. */
    public static AclUser defaultUser(String passwordHash) {
        return AclUser.of(DEFAULT, List.of(passwordHash), List.of("~*", "&*", "+@all"));
    }

    /** @param cluster the pods form a Redis Cluster (the operator lays out its slots) */
    public static AclUser operator(String passwordHash, boolean cluster) {
        List<String> rules = new ArrayList<>(List.of("+info", "+replicaof", "+acl|list", "+client|pause"));
        if (cluster) {
            rules.addAll(List.of("+cluster", "+dbsize", "+client|unpause"));
        }
        return AclUser.of(OPERATOR, List.of(passwordHash), rules);
    }

    public static AclUser backup(String passwordHash) {
        return AclUser.of(BACKUP, List.of(passwordHash), List.of("+info", "+psync", "+replconf"));
    }

    public static AclUser replica(String passwordHash) {
        return AclUser.of(REPLICA, List.of(passwordHash), List.of("+psync", "+replconf", "+ping"));
    }
}
