package io.percore.operator.replication;

import io.percore.operator.replication.LastSeenPositions.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is primary, when to fail over, which pod to roll next: a pure function of the pods (readiness,
 * label, revision, and the replication state each one answered), the spec and the clock. The
 * reconciler lists the pods, probes them, calls {@link #plan} and carries out the {@link Decision}
 * in the order its fields are listed (fence, promote and label, repoint, switchover, delete).
 *
 * <p>Rules:
 * <ul>
 *   <li><b>One primary.</b> The pod labelled primary is the primary. Two labelled (a hand edit): the
 *       best of them keeps the label, the others lose it first ("fence").</li>
 *   <li><b>Available</b> = the labelled pod exists, is not terminating, is ready, and does not answer
 *       {@code role:slave} (a restarted primary comes back as a replica of the primary Service: it no
 *       longer holds the data). A pod the operator cannot reach but Kubernetes calls ready is
 *       available: the operator fails over on Kubernetes' word, not on its own network's.</li>
 *   <li><b>Failover.</b> No available primary since {@code since} (kept in the status across
 *       reconciles and operator restarts): at {@code since + failoverAfter} (at once when Kubernetes
 *       says the primary's process is gone, unless another pod is silent: it may hold the writes the
 *       last WAIT acknowledged) the pod that answers with the newest data is promoted, every labelled pod is unlabelled first, every other reachable pod
 *       is repointed at the new primary. Bootstrap (no primary ever recorded) does not wait once every
 *       wanted pod is ready.</li>
 *   <li><b>Candidates</b> are the pods that answer: ready ones, and replicas whose link is down (the
 *       service calls those unready only so that reads skip them; an unready one whose link is up is
 *       stuck or loading, and no candidate; readiness must never keep the
 *       election that would make them ready from happening: both pods restarted from their files are
 *       both such replicas). A pod whose container restarted is one too once its new process answers
 *       (it holds what its files held), whatever Kubernetes still says of the container (the kubelet reports a restart
 *       seconds late on a loaded node). Ranked by replication offset, then holding data, then the
 *       recorded primary first, then the lowest ordinal (Redis's rule for choosing a replica, with the
 *       offsets as loaded from the files: an append-only file says none, so pods restarted from theirs
 *       tie and the last primary, whose file has every write it took, goes first). Offsets compare only
 *       within one history: the pods whose replication id is the last primary's seen serving (the
 *       status's {@code history}), or who moved on from it, go before any other (a replica frozen or cut
 *       off through a failover holds a higher offset of an older history, whose writes the newer one
 *       has gone past), and with them the pods of histories the {@link Lineage} joins to it, counted by what they hold of
 *       its line; a master the operator was promoting ({@code percore.io/replication-role=promoting})
 *       goes first of all (it stopped between the promotion and the label); the pod the status says was being promoted
 *       from the recorded history ({@code status.replication.promoting}, written before the promotion) counts in that
 *       history whatever its id, since a pod recreated after it was promoted has lost that label. A pod known empty
 *       is never promoted while another holds data, nor while a pod that may hold some (missing, not
 *       answering, still loading, being deleted) could still come back: the service waits for it
 *       ({@code WaitingForData}).</li>
 *   <li><b>Converge.</b> With an available primary, every reachable other pod that is a master or
 *       follows someone else is repointed at it (a fenced old primary that comes back loses the
 *       writes it took alone, as in Redis).</li>
 *   <li><b>Roll</b> (a re-plan under {@code updateStrategy: OnDelete}), one step per reconcile and
 *       only when every wanted pod is ready, every replica is linked to the primary and holds what the
 *       primary held {@link CatchUp#WITHIN} before ({@link Input#catchingUp}): delete the outdated
 *       replica with the highest ordinal; when only the primary is outdated, delete it: a planned
 *       stop, handed over to the linked replica with the highest offset as it stops.</li>
 *   <li><b>Planned stop.</b> A primary whose pod is being deleted and still answers is switched over
 *       at once to the linked replica with the highest offset, at the old primary's offset.</li>
 * </ul>
 */
public final class ReplicationPlanner {

    /** How often to look again while replication is on and nothing is due sooner. */
    public static final Duration PERIOD = Duration.ofSeconds(5);
    /** How long a switchover (of replication, or of a cluster's group) waits for the chosen replica to reach the old primary's offset. */
    public static final Duration SWITCHOVER_CATCH_UP = Duration.ofSeconds(10);
    /** How long a switchover pauses the old primary's writes at most: the catch-up's bound, then 5 s for the steps after it. */
    public static final Duration SWITCHOVER_PAUSE = SWITCHOVER_CATCH_UP.plus(Duration.ofSeconds(5));

    private ReplicationPlanner() {
    }

    /** A host and port, as a pod is reached and as REPLICAOF names its primary. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * What one pod answered to {@code INFO replication keyspace}.
     *
     * @param master     role:master
     * @param offset     master_repl_offset of a master, slave_repl_offset of a replica
     * @param following  master_host/master_port of a replica (null for a master)
     * @param linkUp     master_link_status:up (a replica in sync with its primary)
     * @param keys       the keys it holds in all its databases, {@link #UNKNOWN_KEYS} when it did not say
     * @param replid     master_replid: the history its offset counts in (a replica takes its primary's); null: not said
     * @param replid2    master_replid2: the history it moved on from (a promoted pod's former one); null: none
     * @param secondOffset second_repl_offset: where it moved on from {@code replid2}, plus one (Redis's: a PSYNC of that
     *                   history from up to here continues), so it holds that history below it; -1: none
     * @param loaded     the demo's {@code loaded_repl_id} and {@code loaded_repl_offset_at_least}: what the files it loaded
     *                   at start held at least, said also when commands after it make it say offset 0; null: not said
     */
    public record Observed(boolean master, long offset, HostPort following, boolean linkUp, long keys, String replid, String replid2,
                           long secondOffset, LastSeenPositions.Position loaded) {
        public static final long UNKNOWN_KEYS = -1;

        public Observed(boolean master, long offset, HostPort following, boolean linkUp) {
            this(master, offset, following, linkUp, UNKNOWN_KEYS, null, null, -1, null);
        }

        public static Observed master(long offset) {
            return new Observed(true, offset, null, false);
        }

        public static Observed replica(long offset, HostPort following, boolean linkUp) {
            return new Observed(false, offset, following, linkUp);
        }

        public Observed withKeys(long keys) {
            return new Observed(master, offset, following, linkUp, keys, replid, replid2, secondOffset, loaded);
        }

        public Observed withHistory(String replid, String replid2) {
            return withHistory(replid, replid2, -1);
        }

        /** With the history it moved on from and how far in it it holds ({@code second_repl_offset}). */
        public Observed withHistory(String replid, String replid2, long secondOffset) {
            return new Observed(master, offset, following, linkUp, keys, replid, replid2, replid2 == null ? -1 : secondOffset, loaded);
        }

        public Observed withLoaded(LastSeenPositions.Position loaded) {
            return new Observed(master, offset, following, linkUp, keys, replid, replid2, secondOffset, loaded);
        }

        /**
         * It moved on from {@code history} holding all of it up to an offset no pod of that history has passed
         * ({@code furthest}, the highest offset a pod says in it): what any of them holds, it holds too, and its offset,
         * which went on counting from there, ranks it among them.
         */
        boolean movedOnPast(String history, long furthest) {
            return history != null && history.equals(replid2) && secondOffset > 0 && furthest < secondOffset;
        }

        /**
         * Its offset counts in {@code history}. Not one that moved on from it (replid2): a history moves on only when the
         * operator promotes, and the promoted pod's new one is recorded then (the status, the annotation beside its label),
         * while a master that was fenced and is chosen again keeps its id and reopens its history past where others left it.
         */
        boolean continues(String history) {
            return history != null && history.equals(replid);
        }

        /** Known to hold no key (a pod that did not say may hold some). */
        boolean empty() {
            return keys == 0;
        }
    }

    /**
     * One pod of the replicated StatefulSet.
     *
     * @param address   where the operator reaches it and replicas follow it (null: no IP yet)
     * @param updated   runs the StatefulSet's update revision
     * @param observed  what it answered; null when it could not be reached
     * @param starting  its container is being created, started moments ago, or down moments ago and about to start again
     *                  ({@code Pods.starting}, or its port refusing), and has not answered yet: with files, it comes back
     *                  with what it acknowledged
     */
    public record PodState(String name, int ordinal, boolean ready, boolean terminating, boolean labelledPrimary,
                           boolean updated, HostPort address, Observed observed, String lost, boolean labelledPromoting,
                           String history, boolean starting) {
        public PodState(String name, int ordinal, boolean ready, boolean terminating, boolean labelledPrimary, boolean updated,
                        HostPort address, Observed observed, String lost, boolean labelledPromoting, String history) {
            this(name, ordinal, ready, terminating, labelledPrimary, updated, address, observed, lost, labelledPromoting, history, false);
        }

        public PodState(String name, int ordinal, boolean ready, boolean terminating, boolean labelledPrimary, boolean updated,
                        HostPort address, Observed observed, String lost) {
            this(name, ordinal, ready, terminating, labelledPrimary, updated, address, observed, lost, false, null);
        }

        public PodState(String name, int ordinal, boolean ready, boolean terminating, boolean labelledPrimary, boolean updated,
                        HostPort address, Observed observed) {
            this(name, ordinal, ready, terminating, labelledPrimary, updated, address, observed, null);
        }

        boolean reachable() {
            return observed != null && address != null;
        }

        /**
         * Why its process is known gone now (Kubernetes' word, {@link PodLoss}, or a pod being deleted that no longer
         * answers), else null: a primary lost now is failed over at once, not after {@code failoverAfter}.
         */
        String knownLost() {
            if (lost != null) {
                return lost;
            }
            return terminating && !reachable() ? "being deleted and no longer answering" : null;
        }

        /**
         * May be promoted: answers, is not being deleted, and its process is not known gone, unless the process known
         * gone is its container's, before a restart, and the new one answers (it lost its memory and role, not its files).
         * Whatever Kubernetes still says of the container (terminated, waiting to restart): the driver lists the pods before
         * it probes them, so an answer after a container's end is the new process's, and the kubelet reports the restart
         * seconds late on a loaded node. Passed over while it said "terminated", a replica answering from its files with the
         * writes WAIT had acknowledged was overwritten by one without them (the CI campaign of 2026-12-05: 86 lost).
         */
        boolean electable() {
            return !terminating && reachable() && (knownLost() == null || lostOnlyItsContainer());
        }

        /** Kubernetes says its container ended, waits to restart or restarted: its process, not its pod or node. */
        boolean lostOnlyItsContainer() {
            return lost != null && lost.startsWith(PodLoss.CONTAINER);
        }

        /** Might hold keys: anything but a pod that answers and says it holds none. */
        boolean mayHoldData() {
            return !reachable() || !observed.empty();
        }
    }

    /**
     * Pods placed where they were last seen ({@link LastSeenPositions#placed}) hold at least that, maybe more: among themselves
     * they rank by keys (what their files hold now), as ReplicaGroups ranks a cluster's; the best of them goes first when it
     * was last seen past the best pod that says its offset, in the same history (a tie is not enough: a file written each
     * second may hold less than where its pod was last seen), or holding more keys on a tie, or holding more keys at all: where
     * it was last seen is a lower bound, seconds old, and its file went on past it (the build's campaign, 2026-12-07: every pod
     * SIGKILLed, a replica back from a log ending in its annotation, at 1,675,005 with 20,070 keys, went before two placed at
     * 1,642,453 and 1,642,371 whose logs held 20,081, and 10 acknowledged writes were lost). Only for one last seen in the
     * recorded history itself, which no recorded link leaves ({@link Lineage#continuedPast}): one last seen in an older history
     * may have gone on in it past where the line left it, and its keys count writes off the line (seed 1093012: the primary of
     * the history the line left, last seen at the fork, then two writes of its own no replica acknowledged). Keys stand for
     * writes here, as among the placed pods (a keyspace shrunk by DEL or expiry can mislead both). Ranked by last seen offsets
     * among themselves, one seen a moment before another that then took fewer writes went first (ClusterFailoverPropertyTest,
     * seed 9001092, on the cluster's side). One last seen in an older history past where the recorded line left it goes after
     * the others: its keys count writes off the line (an old primary's, which no replica acknowledged: seed 9199086). For the
     * same reason one that says an offset past where the line left its history ties no better than a pod back from its files at
     * the same place on the line: what it holds beyond is off it (seed 1173884: a thawed master of a sibling history, with a
     * write of its own, went before the replica back from its log that held the acknowledged one).
     */
    private static List<PodState> backFromFilesFirst(List<PodState> candidates, Input given, String history, Input in) {
        List<String> back = LastSeenPositions.placedNames(given);
        if (back.isEmpty() || candidates.size() < 2) {
            return candidates;
        }
        long furthest = furthestIn(in, history);
        java.util.function.ToIntFunction<PodState> group = p -> promotedSince(p) ? 0 : onLine(p, history, in, furthest) >= 0 ? 1 : 2;
        java.util.function.ToLongFunction<PodState> offset = p -> lineOffset(p, history, in, furthest);
        // one last seen past where the recorded line left its history held writes off the line: its keys count those too
        java.util.function.Predicate<PodState> offTheLine = p -> offset.applyAsLong(p) < p.observed().offset();
        PodState bestBack = candidates.stream().filter(p -> back.contains(p.name()))
                .min(Comparator.comparingInt(group).thenComparing(offTheLine::test)
                        .thenComparing(Comparator.comparingLong((PodState p) -> p.observed().keys()).reversed())
                        .thenComparing(Comparator.comparingLong(offset).reversed())
                        .thenComparingInt(PodState::ordinal)).orElse(null);
        if (bestBack == null) {
            return candidates;
        }
        PodState bestSaid = candidates.stream().filter(p -> !back.contains(p.name())).findFirst().orElse(null);
        int g = group.applyAsInt(bestBack);
        boolean first = bestSaid == null || g < group.applyAsInt(bestSaid) || g == group.applyAsInt(bestSaid)
                && (offset.applyAsLong(bestBack) > offset.applyAsLong(bestSaid) || offset.applyAsLong(bestBack) == offset.applyAsLong(bestSaid)
                        && (bestBack.observed().keys() > bestSaid.observed().keys() || offTheLine.test(bestSaid))
                        || bestBack.observed().keys() > bestSaid.observed().keys() && bestBack.observed().continues(history)
                                && !in.lineage().continuedPast(history));
        List<PodState> ordered = new ArrayList<>();
        ordered.add(first ? bestBack : bestSaid);
        candidates.stream().filter(p -> p != ordered.get(0)).forEach(ordered::add);
        return ordered;
    }

    /** The highest offset a pod that answers says in {@code history}. */
    private static long furthestIn(Input in, String history) {
        return in.pods().stream().filter(p -> p.reachable() && p.observed().continues(history)).mapToLong(p -> p.observed().offset())
                .max().orElse(0);
    }

    /**
     * Its offset counts in {@code history}: it is in it, or the status says it was being promoted from it, or it moved on
     * from it no further along than any pod in it has gone ({@link Observed#movedOnPast}). The last: a pod promoted while
     * the operator was stopped midway, which then chose the old primary again in the recorded history, holds a write it
     * had acknowledged as that primary's replica; ranked as a master of another history, it went behind a replica of the
     * recorded one at a lower offset than where it had moved on, whose full sync dropped the write
     * (ReplicationPlannerPropertyTest, seed 6045080). One the recorded history went past is left out: each may hold writes
     * the other lacks.
     */
    private static boolean inHistory(PodState p, String history, Input in, long furthest) {
        return p.observed().continues(history) || in.promotedFromRecorded(p) || p.observed().movedOnPast(history, furthest);
    }

    /**
     * How much of the recorded history's line a pod holds: its offset when it counts in that history ({@link #inHistory}),
     * at most where the line left its own when that is an older history on it ({@link Lineage#heldOf}), else -1: off the line.
     */
    private static long onLine(PodState p, String history, Input in, long furthest) {
        if (inHistory(p, history, in, furthest)) {
            return p.observed().offset();
        }
        return in.lineage().heldOf(history, p.observed().replid(), p.observed().offset());
    }

    /** The offset a failover compares: what it holds of the recorded line when it is on it, else its own. */
    private static long lineOffset(PodState p, String history, Input in, long furthest) {
        long held = onLine(p, history, in, furthest);
        return held >= 0 ? held : p.observed().offset();
    }

    /**
     * @param pods            the pods that exist (any order)
     * @param wantedPods      1 + spec.replication.replicas
     * @param lastPrimary     the primary the status records (null: never had one, i.e. bootstrap)
     * @param unavailableSince since when the status has seen no available primary (null: it had one)
     * @param primaryService  the primary Service's host and RESP port (what pods start following)
     * @param bootstrapOn     the pod that must be the first primary (the one a restore puts the data on: the others start
     *                        empty and copy from it), else null: the first primary is elected as any
     * @param keepsFiles      the pods keep their data on claims (spec.persistence): a pod being deleted comes back with it
     * @param history         the replication id of the last primary seen serving (the status's), else null
     * @param catchingUp      replicas still replaying what their primary took a moment ago ({@link CatchUp}): the roll waits
     * @param lineage         which history continued which, and up to where (the status's): offsets of two compare along it
     */
    public record Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary,
                        Instant unavailableSince, Instant now, HostPort primaryService, String bootstrapOn, boolean keepsFiles,
                        String history, String promoting, String promotingFrom, Map<String, Position> lastSeen,
                        Set<String> catchingUp, Lineage lineage) {
        public Input {
            pods = pods.stream().sorted(Comparator.comparingInt(PodState::ordinal)).toList();
            lastSeen = lastSeen == null ? Map.of() : Map.copyOf(lastSeen);
            catchingUp = catchingUp == null ? Set.of() : Set.copyOf(catchingUp);
            lineage = lineage == null ? Lineage.NONE : lineage;
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService, String bootstrapOn, boolean keepsFiles, String history, String promoting, String promotingFrom,
                     Map<String, Position> lastSeen, Set<String> catchingUp) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, bootstrapOn, keepsFiles, history,
                    promoting, promotingFrom, lastSeen, catchingUp, Lineage.NONE);
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService, String bootstrapOn, boolean keepsFiles, String history, String promoting, String promotingFrom,
                     Map<String, Position> lastSeen) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, bootstrapOn, keepsFiles, history,
                    promoting, promotingFrom, lastSeen, Set.of());
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService, String bootstrapOn, boolean keepsFiles, String history, String promoting, String promotingFrom) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, bootstrapOn, keepsFiles, history,
                    promoting, promotingFrom, Map.of());
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService, String bootstrapOn, boolean keepsFiles, String history) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, bootstrapOn, keepsFiles, history, null, null);
        }

        /**
         * The pod the status says was being promoted from the history still recorded: the operator stopped before it
         * recorded the new one (the pod, recreated since, no longer carries the label that says so), so that pod's offset
         * counts in the recorded history, whatever replication id it has now. Only with an offset: one loaded from an
         * append-only file says none, and its data is what the file kept, not a place in that history (ranked as before by
         * offsets, then keys: ReplicationPlannerPropertyTest, seed 903746).
         */
        boolean promotedFromRecorded(PodState p) {
            return promoting != null && promoting.equals(p.name()) && promotingFrom != null && promotingFrom.equals(history)
                    && p.observed() != null && p.observed().offset() > 0;
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService, String bootstrapOn) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, bootstrapOn, false, null);
        }

        public Input(List<PodState> pods, int wantedPods, Duration failoverAfter, String lastPrimary, Instant unavailableSince, Instant now,
                     HostPort primaryService) {
            this(pods, wantedPods, failoverAfter, lastPrimary, unavailableSince, now, primaryService, null);
        }
    }

    /**
     * The hand-over of a primary whose pod is being deleted (a drain, an eviction, a roll, {@code kubectl delete}) while
     * it still answers: see the reconciler for the steps. Given up, the old primary does not get the label back.
     */
    public record Switchover(String from, String to, List<String> others) {
    }

    public enum Kind { STEADY, WAIT, BOOTSTRAP, FAILOVER, REPOINT, ROLL, SWITCHOVER }

    /**
     * @param fence            pods to unlabel first
     * @param promote          pod to promote (REPLICAOF NO ONE) and then label; null: none
     * @param repoint          pods to REPLICAOF at the primary
     * @param switchover       the roll's change of primary; null: none
     * @param delete           the pod the roll deletes; null: none
     * @param primary          the primary after this decision (null: none)
     * @param unavailableSince the failover clock to record
     * @param healthy          the Replicated condition's status, with its reason and message
     * @param requeue          when to look again at the latest
     */
    public record Decision(Kind kind, List<String> fence, String promote, List<String> repoint, Switchover switchover,
                           String delete, String primary, Instant unavailableSince, boolean healthy, String reason,
                           String message, Duration requeue) {
    }

    public static Decision plan(Input given) {
        Input in = LastSeenPositions.placed(given);
        List<PodState> labelled = in.pods().stream().filter(PodState::labelledPrimary).toList();
        List<String> fence = new ArrayList<>();
        PodState primary = null;
        if (!labelled.isEmpty()) {
            primary = labelled.stream().sorted(primaryPreference()).findFirst().orElseThrow();
            for (PodState p : labelled) {
                if (p != primary) {
                    fence.add(p.name());
                }
            }
        }

        if (primary != null && available(primary)) {
            return withPrimary(in, primary, fence);
        }
        if (primary != null && primary.terminating() && primary.knownLost() == null && primary.reachable() && primary.observed().master()) {
            // a planned stop: the primary still answers while its pod is deleted; hand over to the linked replica with
            // the highest offset at once, at the old primary's offset (nothing acknowledged by WAIT lost)
            PodState leaving = primary;
            Optional<PodState> to = in.pods().stream()
                    .filter(p -> p != leaving && !p.terminating() && p.knownLost() == null && p.reachable()
                            && follows(p, leaving, in.primaryService()) && p.observed().linkUp())
                    .sorted(Comparator.comparingLong((PodState p) -> p.observed().offset()).reversed().thenComparingInt(PodState::ordinal))
                    .findFirst();
            if (to.isPresent()) {
                List<String> others = in.pods().stream().filter(p -> p != leaving && p != to.get() && !p.terminating() && p.reachable())
                        .map(PodState::name).toList();
                return new Decision(Kind.SWITCHOVER, fence, null, List.of(), new Switchover(leaving.name(), to.get().name(), others),
                        null, to.get().name(), null, false, "SwitchingOver", "primary " + leaving.name() + " is being deleted: switching over to "
                                + to.get().name() + ", the linked replica with the highest offset", Duration.ofSeconds(1));
            }
        }

        // No available primary: fail over once the clock says so.
        String history = lastHistory(given, primary);
        Instant since = in.unavailableSince() == null ? in.now() : in.unavailableSince();
        Instant deadline = since.plus(in.failoverAfter());
        boolean bootstrap = in.lastPrimary() == null && labelled.isEmpty();
        // a restored service's first primary is the pod the data was restored on: any other starts empty
        boolean pinned = bootstrap && in.bootstrapOn() != null;
        String recorded = primary != null ? primary.name() : in.lastPrimary();
        long furthest = furthestIn(in, history);
        Comparator<PodState> newestFirst = Comparator.comparing((PodState p) -> !promotedSince(p))
                .thenComparing((PodState p) -> onLine(p, history, in, furthest) < 0)
                .thenComparing(Comparator.comparingLong((PodState p) -> lineOffset(p, history, in, furthest)).reversed())
                .thenComparing((PodState p) -> p.observed().empty())
                // offsets alike (an append-only file keeps none: every pod loaded from one says 0), the pod holding more keys
                .thenComparing(Comparator.comparingLong((PodState p) -> p.observed().keys()).reversed())
                .thenComparing((PodState p) -> !p.name().equals(recorded))
                .thenComparingInt(PodState::ordinal);
        // a master the operator was promoting when it stopped is its own choice in flight: unready only until the kubelet's
        // next probe (elected in a cold start), and passed over for a pod with less data before
        List<PodState> candidates = in.pods().stream()
                .filter(p -> (bootstrap ? !p.terminating() && p.knownLost() == null && p.reachable() && (p.ready() || waitingForLink(p))
                        : p.electable() && (p.ready() || answersAsReplica(p) || promotedSince(p) || answersAsOtherMaster(p, recorded)))
                        && (!pinned || p.name().equals(in.bootstrapOn())))
                .sorted(newestFirst)
                .toList();
        if (!bootstrap && candidates.stream().anyMatch(p -> !p.observed().empty())) {
            candidates = candidates.stream().filter(p -> !p.observed().empty()).toList(); // never an empty pod while another holds data
        }
        candidates = backFromFilesFirst(candidates, given, history, in);
        List<String> mayHoldData = new ArrayList<>();
        if (!bootstrap && !candidates.isEmpty() && candidates.get(0).observed().empty()) {
            // every candidate is empty: one is elected only when no pod that may hold data can come back to hold it
            List<PodState> chosen = candidates;
            in.pods().stream().filter(p -> !chosen.contains(p) && p.mayHoldData()).forEach(p -> mayHoldData.add(p.name()
                    + (p.terminating() ? " (being deleted)" : !p.reachable() ? " (not answering)" : "")));
            for (int ordinal = 0; ordinal < in.wantedPods(); ordinal++) {
                int o = ordinal;
                if (in.pods().stream().noneMatch(p -> p.ordinal() == o)) {
                    mayHoldData.add("pod " + ordinal + " (missing)");
                }
            }
        }
        boolean allReady = in.pods().size() >= in.wantedPods()
                && in.pods().stream().allMatch(p -> (p.ready() || waitingForLink(p)) && !p.terminating() && p.knownLost() == null && p.reachable());
        // Kubernetes (or the pod's own port) already says the primary's process is gone: no window to wait for it to recover
        String knownLost = primary != null ? primary.knownLost() : lastPrimaryLost(in);
        String lost = primary != null ? "primary " + primary.name() + " is " + why(primary)
                : in.lastPrimary() != null ? "primary " + in.lastPrimary() + " is gone (no pod carries the primary label"
                        + (knownLost == null ? "" : "; " + knownLost) + ")"
                : "no primary yet";
        if (candidates.isEmpty() && pinned) {
            return new Decision(Kind.WAIT, fence, null, List.of(), null, null, null, since, false, "Bootstrapping",
                    "no primary yet; waiting for " + in.bootstrapOn() + ", which restores the service's data, to be ready (its replicas"
                            + " copy the data from it)", PERIOD);
        }
        if (candidates.isEmpty()) {
            return new Decision(Kind.WAIT, fence, null, List.of(), null, null, null, since, false, "NoCandidate",
                    lost + " since " + since + "; no pod answers that could be promoted", PERIOD);
        }
        if (in.keepsFiles() && !candidates.isEmpty()) {
            // a pod being deleted comes back with its claim: one that holds newer data than the best candidate is waited for
            // (seconds: the StatefulSet creates it again at once), not overwritten by a full sync from a primary behind it
            PodState best = candidates.get(0);
            in.pods().stream().filter(p -> p.terminating() && p.reachable() && !p.observed().empty() && newestFirst.compare(p, best) < 0)
                    .forEach(p -> mayHoldData.add(p.name() + " (being deleted, with newer data than " + best.name()
                            + "; it comes back with its claim)"));
        }
        if (in.keepsFiles() && !bootstrap) {
            // a replica restarting from its files may hold writes that WAIT acknowledged and the pods that answer lack (every
            // pod deleted at once: the one that answered first, promoted at the deadline, had 9,593 of the 15,871 commands the
            // other was loading): it is waited for past the deadline while it starts, not overwritten by a full sync. Not the
            // old primary: what it alone holds was never acknowledged by a replica (a replica acks only what its own files
            // hold, PrimaryLink#sendAck: a write that WAIT counted is in the files of a pod other than the old primary)
            // A container restarted in its pod (every process killed at once: a power loss, the campaign's KILL_ALL) is such a
            // replica too: its old process is known lost, the new one loads the same files (the CI campaign of 2026-11-30
            // elected the first replica to answer, 43,280 keys, over the other still loading the writes it had acknowledged),
            // and so is one whose container is still down, about to restart: the kubelet reports a killed container terminated
            // until the new one runs, seconds later on a loaded node (the campaign of 2026-12-04: every process killed a second
            // apart, the replica that had acknowledged the last writes passed over while its status still said terminated, the
            // first to answer elected without them, 56 acknowledged writes lost). The old primary too, which holds all of its
            // history, when what the best pod that answers holds of it is a guess: placed where it was last seen (back from a
            // log that says no offset), or holding none of the recorded line. The replica that acknowledged the last writes
            // may then be placed below them: cut off from the operator, it followed the primary into a history the operator
            // never saw it in (ReplicationPlannerPropertyTest, seeds 1173884 and 9065485)
            PodState best = candidates.isEmpty() ? null : candidates.get(0);
            boolean noneOnLine = history != null && best != null && best.observed().replid() != null
                    && onLine(best, history, in, furthest) < 0 && !promotedSince(best);
            boolean bestPlaced = best != null && LastSeenPositions.placedNames(given).contains(best.name());
            in.pods().stream().filter(p -> p.starting() && !p.reachable() && !p.terminating()
                            && (p.knownLost() == null || PodLoss.onlyItsProcess(p.lost()))
                    && (noneOnLine || bestPlaced || !p.name().equals(recorded))).forEach(p -> mayHoldData.add(p.name() + " (starting, with its files)"));
        }
        if (!bootstrap && !candidates.isEmpty() && history != null) {
            // a master of another history (an old primary, fenced, thawed) would reopen its own and drop the recorded one's
            // writes, which a pod that does not answer now may hold: that pod is waited for, not overwritten
            // (ReplicationPlannerPropertyTest, seed 1700132: the old primary promoted while the one that took over was frozen)
            // (a replica that moved on from the recorded history with its primary is ranked in it up to where it moved on,
            // no further than the pods that answer: one that does not may have gone past)
            PodState best = candidates.get(0);
            if ((best.observed().master() || best.observed().movedOnPast(history, furthest)) && !best.observed().continues(history)
                    && !in.promotedFromRecorded(best) && !promotedSince(best)) {
                in.pods().stream().filter(p -> !p.terminating() && !p.reachable() && p.knownLost() == null)
                        .forEach(p -> mayHoldData.add(p.name() + " (not answering; it may hold history " + history + ", which "
                                + best.name() + ", a master of another, would drop)"));
            }
        }
        if (!mayHoldData.isEmpty()) {
            return new Decision(Kind.WAIT, fence, null, List.of(), null, null, null, since, false, "WaitingForData",
                    lost + " since " + since + "; waiting for " + String.join(", ", mayHoldData) + ", which may hold newer data than the"
                            + " pods that answer (" + candidates.stream().map(p -> p.name() + " offset " + p.observed().offset() + ", "
                            + p.observed().keys() + " keys").reduce((a, b) -> a + "; " + b).orElse("") + ")", PERIOD);
        }
        // a pod that does not answer and is not known gone (cut off, frozen) may be the one that acknowledged the last writes:
        // the primary known lost does not spare the window then (promoted without it, what it alone holds would be lost)
        List<String> silent = in.pods().stream().filter(p -> !p.terminating() && !p.reachable() && p.knownLost() == null
                && !p.name().equals(recorded)).map(PodState::name).toList();
        boolean due = !in.now().isBefore(deadline) || (bootstrap && allReady) || pinned || knownLost != null && silent.isEmpty();
        if (!due) {
            Duration left = Duration.between(in.now(), deadline);
            return new Decision(Kind.WAIT, fence, null, List.of(), null, null, primary == null ? null : primary.name(), since, false,
                    bootstrap ? "Bootstrapping" : "PrimaryUnavailable",
                    lost + " since " + since + "; " + (bootstrap ? "electing" : "failing over") + " at " + deadline
                            + " unless it recovers (failoverAfter " + in.failoverAfter() + ")"
                            + (knownLost != null && !silent.isEmpty() ? "; not at once: " + String.join(", ", silent)
                            + " does not answer and may hold the newest writes" : ""), min(left, PERIOD));
        }
        PodState chosen = candidates.get(0);
        for (PodState p : labelled) {
            if (!fence.contains(p.name())) {
                fence.add(p.name());
            }
        }
        for (PodState p : in.pods()) {
            if (p != chosen && p.labelledPromoting() && !fence.contains(p.name())) {
                fence.add(p.name()); // a promotion given up (its pod went silent): not the newest any more once another is
            }
        }
        List<String> repoint = in.pods().stream()
                .filter(p -> p != chosen && !p.terminating() && p.reachable())
                .map(PodState::name).toList();
        String offsets = candidates.stream().map(p -> p.name() + "=" + p.observed().offset()
                + (p.observed().keys() >= 0 ? " (" + p.observed().keys() + " keys)" : "") + LastSeenPositions.placedHow(p.name(), given))
                .reduce((a, b) -> a + ", " + b).orElse("");
        return new Decision(bootstrap ? Kind.BOOTSTRAP : Kind.FAILOVER, fence, chosen.name(), repoint, null, null, chosen.name(), since,
                false, bootstrap ? "Bootstrapping" : "FailingOver",
                (bootstrap ? "electing " : lost + " since " + since + "; promoting ") + chosen.name()
                        + ", the newest data of the pods that answer (replication offsets " + offsets + ")", Duration.ZERO);
    }

    /**
     * The history the primary of {@code d} serves in, to record, or null to keep the recorded one: its replication id when it
     * answers, else (Ready on Kubernetes' word, out of the operator's reach) that of a replica linked to its address, which
     * took its primary's. While {@code d} changes the primary or names none, the history the one pod labelled primary was
     * promoted into (the annotation beside its label, what {@link #lastHistory} compares in), else null (the driver reads the
     * promoted pod's own after its promotion): an operator stopped after labelling a promoted pod and before its status
     * left the older history recorded, and once that pod was replaced (its annotation gone with it) the replicas that had
     * followed it into the new history ranked below a pod of the older one (ReplicationPlannerPropertyTest, seed 6049817).
     */
    public static String servingHistory(Input in, Decision d) {
        if (d.promote() != null || d.switchover() != null || d.primary() == null) {
            List<PodState> labelled = in.pods().stream().filter(PodState::labelledPrimary).toList();
            return labelled.size() == 1 ? labelled.get(0).history() : null;
        }
        PodState primary = in.pods().stream().filter(p -> p.name().equals(d.primary()) && p.labelledPrimary()).findFirst().orElse(null);
        if (primary == null) {
            return null;
        }
        if (primary.reachable() && primary.observed().master() && primary.lost() == null) {
            return primary.observed().replid();
        }
        // by its address, not the Service's name: a replica thawed after a freeze may still call a link up that the Service's
        // name no longer leads to
        return in.pods().stream().filter(p -> p != primary && p.reachable() && !p.observed().master() && p.observed().linkUp()
                && primary.address() != null && primary.address().equals(p.observed().following()) && p.observed().replid() != null)
                .map(p -> p.observed().replid()).findFirst().orElse(null);
    }

    private static Decision withPrimary(Input in, PodState primary, List<String> fence) {
        in.pods().stream().filter(p -> p.labelledPromoting() && !fence.contains(p.name())).forEach(p -> fence.add(p.name()));
        List<String> repoint = in.pods().stream()
                .filter(p -> p != primary && !p.terminating() && p.reachable() && !follows(p, primary, in.primaryService()))
                .map(PodState::name).toList();
        List<PodState> replicas = in.pods().stream().filter(p -> p != primary).toList();
        long linked = replicas.stream().filter(p -> p.reachable() && follows(p, primary, in.primaryService()) && p.observed().linkUp()).count();
        String state = primary.name() + " is primary; " + linked + "/" + (in.wantedPods() - 1) + " replica(s) linked";
        if (!fence.isEmpty() || !repoint.isEmpty()) {
            return new Decision(Kind.REPOINT, fence, null, repoint, null, null, primary.name(), null,
                    linked >= in.wantedPods() - 1, "Repointing", state + "; repointing " + String.join(", ", repoint), Duration.ofSeconds(1));
        }
        boolean settled = in.pods().size() == in.wantedPods()
                && in.pods().stream().allMatch(p -> p.ready() && !p.terminating())
                && linked == in.wantedPods() - 1;
        if (!settled) {
            return new Decision(Kind.STEADY, fence, null, List.of(), null, null, primary.name(), null, false, "ReplicasNotLinked",
                    state + "; waiting for " + in.wantedPods() + " ready pods, every replica linked", PERIOD);
        }
        Optional<PodState> outdatedReplica = replicas.stream().filter(p -> !p.updated())
                .max(Comparator.comparingInt(PodState::ordinal));
        List<String> behind = replicas.stream().map(PodState::name).filter(in.catchingUp()::contains).toList();
        if ((outdatedReplica.isPresent() || !primary.updated()) && !behind.isEmpty()) {
            return new Decision(Kind.STEADY, fence, null, List.of(), null, null, primary.name(), null, true, "ReplicasCatchingUp",
                    state + "; the roll waits until " + String.join(", ", behind) + " holds what the primary held " + CatchUp.WITHIN.toSeconds()
                            + " s ago (a replica that continued with a partial resync replays what it missed)", Duration.ofSeconds(1));
        }
        if (outdatedReplica.isPresent()) {
            return new Decision(Kind.ROLL, fence, null, List.of(), null, outdatedReplica.get().name(), primary.name(), null, true,
                    "RollingReplicas", state + "; rolling replica " + outdatedReplica.get().name() + " to the update revision", Duration.ofSeconds(1));
        }
        if (!primary.updated()) {
            if (replicas.isEmpty()) {
                return new Decision(Kind.STEADY, fence, null, List.of(), null, null, primary.name(), null, true, "PrimaryOutdated",
                        state + "; no replica to hand over to", PERIOD);
            }
            // Deleted rather than switched over first: a planned stop hands over as it stops and relays its port to the new
            // primary while kube-proxy catches up; an old primary demoted first and deleted right after left clients that
            // kube-proxy still sent to it facing an address about to vanish (a connect timeout: 2.8 and 3.1 s seen).
            return new Decision(Kind.ROLL, fence, null, List.of(), null, primary.name(), primary.name(), null, true, "RollingPrimary",
                    state + "; every replica runs the update revision: deleting primary " + primary.name()
                            + ", which hands over to the linked replica with the highest offset as it stops", Duration.ofSeconds(1));
        }
        return new Decision(Kind.STEADY, fence, null, List.of(), null, null, primary.name(), null, true, "PrimaryServing", state, PERIOD);
    }

    /** Among labelled pods: the available one, then the highest offset, then the lowest ordinal. */
    private static Comparator<PodState> primaryPreference() {
        return Comparator.comparing((PodState p) -> !available(p))
                .thenComparing((PodState p) -> p.reachable() && p.observed().master() ? -p.observed().offset() : Long.MAX_VALUE)
                .thenComparingInt(PodState::ordinal);
    }

    /**
     * Not being deleted, its process not known gone, and serving as a master on the operator's word (it answers so), else
     * on Kubernetes' (Ready while the operator cannot reach it: a timeout is the operator's network, not the pod). Unready
     * while it answers as a master is no outage: a master's readiness is its application's lifecycle, and the kubelet
     * resets it when it restarts (every pod unready until probed again) or has not probed it since its election. Failed
     * over on that, a serving primary lost what its replicas had acknowledged since the last offsets were read (the
     * campaign's kubelet restart: 39 acknowledged writes). Kubernetes' word that its container ended is no loss either
     * while it answers as master: the driver lists the pods before it probes them, so the answer is a process that runs
     * now, and a restarted one starts as a replica, so this master is one the operator promoted since. A restarted kubelet
     * said so of a primary just promoted for a second more; failed over on that word, its writes acknowledged by a replica
     * still linked to it went with its full sync from the new primary (the long campaign of 2026-12-05: 7 lost). The
     * cluster's groups keep a serving primary the same way.
     */
    static boolean available(PodState p) {
        if (p.terminating()) {
            return false;
        }
        if (p.knownLost() != null) {
            return p.lostOnlyItsContainer() && p.reachable() && p.observed().master();
        }
        return p.observed() != null ? p.observed().master() : p.ready();
    }

    /**
     * With no pod labelled (a planned stop's handover given up unlabels it): the recorded primary's pod gone, being
     * deleted or known lost is a loss now; so is a pod of its name that is not it any more (the StatefulSet recreated it:
     * unready and not answering yet, or answering as a replica, as a new pod starts).
     */
    private static String lastPrimaryLost(Input in) {
        if (in.lastPrimary() == null) {
            return null;
        }
        Optional<PodState> last = in.pods().stream().filter(p -> p.name().equals(in.lastPrimary())).findFirst();
        if (last.isEmpty()) {
            return "its pod is gone";
        }
        PodState p = last.get();
        if (p.terminating()) {
            return "being deleted";
        }
        if (p.knownLost() != null) {
            return p.knownLost();
        }
        if (!p.ready() && !p.reachable() || p.reachable() && !p.observed().master()) {
            return "its pod was replaced (" + (p.reachable() ? "the new one answers as a replica" : "the new one is not ready") + ")";
        }
        return null;
    }

    /**
     * The history offsets compare in: the one the labelled primary was promoted into (the annotation beside its label), else
     * the one the recorded primary's pod says it is in with an offset (its snapshot's, after a restart), else the status's. The status can
     * name the primary without its history: it is written once a look ends, and one may end with the primary out of reach.
     * What the pod says, not where it was last seen ({@link LastSeenPositions#placed}): an old primary back from a log that
     * says no offset, placed in the history it served in before a failover, made the failover compare in that one, not the recorded one
     * (ReplicationPlannerPropertyTest, seed 1161717: it was promoted over a replica holding an acknowledged write).
     */
    private static String lastHistory(Input in, PodState labelled) {
        if (labelled != null && labelled.history() != null) {
            return labelled.history();
        }
        // with an offset: one restarted from an append-only file starts a history of its own, which says nothing
        return in.pods().stream().filter(p -> p.name().equals(in.lastPrimary()) && p.reachable() && p.observed().replid() != null
                        && p.observed().offset() > 0)
                .map(p -> p.observed().replid()).findFirst().orElse(in.history());
    }

    /**
     * A master the operator was promoting (its role label says so) and did not get to label: the newest of all (it was
     * chosen as such, and has taken no write since: nothing routes to it), whatever history it started, for an
     * append-only file's restart gives a pod a history no one recorded.
     */
    private static boolean promotedSince(PodState p) {
        return p.labelledPromoting() && p.observed().master();
    }

    /**
     * A master that answers and is not the primary being failed over: an old primary thawed or reconnected after a failover
     * (fenced, unlabelled), which may hold writes the last WAIT acknowledged that the pods promoted since never got. Its
     * own readiness endpoint says ready (a master is); the kubelet says so at its next probe, seconds later. Passed over
     * meanwhile, a ready pod with less of that history was promoted and the newer writes were dropped by its full sync
     * (ReplicationPlannerPropertyTest, seed 102558). The primary being failed over is not one: it is the pod found unavailable.
     */
    private static boolean answersAsOtherMaster(PodState p, String recorded) {
        return p.observed() != null && p.observed().master() && !p.name().equals(recorded);
    }

    /**
     * A replica whose link is down answers, so its process runs: the service reports it not ready only so that the read
     * Services skip it (at bootstrap every pod is one, following the primary Service that selects no pod yet).
     */
    private static boolean waitingForLink(PodState p) {
        return p.observed() != null && !p.observed().master() && !p.observed().linkUp();
    }

    /**
     * A replica that answers runs: unready because its link is down ({@link #waitingForLink}) or because the kubelet has not
     * probed it since its link came up (seconds under load, after a cold start's election): a failover candidate either way
     * (a linked replica passed over for one whose link was down lost what it had acknowledged, on the real node).
     */
    private static boolean answersAsReplica(PodState p) {
        return p.observed() != null && !p.observed().master();
    }

    private static String why(PodState p) {
        if (p.knownLost() != null) {
            return "lost: " + p.knownLost();
        }
        if (p.terminating()) {
            return "terminating";
        }
        if (!p.ready()) {
            return "unready";
        }
        return "answering as a replica (restarted without its data)";
    }

    /** A replica following the primary, by its address or by the primary Service. */
    static boolean follows(PodState p, PodState primary, HostPort primaryService) {
        Observed o = p.observed();
        return o != null && !o.master() && o.following() != null
                && (Objects.equals(o.following(), primary.address()) || Objects.equals(o.following(), primaryService));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
