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
 * complete backup; then retention, when asked. A failure anywhere aborts the upload: no object, no manifest. A
 * cluster's backup does this per group (a primary's slots) and writes one manifest for all of them last.
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
            String dataKey = BackupNames.dataKey(prefix, started, s.id());
            String manifestKey = BackupNames.manifestKey(dataKey);
            String key;
            BackupManifest manifest;
            String why;
            if (s.cluster()) {
                key = manifestKey; // what names a cluster's backup: its groups' snapshots are listed in it
                manifest = cluster(s, store, prefix, started, t0, clock);
                why = "each group's replica in sync, else its primary";
            } else {
                SourceChooser.Choice choice = choose(s, s.sources());
                LOG.info("Backing up {}/{} from {}: {}", s.namespace(), s.service(), choice.source().describe(), choice.why());
                key = dataKey;
                manifest = transfer(s, store, choice.source(), key, started, t0, clock);
                why = choice.why();
            }
            store.put(manifestKey, manifest.toJson(), "application/json", Map.of());
            LOG.info("Backed up {} bytes, {} keys to {} in {} ms{}", manifest.bytes(), manifest.keys(), s.storage().uri(key),
                    manifest.durationMillis(), manifest.cluster() ? " (" + manifest.groups().size() + " groups)" : " (sha256 " + manifest.sha256() + ")");
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
            return new BackupReport(s.storage().uri(key), manifest, why, deleted, retentionError);
        }
    }

    private static SourceChooser.Choice choose(BackupSettings s, List<SourceAddress> sources) throws BackupException {
        List<SourceState> states = new ArrayList<>();
        for (SourceAddress a : sources) {
            states.add(SourceProbe.probe(a, s.sourceOptions()));
        }
        return SourceChooser.choose(states);
    }

    /**
     * A cluster's backup: the groups' snapshots, {@code groupsInFlight} at once (each from that group's replica in sync,
     * else its primary: a point in time per primary, as Redis Cluster's own backups are, and read together they are
     * close in time), then one manifest naming them all. A group that fails fails the backup: the others run to their
     * end (each bounded by its own timeouts), and the groups stored are deleted (a backup is every group or none;
     * retention would remove them later anyway, as a dead run's).
     */
    private static BackupManifest cluster(BackupSettings s, ObjectStore store, String prefix, Instant started, long t0, Clock clock)
            throws BackupException {
        int n = s.groups().size();
        long transferStart = System.nanoTime();
        List<java.util.concurrent.Future<BackupManifest.Group>> results = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(n, s.groupsInFlight()), r -> {
            Thread t = new Thread(r, "backup-group");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < n; i++) {
                int group = i;
                results.add(pool.submit(() -> group(s, store, prefix, started, t0, clock, group)));
            }
        } finally {
            pool.shutdown();
        }
        List<BackupManifest.Group> groups = new ArrayList<>();
        BackupException failed = null;
        for (java.util.concurrent.Future<BackupManifest.Group> f : results) {
            try {
                groups.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                BackupException cause = e.getCause() instanceof BackupException b ? b
                        : new BackupException(Failure.INTERNAL, e.getCause().toString(), e.getCause());
                failed = failed == null ? cause : failed;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed = failed == null ? new BackupException(Failure.INTERNAL, "interrupted", e) : failed;
            }
        }
        if (failed != null) {
            for (BackupManifest.Group g : groups) {
                try {
                    store.delete(g.object());
                } catch (BackupException d) {
                    LOG.warn("Could not delete {} of the failed backup (retention removes it later): {}", g.object(), d.getMessage());
                }
            }
            throw failed;
        }
        Instant completed = clock.instant();
        return new BackupManifest(BackupManifest.CLUSTER, null, groups.stream().mapToLong(BackupManifest.Group::bytes).sum(), null,
                groups.stream().mapToLong(BackupManifest.Group::keys).sum(), groups.stream().mapToLong(BackupManifest.Group::keysWithExpiry).sum(),
                0, s.namespace(), s.service(), s.id(), null, started.toString(), completed.toString(), (System.nanoTime() - t0) / 1_000_000,
                (System.nanoTime() - transferStart) / 1_000_000, List.copyOf(groups));
    }

    /** Group {@code i}'s snapshot, its failure named by the group and its slots. */
    private static BackupManifest.Group group(BackupSettings s, ObjectStore store, String prefix, Instant started, long t0, Clock clock, int i)
            throws BackupException {
        String slots = s.slots().isEmpty() ? "" : s.slots().get(i);
        String what = "group " + i + (slots.isEmpty() ? "" : " (slots " + RespConnection.shorten(slots) + ")");
        String key = BackupNames.groupKey(prefix, started, s.id(), i);
        try {
            SourceChooser.Choice choice = choose(s, s.groups().get(i));
            LOG.info("Backing up {}/{} {} from {}: {}", s.namespace(), s.service(), what, choice.source().describe(), choice.why());
            BackupManifest one = transfer(s, store, choice.source(), key, started, t0, clock);
            return new BackupManifest.Group(i, slots, key, one.bytes(), one.sha256(), one.keys(), one.keysWithExpiry(), one.rdbVersion(),
                    one.source(), one.transferMillis());
        } catch (BackupException e) {
            throw new BackupException(e.failure(), what + ": " + e.getMessage(), e);
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
