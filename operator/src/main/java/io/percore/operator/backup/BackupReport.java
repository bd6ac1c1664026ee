package io.percore.operator.backup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a successful backup did: its manifest, where it is, and what retention did after it.
 *
 * @param uri              {@code s3://bucket/key} of the snapshot (a cluster's: of its manifest, which names the groups' snapshots)
 * @param manifest         what the manifest records (key, size, SHA-256, keys, source, times)
 * @param why              why its source was chosen
 * @param retentionDeleted objects retention deleted after it (0 without retention)
 * @param retentionError   why retention failed (the backup stands), else null
 */
public record BackupReport(String uri, BackupManifest manifest, String why, int retentionDeleted, String retentionError) {

    /** The termination message's line: {@code {"outcome":"Succeeded","object":...}}. */
    public String line() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", "Succeeded");
        m.put("object", uri);
        if (manifest.cluster()) {
            m.put("groups", manifest.groups().size());
        } else {
            m.put("key", manifest.object());
        }
        m.put("bytes", manifest.bytes());
        m.put("keys", manifest.keys());
        if (!manifest.cluster()) {
            m.put("sha256", manifest.sha256());
        }
        m.put("durationMillis", manifest.durationMillis());
        m.put("transferMillis", manifest.transferMillis());
        m.put("startedAt", manifest.startedAt());
        if (manifest.cluster()) {
            // the line stays under the kubelet's 4 KiB with any number of groups: the manifest has each group's source
            String sources = manifest.groups().stream().map(g -> g.source().address()).collect(java.util.stream.Collectors.joining(", "));
            m.put("source", sources.length() <= 1000 ? sources : sources.substring(0, 1000) + "...");
            long replicas = manifest.groups().stream().filter(g -> "slave".equals(g.source().role())).count();
            m.put("sourceRole", replicas + " of " + manifest.groups().size() + " groups from a replica");
            m.put("sourceVersion", manifest.groups().get(0).source().version());
        } else {
            m.put("source", manifest.source().address());
            m.put("sourceRole", manifest.source().role());
            m.put("sourceOffset", manifest.source().offset());
            m.put("sourceVersion", manifest.source().version());
        }
        m.put("retentionDeleted", retentionDeleted);
        if (retentionError != null) {
            m.put("retentionError", retentionError.length() <= 1000 ? retentionError : retentionError.substring(0, 1000) + "...");
        }
        return TerminationMessage.line(m);
    }
}
