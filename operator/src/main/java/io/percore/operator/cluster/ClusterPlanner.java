package io.percore.operator.cluster;

import io.percore.operator.replication.PodLoss;
import io.percore.operator.replication.ReplicationPlanner;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the operator does next to a clustered service's pods, from what they answered: a pure
 * function (pods' node ids, shards, layouts and migrations, and the wanted pod count → the layout
 * to send and to whom), as {@code ReplicationPlanner} is for replication. One step per reconcile:
 *
 * <ol>
 * <li>every pod the StatefulSet runs must be Ready and answer, else nothing is sent (a node id the
 *     operator cannot read could be one the layout names);</li>
 * <li>the layout with the highest epoch any pod holds is the current one; a pod it names that holds
 *     an older one is sent it again (same epoch, same text: safe to repeat) before anything else;</li>
 * <li>while slots migrate, each source is asked how far it is; once every source says {@code done}
 *     the next epoch gives the slots to their targets (a migration whose source is gone gives its slots
 *     to the target, which holds what was moved; one whose target is gone is given up, the slots
 *     staying with the source);</li>
 * <li>otherwise {@link SlotPlanner} plans the members' shares (pods below the wanted count) from the
 *     current owners: slots of pods above it (leaving) and moved slots go through {@code migrating}
 *     lines, slots nobody alive owns are assigned at once; a changed plan is sent at a new epoch,
 *     higher than any a pod or the status has seen, to every node it lists.</li>
 * </ol>
 * A pod above the wanted count is drained once the current layout names it no more: only then may
 * the StatefulSet shrink. No slot is ever without an owner in a layout sent: a slot keeps its
 * owner until its target takes it at the finalizing epoch.
 */
public final class ClusterPlanner {

    /** How soon to look again while something moves, and in a steady state. */
    public static final Duration BUSY = Duration.ofSeconds(1);
    public static final Duration PERIOD = Duration.ofSeconds(5);

    private ClusterPlanner() {
    }

    /** A migration as its source reports it ({@code CLUSTER MIGRATIONS}). */
    public record Progress(String to, BitSet slots, long moved, long left, String state) {
        public boolean done() {
            return "done".equals(state) && left == 0;
        }
    }

    /**
     * What a pod answered: its node id, its shard count, its keys (DBSIZE), the layout it holds, its migrations away,
     * its replication role and offset ({@code INFO replication}; null: not asked), and before any layout the slots of
     * the keys it holds ({@code CLUSTER HELDSLOTS}; null: not asked or not known), and whether it serves the layout it
     * holds ({@code false}: read back from its files at a start, not served until it is sent again).
     */
    public record Observed(String nodeId, int shards, long keys, Layout layout, List<Progress> migrations,
                           ReplicationPlanner.Observed replication, BitSet heldSlots, boolean layoutConfirmed, Unused unused) {
        public Observed(String nodeId, int shards, long keys, Layout layout, List<Progress> migrations,
                        ReplicationPlanner.Observed replication, BitSet heldSlots, boolean layoutConfirmed) {
            this(nodeId, shards, keys, layout, migrations, replication, heldSlots, layoutConfirmed, null);
        }

        public Observed(String nodeId, int shards, long keys, Layout layout, List<Progress> migrations,
                        ReplicationPlanner.Observed replication, BitSet heldSlots) {
            this(nodeId, shards, keys, layout, migrations, replication, heldSlots, true);
        }

        public Observed(String nodeId, int shards, long keys, Layout layout, List<Progress> migrations,
                        ReplicationPlanner.Observed replication) {
            this(nodeId, shards, keys, layout, migrations, replication, null);
        }

        public Observed(String nodeId, int shards, long keys, Layout layout, List<Progress> migrations) {
            this(nodeId, shards, keys, layout, migrations, null);
        }

        public Observed(String nodeId, int shards, Layout layout, List<Progress> migrations) {
            this(nodeId, shards, 0, layout, migrations);
        }
    }

