package io.percore.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Input;
import io.percore.operator.cluster.ClusterPlanner.Kind;
import io.percore.operator.cluster.ClusterPlanner.Observed;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.cluster.ClusterPlanner.Progress;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver's decisions: given what the pods answered, the layout sent and to whom. */
class ClusterPlannerTest {

    static String id(int n) {
        return String.format("%040x", n + 0xa0);
    }

    static HostPort address(int ordinal) {
        return new HostPort("10.0.0." + (ordinal + 1), 6379);
    }

    static PodView pod(int ordinal, int shards, Layout layout, Progress... migrations) {
        return pod(ordinal, id(ordinal), shards, layout, migrations);
    }

    static PodView pod(int ordinal, String nodeId, int shards, Layout layout, Progress... migrations) {
        return new PodView("kv-" + ordinal, ordinal, true, address(ordinal), new Observed(nodeId, shards, layout, List.of(migrations)));
    }

    static Decision decide(int members, int running, long floor, PodView... pods) {
        return ClusterPlanner.decide(new Input(List.of(pods), members, running, floor));
    }

    private static Decision bootstrap() {
        return decide(3, 3, 0, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 4, Layout.EMPTY));
    }

    /**
     * The status records epoch 2, and the pods that answer hold epoch 1: the layout at 2 was sent and only the pod that
     * does not answer may hold it. A plan from epoch 1 would undo it (a failover from it promoted a replica of a primary
     * epoch 2 had already replaced, empty: ClusterFailoverPropertyTest, seed 20261727): nothing is sent until that pod
     * answers, or is known gone.
     */
    @Test
    void nothingIsPlannedFromALayoutOlderThanTheRecordedEpochWhileAPodThatMayHoldItIsSilent() {
        Layout first = bootstrap().send();
        PodView silent = new PodView("kv-2", 2, false, address(2), null, true, null);
        Decision d = decide(3, 3, 2, pod(0, 2, first), pod(1, 2, first), silent);
        assertThat(d.kind()).isEqualTo(Kind.WAIT_FOR_PODS);
        assertThat(d.send()).isNull();
        assertThat(d.message()).contains("records epoch 2", "epoch 1", "waiting for kv-2");

        PodView gone = new PodView("kv-2", 2, false, address(2), null, true, "its pod was deleted");
        assertThat(decide(3, 3, 2, pod(0, 2, first), pod(1, 2, first), gone).message()).as("a pod known gone is not waited for")
                .doesNotContain("records epoch 2");
        assertThat(decide(3, 3, 1, pod(0, 2, first), pod(1, 2, first), silent).message()).as("the recorded epoch is held")
                .doesNotContain("records epoch");

        // its process killed, restarting in its pod with its files: they may hold the newer layout (seed 33006841: the
        // failover read from epoch 1 promoted an empty replica of a primary epoch 2 had replaced, while the pod holding the
        // group's data at epoch 2 restarted)
        String killed = "its container terminated (Error, exit code 137)";
        PodView restarting = new PodView("kv-2", 2, false, address(2), null, true, killed, true);
        assertThat(decide(3, 3, 2, pod(0, 2, first), pod(1, 2, first), restarting).message()).contains("records epoch 2", "waiting for kv-2");
        PodView notComingBack = new PodView("kv-2", 2, false, address(2), null, true, killed, false);
        assertThat(decide(3, 3, 2, pod(0, 2, first), pod(1, 2, first), notComingBack).message())
                .as("without files, or past its restart's grace, it is not waited for").doesNotContain("records epoch 2");
    }

    /**
     * A replica that answers with its link down (following the address of a pod gone with its primary) is unready only so
     * that reads skip it, and only the layout and links sent next give it a primary again: waiting for it to be Ready
     * kept every layout from being sent for good (ClusterFailoverPropertyTest, seeds 20263120 and 20265044).
     */
    @Test
    void aReplicaUnreadyOnlyBecauseItsLinkIsDownDoesNotHoldTheLayoutBack() {
        Layout first = bootstrap().send();
        PodView unlinked = new PodView("kv-2", 2, false, address(2), new Observed(id(2), 4, 0, first, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.replica(0, new HostPort("10.0.0.99", 6379), false)), true, null);
        Decision d = decide(3, 3, 1, pod(0, 2, first), pod(1, 2, first), unlinked);
        assertThat(d.message()).doesNotContain("kv-2 is not Ready");

        PodView unready = new PodView("kv-2", 2, false, address(2), new Observed(id(2), 4, first, List.of()), true, null);
        assertThat(decide(3, 3, 1, pod(0, 2, first), pod(1, 2, first), unready).message()).as("any other unready pod is waited for")
                .contains("kv-2 is not Ready");
    }

    @Test
    void freshPodsGetAFirstLayoutInProportionToTheirShardsWithNothingToMove() {
        Decision d = bootstrap();
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        assertThat(d.sendTo()).containsExactly("kv-0", "kv-1", "kv-2");
        Layout l = d.send();
        assertThat(l.epoch()).isEqualTo(1);
        assertThat(l.assignedSlots()).isEqualTo(SlotPlanner.SLOTS);
        assertThat(l.migrating()).isEmpty();
        assertThat(l.slotsOf(id(0)).cardinality()).isEqualTo(4096);
        assertThat(l.slotsOf(id(1)).cardinality()).isEqualTo(4096);
        assertThat(l.slotsOf(id(2)).cardinality()).isEqualTo(8192);
        assertThat(l.nodes()).containsEntry(id(2), address(2));
        assertThat(Layout.parse(1, l.text()).sameAs(l)).as("the text reads back").isTrue();
    }

    @Test
    void podsHoldingThePlanGetNothing() {
        Layout l = bootstrap().send();
        Decision d = decide(3, 3, 1, pod(0, 2, l), pod(1, 2, l), pod(2, 4, l));
        assertThat(d.kind()).isEqualTo(Kind.STEADY);
        assertThat(d.send()).isNull();
        assertThat(d.healthy()).isTrue();
        assertThat(d.podsToKeep()).isEqualTo(3);
    }

    @Test
    void nothingIsSentWhileAPodIsMissingUnreadyOrSilent() {
        Layout l = bootstrap().send();
        assertThat(decide(3, 3, 1, pod(0, 2, l), pod(1, 2, l)).kind()).isEqualTo(Kind.WAIT_FOR_PODS);
        PodView unready = new PodView("kv-2", 2, false, address(2), null);
        assertThat(decide(3, 3, 1, pod(0, 2, l), pod(1, 2, l), unready).kind()).isEqualTo(Kind.WAIT_FOR_PODS);
        PodView silent = new PodView("kv-2", 2, true, address(2), null);
        Decision d = decide(3, 3, 1, pod(0, 2, l), pod(1, 2, l), silent);
        assertThat(d.kind()).isEqualTo(Kind.WAIT_FOR_PODS);
        assertThat(d.send()).isNull();
        assertThat(d.message()).contains("kv-2 does not answer");
        // a scale-out waits for the new pod before anything moves
        assertThat(decide(4, 3, 1, pod(0, 2, l), pod(1, 2, l), pod(2, 4, l)).kind()).isEqualTo(Kind.WAIT_FOR_PODS);
    }

    @Test
    void aPodBehindIsSentTheCurrentLayoutAgainFirst() {
        Layout one = bootstrap().send();
        Layout two = new Layout(2, one.nodes(), one.owners(), List.of());
        Decision d = decide(3, 3, 2, pod(0, 2, two), pod(1, 2, one), pod(2, 4, two));
        assertThat(d.kind()).isEqualTo(Kind.CONVERGE);
        assertThat(d.send()).isSameAs(two);
        assertThat(d.sendTo()).containsExactly("kv-1");
    }

    /**
     * A pod back from its files holds the current layout but does not serve it until it is sent again (a primary
     * restarted while its replica took its slots would take writes beside it): it is sent the layout it holds.
     */
    @Test
    void aPodServingNotTheLayoutItReadBackIsSentItAgain() {
        Layout l = bootstrap().send();
        PodView restarted = new PodView("kv-1", 1, true, address(1), new Observed(id(1), 2, 0, l, List.of(), null, null, false));
        Decision d = decide(3, 3, 1, pod(0, 2, l), restarted, pod(2, 4, l));
        assertThat(d.kind()).isEqualTo(Kind.CONVERGE);
        assertThat(d.send()).isSameAs(l);
        assertThat(d.sendTo()).containsExactly("kv-1");
    }

    @Test
    void twoLayoutsAtOneEpochAreAConflictAndNothingIsSent() {
        Layout one = bootstrap().send();
        Map<String, BitSet> swapped = new java.util.LinkedHashMap<>(one.owners());
        swapped.put(id(0), one.owners().get(id(1)));
        swapped.put(id(1), one.owners().get(id(0)));
        Layout other = new Layout(1, one.nodes(), swapped, List.of());
        Decision d = decide(3, 3, 1, pod(0, 2, one), pod(1, 2, other), pod(2, 4, one));
        assertThat(d.kind()).isEqualTo(Kind.CONFLICT);
        assertThat(d.send()).isNull();
    }

    @Test
    void aScaleOutMigratesSlotsOntoTheNewPodThenFinalizesAtTheNextEpochOnceEverySourceIsDone() {
        Layout one = decide(3, 3, 0, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 2, Layout.EMPTY)).send();
        // The new pod joins first, without slots: a client's refreshed view taken from any pod lists it before a source
        // sends it clients (-ASK). Moving at once, a client that picked the view of a pod still at epoch 1 closed its
        // connection to kv-3 with a command in flight there ("Connection closed", ClusterIT).
        Decision join = decide(4, 4, 1, pod(0, 2, one), pod(1, 2, one), pod(2, 2, one), pod(3, 2, Layout.EMPTY));
        assertThat(join.kind()).isEqualTo(Kind.APPLY);
        Layout joined = join.send();
        assertThat(joined.epoch()).isEqualTo(2);
        assertThat(joined.nodes()).containsKey(id(3));
        assertThat(joined.migrating()).as("nothing moves before every pod lists kv-3").isEmpty();
        assertThat(joined.owners()).isEqualTo(one.owners());
        assertThat(join.message()).contains("kv-3 join(s) without slots first");
        assertThat(decide(4, 4, 2, pod(0, 2, joined), pod(1, 2, one), pod(2, 2, joined), pod(3, 2, joined)).kind())
                .as("a pod not yet holding the join is sent it again before anything moves").isEqualTo(Kind.CONVERGE);

        Decision out = decide(4, 4, 2, pod(0, 2, joined), pod(1, 2, joined), pod(2, 2, joined), pod(3, 2, joined));
        assertThat(out.kind()).isEqualTo(Kind.APPLY);
        Layout two = out.send();
        assertThat(two.epoch()).isEqualTo(3);
        assertThat(out.sendTo()).as("the target first: no source sends a client or a key to a node not expecting it")
                .containsExactly("kv-3", "kv-0", "kv-1", "kv-2");
        assertThat(out.leading()).isEqualTo(1);
        assertThat(two.assignedSlots()).as("every slot keeps an owner while it moves").isEqualTo(SlotPlanner.SLOTS);
        assertThat(two.slotsOf(id(3)).isEmpty()).as("the new pod owns nothing until finalized").isTrue();
        assertThat(two.migrating()).allSatisfy(m -> assertThat(m.to()).isEqualTo(id(3)));
        assertThat(two.migrating().stream().mapToInt(m -> m.slots().cardinality()).sum()).isEqualTo(4096);
        for (SlotPlanner.Move m : two.migrating()) {
            BitSet owned = two.slotsOf(m.from());
            owned.and(m.slots());
            assertThat(owned).as("a source owns what it moves").isEqualTo(m.slots());
        }

        // Sources still moving: nothing sent; the status shows it.
        PodView[] moving = withProgress(two, "moving", 10, 5);
        Decision wait = decide(4, 4, 3, moving);
        assertThat(wait.kind()).isEqualTo(Kind.MIGRATING);
        assertThat(wait.send()).isNull();
        assertThat(wait.message()).contains("kv-3").contains("10 keys moved");
        // An operator restarted now decides the same from the same answers.
        assertThat(decide(4, 4, 0, moving).kind()).isEqualTo(Kind.MIGRATING);

        Decision fin = decide(4, 4, 3, withProgress(two, "done", 15, 0));
        assertThat(fin.kind()).isEqualTo(Kind.APPLY);
        Layout three = fin.send();
        assertThat(three.epoch()).isEqualTo(4);
        assertThat(three.migrating()).isEmpty();
        assertThat(three.assignedSlots()).isEqualTo(SlotPlanner.SLOTS);
        for (int i = 0; i < 4; i++) {
            assertThat(three.slotsOf(id(i)).cardinality()).isEqualTo(4096);
        }
        assertThat(decide(4, 4, 4, pod(0, 2, three), pod(1, 2, three), pod(2, 2, three), pod(3, 2, three)).kind()).isEqualTo(Kind.STEADY);
    }

    @Test
    void aReportOfOtherSlotsIsNotTakenForDone() {
        Layout one = decide(3, 3, 0, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 2, Layout.EMPTY)).send();
        Layout joined = decide(4, 4, 1, pod(0, 2, one), pod(1, 2, one), pod(2, 2, one), pod(3, 2, Layout.EMPTY)).send();
        Layout two = decide(4, 4, 2, pod(0, 2, joined), pod(1, 2, joined), pod(2, 2, joined), pod(3, 2, joined)).send();
        assertThat(two.migrating()).isNotEmpty();
        List<PodView> pods = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<Progress> progress = new ArrayList<>();
            for (SlotPlanner.Move m : two.migrating()) {
                if (m.from().equals(id(i))) {
                    BitSet other = (BitSet) m.slots().clone();
                    other.clear(other.nextSetBit(0));
                    progress.add(new Progress(m.to(), other, 3, 0, "done")); // an older migration's report
                }
            }
            pods.add(pod(i, 2, two, progress.toArray(Progress[]::new)));
        }
        assertThat(decide(4, 4, 3, pods.toArray(PodView[]::new)).kind()).isEqualTo(Kind.MIGRATING);
    }

    @Test
    void aScaleInDrainsThePodsAboveThePlanBeforeTheStatefulSetShrinks() {
        Layout one = decide(4, 4, 0, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 2, Layout.EMPTY), pod(3, 2, Layout.EMPTY)).send();
        Decision drain = decide(3, 4, 1, pod(0, 2, one), pod(1, 2, one), pod(2, 2, one), pod(3, 2, one));
        assertThat(drain.kind()).isEqualTo(Kind.APPLY);
        assertThat(drain.podsToKeep()).as("kv-3 owns slots: it stays").isEqualTo(4);
        Layout two = drain.send();
        assertThat(two.migrating()).allSatisfy(m -> assertThat(m.from()).isEqualTo(id(3)));
        assertThat(two.migrating().stream().mapToInt(m -> m.slots().cardinality()).sum()).isEqualTo(4096);
        assertThat(drain.sendTo()).containsExactlyInAnyOrder("kv-0", "kv-1", "kv-2", "kv-3");
        assertThat(drain.sendTo().get(3)).as("the source last").isEqualTo("kv-3");

        Decision moving = decide(3, 4, 2, withProgress(two, "moving", 1, 1));
        assertThat(moving.podsToKeep()).isEqualTo(4);

        Decision fin = decide(3, 4, 2, withProgress(two, "done", 2, 0));
        Layout three = fin.send();
        assertThat(three.migrating()).isEmpty();
        assertThat(three.slotsOf(id(3)).isEmpty()).isTrue();
        assertThat(three.nodes()).as("kv-3 takes a layout without migrations first: its mover stops").containsKey(id(3));
        assertThat(fin.sendTo()).containsExactlyInAnyOrder("kv-0", "kv-1", "kv-2", "kv-3");
        assertThat(fin.sendTo().subList(0, fin.leading())).as("the targets take their slots first").containsExactlyInAnyOrder("kv-0", "kv-1", "kv-2");
        assertThat(fin.podsToKeep()).isEqualTo(4);
        assertThat(three.assignedSlots()).isEqualTo(SlotPlanner.SLOTS);

        Decision drop = decide(3, 4, 3, pod(0, 2, three), pod(1, 2, three), pod(2, 2, three), pod(3, 2, three));
        assertThat(drop.kind()).isEqualTo(Kind.APPLY);
        Layout four = drop.send();
        assertThat(four.nodes()).doesNotContainKey(id(3));
        assertThat(four.owners()).isEqualTo(three.owners());
        assertThat(drop.sendTo()).containsExactly("kv-0", "kv-1", "kv-2");
        assertThat(drop.podsToKeep()).as("the others do not hold epoch 4 yet").isEqualTo(4);

        // kv-3 keeps epoch 3 (it cannot take a layout without itself); the others hold 4: kv-3 is drained.
        Decision after = decide(3, 4, 4, pod(0, 2, four), pod(1, 2, four), pod(2, 2, four), pod(3, 2, three));
        assertThat(after.kind()).isEqualTo(Kind.STEADY);
        assertThat(after.podsToKeep()).isEqualTo(3);
        // and once the StatefulSet has shrunk
        assertThat(decide(3, 3, 4, pod(0, 2, four), pod(1, 2, four), pod(2, 2, four)).kind()).isEqualTo(Kind.STEADY);
    }

    /**
     * A primary left without slots stays listed while clients still come to it: a client whose refreshed view drops it
     * closes its connection there, failing the command in flight (ClusterIT's "Connection closed", 2026-12-04). Once it
     * has sent no client elsewhere for {@link ClusterPlanner#CLIENTS_QUIET}, or has owned nothing for
     * {@link ClusterPlanner#CLIENTS_AT_MOST}, it is dropped; a pod that does not say (an older image) is dropped at once.
     */
    @Test
    void aPrimaryLeftWithoutSlotsStaysListedWhileClientsStillComeToIt() {
        Layout one = decide(4, 4, 0, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 2, Layout.EMPTY), pod(3, 2, Layout.EMPTY)).send();
        Layout two = decide(3, 4, 1, pod(0, 2, one), pod(1, 2, one), pod(2, 2, one), pod(3, 2, one)).send();
        Layout three = decide(3, 4, 2, withProgress(two, "done", 2, 0)).send();
        assertThat(three.slotsOf(id(3)).isEmpty()).isTrue();

        for (long[] comes : new long[][] {{800, -1}, {800, 100}, {6_000, 2_000}, {59_000, 10}}) {
            Decision held = decide(3, 4, 3, pod(0, 2, three), pod(1, 2, three), pod(2, 2, three), leaving(3, three, comes[0], comes[1]));
            assertThat(held.kind()).as("without slots %d ms, a client sent elsewhere %d ms ago", comes[0], comes[1]).isEqualTo(Kind.STEADY);
            assertThat(held.send()).isNull();
            assertThat(held.podsToKeep()).isEqualTo(4);
            assertThat(held.message()).contains("listed until their clients are gone: kv-3");
            assertThat(held.requeue()).isEqualTo(ClusterPlanner.BUSY);
        }
        for (long[] gone : new long[][] {{6_000, -1}, {6_000, 5_000}, {60_000, 10}}) {
            Decision drop = decide(3, 4, 3, pod(0, 2, three), pod(1, 2, three), pod(2, 2, three), leaving(3, three, gone[0], gone[1]));
            assertThat(drop.kind()).as("without slots %d ms, a client sent elsewhere %d ms ago", gone[0], gone[1]).isEqualTo(Kind.APPLY);
            assertThat(drop.send().nodes()).doesNotContainKey(id(3));
        }
        Decision older = decide(3, 4, 3, pod(0, 2, three), pod(1, 2, three), pod(2, 2, three), pod(3, 2, three));
        assertThat(older.send().nodes()).as("an image that does not say").doesNotContainKey(id(3));
    }

    static PodView leaving(int ordinal, Layout layout, long slotlessMs, long movedAgoMs) {
        return new PodView("kv-" + ordinal, ordinal, true, address(ordinal), new Observed(id(ordinal), 2, 0, layout, List.of(), null, null,
                true, new ClusterPlanner.Unused(slotlessMs, movedAgoMs)));
    }

    @Test
    void aPodRestartedWithoutItsDataGetsTheLostNodesSlotsWithoutAMove() {
        Layout one = bootstrap().send();
        String fresh = String.format("%040x", 0xbeef);
        Decision d = decide(3, 3, 1, pod(0, 2, one), pod(1, fresh, 2, Layout.EMPTY), pod(2, 4, one));
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        assertThat(d.lost()).containsExactly(id(1));
        Layout two = d.send();
        assertThat(two.nodes()).doesNotContainKey(id(1)).containsKey(fresh);
        assertThat(two.migrating()).isEmpty();
        assertThat(two.slotsOf(fresh)).isEqualTo(one.slotsOf(id(1)));
        assertThat(d.sendTo()).containsExactly("kv-0", "kv-1", "kv-2");
    }

    @Test
    void keysAPodHoldsBeforeAnyLayoutAreKeptItGetsEverySlotFirstAndTheOthersSharesMoveOffIt() {
        PodView holder = new PodView("kv-0", 0, true, address(0), new Observed(id(0), 2, 1000, Layout.EMPTY, List.of()));
        Decision d = decide(3, 3, 0, holder, pod(1, 2, Layout.EMPTY), pod(2, 2, Layout.EMPTY));
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        Layout one = d.send();
        assertThat(one.slotsOf(id(0)).cardinality()).isEqualTo(SlotPlanner.SLOTS);
        assertThat(one.nodes()).containsKeys(id(0), id(1), id(2));
        PodView holding = new PodView("kv-0", 0, true, address(0), new Observed(id(0), 2, 1000, one, List.of()));
        Decision next = decide(3, 3, 1, holding, pod(1, 2, one), pod(2, 2, one));
        assertThat(next.send().migrating()).extracting(SlotPlanner.Move::from).containsOnly(id(0));
        assertThat(next.send().migrating().stream().mapToInt(m -> m.slots().cardinality()).sum()).isEqualTo(2 * 5461);
    }

    /** A pod before any layout holding keys in {@code ranges} (as CLUSTER HELDSLOTS says), with replication asked when {@code replicas}. */
    static PodView holding(int ordinal, String ranges, boolean replicas) {
        return new PodView("kv-" + ordinal, ordinal, true, address(ordinal), new Observed(id(ordinal), 2, 100, Layout.EMPTY, List.of(),
                replicas ? io.percore.operator.replication.ReplicationPlanner.Observed.master(0) : null, Layout.parseRanges(ranges)));
    }

    static PodView empty(int ordinal, boolean replicas) {
        return new PodView("kv-" + ordinal, ordinal, true, address(ordinal), new Observed(id(ordinal), 2, 0, Layout.EMPTY, List.of(),
                replicas ? io.percore.operator.replication.ReplicationPlanner.Observed.master(0) : null, new java.util.BitSet()));
    }

    @Test
    void podsRestoredFromAClustersGroupsKeepTheSlotsOfTheirKeysInTheFirstLayout() {
        // three groups of a backup, keys in most slots of each range (slots 100-199 and 16000-16383 hold none)
        Decision d = decide(3, 3, 0, holding(0, "0-99,200-5460", false), holding(1, "5461-10922", false), holding(2, "10923-15999", false));
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        assertThat(d.reason()).isEqualTo("LayoutApplied");
        Layout one = d.send();
        assertThat(one.migrating()).as("nothing moves: every key is where its slot is").isEmpty();
        assertThat(one.slotsOf(id(0)).get(0, 5461)).isEqualTo(Layout.parseRanges("0-99,200-5460"));
        assertThat(one.slotsOf(id(1))).isEqualTo(Layout.parseRanges("5461-10922"));
        assertThat(one.slotsOf(id(2)).get(10923, 16000)).isEqualTo(Layout.parseRanges("10923-15999").get(10923, 16000));
        assertThat(one.assignedSlots()).as("the slots no one holds are handed out at once").isEqualTo(SlotPlanner.SLOTS);
        assertThat(d.message()).contains("kv-0, kv-1, kv-2 keep the slots of the keys they hold");
        // and the holders stay where they are: the next epoch plans from them like any layout
        Decision next = decide(3, 3, 1, pod(0, 2, one), pod(1, 2, one), pod(2, 2, one));
        assertThat(next.send() == null ? List.of() : next.send().migrating()).allSatisfy(m ->
                assertThat(((SlotPlanner.Move) m).slots().cardinality()).isLessThan(200));
    }

    @Test
    void restoredHoldersAreTheGroupsPrimariesAndTheEmptyPodsTheirReplicas() {
        // a cluster of 2 primaries with a replica each; the restore put the groups on kv-0 and kv-1
        Decision d = ClusterPlanner.decide(new Input(List.of(holding(0, "0-8191", true), holding(1, "8192-16383", true), empty(2, true),
                empty(3, true)), 4, 4, 0, 1, ReplicaGroups.Clock.NONE));
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        Layout one = d.send();
        assertThat(one.primaries()).containsExactlyInAnyOrder(id(0), id(1));
        assertThat(one.replicaOf()).containsOnlyKeys(id(2), id(3));
        assertThat(one.slotsOf(id(0))).isEqualTo(Layout.parseRanges("0-8191"));
        assertThat(one.slotsOf(id(1))).isEqualTo(Layout.parseRanges("8192-16383"));
    }

    @Test
    void holdersWhoseSlotsOverlapOrAreUnknownAreRefused() {
        Decision overlap = decide(3, 3, 0, holding(0, "0-6000", false), holding(1, "5461-10922", false), empty(2, false));
        assertThat(overlap.kind()).isEqualTo(Kind.CONFLICT);
        assertThat(overlap.reason()).isEqualTo("KeysOnSeveralPods");
        PodView unknown = new PodView("kv-1", 1, true, address(1), new Observed(id(1), 2, 5, Layout.EMPTY, List.of()));
        assertThat(decide(3, 3, 0, holding(0, "0-99", false), unknown, empty(2, false)).reason()).isEqualTo("KeysOnSeveralPods");
        // more holders than primaries: one would be a replica and lose its keys
        Decision tooMany = ClusterPlanner.decide(new Input(List.of(holding(0, "0-99", true), holding(1, "100-199", true),
                holding(2, "200-299", true), empty(3, true)), 4, 4, 0, 1, ReplicaGroups.Clock.NONE));
        assertThat(tooMany.reason()).isEqualTo("KeysOnSeveralPods");
    }

    /**
     * Two replicas that copied one primary's stream (restarted without persistence, told to follow it, which then
     * restarted empty too) hold keys before any layout: one stream, the one that went furthest kept, the other its
     * replica. Read as keys of their own on several pods, the cluster stopped for good (ClusterFailoverPropertyTest, seed
     * 31010029). Copies of two primaries' streams are two pods' keys, as before.
     */
    @Test
    void copiesOfOnePrimarysStreamBeforeAnyLayoutAreKeptOnceTheFurthestWithTheOtherAsItsReplica() {
        HostPort gone = new HostPort("10.0.9.9", 6379);
        PodView furthest = copy(1, gone, 7, 5);
        PodView behind = copy(2, gone, 5, 4);
        Decision d = ClusterPlanner.decide(new Input(List.of(empty(0, true), furthest, behind, empty(3, true)), 4, 4, 0, 1,
                ReplicaGroups.Clock.NONE));
        assertThat(d.kind()).as("%s", d).isEqualTo(Kind.APPLY);
        assertThat(d.send().slotsOf(id(1)).cardinality()).as("every slot to the copy that went furthest").isEqualTo(SlotPlanner.SLOTS);
        assertThat(d.send().replicaOf()).containsEntry(id(2), id(1));

        Decision two = ClusterPlanner.decide(new Input(List.of(empty(0, true), furthest, copy(2, new HostPort("10.0.9.8", 6379), 5, 4),
                empty(3, true)), 4, 4, 0, 1, ReplicaGroups.Clock.NONE));
        assertThat(two.reason()).as("copies of two streams").isEqualTo("KeysOnSeveralPods");

        // back from an append-only file, a copy says no offset: ranked by keys, not at 0
        Decision fromItsFile = ClusterPlanner.decide(new Input(List.of(empty(0, true), copy(1, gone, 7, 5), copy(2, gone, 0, 6),
                empty(3, true)), 4, 4, 0, 1, ReplicaGroups.Clock.NONE));
        assertThat(fromItsFile.send().slotsOf(id(2)).cardinality()).as("%s", fromItsFile).isEqualTo(SlotPlanner.SLOTS);
        assertThat(fromItsFile.send().replicaOf()).containsEntry(id(1), id(2));
    }

    /**
     * Before any layout, a master that went on from the history a replica copied (promoted by a first layout's
     * {@code REPLICAOF NO ONE}, the operator stopped before the layout reached anyone) holds that copy's stream up to where
     * it left it: the copy, no further, joins it as its replica. Both counted as keys of their own, the cluster stopped for
     * good (ClusterFailoverPropertyTest, seed 36045569). A copy that went further than where the master left, or two
     * masters that went on from the one history, are keys on several pods, as before.
     */
    @Test
    void aCopyOfAHistoryAMasterWentOnFromJoinsThatMasterBeforeAnyLayout() {
        HostPort gone = new HostPort("10.0.9.9", 6379);
        PodView wentOn = new PodView("kv-1", 1, true, address(1), new Observed(id(1), 2, 1, Layout.EMPTY, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.master(1).withHistory("B", "A", 2), null));
        PodView copy = new PodView("kv-2", 2, true, address(2), new Observed(id(2), 2, 1, Layout.EMPTY, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.replica(1, gone, false).withHistory("A", null), null));
        Decision d = ClusterPlanner.decide(new Input(List.of(empty(0, true), wentOn, copy, empty(3, true)), 4, 4, 0, 1,
                ReplicaGroups.Clock.NONE));
        assertThat(d.kind()).as("%s", d).isEqualTo(Kind.APPLY);
        assertThat(d.send().slotsOf(id(1)).cardinality()).as("every slot to the master").isEqualTo(SlotPlanner.SLOTS);
        assertThat(d.send().replicaOf()).containsEntry(id(2), id(1));

        PodView further = new PodView("kv-2", 2, true, address(2), new Observed(id(2), 2, 2, Layout.EMPTY, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.replica(2, gone, false).withHistory("A", null), null));
        assertThat(ClusterPlanner.decide(new Input(List.of(empty(0, true), wentOn, further, empty(3, true)), 4, 4, 0, 1,
                ReplicaGroups.Clock.NONE)).reason()).as("the copy went past where the master left").isEqualTo("KeysOnSeveralPods");
        PodView sibling = new PodView("kv-3", 3, true, address(3), new Observed(id(3), 2, 1, Layout.EMPTY, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.master(1).withHistory("C", "A", 2), null));
        assertThat(ClusterPlanner.decide(new Input(List.of(empty(0, true), wentOn, copy, sibling), 4, 4, 0, 1,
                ReplicaGroups.Clock.NONE)).reason()).as("two went on from it").isEqualTo("KeysOnSeveralPods");
    }

    /** Before any layout, a replica of {@code primary} (its link down) at {@code offset}, holding {@code keys}. */
    private static PodView copy(int ordinal, HostPort primary, long offset, long keys) {
        return new PodView("kv-" + ordinal, ordinal, true, address(ordinal), new Observed(id(ordinal), 2, keys, Layout.EMPTY, List.of(),
                io.percore.operator.replication.ReplicationPlanner.Observed.replica(offset, primary, false), null));
    }

    @Test
    void keysOnSeveralPodsBeforeAnyLayoutAreRefused() {
        PodView a = new PodView("kv-0", 0, true, address(0), new Observed(id(0), 2, 10, Layout.EMPTY, List.of()));
        PodView b = new PodView("kv-1", 1, true, address(1), new Observed(id(1), 2, 5, Layout.EMPTY, List.of()));
        Decision d = decide(3, 3, 0, a, b, pod(2, 2, Layout.EMPTY));
        assertThat(d.kind()).isEqualTo(Kind.CONFLICT);
        assertThat(d.send()).isNull();
        assertThat(d.reason()).isEqualTo("KeysOnSeveralPods");
    }

    @Test
    void theEpochIsNeverBelowWhatTheStatusRecorded() {
        Decision d = decide(3, 3, 7, pod(0, 2, Layout.EMPTY), pod(1, 2, Layout.EMPTY), pod(2, 4, Layout.EMPTY));
        assertThat(d.send().epoch()).isEqualTo(8);
    }

    @Test
    void aPodOfAnotherAddressIsAnnouncedAtANewEpochWithoutMovingSlots() {
        Layout one = bootstrap().send();
        PodView moved = new PodView("kv-1", 1, true, new HostPort("10.0.9.9", 6379), new Observed(id(1), 2, one, List.of()));
        Decision d = decide(3, 3, 1, pod(0, 2, one), moved, pod(2, 4, one));
        assertThat(d.kind()).isEqualTo(Kind.APPLY);
        assertThat(d.send().nodes()).containsEntry(id(1), new HostPort("10.0.9.9", 6379));
        assertThat(d.send().owners()).isEqualTo(one.owners());
    }

    /** Every pod holding {@code l}, each source reporting its migrations in {@code state}. */
    private static PodView[] withProgress(Layout l, String state, long moved, long left) {
        List<PodView> pods = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<Progress> progress = new ArrayList<>();
            for (SlotPlanner.Move m : l.migrating()) {
                if (m.from().equals(id(i))) {
                    progress.add(new Progress(m.to(), m.slots(), moved, left, state));
                }
            }
            pods.add(pod(i, 2, l, progress.toArray(Progress[]::new)));
        }
        return pods.toArray(PodView[]::new);
    }
}
