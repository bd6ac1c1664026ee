package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;

/**
 * Where backups are kept: any S3 API (AWS S3, MinIO, Ceph RGW, Garage). The objects are
 * {@code [prefix/]<namespace>/<service>/<time>-<id>.rdb} with a {@code .json} manifest beside each. Only what the user
 * wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupDestination {

    /** The Secret's keys of {@link #getCredentialsSecretName()}. */
    public static final String ACCESS_KEY_ID_KEY = "accessKeyId";
    public static final String SECRET_ACCESS_KEY_KEY = "secretAccessKey";
    public static final String BUCKET_PATTERN = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";

    @Pattern("^https?://[^\\s]+$")
    @JsonPropertyDescription("The S3 API's URL, e.g. http://minio.storage:9000. Unset: AWS's endpoint of the region.")
    private String endpoint;

    @Pattern("^[a-z0-9-]{1,32}$")
    @JsonPropertyDescription("The region requests are signed for. Default us-east-1.")
    private String region;

    @Required
    @Pattern(BUCKET_PATTERN)
    @JsonPropertyDescription("The bucket; it must exist.")
    private String bucket;

    @Pattern("^[A-Za-z0-9!_.*'()/-]{0,512}$")
    @JsonPropertyDescription("The keys' common prefix (folders under it: <namespace>/<service>/). Default none.")
    private String prefix;

    @JsonPropertyDescription("Path-style addresses (http://host/bucket/key), as MinIO and most self-hosted stores need. Default false.")
    private Boolean pathStyle;

    @Pattern(Replication.SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) with keys accessKeyId and secretAccessKey. Unset: the SDK's default chain"
            + " (AWS_* variables, web identity, instance profile) of the Job's and pods' service account.")
    private String credentialsSecretName;

    @Pattern("^(AES256|aws:kms)$")
    @JsonPropertyDescription("Server-side encryption asked of the store: AES256 (SSE-S3) or aws:kms (SSE-KMS). A store that cannot"
            + " encrypt refuses, and the backup fails rather than store in clear.")
    private String serverSideEncryption;

    @Pattern("^[A-Za-z0-9:/_-]+$")
    @Size(max = 2048)
    @JsonPropertyDescription("With aws:kms: the key. Unset: the store's default key.")
    private String kmsKeyId;

    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getRegion() { return region; }
    public void setRegion(String region) { this.region = region; }
    public String getBucket() { return bucket; }
    public void setBucket(String bucket) { this.bucket = bucket; }
    public String getPrefix() { return prefix; }
    public void setPrefix(String prefix) { this.prefix = prefix; }
    public Boolean getPathStyle() { return pathStyle; }
    public void setPathStyle(Boolean pathStyle) { this.pathStyle = pathStyle; }
    public String getCredentialsSecretName() { return credentialsSecretName; }
    public void setCredentialsSecretName(String credentialsSecretName) { this.credentialsSecretName = credentialsSecretName; }
    public String getServerSideEncryption() { return serverSideEncryption; }
    public void setServerSideEncryption(String serverSideEncryption) { this.serverSideEncryption = serverSideEncryption; }
    public String getKmsKeyId() { return kmsKeyId; }
    public void setKmsKeyId(String kmsKeyId) { this.kmsKeyId = kmsKeyId; }
}