    /**
     * From a pod's {@code CLUSTER INFO}: how long its layout has given it no slot ({@code cluster_slotless_ms}, -1 while it
     * owns some) and how long ago it last answered a client {@code -MOVED} ({@code cluster_moved_ago_ms}, -1: never).
     */
    public record Unused(long slotlessMs, long movedAgoMs) {

        /**
         * Whether no client still sends it commands: it has owned nothing for {@link #CLIENTS_QUIET} and sent no client
         * elsewhere that long, or it has owned nothing for {@link #CLIENTS_AT_MOST} (a client that never refreshes its view
         * must not hold a scale-in forever).
         */
        boolean clientsGone() {
            if (slotlessMs < 0) {
                return true; // it says it owns slots: not this rule's to hold (the layouts' convergence is)
            }
            long quiet = movedAgoMs < 0 ? slotlessMs : Math.min(slotlessMs, movedAgoMs);
            return quiet >= CLIENTS_QUIET.toMillis() || slotlessMs >= CLIENTS_AT_MOST.toMillis();
        }
    }

    /**
     * How long a primary left without slots stays listed once no client comes to it any more, and at most: a client
     * whose refreshed view no longer lists a node closes its connection there, failing the command in flight (Lettuce's
     * {@code closeStaleConnections}: ClusterIT's "Connection closed" on 2026-12-04). Lettuce's adaptive refresh follows a
     * -MOVED at once (at most once per its 30 s timeout by default); its periodic refresh is 60 s by default.
     */
    public static final Duration CLIENTS_QUIET = Duration.ofSeconds(5);
    public static final Duration CLIENTS_AT_MOST = Duration.ofSeconds(60);

    /**
     * One pod of the StatefulSet.
     *
     * @param observed null when it did not answer
     * @param updated  runs the StatefulSet's update revision (the roll deletes the others, {@link ClusterRoll})
     * @param restarting does not answer yet, and comes back soon with what its claim's files hold: its container is being
     *                 created, started or ended moments ago in its pod, or it is Ready while its port refuses
     *                 ({@code Pods.comesBack})
     */
    public record PodView(String name, int ordinal, boolean ready, HostPort address, Observed observed, boolean updated, String lost,
                          boolean restarting) {
        public PodView(String name, int ordinal, boolean ready, HostPort address, Observed observed, boolean updated, String lost) {
            this(name, ordinal, ready, address, observed, updated, lost, false);
        }

        public PodView(String name, int ordinal, boolean ready, HostPort address, Observed observed, boolean updated) {
            this(name, ordinal, ready, address, observed, updated, null);
        }

        public PodView(String name, int ordinal, boolean ready, HostPort address, Observed observed) {
            this(name, ordinal, ready, address, observed, true, null);
        }
    }

    /**
     * @param pods        the StatefulSet's pods that exist
     * @param members     the wanted pod count (the sizing plan's replicas): pods below it serve slots, as primaries
     *                    or as their replicas
     * @param running     the StatefulSet's replicas now (pods expected to exist)
     * @param epochFloor  the highest epoch the operator has recorded (its status): never sent again or below
     * @param replicas    replicas per primary (spec.replication.replicas; 0: every pod a primary)
     * @param failover    when a primary unavailable that long is replaced by its replica, and the failover clocks
     */
    public record Input(List<PodView> pods, int members, int running, long epochFloor, int replicas, ReplicaGroups.Clock failover) {
        /** A cluster of primaries only. */
        public Input(List<PodView> pods, int members, int running, long epochFloor) {
            this(pods, members, running, epochFloor, 0, ReplicaGroups.Clock.NONE);
        }
    }

    public enum Kind {
        /** A pod is missing, unready or silent: nothing is sent. */
        WAIT_FOR_PODS,
        /** Two pods hold different layouts at one epoch: not the operator's doing, nothing is sent. */
        CONFLICT,
        /** Pods behind the current layout are sent it again. */
        CONVERGE,
        /** Slots are moving; nothing to send until every source is done. */
        MIGRATING,
        /** A new layout at a new epoch. */
        APPLY,
        /** The layout is the plan, but a replica must be told whom to follow (or a primary to stop following). */
        REPOINT,
        /** The layout is the plan, but a replica is not in sync with its primary yet. */
        REPLICAS_SYNCING,
        /** The layout is the plan, but a primary has fewer replicas than wanted (no pod to make one of). */
        REPLICAS_MISSING,
        /** The layout is the plan, but pods run an old template: one is deleted ({@link Decision#roll()}), or it waits. */
        ROLL,
        /** The roll's switchover: a group's replica takes over from its outdated primary (a failover on purpose). */
        SWITCHOVER,
        /** The layout is the plan. */
        STEADY
    }

