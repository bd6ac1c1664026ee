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
}
