package io.percore.operator.cluster;

import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Kind;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.replication.ReplicationPlanner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The roll of a clustered service with replicas (its StatefulSet is {@code OnDelete}): pure, as the
 * roll of {@code ReplicationPlanner}, applied to a step of {@link ClusterPlanner} that found nothing else
 * to do. One step per reconcile, and only while the cluster is calm — the step is {@code STEADY}
 * (every wanted pod Ready and answering, no migration, the plan in force on every pod, every replica
 * following its primary and linked, no primary unavailable) and every replica has caught up (its
 * offset within {@link #CAUGHT_UP_LAG} of its primary's, both read in this reconcile):
 *
 * <ol>
 * <li>the outdated pod with the highest ordinal that is not a primary of the layout in force is deleted
 *     (the StatefulSet recreates it at the update revision; without persistence it comes back with a new
 *     id and no keys, and {@link ReplicaGroups#assign} makes it the replica its group lacks);</li>
 * <li>when only primaries are outdated, the one with the highest ordinal is failed over on purpose to its
 *     replica with the highest offset (lowest ordinal on a tie): the failover's own promotion and epoch
 *     ({@link ReplicaGroups#failoverDecision}), after the driver has waited for that replica to reach the
 *     primary's offset; the old primary is then a replica of its group, and rule 1 deletes it once it
 *     follows the new primary and is in sync.</li>
 * </ol>
 * A replica that does not catch up holds the roll (the step says which); a switchover whose replica does not
 * reach the primary's offset in time is given up by the driver and tried again at a later calm step.
 */
public final class ClusterRoll {

    /**
     * How far (bytes of replication stream) a replica may trail its primary, the two offsets read one after the
     * other in a reconcile, and count as caught up: writes go on between the two reads.
     */
    public static final long CAUGHT_UP_LAG = 1 << 20;

    private ClusterRoll() {
    }

    /**
     * What the roll does in this step.
     *
     * @param delete the pod to delete (null: a switchover)
     * @param from   the switchover's outdated primary (pod name)
     * @param to     the replica taking over (pod name)
     */
    public record Step(String delete, String from, String to) {
        public boolean switchover() {
            return delete == null;
        }
    }

    /** {@code d} when no pod is outdated; else the roll's step, or why the roll waits (never {@code STEADY}). */
    static Decision next(Decision d, List<PodView> pods, Map<String, PodView> byId, long nextEpoch) {
        List<PodView> outdated = pods.stream().filter(p -> !p.updated()).toList();
        if (outdated.isEmpty()) {
            return d;
        }
        String names = String.join(", ", outdated.stream().map(PodView::name).toList());
        if (d.kind() != Kind.STEADY || !d.unavailableSince().isEmpty()) {
            return d; // not calm: the step under way first (its condition is not True either)
        }
        Layout inForce = d.current();
        List<String> behind = behind(inForce, byId);
        if (!behind.isEmpty()) {
            return with(d, Kind.ROLL, "RollingReplicas", names + " run an old template; the roll waits until every replica has caught"
                    + " up with its primary: " + String.join("; ", behind), null);
        }
        PodView replica = outdated.stream().filter(p -> !inForce.primaries().contains(p.observed().nodeId()))
                .max(Comparator.comparingInt(PodView::ordinal)).orElse(null);
        if (replica != null) {
            return with(d, Kind.ROLL, "RollingReplicas", names + " run an old template: deleting " + replica.name()
                    + " (not a primary; the StatefulSet recreates it at the update revision, it rejoins as a replica)",
                    new Step(replica.name(), null, null));
        }
        PodView primary = outdated.stream().max(Comparator.comparingInt(PodView::ordinal)).orElseThrow();
        String id = primary.observed().nodeId();
        PodView to = inForce.replicasOf(id).stream().map(byId::get)
                .min(Comparator.comparingLong((PodView c) -> -ReplicaGroups.offset(c)).thenComparingInt(PodView::ordinal)).orElse(null);
        if (to == null) {
            return with(d, Kind.ROLL, "PrimaryOutdated", names + " run an old template; primary " + primary.name()
                    + " has no replica to switch over to", null);
        }
        Decision failover = ReplicaGroups.failoverDecision(inForce, List.of(new ReplicaGroups.Failover(id, to.observed().nodeId())),
                nextEpoch, byId, d.podsToKeep());
        Decision linked = ReplicaGroups.withLinks(failover, byId, Map.of(), List.of(), 0);
        return with(linked, Kind.SWITCHOVER, "SwitchingOver", "epoch " + nextEpoch + ": every replica runs the update revision;"
                + " switching over from " + primary.name() + " to " + to.name() + " (offset " + ReplicaGroups.offset(to) + ") before rolling "
                + primary.name(), new Step(null, primary.name(), to.name()));
    }

    /**
     * A scale-in whose pods below the wanted count all follow primaries above it (failovers made them replicas): no member
     * is a primary to take slots by migration ({@link SlotPlanner} has none to plan for). The leaving primary of the lowest
     * ordinal with a replica below the count hands its group over to that replica first, by this roll's switchover (its
     * writes paused until the replica has its offset); the scale-in then migrates the other leaving groups' slots to it.
     * Found by ClusterPlannerSimulationTest (seed 20261137), where the planner threw.
     */
    static Decision handOver(Layout inForce, Map<String, PodView> byId, int members, int keep, long nextEpoch) {
        for (String id : inForce.primaries().stream().sorted(Comparator.comparingInt(p -> byId.containsKey(p) ? byId.get(p).ordinal() : 0))
                .toList()) {
            PodView primary = byId.get(id);
            if (primary == null || primary.ordinal() < members) {
                continue;
            }
            PodView to = inForce.replicasOf(id).stream().map(byId::get).filter(r -> r != null && r.ordinal() < members)
                    .min(Comparator.comparingLong((PodView c) -> -ReplicaGroups.offset(c)).thenComparingInt(PodView::ordinal)).orElse(null);
            if (to == null) {
                continue;
            }
            List<String> behind = behind(inForce, byId);
            if (!behind.isEmpty()) {
                return new Decision(Kind.REPLICAS_SYNCING, null, List.of(), 0, inForce, keep, List.of(), "HandingOver", "no pod below "
                        + members + " is a primary: " + primary.name() + " hands its group over to " + to.name() + " once every replica"
                        + " has caught up: " + String.join("; ", behind), ClusterPlanner.BUSY);
            }
            Decision failover = ReplicaGroups.failoverDecision(inForce, List.of(new ReplicaGroups.Failover(id, to.observed().nodeId())),
                    nextEpoch, byId, keep);
            Decision linked = ReplicaGroups.withLinks(failover, byId, Map.of(), List.of(), 0);
            return with(linked, Kind.SWITCHOVER, "SwitchingOver", "epoch " + nextEpoch + ": no pod below " + members + " is a primary;"
                    + " switching over from " + primary.name() + " (leaving) to " + to.name() + " (offset " + ReplicaGroups.offset(to)
                    + ") before the scale-in moves slots", new Step(null, primary.name(), to.name()));
        }
        return new Decision(Kind.CONFLICT, null, List.of(), 0, inForce, keep, List.of(), "NoMemberPrimary", "no pod below " + members
                + " is a primary or a replica of one: nothing can take the leaving pods' slots", ClusterPlanner.PERIOD);
    }

    /** The replicas of the layout in force that are not in sync with their primary, or trail it by more than the lag. */
    static List<String> behind(Layout inForce, Map<String, PodView> byId) {
        List<String> behind = new ArrayList<>();
        inForce.replicaOf().forEach((replica, primary) -> {
            PodView r = byId.get(replica);
            PodView p = byId.get(primary);
            ReplicationPlanner.Observed rr = r == null ? null : r.observed().replication();
            ReplicationPlanner.Observed pr = p == null ? null : p.observed().replication();
            String name = r == null ? replica : r.name();
            if (rr == null || pr == null) {
                behind.add(name + " (replication state unknown)");
            } else if (!rr.linkUp()) {
                behind.add(name + " not linked");
            } else if (pr.offset() - rr.offset() > CAUGHT_UP_LAG) {
                behind.add(name + " at offset " + rr.offset() + " of " + pr.offset());
            }
        });
        return behind;
    }

    private static Decision with(Decision d, Kind kind, String reason, String message, Step step) {
        return new Decision(kind, d.send(), d.sendTo(), d.leading(), d.current(), d.podsToKeep(), d.lost(), reason, message,
                ClusterPlanner.BUSY, d.links(), d.unavailableSince(), step);
    }
}