    /**
     * @param send     the layout to send (null: none)
     * @param sendTo   the pods to send it to
     * @param current  the current layout (the highest epoch the pods hold)
     * @param podsToKeep how many pods the StatefulSet must keep: the wanted count once the pods above it are drained
     * @param lost     node ids the current layout names that no pod has any more (their slots handed out afresh)
     * @param leading  how many of {@code sendTo} (the first ones) must take the layout before the others are sent it:
     *                 the targets of migrations, so that a source never sends a client (-ASK) or keys to a target
     *                 that does not know the slot is coming, and a target owns a finalized slot before its source
     *                 lets go of it
     */
    public record Decision(Kind kind, Layout send, List<String> sendTo, int leading, Layout current, int podsToKeep, List<String> lost,
                           String reason, String message, Duration requeue, ReplicaGroups.Links links,
                           Map<String, java.time.Instant> unavailableSince, ClusterRoll.Step roll) {
        Decision(Kind kind, Layout send, List<String> sendTo, int leading, Layout current, int podsToKeep, List<String> lost,
                 String reason, String message, Duration requeue) {
            this(kind, send, sendTo, leading, current, podsToKeep, lost, reason, message, requeue, ReplicaGroups.Links.NONE, Map.of());
        }

        Decision(Kind kind, Layout send, List<String> sendTo, int leading, Layout current, int podsToKeep, List<String> lost,
                 String reason, String message, Duration requeue, ReplicaGroups.Links links, Map<String, java.time.Instant> unavailableSince) {
            this(kind, send, sendTo, leading, current, podsToKeep, lost, reason, message, requeue, links, unavailableSince, null);
        }

        public boolean healthy() {
            return kind == Kind.STEADY;
        }
    }

