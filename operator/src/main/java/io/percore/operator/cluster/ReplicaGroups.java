package io.percore.operator.cluster;

import io.percore.operator.cluster.ClusterPlanner.Decision;
import io.percore.operator.cluster.ClusterPlanner.Kind;
import io.percore.operator.cluster.ClusterPlanner.PodView;
import io.percore.operator.replication.LastSeenPositions;
import io.percore.operator.replication.Lineage;
import io.percore.operator.replication.PodLoss;
import io.percore.operator.replication.ReplicationPlanner;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replicas of a clustered service's primaries ({@code spec.replication} with {@code spec.cluster}):
 * pure, as {@link ClusterPlanner} whose layouts it completes. The pods form groups of one primary and
 * {@code replicas} replicas, written in the layout as {@code node <id> <ip> <port> replica <primary-id>};
 * only primaries own slots. Three decisions:
 *
 * <ul>
 * <li><b>who is whose replica</b> ({@link #assign}): the groups of the current layout are kept; a pod in
 *     none joins the primary lacking a replica first, and only once every primary has its replicas is it
 *     made a primary of new slots (which the slot plan then gives it);</li>
 * <li><b>failover</b> ({@link #failovers}): a primary not available for {@code failoverAfter} (or gone for
 *     good: its pod answers with another node id; or its process known gone now: {@code PodLoss}) is replaced by its replica with the highest acknowledged
 *     offset in the group's history ({@link Line}; the lowest ordinal on a tie), as {@code ReplicationPlanner} chooses: a new epoch gives it the
 *     primary's slots and migrations, the other replicas and the old primary follow it;</li>
 * <li><b>links</b> ({@link #links}): each replica of the layout in force that does not follow its
 *     primary's address is told {@code REPLICAOF} (once that primary answers); a primary that follows
 *     someone is told {@code REPLICAOF NO ONE}.</li>
 * </ul>
 */
public final class ReplicaGroups {

    private ReplicaGroups() {
    }

    /**
     * The failover clock.
     *
     * @param after            how long a primary may be unavailable before its replica replaces it
     * @param now              the time of this decision
     * @param unavailableSince primary node id → since when it has been unavailable (from the status)
     * @param podOfNode        node id → the pod the status last saw it on: a pod Kubernetes calls Ready that the
     *                         operator cannot reach still counts as available (a failover on Kubernetes' word,
     *                         not the operator's network)
     * @param offsetOfNode     node id → the replication offset it last answered with (the status's): a process back from an
     *                         append-only file answers with none, and its files hold at least that
     * @param historyOfNode    node id → the replication id that offset counts in (the status's): a group's primary, down,
     *                         names the history its replicas' offsets are compared in
     * @param lineage          which history continued which, and up to where (the status's, as the replicated service's)
     */
    public record Clock(Duration after, Instant now, Map<String, Instant> unavailableSince, Map<String, String> podOfNode,
                        Map<String, Long> offsetOfNode, Map<String, String> historyOfNode, Lineage lineage) {
        public static final Clock NONE = new Clock(Duration.ofSeconds(10), Instant.EPOCH, Map.of(), Map.of());

        public Clock {
            offsetOfNode = offsetOfNode == null ? Map.of() : Map.copyOf(offsetOfNode);
            historyOfNode = historyOfNode == null ? Map.of() : Map.copyOf(historyOfNode);
            lineage = lineage == null ? Lineage.NONE : lineage;
        }

        public Clock(Duration after, Instant now, Map<String, Instant> unavailableSince, Map<String, String> podOfNode,
                     Map<String, Long> offsetOfNode) {
            this(after, now, unavailableSince, podOfNode, offsetOfNode, Map.of(), Lineage.NONE);
        }

        public Clock(Duration after, Instant now, Map<String, Instant> unavailableSince, Map<String, String> podOfNode) {
            this(after, now, unavailableSince, podOfNode, Map.of());
        }
    }

    /**
     * The history a group's offsets are compared in (its primary's: as it answers, else as the status last recorded it) and
     * the links that join others to it. A replica promoted by a failover the operator never recorded (stopped midway) starts
     * a history of its own, and a second failover may promote another replica, which then takes writes its group's replicas
     * acknowledge. The two count their offsets from a shared past: ranked by their own offsets, the first, at an equal
     * offset, went before a replica of the group's primary holding an acknowledged write (ClusterFailoverPropertyTest, seeds
     * 33033256, 34010054 and 34010282). Along the line, the first holds no more than where the group's history left the one
     * they share.
     */
    record Line(String history, Lineage lineage) {
        /** What a pod at {@code offset} of {@code replid} holds of the line; its own offset where nothing joins the two. */
        long held(String replid, long offset) {
            if (history == null || replid == null || replid.equals(history)) {
                return offset;
            }
            long held = lineage.heldOf(history, replid, offset);
            return held >= 0 ? held : offset;
        }

        boolean in(String replid) {
            return history != null && history.equals(replid);
        }

        /** Offsets of {@code replid} compare with the line's: it is the line's history, a kept link joins it, or none is recorded. */
        boolean joins(String replid) {
            return history == null || in(replid) || lineage.heldOf(history, replid, 0) >= 0;
        }
    }

    /** The recorded lineage with what the pods that answer say now (the status records the same after this decision). */
    private static Lineage saidNow(Clock clock, List<PodView> pods) {
        Lineage lineage = clock.lineage();
        for (PodView p : pods) {
            if (p.observed() != null) {
                lineage = lineage.with(p.observed().replication());
            }
        }
        return lineage;
    }

    private static Line lineOf(String primary, PodView live, Clock clock, Lineage lineage) {
        ReplicationPlanner.Observed said = live == null ? null : live.observed().replication();
        String history = said != null && said.master() && said.replid() != null ? said.replid() : clock.historyOfNode().get(primary);
        return new Line(history, lineage);
    }

    /** A primary replaced by one of its replicas. */
    public record Failover(String primary, String promoted) {
    }

    /** The failovers due now, and the clocks of the primaries still waited for. */
    record Failovers(List<Failover> due, Map<String, Instant> unavailableSince, List<String> waiting) {
    }

    /**
     * What to tell the pods about replication, beside the layout: {@code promote} before the layout is sent
     * ({@code REPLICAOF NO ONE}), {@code follow} after it (pod → its primary's address).
     *
     * @param notLinked replicas following the right primary but not in sync with it yet
     * @param lacking   primaries with fewer replicas than wanted, each with how many it has
     */
    public record Links(List<String> promote, Map<String, HostPort> follow, List<String> notLinked, List<String> lacking) {
        public static final Links NONE = new Links(List.of(), Map.of(), List.of(), List.of());

        public boolean repoint() {
            return !promote.isEmpty() || !follow.isEmpty();
        }
    }

    /** The groups of the next layout: the primaries below the wanted count (new ones included), and who follows whom. */
    record Assignment(List<String> primaries, Map<String, String> replicaOf) {
    }

    /** Primaries needed for {@code members} pods in groups of {@code 1 + replicas}. */
    static int wantedPrimaries(int members, int replicas) {
        return Math.max(1, members / (1 + replicas));
    }

    static Failovers failovers(ClusterPlanner.Input in, List<PodView> pods, Layout current, Map<String, PodView> byId) {
        Clock clock = in.failover();
        boolean everyPodAnswers = pods.stream().allMatch(p -> p.observed() != null);
        List<Failover> due = new ArrayList<>();
        Map<String, Instant> since = new LinkedHashMap<>();
        List<String> waiting = new ArrayList<>();
        Lineage lineage = saidNow(clock, pods);
        for (String primary : current.primaries()) {
            List<String> replicas = current.replicasOf(primary);
            PodView live = byId.get(primary);
            if (replicas.isEmpty() || live != null && live.ready()) {
                continue;
            }
            PodView recorded = podOf(primary, clock, current, pods);
            if (live == null && recorded != null && recorded.ready() && recorded.address() != null && recorded.observed() == null
                    && recorded.lost() == null) {
                continue; // Ready, but the operator cannot reach it (a timeout, not a refused port): available on Kubernetes' word
            }
            // gone for good: its pod came back with another id (no persistence), or every pod answers and none is it
            boolean gone = live == null && (everyPodAnswers || recorded != null && recorded.observed() != null);
            Instant from = clock.unavailableSince().getOrDefault(primary, clock.now());
            boolean late = !clock.now().isBefore(from.plus(clock.after()));
            // it answers as the primary of a layout it serves (confirmed): a failover now would give its slots to a second
            // process while it takes writes for them, until the new layout reached it. Kubernetes' word that its container
            // restarted, or that it is not Ready, lags behind the process (the real node's cluster campaign, 2026-12-04: a
            // replica promoted at epoch 5 replaced at epoch 6, a second later, on its stale "restarted, not Ready": 625 ms of
            // two primaries; ClusterFailoverPropertyTest with the kubelet's probe period)
            boolean serving = live != null && live.observed().layoutConfirmed() && live.observed().replication() != null
                    && live.observed().replication().master();
            // Kubernetes already reports its process gone (ReplicationPlanner's rule): no window to wait for it
            boolean lostNow = recorded != null && recorded.lost() != null && !serving;
            // the replica with the newest data: the best of those that say their offset, and of those back from an append-only
            // file (none said: ranked by keys among themselves); the latter chosen when last seen past the former (newer)
            Line line = lineOf(primary, live, clock, lineage);
            PodView bestSaid = null;
            PodView bestBack = null;
            for (String r : replicas) {
                PodView c = byId.get(r);
                if (c == null || !(linkedOrHeld(c, gone) || restartedWithData(c)) || c.address() == null) {
                    continue;
                }
                if (backWithoutOffset(c)) {
                    if (bestBack == null || newer(c, bestBack, clock, line)) {
                        bestBack = c; // pods come in ordinal order: a tie keeps the lower one
                    }
                } else if (bestSaid == null || newer(c, bestSaid, clock, line)) {
                    bestSaid = c;
                }
            }
            for (PodView c : outsidersOnTheLine(current, pods, line)) {
                if (bestSaid == null || newer(c, bestSaid, clock, line)) {
                    bestSaid = c;
                }
            }
            PodView best = bestBack == null ? bestSaid : bestSaid == null || newer(bestBack, bestSaid, clock, line) ? bestBack : bestSaid;
            // the primary's own process coming back with its files (answering from them, or its container restarting in its
            // pod) holds every write it acknowledged: a replica back from its files, maybe with less, is not promoted over it
            // before the deadline (the real node's cluster campaign: a restarted replica promoted at offset 0 while its
            // primary loaded its files)
            boolean primaryComesBack = live != null || recorded != null && comesBackWithFiles(recorded);
            boolean bestRestarted = best != null && !linkedOrHeld(best, gone);
            // a replica back from a log that says no offset ranked below the best only by where the operator last saw it: cut
            // off from the operator or deleted, it may have gone further and acknowledged what the best lacks. Its primary,
            // restarting with its files, holds every write it acknowledged: waited for while it comes back (ReplicationPlanner's
            // rule for a placed pod; ClusterFailoverPropertyTest, seed 33038613)
            boolean guessedBelow = bestBack != null && bestBack != best && live == null && recorded != null && comesBackWithFiles(recorded);
            // a replica restarting in its pod comes back with what its files hold, maybe writes WAIT counted that the replicas
            // answering lack: waited for, not passed over (ReplicationPlanner's rule; ClusterFailoverPropertyTest, seed 170)
            List<String> restarting = new ArrayList<>();
            for (String r : replicas) {
                PodView p = podOf(r, clock, current, pods);
                if (byId.get(r) == null && p != null && p.observed() == null && comesBackWithFiles(p)) {
                    restarting.add(p.name());
                }
            }
            // a replica Ready but silent may be the most advanced: a primary gone for good waits for it until the deadline
            boolean replicaSilent = false;
            // one silent whose process runs (frozen, hung: Kubernetes reports nothing lost) may hold the group's data
            List<String> silentRunning = new ArrayList<>();
            for (String r : replicas) {
                PodView p = podOf(r, clock, current, pods);
                replicaSilent |= byId.get(r) == null && p != null && p.ready() && p.observed() == null;
                if (byId.get(r) == null && p != null && p.observed() == null && p.lost() == null && !p.restarting()) {
                    silentRunning.add(p.name());
                }
            }
            // never an empty replica while the primary may come back with its files (ReplicationPlanner's WaitingForData): its
            // pod being deleted (left out of the view), restarting, not answering (one answering with its keys is waited for
            // below, as back with more); one answering under another id has none
            boolean mayComeBackWithData = live == null && (recorded == null || recorded.observed() == null);
            // empty: no key and no offset (restarted or new, never synced): a synced replica with no key had an empty primary
            boolean emptyBest = best != null && best.observed().keys() == 0 && offset(best) <= 0;
            if ((gone && !replicaSilent || late || lostNow) && best != null && !restarting.isEmpty()) {
                since.put(primary, from);
                waiting.add(name(clock, primary) + " is unavailable; waiting for " + String.join(", ", restarting) + " (restarting, with"
                        + " its files), which may hold writes its replica " + best.name() + " lacks");
            } else if (guessedBelow && !gone) {
                since.put(primary, from);
                waiting.add(name(clock, primary) + " is restarting with its files; waiting for it: " + bestBack.name() + ", back from its"
                        + " files, says no offset and may hold writes its replica " + best.name() + " lacks");
            } else if (!late && lostNow && bestRestarted && primaryComesBack) {
                since.put(primary, from);
                waiting.add(name(clock, primary) + " is restarting with its files; its replica " + best.name() + ", restarted too, takes"
                        + " over at " + from.plus(clock.after()) + " if it is not back by then");
            } else if (best != null && live != null && newer(live, best, clock, line)) {
                // its own process answers, back with more than any replica holds (offsets, or keys where its file keeps none):
                // not replaced while the kubelet has yet to probe it Ready (ClusterFailoverPropertyTest, seed 1244: a group's
                // pods deleted together, the primary back with a write more than its replica, replaced at the deadline; and
                // thawed with its keys, past the deadline, over an empty replica)
                since.put(primary, from);
                waiting.add(name(clock, primary) + " answers, back with more than its replica " + best.name() + ": waiting for it to be"
                        + " Ready");
            } else if (emptyBest && !silentRunning.isEmpty()) {
                // its replica holds nothing (a sync from a primary restarted empty wiped it): not promoted while another, silent,
                // may hold the group's data (ClusterFailoverPropertyTest, seed 9002247: kv-4 frozen with two acknowledged writes)
                since.put(primary, from);
                waiting.add(name(clock, primary) + " is unavailable and its replica " + best.name() + " holds nothing: waiting for "
                        + String.join(", ", silentRunning) + ", which does not answer and may hold its data");
            } else if ((gone && !replicaSilent || late || lostNow) && best != null && !(emptyBest && mayComeBackWithData)) {
                due.add(new Failover(primary, best.observed().nodeId()));
            } else if (best != null && emptyBest && mayComeBackWithData) {
                since.put(primary, from);
                waiting.add(name(clock, primary) + " is unavailable and its replica " + best.name() + " holds nothing: waiting for it"
                        + " to come back, with what its files hold");
            } else {
                since.put(primary, from);
                waiting.add(name(clock, primary) + (best == null ? " is unavailable and none of its replicas answers"
                        : " is unavailable since " + from + "; its replica takes over at " + from.plus(clock.after())));
            }
        }
        return new Failovers(due, since, waiting);
    }

    /**
     * Pods the layout in force does not name that hold part of {@code primary}'s history (the line: its own, or one a kept
     * link joins to it) and say an offset: a replica copying its stream, or a master that went on from it. A pod back
     * without persistence under a new id joins a group by a newer layout; when every pod that held that layout lost it
     * (restarted without persistence), the failover plans from the older one, where that pod is no replica, while it holds
     * what it acknowledged as one (ClusterFailoverPropertyTest, seeds 35030991 and 32048332: a replica of the older layout
     * without the write promoted; and, the pod promoted so by an operator stopped before recording it, the next reconcile
     * passed it over as a master of its own). None where the group's history is not known: a pod following the same
     * address may have copied another process.
     */
    private static List<PodView> outsidersOnTheLine(Layout current, List<PodView> pods, Line line) {
        List<PodView> found = new ArrayList<>();
        if (line.history() == null) {
            return found;
        }
        for (PodView c : pods) {
            ReplicationPlanner.Observed r = c.observed() == null ? null : c.observed().replication();
            if (r == null || r.offset() <= 0 || c.lost() != null || c.address() == null || current.nodes().containsKey(c.observed().nodeId())) {
                continue;
            }
            if (line.in(r.replid()) || line.lineage().heldOf(line.history(), r.replid(), r.offset()) >= 0) {
                found.add(c);
            }
        }
        return found;
    }

    /**
     * A replica not lost that is linked (Ready, or saying so before the kubelet's next probe: ClusterFailoverPropertyTest,
     * seed 9000178, promoted one behind it), or was and holds its offset, or answers at all once its primary is gone for good.
     */
    private static boolean linkedOrHeld(PodView c, boolean gone) {
        ReplicationPlanner.Observed r = c.observed().replication();
        return c.lost() == null && (c.ready() || r != null && !r.master() && r.linkUp() || heldData(c) || gone && answersAsReplica(c));
    }

    /**
     * A replica of the group back from its files (its process lost, not its node; or its container new): it answers, not
     * Ready and not linked (as a master, as a process starts in cluster mode, or a replica whose link is down), holding
     * keys: what its files kept, which may be writes WAIT counted. An append-only file keeps no offset: ranked by keys
     * among such ({@link #newer}).
     */
    private static boolean restartedWithData(PodView p) {
        ReplicationPlanner.Observed r = p.observed() == null ? null : p.observed().replication();
        return r != null && !p.ready() && (r.master() || !r.linkUp()) && p.observed().keys() > 0 && onlyItsProcessLost(p);
    }

    /** Restarting in its pod with its claim's files, its node not lost ({@code Pods.comesBack}). */
    private static boolean comesBackWithFiles(PodView p) {
        return p.restarting() && onlyItsProcessLost(p);
    }

    private static boolean onlyItsProcessLost(PodView p) {
        return p.lost() == null || PodLoss.onlyItsProcess(p.lost());
    }

    /**
     * Whether {@code c} holds newer data than {@code best}, as ReplicationPlanner ranks: the higher offset, then (offsets alike)
     * more keys. A process back from an append-only file says no offset (the file keeps the writes, not where they stood):
     * two such compare by keys; against one that says its offset, it counts where it was last seen (the status's
     * {@code offset}), which its files hold at least. Ranked at 0, it went behind a replica that had lagged, whose promotion
     * dropped the writes the restarted one had acknowledged (ClusterFailoverPropertyTest, seed 20262784); ranked by its last
     * seen offset against another back from its file, it went behind one seen later that then took fewer writes (9001092).
     */
    private static boolean newer(PodView c, PodView best, Clock clock, Line line) {
        boolean cBack = backWithoutOffset(c);
        boolean bestBack = backWithoutOffset(best);
        if (cBack && bestBack) {
            return c.observed().keys() > best.observed().keys()
                    || c.observed().keys() == best.observed().keys() && lastSeen(c, clock, line) > lastSeen(best, clock, line);
        }
        if (cBack != bestBack) {
            // where it was last seen is a lower bound, seconds old: holding more keys, a pod back from its file last seen in
            // the group's history itself went further than one that says a higher offset (ReplicationPlanner's rule, from
            // the build's replicated campaign of 2026-12-07); one last seen in an older history may have gone on in it past
            // where the line left it: its keys may count writes off the line
            PodView back = cBack ? c : best;
            PodView said = cBack ? best : c;
            if (back.observed().keys() > said.observed().keys() && line.in(clock.historyOfNode().get(back.observed().nodeId()))
                    && !line.lineage().continuedPast(line.history())) {
                return cBack;
            }
        }
        long a = cBack ? lastSeen(c, clock, line) : line.held(c.observed().replication().replid(), offset(c));
        long b = bestBack ? lastSeen(best, clock, line) : line.held(best.observed().replication().replid(), offset(best));
        if (a != b) {
            return a > b;
        }
        // alike, both saying their offsets: one in the group's history before one of another (where no kept link joins the
        // two, their own offsets are compared); else the one holding more keys: a pod back from its file, ranked where it
        // was last seen, is not first on keys alike (a file written each second may hold less), and holding more it went
        // further (ClusterFailoverPropertyTest, seed 34026830)
        if (!cBack && !bestBack) {
            boolean cIn = line.in(c.observed().replication().replid());
            boolean bestIn = line.in(best.observed().replication().replid());
            if (cIn != bestIn) {
                return cIn;
            }
        }
        return c.observed().keys() > best.observed().keys();
    }

    /** Holds keys at offset 0 and is not linked: back from an append-only file, which keeps no offset. */
    private static boolean backWithoutOffset(PodView p) {
        ReplicationPlanner.Observed r = p.observed().replication();
        return r != null && r.offset() == 0 && p.observed().keys() > 0 && (r.master() || !r.linkUp());
    }

    /**
     * Where a pod back from its file stands on the group's line: where it was last seen, or where its log's last annotation
     * stood (the demo's {@code loaded_repl_*}, a fact about the files) when that is further (ReplicationPlanner's
     * {@code LastSeenPositions.placeOf}); an annotation in a history no kept link joins to the line counts nothing.
     */
    private static long lastSeen(PodView p, Clock clock, Line line) {
        String id = p.observed().nodeId();
        long seen = Math.max(0, line.held(clock.historyOfNode().get(id), clock.offsetOfNode().getOrDefault(id, 0L)));
        LastSeenPositions.Position loaded = p.observed().replication().loaded();
        return loaded == null || !line.joins(loaded.replid()) ? seen : Math.max(seen, line.held(loaded.replid(), loaded.offset()));
    }

    /**
     * The pod node {@code id} was last seen on: as the status recorded it, else the one at the address the layout gives it (a
     * pod keeps its IP across its container's restarts). An operator stopped after sending a layout and before writing its
     * status has no record of a node that layout placed: a primary of it cut off from the operator only, Ready, was then
     * replaced while it served (ClusterFailoverPropertyTest, seed 426567).
     */
    private static PodView podOf(String id, Clock clock, Layout current, List<PodView> pods) {
        String name = clock.podOfNode().get(id);
        HostPort at = current.nodes().get(id);
        PodView byAddress = null;
        for (PodView p : pods) {
            if (p.name().equals(name)) {
                return p;
            }
            if (at != null && at.equals(p.address())) {
                byAddress = p;
            }
        }
        return byAddress;
    }

    /** A replica unready only because its link to its lost primary is down, holding an offset: still a candidate. */
    private static boolean heldData(PodView p) {
        ReplicationPlanner.Observed r = p.observed() == null ? null : p.observed().replication();
        return r != null && !r.master() && !r.linkUp() && r.offset() > 0;
    }

    /**
     * Once its primary is gone for good (back under another id: its data went with it), any replica that answers is a
     * candidate, whatever its readiness or offset: a replica is Ready only while linked, so requiring it left a group whose
     * primary came back empty with no candidate for good (the cluster property test, one primary deleted without
     * persistence). While the primary may come back with its data, an unsynced replica is not promoted over it.
     */
    private static boolean answersAsReplica(PodView p) {
        ReplicationPlanner.Observed r = p.observed() == null ? null : p.observed().replication();
        return r != null && !r.master();
    }

    private static String name(Clock clock, String id) {
        String pod = clock.podOfNode().get(id);
        return "primary " + (pod == null ? id : pod + " (" + id + ")");
    }

    /**
     * What the promoted pod holds, as the event says it: its offset, or, back from an append-only file (which keeps no
     * offset: "offset 0" told the reader it held nothing), its keys.
     */
    private static String held(PodView p) {
        return backWithoutOffset(p) ? "back from its append-only file with " + p.observed().keys() + " keys" : "offset " + offset(p);
    }

    static long offset(PodView p) {
        ReplicationPlanner.Observed r = p.observed().replication();
        return r == null ? -1 : r.offset();
    }

    /**
     * The layout after {@code due}: each promoted replica owns its primary's slots and takes its place in the
     * migrations; the group's other replicas and the old primary (it comes back as a replica, or is dropped
     * later as a lost node) follow it.
     */
    static Layout failedOver(Layout current, List<Failover> due, long epoch) {
        Map<String, java.util.BitSet> owners = new LinkedHashMap<>(current.owners());
        Map<String, String> replicaOf = new LinkedHashMap<>(current.replicaOf());
        Map<String, String> renamed = new HashMap<>();
        for (Failover f : due) {
            renamed.put(f.primary(), f.promoted());
            java.util.BitSet slots = owners.remove(f.primary());
            if (slots != null) {
                owners.put(f.promoted(), slots);
            }
            replicaOf.remove(f.promoted());
            for (String r : current.replicasOf(f.primary())) {
                if (!r.equals(f.promoted())) {
                    replicaOf.put(r, f.promoted());
                }
            }
            replicaOf.put(f.primary(), f.promoted());
        }
        List<SlotPlanner.Move> migrating = new ArrayList<>();
        for (SlotPlanner.Move m : current.migrating()) {
            migrating.add(new SlotPlanner.Move(renamed.getOrDefault(m.from(), m.from()), renamed.getOrDefault(m.to(), m.to()), m.slots()));
        }
        return new Layout(epoch, current.nodes(), owners, migrating, replicaOf);
    }

    /** The failover decision: promote first, the promoted replicas take the layout first, then every other pod that answers. */
    static Decision failoverDecision(Layout current, List<Failover> due, long epoch, Map<String, PodView> byId, int keep) {
        Layout failed = failedOver(current, due, epoch);
        // at the new epoch, the nodes where they answer now: an old address would send clients and replicas nowhere
        Map<String, HostPort> nodes = answeringAt(failed, byId);
        // a promoted pod the layout did not name (outsidersOnTheLine) where it answers
        due.forEach(f -> nodes.putIfAbsent(f.promoted(), byId.get(f.promoted()).address()));
        Layout next = new Layout(failed.epoch(), nodes, failed.owners(), failed.migrating(), failed.replicaOf());
        List<String> promote = new ArrayList<>();
        Set<String> to = new LinkedHashSet<>();
        StringBuilder what = new StringBuilder("epoch ").append(epoch).append(": failover");
        for (Failover f : due) {
            PodView p = byId.get(f.promoted());
            promote.add(p.name());
            to.add(p.name());
            what.append("; ").append(f.primary()).append(" replaced by ").append(p.name()).append(" (").append(held(p)).append(')');
        }
        for (String id : next.nodes().keySet()) {
            PodView p = byId.get(id);
            // a replaced primary that answers is told at once, Ready or not: if it serves its layout (replaced at the deadline)
            // it takes writes for slots its replica now owns until it has the new one
            if (p != null && (p.ready() || due.stream().anyMatch(f -> f.primary().equals(id)))) {
                to.add(p.name());
            }
        }
        return new Decision(Kind.APPLY, next, List.copyOf(to), due.size(), current, keep, List.of(), "FailedOver", what.toString(),
                ClusterPlanner.BUSY, new Links(promote, Map.of(), List.of(), List.of()), Map.of());
    }

    /**
     * Who is whose replica in the next layout. The current groups are kept (a replica beyond {@code replicas} is let
     * go; one of a leaving primary stays with it until it is drained); a pod below {@code members} in no group joins the primary with
     * the fewest replicas while one lacks any, else becomes a primary while fewer than
     * {@link #wantedPrimaries} serve — a pod holding keys only before the first layout or with no replicas
     * wanted (a former replica's copy of another group's keys must not stay beside new slots), else waits.
     */
    static Assignment assign(Layout current, List<PodView> pods, Map<String, PodView> byId, int members, int replicas) {
        List<String> primaries = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>(current.primaries());
        for (String id : current.primaries()) {
            PodView p = byId.get(id);
            if (p != null && p.ordinal() < members) {
                primaries.add(id);
            }
        }
        int wanted = wantedPrimaries(members, replicas);
        if (replicas > 0 && primaries.size() > wanted) {
            // More groups below the count than it makes whole (a scale-in after failovers moved primaries down): the groups
            // of the highest ordinals leave as those of leaving pods do, their slots migrating to the others, their pods then
            // free to join those as replicas. Kept, they waited for replicas no pod was free to be, for ever
            // (ClusterPlannerSimulationTest, seeds 20261137 and 20261613).
            primaries.sort(Comparator.comparingInt(id -> byId.get(id).ordinal()));
            primaries = new ArrayList<>(primaries.subList(0, wanted));
        }
        Map<String, String> replicaOf = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        current.replicaOf().forEach((replica, primary) -> {
            PodView p = byId.get(replica);
            PodView of = byId.get(primary);
            // a leaving primary keeps its replicas while it is drained: it may fail over meanwhile
            boolean kept = p != null && of != null && !current.replicaOf().containsKey(primary)
                    && (p.ordinal() < members || of.ordinal() >= members);
            if (kept && count.getOrDefault(primary, 0) < replicas) {
                replicaOf.put(replica, primary);
                count.merge(primary, 1, Integer::sum);
                placed.add(replica);
            }
        });
        List<PodView> free = new ArrayList<>();
        for (PodView p : pods) {
            if (p.ordinal() < members && p.observed() != null && !placed.contains(p.observed().nodeId())) {
                free.add(p);
            }
        }
        Map<String, String> copyOf = current.epoch() == 0 ? lesserCopies(pods) : Map.of();
        if (current.epoch() == 0) {
            // pods holding keys first, then the lesser copies of a stream, which join its best copy before pods without keys do
            free.sort(Comparator.comparingInt((PodView p) -> copyOf.containsKey(p.name()) ? 1 : p.observed().keys() > 0 ? 0 : 2)
                    .thenComparingInt(PodView::ordinal));
        }
        for (PodView p : free) {
            String id = p.observed().nodeId();
            String best = copyOf.get(p.name());
            if (best != null && primaries.contains(best) && count.getOrDefault(best, 0) < replicas) {
                replicaOf.put(id, best); // a prefix of what the best copy holds: its full sync from it loses nothing
                count.merge(best, 1, Integer::sum);
                continue;
            }
            if (current.epoch() == 0 && p.observed().keys() > 0 && best == null && primaries.size() < wanted) {
                // before any layout a pod with keys (restored, or persistent before cluster mode) is a primary: as a
                // replica its sync would wipe them
                primaries.add(id);
                continue;
            }
            String lacking = null;
            for (String primary : primaries) {
                int n = count.getOrDefault(primary, 0);
                if (n < replicas && (lacking == null || n < count.getOrDefault(lacking, 0))) {
                    lacking = primary;
                }
            }
            if (lacking != null) {
                replicaOf.put(id, lacking);
                count.merge(lacking, 1, Integer::sum);
            } else if (primaries.size() < wanted && (replicas == 0 || current.epoch() == 0 || p.observed().keys() == 0)) {
                primaries.add(id);
            }
        }
        primaries.sort(Comparator.comparingInt(id -> byId.get(id).ordinal()));
        return new Assignment(primaries, replicaOf);
    }

    /**
     * Before any layout, replicas holding keys that follow one primary (its address and history) hold copies of one
     * stream, each a prefix of the one that went furthest: the others by name, each with the node id of that best copy
     * ({@link #furtherCopy}). Counted as pods holding keys of their own, two such copies stopped a cluster for good
     * (KeysOnSeveralPods: each would keep only its own slots' keys), when the primary they had copied restarted without
     * persistence (ClusterFailoverPropertyTest, seeds 31010029, 31022710, 31030846). A master that went on from that
     * history (its {@code master_replid2}: promoted before the first layout reached the others, by an operator stopped
     * midway) holds it up to where it left it: a copy that says an offset no further is a prefix of that master's
     * (36045569: kv-7 promoted, kv-8 still following the gone primary, both holding its one key, for good).
     */
    static Map<String, String> lesserCopies(List<PodView> pods) {
        Map<String, PodView> bestOf = new HashMap<>();
        Map<String, PodView> wentOn = new HashMap<>(); // a history → the one master holding keys that went on from it
        Set<String> wentOnTwice = new java.util.HashSet<>();
        List<PodView> copies = new ArrayList<>();
        for (PodView p : pods) {
            ReplicationPlanner.Observed r = p.observed() == null ? null : p.observed().replication();
            if (r == null || p.observed().keys() <= 0) {
                continue;
            }
            if (r.master()) {
                if (r.replid2() != null && r.secondOffset() > 0 && wentOn.putIfAbsent(r.replid2(), p) != null) {
                    wentOnTwice.add(r.replid2()); // two branches of it: each may hold what the other lacks
                }
                continue;
            }
            if (r.following() == null) {
                continue;
            }
            copies.add(p);
            bestOf.merge(r.following() + "/" + r.replid(), p, (a, b) -> furtherCopy(a, b) >= 0 ? a : b);
        }
        Map<String, String> lesser = new LinkedHashMap<>();
        for (PodView p : copies) {
            ReplicationPlanner.Observed r = p.observed().replication();
            PodView on = r.replid() == null || wentOnTwice.contains(r.replid()) ? null : wentOn.get(r.replid());
            if (on != null && r.offset() > 0 && r.offset() < on.observed().replication().secondOffset()) {
                lesser.put(p.name(), on.observed().nodeId());
                continue;
            }
            PodView best = bestOf.get(r.following() + "/" + r.replid());
            if (best != p) {
                lesser.put(p.name(), best.observed().nodeId());
            }
        }
        return lesser;
    }

    /**
     * Which of two copies of one stream went further: by offsets when both say one, else by keys (a process back from an
     * append-only file says none: ranked at 0, the fuller copy would be synced from the emptier), then the lower ordinal.
     */
    private static int furtherCopy(PodView a, PodView b) {
        Comparator<PodView> order = offset(a) > 0 && offset(b) > 0
                ? Comparator.comparingLong(ReplicaGroups::offset).thenComparingLong((PodView c) -> c.observed().keys())
                : Comparator.comparingLong((PodView c) -> c.observed().keys()).thenComparingLong(ReplicaGroups::offset);
        return order.thenComparing(Comparator.comparingInt(PodView::ordinal).reversed()).compare(a, b);
    }

    /**
     * What the layout in force asks of the pods' replication: every replica that answers and does not follow its
     * primary's address is told to; every primary that follows someone is promoted. A pod whose role is
     * unknown (not asked) is left alone.
     */
    static Links links(Layout inForce, Map<String, PodView> byId, int replicas) {
        List<String> promote = new ArrayList<>();
        Map<String, HostPort> follow = new LinkedHashMap<>();
        List<String> notLinked = new ArrayList<>();
        List<String> lacking = new ArrayList<>();
        for (String primary : inForce.primaries()) {
            PodView p = byId.get(primary);
            if (p != null && p.observed().replication() != null && !p.observed().replication().master()) {
                promote.add(p.name());
            }
            int has = inForce.replicasOf(primary).size();
            if (has < replicas && !inForce.slotsOf(primary).isEmpty()) {
                lacking.add((p == null ? primary : p.name()) + " has " + has + " of " + replicas);
            }
        }
        inForce.replicaOf().forEach((replica, primary) -> {
            PodView r = byId.get(replica);
            HostPort at = addressOf(primary, inForce, byId);
            if (r == null || r.observed().replication() == null || at == null || byId.get(primary) == null) {
                return; // a primary that does not answer is not followed: it may be the one a failover replaces
            }
            ReplicationPlanner.Observed seen = r.observed().replication();
            if (seen.master() || !at.equals(seen.following())) {
                follow.put(r.name(), at);
            } else if (!seen.linkUp()) {
                notLinked.add(r.name());
            }
        });
        return new Links(promote, follow, notLinked, lacking);
    }

    /**
     * Where a node answers now, else where the layout last put it. Pods deleted together come back at new addresses under
     * their node ids (their files keep them); a layout carries the new ones only once every pod is Ready, and a replica is
     * Ready only once linked: told the old address, none ever was, and the cluster waited for its pods for good.
     */
    static HostPort addressOf(String node, Layout layout, Map<String, PodView> byId) {
        PodView p = byId.get(node);
        return p != null && p.address() != null ? p.address() : layout.nodes().get(node);
    }

    /** The layout's nodes at the addresses they answer at now ({@link #addressOf}). */
    static Map<String, HostPort> answeringAt(Layout layout, Map<String, PodView> byId) {
        Map<String, HostPort> nodes = new LinkedHashMap<>();
        layout.nodes().keySet().forEach(id -> nodes.put(id, addressOf(id, layout, byId)));
        return nodes;
    }

    /** {@code d} with the replication links of the layout it leaves in force, and a steady state qualified by them. */
    static Decision withLinks(Decision d, Map<String, PodView> byId, Map<String, Instant> unavailableSince, List<String> waiting,
                              int replicas) {
        if (d.kind() == Kind.CONFLICT) {
            return new Decision(d.kind(), d.send(), d.sendTo(), d.leading(), d.current(), d.podsToKeep(), d.lost(), d.reason(),
                    d.message(), d.requeue(), Links.NONE, unavailableSince);
        }
        Links found = links(d.send() != null ? d.send() : d.current(), byId, replicas);
        List<String> promote = new ArrayList<>(d.links().promote());
        found.promote().stream().filter(p -> !promote.contains(p)).forEach(promote::add);
        Links links = new Links(promote, found.follow(), found.notLinked(), found.lacking());
        Kind kind = d.kind();
        String reason = d.reason();
        String message = d.message();
        Duration requeue = d.requeue();
        if (kind == Kind.STEADY && links.repoint()) {
            kind = Kind.REPOINT;
            reason = "Repointing";
            message = (promote.isEmpty() ? "" : String.join(", ", promote) + " made primary; ")
                    + (links.follow().isEmpty() ? "" : "replicas told whom to follow: " + links.follow());
            requeue = ClusterPlanner.BUSY;
        } else if (kind == Kind.STEADY && !links.notLinked().isEmpty()) {
            kind = Kind.REPLICAS_SYNCING;
            reason = "ReplicasNotLinked";
            message = String.join(", ", links.notLinked()) + " not in sync with their primaries yet; " + message;
            requeue = ClusterPlanner.BUSY;
        } else if (kind == Kind.STEADY && !links.lacking().isEmpty()) {
            kind = Kind.REPLICAS_MISSING;
            reason = "ReplicasMissing";
            message = "primaries short of replicas (no free pod): " + String.join("; ", links.lacking()) + "; " + message;
        }
        if (!waiting.isEmpty()) {
            message = message + "; " + String.join("; ", waiting);
            requeue = ClusterPlanner.BUSY.compareTo(requeue) < 0 ? ClusterPlanner.BUSY : requeue;
        }
        return new Decision(kind, d.send(), d.sendTo(), d.leading(), d.current(), d.podsToKeep(), d.lost(), reason, message, requeue,
                links, unavailableSince);
    }
}
