package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ObjectStore} and {@link MultipartUpload} against a real S3 API (S3Proxy, SigV4). */
class ObjectStoreTest {

    static S3ProxyProcess s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyProcess.shared();
    }

    @Test
    void anObjectLargerThanAPartGoesUpInPartsAndComesBackWhole() throws Exception {
        String bucket = s3.bucket("parts");
        byte[] data = new byte[12 * 1024 * 1024 + 12345];
        new Random(7).nextBytes(data);
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
            MultipartUpload up = store.upload("a/b.rdb", Map.of("percore-source", "10.0.0.1:6379"), MultipartUpload.MIN_PART, 2);
            for (int off = 0; off < data.length; off += 70_000) {
                up.write(data, off, Math.min(70_000, data.length - off));
            }
            assertThat(store.list("a/", 10)).as("nothing before completion").isEmpty();
            up.complete();
            assertThat(store.list("a/", 10)).singleElement().satisfies(o -> assertThat(o.size()).isEqualTo(data.length));
            try (ObjectStore.Download d = store.get("a/b.rdb")) {
                assertThat(d.size()).isEqualTo(data.length);
                assertThat(d.metadata()).containsEntry("percore-source", "10.0.0.1:6379");
                assertThat(d.stream().readAllBytes()).isEqualTo(data);
            }
            assertThat(store.s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void aSmallObjectIsOnePutAndAnAbortedUploadLeavesNothing() throws Exception {
        String bucket = s3.bucket("small");
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
            MultipartUpload small = store.upload("s.rdb", Map.of(), MultipartUpload.MIN_PART, 2);
            small.write("REDIS0010".getBytes());
            small.complete();
            assertThat(new String(store.read("s.rdb", 100))).isEqualTo("REDIS0010");

            MultipartUpload big = store.upload("big.rdb", Map.of(), MultipartUpload.MIN_PART, 2);
            big.write(new byte[MultipartUpload.MIN_PART * 2 + 1]);
            big.abort();
            assertThat(store.list("", 10)).extracting(StoredObject::key).containsExactly("s.rdb");
            assertThat(store.s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void theStoresRefusalsAreNamed() throws Exception {
        String bucket = s3.bucket("refusals");
        try (ObjectStore store = ObjectStore.open(s3.settings(bucket, ""))) {
            assertThatThrownBy(() -> store.get("missing.rdb")).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.failure()).isEqualTo(Failure.NO_SUCH_OBJECT));
        }
        StorageSettings wrong = s3.settings(bucket, "");
        wrong = new StorageSettings(wrong.endpoint(), wrong.region(), bucket, "", true, S3ProxyProcess.IDENTITY, "not-the-secret", null, null,
                wrong.connectTimeout(), wrong.socketTimeout());
        try (ObjectStore store = ObjectStore.open(wrong)) {
            assertThatThrownBy(() -> store.list("", 1)).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.failure()).isEqualTo(Failure.ACCESS_DENIED));
        }
        try (ObjectStore store = ObjectStore.open(s3.settings("no-such-bucket-here", ""))) {
            assertThatThrownBy(() -> store.list("", 1)).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.failure()).isEqualTo(Failure.NO_SUCH_BUCKET));
        }
    }

    /**
     * S3Proxy implements no encryption and refuses the header with 501, as it should rather than store in clear what
     * was asked encrypted; so the headers are checked where they leave: an HTTP endpoint that records them.
     */
    @Test
    void serverSideEncryptionIsAskedOfTheStoreAndAStoreWithoutItRefusesTheBackup() throws Exception {
        String bucket = s3.bucket("sse");
        StorageSettings plain = s3.settings(bucket, "");
        StorageSettings sseS3 = new StorageSettings(plain.endpoint(), plain.region(), bucket, "", true, plain.accessKeyId(),
                plain.secretAccessKey(), "AES256", null, plain.connectTimeout(), plain.socketTimeout());
        try (ObjectStore store = ObjectStore.open(sseS3)) {
            MultipartUpload up = store.upload("e.rdb", Map.of(), MultipartUpload.MIN_PART, 1);
            assertThatThrownBy(() -> up.write(new byte[MultipartUpload.MIN_PART + 5])).isInstanceOfSatisfying(BackupIOException.class,
                    e -> assertThat(e.failure().getMessage()).contains("501 NotImplemented"));
            up.abort();
            assertThatThrownBy(() -> store.put("e.json", "{}".getBytes(), "application/json", Map.of()))
                    .hasMessageContaining("501 NotImplemented");
        }
        try (RecordingEndpoint endpoint = new RecordingEndpoint()) {
            StorageSettings kms = new StorageSettings(endpoint.uri(), "us-east-1", "b", "", true, "id", "secret", "aws:kms", "key-7",
                    plain.connectTimeout(), plain.socketTimeout());
            try (ObjectStore store = ObjectStore.open(kms)) {
                MultipartUpload up = store.upload("e.rdb", Map.of(), MultipartUpload.MIN_PART, 1);
                assertThatThrownBy(() -> up.write(new byte[MultipartUpload.MIN_PART + 5])).isInstanceOf(BackupIOException.class);
                up.abort();
                assertThatThrownBy(() -> store.put("e.json", "{}".getBytes(), "application/json", Map.of())).isInstanceOf(BackupException.class);
            }
            assertThat(endpoint.requests()).as("CreateMultipartUpload, then the PUT of the manifest").hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(r -> assertThat(r).contains("x-amz-server-side-encryption: aws:kms",
                            "x-amz-server-side-encryption-aws-kms-key-id: key-7"));
            assertThat(endpoint.requests().get(0)).startsWith("POST /b/e.rdb?uploads");
        }
    }
}
