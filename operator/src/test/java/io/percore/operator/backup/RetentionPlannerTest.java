package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names, the catalog a listing makes, and what retention deletes and never deletes (pure). */
class RetentionPlannerTest {

    static final String PREFIX = BackupNames.servicePrefix("/backups/", "ns1", "kv");
    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    /** A complete backup begun {@code hoursAgo} hours before NOW. */
    static List<StoredObject> backup(String prefix, int hoursAgo, String id) {
        String data = BackupNames.dataKey(prefix, NOW.minus(Duration.ofHours(hoursAgo)), id);
        return List.of(new StoredObject(data, 100, NOW), new StoredObject(BackupNames.manifestKey(data), 10, NOW));
    }

    @Test
    void namesSortAsTimesAndParseBack() {
        assertThat(PREFIX).isEqualTo("backups/ns1/kv/");
        assertThat(BackupNames.servicePrefix("", "ns1", "kv")).isEqualTo("ns1/kv/");
        String key = BackupNames.dataKey(PREFIX, Instant.parse("2026-01-02T03:04:05.006Z"), "job-1");
        assertThat(key).isEqualTo("backups/ns1/kv/20260102T030405.006Z-job-1.rdb");
        assertThat(BackupNames.manifestKey(key)).isEqualTo("backups/ns1/kv/20260102T030405.006Z-job-1.json");
        assertThat(BackupNames.parse(PREFIX, key)).hasValue(new BackupNames.Name(Instant.parse("2026-01-02T03:04:05.006Z"), "job-1", false, -1));
        assertThat(BackupNames.dataKey(PREFIX, Instant.parse("2026-01-02T03:04:05.006Z"), "a"))
                .isLessThan(BackupNames.dataKey(PREFIX, Instant.parse("2026-01-02T03:04:05.007Z"), "a"));
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv/sub/20260102T030405.006Z-job-1.rdb")).isEmpty();
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv/my-notes.rdb")).isEmpty();
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv-2/20260102T030405.006Z-job-1.rdb")).isEmpty();
        assertThatThrownBy(() -> BackupNames.dataKey(PREFIX, NOW, "Not_A_Label")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A cluster's complete backup of {@code groups} groups begun {@code hoursAgo} hours before NOW. */
    static List<StoredObject> clusterBackup(String prefix, int hoursAgo, String id, int groups) {
        Instant t = NOW.minus(Duration.ofHours(hoursAgo));
        List<StoredObject> objects = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            objects.add(new StoredObject(BackupNames.groupKey(prefix, t, id, g), 100, NOW));
        }
        objects.add(new StoredObject(BackupNames.manifestKey(BackupNames.dataKey(prefix, t, id)), 10, NOW));
        return objects;
    }

    @Test
    void aClustersGroupsAreNamedBesideTheirOneManifest() {
        Instant t = Instant.parse("2026-01-02T03:04:05.006Z");
        String g2 = BackupNames.groupKey(PREFIX, t, "job-1", 2);
        assertThat(g2).isEqualTo("backups/ns1/kv/20260102T030405.006Z-job-1.2.rdb");
        assertThat(BackupNames.parse(PREFIX, g2)).hasValue(new BackupNames.Name(t, "job-1", false, 2));
        assertThat(BackupNames.manifestKey(PREFIX, BackupNames.parse(PREFIX, g2).orElseThrow()))
                .isEqualTo("backups/ns1/kv/20260102T030405.006Z-job-1.json");
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv/20260102T030405.006Z-job-1.2.json")).as("one manifest per backup").isEmpty();
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv/20260102T030405.006Z-job-1.01.rdb")).as("no leading zero").isEmpty();
        assertThat(BackupNames.parse(PREFIX, "backups/ns1/kv/20260102T030405.006Z-job-1.99999.rdb")).isEmpty();
        assertThatThrownBy(() -> BackupNames.groupKey(PREFIX, t, "job-1", BackupNames.MAX_GROUPS)).isInstanceOf(IllegalArgumentException.class);

        List<StoredObject> listing = new ArrayList<>(clusterBackup(PREFIX, 4, "a", 3));
        listing.addAll(backup(PREFIX, 3, "b"));
        List<StoredObject> dead = clusterBackup(PREFIX, 2, "c", 3);
        listing.addAll(dead.subList(0, 2)); // two groups stored, then the run died: no manifest
        BackupCatalog c = BackupCatalog.of(PREFIX, listing);
        assertThat(c.complete()).extracting(BackupCatalog.Backup::id).containsExactly("b", "a");
        BackupCatalog.Backup a = c.complete().get(1);
        assertThat(a.cluster()).isTrue();
        assertThat(a.key()).as("a cluster's backup is named by its manifest").endsWith("-a.json");
        assertThat(a.dataKeys()).hasSize(3).allMatch(k -> k.matches(".*-a\\.[0-2]\\.rdb"));
        assertThat(a.size()).isEqualTo(300);
        assertThat(a.keys()).first().isEqualTo(a.manifestKey());
        assertThat(c.complete().get(0).key()).endsWith("-b.rdb");
        assertThat(c.incomplete()).singleElement().satisfies(b -> assertThat(b.dataKeys()).hasSize(2));
        assertThat(c.foreign()).isEmpty();
    }

    @Test
    void retentionDeletesAClustersManifestThenEveryGroupAndADeadRunsGroups() {
        List<StoredObject> listing = new ArrayList<>();
        listing.addAll(clusterBackup(PREFIX, 30, "old", 3));
        listing.addAll(clusterBackup(PREFIX, 20, "mid", 3));
        listing.addAll(clusterBackup(PREFIX, 25, "dead", 3).subList(0, 2));
        listing.addAll(clusterBackup(PREFIX, 1, "new", 3));
        RetentionPlanner.Plan plan = RetentionPlanner.plan(PREFIX, listing, new Retention(2, null), NOW);
        assertThat(plan.kept()).hasSize(2).allMatch(k -> k.endsWith("-new.json") || k.endsWith("-mid.json"));
        List<String> old = plan.delete().stream().filter(k -> k.contains("-old.")).toList();
        assertThat(old).hasSize(4);
        assertThat(old.get(0)).as("the manifest before its groups").endsWith("-old.json");
        assertThat(plan.delete().stream().filter(k -> k.contains("-dead.")).toList()).hasSize(2).allMatch(k -> k.endsWith(".rdb"));
        assertThat(plan.delete()).noneMatch(k -> k.contains("-new.") || k.contains("-mid."));
    }

    @Test
    void theCatalogTellsCompleteFromIncompleteAndLatestIsTheNewestComplete() {
        List<StoredObject> listing = new ArrayList<>();
        listing.addAll(backup(PREFIX, 5, "a"));
        listing.addAll(backup(PREFIX, 3, "b"));
        listing.add(new StoredObject(BackupNames.dataKey(PREFIX, NOW.minus(Duration.ofHours(1)), "c"), 100, NOW)); // no manifest
        listing.add(new StoredObject(PREFIX + "README.txt", 5, NOW));
        BackupCatalog c = BackupCatalog.of(PREFIX, listing);
        assertThat(c.complete()).extracting(BackupCatalog.Backup::id).containsExactly("b", "a");
        assertThat(c.incomplete()).extracting(BackupCatalog.Backup::id).containsExactly("c");
        assertThat(c.foreign()).containsExactly(PREFIX + "README.txt");
        assertThat(c.latest()).hasValueSatisfying(b -> assertThat(b.id()).isEqualTo("b"));
        assertThat(BackupCatalog.of(PREFIX, List.of(listing.get(4))).latest()).as("an incomplete one is never latest").isEmpty();
    }

    @Test
    void keepNDeletesTheOlderOnesManifestFirst() {
        List<StoredObject> listing = new ArrayList<>();
        for (int h = 1; h <= 5; h++) {
            listing.addAll(backup(PREFIX, h, "b" + h));
        }
        RetentionPlanner.Plan plan = RetentionPlanner.plan(PREFIX, listing, new Retention(2, null), NOW);
        assertThat(plan.kept()).hasSize(2).allMatch(k -> k.contains("-b1.") || k.contains("-b2."));
        assertThat(plan.delete()).hasSize(6);
        for (int i = 0; i < plan.delete().size(); i += 2) {
            assertThat(plan.delete().get(i)).endsWith(".json");
            assertThat(plan.delete().get(i + 1)).isEqualTo(BackupNames.dataKeyOf(plan.delete().get(i)));
        }
    }

    @Test
    void maxAgeDeletesTheOlderButNeverTheNewestAndKeepIsTheLeastKept() {
        List<StoredObject> listing = new ArrayList<>();
        listing.addAll(backup(PREFIX, 30, "old1"));
        listing.addAll(backup(PREFIX, 50, "old2"));
        listing.addAll(backup(PREFIX, 70, "old3"));
        RetentionPlanner.Plan byAge = RetentionPlanner.plan(PREFIX, listing, new Retention(null, Duration.ofDays(1)), NOW);
        assertThat(byAge.kept()).singleElement().satisfies(k -> assertThat(k).contains("-old1."));
        assertThat(byAge.delete()).hasSize(4);
        RetentionPlanner.Plan both = RetentionPlanner.plan(PREFIX, listing, new Retention(2, Duration.ofDays(1)), NOW);
        assertThat(both.kept()).hasSize(2);
        listing.addAll(backup(PREFIX, 1, "new"));
        assertThat(RetentionPlanner.plan(PREFIX, listing, new Retention(null, Duration.ofDays(2)), NOW).kept()).hasSize(2);
        assertThat(RetentionPlanner.plan(PREFIX, listing, new Retention(null, Duration.ofMinutes(1)), NOW).kept())
                .singleElement().satisfies(k -> assertThat(k).contains("-new."));
    }

    @Test
    void nothingOutsideThePrefixOrNotOursIsEverDeleted() {
        List<StoredObject> listing = new ArrayList<>();
        for (int h = 1; h <= 3; h++) {
            listing.addAll(backup(PREFIX, h, "b" + h));
            listing.addAll(backup(BackupNames.servicePrefix("backups", "ns1", "kv-2"), h + 10, "other" + h));
            listing.addAll(backup(BackupNames.servicePrefix("backups", "ns2", "kv"), h + 10, "other" + h));
        }
        listing.add(new StoredObject(PREFIX + "20200101T000000.000Z-handmade", 1, NOW));
        listing.add(new StoredObject(PREFIX + "nested/20200101T000000.000Z-x.rdb", 1, NOW));
        listing.add(new StoredObject("backups/ns1/kv", 1, NOW));
        RetentionPlanner.Plan plan = RetentionPlanner.plan(PREFIX, listing, new Retention(1, null), NOW);
        assertThat(plan.delete()).hasSize(4).allMatch(k -> k.startsWith(PREFIX) && BackupNames.parse(PREFIX, k).isPresent());
        assertThatThrownBy(() -> RetentionPlanner.plan("backups/ns1/kv", listing, new Retention(1, null), NOW))
                .as("a prefix without its slash would take kv-2's backups for kv's").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void incompleteBackupsGoOnceOlderThanTheNewestCompleteAndTheGrace() {
        List<StoredObject> listing = new ArrayList<>();
        listing.addAll(backup(PREFIX, 2, "done"));
        String deadRun = BackupNames.dataKey(PREFIX, NOW.minus(Duration.ofHours(3)), "dead");
        String running = BackupNames.dataKey(PREFIX, NOW.minus(Duration.ofMinutes(1)), "running");
        String orphanManifest = BackupNames.manifestKey(BackupNames.dataKey(PREFIX, NOW.minus(Duration.ofHours(4)), "gone"));
        listing.add(new StoredObject(deadRun, 1, NOW));
        listing.add(new StoredObject(running, 1, NOW));
        listing.add(new StoredObject(orphanManifest, 1, NOW));
        RetentionPlanner.Plan plan = RetentionPlanner.plan(PREFIX, listing, new Retention(5, null), NOW);
        assertThat(plan.delete()).containsExactlyInAnyOrder(deadRun, orphanManifest);
        assertThat(plan.kept()).hasSize(1);
        // within the grace: kept
        List<StoredObject> young = new ArrayList<>(backup(PREFIX, 0, "done"));
        young.add(new StoredObject(BackupNames.dataKey(PREFIX, NOW.minus(Duration.ofMinutes(30)), "young"), 1, NOW));
        assertThat(RetentionPlanner.plan(PREFIX, young, new Retention(5, null), NOW).delete()).isEmpty();
    }

    @Test
    void aRuleNeedsSomethingToSay() {
        assertThatThrownBy(() -> new Retention(null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Retention(0, null)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new Retention(null, Duration.ZERO)).hasMessageContaining("positive");
    }
}
