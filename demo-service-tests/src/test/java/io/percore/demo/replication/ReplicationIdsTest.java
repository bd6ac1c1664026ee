package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PSYNC2's ids: which PSYNC continues this history, before and after the stream goes on under a new id. */
class ReplicationIdsTest {

    @Test
    void aFreshHistoryContinuesItsOwnIdOnlyAndTheNoIdNever() {
        ReplicationIds ids = ReplicationIds.fresh();
        assertThat(ids.replid()).hasSize(40).isNotEqualTo(ReplicationIds.NO_ID).isNotEqualTo(ReplicationIds.fresh().replid());
        assertThat(ids.continues(ids.replid(), 1_000_000)).isTrue();
        assertThat(ids.continues(ReplicationIds.NO_ID, 0)).as("the zero id of a server with no former history").isFalse();
        assertThat(ids.continues("?", -1)).isFalse();
    }

    @Test
    void afterAPromotionTheFormerIdContinuesUpToWhereItEndedAndNoFurther() {
        ReplicationIds before = ReplicationIds.following("a".repeat(40));
        ReplicationIds after = before.shiftedTo("b".repeat(40), 501);
        assertThat(after.replid()).isEqualTo("b".repeat(40));
        assertThat(after.replid2()).isEqualTo("a".repeat(40));
        assertThat(after.secondReplidOffset()).isEqualTo(501);
        assertThat(after.continues("a".repeat(40), 501)).as("a replica of the former primary that had everything").isTrue();
        assertThat(after.continues("a".repeat(40), 502)).as("one claiming more of the former stream than it had").isFalse();
        assertThat(after.continues("b".repeat(40), 9_999)).isTrue();
    }

    @Test
    void aFullSyncForgetsTheFormerHistory() {
        ReplicationIds shifted = ReplicationIds.fresh().shiftedTo("b".repeat(40), 10);
        ReplicationIds synced = ReplicationIds.following("c".repeat(40));
        assertThat(shifted.continues(shifted.replid2(), 10)).isTrue();
        assertThat(synced.replid2()).isEqualTo(ReplicationIds.NO_ID);
        assertThat(synced.continues(shifted.replid2(), 10)).isFalse();
    }
}
