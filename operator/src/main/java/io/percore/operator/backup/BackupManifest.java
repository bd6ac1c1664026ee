package io.percore.operator.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a backup's manifest records ({@code <name>.json} beside {@code <name>.rdb}): what only the end of the upload
 * knows (size, SHA-256, keys, duration) and what it came from. Written after the snapshot's upload completed, so
 * its presence is what makes the backup complete; restore checks the snapshot against it.
 *
 * <p>Why not the snapshot's own metadata: S3 takes an object's metadata when its multipart upload is created,
 * before the first byte, and cannot change it after except by copying the object (a second full write, and a
 * multipart copy above 5 GiB); its checksums of multipart objects are per part (SHA-256) or whole-object only for
 * CRCs. The snapshot's metadata holds what is known at its start (source, offset, version).
 *
 * @param format         1
 * @param object         the snapshot's key
 * @param bytes          its size
 * @param sha256         the SHA-256 of its bytes, lower-case hex
 * @param keys           the keys it holds (all databases)
 * @param keysWithExpiry of those, the keys with a TTL
 * @param rdbVersion     its RDB format version
 * @param namespace      the service's namespace
 * @param service        the service's name
 * @param id             the backup's id
 * @param source         where it was read
 * @param startedAt      when the backup began (ISO-8601, UTC)
 * @param completedAt    when its snapshot was complete in the store
 * @param durationMillis from the start to the snapshot's completion
 * @param transferMillis from the request for the snapshot to its completion in the store (the start's connections to the
 *                       store and the sources not included): what the snapshot's size is divided by for a throughput
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupManifest(int format, String object, long bytes, String sha256, long keys, long keysWithExpiry, int rdbVersion,
                             String namespace, String service, String id, Source source, String startedAt, String completedAt,
                             long durationMillis, long transferMillis) {

    /** The largest manifest read back: a few hundred bytes are written. */
    static final int MAX_BYTES = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Where the snapshot was read.
     *
     * @param address {@code host:port}
     * @param role    {@code master} or {@code slave}
     * @param replid  the replication id of its {@code +FULLRESYNC}
     * @param offset  the offset of its {@code +FULLRESYNC}: the point of the stream the snapshot stands at
     * @param version its {@code redis_version}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String address, String role, String replid, long offset, String version) {
    }

    public byte[] toJson() {
        return JSON.writeValueAsBytes(this);
    }

    /** Reads a manifest; one that is not a manifest of format 1 is the store's failure to keep what was written. */
    public static BackupManifest fromJson(byte[] json, String where) throws BackupException {
        BackupManifest m;
        try {
            m = JSON.readValue(json, BackupManifest.class);
        } catch (JacksonException e) {
            throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest " + where + " is not readable: "
                    + RespConnection.shorten(new String(json, StandardCharsets.UTF_8)), e);
        }
        if (m.format() != 1 || m.object() == null || m.sha256() == null || m.bytes() < 0) {
            throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest " + where + " is not a manifest of format 1");
        }
        return m;
    }
}
