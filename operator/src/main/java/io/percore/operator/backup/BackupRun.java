package io.percore.operator.backup;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup: the store checked first (bucket, credentials, listing: a source is not asked for a snapshot that
 * could not be kept), the sources asked what they are and one chosen ({@link SourceChooser}), its snapshot read
 * through the replication protocol ({@link ReplicationSnapshot}) and, in the same pass, checked as a complete RDB and
 * hashed ({@link RdbCheck}) and uploaded in parts ({@link MultipartUpload}); then the manifest, which makes it a
 * complete backup; then retention, when asked. A failure anywhere aborts the upload: no object, no manifest.
 */
public final class BackupRun {

    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);
    /** The most keys a listing takes for retention: a service's backups, with room. */
    static final int MAX_LISTED = 100_000;

    private BackupRun() {
    }

    public static BackupReport run(BackupSettings s, Clock clock) throws BackupException {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        try (ObjectStore store = ObjectStore.open(s.storage())) {
            String prefix = BackupNames.servicePrefix(s.storage().prefix(), s.namespace(), s.service());
            store.list(prefix, 1);
            List<SourceState> states = new ArrayList<>();
            for (SourceAddress a : s.sources()) {
                states.add(SourceProbe.probe(a, s.sourceOptions()));
            }
            SourceChooser.Choice choice = SourceChooser.choose(states);
            SourceState source = choice.source();
            LOG.info("Backing up {}/{} from {}: {}", s.namespace(), s.service(), source.describe(), choice.why());
            String key = BackupNames.dataKey(prefix, started, s.id());
            BackupManifest manifest = transfer(s, store, source, key, started, t0, clock);
            store.put(BackupNames.manifestKey(key), manifest.toJson(), "application/json", Map.of());
            LOG.info("Backed up {} bytes, {} keys to {} in {} ms (sha256 {})", manifest.bytes(), manifest.keys(), s.storage().uri(key),
                    manifest.durationMillis(), manifest.sha256());
            int deleted = 0;
            String retentionError = null;
            if (s.retention() != null) {
                try {
                    deleted = applyRetention(store, prefix, s.retention(), clock.instant());
                } catch (BackupException e) {
                    retentionError = e.getMessage();
                    LOG.warn("Retention failed, the backup stands: {}", e.getMessage());
                }
            }
            return new BackupReport(s.storage().uri(key), manifest, choice.why(), deleted, retentionError);
        }
    }

    private static BackupManifest transfer(BackupSettings s, ObjectStore store, SourceState source, String key, Instant started, long t0,
                                           Clock clock) throws BackupException {
        long transferStart = System.nanoTime();
        ReplicationSnapshot snapshot = ReplicationSnapshot.open(source.address(), s.sourceOptions());
        MultipartUpload upload = null;
        try {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("percore-namespace", s.namespace());
            metadata.put("percore-service", s.service());
            metadata.put("percore-id", s.id());
            metadata.put("percore-started-at", started.toString());
            metadata.put("percore-source", source.address().toString());
            metadata.put("percore-source-role", source.role());
            metadata.put("percore-source-replid", snapshot.replid());
            metadata.put("percore-source-offset", Long.toString(snapshot.offset()));
            metadata.put("percore-source-version", ascii(source.version()));
            upload = store.upload(key, metadata, s.partSize(), s.partsInFlight());
            RdbCheck.Summary summary;
            try {
                summary = RdbCheck.check(snapshot.payload(), upload, s.maxBytes());
            } catch (BackupIOException e) {
                throw e.failure();
            } catch (RdbCheck.RdbException e) {
                throw new BackupException(e.failure(), "the snapshot from " + source.address() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw ReplicationSnapshot.classify(e, source.address(), "during the snapshot", s.stallTimeout());
            }
            snapshot.close(); // the source is done with us: before the upload's last part, which may take a while
            upload.complete();
            Instant completed = clock.instant();
            return new BackupManifest(1, key, summary.bytes(), summary.sha256(), summary.keys(), summary.keysWithExpiry(), summary.version(),
                    s.namespace(), s.service(), s.id(), new BackupManifest.Source(source.address().toString(), source.role(), snapshot.replid(),
                    snapshot.offset(), source.version()), started.toString(), completed.toString(), (System.nanoTime() - t0) / 1_000_000,
                    (System.nanoTime() - transferStart) / 1_000_000);
        } finally {
            snapshot.close();
            if (upload != null) {
                upload.abort(); // nothing once completed
            }
        }
    }

    /** Deletes what the retention plan names; returns how many objects went. */
    static int applyRetention(ObjectStore store, String prefix, Retention rule, Instant now) throws BackupException {
        RetentionPlanner.Plan plan = RetentionPlanner.plan(prefix, store.list(prefix, MAX_LISTED), rule, now);
        for (String why : plan.why()) {
            LOG.info("Retention deletes {}", why);
        }
        int deleted = 0;
        for (String key : plan.delete()) {
            store.delete(key);
            deleted++;
        }
        return deleted;
    }

    private static String ascii(String s) {
        return s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
