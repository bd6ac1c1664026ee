package io.percore.operator.cluster;

import static io.percore.operator.cluster.ClusterPlannerTest.address;
import static io.percore.operator.cluster.ClusterPlannerTest.id;
import static io.percore.operator.cluster.ReplicaGroupsTest.decide;
import static io.percore.operator.cluster.ReplicaGroupsTest.primary;
import static io.percore.operator.cluster.ReplicaGroupsTest.replica;
import static io.percore.operator.cluster.ReplicaGroupsTest.twoGroups;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Kind;
import io.percore.operator.cluster.ClusterPlanner.Observed;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.replication.ReplicationPlanner;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The roll of a cluster with replicas: the order, only when calm, the switchover before a primary goes, the catch-up bound. */
class ClusterRollTest {

    private static final Instant T0 = Instant.parse("2026-11-25T02:00:00Z");

    /** {@code p} running the old template. */
    private static PodView outdated(PodView p) {
        return new PodView(p.name(), p.ordinal(), p.ready(), p.address(), p.observed(), false);
    }

    private static Decision roll(PodView... pods) {
        return decide(4, 1, T0, Map.of(), Map.of(), pods);
    }

    @Test
    void nothingOutdatedIsSteady() {
        Layout l = twoGroups();
        Decision d = roll(primary(0, l), replica(1, l, 0, 100), primary(2, l), replica(3, l, 2, 100));
        assertThat(d.kind()).isEqualTo(Kind.STEADY);
        assertThat(d.roll()).isNull();
    }

