package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.replication.ReplicationPlanner.Decision;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Input;
import io.percore.operator.replication.ReplicationPlanner.Kind;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The failover and roll decisions, without Kubernetes or processes. */
class ReplicationPlannerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration AFTER = Duration.ofSeconds(10);
    private static final HostPort SERVICE = new HostPort("kv-primary.ns.svc", 6379);

    private static HostPort addr(int ordinal) {
        return new HostPort("10.0.0." + (ordinal + 1), 6379);
    }

    /** A ready, reachable, up-to-date pod. */
    private static Pod pod(int ordinal) {
        return new Pod(ordinal);
    }

    private static final class Pod {
        final int ordinal;
        boolean ready = true;
        boolean terminating;
        boolean labelled;
        boolean updated = true;
        Observed observed;
        String lost;
        boolean starting;
        /** The history annotation beside its primary label: the one the operator promoted it into. */
        String promotedInto;

        Pod(int ordinal) {
            this.ordinal = ordinal;
            this.observed = Observed.master(0);
        }

        Pod primary(long offset) {
            labelled = true;
            observed = Observed.master(offset);
            return this;
        }

        Pod replicaOf(int primary, long offset) {
            observed = Observed.replica(offset, addr(primary), true);
            return this;
        }

        Pod master(long offset) {
            observed = Observed.master(offset);
            return this;
        }

        /** Its link to the primary down; what else it said (history, keys, its files' position) kept. */
        Pod linkDown() {
            Observed o = observed;
            observed = new Observed(false, o.offset(), o.following(), false, o.keys(), o.replid(), o.replid2(), o.secondOffset(), o.loaded());
            return this;
        }

        /** Came back from its files (or without them) as a replica of the primary Service, its link down, holding {@code keys}. */
        Pod restartedAsReplica(long offset, long keys) {
            observed = Observed.replica(offset, SERVICE, false).withKeys(keys);
            ready = false;
            return this;
        }

        Pod keys(long keys) {
            observed = observed.withKeys(keys);
            return this;
        }

        /** The files it loaded at start named {@code replid} at {@code offset} last (the demo's loaded_repl_*). */
        Pod loaded(String replid, long offset) {
            observed = observed.withLoaded(new LastSeenPositions.Position(replid, offset));
            return this;
        }

        /** Its offset counts in replication id {@code replid} (master_replid), moved on from none. */
        Pod history(String replid) {
            observed = observed.withHistory(replid, null);
            return this;
        }

        /** Promoted out of {@code from} at offset {@code at} (master_replid2, second_repl_offset at + 1), now in {@code replid}. */
        Pod movedOn(String replid, String from, long at) {
            observed = observed.withHistory(replid, from, at + 1);
            return this;
        }

        Pod unready() {
            ready = false;
            return this;
        }

        Pod unreachable() {
            observed = null;
            return this;
        }

        Pod terminating() {
            terminating = true;
            return this;
        }

        Pod labelled() {
            labelled = true;
            return this;
        }

        Pod lost(String why) {
            lost = why;
            ready = false;
            return this;
        }

        Pod outdated() {
            updated = false;
            return this;
        }

        /** Its container being created or just started: no answer yet. */
        Pod promotedInto(String history) {
            promotedInto = history;
            return this;
        }

        Pod starting() {
            starting = true;
            ready = false;
            observed = null;
            return this;
        }

        PodState state() {
            return new PodState("kv-" + ordinal, ordinal, ready, terminating, labelled, updated, addr(ordinal), observed, lost, false,
                    promotedInto, starting);
        }
    }

    private static Decision plan(String lastPrimary, Instant since, Instant now, Pod... pods) {
        return plan(3, lastPrimary, since, now, pods);
    }

    private static Decision plan(int wanted, String lastPrimary, Instant since, Instant now, Pod... pods) {
        List<PodState> states = new ArrayList<>();
        for (Pod p : pods) {
            states.add(p.state());
        }
        return ReplicationPlanner.plan(new Input(states, wanted, AFTER, lastPrimary, since, now, SERVICE));
    }

    private static Decision planWithFiles(String lastPrimary, Instant since, Instant now, Pod... pods) {
        List<PodState> states = new ArrayList<>();
        for (Pod p : pods) {
            states.add(p.state());
        }
        return ReplicationPlanner.plan(new Input(states, pods.length, AFTER, lastPrimary, since, now, SERVICE, null, true, null));
    }

    /**
     * Every pod deleted at once (FaultCampaignIT on the real node): the replica that answered first was promoted at the
     * deadline with 9,593 of the writes while the other, still loading its append-only file, held 15,871, which a full sync
     * from the new primary then dropped (acknowledged writes lost). A replica starting with its files is waited for past
     * the deadline; once both answer with no offset (an append-only file keeps none), the one holding more keys is chosen.
     */
    @Test
    void aReplicaStillStartingWithItsFilesIsWaitedForAndTheOneHoldingMoreKeysIsPromoted() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        Decision waiting = planWithFiles("kv-0", T0, late, pod(0).lost("being deleted").terminating().unreachable(),
                pod(1).restartedAsReplica(0, 9_593), pod(2).starting());
        assertThat(waiting.promote()).as("past the deadline, kv-2 still starting").isNull();
        assertThat(waiting.reason()).isEqualTo("WaitingForData");
        assertThat(waiting.message()).contains("kv-2 (starting, with its files)");

        Decision both = planWithFiles("kv-0", T0, late, pod(0).lost("being deleted").terminating().unreachable(),
                pod(1).restartedAsReplica(0, 9_593), pod(2).restartedAsReplica(0, 15_871));
        assertThat(both.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(both.promote()).as("offsets alike: more keys, not the lower ordinal").isEqualTo("kv-2");

        // without files a restarted pod comes back empty: nothing to wait for past the deadline
        Decision noFiles = plan(3, "kv-0", T0, late, pod(0).lost("being deleted").terminating().unreachable(),
                pod(1).restartedAsReplica(0, 9_593), pod(2).starting());
        assertThat(noFiles.promote()).isEqualTo("kv-1");
        // nor for the old primary restarting: what it alone holds no replica acknowledged
        Decision oldPrimary = planWithFiles("kv-0", T0, late, pod(0).starting(), pod(1).replicaOf(0, 500).linkDown().unready(),
                pod(2).replicaOf(0, 400).linkDown().unready());
        assertThat(oldPrimary.promote()).isEqualTo("kv-1");
    }

    /**
     * Every pod's process SIGKILLed at once (FaultCampaignIT's KILL_ALL in CI, 2026-11-30): the containers restart in their
     * pods, so Kubernetes reports each old process lost ("its container restarted"), yet each new one loads the same files.
     * The replica that answered first was promoted with 43,280 keys while the other, still loading, held the writes it had
     * acknowledged; a full sync from the new primary dropped them (67 acknowledged writes lost). A restarted replica still
     * starting is waited for as a new pod with its claim is.
     */
    @Test
    void aReplicaWhoseContainerRestartedAndStillLoadsItsFilesIsWaitedFor() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String restarted = PodLoss.RESTARTED + " (restart 1, it terminated Error, exit code 137 at 2026-11-30T15:54:03Z)";
        Decision waiting = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 43_280).lost(restarted),
                pod(1).labelled().starting().lost(restarted), pod(2).starting().lost(restarted));
        assertThat(waiting.promote()).as("kv-2, restarted, still loads the writes it acknowledged").isNull();
        assertThat(waiting.reason()).isEqualTo("WaitingForData");
        assertThat(waiting.message()).contains("kv-2 (starting, with its files)").doesNotContain("kv-1 (starting");

        Decision both = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 43_280).lost(restarted),
                pod(1).labelled().starting().lost(restarted), pod(2).restartedAsReplica(0, 43_350).lost(restarted));
        assertThat(both.promote()).as("once it answers: the one holding more keys").isEqualTo("kv-2");
    }

    /**
     * Every process SIGKILLed a second apart (the campaign's KILL_ALL beside three scenarios on the real node, 2026-12-04):
     * kv-0 first, then the primary kv-1, then kv-2, the replica that acknowledged the writes of the second between. The
     * kubelet, loaded, still reported kv-2's container terminated while kv-0, back first, answered with less: kv-0 was
     * elected and a full sync from it dropped 56 acknowledged writes from the others. A replica whose container is down and
     * about to restart in its pod is waited for as one loading its files is; the recorded primary still is not, nor a pod on
     * a NotReady node (it may never come back).
     */
    @Test
    void aReplicaWhoseKilledContainerIsAboutToRestartIsWaitedFor() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String terminated = "its container terminated (Error, exit code 137)";
        Decision waiting = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 15_225).lost(PodLoss.RESTARTED + " (restart 2)"),
                pod(1).starting().lost(terminated), pod(2).starting().lost(terminated));
        assertThat(waiting.promote()).as("kv-2's container is down, about to load the writes it acknowledged").isNull();
        assertThat(waiting.reason()).isEqualTo("WaitingForData");
        assertThat(waiting.message()).contains("kv-2 (starting, with its files)").doesNotContain("kv-1 (starting");

        Decision refusing = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 15_225),
                pod(1).starting().lost(terminated), pod(2).starting().lost(PodLoss.REFUSING + "10.0.0.2:6379 (its process exited)"));
        assertThat(refusing.promote()).as("its port refusing: the process exited, the pod and its files stay").isNull();

        Decision nodeLost = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 15_225),
                pod(1).starting().lost(terminated), pod(2).starting().lost("its node n1 is NotReady"));
        assertThat(nodeLost.promote()).as("a pod on a NotReady node may never come back: not waited for").isEqualTo("kv-0");

        Decision back = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 15_225),
                pod(1).starting().lost(terminated), pod(2).restartedAsReplica(0, 15_282).lost(PodLoss.RESTARTED + " (restart 2)"));
        assertThat(back.promote()).as("once it answers: the one holding more keys").isEqualTo("kv-2");
    }

    /**
     * The CI campaign of 2026-12-05: every process killed; the kubelet, loaded, still reported kv-1's and kv-2's containers
     * terminated while their new processes answered from their files. Neither was a candidate nor waited for (both answered,
     * so neither was starting), and kv-0 was promoted over kv-2, which held the 86 writes WAIT had acknowledged. An answer
     * after the container's end is the new process's (the driver lists the pods before it probes them): a candidate.
     */
    @Test
    void aReplicaAnsweringFromItsFilesWhileKubernetesStillSaysItsContainerTerminatedIsACandidate() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String terminated = "its container terminated (Error, exit code 137)";
        Decision d = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 16_520).lost(PodLoss.RESTARTED + " (restart 3)"),
                pod(1).restartedAsReplica(0, 16_480).lost(terminated), pod(2).restartedAsReplica(0, 16_606).lost(terminated));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-2");
        assertThat(d.message()).contains("kv-2=0 (16606 keys)", "kv-1=0 (16480 keys)");

        Decision waiting = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 16_520).lost(PodLoss.RESTARTED + " (restart 3)"),
                pod(1).restartedAsReplica(0, 16_480).lost(terminated), pod(2).restartedAsReplica(0, 16_606)
                        .lost("its container is waiting to restart (CrashLoopBackOff) after it terminated (Error, exit code 137)"));
        assertThat(waiting.promote()).as("whatever the kubelet says of the container, the process answering is the new one")
                .isEqualTo("kv-2");

        Decision nodeLost = planWithFiles("kv-1", T0, late, pod(0).restartedAsReplica(0, 16_520),
                pod(1).restartedAsReplica(0, 16_480).lost(terminated), pod(2).restartedAsReplica(0, 16_606).lost("its node n1 is NotReady"));
        assertThat(nodeLost.promote()).as("a pod on a NotReady node is no candidate, even while it answers").isEqualTo("kv-0");
    }

    /**
     * The long campaign of 2026-12-05 (seed 20261207, fault 64: the kubelet restarted and every process SIGKILLed): the
     * operator promoted kv-0's new process, and for a second after, the restarted kubelet still said kv-0's container had
     * terminated. On that word the primary it had just promoted, answering as master and taking writes, was failed over to
     * kv-2, whose offset looked higher only because it was asked later; kv-0's writes meanwhile, acknowledged by kv-1 (still
     * its replica), went with kv-0's full sync from kv-2: 7 acknowledged writes lost. A process that answers as master after
     * the pods were listed runs now (a restarted one starts as a replica): Kubernetes' word of its container is stale.
     */
    @Test
    void aPrimaryAnsweringAsMasterIsNotFailedOverOnKubernetesStaleWordThatItsContainerTerminated() {
        String terminated = "its container terminated (Error, exit code 137)";
        Decision d = planWithFiles("kv-0", null, T0, pod(0).primary(153).lost(terminated), pod(1).replicaOf(0, 153),
                pod(2).replicaOf(0, 385));
        assertThat(d.promote()).as("%s", d).isNull();
        assertThat(d.primary()).isEqualTo("kv-0");
        assertThat(d.kind()).isNotEqualTo(ReplicationPlanner.Kind.FAILOVER);

        Decision restarted = planWithFiles("kv-0", null, T0, pod(0).primary(153).lost(PodLoss.RESTARTED + " (restart 1)"),
                pod(1).replicaOf(0, 153), pod(2).replicaOf(0, 385));
        assertThat(restarted.promote()).as("restarted, on the kubelet's late word: the same").isNull();

        Decision refusing = planWithFiles("kv-0", null, T0, pod(0).labelled().unreachable().lost(terminated), pod(1).replicaOf(0, 153),
                pod(2).replicaOf(0, 385));
        assertThat(refusing.promote()).as("its process gone (no answer): failed over at once").isEqualTo("kv-2");

        Decision asReplica = planWithFiles("kv-0", null, T0, pod(0).labelled().restartedAsReplica(0, 10).lost(PodLoss.RESTARTED + " (restart 1)"),
                pod(1).replicaOf(0, 153), pod(2).replicaOf(0, 385));
        assertThat(asReplica.promote()).as("back as a replica: it lost its role, failed over").isNotNull();

        Decision nodeLost = planWithFiles("kv-0", null, T0, pod(0).primary(153).lost("its node n1 is NotReady"), pod(1).replicaOf(0, 153),
                pod(2).replicaOf(0, 385));
        assertThat(nodeLost.promote()).as("a NotReady node's word is not about a process: failed over as before").isEqualTo("kv-2");
    }

    /**
     * A replica back from its append-only file says no offset (the file keeps the writes, not where they stood) and starts a
     * history of its own. Ranked at 0, it went behind a replica that had lagged in the recorded history, whose full sync then
     * dropped the writes the restarted one had acknowledged (ReplicationPlannerPropertyTest, seed 1571); ranked above an old
     * fenced primary of an earlier history by its keys, it was passed for one holding writes no replica acknowledged. It is
     * placed where the operator last saw it ({@code status.replication.positions}): its files hold at least that. At least:
     * an old primary restarting with its files, which holds all of its history, is waited for first.
     */
    @Test
    void aReplicaBackFromItsAppendOnlyFileIsRankedWhereItWasLastSeen() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        List<PodState> pods = List.of(pod(0).starting().lost("its container terminated (Error, exit code 137)").state(),
                pod(1).replicaOf(0, 40).keys(40).history("h2").linkDown().unready().state(),
                pod(2).restartedAsReplica(0, 45).history("h9").lost(PodLoss.RESTARTED + " (restart 1)").state());
        Map<String, LastSeenPositions.Position> seen = Map.of("kv-1", new LastSeenPositions.Position("h2", 40),
                "kv-2", new LastSeenPositions.Position("h2", 45));
        Decision waiting = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-0", T0, late, SERVICE, null, true, "h2", null, null, seen));
        assertThat(waiting.message()).as("the old primary restarting with its files: kv-2's place is a guess, it holds all")
                .contains("waiting for kv-0 (starting, with its files)");
        pods = List.of(pod(0).unreachable().lost("its container terminated (Error, exit code 137)").state(), pods.get(1), pods.get(2));
        Decision placed = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-0", T0, late, SERVICE, null, true, "h2", null, null, seen));
        assertThat(placed.promote()).as("%s", placed).isEqualTo("kv-2");
        assertThat(placed.message()).contains("kv-2=45 (45 keys) (back from its files: where it was last seen)", "kv-1=40 (40 keys)");

        Decision unplaced = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-0", T0, late, SERVICE, null, true, "h2", null, null, Map.of()));
        assertThat(unplaced.promote()).as("without the record: at 0 in a history of its own, behind the lagging replica")
                .isEqualTo("kv-1");

        // an old primary fenced in an earlier history, back from its file with more keys, is placed in that history: behind
        // the replica last seen in the recorded one
        List<PodState> afterFailover = List.of(pod(0).restartedAsReplica(0, 3).history("h11").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(1).unreachable().lost("its container terminated (Error, exit code 137)").state(),
                pod(2).restartedAsReplica(0, 2).history("h12").lost(PodLoss.RESTARTED + " (restart 2)").state());
        Map<String, LastSeenPositions.Position> seenThen = Map.of("kv-0", new LastSeenPositions.Position("h4", 3),
                "kv-1", new LastSeenPositions.Position("h7", 2), "kv-2", new LastSeenPositions.Position("h7", 2));
        Decision d = ReplicationPlanner.plan(new Input(afterFailover, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h7", null, null, seenThen));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-2");

        // two back from their files, both last seen in the recorded history: what they hold now (keys) ranks them, not where
        // they were last seen (kv-1 seen a moment later, then took fewer writes than kv-2)
        List<PodState> bothBack = List.of(pod(0).unreachable().lost("its container terminated (Error, exit code 137)").state(),
                pod(1).restartedAsReplica(0, 11).history("h13").lost(PodLoss.RESTARTED + " (restart 3)").state(),
                pod(2).restartedAsReplica(0, 12).history("h14").lost(PodLoss.RESTARTED + " (restart 3)").state());
        Map<String, LastSeenPositions.Position> seenApart = Map.of("kv-1", new LastSeenPositions.Position("h7", 11),
                "kv-2", new LastSeenPositions.Position("h7", 10));
        Decision byKeys = ReplicationPlanner.plan(new Input(bothBack, 3, AFTER, "kv-0", T0, late, SERVICE, null, true, "h7", null, null, seenApart));
        assertThat(byKeys.promote()).as("%s", byKeys).isEqualTo("kv-2");
    }

    /**
     * The build's campaign on the real node (2026-12-07, fault 10, every pod SIGKILLed): kv-0, a replica that had missed
     * the last writes, came back from a log ending in its annotation and said exactly where it stood; the old primary and
     * the other replica came back from logs with commands after their last annotation, placed where the operator had seen
     * them a second before, below kv-0, and held 11 keys more: the 10 writes WAIT had acknowledged, which kv-0's full syncs
     * dropped. Where a pod was last seen is a lower bound its file went past; the keys are what it holds now.
     */
    @Test
    void aPodBackFromItsLogHoldingMoreKeysGoesBeforeOneThatSaysAHigherOffsetThanWhereItWasLastSeen() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String restarted = PodLoss.RESTARTED + " (restart 1)";
        List<PodState> pods = List.of(pod(0).restartedAsReplica(1_675_005, 20_070).history("h1").lost(restarted).state(),
                pod(1).restartedAsReplica(0, 20_081).history("h8").labelled().lost(restarted).state(),
                pod(2).restartedAsReplica(0, 20_081).history("h9").lost(restarted).state());
        Map<String, LastSeenPositions.Position> seen = Map.of("kv-0", new LastSeenPositions.Position("h1", 1_600_000),
                "kv-1", new LastSeenPositions.Position("h1", 1_642_453), "kv-2", new LastSeenPositions.Position("h1", 1_642_371));
        Decision d = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h1", null, null, seen));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-1");

        List<PodState> fewer = List.of(pods.get(0), pod(1).restartedAsReplica(0, 20_060).history("h8").labelled().lost(restarted).state(),
                pod(2).restartedAsReplica(0, 20_060).history("h9").lost(restarted).state());
        Decision behind = ReplicationPlanner.plan(new Input(fewer, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h1", null, null, seen));
        assertThat(behind.promote()).as("fewer keys and placed lower: the one that says its offset holds more; %s", behind).isEqualTo("kv-0");

        // a recorded promotion went on from h1 into h2: a pod last seen in h1 may have written in h2 since, off the line
        Lineage wentOn = new Lineage(List.of(new Lineage.Link("h2", "h1", 1_650_000)));
        Decision offTheLine = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h1", null,
                null, seen, Set.of(), wentOn));
        assertThat(offTheLine.promote()).as("%s", offTheLine).isEqualTo("kv-0");
        // last seen in an older history the line left: its keys may count writes in that history past the fork
        Map<String, LastSeenPositions.Position> seenBefore = Map.of("kv-1", new LastSeenPositions.Position("h0", 1_642_453),
                "kv-2", new LastSeenPositions.Position("h0", 1_642_371));
        Decision older = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h1", null,
                null, seenBefore, Set.of(), new Lineage(List.of(new Lineage.Link("h1", "h0", 1_650_000)))));
        assertThat(older.promote()).as("%s", older).isEqualTo("kv-0");
    }

    /**
     * A pod back from a log that says no offset is placed where the log's last annotation stood when that is further than
     * where the operator last saw it, or when it never saw it: the annotation is a fact about the files (they hold that
     * history's stream up to there at least), where it was last seen is seconds old. ReplicationPlannerPropertyTest, seeds
     * 9013791 (never seen: ranked at 0 in a history of its own) and 1068139 (seen empty, linked at the start of an older
     * history, then synced from the recorded primary and took writes: ranked at that 0). Further: holding more of the
     * recorded history's line.
     */
    @Test
    void aPodBackFromALogThatSaysNoOffsetIsPlacedWhereItsLastAnnotationStoodWhenThatIsFurther() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String restarted = PodLoss.RESTARTED + " (restart 1)";
        PodState gone = pod(0).unreachable().lost("its container terminated (Error, exit code 137)").state();
        PodState lagging = pod(1).replicaOf(0, 40).linkDown().keys(40).history("h2").unready().state();
        PodState back = pod(2).restartedAsReplica(0, 46).history("h9").loaded("h2", 45).lost(restarted).state();
        Map<String, LastSeenPositions.Position> onlyKv1 = Map.of("kv-1", new LastSeenPositions.Position("h2", 40));
        Decision neverSeen = ReplicationPlanner.plan(new Input(List.of(gone, lagging, back), 3, AFTER, "kv-0", T0, late, SERVICE, null,
                true, "h2", null, null, onlyKv1));
        assertThat(neverSeen.promote()).as("%s", neverSeen).isEqualTo("kv-2");
        assertThat(neverSeen.message()).contains("kv-2=45 (46 keys) (back from its files: where its log says it stood at least)");

        // last seen empty at the start of an older history, which the recorded one went on from
        Map<String, LastSeenPositions.Position> seenEmpty = Map.of("kv-1", new LastSeenPositions.Position("h2", 40),
                "kv-2", new LastSeenPositions.Position("h1", 0));
        Lineage h2FromH1 = new Lineage(List.of(new Lineage.Link("h2", "h1", 0)));
        Decision movedOn = ReplicationPlanner.plan(new Input(List.of(gone, lagging, back), 3, AFTER, "kv-0", T0, late, SERVICE, null,
                true, "h2", null, null, seenEmpty, Set.of(), h2FromH1));
        assertThat(movedOn.promote()).as("%s", movedOn).isEqualTo("kv-2");
        // no kept link joins where it was last seen to the recorded history, its log is in it (seed 9005675: the history it
        // was seen in was its own, started by a restart before its promotion)
        Decision unjoinedSeen = ReplicationPlanner.plan(new Input(List.of(gone, lagging, back), 3, AFTER, "kv-0", T0, late, SERVICE,
                null, true, "h2", null, null, seenEmpty, Set.of(), Lineage.NONE));
        assertThat(unjoinedSeen.promote()).as("%s", unjoinedSeen).isEqualTo("kv-2");
        PodState backElsewhere = pod(2).restartedAsReplica(0, 46).history("h9").loaded("h7", 45).lost(restarted).state();
        Decision neither = ReplicationPlanner.plan(new Input(List.of(gone, lagging, backElsewhere), 3, AFTER, "kv-0", T0, late, SERVICE,
                null, true, "h2", null, null, Map.of("kv-1", new LastSeenPositions.Position("h2", 40),
                "kv-2", new LastSeenPositions.Position("h1", 0)), Set.of(), Lineage.NONE));
        assertThat(neither.promote()).as("neither on the recorded line: where it was last seen, as before; %s", neither).isEqualTo("kv-1");
        assertThat(neither.message()).contains("kv-2=0 (46 keys) (back from its files: where it was last seen)");

        // where it was last seen is further in the same history: there
        Map<String, LastSeenPositions.Position> seenFurther = Map.of("kv-1", new LastSeenPositions.Position("h2", 40),
                "kv-2", new LastSeenPositions.Position("h2", 48));
        Decision further = ReplicationPlanner.plan(new Input(List.of(gone, lagging, back), 3, AFTER, "kv-0", T0, late, SERVICE, null,
                true, "h2", null, null, seenFurther));
        assertThat(further.message()).contains("kv-2=48 (46 keys) (back from its files: where it was last seen)");

        // its log's position in a history the one it was last seen in went on from: the look came later
        PodState backOlder = pod(2).restartedAsReplica(0, 46).history("h9").loaded("h1", 45).lost(restarted).state();
        Map<String, LastSeenPositions.Position> seenLater = Map.of("kv-1", new LastSeenPositions.Position("h2", 40),
                "kv-2", new LastSeenPositions.Position("h2", 38));
        Lineage h2FromH1At30 = new Lineage(List.of(new Lineage.Link("h2", "h1", 30)));
        Decision later = ReplicationPlanner.plan(new Input(List.of(gone, lagging, backOlder), 3, AFTER, "kv-0", T0, late, SERVICE, null,
                true, "h2", null, null, seenLater, Set.of(), h2FromH1At30));
        assertThat(later.message()).as("placed at the look (and first on its keys, the rule above)")
                .contains("kv-2=38 (46 keys) (back from its files: where it was last seen)");
    }

    /** What the status records after a look: each pod answering with a history and an offset where it stands; the rest as last seen. */
    @Test
    void positionsRecordWhereEachPodWasLastSeen() {
        Map<String, LastSeenPositions.Position> before = Map.of("kv-0", new LastSeenPositions.Position("h1", 10),
                "kv-1", new LastSeenPositions.Position("h1", 9), "kv-2", new LastSeenPositions.Position("h1", 8));
        Map<String, LastSeenPositions.Position> next = LastSeenPositions.positions(List.of(
                pod(0).primary(12).history("h1").state(),
                pod(1).restartedAsReplica(0, 9).history("h5").state(),
                pod(2).unreachable().state()), before);
        assertThat(next).containsExactlyInAnyOrderEntriesOf(Map.of("kv-0", new LastSeenPositions.Position("h1", 12),
                "kv-1", new LastSeenPositions.Position("h1", 9), "kv-2", new LastSeenPositions.Position("h1", 8)));

        // a replica linked at the start of its primary's history is there: kv-2, cut off from the operator right after, took
        // two writes it never saw, kv-1 one; all killed, back from files that say no offset, kv-2 is placed in h4 too and
        // ranked by what its files hold (ReplicationPlannerPropertyTest, seed 8005346: never seen at an offset, it went
        // behind kv-1, which lacked an acknowledged write)
        Map<String, LastSeenPositions.Position> atStart = LastSeenPositions.positions(List.of(pod(0).primary(0).history("h4").state(),
                pod(1).replicaOf(0, 0).history("h4").state(), pod(2).replicaOf(0, 0).history("h4").state(),
                pod(3).restartedAsReplica(0, 0).history("h7").state()), Map.of());
        assertThat(atStart).containsOnlyKeys("kv-1", "kv-2");
        Map<String, LastSeenPositions.Position> seen = new java.util.HashMap<>(atStart);
        seen.put("kv-1", new LastSeenPositions.Position("h4", 1));
        List<PodState> back = List.of(pod(0).unreachable().labelled().lost("its container terminated (Error, exit code 137)").state(),
                pod(1).restartedAsReplica(0, 1).history("h5").lost(PodLoss.RESTARTED + " (restart 1)").state(),
                pod(2).restartedAsReplica(0, 2).history("h6").lost(PodLoss.RESTARTED + " (restart 1)").state());
        Decision d = ReplicationPlanner.plan(new Input(back, 3, AFTER, "kv-0", T0, T0.plus(AFTER).plus(AFTER), SERVICE, null, true, "h4",
                null, null, seen));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-2");
    }

    /**
     * kv-0 was promoted out of the recorded history h8 at offset 3 while the operator was stopped midway; the next operator
     * chose the old primary kv-1 again in h8, then lost it. kv-0 holds all of h8 up to 3, and kv-2, in h8 at 2, only a prefix
     * of that: kv-0 goes first, not behind kv-2 as a master of another history (ReplicationPlannerPropertyTest, seed
     * 6045080, where kv-0 held a write it had acknowledged as kv-1's replica). Once a pod of h8 went past 3, each may hold
     * writes the other lacks, and h8's goes first as before.
     */
    @Test
    void aPodThatMovedOnFromTheRecordedHistoryRanksInItUpToWhereItMovedOn() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        List<PodState> pods = List.of(pod(0).master(3).keys(3).movedOn("h9", "h8", 3).state(),
                pod(1).starting().lost("its container terminated (Error, exit code 137)").state(),
                pod(2).replicaOf(1, 2).keys(2).linkDown().history("h8").state());
        Decision d = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-1", T0, late, SERVICE, null, false, "h8"));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-0");

        List<PodState> wentPast = List.of(pod(0).master(3).keys(3).movedOn("h9", "h8", 3).state(),
                pod(1).starting().lost("its container terminated (Error, exit code 137)").state(),
                pod(2).replicaOf(1, 4).keys(4).linkDown().history("h8").state());
        Decision past = ReplicationPlanner.plan(new Input(wentPast, 3, AFTER, "kv-1", T0, late, SERVICE, null, false, "h8"));
        assertThat(past.promote()).as("%s", past).isEqualTo("kv-2");
    }

    /**
     * Offsets of two histories compare along the recorded lineage. kv-1, primary of h5, frozen, took writes 3 and 4 alone;
     * kv-0 was promoted out of h5 at 2 (h9) and a write at 3 acknowledged; kv-2 promoted out of h9 at 3 (h10), then every
     * pod killed at once, kv-2 cut off. kv-1 holds of h10's line only up to 2 (its 3 and 4 are its own), kv-0 all of it up
     * to 3: kv-0 goes first. Ranked by their own offsets, kv-1 (4) went first and a full sync from it dropped the
     * acknowledged write (ReplicationPlannerPropertyTest, seed 7097490).
     */
    @Test
    void podsOfOlderHistoriesRankByWhatTheyHoldOfTheRecordedOnesLine() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        Lineage lineage = new Lineage(List.of(new Lineage.Link("h9", "h5", 2), new Lineage.Link("h10", "h9", 3)));
        List<PodState> pods = List.of(pod(0).restartedAsReplica(3, 3).history("h9").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(1).restartedAsReplica(4, 4).history("h5").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(2).unreachable().labelled().unready().state());
        Decision d = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h10", null, null, Map.of(),
                Set.of(), lineage));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-0");
        Decision unlinked = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h10", null, null, Map.of()));
        assertThat(unlinked.promote()).as("without the lineage: by their own offsets").isEqualTo("kv-1");

        // both back from files that say no offset, placed where they were last seen: kv-0 in h4 at 1 before a partition hid
        // it from the operator (it then took an acknowledged write in h7, unseen), kv-1 in h7 at 1; h7 holds h4 up to 1, so
        // they tie on the line and kv-0's keys rank it first (seed 8005189), where h4, not the recorded history, went last
        List<PodState> back = List.of(pod(0).restartedAsReplica(0, 2).history("h11").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(1).restartedAsReplica(0, 1).history("h9").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(2).unreachable().labelled().unready().state());
        Map<String, LastSeenPositions.Position> seen = Map.of("kv-0", new LastSeenPositions.Position("h4", 1),
                "kv-1", new LastSeenPositions.Position("h7", 1));
        Lineage h7 = new Lineage(List.of(new Lineage.Link("h5", "h4", 1), new Lineage.Link("h7", "h5", 1)));
        Decision placed = ReplicationPlanner.plan(new Input(back, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h7", null, null, seen,
                Set.of(), h7));
        assertThat(placed.promote()).as("%s", placed).isEqualTo("kv-0");
        assertThat(ReplicationPlanner.plan(new Input(back, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h7", null, null, seen))
                .promote()).isEqualTo("kv-1");

        // the old primary kv-0, last seen at 3 of h8, which the line left at 1 (kv-1 promoted out of it): its third key is a
        // write no replica acknowledged; kv-2, last seen at 2 of h12, holds an acknowledged one. Among pods back from
        // files that say no offset, kv-0's keys do not rank it first (seed 9199086)
        List<PodState> oldPrimaryBack = List.of(pod(0).restartedAsReplica(0, 3).history("h13").lost(PodLoss.RESTARTED + " (restart 3)").state(),
                pod(1).restartedAsReplica(0, 2).history("h14").labelled().lost(PodLoss.RESTARTED + " (restart 3)").state(),
                pod(2).restartedAsReplica(0, 2).history("h15").lost(PodLoss.RESTARTED + " (restart 3)").state());
        Map<String, LastSeenPositions.Position> seenApart = Map.of("kv-0", new LastSeenPositions.Position("h8", 3),
                "kv-1", new LastSeenPositions.Position("h12", 2), "kv-2", new LastSeenPositions.Position("h12", 2));
        Decision notTheOld = ReplicationPlanner.plan(new Input(oldPrimaryBack, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h12", null,
                null, seenApart, Set.of(), new Lineage(List.of(new Lineage.Link("h12", "h8", 1)))));
        assertThat(notTheOld.promote()).as("%s", notTheOld).isEqualTo("kv-1");
    }

    /**
     * The failover compares in the recorded history, not in the one the last primary was last seen in: kv-2, primary of h8
     * until kv-0 was promoted out of it (h11), is back from a log that says no offset and placed where it was last seen,
     * at 1 of h8; kv-1 holds an acknowledged write at 2 of h11. Taken as the history to compare in, h8 put kv-2 first
     * (ReplicationPlannerPropertyTest, seed 1161717).
     */
    @Test
    void theHistoryComparedInIsNotWhereAnOldPrimaryBackFromItsLogWasLastSeen() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        List<PodState> pods = List.of(pod(0).restartedAsReplica(0, 1).history("h13").state(),
                pod(1).replicaOf(0, 2).keys(2).linkDown().history("h11").state(),
                pod(2).restartedAsReplica(0, 1).history("h14").state());
        Map<String, LastSeenPositions.Position> seen = Map.of("kv-0", new LastSeenPositions.Position("h11", 2),
                "kv-1", new LastSeenPositions.Position("h11", 2), "kv-2", new LastSeenPositions.Position("h8", 1));
        Decision d = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h11", null, null, seen));
        assertThat(d.promote()).as("%s", d).isEqualTo("kv-1");
    }

    /**
     * The old primary restarting with its files holds all of its history; it is waited for when what the pods that answer
     * hold of it is a guess. kv-1, back from its log, was promoted into h14; kv-0, cut off from the operator, followed it
     * there (a full sync) and acknowledged a write the operator never saw; kv-1 and kv-0 killed, kv-2 thawed. kv-0, back
     * from its log that says no offset, is placed where it was last seen, at 2 of h9, below kv-2 at 5; neither holds any
     * of h14 that the operator can tell (ReplicationPlannerPropertyTest, seed 1173884: kv-2 was promoted and its full sync
     * dropped kv-0's write). The best pod back from its log, placed where it was last seen, is such a guess too (seed
     * 9065485: kv-1 was last seen in h5, then followed the recorded primary into h9 unseen and acknowledged a write there;
     * every process killed, it ranked off the line, below kv-0 last seen in h9). And a master of a sibling history that
     * says an offset past where the line left it ties no better than a pod back from its files at the same place on the
     * line (seed 1173884, shrunk another way).
     */
    @Test
    void theOldPrimaryRestartingIsAwaitedWhenWhatThePodsThatAnswerHoldOfItsHistoryIsAGuess() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        String terminated = "its container terminated (Error, exit code 137)";
        Map<String, LastSeenPositions.Position> seen = Map.of("kv-0", new LastSeenPositions.Position("h9", 2),
                "kv-1", new LastSeenPositions.Position("h14", 10), "kv-2", new LastSeenPositions.Position("h9", 5));
        Lineage fromItsLog = new Lineage(List.of(new Lineage.Link("h14", "h13", 9)));
        List<PodState> pods = List.of(pod(0).restartedAsReplica(0, 10).history("h15").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(1).starting().labelled().lost(terminated).state(),
                pod(2).replicaOf(1, 5).keys(5).linkDown().unready().history("h9").state());
        Decision d = ReplicationPlanner.plan(new Input(pods, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h14", null, null, seen,
                Set.of(), fromItsLog));
        assertThat(d.reason()).as("%s", d).isEqualTo("WaitingForData");
        assertThat(d.message()).contains("kv-1 (starting, with its files)");
        // a replica that holds the recorded history: what the old primary alone holds no replica acknowledged
        List<PodState> onTheLine = List.of(pods.get(0), pods.get(1), pod(2).replicaOf(1, 12).keys(5).linkDown().unready().history("h14").state());
        Decision promoted = ReplicationPlanner.plan(new Input(onTheLine, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h14", null, null,
                seen, Set.of(), fromItsLog));
        assertThat(promoted.promote()).as("%s", promoted).isEqualTo("kv-2");

        Map<String, LastSeenPositions.Position> seenBefore = Map.of("kv-0", new LastSeenPositions.Position("h9", 2),
                "kv-1", new LastSeenPositions.Position("h5", 2), "kv-2", new LastSeenPositions.Position("h9", 2));
        List<PodState> allBack = List.of(pod(0).restartedAsReplica(0, 2).history("h10").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(1).restartedAsReplica(0, 3).history("h11").lost(PodLoss.RESTARTED + " (restart 2)").state(),
                pod(2).starting().labelled().lost(PodLoss.RESTARTED + " (restart 2)").state());
        Decision guess = ReplicationPlanner.plan(new Input(allBack, 3, AFTER, "kv-2", T0, late, SERVICE, null, true, "h9", null, null,
                seenBefore, Set.of(), new Lineage(List.of(new Lineage.Link("h9", "h6", 1)))));
        assertThat(guess.message()).as("%s", guess).contains("waiting for kv-2 (starting, with its files)");

        // h13 and h16 both left h11 at 1, h17 left h16 at 2; kv-2, a thawed master of h13 at 2, holds 1 of h17's line and
        // a write of its own; kv-0, back from its log and placed at 1 of h16, holds at least 1 of it, and here the
        // acknowledged write at 2
        Lineage siblings = new Lineage(List.of(new Lineage.Link("h13", "h11", 1), new Lineage.Link("h16", "h11", 1),
                new Lineage.Link("h17", "h16", 2)));
        List<PodState> tie = List.of(pod(0).restartedAsReplica(0, 2).history("h18").lost(PodLoss.RESTARTED + " (restart 3)").state(),
                pod(1).unreachable().labelled().lost(terminated).state(),
                pod(2).master(2).keys(2).history("h13").unready().state());
        Map<String, LastSeenPositions.Position> seenApart = Map.of("kv-0", new LastSeenPositions.Position("h16", 1),
                "kv-1", new LastSeenPositions.Position("h17", 2), "kv-2", new LastSeenPositions.Position("h13", 2));
        Decision notTheOther = ReplicationPlanner.plan(new Input(tie, 3, AFTER, "kv-1", T0, late, SERVICE, null, true, "h17", null, null,
                seenApart, Set.of(), siblings));
        assertThat(notTheOther.promote()).as("%s", notTheOther).isEqualTo("kv-0");
    }

    /**
     * An operator stopped after promoting and labelling kv-0 (its annotation names the history it was promoted into) and
     * before its status recorded that history; kv-0's pod then being deleted, the look waits for it: the status takes the
     * annotation's history now, before the annotation goes with the pod (ReplicationPlannerPropertyTest, seed 6049817,
     * where kv-2, which had followed kv-0 into it, then ranked below a pod of the older history and lost a write).
     */
    @Test
    void aHistoryPromotedIntoIsRecordedWhileThePrimaryIsAwaitedBeforeItsPodGoes() {
        List<PodState> pods = List.of(pod(0).primary(4).keys(4).history("h13").promotedInto("h13").terminating().state(),
                pod(1).restartedAsReplica(0, 3).history("h10").state(),
                pod(2).replicaOf(0, 3).keys(3).linkDown().history("h13").state());
        Input in = new Input(pods, 3, AFTER, "kv-0", T0, T0.plusSeconds(1), SERVICE, null, true, "h9", "kv-0", "h9", Map.of());
        Decision d = ReplicationPlanner.plan(in);
        assertThat(d.primary()).as("%s", d).isNull();
        assertThat(ReplicationPlanner.servingHistory(in, d)).isEqualTo("h13");
    }

    /**
     * The status keeps its record while every pod is seen in step with the others, as it was when recorded: an idle
     * service's offsets move together (PING and GETACK each second with min-replicas-to-write) and its status is not
     * written on every look. Any pod out of step, another history, a pod more or fewer, and the status takes the look.
     */
    @Test
    void theRecordOfPodsInStepIsKeptWhileTheyStayInStep() {
        Map<String, LastSeenPositions.Position> recorded = Map.of("kv-0", new LastSeenPositions.Position("h1", 100), "kv-1", new LastSeenPositions.Position("h1", 100),
                "kv-2", new LastSeenPositions.Position("h1", 100));
        Map<String, LastSeenPositions.Position> idle = Map.of("kv-0", new LastSeenPositions.Position("h1", 151), "kv-1", new LastSeenPositions.Position("h1", 151),
                "kv-2", new LastSeenPositions.Position("h1", 151));
        assertThat(LastSeenPositions.record(recorded, idle)).as("in step then and now").isSameAs(recorded);

        Map<String, LastSeenPositions.Position> lagging = Map.of("kv-0", new LastSeenPositions.Position("h1", 151), "kv-1", new LastSeenPositions.Position("h1", 151),
                "kv-2", new LastSeenPositions.Position("h1", 137));
        assertThat(LastSeenPositions.record(recorded, lagging)).as("a replica behind").isEqualTo(lagging);
        assertThat(LastSeenPositions.record(lagging, idle)).as("in step again, after a record of one behind").isEqualTo(idle);

        Map<String, LastSeenPositions.Position> failedOver = Map.of("kv-0", new LastSeenPositions.Position("h2", 151), "kv-1", new LastSeenPositions.Position("h2", 151),
                "kv-2", new LastSeenPositions.Position("h2", 151));
        assertThat(LastSeenPositions.record(recorded, failedOver)).as("another history").isEqualTo(failedOver);

        Map<String, LastSeenPositions.Position> scaled = Map.of("kv-0", new LastSeenPositions.Position("h1", 151), "kv-1", new LastSeenPositions.Position("h1", 151));
        assertThat(LastSeenPositions.record(recorded, scaled)).as("a pod fewer").isEqualTo(scaled);
        assertThat(LastSeenPositions.record(Map.of(), idle)).as("nothing recorded yet").isEqualTo(idle);
        assertThat(LastSeenPositions.record(recorded, Map.of())).as("nothing seen").isEqualTo(Map.of());
    }

    /**
     * An old primary thawed after a failover answers as a master, unlabelled, holding the writes its replicas
     * acknowledged since; the kubelet calls it ready only at its next probe. Passed over meanwhile, a ready pod with
     * less of that history was promoted and the newer writes were lost (ReplicationPlannerPropertyTest, seed 102558).
     * The primary being failed over is no such candidate: it is the pod found unavailable.
     */
    @Test
    void anOldPrimaryAnsweringAsAMasterIsACandidateBeforeTheKubeletSaysItIsReady() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        Decision d = plan(3, "kv-1", T0, late, pod(0).master(1).keys(1).history("h4"), pod(1).restartedAsReplica(0, 0),
                pod(2).master(2).keys(2).history("h6").unready());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).as("kv-2 holds the newer writes; only the kubelet has not seen it ready yet").isEqualTo("kv-2");

        // the recorded primary, fenced (unlabelled) and answering as a master again, unready: the pod found unavailable, and
        // what it alone holds no replica acknowledged; not re-promoted on its own word before the kubelet's
        Decision fencedPrimary = plan(3, "kv-0", T0, late, pod(0).master(9).keys(9).unready(), pod(1).replicaOf(0, 8).keys(8).linkDown().unready(),
                pod(2).replicaOf(0, 7).keys(7).linkDown().unready());
        assertThat(fencedPrimary.promote()).as("%s", fencedPrimary).isEqualTo("kv-1");
    }

    /**
     * kv-1 took over from kv-0 (a new history, recorded) and froze; kv-0, the old primary, thaws and answers as a master of
     * the older history. Promoted, it reopens that history and drops what kv-1's replicas acknowledged since: while a pod
     * that may hold the recorded history does not answer, the service waits for it (seed 1700132). A candidate that
     * continues the recorded history is promoted past the deadline as before.
     */
    @Test
    void anOldPrimaryOfAnEarlierHistoryIsNotPromotedWhileAPodThatMayHoldTheRecordedOneIsSilent() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        List<PodState> states = List.of(pod(0).master(2).keys(2).history("h4").unready().state(),
                pod(1).primary(3).keys(3).unready().unreachable().state(), pod(2).unready().unreachable().state());
        Decision d = ReplicationPlanner.plan(new Input(states, 3, AFTER, "kv-1", T0, late, SERVICE, null, false, "h5"));
        assertThat(d.promote()).as("%s", d).isNull();
        assertThat(d.reason()).isEqualTo("WaitingForData");
        assertThat(d.message()).contains("kv-1 (not answering; it may hold history h5");

        List<PodState> withReplica = List.of(pod(0).master(2).keys(2).history("h4").unready().state(),
                pod(1).primary(3).keys(3).unready().unreachable().state(), pod(2).replicaOf(1, 3).keys(3).history("h5").linkDown().unready().state());
        Decision replica = ReplicationPlanner.plan(new Input(withReplica, 3, AFTER, "kv-1", T0, late, SERVICE, null, false, "h5"));
        assertThat(replica.promote()).as("the replica in the recorded history: %s", replica).isEqualTo("kv-2");
    }

    /**
     * The operator promoted kv-0 and stopped before its status recorded the new history; kv-0's pod was then recreated
     * (its promoting label gone with it) and came back from its files under that unrecorded replication id. It holds
     * the acknowledged write kv-1 lacks: the status's write-ahead ({@code promoting} kv-0 from the recorded history)
     * counts its offset in that history. Without it, kv-1, the only pod in the recorded history, went first
     * (ReplicationPlannerPropertyTest, seed 101243).
     */
    @Test
    void aPodPromotedByAnOperatorStoppedBeforeItsStatusCountsInTheHistoryItWasPromotedFrom() {
        Instant late = T0.plus(AFTER).plus(AFTER);
        List<PodState> states = List.of(pod(0).restartedAsReplica(2, 2).history("h8").state(),
                pod(1).restartedAsReplica(1, 1).history("h4").state());
        Decision written = ReplicationPlanner.plan(new Input(states, 2, AFTER, "kv-1", T0, late, SERVICE, null, true, "h4", "kv-0", "h4"));
        assertThat(written.promote()).isEqualTo("kv-0");

        Decision unwritten = ReplicationPlanner.plan(new Input(states, 2, AFTER, "kv-1", T0, late, SERVICE, null, true, "h4"));
        assertThat(unwritten.promote()).as("what the planner can tell without the write-ahead").isEqualTo("kv-1");

        Decision stale = ReplicationPlanner.plan(new Input(states, 2, AFTER, "kv-1", T0, late, SERVICE, null, true, "h4", "kv-0", "h2"));
        assertThat(stale.promote()).as("a promotion from a history no longer recorded says nothing").isEqualTo("kv-1");

        // recreated again and loaded from an append-only file (no offset): what its file kept, not a place in that history
        List<PodState> fromAof = List.of(pod(0).restartedAsReplica(5, 5).history("h7").state(),
                pod(1).restartedAsReplica(0, 4).history("h9").state());
        Decision aof = ReplicationPlanner.plan(new Input(fromAof, 2, AFTER, "kv-1", T0, late, SERVICE, null, true, "h4", "kv-1", "h4"));
        assertThat(aof.promote()).as("seed 903746").isEqualTo("kv-0");
    }

    // --- bootstrap ---

    @Test
    void bootstrapPromotesPodZeroOnATieWithoutWaitingOnceEveryPodIsReady() {
        Decision d = plan(null, null, T0, pod(0), pod(1), pod(2));
        assertThat(d.kind()).isEqualTo(Kind.BOOTSTRAP);
        assertThat(d.promote()).isEqualTo("kv-0");
        assertThat(d.repoint()).containsExactly("kv-1", "kv-2");
        assertThat(d.fence()).isEmpty();
        assertThat(d.primary()).isEqualTo("kv-0");
    }

    /**
     * The service reports a replica whose link is down not ready (issue 69: the read Services skip it); at bootstrap
     * every pod is one, following the primary Service that selects nothing yet: still elected at once.
     */
    @Test
    void bootstrapElectsAmongPodsUnreadyOnlyBecauseTheirLinkIsDown() {
        Pod[] waiting = new Pod[3];
        for (int i = 0; i < 3; i++) {
            waiting[i] = pod(i).unready();
            waiting[i].observed = Observed.replica(0, SERVICE, false);
        }
        Decision d = plan(null, null, T0, waiting);
        assertThat(d.kind()).isEqualTo(Kind.BOOTSTRAP);
        assertThat(d.promote()).isEqualTo("kv-0");
        // one unready with its link up (loading, stuck) is waited for
        waiting[2].observed = Observed.replica(0, SERVICE, true);
        assertThat(plan(null, null, T0, waiting).kind()).isEqualTo(Kind.WAIT);
    }

    @Test
    void bootstrapPromotesTheHighestOffset() {
        Decision d = plan(null, null, T0, pod(0).master(10), pod(1).master(0), pod(2).master(500));
        assertThat(d.promote()).isEqualTo("kv-2");
        assertThat(d.repoint()).containsExactly("kv-0", "kv-1");
    }

    @Test
    void bootstrapWithAPodMissingWaitsForItUntilFailoverAfter() {
        Decision waiting = plan(null, null, T0, pod(0), pod(1));
        assertThat(waiting.kind()).isEqualTo(Kind.WAIT);
        assertThat(waiting.promote()).isNull();
        assertThat(waiting.unavailableSince()).isEqualTo(T0);
        assertThat(waiting.requeue()).isLessThanOrEqualTo(ReplicationPlanner.PERIOD);

        Decision due = plan(null, T0, T0.plus(AFTER), pod(0), pod(1));
        assertThat(due.kind()).isEqualTo(Kind.BOOTSTRAP);
        assertThat(due.promote()).isEqualTo("kv-0");
    }

    @Test
    void bootstrapWithAnUnreachablePodWaits() {
        assertThat(plan(null, null, T0, pod(0), pod(1), pod(2).unreachable()).kind()).isEqualTo(Kind.WAIT);
    }

    /**
     * A restored service (spec.restoreFrom): the data is on kv-0 only, so kv-0 is the first primary whatever the others'
     * offsets and however long it takes to restore: elected as soon as it is ready, never one of the empty pods before.
     */
    @Test
    void aRestoredServiceBootstrapsOnTheRestoringPodOnly() {
        List<PodState> restoring = List.of(pod(0).unready().state(), pod(1).master(900).state(), pod(2).master(5).state());
        Decision waiting = ReplicationPlanner.plan(new Input(restoring, 3, AFTER, null, T0, T0.plus(AFTER.multipliedBy(10)), SERVICE, "kv-0"));
        assertThat(waiting.kind()).as("past failoverAfter, kv-1 and kv-2 ready: still no primary").isEqualTo(Kind.WAIT);
        assertThat(waiting.promote()).isNull();
        assertThat(waiting.message()).contains("waiting for kv-0, which restores the service's data");
        List<PodState> restored = List.of(pod(0).master(0).state(), pod(1).master(900).unready().state(), pod(2).master(5).state());
        Decision elected = ReplicationPlanner.plan(new Input(restored, 3, AFTER, null, null, T0, SERVICE, "kv-0"));
        assertThat(elected.kind()).as("at once, not waiting for kv-1").isEqualTo(Kind.BOOTSTRAP);
        assertThat(elected.promote()).as("not the highest offset: the data").isEqualTo("kv-0");
        assertThat(elected.repoint()).contains("kv-2");
        // once it had a primary, a failover is one as any
        List<PodState> later = List.of(pod(0).primary(100).unready().unreachable().state(), pod(1).replicaOf(0, 100).state(), pod(2).replicaOf(0, 90).state());
        Decision failover = ReplicationPlanner.plan(new Input(later, 3, AFTER, "kv-0", T0, T0.plus(AFTER), SERVICE, "kv-0"));
        assertThat(failover.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(failover.promote()).isEqualTo("kv-1");
    }

    // --- steady state and convergence ---

    @Test
    void anAvailablePrimaryWithLinkedReplicasIsLeftAlone() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 90));
        assertThat(d.kind()).isEqualTo(Kind.STEADY);
        assertThat(d.healthy()).isTrue();
        assertThat(d.promote()).isNull();
        assertThat(d.repoint()).isEmpty();
        assertThat(d.fence()).isEmpty();
        assertThat(d.delete()).isNull();
        assertThat(d.unavailableSince()).isNull();
        assertThat(d.message()).contains("kv-0 is primary; 2/2 replica(s) linked");
    }

    @Test
    void aReplicaFollowingThePrimaryServiceNeedsNoRepoint() {
        Pod viaService = pod(1);
        viaService.observed = Observed.replica(100, SERVICE, true);
        Decision d = plan("kv-0", null, T0, pod(0).primary(100), viaService, pod(2).replicaOf(0, 100));
        assertThat(d.repoint()).isEmpty();
        assertThat(d.healthy()).isTrue();
    }

    @Test
    void aPodThatIsAMasterOrFollowsAnotherIsRepointed() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100), pod(1).master(300), pod(2).replicaOf(1, 300));
        assertThat(d.kind()).isEqualTo(Kind.REPOINT);
        assertThat(d.repoint()).containsExactly("kv-1", "kv-2");
        assertThat(d.promote()).isNull();
        assertThat(d.primary()).isEqualTo("kv-0");
    }

    @Test
    void anUnreachableReplicaIsNotRepointedAndKeepsTheServiceUnhealthy() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100), pod(1).replicaOf(0, 100), pod(2).unreachable());
        assertThat(d.repoint()).isEmpty();
        assertThat(d.healthy()).isFalse();
        assertThat(d.reason()).isEqualTo("ReplicasNotLinked");
    }

    @Test
    void twoLabelledPodsKeepTheAvailableOneAndFenceTheOther() {
        Decision d = plan("kv-0", null, T0, pod(0).labelled().unready(), pod(1).primary(50), pod(2).replicaOf(1, 50));
        assertThat(d.fence()).containsExactly("kv-0");
        assertThat(d.primary()).isEqualTo("kv-1");
        assertThat(d.promote()).isNull();

        Decision both = plan("kv-0", null, T0, pod(0).primary(40), pod(1).primary(50), pod(2).replicaOf(1, 50));
        assertThat(both.fence()).containsExactly("kv-0");
        assertThat(both.primary()).isEqualTo("kv-1");
        assertThat(both.repoint()).containsExactly("kv-0");
    }

    @Test
    void aReadyButUnreachablePrimaryIsNotFailedOver() {
        Decision d = plan("kv-0", null, T0.plus(Duration.ofHours(1)), pod(0).labelled().unreachable(), pod(1).replicaOf(0, 5),
                pod(2).replicaOf(0, 5));
        assertThat(d.promote()).isNull();
        assertThat(d.unavailableSince()).isNull();
    }

    // --- failover ---

    @Test
    void anUnreadyPrimaryOutOfReachIsNotFailedOverBeforeFailoverAfter() {
        Decision first = plan("kv-0", null, T0, pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 100));
        assertThat(first.kind()).isEqualTo(Kind.WAIT);
        assertThat(first.promote()).isNull();
        assertThat(first.fence()).isEmpty();
        assertThat(first.unavailableSince()).isEqualTo(T0);
        assertThat(first.reason()).isEqualTo("PrimaryUnavailable");
        assertThat(first.requeue()).isLessThanOrEqualTo(ReplicationPlanner.PERIOD);

        Decision almost = plan("kv-0", T0, T0.plus(AFTER).minusMillis(1), pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 100),
                pod(2).replicaOf(0, 100));
        assertThat(almost.promote()).isNull();
        assertThat(almost.unavailableSince()).isEqualTo(T0);
        assertThat(almost.requeue()).isEqualTo(Duration.ofMillis(1));
    }

    /**
     * A master's readiness is its application's lifecycle and the kubelet's view of it: a kubelet that restarts marks every
     * pod unready until it probes again, and one elected in a cold start is unready until its next probe. Answering as a
     * master, it serves: failed over on its readiness, what its replicas had acknowledged since the offsets were read was
     * lost (the campaign's kubelet restart: 39 writes).
     */
    @Test
    void anUnreadyPrimaryThatAnswersAsAMasterIsNotFailedOver() {
        Decision d = plan("kv-0", T0, T0.plus(AFTER).plus(AFTER), pod(0).primary(100).unready(), pod(1).replicaOf(0, 100).unready(),
                pod(2).replicaOf(0, 100).unready());
        assertThat(d.promote()).isNull();
        assertThat(d.fence()).isEmpty();
        assertThat(d.unavailableSince()).isNull();
    }

    @Test
    void failoverPromotesTheHighestReplicationOffsetAndFencesTheOldPrimaryFirst() {
        Decision d = plan("kv-0", T0, T0.plus(AFTER), pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 80).linkDown(),
                pod(2).replicaOf(0, 95).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.fence()).containsExactly("kv-0");
        assertThat(d.promote()).as("highest offset beats the lower ordinal").isEqualTo("kv-2");
        assertThat(d.repoint()).as("the pods that answer").containsExactly("kv-1");
        assertThat(d.message()).contains("kv-1=80").contains("kv-2=95");
    }

    @Test
    void aDeletedPrimaryRecreatedByTheStatefulSetIsFailedOverAtOnce() {
        // The StatefulSet recreated kv-0 without the label and without data: its pod of that name is not the primary any
        // more, whether the new one answers already (as a replica) or is not ready yet
        Decision answering = plan("kv-0", null, T0, pod(0).replicaOf(0, 0).linkDown(), pod(1).replicaOf(0, 70).linkDown(),
                pod(2).replicaOf(0, 70).linkDown());
        assertThat(answering.kind()).as("not a bootstrap: the status remembers a primary; not after failoverAfter").isEqualTo(Kind.FAILOVER);
        assertThat(answering.promote()).isEqualTo("kv-1");
        assertThat(answering.fence()).isEmpty();
        assertThat(answering.message()).contains("replaced");
        Decision starting = plan("kv-0", null, T0, pod(0).unready().unreachable(), pod(1).replicaOf(0, 70).linkDown(),
                pod(2).replicaOf(0, 70).linkDown());
        assertThat(starting.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(starting.promote()).isEqualTo("kv-1");
        // a primary that only lost its label (a hand edit) and still answers as one is not lost: failoverAfter judges it
        Decision unlabelled = plan("kv-0", null, T0, pod(0).master(100), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 100));
        assertThat(unlabelled.kind()).isEqualTo(Kind.WAIT);
    }

    @Test
    void aPrimaryThatRestartedAsAReplicaIsUnavailable() {
        Decision d = plan("kv-0", T0, T0.plus(AFTER), pod(0).labelled().replicaOf(0, 0).linkDown(), pod(1).replicaOf(0, 70).linkDown(),
                pod(2).replicaOf(0, 60).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.fence()).containsExactly("kv-0");
        assertThat(d.promote()).isEqualTo("kv-1");
    }

    @Test
    void unreachableAndTerminatingPodsAreNoCandidates() {
        Decision d = plan("kv-0", T0, T0.plus(AFTER), pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 99).unreachable(),
                pod(2).replicaOf(0, 98).unreachable());
        assertThat(d.promote()).isNull();
        assertThat(d.reason()).isEqualTo("NoCandidate");
        assertThat(d.unavailableSince()).isEqualTo(T0);

        Decision terminating = plan("kv-0", T0, T0.plus(AFTER), pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 99).terminating(),
                pod(2).replicaOf(0, 10));
        assertThat(terminating.promote()).isEqualTo("kv-2");
        assertThat(terminating.repoint()).doesNotContain("kv-1");
    }

    /**
     * A replica that answers with its link up is unready only until the kubelet's next probe (seconds under load, after a
     * cold start's election): a candidate, ranked by its data like any; passed over for one whose link was down, what it
     * had acknowledged was lost (the campaign on the real node).
     */
    @Test
    void aLinkedReplicaTheKubeletHasNotSeenReadyYetIsACandidate() {
        Decision d = plan("kv-0", T0, T0.plus(AFTER), pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 99).unready(),
                pod(2).replicaOf(0, 0).linkDown().unready());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).isEqualTo("kv-1");
    }

    // --- what Kubernetes already knows (issue 69) ---

    @Test
    void aPrimaryWhoseContainerIsKnownDeadIsFailedOverAtOnceNotAfterFailoverAfter() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).lost("its container terminated (Error, exit code 137)").unreachable(),
                pod(1).replicaOf(0, 90).linkDown(), pod(2).replicaOf(0, 100).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.fence()).containsExactly("kv-0");
        assertThat(d.promote()).as("the highest offset: a write WAIT 1 acknowledged is on it").isEqualTo("kv-2");
        assertThat(d.message()).contains("lost: its container terminated");
    }

    @Test
    void aHungPrimaryKubernetesKnowsNothingAboutStillWaitsFailoverAfter() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).unready().unreachable(), pod(1).replicaOf(0, 100).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.WAIT);
        assertThat(d.reason()).isEqualTo("PrimaryUnavailable");
    }

    @Test
    void aPrimaryOnANodeNotReadyIsLostEvenWhileItsPodStillSaysReady() {
        Pod primary = pod(0).primary(100);
        primary.lost = "its node n1 is NotReady";
        Decision d = plan("kv-0", null, T0, primary, pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 100));
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).isEqualTo("kv-1");
        // a replica on that node is no candidate
        Pod replicaThere = pod(1).replicaOf(0, 100);
        replicaThere.lost = "its node n1 is NotReady";
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).lost("its node n1 is NotReady"), replicaThere, pod(2).replicaOf(0, 50))
                .promote()).isEqualTo("kv-2");
    }

    @Test
    void theReplicaUnreadyBecauseItsLinkToTheDeadPrimaryIsDownIsStillACandidate() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).lost("its container terminated (exit code 1)").unreachable(),
                pod(1).replicaOf(0, 100).linkDown().unready());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).isEqualTo("kv-1");
        // never synced (no key): nothing to serve while the lost primary, which may hold data, may come back
        Decision empty = plan(2, "kv-0", null, T0, pod(0).primary(100).lost("x").unreachable(),
                pod(1).replicaOf(0, 0).linkDown().unready().keys(0));
        assertThat(empty.promote()).isNull();
        assertThat(empty.reason()).isEqualTo("WaitingForData");
        assertThat(empty.message()).contains("kv-0 (not answering)");
        // a replica whose container restarted and answers again holds what its files held: a candidate
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).lost("x").unreachable(),
                pod(1).replicaOf(0, 100).linkDown().lost(PodLoss.RESTARTED + " (restart 1)")).promote()).isEqualTo("kv-1");
        // one whose container is down (not answering) or on a node NotReady is not
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).lost("x").unreachable(),
                pod(1).replicaOf(0, 100).linkDown().lost("its node n1 is NotReady")).promote()).isNull();
    }

    /** The primary restarted before the operator looked: running again, as an empty replica of the primary Service. */
    @Test
    void aPrimaryThatRestartedBeforeThePromotionIsFencedAndTheReplicaPromoted() {
        Pod restarted = pod(0).labelled().lost("its container restarted (restart 1)");
        restarted.observed = Observed.replica(0, SERVICE, false);
        Decision d = plan("kv-0", null, T0, restarted, pod(1).replicaOf(0, 100).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.fence()).containsExactly("kv-0");
        assertThat(d.promote()).isEqualTo("kv-1");
        assertThat(d.repoint()).containsExactly("kv-0");
    }

    /**
     * Issue 74's cold start: both pods deleted at once (a node reboot, {@code kubectl delete pods -l ...}). The new pods
     * come back from their append-only files as replicas of the primary Service (which routes nowhere), their links down,
     * so not Ready, with no offset (an append-only file does not say one). This was a circle no one left (NoCandidate:
     * only a Ready pod could be promoted, and only a promoted one makes them Ready). Now the pod with the newest data of
     * those that answer is elected: on a tie, the recorded primary, whose file has every write it took.
     */
    @Test
    void bothPodsRecreatedFromTheirFilesElectTheRecordedPrimary() {
        Decision d = plan(2, "kv-1", null, T0, pod(0).restartedAsReplica(0, 91_500), pod(1).restartedAsReplica(0, 91_500));
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).as("the recorded primary first on a tie").isEqualTo("kv-1");
        assertThat(d.repoint()).containsExactly("kv-0");
        // snapshots say where they stood: the newest wins
        assertThat(plan(2, "kv-1", null, T0, pod(0).restartedAsReplica(5000, 91_500), pod(1).restartedAsReplica(4000, 91_000)).promote())
                .isEqualTo("kv-0");
        // the same with their containers killed rather than their pods deleted: labels kept, both restarted
        Decision killed = plan(2, "kv-0", null, T0, pod(0).labelled().restartedAsReplica(0, 2000).lost(PodLoss.RESTARTED + " (restart 1)"),
                pod(1).restartedAsReplica(0, 2000).lost(PodLoss.RESTARTED + " (restart 1)"));
        assertThat(killed.promote()).isEqualTo("kv-0");
        assertThat(killed.fence()).containsExactly("kv-0");
    }

    /** Never a pod that came back empty while another holds data: the one with data, whatever the record says. */
    @Test
    void aColdStartNeverElectsAnEmptyPodWhileAnotherHoldsData() {
        assertThat(plan(2, "kv-0", null, T0, pod(0).restartedAsReplica(0, 0), pod(1).restartedAsReplica(0, 2000)).promote()).isEqualTo("kv-1");
        // nor while the pod that may hold it does not answer yet (loading, starting): it waits for it
        Decision d = plan(2, "kv-0", null, T0, pod(0).restartedAsReplica(0, 0).unreachable(), pod(1).restartedAsReplica(0, 0));
        assertThat(d.promote()).isNull();
        assertThat(d.reason()).isEqualTo("WaitingForData");
        assertThat(plan(3, "kv-0", null, T0, pod(0).restartedAsReplica(0, 0), pod(1).restartedAsReplica(0, 0)).reason())
                .as("a wanted pod not created yet may come back with its claim").isEqualTo("WaitingForData");
        // every pod answers and none holds data (no persistence): one is elected, the recorded primary first
        assertThat(plan(2, "kv-1", null, T0, pod(0).restartedAsReplica(0, 0), pod(1).restartedAsReplica(0, 0)).promote()).isEqualTo("kv-1");
        // pods that did not say what they hold may hold data
        assertThat(plan(2, "kv-1", null, T0, pod(0).restartedAsReplica(0, Observed.UNKNOWN_KEYS), pod(1).restartedAsReplica(0, 0)).promote())
                .isEqualTo("kv-0");
    }

    /** The operator restarted mid-failover: kv-1 promoted, not yet labelled; the old primary still labelled and lost. */
    @Test
    void anOperatorRestartedMidFailoverKeepsOnePrimary() {
        Decision d = plan("kv-0", T0, T0.plusSeconds(1), pod(0).primary(100).lost("its container terminated").unreachable(),
                pod(1).master(100), pod(2).replicaOf(0, 90).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).as("the promoted one again, not a second primary").isEqualTo("kv-1");
        assertThat(d.repoint()).containsExactly("kv-2");
        assertThat(d.fence()).containsExactly("kv-0");
    }

    @Test
    void aPrimaryBeingDeletedThatStillAnswersIsSwitchedOverAtOnce() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).terminating(), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 99).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.SWITCHOVER);
        assertThat(d.switchover().from()).isEqualTo("kv-0");
        assertThat(d.switchover().to()).as("the linked replica").isEqualTo("kv-1");
        assertThat(d.switchover().others()).containsExactly("kv-2");
        assertThat(d.primary()).isEqualTo("kv-1");
    }

    @Test
    void aPrimaryBeingDeletedThatNoLongerAnswersIsFailedOverAtOnce() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).terminating().unreachable(), pod(1).replicaOf(0, 100).linkDown());
        assertThat(d.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(d.promote()).isEqualTo("kv-1");
        // its handover given up, it lost the label: the recorded primary being deleted is a loss now all the same
        Decision unlabelled = plan("kv-0", null, T0, pod(0).master(100).terminating(), pod(1).replicaOf(0, 100).linkDown());
        assertThat(unlabelled.kind()).isEqualTo(Kind.FAILOVER);
        assertThat(unlabelled.promote()).isEqualTo("kv-1");
    }

    @Test
    void aPrimaryThatRecoversBeforeTheDeadlineStopsTheClock() {
        Decision d = plan("kv-0", T0, T0.plus(Duration.ofSeconds(5)), pod(0).primary(100), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 100));
        assertThat(d.unavailableSince()).isNull();
        assertThat(d.promote()).isNull();
    }

    // --- the roll ---

    @Test
    void theRollDeletesOutdatedReplicasHighestOrdinalFirstAndOnlyWhenAllIsLinked() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100).outdated(),
                pod(2).replicaOf(0, 100).outdated());
        assertThat(d.kind()).isEqualTo(Kind.ROLL);
        assertThat(d.delete()).isEqualTo("kv-2");

        assertThat(plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100).outdated(), pod(2).replicaOf(0, 0).linkDown())
                .delete()).as("a replica still syncing").isNull();
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100).outdated(), pod(2).replicaOf(0, 100).unready())
                .delete()).as("a pod not ready").isNull();
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100).outdated())
                .delete()).as("a pod missing").isNull();
        assertThat(plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100).outdated(), pod(2).replicaOf(0, 100))
                .delete()).isEqualTo("kv-1");
    }

    @Test
    void whenOnlyThePrimaryIsOutdatedTheRollDeletesItSoThatItHandsOverAsItStops() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 90), pod(2).replicaOf(0, 100));
        assertThat(d.kind()).isEqualTo(Kind.ROLL);
        assertThat(d.reason()).isEqualTo("RollingPrimary");
        assertThat(d.delete()).isEqualTo("kv-0");
        assertThat(d.switchover()).as("the hand-over is the planned stop's, once its pod is being deleted").isNull();
        assertThat(d.fence()).isEmpty();

        // the next look: the primary's pod is being deleted and still answers: the planned stop's hand-over
        Decision next = plan("kv-0", null, T0, pod(0).primary(100).outdated().terminating(), pod(1).replicaOf(0, 90),
                pod(2).replicaOf(0, 100));
        assertThat(next.kind()).isEqualTo(Kind.SWITCHOVER);
        assertThat(next.switchover().to()).as("the most caught-up replica").isEqualTo("kv-2");
        assertThat(next.switchover().others()).containsExactly("kv-1");

        assertThat(plan("kv-0", null, T0, pod(0).primary(100).outdated(), pod(1).replicaOf(0, 100), pod(2).replicaOf(0, 0).linkDown())
                .delete()).as("a replica still syncing").isNull();
        Decision alone = plan(1, "kv-0", null, T0, pod(0).primary(100).outdated());
        assertThat(alone.delete()).as("no replica to hand over to").isNull();
        assertThat(alone.reason()).isEqualTo("PrimaryOutdated");
    }

    /**
     * A replica back with a partial resync is linked while it replays what the primary took during its restart: the roll
     * takes no pod away until it holds what the primary held a moment ago, or the primary would be left with no replica
     * whose acknowledgements are recent ({@code NOREPLICAS}, 5.3 s in ReplicationIT's roll in CI).
     */
    @Test
    void theRollWaitsForAReplicaStillCatchingUp() {
        Pod[] rolledOne = {pod(0).primary(5000).outdated(), pod(1).replicaOf(0, 5000).outdated(), pod(2).replicaOf(0, 900)};
        List<PodState> states = java.util.Arrays.stream(rolledOne).map(Pod::state).toList();
        Decision waits = ReplicationPlanner.plan(new Input(states, 3, AFTER, "kv-0", null, T0, SERVICE, null, true, null, null, null,
                java.util.Map.of(), java.util.Set.of("kv-2")));
        assertThat(waits.kind()).isEqualTo(Kind.STEADY);
        assertThat(waits.delete()).isNull();
        assertThat(waits.reason()).isEqualTo("ReplicasCatchingUp");
        assertThat(waits.message()).contains("kv-2");
        assertThat(waits.requeue()).as("looked at again soon: the catch-up is judged over looks").isLessThanOrEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(waits.healthy()).isTrue();

        Decision rolls = ReplicationPlanner.plan(new Input(states, 3, AFTER, "kv-0", null, T0, SERVICE, null, true, null, null, null,
                java.util.Map.of(), java.util.Set.of()));
        assertThat(rolls.delete()).isEqualTo("kv-1");

        // the primary's own turn waits too: it hands over to a replica, and the other must be good for WAIT meanwhile
        List<PodState> onlyPrimary = java.util.stream.Stream.of(pod(0).primary(5000).outdated(), pod(1).replicaOf(0, 5000), pod(2).replicaOf(0, 900))
                .map(Pod::state).toList();
        assertThat(ReplicationPlanner.plan(new Input(onlyPrimary, 3, AFTER, "kv-0", null, T0, SERVICE, null, true, null, null, null,
                java.util.Map.of(), java.util.Set.of("kv-2"))).delete()).isNull();

        // nothing to roll: a replica catching up changes nothing
        List<PodState> current = java.util.stream.Stream.of(pod(0).primary(5000), pod(1).replicaOf(0, 5000), pod(2).replicaOf(0, 900))
                .map(Pod::state).toList();
        assertThat(ReplicationPlanner.plan(new Input(current, 3, AFTER, "kv-0", null, T0, SERVICE, null, true, null, null, null,
                java.util.Map.of(), java.util.Set.of("kv-2"))).reason()).isEqualTo("PrimaryServing");
    }

    @Test
    void anOutdatedReplicaIsRolledWhicheverPodIsPrimary() {
        Decision d = plan("kv-2", null, T0, pod(0).replicaOf(2, 100).outdated(), pod(1).replicaOf(2, 100), pod(2).primary(100));
        assertThat(d.kind()).isEqualTo(Kind.ROLL);
        assertThat(d.delete()).isEqualTo("kv-0");
    }

    @Test
    void nothingIsRolledWhileThePrimaryIsUnavailable() {
        Decision d = plan("kv-0", null, T0, pod(0).primary(100).outdated().unready(), pod(1).replicaOf(0, 100).outdated(),
                pod(2).replicaOf(0, 100).outdated());
        assertThat(d.delete()).isNull();
        assertThat(d.switchover()).isNull();
    }

    @Test
    void everyDecisionKeepsAtMostOnePrimaryLabelled() {
        // Exhaustive over small worlds: 3 pods, each labelled or not, ready or not, master or replica.
        for (int mask = 0; mask < 1 << 9; mask++) {
            Pod[] pods = new Pod[3];
            for (int i = 0; i < 3; i++) {
                Pod p = pod(i);
                if ((mask >> (3 * i) & 1) != 0) {
                    p.labelled();
                }
                if ((mask >> (3 * i + 1) & 1) != 0) {
                    p.unready();
                }
                if ((mask >> (3 * i + 2) & 1) != 0) {
                    p.replicaOf((i + 1) % 3, 10L * i).linkDown();
                } else {
                    p.master(10L * i);
                }
                pods[i] = p;
            }
            for (Instant now : List.of(T0, T0.plus(AFTER))) {
                Decision d = plan("kv-0", T0, now, pods);
                List<String> labelledAfter = new ArrayList<>();
                for (Pod p : pods) {
                    String name = "kv-" + p.ordinal;
                    if ((p.labelled && !d.fence().contains(name)) || name.equals(d.promote())) {
                        labelledAfter.add(name);
                    }
                }
                assertThat(labelledAfter).as("mask %s at %s: %s", Integer.toBinaryString(mask), now, d).hasSizeLessThanOrEqualTo(1);
                // none labelled and kv-0 (the primary recorded) answering as a replica: its pod was replaced, a loss now
                boolean replaced = java.util.Arrays.stream(pods).noneMatch(p -> p.labelled) && (mask >> 2 & 1) != 0;
                if (d.promote() != null && !replaced) {
                    assertThat(now).as("never before the deadline").isEqualTo(T0.plus(AFTER));
                }
            }
        }
    }
}