    public static Decision decide(Input in) {
        List<PodView> pods = new ArrayList<>(in.pods());
        pods.sort(Comparator.comparingInt(PodView::ordinal));
        // What the answering pods hold: the highest epoch is the current layout.
        Layout current = Layout.EMPTY;
        for (PodView p : pods) {
            if (p.observed() != null && p.observed().layout().epoch() > current.epoch()) {
                current = p.observed().layout();
            }
        }
        Map<String, PodView> byId = new LinkedHashMap<>();
        for (PodView p : pods) {
            if (p.observed() != null) {
                byId.put(p.observed().nodeId(), p);
            }
        }
        int keep = podsToKeep(in, pods, current);
        // A primary unavailable too long is replaced by its replica before anything else: the pods that are
        // missing or silent (the primary among them) must not hold its slots' clients back.
        ReplicaGroups.Failovers failovers = ReplicaGroups.failovers(in, pods, current, byId);
        // silent: pods that do not answer and may come back holding what they held; a process restarting in its pod with its
        // files among them (it may hold a newer layout: ClusterFailoverPropertyTest, seed 33006841)
        List<String> silent = new ArrayList<>(pods.stream().filter(p -> p.observed() == null
                && (p.lost() == null || p.restarting() && PodLoss.onlyItsProcess(p.lost()))).map(PodView::name).toList());
        // a pod being deleted (left out) or not created again yet may come back from its files holding the newer layout too
        // (ClusterFailoverPropertyTest, seed 2473: links taken from an older one promoted a replica the newer one had demoted)
        Set<Integer> present = new HashSet<>();
        pods.forEach(p -> present.add(p.ordinal()));
        for (int i = 0; i < Math.max(in.members(), in.running()); i++) {
            if (!present.contains(i)) {
                silent.add("pod " + i);
            }
        }
        if (in.epochFloor() > current.epoch() && !silent.isEmpty()) {
            // A layout newer than any an answering pod holds was sent (the status records its epoch) and only pods that do not
            // answer may hold it: a plan from the older one would undo what it did (a failover from it promoted a replica of a
            // primary that layout had already replaced, empty, while the pod holding the group's data was frozen:
            // ClusterFailoverPropertyTest, seed 20261727). Nothing is sent until they answer, or are known gone.
            return new Decision(Kind.WAIT_FOR_PODS, null, List.of(), 0, current, keep, List.of(), "WaitingForPods",
                    "the status records epoch " + in.epochFloor() + ", newer than any layout the pods that answer hold (epoch "
                            + current.epoch() + "): waiting for " + String.join(", ", silent) + ", which may hold it",
                    BUSY, ReplicaGroups.Links.NONE, failovers.unavailableSince(), null);
        }
        Decision d = failovers.due().isEmpty() ? planSlots(in, pods, current, byId, keep)
                : ReplicaGroups.failoverDecision(current, failovers.due(), Math.max(current.epoch(), in.epochFloor()) + 1, byId, keep);
        if (d.roll() != null) {
            return d; // a scale-in's hand-over (ClusterRoll.handOver): its switchover's links and step are its own
        }
        // Links follow a layout: with nothing sent, the current one, unless the status records a newer epoch than any
        // answering pod holds and a pod does not answer (lost or silent: it may come back holding the newer one): that
        // layout's roles may be undone already, and a promotion by it chose, against what the newer one did, a pod
        // without the group's acknowledged writes (seed 20268365). Once every pod answers, the current one's links again
        // (an epoch recorded and never sent: seed 20261260)
        Decision linked = d.send() == null && in.epochFloor() > current.epoch()
                && (pods.stream().anyMatch(p -> p.observed() == null) || !silent.isEmpty())
                ? new Decision(d.kind(), d.send(), d.sendTo(), d.leading(), d.current(), d.podsToKeep(), d.lost(), d.reason(), d.message(),
                        d.requeue(), ReplicaGroups.Links.NONE, failovers.unavailableSince(), d.roll())
                : ReplicaGroups.withLinks(d, byId, failovers.unavailableSince(), failovers.waiting(), in.replicas());
        return ClusterRoll.next(linked, pods, byId, Math.max(current.epoch(), in.epochFloor()) + 1);
    }

    /**
     * A replica that answers with its link down: the service calls it unready only so that reads skip it (stale), and
     * only the layout and the links sent next can give it a primary to follow again. Waited for, it never was: a replica
     * left following the address of a pod gone with its primary kept every layout from being sent (the cluster's form of
     * the circle issue 74 opened with; ClusterFailoverPropertyTest, seeds 20263120 and 20265044).
     */
    private static boolean waitingForLink(PodView p) {
        ReplicationPlanner.Observed r = p.observed() == null ? null : p.observed().replication();
        return r != null && !r.master() && !r.linkUp();
    }

    private static Decision planSlots(Input in, List<PodView> pods, Layout current, Map<String, PodView> byId, int keep) {
        int expected = Math.max(in.members(), in.running());
        Map<Integer, PodView> byOrdinal = new LinkedHashMap<>();
        pods.forEach(p -> byOrdinal.put(p.ordinal(), p));

        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < expected; i++) {
            PodView p = byOrdinal.get(i);
            if (p == null) {
                waiting.add("pod " + i + " does not exist yet");
            } else if ((!p.ready() && !waitingForLink(p)) || p.address() == null) {
                waiting.add(p.name() + " is not Ready");
            } else if (p.observed() == null) {
                waiting.add(p.name() + " does not answer");
            }
        }
        for (PodView p : pods) {
            if (p.ordinal() >= expected && (p.observed() == null || !p.ready())) {
                waiting.add(p.name() + " (leaving) " + (p.observed() == null ? "does not answer" : "is not Ready"));
            }
        }
        if (!waiting.isEmpty()) {
            return new Decision(Kind.WAIT_FOR_PODS, null, List.of(), 0, current, keep, List.of(), "WaitingForPods",
                    String.join("; ", waiting) + ": no layout is sent until every pod answers", BUSY);
        }

