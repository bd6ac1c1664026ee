package io.percore.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random clusters and re-plans (members added, removed, resized; current layouts balanced,
 * skewed or partly unowned): every plan covers every slot once, gives each member its share of
 * the slots in proportion to its shards (within one slot of exact), moves no slot it need not
 * move (exactly the members' excess and the leavers' slots), moves only from the slot's current
 * owner, and is stable (planning again from its own result moves nothing).
 */
class SlotPlannerPropertyTest {

    private static final int RUNS = 2000;

    @Test
    void plansCoverBalanceAndMoveTheFewestSlots() {
        long baseSeed = Long.getLong("percore.seed", 20261124L);
        for (int run = 0; run < RUNS; run++) {
            long seed = baseSeed + run;
            Random rnd = new Random(seed);
            List<SlotPlanner.Member> members = randomMembers(rnd, "m");
            Map<String, BitSet> current = randomCurrent(rnd, members);
            String ctx = "seed=" + seed + " members=" + members;
            SlotPlanner.Plan plan = SlotPlanner.plan(members, current);

            // coverage: each slot exactly once, and only by members
            BitSet all = new BitSet();
            int sum = 0;
            assertThat(plan.owners().keySet()).as(ctx).containsExactlyInAnyOrderElementsOf(members.stream().map(SlotPlanner.Member::id).toList());
            for (BitSet slots : plan.owners().values()) {
                assertThat(slots.intersects(all)).as(ctx).isFalse();
                all.or(slots);
                sum += slots.cardinality();
            }
            assertThat(sum).as(ctx).isEqualTo(SlotPlanner.SLOTS);
            assertThat(all.cardinality()).as(ctx).isEqualTo(SlotPlanner.SLOTS);

            // balance: within one slot of the exact proportional share
            long shards = members.stream().mapToLong(SlotPlanner.Member::shards).sum();
            for (SlotPlanner.Member m : members) {
                double exact = (double) SlotPlanner.SLOTS * m.shards() / shards;
                assertThat(Math.abs(plan.owners().get(m.id()).cardinality() - exact)).as("%s share of %s", ctx, m.id()).isLessThan(1.0);
            }

            // minimal movement: what moves is exactly what current owners hold beyond their new share
            int mustMove = 0;
            for (Map.Entry<String, BitSet> e : current.entrySet()) {
                BitSet target = plan.owners().get(e.getKey());
                int keep = target == null ? 0 : Math.min(e.getValue().cardinality(), target.cardinality());
                mustMove += e.getValue().cardinality() - keep;
            }
            assertThat(plan.movedSlots()).as(ctx).isEqualTo(mustMove);

            // every move leaves the slot's current owner for its new one
            for (SlotPlanner.Move move : plan.moves()) {
                BitSet from = current.get(move.from());
                BitSet moved = (BitSet) move.slots().clone();
                moved.andNot(from);
                assertThat(moved.isEmpty()).as("%s: %s moves slots it does not own", ctx, move.from()).isTrue();
                BitSet to = (BitSet) move.slots().clone();
                to.andNot(plan.owners().get(move.to()));
                assertThat(to.isEmpty()).as(ctx).isTrue();
                assertThat(move.from()).isNotEqualTo(move.to());
            }

            // stable: the plan of a plan moves nothing
            SlotPlanner.Plan again = SlotPlanner.plan(members, plan.owners());
            assertThat(again.moves()).as(ctx).isEmpty();
            assertThat(again.owners()).as(ctx).isEqualTo(plan.owners());
        }
    }

