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
 *   <tr><td>{@code PERCORE_S3_*}, {@code PERCORE_TERMINATION_LOG}</td><td>as for the backup</td><td></td></tr>
 * </table>
 */
public record RestoreSettings(StorageSettings storage, String object, String namespace, String service, Path dataDir, String dbFilename,
                              boolean overwrite) {

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
        env.check();
        return new RestoreSettings(storage, object, namespace, service, Path.of(dir == null ? "/data" : dir), file == null ? "dump.rdb" : file,
                overwrite);
    }
}
