package io.percore.operator.backup;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a restore needs, read from the environment of the pod's init container ({@link #fromEnv}):
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code PERCORE_RESTORE_OBJECT}</td><td>the snapshot's key (or {@code s3://bucket/key}), or {@code latest}:
 *       the newest complete backup of {@code PERCORE_BACKUP_NAMESPACE}/{@code PERCORE_BACKUP_SERVICE}</td><td>latest</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_NAMESPACE}, {@code PERCORE_BACKUP_SERVICE}</td><td>whose backups {@code latest} looks
 *       among (the service restored from, not necessarily the pod's own)</td><td>required for latest</td></tr>
 *   <tr><td>{@code PERCORE_DATA_DIR}</td><td>the data directory the service loads at start</td><td>{@code /data}</td></tr>
 *   <tr><td>{@code PERCORE_RESTORE_DBFILENAME}</td><td>the snapshot's file name there (the service's
 *       {@code dbfilename})</td><td>{@code dump.rdb}</td></tr>
 *   <tr><td>{@code PERCORE_RESTORE_OVERWRITE}</td><td>replace a snapshot already there; without it a directory that
 *       holds data is left alone (the init container runs at every start of the pod: only the first restores)</td><td>false</td></tr>
 *   <tr><td>{@code PERCORE_RESTORE_GROUP}, {@code PERCORE_RESTORE_GROUPS}</td><td>a cluster's pod: which group of a
 *       cluster's backup it restores (from 0), and how many primaries the cluster has (the backup must have as many
 *       groups); a backup of one data set is restored by group 0 only</td><td>none: not a cluster's pod</td></tr>
 *   <tr><td>{@code PERCORE_S3_*}, {@code PERCORE_TERMINATION_LOG}</td><td>as for the backup</td><td></td></tr>
 * </table>
 */
public record RestoreSettings(StorageSettings storage, String object, String namespace, String service, Path dataDir, String dbFilename,
                              boolean overwrite, Integer group, Integer groups) {

    public RestoreSettings(StorageSettings storage, String object, String namespace, String service, Path dataDir, String dbFilename,
                           boolean overwrite) {
        this(storage, object, namespace, service, dataDir, dbFilename, overwrite, null, null);
    }

    /** The settings, or {@link Failure#INVALID_SETTINGS} naming every problem. */
    public static RestoreSettings fromEnv(Map<String, String> environment) throws BackupException {
        Env env = new Env(environment);
        StorageSettings storage = env.storage();
        String object = env.optional("PERCORE_RESTORE_OBJECT");
        if (object != null && object.equals("latest")) {
            object = null;
        }
        if (object != null && storage.bucket() != null && object.startsWith("s3://")) {
            String head = "s3://" + storage.bucket() + "/";
            if (!object.startsWith(head)) {
                env.problem("PERCORE_RESTORE_OBJECT=" + object + " is not in the bucket " + storage.bucket());
            } else {
                object = object.substring(head.length());
            }
        }
        String namespace = null;
        String service = null;
        if (object == null) {
            namespace = env.label("PERCORE_BACKUP_NAMESPACE", "whose latest backup to restore: its namespace");
            service = env.label("PERCORE_BACKUP_SERVICE", "whose latest backup to restore: its name");
        }
        String dir = env.optional("PERCORE_DATA_DIR");
        String file = env.optional("PERCORE_RESTORE_DBFILENAME");
        if (file != null && (file.contains("/") || file.startsWith("."))) {
            env.problem("PERCORE_RESTORE_DBFILENAME=" + file + ": a file name, as the service's dbfilename");
        }
        boolean overwrite = env.bool("PERCORE_RESTORE_OVERWRITE", false);
        Integer groups = env.integer("PERCORE_RESTORE_GROUPS", null, 1, BackupNames.MAX_GROUPS);
        Integer group = env.integer("PERCORE_RESTORE_GROUP", null, 0, BackupNames.MAX_GROUPS - 1);
        if ((group == null) != (groups == null)) {
            env.problem("PERCORE_RESTORE_GROUP and PERCORE_RESTORE_GROUPS: both (a cluster's pod) or neither");
        } else if (group != null && group >= groups) {
            env.problem("PERCORE_RESTORE_GROUP=" + group + ": groups are 0 to " + (groups - 1));
        }
        env.check();
        return new RestoreSettings(storage, object, namespace, service, Path.of(dir == null ? "/data" : dir), file == null ? "dump.rdb" : file,
                overwrite, group, groups);
    }
}
