package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.cluster.ClusterPlanner;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.cluster.Layout;
import io.percore.operator.cluster.ReplicaGroups;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.replication.LastSeenPositions;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster status names nodes by their pods, also for a moment in which a node does not answer. */
class ClusterStatusNamesTest {

    private static final Layout LAYOUT = new Layout(3,
            Map.of("id-a", new HostPort("10.0.0.1", 6380), "id-b", new HostPort("10.0.0.2", 6380), "id-r", new HostPort("10.0.0.3", 6380)),
            Map.of("id-a", range(0, 8192), "id-b", range(8192, 16384)), List.of(), Map.of("id-r", "id-a"));

    @Test
    void aReplicaThatDidNotAnswerThisTimeIsStillNamedByItsPod() {
        Map<String, PodView> all = pods("kv-0", "id-a", "kv-1", "id-b", "kv-2", "id-r");
        ClusterStatus first = ClusterDriver.status(LAYOUT, decision(), observation(all, null));
        assertThat(replicasOf(first, "kv-0")).containsExactly("kv-2");

        // kv-2 timed out on this look (a loaded node): the status shown last says which pod node id-r is on
        Map<String, PodView> silent = new LinkedHashMap<>(all);
        silent.put("kv-2", new PodView("kv-2", 2, true, new HostPort("10.0.0.3", 6380), null));
        ClusterStatus next = ClusterDriver.status(LAYOUT, decision(), observation(silent, first));
        assertThat(replicasOf(next, "kv-0")).as("not the node id").containsExactly("kv-2");
        assertThat(next.getPods()).filteredOn(p -> "id-r".equals(p.getNodeId())).singleElement().satisfies(p -> {
            assertThat(p.getPod()).isEqualTo("kv-2");
            assertThat(p.getReplicaOf()).isEqualTo("kv-0");
        });

        // never seen on any pod: the id is all there is to show
        ClusterStatus unknown = ClusterDriver.status(LAYOUT, decision(), observation(silent, null));
        assertThat(replicasOf(unknown, "kv-0")).containsExactly("id-r");
    }

    /**
     * The epoch the status records is the floor of the next layout's: when the pods holding the newest epoch do not answer
     * (being deleted, frozen) it stays, so that epoch is never sent again with another layout (ClusterFailoverPropertyTest:
     * a lowered floor sent epoch 5 with another text than a deleting pod held at 5).
     */
    @Test
    void theEpochRecordedIsNeverLoweredByALookInWhichThePodsHoldingTheNewestDoNotAnswer() {
        Map<String, PodView> all = pods("kv-0", "id-a", "kv-1", "id-b", "kv-2", "id-r");
        ClusterStatus newer = ClusterDriver.status(new Layout(5, LAYOUT.nodes(), LAYOUT.owners(), List.of(), LAYOUT.replicaOf()),
                decision(), observation(all, null));
        assertThat(newer.getConfigEpoch()).isEqualTo(5L);
        ClusterStatus next = ClusterDriver.status(LAYOUT, decision(), observation(all, newer));
        assertThat(next.getConfigEpoch()).isEqualTo(5L);
    }

    /**
     * No pod that answers holds the newest layout (every pod deleted or silent: the layout in force is none): the status
     * keeps the node → pod map it showed, by which the failover asks Kubernetes whether a silent primary is Ready. Rewritten
     * from the empty layout, it lost it, and a primary cut off from the operator only was replaced while it served
     * (ClusterFailoverPropertyTest, seed 424353).
     */
    @Test
    void aLookInWhichNoPodHoldsTheNewestLayoutKeepsThePodsTheStatusShowed() {
        Map<String, PodView> all = pods("kv-0", "id-a", "kv-1", "id-b", "kv-2", "id-r");
        ClusterStatus shown = ClusterDriver.status(LAYOUT, decision(), observation(all, null));
        Map<String, PodView> silent = new LinkedHashMap<>();
        all.forEach((name, p) -> silent.put(name, new PodView(name, p.ordinal(), true, p.address(), null)));
        ClusterStatus next = ClusterDriver.status(Layout.EMPTY, decision(), observation(silent, shown));
        assertThat(next.getConfigEpoch()).isEqualTo(3L);
        assertThat(next.getSlotsAssigned()).isEqualTo(16384);
        assertThat(next.getPods()).extracting(ClusterStatus.PodSlots::getPod).containsExactlyInAnyOrder("kv-0", "kv-1", "kv-2");
        assertThat(next.getPods()).extracting(ClusterStatus.PodSlots::getNodeId).containsExactlyInAnyOrder("id-a", "id-b", "id-r");
    }

