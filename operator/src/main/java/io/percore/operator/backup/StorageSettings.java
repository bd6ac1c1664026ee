package io.percore.operator.backup;

import java.net.URI;
import java.time.Duration;

/**
 * Where backups are kept: any S3 API (AWS S3, MinIO, Ceph RGW, Garage, S3Proxy).
 *
 * @param endpoint        the API's URL, e.g. {@code http://minio.storage:9000}; null for AWS's own endpoint of the region
 * @param region          the region SigV4 signs for ({@code us-east-1} when the store has none)
 * @param bucket          the bucket, which must exist
 * @param prefix          the keys' common prefix (no leading or trailing slash), may be empty
 * @param pathStyle       {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, most self-hosted stores)
 * @param accessKeyId     with {@code secretAccessKey}: static credentials; both null: the SDK's default chain
 *                        (AWS_* environment variables, web identity, instance profile)
 * @param secretAccessKey the secret of {@code accessKeyId}
 * @param sse             server-side encryption asked of the store: null, {@code AES256} (SSE-S3) or {@code aws:kms} (SSE-KMS)
 * @param kmsKeyId        with {@code aws:kms}: the key, or null for the store's default key
 * @param connectTimeout  to open a connection to the store
 * @param socketTimeout   the longest silence of the store inside a request
 */
public record StorageSettings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle, String accessKeyId,
                              String secretAccessKey, String sse, String kmsKeyId, Duration connectTimeout, Duration socketTimeout) {

    /** Without the secret. */
    @Override
    public String toString() {
        return "StorageSettings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", pathStyle=" + pathStyle + ", accessKeyId=" + accessKeyId + ", sse=" + sse + ", kmsKeyId=" + kmsKeyId + "]";
    }

    /** {@code s3://bucket/key}, for messages and reports. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }
}
