package io.percore.operator.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The backups' bucket through the AWS SDK v2 on the JDK's HttpURLConnection: uploads in parts
 * ({@link MultipartUpload}), small objects (the manifests), listings, streamed downloads, deletions. Every SDK failure
 * leaves as a {@link BackupException} that names the store's answer ({@link #classify}).
 *
 * <p>The SDK's own request checksums (since 2.30 it adds CRC32 trailers to every upload by default) are asked only
 * where the API requires them: several S3-compatible stores refuse the trailers or the chunked encoding that carries
 * them, and the snapshot's integrity is ours end to end (the SHA-256 in the manifest, checked at restore).
 */
public final class ObjectStore implements Closeable {

    final S3Client s3;
    final StorageSettings settings;

    private ObjectStore(S3Client s3, StorageSettings settings) {
        this.s3 = s3;
        this.settings = settings;
    }

    public static ObjectStore open(StorageSettings settings) {
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.socketTimeout())
                        .build())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials(settings));
        if (settings.endpoint() != null) {
            b.endpointOverride(settings.endpoint());
        }
        return new ObjectStore(b.build(), settings);
    }

    private static AwsCredentialsProvider credentials(StorageSettings s) {
        if (s.accessKeyId() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    public StorageSettings settings() {
        return settings;
    }

    /** Starts an upload of {@code key} in parts of {@code partSize} bytes, at most {@code partsInFlight} sent at once. */
    public MultipartUpload upload(String key, Map<String, String> metadata, int partSize, int partsInFlight) {
        return new MultipartUpload(this, key, metadata, partSize, partsInFlight);
    }

    /** Writes a small object whole (a manifest). */
    public void put(String key, byte[] body, String contentType, Map<String, String> metadata) throws BackupException {
        PutObjectRequest.Builder r = PutObjectRequest.builder().bucket(settings.bucket()).key(key).contentType(contentType).metadata(metadata);
        encryption(r);
        try {
            s3.putObject(r.build(), RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw classify(e, "writing " + settings.uri(key));
        }
    }

    void encryption(PutObjectRequest.Builder r) {
        if (settings.sse() != null) {
            r.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse()));
            if (settings.kmsKeyId() != null) {
                r.ssekmsKeyId(settings.kmsKeyId());
            }
        }
    }

    /** Every object whose key starts with {@code prefix}, page after page, at most {@code max}. */
    public List<StoredObject> list(String prefix, int max) throws BackupException {
        List<StoredObject> all = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(settings.bucket())
                        .prefix(prefix.isEmpty() ? null : prefix).maxKeys(Math.min(1000, max - all.size())).continuationToken(token).build());
                for (S3Object o : page.contents()) {
                    all.add(new StoredObject(o.key(), o.size(), o.lastModified()));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null && all.size() < max);
        } catch (SdkException e) {
            throw classify(e, "listing " + settings.uri(prefix));
        }
        return all;
    }

    /** An object's bytes as they arrive, its size and metadata; close it (or {@link Download#abort()}) when done. */
    public Download get(String key) throws BackupException {
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(GetObjectRequest.builder().bucket(settings.bucket()).key(key).build());
            return new Download(in, in.response().contentLength() == null ? -1 : in.response().contentLength(), in.response().metadata());
        } catch (SdkException e) {
            throw classify(e, "reading " + settings.uri(key));
        }
    }

    /** A small object whole (a manifest), refused above {@code max} bytes. */
    public byte[] read(String key, int max) throws BackupException {
        try (Download d = get(key)) {
            if (d.size() > max) {
                d.abort();
                throw new BackupException(Failure.STORAGE_ERROR, settings.uri(key) + " has " + d.size() + " bytes, more than the " + max + " expected");
            }
            byte[] body = d.in().readNBytes(max + 1);
            if (body.length > max) {
                throw new BackupException(Failure.STORAGE_ERROR, settings.uri(key) + " has more than the " + max + " bytes expected");
            }
            return body;
        } catch (IOException e) {
            throw new BackupException(Failure.STORAGE_UNREACHABLE, "reading " + settings.uri(key) + " failed: " + e, e);
        }
    }

    public void delete(String key) throws BackupException {
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            throw classify(e, "deleting " + settings.uri(key));
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** What the store answered (or that it did not), as a failure naming the request. */
    BackupException classify(SdkException e, String what) {
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            String answer = "HTTP " + s.statusCode() + (code == null ? "" : " " + code);
            if ("NoSuchBucket".equals(code)) {
                return new BackupException(Failure.NO_SUCH_BUCKET, what + ": the bucket '" + settings.bucket() + "' does not exist (" + answer + ")", e);
            }
            if ("NoSuchKey".equals(code) || (s.statusCode() == 404 && code == null)) {
                return new BackupException(Failure.NO_SUCH_OBJECT, what + ": no such object (" + answer + ")", e);
            }
            if (s.statusCode() == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || "AccessDenied".equals(code)) {
                return new BackupException(Failure.ACCESS_DENIED, what + ": the store refused the credentials or the request (" + answer + ")", e);
            }
            return new BackupException(Failure.STORAGE_ERROR, what + ": the store answered " + answer
                    + (s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null ? ": " + s.awsErrorDetails().errorMessage() : ""), e);
        }
        if (e instanceof SdkClientException) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                        || t instanceof SocketTimeoutException) {
                    return new BackupException(Failure.STORAGE_UNREACHABLE, what + ": the store at " + endpoint() + " did not answer: " + t, e);
                }
            }
        }
        return new BackupException(Failure.STORAGE_ERROR, what + " failed: " + e.getMessage(), e);
    }

    private String endpoint() {
        return settings.endpoint() == null ? "the region " + settings.region() + "'s endpoint" : settings.endpoint().toString();
    }

    /** A streamed download. */
    public record Download(ResponseInputStream<GetObjectResponse> in, long size, Map<String, String> metadata) implements Closeable {

        /** Stops the transfer without reading the rest. */
        public void abort() {
            in.abort();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        public InputStream stream() {
            return in;
        }
    }
}
