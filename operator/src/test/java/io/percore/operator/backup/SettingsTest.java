package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The programs' environment: defaults, every problem named at once, secrets kept out of toString. */
class SettingsTest {

    static Map<String, String> backupEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PERCORE_BACKUP_SOURCES", "kv-1.kv.ns1.svc:6380, 10.0.0.7:6380,[fd00::1]:6380");
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        env.put("PERCORE_BACKUP_PASSWORD", " secret with spaces ");
        env.put("PERCORE_S3_BUCKET", "backups");
        env.put("PERCORE_S3_SECRET_ACCESS_KEY", "the-secret");
        env.put("PERCORE_S3_ACCESS_KEY_ID", "the-id");
        return env;
    }

    @Test
    void aBackupsDefaults() throws BackupException {
        BackupSettings s = BackupSettings.fromEnv(backupEnv());
        assertThat(s.sources()).containsExactly(new SourceAddress("kv-1.kv.ns1.svc", 6380), new SourceAddress("10.0.0.7", 6380),
                new SourceAddress("fd00::1", 6380));
        assertThat(s.password()).isEqualTo(" secret with spaces ");
        assertThat(s.id()).matches("[a-z0-9]{8}");
        assertThat(s.partSize()).isEqualTo(16 << 20);
        assertThat(s.partsInFlight()).isEqualTo(2);
        assertThat(s.maxBytes()).isEqualTo(150L << 30);
        assertThat(s.retention()).isNull();
        assertThat(s.storage().region()).isEqualTo("us-east-1");
        assertThat(s.storage().endpoint()).isNull();
        assertThat(s.storage().pathStyle()).isFalse();
        assertThat(s.storage().socketTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.toString()).doesNotContain("secret with spaces").doesNotContain("the-secret");
    }

    @Test
    void thePartGrowsSoThatTenThousandPartsHoldTheLargestSnapshot() throws BackupException {
        Map<String, String> env = backupEnv();
        env.put("PERCORE_BACKUP_MAX_SIZE", "1Ti");
        env.put("PERCORE_BACKUP_PART_SIZE", "5Mi");
        assertThat(BackupSettings.fromEnv(env).partSize()).isEqualTo(105 << 20); // 1 TiB / 10,000 = 104.9 MiB
        env.put("PERCORE_BACKUP_MAX_SIZE", "40Gi");
        assertThat(BackupSettings.fromEnv(env).partSize()).isEqualTo(5 << 20);
    }

    @Test
    void everyProblemIsNamedInOneMessage() {
        Map<String, String> env = new HashMap<>();
        env.put("PERCORE_BACKUP_SOURCES", "10.0.0.1, nohost, fd00::1:6380");
        env.put("PERCORE_BACKUP_SERVICE", "Not_A_Name");
        env.put("PERCORE_BACKUP_PART_SIZE", "1Mi");
        env.put("PERCORE_BACKUP_KEEP", "0");
        env.put("PERCORE_BACKUP_MAX_AGE", "a week");
        env.put("PERCORE_S3_ENDPOINT", "ftp://store");
        env.put("PERCORE_S3_ACCESS_KEY_ID", "id");
        env.put("PERCORE_S3_SSE", "des");
        env.put("PERCORE_S3_PATH_STYLE", "yes");
        assertThatThrownBy(() -> BackupSettings.fromEnv(env)).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.failure()).isEqualTo(Failure.INVALID_SETTINGS);
            assertThat(e.failure().exitCode()).isEqualTo(2);
            assertThat(e.getMessage()).contains("'10.0.0.1' is not host:port", "'nohost' is not host:port", "[address]:port",
                    "PERCORE_BACKUP_NAMESPACE is required", "PERCORE_BACKUP_SERVICE=Not_A_Name", "PERCORE_BACKUP_PART_SIZE=1Mi",
                    "PERCORE_BACKUP_KEEP=0", "PERCORE_BACKUP_MAX_AGE=a week", "PERCORE_S3_ENDPOINT=ftp://store", "PERCORE_S3_BUCKET is required",
                    "go together", "PERCORE_S3_SSE=des", "PERCORE_S3_PATH_STYLE=yes");
        });
    }

    @Test
    void aRestoresDefaultsAndItsObject() throws BackupException {
        Map<String, String> env = new HashMap<>();
        env.put("PERCORE_S3_BUCKET", "backups");
        env.put("PERCORE_S3_ENDPOINT", "http://minio.storage:9000");
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        RestoreSettings latest = RestoreSettings.fromEnv(env);
        assertThat(latest.object()).isNull();
        assertThat(latest.dataDir()).isEqualTo(Path.of("/data"));
        assertThat(latest.dbFilename()).isEqualTo("dump.rdb");
        assertThat(latest.overwrite()).isFalse();
        assertThat(latest.storage().endpoint()).isEqualTo(URI.create("http://minio.storage:9000"));

        Map<String, String> named = new HashMap<>();
        named.put("PERCORE_S3_BUCKET", "backups");
        named.put("PERCORE_RESTORE_OBJECT", "s3://backups/p/ns1/kv/20260102T030405.006Z-a.rdb");
        named.put("PERCORE_DATA_DIR", "/var/lib/kv");
        assertThat(RestoreSettings.fromEnv(named).object()).isEqualTo("p/ns1/kv/20260102T030405.006Z-a.rdb");
        named.put("PERCORE_RESTORE_OBJECT", "s3://elsewhere/x.rdb");
        named.put("PERCORE_RESTORE_DBFILENAME", "../dump.rdb");
        assertThatThrownBy(() -> RestoreSettings.fromEnv(named)).hasMessageContaining("not in the bucket backups")
                .hasMessageContaining("PERCORE_RESTORE_DBFILENAME=../dump.rdb");
        assertThatThrownBy(() -> RestoreSettings.fromEnv(Map.of("PERCORE_S3_BUCKET", "b"))).hasMessageContaining("PERCORE_BACKUP_NAMESPACE is required");
    }

    @Test
    void aClustersGroupsAndTheirSlots() throws BackupException {
        Map<String, String> env = backupEnv();
        assertThat(BackupSettings.fromEnv(env).cluster()).isFalse();
        env.put("PERCORE_BACKUP_SOURCES", "kv-0:6379,kv-1:6379;kv-2:6379,kv-3:6379;kv-4:6379");
        env.put("PERCORE_BACKUP_SLOTS", "0-5460;5461-10922;10923-16383");
        BackupSettings s = BackupSettings.fromEnv(env);
        assertThat(s.cluster()).isTrue();
        assertThat(s.groups()).hasSize(3);
        assertThat(s.groups().get(1)).containsExactly(new SourceAddress("kv-2", 6379), new SourceAddress("kv-3", 6379));
        assertThat(s.slots()).containsExactly("0-5460", "5461-10922", "10923-16383");
        assertThat(s.groupsInFlight()).isEqualTo(3);
        env.put("PERCORE_BACKUP_SOURCES", "kv-0:6379;;kv-4:6379");
        env.put("PERCORE_BACKUP_SLOTS", "0-5460;5461-10922");
        assertThatThrownBy(() -> BackupSettings.fromEnv(env)).hasMessageContaining("group 1 names no source")
                .hasMessageContaining("2 groups' slots for 3 groups");
        env.put("PERCORE_BACKUP_SOURCES", "kv-0:6379;kv-4:6379");
        env.put("PERCORE_BACKUP_SLOTS", "0-5460;x");
        assertThatThrownBy(() -> BackupSettings.fromEnv(env)).hasMessageContaining("'x' is not slot ranges");
    }

    @Test
    void aClustersPodRestoresOneGroup() throws BackupException {
        Map<String, String> env = new HashMap<>();
        env.put("PERCORE_S3_BUCKET", "backups");
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        assertThat(RestoreSettings.fromEnv(env).group()).isNull();
        env.put("PERCORE_RESTORE_GROUP", "2");
        env.put("PERCORE_RESTORE_GROUPS", "3");
        RestoreSettings s = RestoreSettings.fromEnv(env);
        assertThat(s.group()).isEqualTo(2);
        assertThat(s.groups()).isEqualTo(3);
        env.put("PERCORE_RESTORE_GROUP", "3");
        assertThatThrownBy(() -> RestoreSettings.fromEnv(env)).hasMessageContaining("groups are 0 to 2");
        env.remove("PERCORE_RESTORE_GROUPS");
        assertThatThrownBy(() -> RestoreSettings.fromEnv(env)).hasMessageContaining("both (a cluster's pod) or neither");
    }
}
