package io.percore.operator.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.migration.MigrationPlanner.Action;
import io.percore.operator.migration.MigrationPlanner.Decision;
import io.percore.operator.migration.MigrationPlanner.Event;
import io.percore.operator.migration.MigrationPlanner.Input;
import io.percore.operator.migration.MigrationPlanner.LinkFailure;
import io.percore.operator.migration.MigrationPlanner.SourceView;
import io.percore.operator.migration.MigrationPlanner.TargetView;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The migration's decisions as a pure function: phases, events, lag, refusals and when the cut-over runs. */
class MigrationPlannerTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final HostPort SOURCE = new HostPort("redis.legacy", 6379);

    private static MigrateFrom spec(boolean cutover) {
        MigrateFrom m = new MigrateFrom("redis.legacy", null);
        m.setCutover(cutover ? true : null);
        return m;
    }

    private static SourceView source(String version, long offset) {
        return new SourceView(null, version, false, null, false, offset, 1000);
    }

    private static TargetView following(boolean linkUp, boolean syncing, long offset) {
        return new TargetView("kv-0", null, SOURCE, linkUp, syncing, offset, syncing ? 400 : 0, syncing ? 1000 : 0, linkUp ? 1000 : 0);
    }

    private static TargetView master() {
        return new TargetView("kv-0", null, null, false, false, 0, 0, 0, 0);
    }

    private static Decision decide(MigrateFrom spec, SourceView s, TargetView t, MigrationStatus previous, Instant now) {
        return MigrationPlanner.decide(new Input(spec, s, t, previous, now));
    }

    /** Following the source, its link down, its tries failing for {@code reason} since T0. */
    private static TargetView failing(String reason, long attempts, boolean syncing) {
        return new TargetView("kv-0", null, SOURCE, false, syncing, 0, syncing ? 400 : 0, syncing ? 1000 : 0, 0,
                new LinkFailure(reason, T0, attempts), null);
    }

    /** A master pod that says how many databases it holds. */
    private static TargetView masterWith(int databases) {
        return new TargetView("kv-0", null, null, false, false, 0, 0, 0, 0, null, databases);
    }

    private static SourceView withKeysIn(java.util.Map<Integer, Long> byDatabase) {
        return new SourceView(null, "7.0.15", false, null, false, 0, byDatabase.values().stream().mapToLong(Long::longValue).sum(),
                new java.util.TreeMap<>(byDatabase), null);
    }

    private static final String DATABASE_3 = "the primary's snapshot cannot be loaded here: keys of database 3: this server has one database, 0";

    @Test
    void aMasterPodIsLinkedThenSyncsThenReplicatesWithItsEventsOnce() {
        Decision link = decide(spec(false), source("7.0.15", 500), master(), null, T0);
        assertThat(link.action()).isEqualTo(Action.LINK);
        assertThat(link.status().getPhase()).isEqualTo(MigrationPlanner.LINKING);
        assertThat(link.status().getSource()).isEqualTo("redis.legacy:6379");
        assertThat(link.status().getStartedAt()).isEqualTo(T0.toString());
        assertThat(link.events()).extracting(Event::reason).containsExactly("MigrationStarted");

        Decision sync = decide(spec(false), source("7.0.15", 500), following(false, true, 0), link.status(), T0.plusSeconds(1));
        assertThat(sync.action()).isEqualTo(Action.NONE);
        assertThat(sync.status().getPhase()).isEqualTo(MigrationPlanner.SYNCING);
        assertThat(sync.status().getSyncBytesLoaded()).isEqualTo(400);
        assertThat(sync.status().getSyncBytesTotal()).isEqualTo(1000);
        assertThat(sync.events()).isEmpty();

        Decision up = decide(spec(false), source("7.0.15", 500), following(true, false, 500), sync.status(), T0.plusSeconds(2));
        assertThat(up.status().getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
        assertThat(up.status().getLinkStatus()).isEqualTo("up");
        assertThat(up.status().getFullSyncs()).isEqualTo(1);
        assertThat(up.status().getSyncBytesLoaded()).isNull();
        assertThat(up.status().getLagBytes()).isZero();
        assertThat(up.status().getKeysLoaded()).isEqualTo(1000);
        assertThat(up.events()).extracting(Event::reason).containsExactly("MigrationSynced");
        assertThat(up.migrated()).isFalse();
        assertThat(up.requeue()).isEqualTo(MigrationPlanner.PERIOD);

        Decision again = decide(spec(false), source("7.0.15", 600), following(true, false, 600), up.status(), T0.plusSeconds(7));
        assertThat(again.events()).isEmpty();
        assertThat(again.status().getFullSyncs()).isEqualTo(1);
    }

    @Test
    void aLostLinkIsAWarningAndItsReturnAResyncEvent() {
        MigrationStatus up = decide(spec(false), source("7.0.15", 500), following(true, false, 500),
                decide(spec(false), source("7.0.15", 500), following(false, true, 0),
                        decide(spec(false), source("7.0.15", 0), master(), null, T0).status(), T0).status(), T0).status();
        Decision lost = decide(spec(false), SourceView.unreachable("connection refused"), following(false, false, 500), up, T0.plusSeconds(5));
        assertThat(lost.status().getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
        assertThat(lost.status().getLinkStatus()).isEqualTo("down");
        assertThat(lost.reason()).isEqualTo("SourceUnreachable");
        assertThat(lost.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MigrationLinkLost");
            assertThat(e.warning()).isTrue();
            assertThat(e.message()).contains("connection refused");
        });
        Decision stillDown = decide(spec(false), SourceView.unreachable("connection refused"), following(false, false, 500), lost.status(),
                T0.plusSeconds(6));
        assertThat(stillDown.events()).as("one warning per loss").isEmpty();

        Decision back = decide(spec(false), source("7.0.15", 900), following(true, false, 900), stillDown.status(), T0.plusSeconds(9));
        assertThat(back.events()).extracting(Event::reason).containsExactly("MigrationResynced");
        assertThat(back.status().getFullSyncs()).as("a partial resync is not a full one").isEqualTo(1);
    }

    /** The issue: a full sync failing every 5 s showed "Syncing, linking to ..." and raised nothing. */
    @Test
    void aFailingSyncIsShownAtOnceWithThePodsReasonAndOneWarningPerReason() {
        MigrationStatus linked = decide(spec(false), source("7.0.15", 500), master(), null, T0).status();

        Decision first = decide(spec(false), source("7.0.15", 500), failing(DATABASE_3, 1, false), linked, T0.plusSeconds(2));
        assertThat(first.action()).isEqualTo(Action.NONE);
        assertThat(first.status().getPhase()).isEqualTo(MigrationPlanner.FAILING);
        assertThat(first.status().getLinkStatus()).isEqualTo("down");
        assertThat(first.status().getLinkError()).isEqualTo(DATABASE_3);
        assertThat(first.status().getLinkErrorSince()).isEqualTo(T0.toString());
        assertThat(first.status().getLinkFailures()).isEqualTo(1);
        assertThat(first.migrated()).isFalse();
        assertThat(first.reason()).as("the Migrated condition's reason").isEqualTo(MigrationPlanner.SYNC_FAILED);
        assertThat(first.message()).contains("kv-0 cannot replicate from redis.legacy:6379: " + DATABASE_3, "1 tries failed",
                "since " + T0);
        assertThat(first.status().getMessage()).isEqualTo(first.message());
        assertThat(first.events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(MigrationPlanner.SYNC_FAILED);
            assertThat(e.warning()).isTrue();
            assertThat(e.message()).contains(DATABASE_3);
        });

        // retries: the same reason, more attempts (a new try copying meanwhile): no new event
        Decision retry = decide(spec(false), source("7.0.15", 500), failing(DATABASE_3, 7, true), first.status(), T0.plusSeconds(30));
        assertThat(retry.events()).isEmpty();
        assertThat(retry.status().getPhase()).isEqualTo(MigrationPlanner.FAILING);
        assertThat(retry.status().getLinkFailures()).isEqualTo(7);
        assertThat(retry.status().getSyncBytesLoaded()).isEqualTo(400);
        assertThat(retry.message()).contains("7 tries failed", "a new try is copying: 400 of 1000 bytes");
        Decision again = decide(spec(false), source("7.0.15", 500), failing(DATABASE_3, 8, false), retry.status(), T0.plusSeconds(35));
        assertThat(again.events()).isEmpty();

        // another reason: one more event
        String wrongpass = "the primary refused AUTH: -WRONGPASS invalid username-password pair or user is disabled.";
        Decision other = decide(spec(false), source("7.0.15", 500), failing(wrongpass, 9, false), again.status(), T0.plusSeconds(40));
        assertThat(other.events()).singleElement().satisfies(e -> assertThat(e.message()).contains(wrongpass));
        assertThat(other.status().getLinkError()).isEqualTo(wrongpass);
        assertThat(decide(spec(false), source("7.0.15", 500), failing(wrongpass, 10, false), other.status(), T0.plusSeconds(45)).events())
                .isEmpty();

        // the source unreachable by the operator too: both said
        Decision both = decide(spec(false), SourceView.unreachable("connection refused"), failing(wrongpass, 11, false), other.status(),
                T0.plusSeconds(50));
        assertThat(both.status().getPhase()).isEqualTo(MigrationPlanner.FAILING);
        assertThat(both.message()).contains(wrongpass, "the source does not answer the operator either: connection refused");

        // fixed: the copy is made, the first one
        Decision up = decide(spec(false), source("7.0.15", 500), following(true, false, 500), both.status(), T0.plusSeconds(60));
        assertThat(up.status().getPhase()).isEqualTo(MigrationPlanner.REPLICATING);
        assertThat(up.events()).extracting(Event::reason).containsExactly("MigrationSynced");
        assertThat(up.status().getFullSyncs()).isEqualTo(1);
        assertThat(up.status().getLinkError()).isNull();
        assertThat(up.status().getLinkErrorSince()).isNull();
        assertThat(up.status().getLinkFailures()).isNull();
    }

    @Test
    void aLostLinkWhoseTriesFailIsOneWarningThatSaysWhyThenTheReturnIsAResync() {
        MigrationStatus up = decide(spec(false), source("7.0.15", 500), following(true, false, 500),
                decide(spec(false), source("7.0.15", 500), following(false, true, 0), null, T0).status(), T0).status();
        String refused = "cannot connect to redis.legacy:6379: Connection refused";
        Decision lost = decide(spec(false), source("7.0.15", 500), failing(refused, 1, false), up, T0.plusSeconds(5));
        assertThat(lost.status().getPhase()).isEqualTo(MigrationPlanner.FAILING);
        assertThat(lost.events()).as("the loss says why; no second warning for the same").singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MigrationLinkLost");
            assertThat(e.message()).contains(refused);
        });
        assertThat(decide(spec(false), source("7.0.15", 500), failing(refused, 2, false), lost.status(), T0.plusSeconds(7)).events()).isEmpty();

        Decision back = decide(spec(false), source("7.0.15", 900), following(true, false, 900), lost.status(), T0.plusSeconds(9));
        assertThat(back.events()).extracting(Event::reason).containsExactly("MigrationResynced");
        assertThat(back.status().getFullSyncs()).as("the copy was made before the loss").isEqualTo(1);
        assertThat(back.status().getLinkError()).isNull();
    }

    @Test
    void aPodWithoutTheFieldsIsSeenAsBefore() {
        // redis-server as the target, or a service before them: Syncing/linking as before, no Failing
        MigrationStatus linked = decide(spec(false), source("7.0.15", 500), master(), null, T0).status();
        Decision d = decide(spec(false), source("7.0.15", 500), following(false, false, 0), linked, T0.plusSeconds(1));
        assertThat(d.status().getPhase()).isEqualTo(MigrationPlanner.SYNCING);
        assertThat(d.status().getLinkError()).isNull();
        assertThat(d.events()).isEmpty();
    }

    @Test
    void aSourceWithModulesIsRefusedBeforeTheCopy() {
        SourceView modules = new SourceView(null, "7.0.15", false, null, false, 0, 10, null, java.util.List.of("ReJSON", "search"));
        Decision d = decide(spec(false), modules, master(), null, T0);
        assertThat(d.action()).as("never linked").isEqualTo(Action.NONE);
        assertThat(d.status().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
        assertThat(d.reason()).isEqualTo("MigrationRefused");
        assertThat(d.message()).contains("runs modules (ReJSON, search)", "MODULE UNLOAD");
        assertThat(d.events()).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("MigrationRefused"));
        assertThat(decide(spec(false), modules, master(), d.status(), T0.plusSeconds(5)).events()).as("once").isEmpty();
    }

    @Test
    void aSourceWritingANewerRdbFormatIsRefusedBeforeTheCopy() {
        for (String version : new String[] {"7.2.4", "7.4.0", "8.0.2", "7.1.240"}) {
            Decision d = decide(spec(false), source(version, 0), master(), null, T0);
            assertThat(d.status().getPhase()).as(version).isEqualTo(MigrationPlanner.REFUSED);
            assertThat(d.message()).contains("Redis " + version, "newer RDB format", "reads 1 to 10");
            assertThat(d.action()).isEqualTo(Action.NONE);
        }
        for (String version : new String[] {"7.0.15", "6.2.14", "5.0.14", "3.2.12"}) {
            assertThat(decide(spec(false), source(version, 0), master(), null, T0).action()).as(version).isEqualTo(Action.LINK);
        }
    }

    @Test
    void keysInADatabaseTheServiceDoesNotHoldAreRefusedBeforeTheCopy() {
        SourceView twenty = withKeysIn(java.util.Map.of(0, 10L, 20, 100L));
        Decision d = decide(spec(false), twenty, master(), null, T0);
        assertThat(d.status().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
        assertThat(d.message()).contains("keys in database 20 (100 keys)", "16 databases, 0 to 15", "PERCORE_DEMO_RESP_DATABASES");
        assertThat(d.action()).isEqualTo(Action.NONE);
        assertThat(d.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
        assertThat(decide(spec(false), twenty, master(), d.status(), T0.plusSeconds(5)).events()).as("once").isEmpty();

        // configured with more (the pods' environment): taken
        assertThat(MigrationPlanner.decide(new Input(spec(false), twenty, master(), null, T0, 32)).action()).isEqualTo(Action.LINK);
        // database 3 fits 16 ...
        SourceView three = withKeysIn(java.util.Map.of(3, 100L));
        assertThat(decide(spec(false), three, master(), null, T0).action()).isEqualTo(Action.LINK);
        // ... but not a pod that says it holds one: its answer counts over the configuration
        Decision one = MigrationPlanner.decide(new Input(spec(false), three, masterWith(1), null, T0, 16));
        assertThat(one.status().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
        assertThat(one.message()).contains("keys in database 3 (100 keys)", "database 0 only").doesNotContain("PERCORE_DEMO_RESP_DATABASES");
        assertThat(MigrationPlanner.decide(new Input(spec(false), withKeysIn(java.util.Map.of(3, 1L, 17, 2L)), masterWith(2), null, T0, 16))
                .message()).contains("keys in databases 3 (1 keys), 17 (2 keys)", "2 databases, 0 to 1");
        assertThat(MigrationPlanner.decide(new Input(spec(false), three, masterWith(16), null, T0, 1)).action())
                .as("the pod's answer over the configuration, either way").isEqualTo(Action.LINK);

        // a source that names many: the first few, and how many more
        java.util.Map<Integer, Long> many = new java.util.TreeMap<>();
        for (int db = 16; db < 116; db++) {
            many.put(db, 1L);
        }
        assertThat(decide(spec(false), withKeysIn(many), master(), null, T0).message())
                .contains("databases 16 (1 keys), 17 (1 keys), 18 (1 keys), 19 (1 keys), 20 (1 keys) and 95 more;");
        java.util.List<String> modules = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "m" + i).toList();
        assertThat(decide(spec(false), new SourceView(null, "7.0.15", false, null, false, 0, 0, null, modules), master(), null, T0).message())
                .contains("runs modules (m0, m1, m2, m3, m4 and 35 more)");
    }

    @Test
    void theLagInSecondsIsHowLongTheTargetHasTrailedAnOffsetTheSourceHadReached() {
        MigrationStatus s = new MigrationStatus();
        MigrationPlanner.lag(s, 1000, 1000, T0);
        assertThat(s.getLagBytes()).isZero();
        assertThat(s.getLagSeconds()).isZero();
        MigrationPlanner.lag(s, 5000, 1200, T0.plusSeconds(10));
        assertThat(s.getLagBytes()).isEqualTo(3800);
        assertThat(s.getLagSeconds()).as("it had reached 1000, seen at T0: not behind it").isZero();
        MigrationPlanner.lag(s, 9000, 4000, T0.plusSeconds(13));
        assertThat(s.getLagBytes()).isEqualTo(5000);
        assertThat(s.getLagSeconds()).as("5000 was the source's at T0+10").isEqualTo(3);
        MigrationPlanner.lag(s, 9000, 9000, T0.plusSeconds(20));
        assertThat(s.getLagBytes()).isZero();
        assertThat(s.getLagSeconds()).isZero();
    }

    @Test
    void aReplicaOrAClusterNodeOrATlsSourceIsRefusedWithItsReason() {
        Decision replica = decide(spec(false), new SourceView(null, "7.0.15", true, "10.0.0.9:6379", false, 0, 0), master(), null, T0);
        assertThat(replica.action()).isEqualTo(Action.NONE);
        assertThat(replica.status().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
        assertThat(replica.message()).contains("itself a replica (of 10.0.0.9:6379)");
        assertThat(replica.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
        Decision twice = decide(spec(false), new SourceView(null, "7.0.15", true, "10.0.0.9:6379", false, 0, 0), master(), replica.status(), T0);
        assertThat(twice.events()).isEmpty();

        Decision cluster = decide(spec(false), new SourceView(null, "7.0.15", false, null, true, 0, 0), master(), null, T0);
        assertThat(cluster.status().getPhase()).isEqualTo(MigrationPlanner.REFUSED);
        assertThat(cluster.message()).contains("Redis Cluster node");

        MigrateFrom tls = spec(false);
        tls.setTls(true);
        assertThat(decide(tls, source("7.0.15", 0), master(), null, T0).message()).contains("TLS source");

        // refused, then the source is made a primary: the move starts
        Decision after = decide(spec(false), source("7.0.15", 0), master(), replica.status(), T0.plusSeconds(5));
        assertThat(after.action()).isEqualTo(Action.LINK);
    }

    @Test
    void theCutOverRunsOnlyOnRequestWhileInSyncAndIsRefusedBefore62() {
        MigrationStatus up = decide(spec(false), source("7.0.15", 500), following(true, false, 500),
                decide(spec(false), source("7.0.15", 500), following(false, true, 0), null, T0).status(), T0).status();
        assertThat(decide(spec(false), source("7.0.15", 600), following(true, false, 600), up, T0).action()).isEqualTo(Action.NONE);
        assertThat(decide(spec(true), source("7.0.15", 600), following(false, true, 0), up, T0).action())
                .as("not while the link is down").isEqualTo(Action.NONE);
        assertThat(decide(spec(true), SourceView.unreachable("timeout"), following(true, false, 600), up, T0).action())
                .as("not while the source does not answer").isEqualTo(Action.NONE);
        Decision cut = decide(spec(true), source("7.0.15", 600), following(true, false, 600), up, T0);
        assertThat(cut.action()).isEqualTo(Action.CUTOVER);
        assertThat(cut.requeue()).isEqualTo(Duration.ZERO);
        assertThat(decide(spec(true), source("6.2.0", 600), following(true, false, 600), up, T0).action()).isEqualTo(Action.CUTOVER);

        Decision old = decide(spec(true), source("6.0.20", 600), following(true, false, 600), up, T0);
        assertThat(old.action()).isEqualTo(Action.NONE);
        assertThat(old.reason()).isEqualTo("CutoverRefused");
        assertThat(old.message()).contains("Redis 6.0.20", "CLIENT PAUSE WRITE");
        assertThat(old.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
        assertThat(decide(spec(true), source("6.0.20", 600), following(true, false, 600), old.status(), T0).events()).isEmpty();
    }

    /**
     * A service seconds behind the source: pausing the source's writes would hold them the whole cutoverTimeout for a
     * cut-over that fails (and is then retried a minute later); it waits for the lag, and cuts over once it is small.
     */
    @Test
    void aCutOverWaitsWhileTheServiceIsMoreThanCutoverTimeoutBehind() {
        MigrationStatus up = decide(spec(false), source("7.0.15", 500), following(true, false, 500),
                decide(spec(false), source("7.0.15", 500), following(false, true, 0), null, T0).status(), T0).status();
        // the source moves on to 9,000; the service stays at 600 for 7 s (looks at T0 and T0 + 7 s)
        MigrationStatus behind = decide(spec(false), source("7.0.15", 9000), following(true, false, 600), up, T0).status();
        Decision waiting = decide(spec(true), source("7.0.15", 9500), following(true, false, 900), behind, T0.plusSeconds(7));
        assertThat(waiting.action()).isEqualTo(Action.NONE);
        assertThat(waiting.reason()).isEqualTo("CutoverWaiting");
        assertThat(waiting.message()).contains("8600 bytes and 7 s behind", "less than cutoverTimeout (5 s) behind");
        assertThat(waiting.requeue()).isEqualTo(Duration.ofSeconds(1));
        // caught up: at once
        Decision cut = decide(spec(true), source("7.0.15", 9600), following(true, false, 9600), waiting.status(), T0.plusSeconds(8));
        assertThat(cut.action()).isEqualTo(Action.CUTOVER);
    }

    @Test
    void aFailedCutOverIsTriedAgainAMinuteLaterOrWhenAskedAgain() {
        MigrationStatus failed = decide(spec(false), source("7.0.15", 500), following(true, false, 500),
                decide(spec(false), source("7.0.15", 500), following(false, true, 0), null, T0).status(), T0).status();
        failed.setCutoverFailedAt(T0.toString());
        failed.setCutoverFailure("kv-0 reached offset 1 of the source's 9 within PT0.3S");
        Decision wait = decide(spec(true), source("7.0.15", 600), following(true, false, 600), failed, T0.plusSeconds(20));
        assertThat(wait.action()).isEqualTo(Action.NONE);
        assertThat(wait.reason()).isEqualTo("CutoverFailed");
        assertThat(wait.message()).contains("offset 1 of the source's 9", "next attempt at " + T0.plus(MigrationPlanner.CUTOVER_RETRY));
        assertThat(wait.requeue()).isEqualTo(MigrationPlanner.CUTOVER_RETRY.minusSeconds(20));
        assertThat(decide(spec(true), source("7.0.15", 600), following(true, false, 600), failed, T0.plus(MigrationPlanner.CUTOVER_RETRY))
                .action()).isEqualTo(Action.CUTOVER);

        MigrationStatus withdrawn = decide(spec(false), source("7.0.15", 600), following(true, false, 600), failed, T0.plusSeconds(21)).status();
        assertThat(withdrawn.getCutoverFailedAt()).isNull();
        assertThat(decide(spec(true), source("7.0.15", 600), following(true, false, 600), withdrawn, T0.plusSeconds(22)).action())
                .isEqualTo(Action.CUTOVER);
    }

    @Test
    void aCompletedMoveIsLeftAloneAndAnotherSourceStartsAgain() {
        MigrationStatus done = new MigrationStatus();
        done.setSource("redis.legacy:6379");
        done.setPhase(MigrationPlanner.COMPLETED);
        done.setCutoverAt(T0.toString());
        done.setWritesPausedMillis(120L);
        done.setLagBytes(0L);
        Decision d = decide(spec(true), SourceView.unreachable("gone"), master(), done, T0.plusSeconds(600));
        assertThat(d.action()).isEqualTo(Action.NONE);
        assertThat(d.migrated()).isTrue();
        assertThat(d.status().getPhase()).isEqualTo(MigrationPlanner.COMPLETED);
        assertThat(d.message()).contains("120 ms");
        assertThat(d.requeue()).isNull();
    }

    @Test
    void versionsCompareByTheirNumbers() {
        assertThat(MigrationPlanner.atLeast("6.2.0", MigrationPlanner.PAUSE_WRITE_SINCE)).isTrue();
        assertThat(MigrationPlanner.atLeast("6.10.1", MigrationPlanner.PAUSE_WRITE_SINCE)).isTrue();
        assertThat(MigrationPlanner.atLeast("7.0.15", MigrationPlanner.PAUSE_WRITE_SINCE)).isTrue();
        assertThat(MigrationPlanner.atLeast("6.0.20", MigrationPlanner.PAUSE_WRITE_SINCE)).isFalse();
        assertThat(MigrationPlanner.atLeast("5.0.14", MigrationPlanner.PAUSE_WRITE_SINCE)).isFalse();
        assertThat(MigrationPlanner.atLeast("7.2-rc1", MigrationPlanner.PAUSE_WRITE_SINCE)).isTrue();
        assertThat(MigrationPlanner.atLeast("garbage", MigrationPlanner.PAUSE_WRITE_SINCE)).isFalse();
        assertThat(MigrationPlanner.atLeast(null, MigrationPlanner.PAUSE_WRITE_SINCE)).isFalse();
    }

    @Test
    void infoIsReadAsRedisWritesIt() {
        String info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
                + "master_repl_offset:4242\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=100\r\n"
                + "db3:keys=5,expires=0,avg_ttl=0\r\n";
        SourceView v = SourceProbe.parse(info);
        assertThat(v.version()).isEqualTo("7.0.15");
        assertThat(v.replica()).isFalse();
        assertThat(v.clusterEnabled()).isFalse();
        assertThat(v.offset()).isEqualTo(4242);
        assertThat(v.keys()).isEqualTo(15);
        assertThat(v.keysByDatabase()).containsExactly(java.util.Map.entry(0, 10L), java.util.Map.entry(3, 5L));
        assertThat(v.modules()).isEmpty();
        SourceView modules = SourceProbe.parse("# Modules\r\nmodule:name=ReJSON,ver=20007,api=1,filters=0,usedby=[search],using=[],options=[]\r\n"
                + "module:name=search,ver=20613,api=1,filters=0,usedby=[],using=[ReJSON],options=[handle-io-errors]\r\n\r\n# Keyspace\r\n");
        assertThat(modules.modules()).containsExactly("ReJSON", "search");
        SourceView replica = SourceProbe.parse("role:slave\r\nmaster_host:10.0.0.9\r\nmaster_port:6380\r\ncluster_enabled:1\r\n");
        assertThat(replica.replica()).isTrue();
        assertThat(replica.replicaOf()).isEqualTo("10.0.0.9:6380");
        assertThat(replica.clusterEnabled()).isTrue();
    }

    /** The reconcile right after a cut-over may read the informer's copy from before its status write. */
    @Test
    void aCutOverThisProcessWroteOutranksAnOlderCopyOfTheStatus() {
        MigrationStatus replicating = status(MigrationPlanner.REPLICATING, null);
        MigrationStatus failed = status(MigrationPlanner.REPLICATING, "2026-11-25T12:00:00Z");
        MigrationStatus failedLater = status(MigrationPlanner.REPLICATING, "2026-11-25T12:01:05Z");
        MigrationStatus completed = status(MigrationPlanner.COMPLETED, null);

        assertThat(MigrationPlanner.lastStatus(replicating, null)).isSameAs(replicating);
        assertThat(MigrationPlanner.lastStatus(replicating, failed)).as("a failure the copy does not show yet").isSameAs(failed);
        assertThat(MigrationPlanner.lastStatus(null, failed)).isSameAs(failed);
        assertThat(MigrationPlanner.lastStatus(failed, failedLater)).as("a later failure").isSameAs(failedLater);
        assertThat(MigrationPlanner.lastStatus(failedLater, failed)).as("the copy shows a later one").isSameAs(failedLater);
        assertThat(MigrationPlanner.lastStatus(failed, failed)).isSameAs(failed);
        assertThat(MigrationPlanner.lastStatus(replicating, completed)).isSameAs(completed);
        assertThat(MigrationPlanner.lastStatus(completed, failed)).isSameAs(completed);

        assertThat(MigrationPlanner.recordsCutover(failed)).isTrue();
        assertThat(MigrationPlanner.recordsCutover(completed)).isTrue();
        assertThat(MigrationPlanner.recordsCutover(replicating)).isFalse();
    }

    /** Planned from the failure this process wrote, the stale copy does not start a second cut-over at once. */
    @Test
    void aFailedCutOverIsNotTriedAgainFromACopyThatDoesNotShowItYet() {
        MigrationStatus failed = status(MigrationPlanner.REPLICATING, T0.toString());
        failed.setCutoverFailure("the target reached offset 1, the source 500");
        MigrationStatus stale = status(MigrationPlanner.REPLICATING, null);

        Decision fromStale = decide(spec(true), source("7.0.15", 500), following(true, false, 500), stale, T0.plusSeconds(2));
        Decision fromLast = decide(spec(true), source("7.0.15", 500), following(true, false, 500),
                MigrationPlanner.lastStatus(stale, failed), T0.plusSeconds(2));
        assertThat(fromStale.action()).as("what the stale copy alone would do").isEqualTo(MigrationPlanner.Action.CUTOVER);
        assertThat(fromLast.action()).isEqualTo(MigrationPlanner.Action.NONE);
        assertThat(fromLast.reason()).isEqualTo("CutoverFailed");
    }

    private static MigrationStatus status(String phase, String cutoverFailedAt) {
        MigrationStatus s = new MigrationStatus();
        s.setPhase(phase);
        s.setSource("redis.legacy:6379");
        s.setCutoverFailedAt(cutoverFailedAt);
        return s;
    }
}