        List<String> behind = new ArrayList<>();
        for (PodView p : pods) {
            Layout held = p.observed().layout();
            if (!current.nodes().containsKey(p.observed().nodeId())) {
                continue; // not in the layout (new, or drained): it cannot take it, and need not
            }
            if (held.epoch() == current.epoch() && !held.sameAs(current)) {
                return new Decision(Kind.CONFLICT, null, List.of(), 0, current, keep, List.of(), "LayoutConflict",
                        p.name() + " holds another layout at epoch " + current.epoch() + " than the others: someone else sets layouts",
                        PERIOD);
            }
            if (held.epoch() < current.epoch() || !p.observed().layoutConfirmed()) {
                // behind, or back from its files with the current layout that it serves only once it is sent again
                behind.add(p.name());
            }
        }
        if (!behind.isEmpty()) {
            return new Decision(Kind.CONVERGE, current, behind, 0, current, keep, List.of(), "Converging",
                    String.join(", ", behind) + " sent epoch " + current.epoch() + " again", BUSY);
        }

        // Nodes the layout names that no pod has any more (a pod restarted without its data gets a new id).
        List<String> lost = new ArrayList<>();
        for (String id : current.nodes().keySet()) {
            if (!byId.containsKey(id)) {
                lost.add(id);
            }
        }

        // Migrations: wait for every live one, then finalize.
        Map<String, BitSet> owners = new LinkedHashMap<>();
        current.owners().forEach((id, slots) -> owners.put(id, (BitSet) slots.clone()));
        List<String> moving = new ArrayList<>();
        List<SlotPlanner.Move> adopted = new ArrayList<>();
        for (SlotPlanner.Move m : current.migrating()) {
            if (lost.contains(m.from()) && !lost.contains(m.to())) {
                adopted.add(m); // what the gone source had moved is on the target: the target keeps those slots
                continue;
            }
            if (lost.contains(m.from()) || lost.contains(m.to())) {
                continue; // given up: a gone target's slots stay with the source
            }
            Progress p = progressOf(byId.get(m.from()).observed(), m);
            if (p == null || !p.done()) {
                moving.add(byId.get(m.from()).name() + " → " + byId.get(m.to()).name() + " " + SlotPlanner.rangesText(m.slots())
                        + (p == null ? " (not started)" : " (" + p.moved() + " keys moved, " + (p.left() < 0 ? "?" : p.left()) + " left)"));
            } else {
                owners.get(m.from()).andNot(m.slots());
                owners.computeIfAbsent(m.to(), k -> new BitSet()).or(m.slots());
            }
        }
        if (!moving.isEmpty()) {
            return new Decision(Kind.MIGRATING, null, List.of(), 0, current, keep, lost, "Migrating",
                    "moving slots: " + String.join("; ", moving), BUSY);
        }
        lost.forEach(owners::remove); // their slots have no live source: handed out as unowned
        ReplicaGroups.Assignment groups = ReplicaGroups.assign(current, pods, byId, in.members(), in.replicas());
        if (current.epoch() == 0) {
            // No layout yet: keys a pod already holds (a persistent pod switched to cluster mode) must not be
            // stranded on slots handed to others. That pod is given every slot first, and the plan then moves
            // the others' shares off it as any migration; keys on several pods cannot all be kept.
            List<String> holding = new ArrayList<>();
            // a lesser copy of one stream made the replica of its best copy: a prefix of it, replaced by its full sync
            Map<String, String> copies = ReplicaGroups.lesserCopies(pods);
            for (PodView p : pods) {
                boolean joinsItsCopy = copies.containsKey(p.name())
                        && copies.get(p.name()).equals(groups.replicaOf().get(p.observed().nodeId()));
                if (p.ordinal() < in.members() && p.observed().keys() > 0 && !joinsItsCopy) {
                    holding.add(p.name());
                }
            }
            if (holding.size() > 1) {
                Decision restored = holdersKeepTheirSlots(in, pods, current, byId, keep, groups, holding);
                if (restored != null) {
                    return restored;
                }
                return new Decision(Kind.CONFLICT, null, List.of(), 0, current, keep, List.of(), "KeysOnSeveralPods",
                        String.join(", ", holding) + " hold keys before any layout in the same slots (or slots they cannot"
                                + " tell): each would keep only the keys of its own slots; move the data to one pod (or flush the"
                                + " others) first", PERIOD);
            }
            if (holding.size() == 1) {
                PodView holder = byOrdinalName(pods, holding.get(0));
                BitSet all = new BitSet(SlotPlanner.SLOTS);
                all.set(0, SlotPlanner.SLOTS);
                Map<String, HostPort> nodes = new LinkedHashMap<>();
                groups.primaries().forEach(id -> nodes.put(id, byId.get(id).address()));
                groups.replicaOf().keySet().forEach(id -> nodes.put(id, byId.get(id).address()));
                Layout first = new Layout(Math.max(current.epoch(), in.epochFloor()) + 1, nodes, Map.of(holder.observed().nodeId(), all),
                        List.of(), groups.replicaOf());
                List<String> to = new ArrayList<>();
                nodes.keySet().forEach(id -> to.add(byId.get(id).name()));
                return new Decision(Kind.APPLY, first, to, 0, current, keep, List.of(), "LayoutApplied", "epoch " + first.epoch()
                        + ": first layout, every slot to " + holder.name() + ", which holds " + holder.observed().keys()
                        + " keys already; the next epochs move the other pods' shares off it", BUSY);
            }
        }
        for (SlotPlanner.Move m : adopted) {
            owners.computeIfAbsent(m.to(), k -> new BitSet()).or(m.slots());
        }

