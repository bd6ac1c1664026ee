package io.percore.operator.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service's backups as a listing shows them (pure): the complete ones (a snapshot and its manifest, newest
 * first), the incomplete ones (a snapshot without its manifest: a run that died between the two writes; a manifest
 * without its snapshot: one deleted by hand), and the keys under the prefix that are not ours, which nothing here
 * ever touches.
 */
public final class BackupCatalog {

    /**
     * One backup.
     *
     * @param time        when it began (from its name)
     * @param id          its id (from its name)
     * @param dataKey     its snapshot's key
     * @param manifestKey its manifest's key
     * @param hasData     whether the snapshot is listed
     * @param hasManifest whether the manifest is listed
     * @param size        the snapshot's size, -1 when not listed
     */
    public record Backup(Instant time, String id, String dataKey, String manifestKey, boolean hasData, boolean hasManifest, long size) {

        public boolean complete() {
            return hasData && hasManifest;
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
        Map<String, Backup> byBase = new LinkedHashMap<>();
        List<String> foreign = new ArrayList<>();
        for (StoredObject o : listing) {
            if (!o.key().startsWith(servicePrefix)) {
                continue;
            }
            Optional<BackupNames.Name> name = BackupNames.parse(servicePrefix, o.key());
            if (name.isEmpty()) {
                foreign.add(o.key());
                continue;
            }
            String dataKey = name.get().manifest() ? BackupNames.dataKeyOf(o.key()) : o.key();
            Backup seen = byBase.get(dataKey);
            boolean data = (seen != null && seen.hasData()) || !name.get().manifest();
            boolean manifest = (seen != null && seen.hasManifest()) || name.get().manifest();
            long size = name.get().manifest() ? (seen == null ? -1 : seen.size()) : o.size();
            byBase.put(dataKey, new Backup(name.get().time(), name.get().id(), dataKey, BackupNames.manifestKey(dataKey), data, manifest, size));
        }
        Comparator<Backup> newestFirst = Comparator.comparing(Backup::time).thenComparing(Backup::id).reversed();
        List<Backup> complete = byBase.values().stream().filter(Backup::complete).sorted(newestFirst).toList();
        List<Backup> incomplete = byBase.values().stream().filter(b -> !b.complete()).sorted(newestFirst).toList();
        return new BackupCatalog(servicePrefix, complete, incomplete, List.copyOf(foreign));
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
