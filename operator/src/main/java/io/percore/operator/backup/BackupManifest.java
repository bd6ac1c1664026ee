package io.percore.operator.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * <p>A cluster's backup (format 2) is one manifest for several snapshots, one per group (a primary and its replicas,
 * the slots the primary serves), written after every group's snapshot completed: {@code groups} lists them in order, and
 * the top-level {@code object}, {@code sha256}, {@code source} and {@code rdbVersion} are those of no single snapshot (null,
 * 0); {@code bytes}, {@code keys}, {@code keysWithExpiry} are the sums.
 *
 * @param format         1 (one snapshot), 2 (a cluster's groups)
 * @param object         the snapshot's key (format 1)
 * @param bytes          its size (format 2: the groups' sum)
 * @param sha256         the SHA-256 of its bytes, lower-case hex (format 1)
 * @param keys           the keys it holds (all databases; format 2: the groups' sum)
 * @param keysWithExpiry of those, the keys with a TTL
 * @param rdbVersion     its RDB format version (format 1)
 * @param namespace      the service's namespace
 * @param service        the service's name
 * @param id             the backup's id
 * @param source         where it was read
 * @param startedAt      when the backup began (ISO-8601, UTC)
 * @param completedAt    when its snapshot was complete in the store
 * @param durationMillis from the start to the snapshot's completion
 * @param transferMillis from the request for the snapshot to its completion in the store (the start's connections to the
 *                       store and the sources not included): what the snapshot's size is divided by for a throughput
 * @param groups         a cluster's groups, in order (format 2), else null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupManifest(int format, String object, long bytes, String sha256, long keys, long keysWithExpiry, int rdbVersion,
                             String namespace, String service, String id, Source source, String startedAt, String completedAt,
                             long durationMillis, long transferMillis, List<Group> groups) {

    public static final int SINGLE = 1;
    public static final int CLUSTER = 2;

    /** A backup of one data set. */
    public BackupManifest(int format, String object, long bytes, String sha256, long keys, long keysWithExpiry, int rdbVersion,
                          String namespace, String service, String id, Source source, String startedAt, String completedAt,
                          long durationMillis, long transferMillis) {
        this(format, object, bytes, sha256, keys, keysWithExpiry, rdbVersion, namespace, service, id, source, startedAt, completedAt,
                durationMillis, transferMillis, null);
    }

    /**
     * One group of a cluster's backup: a primary's slots, read from that primary or one of its replicas in sync.
     *
     * @param group          its index, from 0, in the order of the groups' first slots
     * @param slots          the slots its primary served when the backup began ({@code 0-5460,...}), as the operator's
     *                       layout gave them; empty when not given
     * @param object         its snapshot's key
     * @param bytes          its snapshot's size
     * @param sha256         its snapshot's SHA-256
     * @param keys           its keys
     * @param keysWithExpiry of those, with a TTL
     * @param rdbVersion     its RDB format version
     * @param source         where it was read
     * @param durationMillis from the request for its snapshot to its completion in the store
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Group(int group, String slots, String object, long bytes, String sha256, long keys, long keysWithExpiry, int rdbVersion,
                        Source source, long durationMillis) {
    }

    public boolean cluster() {
        return format == CLUSTER;
    }

    /** Group {@code i} of a cluster's backup as the manifest of its one snapshot: what its restore checks it against. */
    public BackupManifest group(int i) {
        Group g = groups.get(i);
        return new BackupManifest(SINGLE, g.object(), g.bytes(), g.sha256(), g.keys(), g.keysWithExpiry(), g.rdbVersion(), namespace, service,
                id, g.source(), startedAt, completedAt, durationMillis, g.durationMillis());
    }

    /** The largest manifest read back: one of a single snapshot is a few hundred bytes, a cluster's about 600 more per group. */
    static final int MAX_BYTES = 1 << 20;
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

    /** Reads a manifest; one that is not a manifest of format 1 or 2 is the store's failure to keep what was written. */
    public static BackupManifest fromJson(byte[] json, String where) throws BackupException {
        BackupManifest m;
        try {
            m = JSON.readValue(json, BackupManifest.class);
        } catch (JacksonException e) {
            throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest " + where + " is not readable: "
                    + RespConnection.shorten(new String(json, StandardCharsets.UTF_8)), e);
        }
        boolean single = m.format() == SINGLE && m.object() != null && m.sha256() != null && m.bytes() >= 0;
        boolean cluster = m.format() == CLUSTER && m.groups() != null && !m.groups().isEmpty() && m.groups().size() <= BackupNames.MAX_GROUPS;
        if (cluster) {
            for (int i = 0; i < m.groups().size(); i++) {
                Group g = m.groups().get(i);
                cluster &= g != null && g.group() == i && g.object() != null && g.sha256() != null && g.bytes() >= 0 && g.keys() >= 0;
            }
        }
        if (!single && !cluster) {
            throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest " + where + " is not a manifest of format 1 or 2"
                    + " (one snapshot, or a cluster's groups in order)");
        }
        return m;
    }
}
