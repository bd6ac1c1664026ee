package io.percore.operator.backupplan;

import io.percore.operator.crd.Auth;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupRetention;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.RestoreFrom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code spec.backup} and {@code spec.restoreFrom} must satisfy that no schema rule checks, and the plain settings
 * (no secret) the backup and restore programs get from them ({@code PERCORE_S3_*}, the data path's names). Pure.
 */
public final class BackupSpecs {

    private BackupSpecs() {
    }

    public static List<String> specProblems(PercoreServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        Backup backup = spec.getBackup();
        if (backup != null) {
            destinationProblems("spec.backup.destination", backup.getDestination(), problems);
            if (backup.getSchedule() != null) {
                try {
                    Cron cron = Cron.parse(backup.getSchedule());
                    if (cron.next(Instant.EPOCH).isEmpty()) {
                        problems.add("spec.backup.schedule: '" + backup.getSchedule() + "' names no time that exists");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("spec.backup.schedule: " + e.getMessage());
                }
            }
            BackupRetention r = backup.getRetention();
            if (r != null) {
                if (r.getKeep() == null && r.getMaxAge() == null) {
                    problems.add("spec.backup.retention: keep, maxAge or both (empty keeps every backup: leave it out)");
                }
                if (r.getKeep() != null && r.getKeep() < 1) {
                    problems.add("spec.backup.retention.keep: " + r.getKeep() + " (the newest backup is always kept: at least 1)");
                }
                if (r.getMaxAge() != null && (!r.getMaxAge().matches("[0-9]{1,6}[mhd]") || r.getMaxAge().matches("0+[mhd]"))) {
                    problems.add("spec.backup.retention.maxAge: '" + r.getMaxAge() + "' is not a positive age (90m, 36h, 7d)");
                }
            }
            if (!Auth.enabled(spec)) {
                problems.add("spec.backup with spec.auth.enabled: false: the backup reads the pods from another pod, which a pod"
                        + " without a password refuses (protected mode); keep the password");
            }
        }
        RestoreFrom restore = spec.getRestoreFrom();
        if (restore != null) {
            destinationProblems("spec.restoreFrom.destination", restore.getDestination(), problems);
            if (!Persistence.enabled(spec)) {
                problems.add("spec.restoreFrom needs spec.persistence (snapshot or aof): the pod loads the restored snapshot from its"
                        + " volume at start, and without one it would have nowhere to load it from (nor keep it across a restart)");
            }
            String object = restore.getObject();
            if (object != null && !object.equals(RestoreFrom.LATEST) && object.startsWith("s3://") && restore.getDestination() != null
                    && restore.getDestination().getBucket() != null && !object.startsWith("s3://" + restore.getDestination().getBucket() + "/")) {
                problems.add("spec.restoreFrom.object: '" + object + "' is not in the bucket " + restore.getDestination().getBucket());
            }
        }
        return problems;
    }

    private static void destinationProblems(String path, BackupDestination d, List<String> problems) {
        if (d == null) {
            problems.add(path + ": required (bucket, and endpoint for a store other than AWS S3)");
            return;
        }
        if (d.getBucket() == null || d.getBucket().isBlank()) {
            problems.add(path + ".bucket: required");
        }
        if (d.getKmsKeyId() != null && !"aws:kms".equals(d.getServerSideEncryption())) {
            problems.add(path + ".kmsKeyId: needs serverSideEncryption: aws:kms");
        }
        if (d.getEndpoint() != null) {
            try {
                java.net.URI uri = new java.net.URI(d.getEndpoint());
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    problems.add(path + ".endpoint: '" + d.getEndpoint() + "' is not an http(s) URL with a host");
                }
            } catch (java.net.URISyntaxException e) {
                problems.add(path + ".endpoint: '" + d.getEndpoint() + "' is not a URL: " + e.getReason());
            }
        }
    }

    /** The store's plain settings for the programs: endpoint, region, bucket, prefix, path style, encryption (no credentials). */
    public static Map<String, String> storageEnv(BackupDestination d) {
        Map<String, String> env = new LinkedHashMap<>();
        if (d.getEndpoint() != null) {
            env.put("PERCORE_S3_ENDPOINT", d.getEndpoint());
        }
        if (d.getRegion() != null) {
            env.put("PERCORE_S3_REGION", d.getRegion());
        }
        env.put("PERCORE_S3_BUCKET", d.getBucket());
        if (d.getPrefix() != null && !d.getPrefix().isEmpty()) {
            env.put("PERCORE_S3_PREFIX", d.getPrefix());
        }
        if (Boolean.TRUE.equals(d.getPathStyle())) {
            env.put("PERCORE_S3_PATH_STYLE", "true");
        }
        if (d.getServerSideEncryption() != null) {
            env.put("PERCORE_S3_SSE", d.getServerSideEncryption());
        }
        if (d.getKmsKeyId() != null) {
            env.put("PERCORE_S3_SSE_KMS_KEY_ID", d.getKmsKeyId());
        }
        return env;
    }

    /** A backup's plain settings beside the store's: whose it is, its id, retention. */
    public static Map<String, String> backupEnv(String namespace, String service, String id, BackupRetention retention) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PERCORE_BACKUP_NAMESPACE", namespace);
        env.put("PERCORE_BACKUP_SERVICE", service);
        env.put("PERCORE_BACKUP_ID", id);
        if (retention != null && retention.getKeep() != null) {
            env.put("PERCORE_BACKUP_KEEP", Integer.toString(retention.getKeep()));
        }
        if (retention != null && retention.getMaxAge() != null) {
            env.put("PERCORE_BACKUP_MAX_AGE", retention.getMaxAge());
        }
        return env;
    }

    /** A restore's plain settings beside the store's: the object (or latest of whose backups) and the data directory. */
    public static Map<String, String> restoreEnv(RestoreFrom r, String namespace, String service, String dataDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PERCORE_RESTORE_OBJECT", r.objectOrLatest());
        env.put("PERCORE_BACKUP_NAMESPACE", r.getNamespace() != null ? r.getNamespace() : namespace);
        env.put("PERCORE_BACKUP_SERVICE", r.getService() != null ? r.getService() : service);
        env.put("PERCORE_DATA_DIR", dataDir);
        return env;
    }
}
