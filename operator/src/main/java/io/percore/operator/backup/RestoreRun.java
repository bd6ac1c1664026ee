package io.percore.operator.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One restore into a data directory: the snapshot (the latest complete backup of a service, or an object named) is
 * downloaded into a temporary file beside the service's snapshot file, checked as it arrives (a complete RDB with its
 * CRC-64, {@link RdbCheck}) and then against its manifest (size, SHA-256, keys), forced to the disk, and only then
 * renamed to {@code <dir>/<dbfilename>}, the file the service loads at start. A check that fails, a full disk, a
 * broken download: the temporary file is deleted and the directory is as it was (a fresh pod then starts empty).
 * A directory that already holds data is left alone unless told to overwrite: the init container runs at every start
 * of the pod, and only the first may restore. A cluster's pod restores its group of a cluster's backup (the manifest
 * names one snapshot per group, checked against what the manifest says of it); the backup must have as many groups as
 * the cluster has primaries.
 */
public final class RestoreRun {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreRun.class);
    /** Temporary files of a restore: {@code .percore-restore-<random>.rdb}; the service loads none of them. */
    static final String TEMP_PREFIX = ".percore-restore-";
    /** The service's append-only directory (its {@code appenddirname}): loaded before any {@code dump.rdb}. */
    static final String AOF_DIR = "appendonlydir";

    private RestoreRun() {
    }

    public static RestoreReport run(RestoreSettings s) throws BackupException {
        long t0 = System.nanoTime();
        Path dir = s.dataDir();
        Path target = dir.resolve(s.dbFilename());
        try {
            Files.createDirectories(dir);
            removeTemporaries(dir);
        } catch (IOException e) {
            throw new BackupException(Failure.DATA_DIRECTORY, "the data directory " + dir + " cannot be used: " + e, e);
        }
        boolean aof = holdsAof(dir);
        if (!s.overwrite() && (aof || Files.exists(target))) {
            String what = aof ? dir.resolve(AOF_DIR) + " (an append-only file)" : target.toString();
            LOG.info("{} already holds data: nothing restored", what);
            return RestoreReport.skipped(what + " already holds data: nothing restored (a pod restores once, into an empty directory)");
        }
        if (aof) {
            throw new BackupException(Failure.DATA_DIRECTORY, dir.resolve(AOF_DIR) + " holds an append-only file, which the service would "
                    + "load instead of the restored snapshot: remove it first");
        }
        try (ObjectStore store = ObjectStore.open(s.storage())) {
            String key;
            BackupManifest manifest;
            if (s.object() == null) {
                String prefix = BackupNames.servicePrefix(s.storage().prefix(), s.namespace(), s.service());
                BackupCatalog catalog = BackupCatalog.of(prefix, store.list(prefix, BackupRun.MAX_LISTED));
                BackupCatalog.Backup latest = catalog.latest().orElseThrow(() -> new BackupException(Failure.NO_BACKUP,
                        "no complete backup under " + s.storage().uri(prefix) + (catalog.incomplete().isEmpty() ? ""
                                : " (" + catalog.incomplete().size() + " incomplete: a snapshot without its manifest or the reverse)")));
                key = latest.key();
                manifest = BackupManifest.fromJson(store.read(latest.manifestKey(), BackupManifest.MAX_BYTES), s.storage().uri(latest.manifestKey()));
            } else if (s.object().endsWith(".json")) {
                key = s.object();
                manifest = BackupManifest.fromJson(store.read(key, BackupManifest.MAX_BYTES), s.storage().uri(key));
            } else {
                key = s.object();
                manifest = manifestOf(store, key);
            }
            String backup = s.storage().uri(key);
            Integer group = null;
            if (manifest != null && manifest.cluster()) {
                int have = manifest.groups().size();
                if (s.group() == null) {
                    throw new BackupException(Failure.LAYOUT_MISMATCH, backup + " is a cluster's backup of " + have + " groups (one per"
                            + " primary): restore it into a cluster (spec.cluster) of " + have + " primaries");
                }
                if (have != s.groups()) {
                    throw new BackupException(Failure.LAYOUT_MISMATCH, backup + " has " + have + " groups (a cluster of " + have
                            + " primaries), this cluster has " + s.groups() + " primaries: plan " + have);
                }
                group = s.group();
                manifest = manifest.group(group);
                String folder = key.substring(0, key.lastIndexOf('/') + 1);
                if (!manifest.object().startsWith(folder) || BackupNames.parse(folder, manifest.object()).isEmpty()) {
                    throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest " + backup + " names " + manifest.object()
                            + " for group " + group + ", not a backup's snapshot beside it");
                }
                key = manifest.object();
            } else if (s.group() != null && s.group() > 0) {
                LOG.info("{} holds one data set: the cluster's first primary restores it", backup);
                return RestoreReport.skipped(backup + " holds one data set, which the cluster's first primary restores; the layout then"
                        + " moves this pod's share of the slots, with their keys, from it to this pod");
            } else if (manifest != null && !manifest.object().equals(key)) {
                throw new BackupException(Failure.CORRUPT_SNAPSHOT, "the manifest beside " + backup + " names another object: "
                        + manifest.object());
            }
            LOG.info("Restoring {}{} into {}{}", s.storage().uri(key), group == null ? "" : " (group " + group + " of " + backup + ")", target,
                    manifest == null ? " (no manifest: checked as an RDB only)" : "");
            RestoreReport report = download(store, key, manifest, dir, target, s.overwrite(), t0);
            return group == null ? report : report.ofGroup(group, backup);
        }
    }

    private static RestoreReport download(ObjectStore store, String key, BackupManifest manifest, Path dir, Path target, boolean overwrite,
                                          long t0) throws BackupException {
        String uri = store.settings().uri(key);
        long transferStart = System.nanoTime();
        Path temp = dir.resolve(TEMP_PREFIX + BackupSettings.randomId() + ".rdb");
        boolean placed = false;
        try (ObjectStore.Download d = store.get(key)) {
            if (manifest != null && d.size() >= 0 && d.size() != manifest.bytes()) {
                d.abort();
                throw new BackupException(d.size() < manifest.bytes() ? Failure.TRUNCATED_SNAPSHOT : Failure.SIZE_MISMATCH,
                        uri + " has " + d.size() + " bytes, its manifest says " + manifest.bytes());
            }
            RdbCheck.Summary summary;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                summary = check(d, manifest, uri, new FileSink(channel, temp));
                if (manifest != null) {
                    verify(summary, manifest, uri);
                }
                channel.force(true);
            } catch (BackupException e) {
                d.abort();
                throw e;
            } catch (IOException e) {
                throw new BackupException(Failure.DATA_DIRECTORY, "writing " + temp + " failed: " + e.getMessage(), e);
            }
            try {
                if (overwrite) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                placed = true;
                try (FileChannel d2 = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d2.force(true);
                }
            } catch (IOException e) {
                throw new BackupException(Failure.DATA_DIRECTORY, "putting " + temp + " in place as " + target + " failed: " + e, e);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("Restored {}: {} bytes, {} keys into {} in {} ms", uri, summary.bytes(), summary.keys(), target, millis);
            return new RestoreReport(true, uri, key, summary.bytes(), summary.keys(), summary.sha256(), manifest == null ? "rdb" : "manifest",
                    target.toString(), millis, (System.nanoTime() - transferStart) / 1_000_000, null);
        } catch (IOException e) {
            throw new BackupException(Failure.STORAGE_UNREACHABLE, "closing the download of " + uri + " failed: " + e, e);
        } finally {
            if (!placed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("Could not delete {}: {}", temp, e.toString());
                }
            }
        }
    }

    private static RdbCheck.Summary check(ObjectStore.Download d, BackupManifest manifest, String uri, FileSink sink) throws BackupException {
        try {
            return RdbCheck.check(d.stream(), sink, manifest == null ? Long.MAX_VALUE : manifest.bytes());
        } catch (BackupIOException e) {
            throw e.failure();
        } catch (RdbCheck.RdbException e) {
            if (e.kind() == RdbCheck.RdbException.Kind.TOO_LARGE) {
                throw new BackupException(Failure.SIZE_MISMATCH, uri + " is larger than the " + manifest.bytes() + " bytes its manifest says", e);
            }
            throw new BackupException(e.failure(), uri + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackupException(Failure.STORAGE_UNREACHABLE, "reading " + uri + " failed after " + sink.written + " bytes: " + e, e);
        }
    }

    private static void verify(RdbCheck.Summary summary, BackupManifest manifest, String uri) throws BackupException {
        if (summary.bytes() != manifest.bytes()) {
            throw new BackupException(summary.bytes() < manifest.bytes() ? Failure.TRUNCATED_SNAPSHOT : Failure.SIZE_MISMATCH,
                    uri + " has " + summary.bytes() + " bytes, its manifest says " + manifest.bytes());
        }
        if (!summary.sha256().equals(manifest.sha256())) {
            throw new BackupException(Failure.CHECKSUM_MISMATCH, uri + " has SHA-256 " + summary.sha256() + ", its manifest says " + manifest.sha256());
        }
        if (summary.keys() != manifest.keys()) {
            throw new BackupException(Failure.SIZE_MISMATCH, uri + " holds " + summary.keys() + " keys, its manifest says " + manifest.keys());
        }
    }

    /** The manifest beside a snapshot named by hand, or null when it has none (an RDB put there by someone else). */
    private static BackupManifest manifestOf(ObjectStore store, String key) throws BackupException {
        if (!key.endsWith(".rdb")) {
            return null;
        }
        String manifestKey = BackupNames.manifestKey(key);
        byte[] json;
        try {
            json = store.read(manifestKey, BackupManifest.MAX_BYTES);
        } catch (BackupException e) {
            if (e.failure() == Failure.NO_SUCH_OBJECT) {
                return null;
            }
            throw e;
        }
        return BackupManifest.fromJson(json, store.settings().uri(manifestKey));
    }

    private static boolean holdsAof(Path dir) {
        Path aof = dir.resolve(AOF_DIR);
        if (!Files.isDirectory(aof)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(aof)) {
            return entries.iterator().hasNext();
        } catch (IOException e) {
            return true; // unreadable: not ours to judge empty
        }
    }

    /** A killed restore's temporary files: never loaded, only in the way. */
    private static void removeTemporaries(Path dir) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            entries.forEach(stale::add);
        }
        for (Path p : stale) {
            LOG.info("Removing {}, left by an earlier restore", p);
            Files.deleteIfExists(p);
        }
    }

    /** The temporary file: a write that fails is the data directory's failure, not the download's. */
    private static final class FileSink extends OutputStream {
        private final FileChannel channel;
        private final Path path;
        long written;

        FileSink(FileChannel channel, Path path) {
            this.channel = channel;
            this.path = path;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw new BackupIOException(Failure.DATA_DIRECTORY, "writing " + path + " failed after " + written + " bytes: " + e.getMessage(), e);
            }
            written += len;
        }
    }
}
