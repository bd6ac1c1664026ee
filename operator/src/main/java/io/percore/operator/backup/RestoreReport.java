package io.percore.operator.backup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a restore did: {@code Restored} (which object, how many bytes and keys, into which file, checked against
 * what) or {@code Skipped} (the data directory already held data).
 *
 * @param restored       whether a snapshot was written
 * @param uri            {@code s3://bucket/key} restored, or null when skipped
 * @param key            its key
 * @param bytes          its size
 * @param keys           the keys it holds
 * @param sha256         its SHA-256
 * @param verifiedAgainst {@code manifest} (size, SHA-256 and keys of its manifest, and the RDB's own CRC-64) or
 *                       {@code rdb} (an object without manifest: its RDB structure and CRC-64 only)
 * @param file           the snapshot file written
 * @param durationMillis from the start to the file in place
 * @param transferMillis from the download's request to the file in place (the store's listing and manifest not included)
 * @param message        why nothing was restored, when skipped
 * @param group          a cluster's group restored, else null
 * @param backup         {@code s3://bucket/key} of the cluster's backup (its manifest) the group is of, else null
 */
public record RestoreReport(boolean restored, String uri, String key, long bytes, long keys, String sha256, String verifiedAgainst,
                            String file, long durationMillis, long transferMillis, String message, Integer group, String backup) {

    public RestoreReport(boolean restored, String uri, String key, long bytes, long keys, String sha256, String verifiedAgainst,
                         String file, long durationMillis, long transferMillis, String message) {
        this(restored, uri, key, bytes, keys, sha256, verifiedAgainst, file, durationMillis, transferMillis, message, null, null);
    }

    static RestoreReport skipped(String message) {
        return new RestoreReport(false, null, null, 0, 0, null, null, null, 0, 0, message);
    }

    /** This restore as group {@code group} of the cluster's backup {@code backup}. */
    RestoreReport ofGroup(int group, String backup) {
        return new RestoreReport(restored, uri, key, bytes, keys, sha256, verifiedAgainst, file, durationMillis, transferMillis, message, group,
                backup);
    }

    /** The termination message's line. */
    public String line() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!restored) {
            m.put("outcome", "Skipped");
            m.put("message", message);
            return TerminationMessage.line(m);
        }
        m.put("outcome", "Restored");
        m.put("object", uri);
        m.put("key", key);
        m.put("bytes", bytes);
        m.put("keys", keys);
        m.put("sha256", sha256);
        m.put("verifiedAgainst", verifiedAgainst);
        m.put("file", file);
        m.put("durationMillis", durationMillis);
        m.put("transferMillis", transferMillis);
        if (group != null) {
            m.put("group", group);
            m.put("backup", backup);
        }
        return TerminationMessage.line(m);
    }
}
