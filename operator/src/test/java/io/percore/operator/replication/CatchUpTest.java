package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CatchUpTest {

    private static final String HISTORY = "8de8a7b4d8e0d7c1b0a6c0b0d3f0a1e2c3b4a5f6";
    private static final long T0 = 1_000_000_000L;

    private static long at(double seconds) {
        return T0 + (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }

    private static HostPort addr(int ordinal) {
        return new HostPort("10.0.0." + (10 + ordinal), 6380);
    }

    private static PodState primary(long offset) {
        return new PodState("kv-0", 0, true, false, true, true, addr(0), Observed.master(offset).withHistory(HISTORY, null));
    }

    private static PodState replica(int ordinal, long offset, String history) {
        return new PodState("kv-" + ordinal, ordinal, true, false, false, true, addr(ordinal),
                Observed.replica(offset, addr(0), true).withHistory(history, null));
    }

    @Test
    void aReplicaAtThePrimarysOffsetIsNotBehindFromTheFirstLook() {
        assertThat(new CatchUp().look(at(0), List.of(primary(1000), replica(1, 1000, HISTORY), replica(2, 990, HISTORY))))
                .as("short of the primary's offset of the only look: not known to be within the bound yet").containsExactly("kv-2");
    }

    @Test
    void aReplicaHoldingWhatThePrimaryHeldASecondAgoIsNotBehind() {
        CatchUp c = new CatchUp();
        c.look(at(0), List.of(primary(1000), replica(1, 1000, HISTORY)));
        assertThat(c.look(at(1), List.of(primary(5000), replica(1, 1200, HISTORY)))).isEmpty();
    }

    /** Back with a partial resync, it replays a backlog: behind until it holds what the primary held less than 2 s before. */
    @Test
    void aReplicaReplayingABacklogIsBehindUntilItHoldsWhatThePrimaryHeldWithinTheBound() {
        CatchUp c = new CatchUp();
        assertThat(c.look(at(0), List.of(primary(1000), replica(1, 1000, HISTORY), replica(2, 100, HISTORY)))).containsExactly("kv-2");
        assertThat(c.look(at(1), List.of(primary(2000), replica(1, 2000, HISTORY), replica(2, 900, HISTORY)))).containsExactly("kv-2");
        assertThat(c.look(at(2.5), List.of(primary(3000), replica(1, 3000, HISTORY), replica(2, 1500, HISTORY))))
                .as("1500 passes only the look 2.5 s old").containsExactly("kv-2");
        assertThat(c.look(at(2.9), List.of(primary(3500), replica(1, 3500, HISTORY), replica(2, 2100, HISTORY))))
                .as("it holds what the primary held 1.9 s before: the 2,000 of the look at 1 s").isEmpty();
    }

    @Test
    void looksOlderThanTheBoundDoNotVouchForAReplica() {
        CatchUp c = new CatchUp();
        c.look(at(0), List.of(primary(1000), replica(1, 1000, HISTORY)));
        assertThat(c.look(at(5), List.of(primary(9000), replica(1, 1500, HISTORY)))).containsExactly("kv-1");
    }

    @Test
    void anOffsetInAnotherHistoryCountsForNothing() {
        CatchUp c = new CatchUp();
        assertThat(c.look(at(0), List.of(primary(1000), replica(1, 5000, "0000000000000000000000000000000000000000"))))
                .containsExactly("kv-1");
    }

    @Test
    void withoutAPrimaryThatAnswersNothingIsJudged() {
        PodState unreachable = new PodState("kv-0", 0, true, false, true, true, addr(0), null);
        assertThat(new CatchUp().look(at(0), List.of(unreachable, replica(1, 0, HISTORY)))).isEmpty();
    }

    @Test
    void itKeepsABoundedNumberOfLooks() {
        CatchUp c = new CatchUp();
        for (int i = 0; i < 10 * CatchUp.MAX_LOOKS; i++) {
            c.look(at(i * 0.001), List.of(primary(1000 + i), replica(1, 1000 + i, HISTORY)));
        }
        // the oldest looks are gone: an offset only they vouched for no longer passes
        assertThat(c.look(at(10 * CatchUp.MAX_LOOKS * 0.001), List.of(primary(100_000), replica(1, 1001, HISTORY)))).containsExactly("kv-1");
    }
}