        if (groups.primaries().isEmpty()) {
            return ClusterRoll.handOver(current, byId, in.members(), keep, Math.max(current.epoch(), in.epochFloor()) + 1);
        }

        // The plan from what is owned now.
        List<SlotPlanner.Member> members = new ArrayList<>();
        for (String id : groups.primaries()) {
            members.add(new SlotPlanner.Member(id, byId.get(id).observed().shards()));
        }
        SlotPlanner.Plan plan = SlotPlanner.plan(members, owners);
        Map<String, BitSet> next = new LinkedHashMap<>();
        plan.owners().forEach((id, slots) -> next.put(id, (BitSet) slots.clone()));
        List<SlotPlanner.Move> moves = new ArrayList<>();
        for (SlotPlanner.Move m : plan.moves()) {
            // the source keeps the slot until the target has its keys
            next.get(m.to()).andNot(m.slots());
            next.computeIfAbsent(m.from(), k -> new BitSet()).or(m.slots());
            moves.add(m);
        }
        // A pod a move would fill joins first, listed without slots at an epoch of its own, and the moves follow once every
        // pod holds that epoch: a source sends clients to its target (-ASK) from the moment it takes the migration's epoch,
        // and a client refreshing its view then picks among the pods' views those that tie (Lettuce's KNOWN_MAJORITY,
        // shuffled); one not listing the target makes it close its connection there, failing the command in flight.
        List<String> joining = new ArrayList<>();
        for (SlotPlanner.Move m : moves) {
            if (!current.nodes().containsKey(m.to()) && !joining.contains(byId.get(m.to()).name())) {
                joining.add(byId.get(m.to()).name());
            }
        }
        if (!joining.isEmpty()) {
            moves.clear(); // their slots stay with their sources in next
        }
        Set<String> listed = new LinkedHashSet<>();
        members.forEach(m -> listed.add(m.id()));
        next.forEach((id, slots) -> {
            if (!slots.isEmpty()) {
                listed.add(id);
            }
        });
        // A pod that took part in a migration being finalized stays listed (without slots) for one epoch
        // more: it takes a layout without migrations, so its mover stops, before a later epoch drops it.
        for (SlotPlanner.Move m : current.migrating()) {
            for (String id : List.of(m.from(), m.to())) {
                if (byId.containsKey(id)) {
                    listed.add(id);
                }
            }
        }
        // A primary the plan no longer lists stays listed, without slots, while clients still come to it (see Unused):
        // dropped from the clients' views while they still route to it, their commands in flight there fail.
        List<String> held = new ArrayList<>();
        Set<String> heldIds = new LinkedHashSet<>();
        for (String id : current.primaries()) {
            PodView p = byId.get(id);
            Unused u = p == null ? null : p.observed().unused();
            if (p != null && !listed.contains(id) && u != null && !u.clientsGone()) {
                listed.add(id);
                heldIds.add(id);
                held.add(p.name() + " (without slots " + u.slotlessMs() + " ms, "
                        + (u.movedAgoMs() < 0 ? "no client sent elsewhere" : "a client sent elsewhere " + u.movedAgoMs() + " ms ago") + ")");
            }
        }
        Map<String, String> replicaOf = new LinkedHashMap<>();
        groups.replicaOf().forEach((replica, primary) -> {
            if (listed.contains(primary)) {
                replicaOf.put(replica, primary);
            }
        });
        current.replicaOf().forEach((replica, primary) -> {
            if (heldIds.contains(primary) && byId.containsKey(replica) && !listed.contains(replica) && !replicaOf.containsKey(replica)) {
                replicaOf.put(replica, primary); // a held primary's replica stays with it
            }
        });
        listed.addAll(replicaOf.keySet());
        Map<String, HostPort> nodes = new LinkedHashMap<>();
        for (String id : listed) {
            nodes.put(id, byId.get(id).address());
        }
        Layout wanted = new Layout(Math.max(current.epoch(), in.epochFloor()) + 1, nodes, next, moves, replicaOf);
        if (wanted.sameAs(current) && current.epoch() > 0) {
            return new Decision(Kind.STEADY, null, List.of(), 0, current, keep, lost, "SlotsServed",
                    current.assignedSlots() + " slots served by " + current.nodes().size() + " pods at epoch " + current.epoch()
                            + (held.isEmpty() ? "" : "; listed until their clients are gone: " + String.join(", ", held)),
                    held.isEmpty() ? PERIOD : BUSY);
        }
        Set<String> targets = new LinkedHashSet<>();
        current.migrating().forEach(m -> targets.add(m.to()));
        moves.forEach(m -> targets.add(m.to()));
        targets.retainAll(nodes.keySet());
        List<String> to = new ArrayList<>();
        targets.forEach(id -> to.add(byId.get(id).name()));
        for (String id : nodes.keySet()) {
            if (!targets.contains(id)) {
                to.add(byId.get(id).name());
            }
        }
        String what = describe(current, wanted, moves, lost, byId)
                + (joining.isEmpty() ? "" : "; " + String.join(", ", joining) + " join(s) without slots first: every pod lists them"
                        + " before a source sends them clients");
        return new Decision(Kind.APPLY, wanted, to, targets.size(), current, keep, lost, moves.isEmpty() ? "LayoutApplied" : "Migrating",
                what, BUSY);
    }

    /**
     * The first layout of pods that hold keys in slots apart (each restored from its group of a cluster's backup): each
     * holder, a primary, is given the slots of its keys; the slots no one holds go where the plan puts them (nothing
     * to move); a later epoch evens out the shares by migration, as any re-plan. Null when the holders' slots are not
     * known, overlap, or a holder is not among the primaries (more holders than primaries).
     */
    private static Decision holdersKeepTheirSlots(Input in, List<PodView> pods, Layout current, Map<String, PodView> byId, int keep,
                                                  ReplicaGroups.Assignment groups, List<String> holding) {
        Map<String, BitSet> owners = new LinkedHashMap<>();
        BitSet held = new BitSet(SlotPlanner.SLOTS);
        for (String name : holding) {
            PodView p = byOrdinalName(pods, name);
            BitSet slots = p.observed().heldSlots();
            if (slots == null || slots.intersects(held) || !groups.primaries().contains(p.observed().nodeId())
                    || slots.length() > SlotPlanner.SLOTS) {
                return null;
            }
            owners.put(p.observed().nodeId(), (BitSet) slots.clone());
            held.or(slots);
        }
        List<SlotPlanner.Member> members = new ArrayList<>();
        for (String id : groups.primaries()) {
            members.add(new SlotPlanner.Member(id, byId.get(id).observed().shards()));
        }
        SlotPlanner.Plan plan = SlotPlanner.plan(members, owners);
        Map<String, BitSet> first = new LinkedHashMap<>();
        for (String id : groups.primaries()) {
            BitSet mine = owners.containsKey(id) ? (BitSet) owners.get(id).clone() : new BitSet();
            BitSet unheld = (BitSet) plan.owners().getOrDefault(id, new BitSet()).clone();
            unheld.andNot(held);
            mine.or(unheld);
            first.put(id, mine);
        }
        Map<String, HostPort> nodes = new LinkedHashMap<>();
        groups.primaries().forEach(id -> nodes.put(id, byId.get(id).address()));
        groups.replicaOf().keySet().forEach(id -> nodes.put(id, byId.get(id).address()));
        Layout layout = new Layout(Math.max(current.epoch(), in.epochFloor()) + 1, nodes, first, List.of(), groups.replicaOf());
        List<String> to = new ArrayList<>();
        nodes.keySet().forEach(id -> to.add(byId.get(id).name()));
        return new Decision(Kind.APPLY, layout, to, 0, current, keep, List.of(), "LayoutApplied", "epoch " + layout.epoch()
                + ": first layout, " + String.join(", ", holding) + " keep the slots of the keys they hold (" + held.cardinality()
                + " slots, apart); the next epochs even out the shares", BUSY);
    }

    private static PodView byOrdinalName(List<PodView> pods, String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /** The source's report of migration {@code m}: its target and slots must be the layout's. */
    private static Progress progressOf(Observed source, SlotPlanner.Move m) {
        for (Progress p : source.migrations()) {
            if (p.to().equals(m.to()) && p.slots().equals(m.slots())) {
                return p;
            }
        }
        return null;
    }

    /**
     * The StatefulSet's size: the wanted count, or more while a pod at or above it is named by the
     * layout another pod holds (it owns slots there, takes part in a migration, or a pod that has not
     * yet taken the finalizing layout still sends clients to it), or while a pod cannot be asked.
     */
    private static int podsToKeep(Input in, List<PodView> pods, Layout current) {
        int keep = in.members();
        boolean allAnswered = pods.stream().allMatch(p -> p.observed() != null);
        for (PodView p : pods) {
            if (p.ordinal() < in.members()) {
                continue;
            }
            boolean drained = allAnswered && !current.nodes().containsKey(p.observed().nodeId());
            for (PodView q : pods) {
                if (drained && q != p && q.observed().layout().nodes().containsKey(p.observed().nodeId())) {
                    drained = false;
                }
            }
            if (!drained) {
                keep = Math.max(keep, p.ordinal() + 1);
            }
        }
        return keep;
    }

    private static String describe(Layout current, Layout wanted, List<SlotPlanner.Move> moves, List<String> lost, Map<String, PodView> byId) {
        StringBuilder b = new StringBuilder("epoch ").append(wanted.epoch()).append(": ");
        if (current.epoch() == 0) {
            b.append("first layout");
        } else if (!current.migrating().isEmpty()) {
            b.append("migrations of epoch ").append(current.epoch()).append(" finalized");
        } else {
            b.append("re-planned");
        }
        b.append(", ").append(wanted.nodes().size()).append(" pods");
        for (SlotPlanner.Move m : moves) {
            b.append("; ").append(byId.get(m.from()).name()).append(" → ").append(byId.get(m.to()).name()).append(' ')
                    .append(SlotPlanner.rangesText(m.slots())).append(" (").append(m.slots().cardinality()).append(" slots)");
        }
        // a lost replica (a pod restarted without its data after a failover made it one) held no slot: only dropped
        List<String> owning = lost.stream().filter(current::holds).toList();
        List<String> replicas = lost.stream().filter(id -> !current.holds(id)).toList();
        if (!owning.isEmpty()) {
            b.append("; lost node(s) ").append(String.join(", ", owning)).append(": their slots handed out without their keys");
        }
        if (!replicas.isEmpty()) {
            b.append("; node(s) ").append(String.join(", ", replicas)).append(" on no pod any more dropped (they held no slot)");
        }
        return b.toString();
    }
}
