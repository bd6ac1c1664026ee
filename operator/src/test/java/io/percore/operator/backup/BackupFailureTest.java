package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that cannot be made fails with its reason and leaves nothing in the store: the store out of reach, the
 * wrong key, a missing bucket (each found before any source is asked for a snapshot), a source that closes in the
 * middle of its snapshot or sends a corrupt one, no source in sync. And the source chosen among several: a replica
 * in sync over the primary, on real redis-servers; retention after a successful backup.
 */
class BackupFailureTest {

    static S3ProxyProcess s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void store() throws Exception {
        s3 = S3ProxyProcess.shared();
    }

    private Map<String, String> env(String bucket, SourceAddress source) {
        Map<String, String> env = new HashMap<>(s3.env(bucket, "p"));
        env.put("PERCORE_BACKUP_SOURCES", source.toString());
        env.put("PERCORE_BACKUP_NAMESPACE", "ns1");
        env.put("PERCORE_BACKUP_SERVICE", "kv");
        env.put("PERCORE_BACKUP_PART_SIZE", "5Mi");
        env.put("PERCORE_BACKUP_STALL_TIMEOUT", "5s");
        env.put("PERCORE_TERMINATION_LOG", dir.resolve("termination-log").toString());
        return env;
    }

    private Map<String, Object> failed(Map<String, String> env, String reason) throws Exception {
        assertThat(BackupMain.run(env, Clock.systemUTC())).isEqualTo(1);
        Map<String, Object> line = TerminationMessage.parse(Files.readString(dir.resolve("termination-log")).trim());
        assertThat(line).as(line.toString()).containsEntry("outcome", "Failed").containsEntry("reason", reason);
        return line;
    }

    @Test
    void theStoreIsCheckedBeforeAnySourceIsAsked() throws Exception {
        String bucket = s3.bucket("store-first");
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> { })) {
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            Map<String, String> unreachable = env(bucket, source.address());
            unreachable.put("PERCORE_S3_ENDPOINT", "http://127.0.0.1:" + closed);
            unreachable.put("PERCORE_S3_CONNECT_TIMEOUT", "2s");
            assertThat((String) failed(unreachable, "StorageUnreachable").get("message"))
                    .contains("listing s3://" + bucket + "/p/ns1/kv/", "the store at http://127.0.0.1:" + closed + " did not answer");

            Map<String, String> wrongKey = env(bucket, source.address());
            wrongKey.put("PERCORE_S3_SECRET_ACCESS_KEY", "not-the-secret");
            assertThat((String) failed(wrongKey, "AccessDenied").get("message")).contains("refused the credentials", "HTTP 403");

            assertThat((String) failed(env("no-such-bucket", source.address()), "NoSuchBucket").get("message"))
                    .contains("the bucket 'no-such-bucket' does not exist");
            assertThat(source.connections()).as("no source asked for anything").isZero();
        }
        Map<String, String> bad = env(bucket, new SourceAddress("127.0.0.1", 1));
        bad.remove("PERCORE_BACKUP_NAMESPACE");
        assertThat(BackupMain.run(bad, Clock.systemUTC())).as("settings: exit 2").isEqualTo(2);
        assertThat(Files.readString(dir.resolve("termination-log"))).contains("\"reason\":\"InvalidSettings\"");
    }

    @Test
    void aSourceThatClosesMidSnapshotOrSendsACorruptOneLeavesNothing() throws Exception {
        String bucket = s3.bucket("mid-snapshot");
        // a string of 10 MB announced, 6 MiB of it sent: the first 5 MiB part has gone up, then the connection closes
        byte[] head = ReplicationSnapshotTest.concat("REDIS0010".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 1, 'k', (byte) 0x80, 0x00, (byte) 0x98, (byte) 0x96, (byte) 0x80});
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> {
            out.write(("+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 42\r\n$EOF:" + ReplicationSnapshotTest.MARK + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(new byte[6 << 20]);
        })) {
            assertThat((String) failed(env(bucket, source.address()), "SourceClosed").get("message"))
                    .contains("closed the connection after " + (head.length + (6 << 20)) + " bytes of the snapshot, before its end");
        }
        byte[] corrupt = ReplicationSnapshotTest.emptyRdb();
        corrupt[corrupt.length - 1] ^= 1;
        try (ScriptedSource source = new ScriptedSource(ScriptedSource.PRIMARY_INFO, out -> {
            out.write(("+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 42\r\n$" + corrupt.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(corrupt);
        })) {
            assertThat((String) failed(env(bucket, source.address()), "CorruptSnapshot").get("message")).contains("wrong CRC-64");
        }
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
            assertThat(store.list("", 100)).as("no object").isEmpty();
            assertThat(store.s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).as("no upload left").isEmpty();
        }
    }

    @Test
    void aReplicaInSyncIsReadAndRetentionKeepsWhatItIsTold() throws Exception {
        String bucket = s3.bucket("replica");
        try (ServiceProcess primary = ServiceProcess.startRedis("pw", Files.createDirectories(dir.resolve("p")));
             ServiceProcess replica = ServiceProcess.startRedis("pw", Files.createDirectories(dir.resolve("r")));
             RespPipe p = new RespPipe(primary.port, "pw"); RespPipe r = new RespPipe(replica.port, "pw")) {
            Dataset.seed(primary.port, "pw", 2000);
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                String info = (String) r.call("INFO", "replication");
                return info.contains("master_link_status:up") && r.call("DBSIZE").equals(2000L);
            });
            try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
                store.put("p/ns1/kv/notes.txt", "mine".getBytes(), "text/plain", Map.of());
                store.put("p/ns1/kv-2/20200101T000000.000Z-old.rdb", "other".getBytes(), "application/octet-stream", Map.of());
            }
            Map<String, String> env = env(bucket, new SourceAddress("127.0.0.1", primary.port));
            env.put("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + primary.port + ",127.0.0.1:" + replica.port);
            env.put("PERCORE_BACKUP_PASSWORD", "pw");
            env.put("PERCORE_BACKUP_KEEP", "1");
            for (int run = 0; run < 2; run++) {
                assertThat(BackupMain.run(env, Clock.systemUTC())).as(Files.readString(dir.resolve("termination-log"))).isZero();
                Map<String, Object> line = TerminationMessage.parse(Files.readString(dir.resolve("termination-log")).trim());
                assertThat(line).containsEntry("source", "127.0.0.1:" + replica.port).containsEntry("sourceRole", "slave")
                        .containsEntry("keys", 2000).containsEntry("retentionDeleted", run == 0 ? 0 : 2);
            }
            try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
                List<String> keys = store.list("", 100).stream().map(StoredObject::key).toList();
                assertThat(keys).hasSize(4).contains("p/ns1/kv/notes.txt", "p/ns1/kv-2/20200101T000000.000Z-old.rdb");
                assertThat(BackupCatalog.of("p/ns1/kv/", store.list("p/ns1/kv/", 100)).complete()).hasSize(1);
            }
            // the replica's link down and no primary listed: nothing in sync to read
            p.call("CONFIG", "SET", "requirepass", "changed");
            p.call("CLIENT", "KILL", "TYPE", "replica");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ((String) r.call("INFO", "replication"))
                    .contains("master_link_status:down"));
            env.put("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + replica.port);
            assertThat((String) failed(env, "NoSourceInSync").get("message")).contains("(replica, link down)");
        }
    }

    static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
