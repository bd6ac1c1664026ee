package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.crd.Auth;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupRetention;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.RestoreFrom;
import org.junit.jupiter.api.Test;

class BackupSpecsTest {

    private static BackupDestination destination() {
        BackupDestination d = new BackupDestination();
        d.setEndpoint("http://minio.storage:9000");
        d.setBucket("backups");
        d.setPathStyle(true);
        d.setPrefix("percore");
        d.setCredentialsSecretName("s3");
        return d;
    }

    private static PercoreServiceSpec withBackup(String schedule) {
        PercoreServiceSpec spec = new PercoreServiceSpec();
        Backup b = new Backup();
        b.setSchedule(schedule);
        b.setDestination(destination());
        spec.setBackup(b);
        return spec;
    }

    @Test
    void aGoodSpecHasNoProblemAndGivesThePlainSettings() {
        PercoreServiceSpec spec = withBackup("0 3 * * *");
        spec.getBackup().setRetention(new BackupRetention(7, "7d"));
        assertThat(BackupSpecs.specProblems(spec)).isEmpty();
        assertThat(BackupSpecs.storageEnv(destination())).containsExactly(
                java.util.Map.entry("PERCORE_S3_ENDPOINT", "http://minio.storage:9000"), java.util.Map.entry("PERCORE_S3_BUCKET", "backups"),
                java.util.Map.entry("PERCORE_S3_PREFIX", "percore"), java.util.Map.entry("PERCORE_S3_PATH_STYLE", "true"));
        assertThat(BackupSpecs.backupEnv("default", "kv", "kv-backup-1", spec.getBackup().getRetention()))
                .containsEntry("PERCORE_BACKUP_KEEP", "7").containsEntry("PERCORE_BACKUP_MAX_AGE", "7d")
                .containsEntry("PERCORE_BACKUP_ID", "kv-backup-1");
    }

    @Test
    void everyProblemIsNamed() {
        assertThat(BackupSpecs.specProblems(withBackup("0 3 * *"))).singleElement().asString().startsWith("spec.backup.schedule:");
        assertThat(BackupSpecs.specProblems(withBackup("0 0 30 2 *"))).singleElement().asString().contains("names no time that exists");
        PercoreServiceSpec noBucket = withBackup(null);
        noBucket.getBackup().getDestination().setBucket(null);
        assertThat(BackupSpecs.specProblems(noBucket)).containsExactly("spec.backup.destination.bucket: required");
        PercoreServiceSpec noDestination = withBackup(null);
        noDestination.getBackup().setDestination(null);
        assertThat(BackupSpecs.specProblems(noDestination)).singleElement().asString().startsWith("spec.backup.destination: required");
        PercoreServiceSpec kms = withBackup(null);
        kms.getBackup().getDestination().setKmsKeyId("k");
        assertThat(BackupSpecs.specProblems(kms)).singleElement().asString().contains("kmsKeyId: needs serverSideEncryption: aws:kms");
        PercoreServiceSpec retention = withBackup(null);
        retention.getBackup().setRetention(new BackupRetention(null, "0d"));
        assertThat(BackupSpecs.specProblems(retention)).singleElement().asString().contains("not a positive age");
        retention.getBackup().setRetention(new BackupRetention(null, null));
        assertThat(BackupSpecs.specProblems(retention)).singleElement().asString().contains("keep, maxAge or both");
        PercoreServiceSpec noAuth = withBackup(null);
        Auth off = new Auth();
        off.setEnabled(false);
        noAuth.setAuth(off);
        assertThat(BackupSpecs.specProblems(noAuth)).singleElement().asString().contains("protected mode");
        PercoreServiceSpec cluster = withBackup(null);
        cluster.setCluster(new Cluster(true));
        assertThat(BackupSpecs.specProblems(cluster)).as("a cluster backs up one snapshot per primary").isEmpty();
        PercoreServiceSpec badEndpoint = withBackup(null);
        badEndpoint.getBackup().getDestination().setEndpoint("http:///nohost");
        assertThat(BackupSpecs.specProblems(badEndpoint)).singleElement().asString().contains("not an http(s) URL with a host");
    }

    @Test
    void aRestoreNeedsPersistenceAndItsBucket() {
        PercoreServiceSpec spec = new PercoreServiceSpec();
        RestoreFrom r = new RestoreFrom();
        r.setDestination(destination());
        spec.setRestoreFrom(r);
        assertThat(BackupSpecs.specProblems(spec)).singleElement().asString().startsWith("spec.restoreFrom needs spec.persistence");
        Persistence p = new Persistence();
        p.setMode("snapshot");
        p.setSize("1Gi");
        spec.setPersistence(p);
        assertThat(BackupSpecs.specProblems(spec)).isEmpty();
        r.setObject("s3://other/default/kv/x.rdb");
        assertThat(BackupSpecs.specProblems(spec)).singleElement().asString().contains("is not in the bucket backups");
        r.setObject("s3://backups/default/kv/x.rdb");
        assertThat(BackupSpecs.specProblems(spec)).isEmpty();
        assertThat(BackupSpecs.restoreEnv(r, "prod", "kv2", "/data")).containsEntry("PERCORE_RESTORE_OBJECT", "s3://backups/default/kv/x.rdb")
                .containsEntry("PERCORE_BACKUP_SERVICE", "kv2").containsEntry("PERCORE_BACKUP_NAMESPACE", "prod");
        r.setObject(null);
        r.setService("kv");
        assertThat(BackupSpecs.restoreEnv(r, "prod", "kv2", "/data")).containsEntry("PERCORE_RESTORE_OBJECT", "latest")
                .containsEntry("PERCORE_BACKUP_SERVICE", "kv");
    }
}
