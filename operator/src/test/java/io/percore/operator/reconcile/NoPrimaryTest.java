package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ReplicationPlanner.Decision;
import io.percore.operator.replication.ReplicationPlanner.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code Degraded} condition's {@code NoPrimary}: said whenever the planner waits without a primary after there was
 * one, even while the pods' readiness looks as expected (issue 74: every pod restarted at once, each back from its files
 * as an unready replica of a Service that routes nowhere, and {@code Degraded} said False, {@code AsExpected}).
 */
class NoPrimaryTest {

    private static Decision decide(Kind kind, String promote, String reason) {
        return new Decision(kind, List.of(), promote, List.of(), null, null, promote, Instant.EPOCH, promote != null, reason,
                "the message", Duration.ofSeconds(2));
    }

    @Test
    void waitingWithoutAPrimaryAfterThereWasOneIsNoPrimaryWithTheReason() {
        assertThat(ReplicationDriver.noPrimary(decide(Kind.WAIT, null, "NoCandidate"), "kv-0", "NoCandidate", "no pod answers"))
                .isEqualTo("NoCandidate: no pod answers");
        assertThat(ReplicationDriver.noPrimary(decide(Kind.WAIT, null, "WaitingForData"), "kv-0", "WaitingForData", "kv-1 loads"))
                .isEqualTo("WaitingForData: kv-1 loads");
    }

    @Test
    void aServiceThatNeverHadOneIsBootstrappingNotDegraded() {
        assertThat(ReplicationDriver.noPrimary(decide(Kind.WAIT, null, "Bootstrapping"), null, "Bootstrapping", "pods starting")).isNull();
    }

    @Test
    void aPromotionOrAServingPrimaryIsNot() {
        assertThat(ReplicationDriver.noPrimary(decide(Kind.FAILOVER, "kv-1", "FailedOver"), "kv-0", "FailedOver", "promoting kv-1")).isNull();
        assertThat(ReplicationDriver.noPrimary(decide(Kind.BOOTSTRAP, "kv-0", "PrimaryElected"), "kv-0", "PrimaryElected", "kv-0")).isNull();
        assertThat(ReplicationDriver.noPrimary(decide(Kind.STEADY, null, "AsExpected"), "kv-0", "AsExpected", "kv-0 serves")).isNull();
    }
}