    @Test
    void aPodAddedTakesItsShareFromTheOthersAndAPodRemovedIsDrained() {
        List<SlotPlanner.Member> three = List.of(new SlotPlanner.Member("a", 2), new SlotPlanner.Member("b", 2), new SlotPlanner.Member("c", 2));
        SlotPlanner.Plan first = SlotPlanner.plan(three, Map.of());
        assertThat(first.moves()).isEmpty(); // a new cluster: slots assigned, nothing to move
        assertThat(SlotPlanner.rangesText(first.owners().get("a"))).isEqualTo("0-5461");
        assertThat(SlotPlanner.rangesText(first.owners().get("b"))).isEqualTo("5462-10922");
        assertThat(SlotPlanner.rangesText(first.owners().get("c"))).isEqualTo("10923-16383");

        // a fourth pod, twice as large (a NUMA-fit pod of 4 shards): 4/10 of the slots, a third of them from each
        List<SlotPlanner.Member> four = new ArrayList<>(three);
        four.add(new SlotPlanner.Member("d", 4));
        SlotPlanner.Plan grown = SlotPlanner.plan(four, first.owners());
        assertThat(grown.owners().get("d").cardinality()).isEqualTo(6553); // 16384 * 4/10 = 6553.6: the others' .8 remainders round up first
        assertThat(grown.moves()).extracting(SlotPlanner.Move::from).containsExactly("a", "b", "c");
        assertThat(grown.moves()).allMatch(m -> m.to().equals("d"));
        assertThat(grown.movedSlots()).isEqualTo(6553);

        // pod b leaves: its slots go to the others, nothing else moves
        List<SlotPlanner.Member> withoutB = List.of(four.get(0), four.get(2), four.get(3));
        SlotPlanner.Plan shrunk = SlotPlanner.plan(withoutB, grown.owners());
        assertThat(shrunk.moves()).allMatch(m -> m.from().equals("b"));
        assertThat(shrunk.movedSlots()).isEqualTo(grown.owners().get("b").cardinality());
    }

    @Test
    void refusesWhatCannotBePlanned() {
        assertThatThrownBy(() -> SlotPlanner.plan(List.of(), Map.of())).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> new SlotPlanner.Member("x", 0)).hasMessageContaining("at least one shard");
        assertThatThrownBy(() -> SlotPlanner.plan(List.of(new SlotPlanner.Member("x", 1), new SlotPlanner.Member("x", 2)), Map.of()))
                .hasMessageContaining("listed twice");
        BitSet one = new BitSet();
        one.set(7);
        assertThatThrownBy(() -> SlotPlanner.plan(List.of(new SlotPlanner.Member("x", 1)), Map.of("x", one, "y", one)))
                .hasMessageContaining("owned twice");
    }

    private static List<SlotPlanner.Member> randomMembers(Random rnd, String prefix) {
        int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 40 : 8);
        List<SlotPlanner.Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(new SlotPlanner.Member(prefix + i, 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 64)));
        }
        return members;
    }

    /** A current layout over some of the members and some leavers: balanced, skewed, partial, or none. */
    private static Map<String, BitSet> randomCurrent(Random rnd, List<SlotPlanner.Member> members) {
        Map<String, BitSet> current = new LinkedHashMap<>();
        int kind = rnd.nextInt(4);
        if (kind == 0) {
            return current;
        }
        List<String> holders = new ArrayList<>();
        for (SlotPlanner.Member m : members) {
            if (rnd.nextInt(4) != 0) {
                holders.add(m.id());
            }
        }
        int leavers = rnd.nextInt(3);
        for (int i = 0; i < leavers; i++) {
            holders.add("gone" + i);
        }
        if (holders.isEmpty()) {
            return current;
        }
        Map<String, BitSet> byHolder = new HashMap<>();
        for (int s = 0; s < SlotPlanner.SLOTS; s++) {
            if (kind == 3 && rnd.nextInt(5) == 0) {
                continue; // partly unowned
            }
            String h = kind == 2 ? holders.get(Math.min(holders.size() - 1, (int) Math.floor(Math.pow(rnd.nextDouble(), 3) * holders.size())))
                    : holders.get(s * holders.size() / SlotPlanner.SLOTS);
            byHolder.computeIfAbsent(h, k -> new BitSet()).set(s);
        }
        current.putAll(byHolder);
        return current;
    }
}
