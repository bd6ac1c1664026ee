package io.percore.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Kind;
import io.percore.operator.cluster.ClusterPlanner.Observed;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.cluster.ClusterPlanner.Progress;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The planner driving a simulated cluster through random re-plans (pods added and removed, pods of
 * different sizes), with sends that fail, pods that go silent, restart without their data, and
 * sources that finish their migrations when they like. Each step plays the reconciler: decide,
 * send, size the StatefulSet to {@link Decision#podsToKeep()}. Checked at every step: a layout sent
 * at a new epoch is above every epoch a pod holds (a resend is the current one, unchanged); every
 * layout sent after the first gives every slot an owner; a slot's owner holds its keys, or the slot
 * migrates between the node that has them and another; a finalized slot's keys were reported moved
 * (done) by its source; a pod leaves only when no pod's current layout names it. And once the
 * disturbances stop, the cluster settles with every member's share in proportion to its shards.
 */
class ClusterPlannerSimulationTest {

    private static final int RUNS = 20;

    /** A pod process: its id, shards, the layout it holds, how long its migrations have run. */
    private static final class SimPod {
        final String id;
        final int shards;
        Layout held = Layout.EMPTY;
        boolean silent;
        final Map<String, Integer> age = new HashMap<>();

        SimPod(String id, int shards) {
            this.id = id;
            this.shards = shards;
        }
    }

    @Test
    void randomReplansKeepEverySlotOwnedAndItsKeysWithItsOwner() {
        long base = Long.getLong("percore.seed", 20261124L);
        for (int run = 0; run < RUNS; run++) {
            long seed = base + run;
            simulate(new Random(seed), "seed=" + seed);
        }
    }

    private void simulate(Random rnd, String ctx) {
        int[] nextId = {1};
        List<SimPod> pods = new ArrayList<>();
        int members = 1 + rnd.nextInt(4);
        int running = members;
        /** Per slot: the node id holding its keys (null: none yet, or lost). */
        String[] keysOn = new String[SlotPlanner.SLOTS];
        long floor = 0;
        boolean sentOnce = false;
        for (int step = 0; step < 300; step++) {
            boolean calm = step >= 200;
            while (pods.size() < running) {
                pods.add(new SimPod(String.format("%040x", nextId[0]++), 1 + rnd.nextInt(4)));
            }
            while (pods.size() > running) {
                SimPod gone = pods.remove(pods.size() - 1);
                for (SimPod p : pods) {
                    assertThat(p.held.nodes()).as(ctx + " step " + step + ": a pod left while named by a layout").doesNotContainKey(gone.id);
                }
                for (int s = 0; s < SlotPlanner.SLOTS; s++) {
                    assertThat(keysOn[s]).as(ctx + ": a leaving pod held keys").isNotEqualTo(gone.id);
                }
            }
            if (!calm) {
                if (rnd.nextInt(12) == 0) {
                    members = 1 + rnd.nextInt(5);
                }
                if (rnd.nextInt(40) == 0 && !pods.isEmpty()) {
                    // a pod restarted without its data: a new id, nothing held, its keys gone
                    int i = rnd.nextInt(pods.size());
                    SimPod old = pods.get(i);
                    pods.set(i, new SimPod(String.format("%040x", nextId[0]++), old.shards));
                    for (int s = 0; s < SlotPlanner.SLOTS; s++) {
                        if (old.id.equals(keysOn[s])) {
                            keysOn[s] = null;
                        }
                    }
                }
                for (SimPod p : pods) {
                    p.silent = rnd.nextInt(15) == 0;
                }
            } else {
                pods.forEach(p -> p.silent = false);
            }

            // sources finish when they like (always, once calm)
            Map<String, List<Progress>> progress = new HashMap<>();
            for (SimPod p : pods) {
                List<Progress> mine = new ArrayList<>();
                for (SlotPlanner.Move m : p.held.migrating()) {
                    if (!m.from().equals(p.id)) {
                        continue;
                    }
                    String key = p.held.epoch() + m.to();
                    int age = p.age.merge(key, 1, Integer::sum);
                    boolean targetAlive = pods.stream().anyMatch(q -> q.id.equals(m.to()));
                    boolean done = targetAlive && (calm || age > 1 + rnd.nextInt(4));
                    if (done) {
                        for (int s = m.slots().nextSetBit(0); s >= 0; s = m.slots().nextSetBit(s + 1)) {
                            if (p.id.equals(keysOn[s])) { // a source moves the keys it has
                                keysOn[s] = m.to();
                            }
                        }
                    }
                    mine.add(new Progress(m.to(), m.slots(), 0, done ? 0 : 1, done ? "done" : "moving"));
                }
                progress.put(p.id, mine);
            }

            List<PodView> views = new ArrayList<>();
            long maxHeld = 0;
            for (int i = 0; i < pods.size(); i++) {
                SimPod p = pods.get(i);
                maxHeld = Math.max(maxHeld, p.held.epoch());
                views.add(new PodView("kv-" + i, i, true, new HostPort("10.0.0." + i, 6379),
                        p.silent ? null : new Observed(p.id, p.shards, p.held, progress.get(p.id))));
            }
            Decision d = ClusterPlanner.decide(new ClusterPlanner.Input(views, members, running, floor));
            if (d.send() != null) {
                Layout l = d.send();
                if (d.kind() == Kind.CONVERGE) {
                    assertThat(l.epoch()).as(ctx + ": a resend is the current layout").isEqualTo(maxHeld);
                } else {
                    assertThat(l.epoch()).as(ctx + ": a new layout's epoch").isGreaterThan(maxHeld).isGreaterThan(floor);
                }
                if (sentOnce || l.epoch() > 1) {
                    assertThat(l.assignedSlots()).as(ctx + " step " + step + ": every slot has an owner").isEqualTo(SlotPlanner.SLOTS);
                }
                sentOnce = true;
                checkKeysFollowOwners(l, keysOn, ctx + " step " + step);
                boolean any = false;
                boolean leadFailed = false;
                for (int i = 0; i < d.sendTo().size(); i++) {
                    if (leadFailed && i >= d.leading()) {
                        break; // as the driver: sources wait until every target has it
                    }
                    SimPod p = pods.get(Integer.parseInt(d.sendTo().get(i).substring(3)));
                    if (!calm && rnd.nextInt(10) == 0) {
                        leadFailed |= i < d.leading();
                        continue; // the send failed
                    }
                    if (i >= d.leading()) {
                        for (int t = 0; t < d.leading(); t++) {
                            SimPod target = pods.get(Integer.parseInt(d.sendTo().get(t).substring(3)));
                            assertThat(target.held.epoch()).as(ctx + ": a source is sent a layout before its target").isGreaterThanOrEqualTo(l.epoch());
                        }
                    }
                    assertThat(l.nodes()).as(ctx + ": sent to a pod the layout does not name").containsKey(p.id);
                    if (l.epoch() > p.held.epoch()) {
                        p.held = l;
                        any = true;
                        java.util.BitSet mine = l.slotsOf(p.id);
                        for (int s = mine.nextSetBit(0); s >= 0; s = mine.nextSetBit(s + 1)) {
                            if (keysOn[s] == null) {
                                keysOn[s] = p.id;
                            }
                        }
                    }
                }
                if (any) {
                    floor = Math.max(floor, l.epoch());
                }
            }
            running = d.podsToKeep();
            assertThat(running).isGreaterThanOrEqualTo(members);
        }
        // settled: everyone holds the plan, balanced
        Decision last = null;
        for (int i = 0; i < 20 && (last == null || last.kind() != Kind.STEADY); i++) {
            List<PodView> views = new ArrayList<>();
            for (int j = 0; j < pods.size(); j++) {
                SimPod p = pods.get(j);
                views.add(new PodView("kv-" + j, j, true, new HostPort("10.0.0." + j, 6379), new Observed(p.id, p.shards, p.held, List.of())));
            }
            last = ClusterPlanner.decide(new ClusterPlanner.Input(views, members, running, floor));
        }
        assertThat(last.kind()).as(ctx + ": settles").isEqualTo(Kind.STEADY);
        Layout l = last.current();
        long totalShards = pods.stream().limit(members).mapToLong(p -> p.shards).sum();
        for (int j = 0; j < members; j++) {
            double exact = (double) SlotPlanner.SLOTS * pods.get(j).shards / totalShards;
            assertThat((double) l.slotsOf(pods.get(j).id).cardinality()).as(ctx + ": share").isCloseTo(exact, org.assertj.core.data.Offset.offset(1.0));
        }
    }

    /** A slot's owner has its keys, or it migrates and its keys are on its source or target. */
    private static void checkKeysFollowOwners(Layout l, String[] keysOn, String ctx) {
        SlotPlanner.Move[] moving = new SlotPlanner.Move[SlotPlanner.SLOTS];
        for (SlotPlanner.Move m : l.migrating()) {
            for (int s = m.slots().nextSetBit(0); s >= 0; s = m.slots().nextSetBit(s + 1)) {
                moving[s] = m;
            }
        }
        for (Map.Entry<String, java.util.BitSet> e : l.owners().entrySet()) {
            java.util.BitSet slots = e.getValue();
            for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
                String keys = keysOn[s];
                if (keys == null) {
                    continue; // no keys anywhere yet (or lost): they start on the owner that takes it
                }
                SlotPlanner.Move m = moving[s];
                boolean fine = m == null ? keys.equals(e.getKey()) : keys.equals(m.from()) || keys.equals(m.to());
                if (!fine) {
                    assertThat(keys).as(ctx + ": slot " + s + (m == null ? "'s owner has its keys" : " moving")).isEqualTo(e.getKey());
                }
            }
        }
    }
}