    /**
     * Each node's offset, as it last answered: a process back from an append-only file answers with none, and the failover
     * ranks it where it was last seen (ReplicaGroups; ClusterFailoverPropertyTest, seed 20262784).
     */
    @Test
    void eachNodeKeepsTheOffsetItLastAnsweredWith() {
        Map<String, PodView> seen = seenAtOffsets();
        ClusterStatus first = ClusterDriver.status(LAYOUT, decision(), observation(seen, null));
        assertThat(first.getPods()).extracting(ClusterStatus.PodSlots::getNodeId, ClusterStatus.PodSlots::getOffset)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("id-a", 120L), org.assertj.core.groups.Tuple.tuple("id-b", 80L),
                        org.assertj.core.groups.Tuple.tuple("id-r", 115L));

        // kv-2 back from its append-only file (offset 0), kv-1 silent: both keep where they were last seen
        Map<String, PodView> next = new LinkedHashMap<>(seen);
        next.put("kv-0", withOffset("kv-0", 0, "id-a", io.percore.operator.replication.ReplicationPlanner.Observed.master(130)));
        next.put("kv-1", new PodView("kv-1", 1, true, LAYOUT.nodes().get("id-b"), null));
        next.put("kv-2", withOffset("kv-2", 2, "id-r", io.percore.operator.replication.ReplicationPlanner.Observed.replica(0,
                LAYOUT.nodes().get("id-a"), false)));
        ClusterStatus later = ClusterDriver.status(LAYOUT, decision(), observation(next, first));
        assertThat(later.getPods()).extracting(ClusterStatus.PodSlots::getNodeId, ClusterStatus.PodSlots::getOffset)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("id-a", 130L), org.assertj.core.groups.Tuple.tuple("id-b", 80L),
                        org.assertj.core.groups.Tuple.tuple("id-r", 115L));
        assertThat(ClusterDriver.offsetOfNode(later)).containsEntry("id-r", 115L).containsEntry("id-a", 130L);
    }

    /**
     * A replica whose pod is being deleted serves its grace period out and counts for WAIT: where it stands is read from it
     * still, so that back from an append-only file (no offset said) it is ranked where it went, not where its deletion began
     * (ClusterFailoverPropertyTest, seeds 31032905 and 32029968: a replica lacking an acknowledged write was promoted over it).
     */
    @Test
    void aReplicaBeingDeletedIsRecordedWhereItStandsNow() {
        Map<String, PodView> seen = seenAtOffsets();
        ClusterStatus first = ClusterDriver.status(LAYOUT, decision(), observation(seen, null));

        // kv-2's pod is being deleted: no member of the plan (not among the pods), its process still following kv-0
        Map<String, PodView> members = new LinkedHashMap<>(seen);
        members.remove("kv-2");
        members.put("kv-0", withOffset("kv-0", 0, "id-a", io.percore.operator.replication.ReplicationPlanner.Observed.master(150)));
        ClusterStatus leaving = ClusterDriver.status(LAYOUT, decision(), observation(members, first, Map.of("id-r", new LastSeenPositions.Position("Y", 150))));
        assertThat(ClusterDriver.offsetOfNode(leaving)).containsEntry("id-r", 150L).containsEntry("id-a", 150L);
        assertThat(ClusterDriver.historyOfNode(leaving)).as("with the history it counts in").containsEntry("id-r", "Y");

        // gone (its process ended): the status keeps where it stood last
        ClusterStatus gone = ClusterDriver.status(LAYOUT, decision(), observation(members, leaving));
        assertThat(ClusterDriver.offsetOfNode(gone)).containsEntry("id-r", 150L);
    }

    /**
     * Each node's offset with the history it counts in, and the lineage the pods said (a promoted or restarted primary's
     * master_replid2 and second_repl_offset), kept while they do not answer and across an epoch written ahead: a failover
     * compares its replicas' offsets along the line to the group's history (ReplicaGroups; ClusterFailoverPropertyTest, seed
     * 34010282: a replica promoted by a failover never recorded went before one of the group's history at the same offset).
     */
    @Test
    void eachNodeKeepsTheHistoryItsOffsetCountsInAndTheStatusTheLineageThePodsSaid() {
        Map<String, PodView> seen = new LinkedHashMap<>(seenAtOffsets());
        seen.put("kv-0", withOffset("kv-0", 0, "id-a", io.percore.operator.replication.ReplicationPlanner.Observed.master(120)
                .withHistory("Y", "H", 101)));
        seen.put("kv-2", withOffset("kv-2", 2, "id-r", io.percore.operator.replication.ReplicationPlanner.Observed.replica(115,
                LAYOUT.nodes().get("id-a"), true).withHistory("Y", null)));
        ClusterStatus first = ClusterDriver.status(LAYOUT, decision(), observation(seen, null));
        assertThat(ClusterDriver.historyOfNode(first)).containsOnly(Map.entry("id-a", "Y"), Map.entry("id-r", "Y"));
        assertThat(ClusterDriver.lineage(first).links()).containsExactly(new io.percore.operator.replication.Lineage.Link("Y", "H", 100));

        // kv-0 silent, kv-2 back from its append-only file: both keep the history of the offset they keep
        Map<String, PodView> next = new LinkedHashMap<>(seen);
        next.put("kv-0", new PodView("kv-0", 0, true, LAYOUT.nodes().get("id-a"), null));
        next.put("kv-2", withOffset("kv-2", 2, "id-r", io.percore.operator.replication.ReplicationPlanner.Observed.replica(0,
                LAYOUT.nodes().get("id-a"), false).withHistory("Z", null)));
        ClusterStatus later = ClusterDriver.status(LAYOUT, decision(), observation(next, first));
        assertThat(ClusterDriver.historyOfNode(later)).containsOnly(Map.entry("id-a", "Y"), Map.entry("id-r", "Y"));
        assertThat(ClusterDriver.lineage(later).links()).containsExactly(new io.percore.operator.replication.Lineage.Link("Y", "H", 100));
        assertThat(ClusterDriver.lineage(observation(next, later).recording(4).previous()).links()).as("an epoch written ahead")
                .hasSize(1);
        String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(later);
        ClusterStatus read = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, ClusterStatus.class);
        assertThat(read).as("through the API server's JSON").isEqualTo(later);
        assertThat(json).contains("\"lineage\":[{\"history\":\"Y\",\"from\":\"H\",\"at\":100}]").contains("\"replid\":\"Y\"");
    }

    /**
     * The epoch written ahead of a layout carries the failover clocks of the layout it replaces, all of them, so that a
     * merge patch drops those of nodes no longer waited for: left from an older layout, the clock of a node that was a
     * primary there, then a replica, then promoted by the new epoch, put that new primary past its deadline at once, and an
     * operator stopped after sending it the epoch replaced it while it served (ClusterFailoverPropertyTest, seed 30010191).
     */
    @Test
    void theEpochRecordedAheadCarriesTheClocksOfTheLayoutItReplaces() {
        Map<String, PodView> all = pods("kv-0", "id-a", "kv-1", "id-b", "kv-2", "id-r");
        java.time.Instant since = java.time.Instant.parse("2026-12-01T00:01:07Z");
        ClusterStatus before = ClusterDriver.status(LAYOUT, decision(), observation(all, null));
        ClusterStatus.Unavailable stale = new ClusterStatus.Unavailable();
        stale.setNodeId("id-r");
        stale.setSince("2026-12-01T00:01:01Z");
        before.getPrimariesUnavailable().add(stale);
        ClusterPlanner.Decision failover = new ClusterPlanner.Decision(ClusterPlanner.Kind.APPLY, LAYOUT, List.of("kv-0"), 1, LAYOUT, 3,
                List.of(), "FailedOver", "", null, ReplicaGroups.Links.NONE, Map.of("id-b", since), null);
        ClusterDriver.Observation o = observation(all, before);
        String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(
                ClusterDriver.epochRecord(4, ClusterDriver.clocks(failover, o, Map.of("id-b", all.get("kv-1")))));
        assertThat(patch).isEqualTo("{\"status\":{\"cluster\":{\"configEpoch\":4,\"primariesUnavailable\":[{\"nodeId\":\"id-b\","
                + "\"pod\":\"kv-1\",\"since\":\"2026-12-01T00:01:07Z\"}]}}}");
        String none = io.fabric8.kubernetes.client.utils.Serialization.asJson(ClusterDriver.epochRecord(5, List.of()));
        assertThat(none).as("no clock: the list written empty, not left out").contains("\"primariesUnavailable\":[]");
    }

    /** kv-0 and kv-1 primaries at offsets 120 and 80, kv-2 kv-0's replica at 115. */
    private static Map<String, PodView> seenAtOffsets() {
        Map<String, PodView> seen = new LinkedHashMap<>();
        seen.put("kv-0", withOffset("kv-0", 0, "id-a", io.percore.operator.replication.ReplicationPlanner.Observed.master(120)));
        seen.put("kv-1", withOffset("kv-1", 1, "id-b", io.percore.operator.replication.ReplicationPlanner.Observed.master(80)));
        seen.put("kv-2", withOffset("kv-2", 2, "id-r", io.percore.operator.replication.ReplicationPlanner.Observed.replica(115,
                LAYOUT.nodes().get("id-a"), true)));
        return seen;
    }

    private static PodView withOffset(String name, int ordinal, String id, io.percore.operator.replication.ReplicationPlanner.Observed repl) {
        return new PodView(name, ordinal, true, LAYOUT.nodes().get(id), new ClusterPlanner.Observed(id, 1, 10, LAYOUT, List.of(), repl));
    }

    private static List<String> replicasOf(ClusterStatus status, String pod) {
        return status.getPods().stream().filter(p -> pod.equals(p.getPod())).findFirst().orElseThrow().getReplicas();
    }

    private static Map<String, PodView> pods(String... podAndId) {
        Map<String, PodView> pods = new LinkedHashMap<>();
        for (int i = 0; i < podAndId.length; i += 2) {
            var observed = new ClusterPlanner.Observed(podAndId[i + 1], 1, 0, LAYOUT, List.of(), null);
            pods.put(podAndId[i], new PodView(podAndId[i], i / 2, true, LAYOUT.nodes().get(podAndId[i + 1]), observed));
        }
        return pods;
    }

    private static ClusterDriver.Observation observation(Map<String, PodView> pods, ClusterStatus previous) {
        return observation(pods, previous, Map.of());
    }

    private static ClusterDriver.Observation observation(Map<String, PodView> pods, ClusterStatus previous,
                                                         Map<String, LastSeenPositions.Position> leavingPositions) {
        return new ClusterDriver.Observation(null, pods, pods.size(), null, null, previous, Map.of(), leavingPositions);
    }

    private static ClusterPlanner.Decision decision() {
        return new ClusterPlanner.Decision(ClusterPlanner.Kind.CONVERGE, null, List.of(), 0, LAYOUT, 3, List.of(), "Converged", "", null,
                ReplicaGroups.Links.NONE, Map.of(), null);
    }

    private static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }
}
