package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.backup.Failure;
import io.percore.operator.backup.TerminationMessage;
import io.percore.operator.backupplan.RestoreOutcomes.Observed;
import io.percore.operator.crd.RestoreStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestoreOutcomesTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void restoredIsSaidOnceAndStaysDone() {
        String line = "{\"outcome\":\"Restored\",\"object\":\"s3://b/default/kv/x.rdb\",\"key\":\"default/kv/x.rdb\",\"bytes\":12,\"keys\":100000,"
                + "\"sha256\":\"ab\",\"verifiedAgainst\":\"manifest\",\"file\":\"/data/dump.rdb\",\"durationMillis\":900,\"transferMillis\":800}";
        RestoreOutcomes.Result r = RestoreOutcomes.read(null, new Observed("kv2-0", false, line, 0), "latest", NOW);
        assertThat(r.status().getPhase()).isEqualTo(RestoreOutcomes.RESTORED);
        assertThat(r.status().getObject()).isEqualTo("s3://b/default/kv/x.rdb");
        assertThat(r.status().getKeys()).isEqualTo(100000L);
        assertThat(r.status().getVerifiedAgainst()).isEqualTo("manifest");
        assertThat(r.conditionStatus()).isTrue();
        assertThat(r.changed()).isTrue();
        assertThat(r.message()).contains("kv2-0 restored s3://b/default/kv/x.rdb: 100000 keys");
        // the pod restarts later: its init container skips a volume with data; what was restored stays said
        String skipped = "{\"outcome\":\"Skipped\",\"message\":\"/data already holds dump.rdb\"}";
        RestoreOutcomes.Result later = RestoreOutcomes.read(r.status(), new Observed("kv2-0", false, skipped, 0), "latest", NOW.plusSeconds(60));
        assertThat(later.status()).isSameAs(r.status());
        assertThat(later.changed()).isFalse();
    }

    @Test
    void aRefusedObjectIsFailedWithTheProgramsReasonAndNotReady() {
        String corrupt = TerminationMessage.failed(Failure.CORRUPT_SNAPSHOT, "s3://b/default/kv/x.rdb: the RDB's CRC-64 is 1f.., its bytes give 2a..");
        RestoreOutcomes.Result r = RestoreOutcomes.read(null, new Observed("kv2-0", false, corrupt, 1), "latest", NOW);
        assertThat(r.status().getPhase()).isEqualTo(RestoreOutcomes.FAILED);
        assertThat(r.status().getReason()).isEqualTo("CorruptSnapshot");
        assertThat(r.conditionStatus()).isFalse();
        assertThat(r.reason()).isEqualTo(RestoreOutcomes.RESTORE_FAILED);
        assertThat(r.message()).contains("CorruptSnapshot", "CRC-64", "stays empty");
        // tried again by the kubelet, refused again the same way: nothing new to say
        RestoreOutcomes.Result again = RestoreOutcomes.read(r.status(), new Observed("kv2-0", false, corrupt, 1), "latest", NOW.plusSeconds(30));
        assertThat(again.changed()).isFalse();
        String truncated = TerminationMessage.failed(Failure.TRUNCATED_SNAPSHOT, "s3://b/k: 1000 bytes short");
        assertThat(RestoreOutcomes.read(null, new Observed("kv2-0", false, truncated, 1), "latest", NOW).status().getReason())
                .isEqualTo("TruncatedSnapshot");
        assertThat(RestoreOutcomes.read(null, new Observed("kv2-0", false, null, 137), "latest", NOW).status().getReason())
                .as("killed without a line").isEqualTo("InitContainerFailed");
    }

    @Test
    void untilTheInitContainerEndsTheRestoreIsUnderWay() {
        RestoreOutcomes.Result none = RestoreOutcomes.read(null, Observed.NO_POD, "the latest backup of default/kv", NOW);
        assertThat(none.status().getPhase()).isEqualTo(RestoreOutcomes.RESTORING);
        assertThat(none.conditionStatus()).isFalse();
        RestoreOutcomes.Result running = RestoreOutcomes.read(none.status(), new Observed("kv2-0", true, null, null),
                "the latest backup of default/kv", NOW);
        assertThat(running.message()).isEqualTo("kv2-0 is restoring the latest backup of default/kv");
        RestoreStatus failed = RestoreOutcomes.read(null, new Observed("kv2-0", false,
                TerminationMessage.failed(Failure.NO_BACKUP, "no complete backup under default/kv/"), 1), "latest", NOW).status();
        // a failed restore is looked at again (the object may be put there, or the spec changed)
        assertThat(RestoreOutcomes.read(failed, new Observed("kv2-0", true, null, null), "latest", NOW).status().getPhase())
                .isEqualTo(RestoreOutcomes.RESTORING);
    }

    private static String groupLine(int group, long keys) {
        return "{\"outcome\":\"Restored\",\"object\":\"s3://b/default/kv/x." + group + ".rdb\",\"key\":\"default/kv/x." + group + ".rdb\","
                + "\"bytes\":10,\"keys\":" + keys + ",\"sha256\":\"ab\",\"verifiedAgainst\":\"manifest\",\"file\":\"/data/dump.rdb\","
                + "\"durationMillis\":" + (100 * (group + 1)) + ",\"transferMillis\":50,\"group\":" + group + ",\"backup\":\"s3://b/default/kv/x.json\"}";
    }

    @Test
    void aClustersPodsAreOneRestoreDoneWhenEveryPodIsAndFailedWhenOneIs() {
        Observed kv0 = new Observed("kv2-0", false, groupLine(0, 100), 0);
        Observed kv1Running = new Observed("kv2-1", true, null, null);
        Observed kv2 = new Observed("kv2-2", false, groupLine(2, 300), 0);
        RestoreOutcomes.Result partway = RestoreOutcomes.read(null, java.util.List.of(kv0, kv1Running, kv2), "latest", NOW);
        assertThat(partway.status().getPhase()).isEqualTo(RestoreOutcomes.RESTORING);
        assertThat(partway.message()).startsWith("2 of 3 pods restored").contains("kv2-1 is restoring latest");
        assertThat(partway.conditionStatus()).isFalse();

        Observed kv1 = new Observed("kv2-1", false, groupLine(1, 200), 0);
        RestoreOutcomes.Result done = RestoreOutcomes.read(partway.status(), java.util.List.of(kv0, kv1, kv2), "latest", NOW);
        assertThat(done.status().getPhase()).isEqualTo(RestoreOutcomes.RESTORED);
        assertThat(done.status().getObject()).as("the cluster's backup, not one group's snapshot").isEqualTo("s3://b/default/kv/x.json");
        assertThat(done.status().getKeys()).isEqualTo(600L);
        assertThat(done.status().getBytes()).isEqualTo(30L);
        assertThat(done.status().getDurationMillis()).as("the pods restore at once: the longest").isEqualTo(300L);
        assertThat(done.message()).contains("kv2-0, kv2-1, kv2-2 restored s3://b/default/kv/x.json: 600 keys");

        Observed kv1Refused = new Observed("kv2-1", false, TerminationMessage.failed(Failure.LAYOUT_MISMATCH,
                "s3://b/default/kv/x.json has 2 groups (a cluster of 2 primaries), this cluster has 3 primaries: plan 2"), 1);
        RestoreOutcomes.Result failed = RestoreOutcomes.read(null, java.util.List.of(kv0, kv1Refused, kv2), "latest", NOW);
        assertThat(failed.status().getPhase()).isEqualTo(RestoreOutcomes.FAILED);
        assertThat(failed.reason()).isEqualTo(RestoreOutcomes.RESTORE_FAILED);
        assertThat(failed.message()).contains("kv2-1 refused the restore, LayoutMismatch").contains("plan 2");
    }
}