    @Test
    void outdatedReplicasGoFirstHighestOrdinalFirstOnePerStep() {
        Layout l = twoGroups();
        Decision d = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)), outdated(replica(3, l, 2, 100)));
        assertThat(d.kind()).isEqualTo(Kind.ROLL);
        assertThat(d.reason()).isEqualTo("RollingReplicas");
        assertThat(d.roll().delete()).isEqualTo("kv-3");
        assertThat(d.send()).isNull();
        assertThat(d.healthy()).as("Clustered is not True while pods are outdated").isFalse();

        Decision next = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)), replica(3, l, 2, 100));
        assertThat(next.roll().delete()).isEqualTo("kv-1");
    }

    @Test
    void nothingIsRolledUnlessCalm() {
        Layout l = twoGroups();
        // a replica following but not in sync yet (a rejoined pod's full sync)
        PodView syncing = new PodView("kv-3", 3, true, address(3), new Observed(id(3), 2, 0, l, List.of(),
                ReplicationPlanner.Observed.replica(0, address(2), false)));
        Decision d = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)), syncing);
        assertThat(d.roll()).isNull();
        assertThat(d.kind()).isEqualTo(Kind.REPLICAS_SYNCING);

        // linked but far behind its primary
        PodView trailing = replica(3, l, 2, 100 - ClusterRoll.CAUGHT_UP_LAG - 1);
        Decision behind = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)), trailing);
        assertThat(behind.roll()).isNull();
        assertThat(behind.kind()).isEqualTo(Kind.ROLL);
        assertThat(behind.message()).contains("kv-3 at offset");
        assertThat(behind.healthy()).isFalse();

        // a pod missing, or one that does not answer
        Decision missing = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)));
        assertThat(missing.roll()).isNull();
        assertThat(missing.kind()).isEqualTo(Kind.WAIT_FOR_PODS);
        Decision silent = roll(outdated(primary(0, l)), outdated(replica(1, l, 0, 100)), outdated(primary(2, l)),
                new PodView("kv-3", 3, true, address(3), null, false));
        assertThat(silent.roll()).isNull();

        // a replica following the wrong primary is repointed first
        Decision repoint = roll(outdated(primary(0, l)), outdated(replica(1, l, 2, 100)), primary(2, l), replica(3, l, 2, 100));
        assertThat(repoint.kind()).isEqualTo(Kind.REPOINT);
        assertThat(repoint.roll()).isNull();
    }

    @Test
    void anOutdatedPrimaryIsSwitchedOverToItsMostAdvancedReplicaBeforeItIsDeleted() {
        // one group of a primary and two replicas: kv-2 has the higher offset
        Decision first = ClusterPlanner.decide(new ClusterPlanner.Input(List.of(primary(0, Layout.EMPTY), primary(1, Layout.EMPTY),
                primary(2, Layout.EMPTY)), 3, 3, 0, 2, new ReplicaGroups.Clock(java.time.Duration.ofSeconds(10), T0, Map.of(), Map.of())));
        Layout l = first.send();
        assertThat(l.replicasOf(id(0))).containsExactly(id(1), id(2));
        Decision d = ClusterPlanner.decide(new ClusterPlanner.Input(List.of(outdated(primary(0, l)), replica(1, l, 0, 90),
                replica(2, l, 0, 100)), 3, 3, l.epoch(), 2, new ReplicaGroups.Clock(java.time.Duration.ofSeconds(10), T0, Map.of(), Map.of())));
        assertThat(d.kind()).isEqualTo(Kind.SWITCHOVER);
        assertThat(d.reason()).isEqualTo("SwitchingOver");
        assertThat(d.roll().switchover()).isTrue();
        assertThat(d.roll().from()).isEqualTo("kv-0");
        assertThat(d.roll().to()).isEqualTo("kv-2");
        // the failover's sequence: REPLICAOF NO ONE on kv-2, then a new epoch that gives it the slots, sent to it first
        assertThat(d.links().promote()).containsExactly("kv-2");
        Layout next = d.send();
        assertThat(next.epoch()).isEqualTo(l.epoch() + 1);
        assertThat(next.slotsOf(id(2))).isEqualTo(l.slotsOf(id(0)));
        assertThat(next.slotsOf(id(0)).isEmpty()).isTrue();
        assertThat(next.replicaOf()).containsEntry(id(0), id(2)).containsEntry(id(1), id(2));
        assertThat(d.sendTo().get(0)).isEqualTo("kv-2");
        assertThat(d.leading()).isEqualTo(1);
        assertThat(d.links().follow()).containsEntry("kv-0", address(2)).containsEntry("kv-1", address(2));
        assertThat(d.healthy()).isFalse();

        // the old primary, now kv-2's replica: deleted only once it follows kv-2 and is in sync
        PodView syncing = outdated(new PodView("kv-0", 0, true, address(0), new Observed(id(0), 2, 0, next, List.of(),
                ReplicationPlanner.Observed.replica(0, address(2), false))));
        Decision following = ClusterPlanner.decide(new ClusterPlanner.Input(List.of(syncing, replica(1, next, 2, 100),
                primary(2, next)), 3, 3, next.epoch(), 2, new ReplicaGroups.Clock(java.time.Duration.ofSeconds(10), T0, Map.of(), Map.of())));
        assertThat(following.roll()).as("behind: " + following.message()).isNull();
        Decision inSync = ClusterPlanner.decide(new ClusterPlanner.Input(List.of(outdated(replica(0, next, 2, 100)), replica(1, next, 2, 100),
                primary(2, next)), 3, 3, next.epoch(), 2, new ReplicaGroups.Clock(java.time.Duration.ofSeconds(10), T0, Map.of(), Map.of())));
        assertThat(inSync.kind()).isEqualTo(Kind.ROLL);
        assertThat(inSync.roll().delete()).isEqualTo("kv-0");
    }

    @Test
    void primariesAreSwitchedOverOneAtATimeHighestOrdinalFirstAndOnlyWhenTheirReplicasAreUpdated() {
        Layout l = twoGroups();
        Decision d = roll(outdated(primary(0, l)), replica(1, l, 0, 100), outdated(primary(2, l)), replica(3, l, 2, 100));
        assertThat(d.kind()).isEqualTo(Kind.SWITCHOVER);
        assertThat(d.roll().from()).isEqualTo("kv-2");
        assertThat(d.roll().to()).isEqualTo("kv-3");
        assertThat(d.send().replicaOf()).containsEntry(id(2), id(3)).containsEntry(id(1), id(0));
        assertThat(d.send().slotsOf(id(0))).isEqualTo(l.slotsOf(id(0)));
    }
}
