package io.percore.operator.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of one service's objects retention deletes (pure: a listing, the rule, the time in; keys out). What it never
 * deletes: a key outside the service's prefix or not named as a backup (the listing may hold anything, the planner
 * trusts none of it), and the newest complete backup, whatever the rule says.
 *
 * <ul>
 *   <li>Complete backups, newest first: the {@code i}-th (from 0) is kept while {@code i < keep} or it is younger than
 *       {@code maxAge} (each rule alone when only it is given); otherwise its manifest is deleted, then its snapshots
 *       (a cluster's: one per group; in that order: a run stopped between them leaves an incomplete backup, which
 *       restore never picks, not a manifest naming a missing snapshot).</li>
 *   <li>Incomplete ones (a snapshot whose manifest never came, a manifest whose snapshot is gone) are deleted once
 *       older than the newest complete backup and than {@link #INCOMPLETE_GRACE}: a multipart object appears only at
 *       its completion and its manifest follows within a second, so an incomplete one that old is a run that died;
 *       the grace covers clocks that disagree.</li>
 * </ul>
 */
public final class RetentionPlanner {

    /** How old an incomplete backup must be before it is taken for a dead run's. */
    public static final Duration INCOMPLETE_GRACE = Duration.ofHours(1);

    /**
     * The keys to delete, in order, and why.
     *
     * @param delete the keys, each backup's manifest before its snapshots
     * @param kept   the complete backups' keys ({@link BackupCatalog.Backup#key()}) that stay, newest first
     * @param why    one line per backup deleted
     */
    public record Plan(List<String> delete, List<String> kept, List<String> why) {
    }

    private RetentionPlanner() {
    }

    public static Plan plan(String servicePrefix, List<StoredObject> listing, Retention rule, Instant now) {
        if (!servicePrefix.endsWith("/")) {
            throw new IllegalArgumentException("a service's prefix ends with '/': " + servicePrefix);
        }
        BackupCatalog catalog = BackupCatalog.of(servicePrefix, listing);
        List<String> delete = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> why = new ArrayList<>();
        List<BackupCatalog.Backup> complete = catalog.complete();
        for (int i = 0; i < complete.size(); i++) {
            BackupCatalog.Backup b = complete.get(i);
            boolean byCount = rule.keep() != null && i < rule.keep();
            boolean byAge = rule.maxAge() != null && b.time().isAfter(now.minus(rule.maxAge()));
            if (i == 0 || byCount || byAge) {
                kept.add(b.key());
                continue;
            }
            delete.addAll(b.keys());
            why.add(b.key() + ": " + (rule.keep() != null ? "beyond the " + rule.keep() + " newest" : "")
                    + (rule.keep() != null && rule.maxAge() != null ? " and " : "")
                    + (rule.maxAge() != null ? "older than " + rule.maxAge() : ""));
        }
        if (!complete.isEmpty()) {
            Instant newest = complete.get(0).time();
            for (BackupCatalog.Backup b : catalog.incomplete()) {
                if (b.time().isBefore(newest) && b.time().isBefore(now.minus(INCOMPLETE_GRACE))) {
                    delete.addAll(b.keys());
                    why.add(b.key() + ": incomplete (" + (b.hasData() ? "no manifest" : "no snapshot") + ") and older than the newest backup");
                }
            }
        }
        // the rule above only names keys the catalog parsed under the prefix; this says so where a reader looks
        for (String key : delete) {
            if (!key.startsWith(servicePrefix) || BackupNames.parse(servicePrefix, key).isEmpty()) {
                throw new IllegalStateException("retention would delete " + key + ", outside " + servicePrefix);
            }
        }
        return new Plan(List.copyOf(delete), List.copyOf(kept), List.copyOf(why));
    }
}
