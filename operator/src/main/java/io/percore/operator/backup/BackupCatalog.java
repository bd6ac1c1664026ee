package io.percore.operator.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service's backups as a listing shows them (pure): the complete ones (a manifest and its snapshot, or a cluster's
 * snapshots, newest first), the incomplete ones (snapshots without their manifest: a run that died before its last
 * write; a manifest without snapshot: one deleted by hand), and the keys under the prefix that are not ours, which
 * nothing here ever touches. Whether a cluster's backup has every group the manifest names is the manifest's to say
 * (restore reads it); the listing alone says whether it has a manifest and snapshots.
 */
public final class BackupCatalog {

    /**
     * One backup.
     *
     * @param time        when it began (from its name)
     * @param id          its id (from its name)
     * @param manifestKey its manifest's key
     * @param dataKeys    its snapshots' keys as listed: one, or a cluster's groups in group order
     * @param hasManifest whether the manifest is listed
     * @param size        its snapshots' size in all, -1 when none is listed
     * @param cluster     a cluster's backup (its snapshots are groups')
     */
    public record Backup(Instant time, String id, String manifestKey, List<String> dataKeys, boolean hasManifest, long size,
                         boolean cluster) {

        public boolean hasData() {
            return !dataKeys.isEmpty();
        }

        public boolean complete() {
            return hasData() && hasManifest;
        }

        /** The key a backup is named by: its snapshot's, or a cluster's manifest (which names its groups' snapshots). */
        public String key() {
            return cluster ? manifestKey : BackupNames.dataKeyOf(manifestKey);
        }

        /** Every key of it, the manifest first: the order deletion takes, so a stopped deletion leaves no manifest naming gone objects. */
        public List<String> keys() {
            List<String> all = new ArrayList<>();
            if (hasManifest) {
                all.add(manifestKey);
            }
            all.addAll(dataKeys);
            return all;
        }
    }

    private final String servicePrefix;
    private final List<Backup> complete;
    private final List<Backup> incomplete;
    private final List<String> foreign;

    private BackupCatalog(String servicePrefix, List<Backup> complete, List<Backup> incomplete, List<String> foreign) {
        this.servicePrefix = servicePrefix;
        this.complete = complete;
        this.incomplete = incomplete;
        this.foreign = foreign;
    }

    /** The backups among {@code listing} (keys outside {@code servicePrefix} are ignored). */
    public static BackupCatalog of(String servicePrefix, List<StoredObject> listing) {
        Map<String, Parts> byManifest = new LinkedHashMap<>();
        List<String> foreign = new ArrayList<>();
        for (StoredObject o : listing) {
            if (!o.key().startsWith(servicePrefix)) {
                continue;
            }
            Optional<BackupNames.Name> parsed = BackupNames.parse(servicePrefix, o.key());
            if (parsed.isEmpty()) {
                foreign.add(o.key());
                continue;
            }
            BackupNames.Name name = parsed.get();
            Parts parts = byManifest.computeIfAbsent(BackupNames.manifestKey(servicePrefix, name), k -> new Parts(name));
            if (name.manifest()) {
                parts.manifest = true;
            } else if (name.group() < 0) {
                parts.single = o;
            } else {
                parts.groups.put(name.group(), o);
            }
        }
        List<Backup> all = new ArrayList<>();
        byManifest.forEach((manifestKey, parts) -> all.addAll(parts.backups(manifestKey)));
        Comparator<Backup> newestFirst = Comparator.comparing(Backup::time).thenComparing(Backup::id).reversed();
        List<Backup> complete = all.stream().filter(Backup::complete).sorted(newestFirst).toList();
        List<Backup> incomplete = all.stream().filter(b -> !b.complete()).sorted(newestFirst).toList();
        return new BackupCatalog(servicePrefix, complete, incomplete, List.copyOf(foreign));
    }

    /** What a listing holds of one backup's name. */
    private static final class Parts {
        final BackupNames.Name name;
        boolean manifest;
        StoredObject single;
        final java.util.TreeMap<Integer, StoredObject> groups = new java.util.TreeMap<>();

        Parts(BackupNames.Name name) {
            this.name = name;
        }

        /**
         * One backup; two when one name has both a snapshot of one data set and groups' snapshots (not written by one
         * run: an id is a Job's): the groups are then incomplete, without a manifest of their own.
         */
        List<Backup> backups(String manifestKey) {
            List<String> groupKeys = groups.values().stream().map(StoredObject::key).toList();
            long groupSize = groups.isEmpty() ? -1 : groups.values().stream().mapToLong(StoredObject::size).sum();
            if (single != null && !groups.isEmpty()) {
                return List.of(new Backup(name.time(), name.id(), manifestKey, List.of(single.key()), manifest, single.size(), false),
                        new Backup(name.time(), name.id(), manifestKey, groupKeys, false, groupSize, true));
            }
            if (single != null || groups.isEmpty()) {
                return List.of(new Backup(name.time(), name.id(), manifestKey, single == null ? List.of() : List.of(single.key()), manifest,
                        single == null ? -1 : single.size(), false));
            }
            return List.of(new Backup(name.time(), name.id(), manifestKey, groupKeys, manifest, groupSize, true));
        }
    }

    public String servicePrefix() {
        return servicePrefix;
    }

    /** Complete backups, newest first. */
    public List<Backup> complete() {
        return complete;
    }

    /** Snapshots without manifest and manifests without snapshot, newest first. */
    public List<Backup> incomplete() {
        return incomplete;
    }

    /** Keys under the prefix that are not backups' names. */
    public List<String> foreign() {
        return foreign;
    }

    /** The newest complete backup. */
    public Optional<Backup> latest() {
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(0));
    }
}
