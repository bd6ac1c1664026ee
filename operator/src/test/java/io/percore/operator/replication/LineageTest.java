package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.Lineage.Link;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineageTest {

    private static final Lineage LINE = new Lineage(List.of(new Link("h2", "h1", 10), new Link("h3", "h2", 25), new Link("h4", "h3", 30)));

    @Test
    void aPodOfTheHistoryItselfHoldsItsOffset() {
        assertThat(LINE.heldOf("h4", "h4", 42)).isEqualTo(42);
        assertThat(Lineage.NONE.heldOf("h4", "h4", 42)).isEqualTo(42);
    }

    @Test
    void aPodOfAnOlderHistoryHoldsTheLineUpToWhereItLeftThatHistory() {
        assertThat(LINE.heldOf("h4", "h3", 28)).as("short of the fork").isEqualTo(28);
        assertThat(LINE.heldOf("h4", "h3", 35)).as("past the fork: its own writes").isEqualTo(30);
        assertThat(LINE.heldOf("h4", "h2", 40)).as("bounded by every fork on the way").isEqualTo(25);
        assertThat(LINE.heldOf("h4", "h1", 99)).isEqualTo(10);
        assertThat(LINE.heldOf("h3", "h2", 40)).as("a line that ends earlier").isEqualTo(25);
    }

    @Test
    void aHistoryOffTheLineIsNotCompared() {
        assertThat(LINE.heldOf("h4", "h9", 5)).as("unknown").isEqualTo(-1);
        assertThat(LINE.heldOf("h2", "h4", 50)).as("a later history holds an earlier one's line up to where its own line left it").isEqualTo(25);
        assertThat(LINE.heldOf(null, "h4", 50)).isEqualTo(-1);
        assertThat(LINE.heldOf("h4", null, 50)).isEqualTo(-1);
        Lineage loop = new Lineage(List.of(new Link("a", "b", 3), new Link("b", "a", 4)));
        assertThat(loop.heldOf("a", "c", 1)).as("a cycle (never written, but read from a status) ends the walk").isEqualTo(-1);
    }

    /**
     * Two promotions out of h5: kv-0's at 2 (h12, recorded), kv-2's at 3 (h9, then h11 out of h9 at 3). A pod of h11 at 5
     * holds of h12's line what both share of h5: up to 2, more than a pod of h5 at 1 (ReplicationPlannerPropertyTest, seed
     * 8005658: ranked off the line, behind the pod of h5, the pod of h11 lost its acknowledged write at 2).
     */
    @Test
    void aPodOfABranchHoldsTheLineUpToWhereTheyParted() {
        Lineage siblings = new Lineage(List.of(new Link("h9", "h5", 3), new Link("h11", "h9", 3), new Link("h12", "h5", 2)));
        assertThat(siblings.heldOf("h12", "h11", 5)).isEqualTo(2);
        assertThat(siblings.heldOf("h12", "h5", 1)).isEqualTo(1);
        assertThat(siblings.heldOf("h11", "h12", 7)).as("and the other way").isEqualTo(2);
        assertThat(siblings.heldOf("h11", "h9", 7)).isEqualTo(3);
    }

    /** A pod last seen in h5 may since have followed h9 or h12, promotions out of it; one last seen in h12 only h12's line. */
    @Test
    void aHistoryAPromotionWentOnFromIsContinuedPast() {
        Lineage siblings = new Lineage(List.of(new Link("h9", "h5", 3), new Link("h11", "h9", 3), new Link("h12", "h5", 2)));
        assertThat(siblings.continuedPast("h5")).isTrue();
        assertThat(siblings.continuedPast("h12")).isFalse();
        assertThat(LINE.continuedPast("h3")).as("h4 went on from it").isTrue();
        assertThat(LINE.continuedPast("h4")).isFalse();
        assertThat(Lineage.NONE.continuedPast("h4")).isFalse();
        assertThat(LINE.continuedPast(null)).as("no history: nothing known").isTrue();
    }

    /** A history went on from another through one link or a chain of them; not from itself, a sibling or a later one. */
    @Test
    void aHistoryWentOnFromTheOnesBeforeItOnItsLine() {
        assertThat(LINE.wentOnFrom("h4", "h3")).isTrue();
        assertThat(LINE.wentOnFrom("h4", "h1")).as("through h3 and h2").isTrue();
        assertThat(LINE.wentOnFrom("h2", "h4")).as("the other way").isFalse();
        assertThat(LINE.wentOnFrom("h4", "h4")).isFalse();
        Lineage siblings = new Lineage(List.of(new Link("h9", "h5", 3), new Link("h12", "h5", 2)));
        assertThat(siblings.wentOnFrom("h12", "h9")).isFalse();
        assertThat(Lineage.NONE.wentOnFrom("h4", "h3")).isFalse();
        Lineage loop = new Lineage(List.of(new Link("a", "b", 3), new Link("b", "a", 4)));
        assertThat(loop.wentOnFrom("a", "c")).as("a cycle read from a status ends the walk").isFalse();
    }

    @Test
    void aPromotedPodSaysWhereItsHistoryLeftTheOneBefore() {
        Lineage l = Lineage.NONE.with(Observed.master(12).withHistory("h2", "h1", 11));
        assertThat(l.links()).containsExactly(new Link("h2", "h1", 10));
        assertThat(l.with(Observed.master(12).withHistory("h2", null)).links()).as("nothing said").containsExactly(new Link("h2", "h1", 10));
        assertThat(l.with((Observed) null)).isSameAs(l);
    }

    @Test
    void theFurthestSaidIsKeptAndAnotherOriginIgnored() {
        // a replica that continued into h2 through a partial resync says where it stood then: no further than the fork
        Lineage l = Lineage.NONE.with(replica("h2", "h1", 7)).with(Observed.master(12).withHistory("h2", "h1", 11)).with(replica("h2", "h1", 9));
        assertThat(l.links()).containsExactly(new Link("h2", "h1", 10));
        assertThat(l.with(Observed.master(5).withHistory("h2", "h0", 4)).links()).containsExactly(new Link("h2", "h1", 10));
    }

    @Test
    void thePodsThatAnswerAddTheirLinks() {
        HostPort a = new HostPort("10.0.0.1", 6379);
        List<PodState> pods = List.of(new PodState("kv-0", 0, true, false, true, true, a, Observed.master(30).withHistory("h3", "h2", 26)),
                new PodState("kv-1", 1, true, false, false, true, new HostPort("10.0.0.2", 6379), replica("h3", "h2", 20)),
                new PodState("kv-2", 2, false, false, false, true, null, null));
        assertThat(Lineage.NONE.with(pods).links()).containsExactly(new Link("h3", "h2", 25));
    }

    @Test
    void theOldestLinksAreForgotten() {
        List<Link> many = new ArrayList<>();
        for (int i = 1; i <= Lineage.KEPT + 3; i++) {
            many.add(new Link("h" + (i + 1), "h" + i, i * 10L));
        }
        Lineage l = new Lineage(many);
        assertThat(l.links()).hasSize(Lineage.KEPT).first().isEqualTo(new Link("h5", "h4", 40));
        assertThat(l.heldOf("h" + (Lineage.KEPT + 4), "h4", 45)).isEqualTo(40);
        assertThat(l.heldOf("h" + (Lineage.KEPT + 4), "h3", 45)).as("forgotten").isEqualTo(-1);
        Lineage next = l.with(Observed.master(999).withHistory("h99", "h" + (Lineage.KEPT + 4), 500));
        assertThat(next.links()).hasSize(Lineage.KEPT).last().isEqualTo(new Link("h99", "h" + (Lineage.KEPT + 4), 499));
    }

    private static Observed replica(String replid, String from, long secondOffset) {
        return Observed.replica(secondOffset + 3, new HostPort("kv-primary", 6379), true).withHistory(replid, from, secondOffset);
    }
}
